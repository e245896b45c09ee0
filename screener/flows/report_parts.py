"""The sections of the review report, gathered from the review and the stages that own them.

Kappa comes from :mod:`screener.flows.screening`; forest, funnel and risk-of-bias plots from
the pooling and extraction stages when they offer them, else from the simple ones in
:mod:`screener.report.figures`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from screener.errors import ScreenerError
from screener.model import Review
from screener.prisma.counts import PrismaCounts
from screener.prisma.diagram import render_image, render_svg
from screener.prisma.text import count_rows
from screener.report import analyses as view
from screener.report import figures
from screener.report.model import AnalysisSection, Figure, ReportData, Table
from screener.storage import prisma as store

__all__ = ["build_report"]

_RATIO = {"OR", "RR", "ROM", "IRR", "HR", "PETO", "CVR", "VR"}
_CRITERIA = (
    ("question", "Review question"),
    ("population", "Population"),
    ("intervention", "Intervention"),
    ("comparator", "Comparator"),
    ("outcomes", "Outcomes"),
    ("study_designs", "Study designs"),
    ("inclusion_criteria", "Inclusion criteria"),
    ("exclusion_criteria", "Exclusion criteria"),
    ("protocol_id", "Protocol registration"),
)


def _criteria(review: Review) -> Table:
    rows = [
        (label, getattr(review, key)) for key, label in _CRITERIA if getattr(review, key).strip()
    ]
    if not rows:
        return Table(("item", "text"))
    rows += [
        (
            "Reviewers per record (title/abstract, full text)",
            f"{review.reviewers_title_abstract}, {review.reviewers_full_text}",
        )
    ]
    if review.exclusion_reasons:
        rows.append(("Exclusion reasons", "; ".join(review.exclusion_reasons)))
    return Table(("item", "text"), tuple(rows))


def _search_log(db: sqlite_utils.Database) -> tuple[Table, tuple[tuple[str, str], ...]]:
    rows, strategies, seen = [], [], set()
    for i, run in enumerate(store.search_log(db), start=1):
        details = []
        if run.kind == "search":
            details.append(f"search run, {run.status}; {run.count_new:,} new records")
            if run.date_from or run.date_to:
                details.append(f"dates {run.date_from or '…'} to {run.date_to or '…'}")
            if run.earlier:
                details.append(f"{run.earlier:,} identified by earlier runs of this strategy")
        else:
            details.append(f"file {run.file_name}")
            if run.earlier:
                details.append("the same file as an earlier import: not identified again")
            if not run.date_is_search:
                details.append("date searched not recorded: the date shown is the import's")
        if run.count_reported is not None:
            details.append(f"database reported {run.count_reported:,}")
        rows.append(
            (
                str(i),
                run.database,
                run.method,
                (run.date or "")[:10],
                run.query_name or ("(strategy below)" if run.query_text else "not recorded"),
                f"{run.count:,}",
                f"{run.identified:,}",
                "; ".join(details),
            )
        )
        key = (run.database, run.query_text.strip())
        if key[1] and key not in seen:
            seen.add(key)
            strategies.append(
                (f"Strategy for {run.database}: {run.query_name or 'search'}", key[1])
            )
    # "identified" is what PRISMA counts: per source, the column sums to the diagram's number.
    table = Table(
        ("#", "source", "method", "date", "strategy", "records", "identified", "details"),
        tuple(rows),
    )
    return table, tuple(strategies)


def _agreement(db: sqlite_utils.Database) -> Table:
    from screener.flows.screening import agreement

    rows = []
    for pair in agreement(db):
        k = pair.kappa
        kappa = "—" if k.kappa is None else f"{k.kappa:.2f} ({k.ci_low:.2f} to {k.ci_high:.2f})"
        stage = {"title_abstract": "title/abstract", "full_text": "full text"}.get(
            pair.stage, pair.stage
        )
        rows.append(
            (
                stage,
                f"{pair.reviewer_a} vs {pair.reviewer_b}",
                str(pair.n),
                str(pair.both_include),
                str(pair.a_include_b_exclude),
                str(pair.a_exclude_b_include),
                str(pair.both_exclude),
                f"{k.percent_agreement:.1f}",
                kappa,
            )
        )
    return Table(
        (
            "stage",
            "reviewers",
            "records both decided",
            "both include",
            "only first includes",
            "only second includes",
            "both exclude",
            "agreement (%)",
            "Cohen's kappa (95% CI)",
        ),
        tuple(rows),
    )


def _agreed(values: list[dict[str, Any]], value_key: str) -> str:
    """The consensus value, else the one value, else each reviewer's, side by side."""
    consensus = [v for v in values if v["role"] == "consensus"]
    if consensus:
        return str(consensus[-1][value_key])
    distinct = list(dict.fromkeys(str(v[value_key]) for v in values))
    if len(distinct) == 1:
        return distinct[0]
    return " / ".join(f"{v['reviewer']}: {v[value_key]}" for v in values)


