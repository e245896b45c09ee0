"""Extraction flows: forms, studies, values per extractor, dual-extraction resolution, checks,
the analysis-ready table and risk of bias. Each writer is one transaction: all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import sqlite_utils

from screener.errors import InvalidInputError, ParseError, ScreenerError
from screener.extraction.checks import check_row
from screener.extraction.compare import FinalValues, compare, final_values
from screener.extraction.forms import FieldSpec, Form, OutcomeSpec, data_fields, parse_form
from screener.extraction.rob import OVERALL, RobJudgement, RobSummary, get_tool, summarise
from screener.extraction.table import COLUMNS, export_rows, extra_column, read_table
from screener.extraction.validate import check_value, row_warnings
from screener.extraction.values import (
    Discrepancy,
    ExtractionImport,
    ExtractionValue,
    Flag,
    RowKey,
    Study,
    ValueEntry,
    ValueKey,
)
from screener.files import write_file
from screener.model import Stage
from screener.storage import extraction as store
from screener.storage import review as review_store
from screener.storage import screening as screening_store
from screener.storage.db import transaction

# --- forms ---------------------------------------------------------------------------------------


def builtin_forms() -> list[str]:
    """Names of the forms shipped with screener (``screener/data/forms/NAME.toml``)."""
    folder = resources.files("screener") / "data" / "forms"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_form_text(name: str) -> str:
    if name not in builtin_forms():
        raise InvalidInputError(
            f"no built-in form {name!r}; built-in forms: {', '.join(builtin_forms())}"
        )
    return (resources.files("screener") / "data" / "forms" / f"{name}.toml").read_text(
        encoding="utf-8"
    )


def load_form(
    db: sqlite_utils.Database, *, path: str | Path | None = None, builtin: str | None = None
) -> Form:
    """Read a form (a TOML file or a built-in one), store it and make it the review's form."""
    if (path is None) == (builtin is None):
        raise InvalidInputError("give a form file or the name of a built-in form (not both)")
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise ScreenerError(f"{source}: no such file")
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(
                source.name, f"byte {exc.start}", "a form must be UTF-8 text"
            ) from None
        form = parse_form(text, file_name=source.name)
    else:
        form = parse_form(builtin_form_text(builtin or ""), file_name=f"{builtin}.toml")
    with transaction(db):
        store.save_form(db, form)
    return store.current_form(db) or form


def _field_spec(
    form: Form | None, outcomes: Mapping[str, OutcomeSpec], outcome: str, key: str
) -> FieldSpec:
    if not outcome:
        spec = form.study_field(key) if form else None
        if spec is None:
            known = (
                ", ".join(f.key for f in form.study_fields) if form else "none (load a form first)"
            )
            raise InvalidInputError(
                f"{key!r} is not a study-level field of the form; its fields: {known}"
            )
        return spec
    if outcome not in outcomes:
        raise InvalidInputError(
            f"no outcome named {outcome!r}; the review's outcomes: "
            f"{', '.join(outcomes) or 'none (load a form first)'}"
        )
    specs = {
        f.key: f for f in (*data_fields(outcomes[outcome]), *(form.outcome_fields if form else ()))
    }
    if key not in specs:
        raise InvalidInputError(
            f"{key!r} is not a field of {outcome!r} ({outcomes[outcome].data_type}); "
            f"its fields: {', '.join(specs)}"
        )
    return specs[key]


# --- studies and values ---------------------------------------------------------------------------


def create_study(
    db: sqlite_utils.Database, name: str, *, record_ids: Iterable[int] = (), note: str = ""
) -> Study:
    with transaction(db):
        sid = store.create_study(db, name, note)
        for record_id in record_ids:
            store.link_report(db, sid, record_id)
    return next(s for s in store.list_studies(db) if s.id == sid)


def link_report(db: sqlite_utils.Database, study: str, record_id: int) -> None:
    with transaction(db):
        store.link_report(db, store.study_id(db, study), record_id)


