"""A real `screener serve` and headless Chromium for the browser tests and the benchmark.

Only Debian's chromium and chromedriver are used (nothing downloads a browser); without them,
:func:`browser_missing` says why and the callers skip.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        return (
            "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (the dev extra)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(review: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`screener serve REVIEW --port N` in a process: (its URL, the process), stopped after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "screener", "serve", str(review), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed at start-up: the app is made
        assert "screener serve" in first, first
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def chrome():  # -> selenium WebDriver: a browser context of its own
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        "--disable-gpu",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


def sign_in(driver, url: str, token: str, *, timeout: float = 60) -> object:
    """Open the sign-in link, press its button, wait for the TUI's first bytes; returns the
    element that takes the terminal's keys."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # the server may still be binding its port: wait for the page, not for a time
    WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.get(f"{url}/sign-in?token={token}") or d.find_elements(By.ID, "sign-in")
    )
    driver.find_element(By.ID, "sign-in").click()
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: "-first-byte" in (d.execute_script("return document.body.className") or "")
    )
    return driver.find_element(By.CSS_SELECTOR, "#terminal textarea")
