"""PRISMA counts and diagram, the review report, and the RIS / decisions exports.

Orchestration only: SQL is in :mod:`screener.storage.prisma`, the counting rules in
:mod:`screener.prisma`, the layout of the report in :mod:`screener.report`. The report's parts
that belong to other stages (kappa, forest and funnel plots, the risk-of-bias plot) come from
those stages when they offer them (:mod:`screener.flows.report_parts`). Every file is written
through :mod:`screener.files` (all or nothing, never over a database); the report folder is
built beside its place and renamed into it.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from screener.errors import ScreenerError
from screener.files import output_folder, write_file
from screener.prisma.counts import PrismaCounts, ReportOutcome, compute_counts, outcomes
from screener.prisma.diagram import format_for, render
from screener.report.exports import (
    decision_line,
    decisions_csv_header,
    ris_entry,
    ris_text,
    write_decision_rows,
)
from screener.storage import prisma as store
from screener.storage.db import transaction
from screener.storage.review import load_review

__all__ = [
    "export_decisions",
    "export_ris",
    "prisma_counts",
    "set_prisma_count",
    "write_prisma",
    "write_report",
]

Progress = Callable[[int, int | None], None]
WHICH = ("included", "excluded", "all")


def prisma_counts(db: sqlite_utils.Database) -> PrismaCounts:
    """Every count of the PRISMA 2020 diagram, from the review's tables."""
    return compute_counts(store.load_inputs(db))


def set_prisma_count(
    db: sqlite_utils.Database, key: str, value: int | None, note: str = ""
) -> None:
    with transaction(db):
        store.set_prisma_count(db, key, value, note)


def write_prisma(db: sqlite_utils.Database, path: str | Path, fmt: str | None = None) -> Path:
    """Write the diagram (svg, png, pdf) or its data (csv template, json, txt) to ``path``."""
    data = render(prisma_counts(db), format_for(path, fmt))
    return write_file(path, data)


# --- exports -----------------------------------------------------------------------------------
def _check_blind(db: sqlite_utils.Database, as_reviewer: str | None, unblind: bool) -> bool:
    """Whether to hide other reviewers' decisions; refuses a blind export for nobody."""
    if not load_review(db).blind:
        return False
    if as_reviewer is None and not unblind:
        raise ScreenerError(
            "this review is blind: export as a reviewer (--reviewer NAME) or give --unblind"
        )
    return as_reviewer is not None and not unblind


def _decisions_by_unit(
    db: sqlite_utils.Database, unit_of: dict[int, int]
) -> dict[int, list[dict[str, Any]]]:
    """Decisions, resolutions and not-retrieved marks (role "retrieval") per screened unit."""
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in [*store.decision_rows(db), *store.retrieval_rows(db)]:
        row["screened_record_id"] = unit_of[row["record_id"]]
        by_unit[row["screened_record_id"]].append(row)
    return by_unit


def _visible(
    rows: list[dict[str, Any]], reviewer: str | None
) -> tuple[list[dict[str, Any]], set[str]]:
    """Rows ``reviewer`` may see in a blind review (others' only where they decided too; a
    full text not retrieved is no reviewer's decision and always shown)."""
    if reviewer is None:
        return rows, {"title_abstract", "full_text"}
    mine = {r["stage"] for r in rows if r["role"] == "reviewer" and r["reviewer"] == reviewer}
    return [r for r in rows if r["stage"] in mine or r["role"] == "retrieval"], mine


def _status(outcome: ReportOutcome | None, stages: set[str]) -> str:
    if outcome is None:
        return "not screened (a duplicate)"
    # the stage that settled the record must be one the reviewer has decided too; retrieval is
    # not a reviewer's decision
    needed = set() if outcome.not_retrieved else {outcome.stage}
    if not needed <= stages:
        return "not shown (blind review)"
    return outcome.describe()


def _selected(outcome: ReportOutcome | None, status: str, which: str) -> bool:
    if which == "all":
        return True
    if outcome is None or status == "not shown (blind review)":
        return False
    return outcome.status == which