def _studies(db: sqlite_utils.Database) -> Table:
    studies, values = store.study_rows(db)
    if not studies:
        return Table(("study",))
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    order: dict[str, tuple[float, str]] = {}
    for v in values:
        grouped[(v["study_id"], v["field"])].append(v)
        order.setdefault(
            v["field"],
            (v["position"] if v["position"] is not None else 1e9, v["label"] or v["field"]),
        )
    fields = sorted(order, key=lambda f: (order[f][0], f))
    rows = []
    for s in studies:
        cells = [
            _agreed(grouped[(s["id"], f)], "value") if (s["id"], f) in grouped else "—"
            for f in fields
        ]
        rows.append((s["name"], "; ".join(s["reports"]) or "—", *cells))
    return Table(("study", "reports", *(order[f][1] for f in fields)), tuple(rows))


def _rob_from_extraction(
    db: sqlite_utils.Database, tool: str
) -> tuple[Table, Figure | None] | None:
    """The extraction stage's summary and traffic-light plot of a tool it knows, else None."""
    try:
        from screener.extraction.rob_plot import traffic_light
        from screener.flows.extraction import rob_summary
    except ImportError:
        return None
    try:
        summary = rob_summary(db, tool)
    except ScreenerError:
        return None  # a tool the extraction stage does not know
    if not summary.rows:
        return None
    domains = [d.label for d in summary.tool.domains]
    rows = tuple(
        (r.study, r.outcome or "all", *(c or "—" for c in r.cells), r.overall or "—", r.source)
        for r in summary.rows
    )
    svg = traffic_light(summary, fmt="svg").decode("utf-8")
    figure = Figure(
        f"rob-{_slug(tool)}",
        f"Risk of bias: {summary.tool.name}",
        svg[svg.index("<svg") :],
        traffic_light(summary, fmt="png"),
    )
    return Table(("study", "outcome", *domains, "overall", "from"), rows), figure