def included_records(db: sqlite_utils.Database) -> list[int]:
    """Records included at full text (by the screening rules), for studies to be made from."""
    review = review_store.load_review(db)
    params = screening_store.outcome_params(
        maybe_counts_as=review.maybe_counts_as,
        needed_title_abstract=review.reviewers_title_abstract,
        needed_full_text=review.reviewers_full_text,
    )
    return screening_store.ids_with_outcome(db, Stage.FULL_TEXT, "include", params)


def save_values(
    db: sqlite_utils.Database,
    study: str,
    reviewer: str,
    entries: Iterable[ValueEntry],
    *,
    role: str = "extractor",
) -> list[str]:
    """Check and save one extractor's values for a study; nothing is saved if any is invalid.
    Returns the cross-field warnings (events > total ...) of the rows touched, flagged not
    blocked."""
    entries = list(entries)
    form, outcomes = store.current_form(db), store.outcomes(db)
    checked = []
    for entry in entries:
        spec = _field_spec(form, outcomes, entry.outcome, entry.field)
        result = check_value(spec, entry.value)
        if not result.ok:
            where = f"{study} · {entry.outcome}" if entry.outcome else study
            raise InvalidInputError(f"{where}: {result.message}")
        checked.append((entry, result.text))
    with transaction(db):
        sid = store.study_id(db, study)
        rid = review_store.reviewer_id(db, reviewer)
        _write(db, sid, rid, role, checked)
    rows = {RowKey(study, e.outcome, e.timepoint, e.subgroup) for e in entries if e.outcome}
    mine = {
        v.key: v.value
        for v in store.load_values(db, study=store.study_id(db, study), reviewer=reviewer)
        if v.role == role
    }
    warnings = []
    for row in sorted(rows):
        values = {k.field: v for k, v in mine.items() if k.row == row}
        warnings += [f"{row.describe()}: {w}" for w in row_warnings(outcomes[row.outcome], values)]
    return warnings


def _write(
    db: sqlite_utils.Database,
    sid: int,
    rid: int,
    role: str,
    checked: Iterable[tuple[ValueEntry, str]],
) -> tuple[int, int]:
    saved = cleared = 0
    ids: dict[str, int] = {}
    for entry, text in checked:
        oid = None
        if entry.outcome:
            oid = ids.get(entry.outcome) or ids.setdefault(
                entry.outcome, store.outcome_id(db, entry.outcome)
            )
        where: dict[str, Any] = dict(
            study=sid,
            outcome=oid,
            timepoint=entry.timepoint.strip() if oid else "",
            subgroup=entry.subgroup.strip() if oid else "",
            field=entry.field,
            reviewer=rid,
            role=role,
        )
        if text or role == "consensus":  # an agreed value may be "empty": kept, not deleted
            store.put_value(
                db,
                **where,
                value=text,
                method=entry.method,
                details=entry.details,
                imputed=entry.imputed,
                note=entry.note,
            )
            saved += 1
        else:
            store.delete_value(db, **where)
            cleared += 1
    return saved, cleared


def values(
    db: sqlite_utils.Database, *, study: str | None = None, reviewer: str | None = None
) -> list[ExtractionValue]:
    return store.load_values(
        db, study=store.study_id(db, study) if study else None, reviewer=reviewer
    )


def extractors(db: sqlite_utils.Database) -> list[str]:
    """Reviewers who have extracted values, in order of their first value."""
    seen: dict[str, None] = {}
    for v in store.load_values(db):
        if v.role == "extractor":
            seen.setdefault(v.reviewer)
    return list(seen)


def compare_extractors(
    db: sqlite_utils.Database, first: str, second: str, *, study: str | None = None
) -> list[Discrepancy]:
    # the names as declared: values carry them so, whatever case they were typed in
    first, second = (review_store.get_reviewer(db, name).name for name in (first, second))
    found = compare(values(db, study=study), first, second)
    agreed = {v.key for v in store.load_values(db) if v.role == "consensus"}
    return [d for d in found if d.key not in agreed]