def export_ris(
    db: sqlite_utils.Database,
    path: str | Path | None,
    *,
    which: str = "included",
    as_reviewer: str | None = None,
    unblind: bool = False,
    progress: Progress | None = None,
) -> tuple[int, str]:
    """Screened records as RIS with their status and decisions in N1 notes.

    ``which``: included (final full-text include), excluded (final exclusion at either stage)
    or all. Returns (records written, RIS text); the text is also written to ``path`` if given.
    """
    if which not in WHICH:
        raise ScreenerError(f"--which must be one of {', '.join(WHICH)}, not {which!r}")
    hide = _check_blind(db, as_reviewer, unblind)
    units = store.unit_of_records(db)
    final = outcomes(store.load_inputs(db, units))
    by_unit = _decisions_by_unit(db, units[0])
    rows = store.screened_rows(db, units)
    entries = []
    for done, record in enumerate(rows, start=1):
        visible, stages = _visible(by_unit.get(record["id"], []), as_reviewer if hide else None)
        outcome = final.get(record["id"])
        status = _status(outcome, stages)
        if _selected(outcome, status, which):
            entries.append(ris_entry(record, status, [decision_line(r) for r in visible]))
        if progress is not None and (done % 200 == 0 or done == len(rows)):
            progress(done, len(rows))
    text = ris_text(entries)
    if path is not None:
        write_file(path, text)
    return len(entries), text


def export_decisions(
    db: sqlite_utils.Database,
    path: str | Path | None,
    *,
    as_reviewer: str | None = None,
    unblind: bool = False,
    raw: bool = False,
    progress: Progress | None = None,
) -> tuple[int, str]:
    """Every live decision and resolution, one row each, with the record's final decision; a
    full text marked not retrievable is a row too (role "retrieval", "not retrieved").

    Returns (rows written, CSV text); the text is also written to ``path`` if given. Text
    cells are protected for spreadsheets unless ``raw`` (:func:`screener.files.spreadsheet_cell`).
    """
    hide = _check_blind(db, as_reviewer, unblind)
    units = store.unit_of_records(db)
    final = outcomes(store.load_inputs(db, units))
    by_unit = _decisions_by_unit(db, units[0])
    records = {r["id"]: r for r in store.screened_rows(db, units)}
    buffer = io.StringIO()
    buffer.write(decisions_csv_header())
    count = 0
    unit_ids = sorted(by_unit)
    for done, unit in enumerate(unit_ids, start=1):
        visible, stages = _visible(by_unit[unit], as_reviewer if hide else None)
        record = records.get(unit, {})
        outcome = final.get(unit)
        out = []
        for row in visible:
            stage_final = _stage_final(outcome, row["stage"], stages)
            out.append(
                {
                    **row,
                    "title": record.get("title", ""),
                    "first_author": (record.get("authors") or [""])[0],
                    "year": record.get("year"),
                    "doi": record.get("doi", ""),
                    "pmid": record.get("pmid", ""),
                    "final_decision": stage_final,
                }
            )
        count += write_decision_rows(buffer, out, raw=raw)
        if progress is not None and (done % 200 == 0 or done == len(unit_ids)):
            progress(done, len(unit_ids))
    text = buffer.getvalue()
    if path is not None:
        write_file(path, text)
    return count, text


def _stage_final(outcome: ReportOutcome | None, stage: str, stages: set[str]) -> str:
    if outcome is None:
        return ""
    if stage not in stages:
        return "not shown (blind review)"
    final = outcome.ta if stage == "title_abstract" else outcome.ft
    if final is None:
        return "not retrieved" if outcome.not_retrieved and stage == "full_text" else ""
    return final.exported + (f" ({final.reason})" if final.reason else "")


# --- the report --------------------------------------------------------------------------------
_FILES = (
    ("report.html", "the report, one self-contained page"),
    ("report.docx", "the report as a Word document, for co-authors to edit"),
    ("report.md", "the report in Markdown (figures in figures/)"),
    ("prisma.svg", "the PRISMA 2020 flow diagram"),
    ("prisma.csv", "the PRISMA2020 app's template, filled in"),
    ("results.csv", "pooled estimates of every saved analysis (and subgroup)"),
    ("analysis.R", "reproduces each analysis with metafor: Rscript analysis.R"),
    (
        "analysis.do",
        "reproduces each analysis with Stata's meta suite (metan for Stata 12-15); "
        "untested: no Stata where screener is built",
    ),
)
_PDF = ("report.pdf", "the report as PDF (printed from report.html)")


