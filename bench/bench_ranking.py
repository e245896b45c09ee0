"""Prioritised screening (issue 16): ranking quality beside ASReview LAB, the stopping rule's
recall, and retraining at 100,000 records.

Printed figures:
- per labelled set of ../shared/data/screening (Nagtegaal 2019, Bannach-Brown 2019, the seven
  Cohen 2006 sets; label ``label_included``), 5 seeds, priors 1 random include + 1 random exclude
  (the same records for both tools, given to ASReview with ``--prior-idx``): mean WSS@95 and
  RRF@10 of screener (``screener.screening.simulation``, the code the TUI ranks with) and of
  ASReview LAB 3.0.8's default model (``asreview simulate``, ELAS u4), computed by one function
  from each tool's screening order, priors left out as asreview-insights does;
- the stopping rule on screener's runs: how often it stopped at >= 95% recall (target: in at
  least 95% of runs), and the records screened when it stopped;
- retraining at 100,000 records (the screening benchmark's synthetic review, 1,000 decisions):
  building the features once, then each retraining (target < 2 s), and the peak memory of the
  process that does it (target < 500 MB).

``BENCH_RANKING_SEEDS`` and ``BENCH_RANKING_SETS`` (comma-separated names) narrow the run;
``BENCH_SCREENING_DB`` reuses a 100,000-record review built by bench_screening.py.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SHARED = REPO.parent / "shared" / "data" / "screening"
SETS = {
    "Nagtegaal_2019": SHARED / "Nagtegaal_2019.csv",
    "Bannach-Brown_2019": SHARED / "Bannach-Brown_2019.csv",
    **{
        name: SHARED / "cohen_2006" / f"{name}.csv"
        for name in (
            "ADHD",
            "Antihistamines",
            "Estrogens",
            "NSAIDS",
            "OralHypoglycemics",
            "Triptans",
            "UrinaryIncontinence",
        )
    },
}
QUOTED = {"Nagtegaal_2019": 0.725, "Bannach-Brown_2019": 0.416, "ADHD": 0.539, "Triptans": 0.616}
"""ASReview WSS@95 with one seed, as issue 16 quotes them (used only when asreview is absent)."""
LABEL = "label_included"
SEEDS = int(os.environ.get("BENCH_RANKING_SEEDS", "5"))


def _asreview() -> str:
    """The asreview command installed beside this Python (the bench extra), else on PATH."""
    beside = Path(sys.executable).parent / "asreview"
    return str(beside) if beside.exists() else shutil.which("asreview") or "asreview"


def _labels(path: Path) -> list[bool]:
    with open(path, encoding="utf-8") as handle:
        return [row[LABEL].strip() == "1" for row in csv.DictReader(handle)]


def screener_run(name: str, seed: int) -> dict:
    from screener.flows.simulate import read_labelled
    from screener.screening.ranking import Features, RankingSettings
    from screener.screening.simulation import simulate

    data = read_labelled(SETS[name], LABEL)
    features = Features(RankingSettings())
    features.add(list(range(len(data.labels))), data.texts)
    started = time.perf_counter()
    run = simulate(features, data.labels, seed=seed)
    return {
        "name": name,
        "seed": seed,
        "wss95": run.metrics.wss95,
        "rrf10": run.metrics.rrf10,
        "stop_at": run.stop_at,
        "stop_recall": run.stop_recall,
        "priors": run.priors,
        "seconds": time.perf_counter() - started,
        "records": len(data.labels),
    }


def asreview_run(name: str, seed: int) -> dict:
    from screener.screening.simulation import metrics, pick_priors

    labels = _labels(SETS[name])
    priors = pick_priors(labels, 1, 1, seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "run.asreview"
        subprocess.run(
            [
                _asreview(),
                "simulate",
                str(SETS[name]),
                "--prior-idx",
                *map(str, priors),
                "--seed",
                str(seed),
                "-o",
                str(project),
            ],
            check=True,
            capture_output=True,
        )
        with zipfile.ZipFile(project) as archive:
            archive.extract("results.db", folder)
        connection = sqlite3.connect(Path(folder) / "results.db")
        screened = [
            bool(r[0]) for r in connection.execute("SELECT label FROM results ORDER BY rowid")
        ]
        connection.close()
    # asreview stops once every relevant record is found: the rest are irrelevant, in any order
    order_labels = screened + [False] * (len(labels) - len(screened))
    found = metrics(list(range(len(order_labels))), order_labels, 2)
    return {
        "name": name,
        "seed": seed,
        "wss95": found.wss95,
        "rrf10": found.rrf10,
        "seconds": time.perf_counter() - started,
    }


def asreview_available() -> str | None:
    """None when ``asreview`` 3.0.8 runs here, else why not."""
    try:
        out = subprocess.run([_asreview(), "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        return (
            f"asreview does not run here ({exc}); install the bench extra: pip install -e "
            "'.[bench]'"
        )
    if "3.0.8" not in out.stdout + out.stderr:
        return f"asreview here is {out.stdout.strip()}, not 3.0.8"
    return None


def quality() -> bool:
    names = [n for n in os.environ.get("BENCH_RANKING_SETS", ",".join(SETS)).split(",") if n]
    missing = [n for n in names if not SETS[n].exists()]
    if missing:
        print(f"skipped ranking quality: ../shared is absent ({', '.join(missing)})")
        return True
    why_not = asreview_available()
    jobs = [("screener", n, s) for n in names for s in range(1, SEEDS + 1)]
    if why_not is None:
        jobs += [("asreview", n, s) for n in names for s in range(1, SEEDS + 1)]
    else:
        print(f"ASReview not run: {why_not}; its figures below are the issue's, quoted (1 seed)")
    results: dict[tuple[str, str], list[dict]] = {}
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [
            (tool, pool.submit(screener_run if tool == "screener" else asreview_run, n, s))
            for tool, n, s in jobs
        ]
        for tool, future in futures:
            found = future.result()
            results.setdefault((tool, found["name"]), []).append(found)
    print(
        f"{len(jobs)} simulations in {time.perf_counter() - started:.0f} s "
        f"({SEEDS} seeds, priors 1 include + 1 exclude, label {LABEL})"
    )
    print(
        f"{'set':<20} {'records':>7} {'WSS@95 screener':>16} {'ASReview':>9} "
        f"{'RRF@10 screener':>16} {'ASReview':>9} {'stop: recall>=95%':>18} "
        f"{'screened at stop':>17}"
    )
    ok = True
    stops, reached = 0, 0
    for name in names:
        mine = results[("screener", name)]
        theirs = results.get(("asreview", name))
        wss = statistics.fmean(r["wss95"] for r in mine)
        rrf = statistics.fmean(r["rrf10"] for r in mine)
        if theirs:
            their_wss = f"{statistics.fmean(r['wss95'] for r in theirs):9.3f}"
            their_rrf = f"{statistics.fmean(r['rrf10'] for r in theirs):9.3f}"
            ok &= wss >= statistics.fmean(r["wss95"] for r in theirs) - 1e-9
        else:
            their_wss = f"{QUOTED[name]:8.3f}q" if name in QUOTED else f"{'—':>9}"
            their_rrf = f"{'—':>9}"
        hits = sum(1 for r in mine if r["stop_recall"] is not None and r["stop_recall"] >= 0.95)
        stops += len(mine)
        reached += hits
        at = [r["stop_at"] / r["records"] for r in mine if r["stop_at"] is not None]
        where = f"{100 * statistics.fmean(at):.0f}% of records" if at else "never"
        print(
            f"{name:<20} {mine[0]['records']:>7,} {wss:16.3f} {their_wss} {rrf:16.3f} "
            f"{their_rrf} {f'{hits}/{len(mine)}':>18} {where:>17}"
        )
    share = reached / stops if stops else math.nan
    print(
        f"stopping rule reached 95% recall in {reached} of {stops} runs ({100 * share:.0f}%; "
        "target: at least 95%)"
    )
    print(
        "targets: mean WSS@95 at least ASReview's on every set"
        + ("" if why_not is None else " (not checked: ASReview not run)")
    )
    return ok and share >= 0.95


def retraining() -> None:
    """Retrain at 100,000 records in a child process, measured (see the module docstring)."""
    from _procs import run_measured

    with tempfile.TemporaryDirectory() as folder:
        source = os.environ.get("BENCH_SCREENING_DB")
        path = Path(folder) / "bench.db"
        if source:
            shutil.copy(source, path)
        else:
            from bench_screening import make_review

            print("building the 100,000-record review (set BENCH_SCREENING_DB to reuse one) …")
            path = make_review(Path(folder))
        measured = run_measured([sys.executable, __file__, "--retrain", str(path)])
    figures = json.loads(measured["stdout"])
    print(f"retraining at {figures['records']:,} records, {figures['labels']:,} decisions:")
    print(f"  features built once (in the ranking process): {figures['features_s']:.1f} s")
    print(
        f"  each retraining after that (train + score + store), median of 3: "
        f"{figures['retrain_s']:.2f} s (target < 2 s)"
    )
    print(
        f"  peak memory of the ranking process: {measured['largest_process_mb']:.0f} MB "
        "(target < 500 MB)"
    )


def _retrain_child(path: str) -> None:
    import random

    from screener.flows.ranking import FeatureCache, retrain
    from screener.flows.screening import record_decisions
    from screener.model import Stage
    from screener.project import Project

    with Project.open(path) as project:
        ids = project.screening_queue("title_abstract", "bench", "undecided", limit=1000)
        rng = random.Random(16)
        record_decisions(
            project.db,
            [(i, "include" if rng.random() < 0.1 else "exclude", None) for i in ids],
            Stage.TITLE_ABSTRACT,
            "bench",
        )
        cache = FeatureCache()
        started = time.perf_counter()
        features = cache.features(project.db)
        built = time.perf_counter() - started
        times = []
        for _ in range(3):
            started = time.perf_counter()
            retrain(project.db, "bench", cache=cache, force=True)
            times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "records": len(features),
                "labels": len(ids),
                "features_s": built,
                "retrain_s": statistics.median(times),
            }
        )
    )


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--retrain":
        _retrain_child(sys.argv[2])
        return 0
    ok = quality()
    if not os.environ.get("BENCH_RANKING_SKIP_100K"):
        retraining()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
