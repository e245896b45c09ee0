"""Import throughput and peak memory: 100,000 records into a new review, one subprocess per run.

Run with ``make bench`` (or ``python bench/bench_import.py [N]``). Each format writes a file of N
records made by replicating real fixture records with new ids, then a fresh Python process
imports it through the façade, with worker processes as a user gets them and in one process for
comparison; peak RSS is that of all the processes together (bench/_procs.py).
Targets (issue 3): at least 5,000 records/s and under 300 MB peak, for any file size.

To add a format, append ``(label, format key, writer)`` to :data:`FORMATS`; a writer takes
(path, n) and writes n records.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from _procs import run_measured  # noqa: E402

DATA = REPO / "tests" / "data" / "sources"
N_DEFAULT = 100_000
TARGET_RATE = 5_000
TARGET_MB = 300


def ris_templates() -> list[str]:
    """Whole RIS records (TY .. ER) from the fixtures copied into tests/data/sources."""
    records = []
    # Typical database records (3-4 KB with abstract and keywords). Scopus exports with whole
    # reference lists (30 KB a record) are left out: they measure disk bandwidth, not parsing.
    for name in (
        "embase/embase_com.ris",
        "ris/proquest.ris",
        "ris/pubmed_via_endnote.ris",
        "scopus/scopus_jabref.ris",
        "wos/wos_ris_export.ris",
        "ovid/ovid_psycinfo.ris",
    ):
        text = (DATA / name).read_text(encoding="utf-8-sig")
        records += [m.group(0) for m in re.finditer(r"^TY  - .*?^ER  -[^\n]*", text, re.M | re.S)]
    return records


def write_ris(path: Path, n: int) -> None:
    templates = ris_templates()
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            record = templates[i % len(templates)]
            # New ids so no two records are the same: accession, DOI and title suffix.
            record = re.sub(r"^(AN|ID|U2)  - .*$", rf"\1  - bench-{i}", record, flags=re.M)
            record = re.sub(r"^DO  - .*$", f"DO  - 10.99999/bench.{i}", record, flags=re.M)
            out.write(record.replace("\nER  -", f"\nN1  - bench copy {i}\nER  -", 1) + "\n\n")


# (label, format key, writer). The PubMed XML half of the issue-3 benchmark (efetch records
# replicated with new PMIDs, beside Bio.Entrez.read) lives in bench_import_pubmed.py (issue 4);
# another format needs only a writer here.
FORMATS: list[tuple[str, str, Callable[[Path, int], None]]] = [
    ("RIS", "ris", write_ris),
]


def child(review: str, export: str, workers: str) -> None:
    """Run in the subprocess: import ``export`` into the new review, print counts and times."""
    import resource

    from screener.project import Project

    # What the process holds before the import starts: Python and the screener modules.
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with Project.create(review, title="benchmark") as project:
        started = time.perf_counter()
        result = project.import_file(export, workers=None if workers == "auto" else int(workers))
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"records": result.count_imported, "seconds": seconds, "baseline_mb": baseline_mb}
        )
    )


def measure(export: Path, workdir: Path, workers: str) -> dict[str, float]:
    """records, seconds, tree_cpu, baseline_mb, tree_peak_mb and largest_process_mb of importing
    ``export`` in a fresh process (``workers``: "auto" as a user gets it, or a number)."""
    review = workdir / f"{export.stem}-{workers}.db"
    run = run_measured([sys.executable, __file__, "--child", str(review), str(export), workers])
    if run["returncode"] != 0:
        raise SystemExit(f"import of {export.name} failed (exit {run['returncode']})")
    return {**json.loads(run["stdout"]), **run}


def main(n: int) -> int:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for label, key, writer in FORMATS:
            export = workdir / f"bench.{key}"
            writer(export, n)
            size_mb = export.stat().st_size / 1e6
            for workers, how in (
                ("auto", "as shipped (worker processes)"),
                ("0", "one process, for comparison"),
            ):
                run = measure(export, workdir, workers)
                rate = run["records"] / run["seconds"]
                ok = rate >= TARGET_RATE and run["tree_peak_mb"] < TARGET_MB
                if workers == "auto":
                    failed |= not ok
                print(
                    f"{label:5s} {how}: {run['records']:,.0f} records ({size_mb:,.0f} MB) in "
                    f"{run['seconds']:.1f} s"
                    f" = {rate:,.0f} records/s; CPU {run['tree_cpu']:.1f} s; peak RSS "
                    f"{run['tree_peak_mb']:,.0f} MB"
                    f" all processes together (largest one {run['largest_process_mb']:,.0f} MB; "
                    f"{run['baseline_mb']:,.0f} MB before the import started)"
                    + (
                        f" [target >= {TARGET_RATE:,}/s, < {TARGET_MB} MB: "
                        f"{'met' if ok else 'MISSED'}]"
                        if workers == "auto"
                        else ""
                    ),
                    flush=True,
                )
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else N_DEFAULT))