def write_report(
    db: sqlite_utils.Database,
    directory: str | Path,
    *,
    replace: bool = False,
    raw: bool = False,
    protect: tuple[str | Path, ...] = (),
    pdf: bool = False,
    notes: list[str] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the report and its companions into the folder ``directory``; returns the files
    written (paths inside ``directory``).

    The files are written into a new folder beside ``directory``, renamed into place at the end:
    ``directory`` never holds half a report. An existing non-empty ``directory`` is replaced
    only with ``replace``, and only if it is an earlier report holding no database
    (:func:`screener.files.output_folder`). The CSV files' text cells are protected for
    spreadsheets unless ``raw``; ``protect``: the review file, never deleted nor written over.
    ``pdf``: also print report.pdf when a converter is installed (:mod:`screener.report.pdf`);
    the line saying which converter wrote it, or why none did, is appended to ``notes``.
    """
    from screener.flows.grade import grade_tables
    from screener.flows.report_parts import build_report
    from screener.prisma.template import template_csv
    from screener.report.analyses import data_csv, data_rows, results_csv
    from screener.report.docx import render_docx
    from screener.report.render import render_html, render_markdown
    from screener.report.rscript import data_file, r_script
    from screener.report.stata import do_file, stata_csv, stata_data_file, stata_rows

    folder = Path(directory)
    with output_folder(
        folder, replace=replace, marker=("report.html", "report.md"), protect=protect
    ) as fresh:
        counts = prisma_counts(db)
        analyses = store.analysis_rows(db)
        review = load_review(db)
        data_files = {a["id"]: data_rows(a["settings"], a["results"]) for a in analyses}
        stata_files = {a["id"]: stata_rows(a) for a in analyses}
        files = (
            _FILES
            + ((_PDF,) if pdf else ())
            + tuple(
                (data_file(i), f"per-study data of analysis {i}")
                for i, rows in data_files.items()
                if rows
            )
            + tuple(
                (stata_data_file(i), f"analysis {i}'s data for analysis.do")
                for i, rows in stata_files.items()
                if rows
            )
        )
        graded = grade_tables(db)  # (summary of findings, its footnotes), or ()
        sof = (
            (("GRADE summary of findings, by saved analysis", graded[0]), ("Footnotes", graded[1]))
            if graded
            else ()
        )
        report = build_report(db, review, counts, analyses, files, summary_of_findings=sof)
        outputs: list[tuple[str, str | bytes]] = [
            ("prisma.svg", report.prisma.svg if report.prisma else ""),
            ("prisma.csv", template_csv(counts)),
            ("results.csv", results_csv(analyses, raw=raw)),
            (
                "analysis.R",
                r_script(analyses, title=review.title, when=report.generated_at, raw=raw),
            ),
            ("analysis.do", do_file(analyses, title=review.title, when=report.generated_at)),
        ]
        outputs += [
            (data_file(i), data_csv(rows, raw=raw)) for i, rows in data_files.items() if rows
        ]
        outputs += [
            (stata_data_file(i), stata_csv(rows, raw=raw))
            for i, rows in stata_files.items()
            if rows
        ]
        figures = [*report.rob_figures, *(f for a in report.analyses for f in a.figures)]
        if report.prisma is not None:
            figures.insert(0, report.prisma)
        outputs += [(f"figures/{f.name}.svg", f.svg) for f in figures]
        outputs += [
            ("report.md", render_markdown(report)),
            ("report.docx", render_docx(report)),
            ("report.html", render_html(report)),
        ]
        for done, (name, content) in enumerate(outputs, start=1):
            (fresh / name).parent.mkdir(parents=True, exist_ok=True)
            write_file(fresh / name, content)
            if progress is not None:
                progress(done, len(outputs) + (1 if pdf else 0))
        written = [folder / name for name, _ in outputs]
        if pdf:
            from screener.report.pdf import write_pdf

            said = write_pdf(fresh / "report.html", fresh / "report.docx", fresh / "report.pdf")
            if (fresh / "report.pdf").is_file():
                written.append(folder / "report.pdf")
            if notes is not None:
                notes.append(said)
            if progress is not None:
                progress(len(outputs) + 1, len(outputs) + 1)
    return written