def resolve(
    db: sqlite_utils.Database,
    key: ValueKey,
    value: str,
    *,
    by: str,
    method: str = "",
    details: Mapping[str, Any] | None = None,
    imputed: bool = False,
    note: str = "",
) -> None:
    """Record the agreed value of one field and who agreed it (role ``consensus``)."""
    save_values(
        db,
        key.study,
        by,
        [
            ValueEntry(
                key.field,
                value,
                key.outcome,
                key.timepoint,
                key.subgroup,
                method,
                dict(details or {}),
                imputed,
                note,
            )
        ],
        role="consensus",
    )


def final(db: sqlite_utils.Database) -> FinalValues:
    return final_values(store.load_values(db))


# --- checks ---------------------------------------------------------------------------------------


def consistency_checks(db: sqlite_utils.Database) -> list[Flag]:
    """Flags on the final values, and on each extractor's own version of rows still in dispute."""
    outcomes = store.outcomes(db)
    result = final(db)
    rows: dict[RowKey, dict[str, str]] = defaultdict(dict)
    for key, v in result.values.items():
        if key.outcome:
            rows[key.row][key.field] = v.value
    variants: dict[tuple[RowKey, str], dict[str, str]] = {}
    for d in result.unresolved:
        for who, value in d.values:
            variants.setdefault((d.key.row, who), dict(rows.get(d.key.row, {})))[d.key.field] = (
                value
            )
    flags: list[Flag] = []
    seen: set[tuple[RowKey, str, str]] = set()
    jobs: list[tuple[RowKey, tuple[str, ...], dict[str, str]]] = [
        (row, (), fields) for row, fields in rows.items()
    ]
    jobs += [(row, (who,), fields) for (row, who), fields in sorted(variants.items())]
    for row, extractors, fields in jobs:
        if not row.outcome or row.outcome not in outcomes:
            continue
        for finding in check_row(outcomes[row.outcome], fields):
            mark = (row, finding.kind, finding.explanation)
            if mark in seen:
                continue
            seen.add(mark)
            flags.append(
                Flag(
                    row.study,
                    row.outcome,
                    row.timepoint,
                    row.subgroup,
                    finding.kind,
                    finding.explanation,
                    extractors,
                )
            )
    order = {s.name: i for i, s in enumerate(store.list_studies(db))}
    return sorted(
        flags, key=lambda f: (order.get(f.study, 0), f.outcome, f.timepoint, f.subgroup, f.kind)
    )


# --- the analysis-ready table ---------------------------------------------------------------------


def extraction_table(
    db: sqlite_utils.Database, *, reviewer: str | None = None, outcome: str | None = None
) -> tuple[list[str], list[dict[str, str]]]:
    """(columns, rows) of the table: final values, or one extractor's with ``reviewer``."""
    if reviewer is not None:
        reviewer = review_store.get_reviewer(db, reviewer).name
        picked = {
            v.key: v.value
            for v in store.load_values(db, reviewer=reviewer)
            if v.role == "extractor"
        }
    else:
        result = final(db)
        if result.unresolved:
            first = result.unresolved[0]
            raise ScreenerError(
                f"{len(result.unresolved)} value(s) differ between extractors and are not resolved "
                f"(first: {first.key.describe()}: "
                + ", ".join(f"{w} {v or '(empty)'}" for w, v in first.values)
                + "); resolve them, or export one extractor's values with --reviewer"
            )
        picked = {k: v.value for k, v in result.values.items()}
    outcomes = store.outcomes(db)
    if outcome is not None:
        if outcome not in outcomes:
            raise InvalidInputError(
                f"no outcome named {outcome!r}; the review's outcomes: {', '.join(outcomes)}"
            )
        picked = {k: v for k, v in picked.items() if not k.outcome or k.outcome == outcome}
    form = store.current_form(db)
    study_fields = [f.key for f in form.study_fields] if form else []
    row_fields = [f.key for f in form.outcome_fields] if form else []
    rows = export_rows(
        picked,
        outcomes,
        [s.name for s in store.list_studies(db)],
        study_fields=study_fields,
        outcome_fields=row_fields,
    )
    if outcome is not None:
        rows = [r for r in rows if r["outcome"] == outcome]
    return [*COLUMNS, *row_fields, *(extra_column(k) for k in study_fields)], rows


