"""Importing PubMed XML: 100,000 records into a new review, beside Bio.Entrez.read.

The records are the recorded efetch fixtures (tests/data/pubmed) replicated with new PMIDs.
Each measurement runs in its own process so its peak RSS is its own.
Targets: >= 5,000 records/s and < 300 MB peak for the import.

    .venv/bin/python bench/bench_import_pubmed.py [--records N] [--bio-records N]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from _procs import run_measured  # noqa: E402

DATA = REPO / "tests" / "data" / "pubmed"
HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>\n"
)
ARTICLE = re.compile(
    rb"<PubmedArticle>.*?</PubmedArticle>|<PubmedBookArticle>.*?</PubmedBookArticle>", re.S
)
PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")


def templates() -> tuple[list[bytes], list[str]]:
    """The fixtures' articles with the PMID as a placeholder, and the fixtures left out.

    Only articles Bio.Entrez.read can parse are used, so both measurements read the same XML
    (it rejects MathML's unprefixed namespace and some hand-edited JabRef records).
    """
    from io import BytesIO

    from Bio import Entrez

    kept, skipped = [], []
    for fixture in sorted(DATA.glob("efetch_*.xml")):
        for match in ARTICLE.finditer(fixture.read_bytes()):
            article = match.group(0)
            try:
                Entrez.read(BytesIO(HEAD + article + b"</PubmedArticleSet>"), validate=False)
            except Exception:  # noqa: BLE001 - whatever Bio cannot read is left out
                skipped.append(fixture.name)
                continue
            pmid = PMID.search(article).group(1)
            kept.append(article.replace(b">" + pmid + b"<", b">{pmid}<"))
    return kept, sorted(set(skipped))


def write_records(path: Path, count: int, articles: list[bytes]) -> int:
    """Write ``count`` records cycling through ``articles``, each with a new PMID."""
    with open(path, "wb") as handle:
        handle.write(HEAD)
        for i in range(count):
            handle.write(
                articles[i % len(articles)].replace(b"{pmid}", str(20_000_000 + i).encode())
            )
            handle.write(b"\n")
        handle.write(b"</PubmedArticleSet>\n")
    return path.stat().st_size


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_screener(xml: Path, workdir: Path, workers: str) -> dict:
    sys.path.insert(0, str(REPO))
    from screener.project import Project

    with Project.create(workdir / f"bench-{workers}.db", title="bench") as project:
        start = time.perf_counter()
        result = project.import_file(xml, workers=None if workers == "auto" else int(workers))
        seconds = time.perf_counter() - start
    return {"records": result.count_imported, "seconds": seconds}


def measure_biopython(xml: Path) -> dict:
    from Bio import Entrez

    start = time.perf_counter()
    with open(xml, "rb") as handle:
        # validate=False: some fixture records predate the 2025 DTD (DateCreated ...).
        parsed = Entrez.read(handle, validate=False)
    seconds = time.perf_counter() - start
    count = len(parsed["PubmedArticle"]) + len(parsed["PubmedBookArticle"])
    return {"records": count, "seconds": seconds, "peak_mb": peak_mb()}


def child(kind: str, xml: Path, workdir: Path) -> dict:
    """Run one measurement in a fresh process; its figures with the CPU time and peak RSS of
    that process and of the worker processes it starts, together (bench/_procs.py)."""
    run = run_measured([sys.executable, __file__, "--child", kind, str(xml), str(workdir)])
    if run["returncode"] != 0:
        raise SystemExit(f"{kind} run failed (exit {run['returncode']})")
    return {**json.loads(run["stdout"].strip().splitlines()[-1]), **run}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bio-records", type=int, default=20_000)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "XML", "DIR"))
    args = parser.parse_args()
    if args.child:
        kind, xml, workdir = args.child
        measure = (
            measure_biopython(Path(xml))
            if kind == "biopython"
            else measure_screener(Path(xml), Path(workdir), kind.removeprefix("screener-"))
        )
        print(json.dumps(measure))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big, small = folder / "pubmed-big.xml", folder / "pubmed-bio.xml"
        articles, skipped = templates()
        size = write_records(big, args.records, articles)
        write_records(small, args.bio_records, articles)
        ours = child("screener-auto", big, folder)
        alone = child("screener-0", big, folder)
        bio = child("biopython", small, folder)
    ours_rate = ours["records"] / ours["seconds"]
    bio_rate = bio["records"] / bio["seconds"]
    alone_rate = alone["records"] / alone["seconds"]
    print(
        f"PubMed XML import, as shipped (worker processes): {ours['records']:,} records "
        f"({size / 1e6:.0f} MB)"
        f" in {ours['seconds']:.1f} s = {ours_rate:,.0f} records/s [target >= 5,000/s:"
        f" {'met' if ours_rate >= 5000 else 'MISSED'}]; CPU {ours['tree_cpu']:.1f} s; peak RSS"
        f" {ours['tree_peak_mb']:.0f} MB all processes together [target < 300 MB:"
        f" {'met' if ours['tree_peak_mb'] < 300 else 'MISSED'}] (largest one "
        f"{ours['largest_process_mb']:.0f} MB)"
    )
    print(
        f"  in one process, for comparison: {alone['seconds']:.1f} s = {alone_rate:,.0f} records/s;"
        f" CPU {alone['tree_cpu']:.1f} s; peak RSS {alone['tree_peak_mb']:.0f} MB"
    )
    print(
        f"  records: {len(articles)} fixture articles replicated (left out, Bio cannot read them: "
        f"{', '.join(skipped) or 'none'})"
    )
    print(
        f"  reference Bio.Entrez.read (parse only, whole file in memory): {bio['records']:,} "
        "records in "
        f"{bio['seconds']:.1f} s = {bio_rate:,.0f} records/s, peak RSS {bio['tree_peak_mb']:.0f} "
        "MB; the import"
        f" (parse, normalise, store, index) runs at {ours_rate / bio_rate:.1f}x its rate"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