def _rob(db: sqlite_utils.Database) -> tuple[tuple[tuple[str, Table], ...], tuple[Figure, ...]]:
    rows = store.rob_rows(db)
    by_tool: dict[str, dict[tuple[str, str], dict[str, list[dict[str, Any]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    domains: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by_tool[r["tool"]][(r["study"], r["outcome"])][r["domain"]].append(r)
        if r["domain"] not in domains[r["tool"]]:
            domains[r["tool"]].append(r["domain"])
    tables, figs = [], []
    for tool, studies in by_tool.items():
        known = _rob_from_extraction(db, tool)
        if known is not None:
            tables.append((tool, known[0]))
            figs += [known[1]] if known[1] is not None else []
            continue
        table_rows, per_domain = [], defaultdict(list)
        for (study, outcome), cells in studies.items():
            judged = {
                d: _agreed(cells[d], "judgement") if d in cells else "—" for d in domains[tool]
            }
            table_rows.append((study, outcome or "all", *judged.values()))
            for d, j in judged.items():
                if j != "—" and " / " not in j:
                    per_domain[d].append(j)
        tables.append((tool, Table(("study", "outcome", *domains[tool]), tuple(table_rows))))
        if per_domain:
            figs.append(
                Figure(
                    f"rob-{_slug(tool)}",
                    f"Risk of bias ({tool}): judgements per domain",
                    figures.rob_summary_svg(tool, per_domain),
                )
            )
    return tuple(tables), tuple(figs)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "x"


def _refit(a: dict[str, Any], labels: list[str], yi: list[float], vi: list[float]) -> Any:
    """The saved analysis refitted by the pooling engine, or None when that is not possible or
    does not give the saved estimate (a plot must show the numbers the report prints)."""
    try:
        from screener.pooling import rma, rma_mh, rma_peto
    except ImportError:
        return None
    s, r = a["settings"], a["results"]
    measure = str(s.get("measure") or r.get("measure") or "GEN").upper()
    method = str(s.get("method") or r.get("method") or "REML").upper()
    level = s.get("level") or r.get("level") or 95
    try:
        if method in ("MH", "PETO"):
            rows = view.data_rows(s, r)
            if not rows or not all(k in rows[0] for k in ("ai", "bi", "ci", "di")):
                return None
            data = {k: [row[k] for row in rows] for k in ("ai", "bi", "ci", "di")}
            fit = (
                rma_mh(data, measure=measure, level=level, labels=labels)
                if method == "MH"
                else rma_peto(data, level=level, labels=labels)
            )
        else:
            fit = rma(
                yi,
                vi,
                method=method,
                test=str(s.get("test") or r.get("test") or "z"),
                level=level,
                measure=None if measure == "GEN" else measure,
                labels=labels,
            )
    except (ScreenerError, ValueError, ArithmeticError):
        return None
    saved = r.get("estimate")
    if not isinstance(saved, (int, float)) or not math.isclose(
        fit.estimate, saved, rel_tol=1e-6, abs_tol=1e-9
    ):
        return None
    return fit


def _svg_png(fig: Any) -> tuple[str, bytes]:
    """A matplotlib figure as SVG text and PNG bytes, then closed."""
    import matplotlib.pyplot as plt

    from screener.files import figure_bytes

    try:
        return figures.figure_svg(fig), figure_bytes(fig, "png", dpi=150, tight=True)
    finally:
        plt.close(fig)


def _engine_plots(
    a: dict[str, Any], fit: Any
) -> tuple[tuple[str, bytes], tuple[str, bytes]] | None:
    try:
        from screener.pooling.plots import forest_plot, funnel_plot
    except ImportError:
        return None
    try:
        return (
            _svg_png(forest_plot(fit, title=a["name"], favours=_favours(a["settings"]))),
            _svg_png(funnel_plot(fit, title=a["name"])),
        )
    except (ScreenerError, ValueError, ArithmeticError):
        return None


def _favours(settings: dict[str, Any]) -> tuple[str, str] | None:
    """The favours labels saved with an analysis (screener pool --favours), if any."""
    value = settings.get("favours")
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return value[0], value[1]
    return None


def _analysis_figures(a: dict[str, Any]) -> tuple[tuple[Figure, ...], tuple[str, ...]]:
    s, r = a["settings"], a["results"]
    arrays = view.study_arrays(r)
    if arrays is None:
        return (), ("No per-study data saved with this analysis, so no forest or funnel plot.",)
    labels, yi, vi = arrays
    fit = _refit(a, labels, yi, vi)
    drawn = _engine_plots(a, fit) if fit is not None else None
    if drawn is not None:
        (forest, forest_png), (funnel, funnel_png) = drawn
        note = "Forest and funnel plots drawn by the pooling engine (refitted: same estimate)."
    else:
        measure = str(s.get("measure") or r.get("measure") or "").upper()
        xlabel = measure or "Effect size"
        forest = figures.forest_svg(
            labels,
            yi,
            vi,
            estimate=r.get("estimate"),
            ci_lb=r.get("ci_lb"),
            ci_ub=r.get("ci_ub"),
            heterogeneity=view.heterogeneity_line(r),
            exp=measure in _RATIO,
            xlabel=xlabel,
            favours=_favours(s),
        )
        funnel = figures.funnel_svg(yi, vi, estimate=r.get("estimate"), xlabel=xlabel)
        forest_png = funnel_png = b""
        note = "Simple forest and funnel plots from the saved per-study effects (95% CIs)."
    aid = a["id"]
    return (
        Figure(f"analysis-{aid}-forest", f"Forest plot: {a['name']}", forest, forest_png),
        Figure(f"analysis-{aid}-funnel", f"Funnel plot: {a['name']}", funnel, funnel_png),
    ), (note,)


def _analyses(rows: list[dict[str, Any]]) -> tuple[AnalysisSection, ...]:
    out = []
    for a in rows:
        s, r = a["settings"], a["results"]
        level = s.get("level") or r.get("level") or 95
        level = level * 100 if isinstance(level, float) and level < 1 else level
        figs, notes = _analysis_figures(a)
        out.append(
            AnalysisSection(
                id=a["id"],
                name=a["name"],
                outcome=a["outcome"],
                settings=view.settings_table(s),
                results=view.result_table(r, level=level),
                heterogeneity=view.heterogeneity_line(r),
                small_study=view.small_study_lines(r),
                subgroups=view.subgroup_table(r),
                figures=figs,
                notes=notes,
            )
        )
    return tuple(out)


def _prisma_table(counts: PrismaCounts) -> Table:
    rows = [
        (f"– {label.strip()}" if label.startswith(" ") else label, f"{n:,}")
        for label, n in count_rows(counts)
    ]
    return Table(("box", "n"), tuple(rows))


def screening_methods(db: sqlite_utils.Database) -> tuple[str, ...]:
    """The methods text on prioritised screening and the stopping rule, when they were used."""
    from screener.flows.stopping import methods_text

    return methods_text(db)


def _final_outcomes(db: sqlite_utils.Database) -> tuple[dict[int, Any], dict[int, dict[str, Any]]]:
    """Each screened report's outcome, and its bibliographic row, by record id."""
    from screener.prisma.counts import outcomes

    units = store.unit_of_records(db)
    final = outcomes(store.load_inputs(db, units))
    return final, {r["id"]: r for r in store.screened_rows(db, units)}


def _cite(row: dict[str, Any]) -> str:
    first = (row.get("authors") or [""])[0].split(",")[0]
    return " ".join(str(p) for p in (first, row.get("year") or "") if p) or f"record {row['id']}"


def _exclusions(final: dict[int, Any], rows: dict[int, dict[str, Any]]) -> Table:
    """Reports excluded at full text, with the reason (PRISMA 2020 item 16b)."""
    out = []
    for record_id, outcome in final.items():
        if outcome.status == "excluded" and outcome.stage == "full_text":
            row = rows.get(record_id, {"id": record_id})
            out.append(
                (
                    _cite(row),
                    row.get("title") or "",
                    outcome.reason or "no reason recorded",
                    str(record_id),
                )
            )
    out.sort(key=lambda r: (r[0].lower(), r[1].lower()))
    return Table(("report", "title", "reason for exclusion", "record"), tuple(out))


def _references(db: sqlite_utils.Database, final: dict[int, Any]) -> tuple[str, ...]:
    """The included reports, formatted in the bundled Vancouver style, by first author and year."""
    from screener.report.references import format_references
    from screener.storage.records import get_record

    records = [get_record(db, i) for i, o in final.items() if o.status == "included"]
    records.sort(key=lambda r: (r.first_author.lower(), r.year or 0, r.title.lower()))
    return format_references(records)


def _flags(db: sqlite_utils.Database) -> Table:
    """``screener check``'s flags: the extraction checks and studies no included report supports."""
    from screener.flows.extraction import consistency_checks
    from screener.flows.studies import study_flags

    rows = [
        (
            f.study,
            " · ".join(p for p in (f.outcome, f.timepoint, f.subgroup) if p) or "—",
            f.kind,
            f.explanation,
        )
        for f in [*consistency_checks(db), *study_flags(db)]
    ]
    return Table(("study", "outcome", "check", "explanation"), tuple(rows))


def build_report(
    db: sqlite_utils.Database,
    review: Review,
    counts: PrismaCounts,
    analyses: list[dict[str, Any]],
    files: tuple[tuple[str, str], ...],
    *,
    summary_of_findings: tuple[tuple[str, Table], ...] = (),
) -> ReportData:
    """Every section of the report (figures drawn, tables filled).

    ``summary_of_findings``: the GRADE summary-of-findings tables, one per outcome, when the
    review has GRADE judgements; the section says it has none otherwise."""
    from screener.flows.report_methods import methods_facts
    from screener.report.methods import methods_sections

    search, strategies = _search_log(db)
    rob_tables, rob_figures = _rob(db)
    final, rows = _final_outcomes(db)
    screening = screening_methods(db)
    facts = methods_facts(db, review, analyses, screening, certainty=bool(summary_of_findings))
    return ReportData(
        title=review.title,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        criteria=_criteria(review),
        search_log=search,
        search_strategies=strategies,
        prisma=Figure(
            "prisma", "PRISMA 2020 flow diagram", render_svg(counts), render_image(counts, "png")
        ),
        prisma_table=_prisma_table(counts),
        prisma_discrepancies=tuple(d.message for d in counts.discrepancies),
        prisma_notes=counts.notes,
        agreement=_agreement(db),
        studies=_studies(db),
        rob_tables=rob_tables,
        rob_figures=rob_figures,
        analyses=_analyses(analyses),
        files=files,
        screening_methods=screening,
        methods=methods_sections(facts),
        exclusions=_exclusions(final, rows),
        references=_references(db, final),
        flags=_flags(db),
        summary_of_findings=summary_of_findings,
    )