def import_table(
    db: sqlite_utils.Database, path: str | Path, *, dry_run: bool = False
) -> ExtractionImport:
    """Read an extraction CSV (the exported shape) as extractor ``csv:FILE``; studies and
    outcomes are created by name. One transaction: a bad cell keeps nothing. ``dry_run``
    reads and checks the file the same way, then says what the import would do and writes
    nothing (not even the reviewer ``csv:FILE``)."""
    source = Path(path)
    if not source.is_file():
        raise ScreenerError(f"{source}: no such file")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(
            source.name, f"byte {exc.start}", "the CSV must be UTF-8 (save it as CSV UTF-8)"
        ) from None
    form = store.current_form(db)
    plan = read_table(
        text,
        file_name=source.name,
        outcomes=store.outcomes(db),
        study_fields=form.study_fields if form else (),
        outcome_fields=form.outcome_fields if form else (),
    )
    if not plan.entries:
        raise ScreenerError(f"{source.name}: no rows found")
    reviewer = f"csv:{source.name}"
    new_links = _check_links(db, source.name, plan.links)
    if dry_run:
        entries = [e for found in plan.entries.values() for e in found]
        return ExtractionImport(
            source.name,
            reviewer,
            plan.rows,
            tuple(s for s in plan.entries if store.find_study(db, s) is None),
            tuple(o.name for o in plan.new_outcomes),
            sum(1 for e in entries if e.value),
            sum(1 for e in entries if not e.value),
            dry_run=True,
            records_linked=new_links,
        )
    created: list[str] = []
    saved = cleared = linked = 0
    with transaction(db):
        for outcome in plan.new_outcomes:
            store.save_outcome(db, outcome)
        # The file is the extractor its values are recorded under: declared here, by the
        # import, as the identity of a source (not a person, so never a lead or arbiter).
        found = review_store.find_reviewer(db, reviewer)
        rid = found[0] if found else review_store.add_reviewer(db, reviewer, "screener")
        for study, entries in plan.entries.items():
            sid = store.find_study(db, study)
            if sid is None:
                sid = store.create_study(db, study)
                created.append(study)
            done = _write(db, sid, rid, "extractor", [(e, e.value) for e in entries])
            saved, cleared = saved + done[0], cleared + done[1]
            linked += sum(
                store.link_report(db, sid, record) for record, _ in plan.links.get(study, ())
            )
    return ExtractionImport(
        source.name,
        reviewer,
        plan.rows,
        tuple(created),
        tuple(o.name for o in plan.new_outcomes),
        saved,
        cleared,
        records_linked=linked,
    )


def _check_links(
    db: sqlite_utils.Database, file_name: str, links: Mapping[str, list[tuple[int, int]]]
) -> int:
    """Raise :class:`ParseError` at the first record id that cannot be linked (no such record,
    or a report of another study); returns how many links are new."""
    new = 0
    for study, found in links.items():
        sid = store.find_study(db, study)
        linked = set(next((s.record_ids for s in store.list_studies(db) if s.id == sid), ()))
        for record, line in found:
            problem = store.link_problem(db, sid, record)
            if problem:
                raise ParseError(file_name, f"line {line}", problem)
            new += record not in linked
    return new


