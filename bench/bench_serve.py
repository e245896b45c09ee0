"""`screener serve` in headless Chromium: key press to next record shown, memory per reviewer.

Printed figures (targets from issue 17):
- latency: a decision key pressed in the browser -> the next record drawn, over 200 decisions
  (p95 < 100 ms). Measured in the page: from the keydown event the terminal gets to the first
  WebSocket message after it that carries a redraw (200 bytes or more: a new record's title and
  abstract; the cursor's blink and the clock are smaller). It includes the browser, the server,
  the TUI process and both WebSocket/pipe hops;
- memory: resident memory (RSS, and USS: what the process alone holds) of the TUI process the
  server started for the signed-in tab, and of the processes it started (the ranking worker).

Skips with a message when Debian's chromium and chromedriver are not installed.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "serve"))

from browsing import browser_missing, chrome, serving, sign_in  # noqa: E402
from team import build_team_review  # noqa: E402

from screener.project import Project  # noqa: E402

N_DECISIONS = 200
N_RECORDS = 400
REDRAW_BYTES = 200

# Runs before the page's own script: note when each keydown happens and when each WebSocket
# message arrives (and its size).
RECORDER = """
window.__keys = []; window.__frames = [];
document.addEventListener('keydown', () => window.__keys.push(performance.now()), true);
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  socket.addEventListener('message', (event) => {
    const size = typeof event.data === 'string' ? event.data.length
      : (event.data.byteLength || event.data.size || 0);
    window.__frames.push([performance.now(), size]);
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, Native);
"""


def decided(review: Path) -> int:
    with sqlite3.connect(review) as conn:
        return int(conn.execute("SELECT count(*) FROM current_decision").fetchone()[0])


def main() -> int:
    missing = browser_missing()
    if missing:
        print(f"skipped: {missing}")
        return 0
    import psutil
    from selenium.webdriver.support.ui import WebDriverWait

    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    review = build_team_review(folder / "serve.db", records=N_RECORDS)
    with Project.open(review) as project:
        token = project.invite("rev_a")[1]
    with serving(review) as (url, server):
        driver = chrome()
        try:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
            terminal = sign_in(driver, url, token)
            wait = WebDriverWait(driver, 60, poll_frequency=0.02)
            terminal.send_keys("s")
            terminal.send_keys("i")  # the first decision warms up
            wait.until(lambda _: decided(review) == 1)
            latencies = []
            for n in range(N_DECISIONS):
                keys_before = driver.execute_script("return window.__keys.length")
                terminal.send_keys("i" if n % 3 else "e")
                found = wait.until(
                    lambda d, k=keys_before: d.execute_script(
                        f"const t = window.__keys[{k}]; if (t === undefined) return null;"
                        f" const f = window.__frames.find(([at, size]) => at > t && size >= "
                        f"{REDRAW_BYTES}); return f ? f[0] - t : null;"
                    )
                )
                latencies.append(float(found))
                wait.until(lambda _, want=n + 2: decided(review) >= want)
            tabs = [
                p
                for p in psutil.Process(server.pid).children(recursive=True)
                if "--served" in p.cmdline()
            ]
            memory = []
            for tab in tabs:
                info = tab.memory_full_info()
                helpers = sum(c.memory_info().rss for c in tab.children(recursive=True))
                memory.append((info.rss, info.uss, helpers))
        finally:
            driver.quit()
    assert decided(review) == N_DECISIONS + 1, decided(review)
    latencies.sort()
    p95 = latencies[int(0.95 * len(latencies)) - 1]
    print(
        f"serve: {N_DECISIONS} decisions by key press in headless Chromium, "
        f"key -> next record drawn: median {statistics.median(latencies):.0f} ms, "
        f"p95 {p95:.0f} ms (target < 100 ms), max {latencies[-1]:.0f} ms"
    )
    for rss, uss, helpers in memory:
        print(
            f"serve: memory per connected reviewer: TUI process RSS {rss / 2**20:.0f} MB "
            f"(USS {uss / 2**20:.0f} MB), its ranking worker {helpers / 2**20:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"serve: bench took {time.perf_counter() - started:.0f} s")
    sys.exit(status)