def study_characteristics(db: sqlite_utils.Database) -> list[dict[str, str]]:
    """One dict per study: its name and the final value of each study-level field (by label)."""
    form = store.current_form(db)
    fields = form.study_fields if form else ()
    final_ = final(db).values
    return [
        {
            "study": s.name,
            **{
                f.label: final_[ValueKey(s.name, field=f.key)].value
                if ValueKey(s.name, field=f.key) in final_
                else ""
                for f in fields
            },
        }
        for s in store.list_studies(db)
    ]


# --- risk of bias ---------------------------------------------------------------------------------


def save_rob(
    db: sqlite_utils.Database,
    study: str,
    tool: str,
    reviewer: str,
    judgements: Mapping[str, str],
    *,
    support: Mapping[str, str] | None = None,
    outcome: str = "",
    consensus: bool = False,
) -> None:
    """Save one assessor's (or the agreed) judgements per domain; '' clears a domain. The
    domain ``overall`` records an explicit overall judgement."""
    try:
        spec = get_tool(tool)
    except KeyError as exc:
        raise InvalidInputError(str(exc.args[0])) from None
    cleaned: dict[str, str] = {}
    for domain, judgement in judgements.items():
        allowed = spec.allowed(domain)
        if not allowed:
            raise InvalidInputError(
                f"{spec.name} has no domain {domain!r}; its domains: "
                f"{', '.join(d.key for d in spec.domains)}, {OVERALL}"
            )
        text = " ".join((judgement or "").split())
        match = next((a for a in allowed if a.casefold() == text.casefold()), None)
        if text and match is None:
            raise InvalidInputError(f"{domain}: {judgement!r} is not one of: {', '.join(allowed)}")
        cleaned[domain] = match or ""
    with transaction(db):
        sid = store.study_id(db, study)
        oid = store.outcome_id(db, outcome) if outcome else None
        rid = review_store.reviewer_id(db, reviewer)
        role = "consensus" if consensus else "assessor"
        for domain, judgement in cleaned.items():
            if judgement:
                store.put_judgement(
                    db,
                    study=sid,
                    tool=tool,
                    outcome=oid,
                    domain=domain,
                    judgement=judgement,
                    support=(support or {}).get(domain, ""),
                    reviewer=rid,
                    role=role,
                )
            else:
                store.delete_judgement(
                    db, study=sid, tool=tool, outcome=oid, domain=domain, reviewer=rid, role=role
                )


def rob_summary(db: sqlite_utils.Database, tool: str) -> RobSummary:
    try:
        spec = get_tool(tool)
    except KeyError as exc:
        raise InvalidInputError(str(exc.args[0])) from None
    return summarise(spec, store.load_judgements(db, tool))


def rob_judgements(
    db: sqlite_utils.Database,
    *,
    study: str | None = None,
    tool: str | None = None,
    reviewer: str | None = None,
) -> list[RobJudgement]:
    """Saved judgements, each with its reviewer, role and support; narrowed to a study, a tool
    or one reviewer (an assessor reading back only their own, as in blind assessment)."""
    return [
        j
        for j in store.load_judgements(db, tool)
        if (study is None or j.study == study) and (reviewer is None or j.reviewer == reviewer)
    ]


def rob_tools_used(db: sqlite_utils.Database) -> list[str]:
    return sorted({j.tool for j in store.load_judgements(db)})


def write_rob_plot(db: sqlite_utils.Database, tool: str, path: str | Path) -> Path:
    """The traffic-light plot of ``tool``'s summary, written to ``path`` (.svg, .pdf or .png)."""
    from screener.extraction.rob_plot import traffic_light

    target = Path(path)
    fmt = target.suffix.lstrip(".").lower()
    if fmt not in ("svg", "pdf", "png"):
        raise InvalidInputError(f"{target.name}: the plot is written as .svg, .pdf or .png")
    if not target.parent.exists():
        raise ScreenerError(f"{target.parent} does not exist")
    summary = rob_summary(db, tool)
    if not summary.rows:
        raise ScreenerError(f"no {summary.tool.name} judgements in this review yet")
    return write_file(target, traffic_light(summary, fmt=fmt))
