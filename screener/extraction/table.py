"""The analysis-ready extraction table: one row per study x outcome x timepoint x subgroup.

Columns are named as metafor's ``escalc`` arguments so the CSV feeds ``escalc`` (or
``screener meta``) directly:

- continuous (two groups): m1i, sd1i, n1i (group 1), m2i, sd2i, n2i (group 2);
- prepost (one group before/after): m1i = mean after, m2i = mean before, sd1i = SD before,
  sd2i = SD after, ni, ri -- as metafor's own SMCR example (dat.morris2008) passes them, so
  ``escalc("SMCR", m1i, m2i, sd1i, ni, ri)`` standardises the change by the baseline SD;
- dichotomous: ai, bi, ci, di (events and non-events per group) and n1i, n2i (totals);
- proportion: xi, ni; correlation: ri, ni;
- generic (a result reported only as an effect): measure, estimate, ci_lb, ci_ub, pval and se as
  reported, plus yi, vi on the analysis scale (log for ratio measures).

Study-level fields follow as extra columns (prefixed ``study_`` if a key clashes).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO

from screener.errors import ParseError
from screener.extraction.forms import RATIO_MEASURES, FieldSpec, OutcomeSpec, data_fields
from screener.extraction.numbers import format_number
from screener.extraction.validate import check_value
from screener.extraction.values import RowKey, ValueEntry, ValueKey
from screener.files import csv_writer, from_spreadsheet_cell

__all__ = [
    "COLUMNS",
    "ESCALC_COLUMNS",
    "RECORD_COLUMNS",
    "ImportPlan",
    "export_rows",
    "read_table",
    "write_csv",
]

ESCALC_COLUMNS = (
    "m1i",
    "sd1i",
    "n1i",
    "m2i",
    "sd2i",
    "n2i",
    "ai",
    "bi",
    "ci",
    "di",
    "xi",
    "ni",
    "ri",
    "yi",
    "vi",
)
EFFECT_COLUMNS = ("estimate", "se", "ci_lb", "ci_ub", "pval")
HEAD_COLUMNS = ("study", "outcome", "timepoint", "subgroup", "data_type", "measure")
COLUMNS = (*HEAD_COLUMNS, *ESCALC_COLUMNS, *EFFECT_COLUMNS)

# internal field -> column, per data type (dichotomous non-events are derived, see below)
_DIRECT: dict[str, dict[str, str]] = {
    "continuous": {k: k for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")},
    "prepost": {
        "m_post": "m1i",
        "m_pre": "m2i",
        "sd_pre": "sd1i",
        "sd_post": "sd2i",
        "n": "ni",
        "r": "ri",
    },
    "dichotomous": {"events1": "ai", "events2": "ci", "total1": "n1i", "total2": "n2i"},
    "proportion": {"events": "xi", "n": "ni"},
    "correlation": {"r": "ri", "n": "ni"},
    "generic": {
        "measure": "measure",
        "estimate": "estimate",
        "se": "se",
        "ci_lb": "ci_lb",
        "ci_ub": "ci_ub",
        "pval": "pval",
        "n": "ni",
        "yi": "yi",
        "vi": "vi",
    },
}
_Z95 = 1.959963984540054


def extra_column(key: str) -> str:
    return f"study_{key}" if key in COLUMNS else key


def export_rows(
    final: Mapping[ValueKey, str],
    outcomes: Mapping[str, OutcomeSpec],
    studies: Sequence[str],
    *,
    study_fields: Sequence[str] = (),
    outcome_fields: Sequence[str] = (),
) -> list[dict[str, str]]:
    """The table from each field's final value; ``studies`` gives the row order of studies."""
    per_row: dict[RowKey, dict[str, str]] = {}
    for key, value in final.items():
        per_row.setdefault(key.row, {})[key.field] = value
    rows = []
    for study in studies:
        own = per_row.get(RowKey(study), {})
        shared = {extra_column(k): own.get(k, "") for k in study_fields}
        keys = sorted(r for r in per_row if r.study == study and r.outcome)
        for row_key in keys or [RowKey(study)]:
            row = dict.fromkeys(COLUMNS, "")
            row.update(
                study=study,
                outcome=row_key.outcome,
                timepoint=row_key.timepoint,
                subgroup=row_key.subgroup,
            )
            if row_key.outcome:
                outcome = outcomes[row_key.outcome]
                row["data_type"] = outcome.data_type
                row.update(_data_columns(outcome, per_row[row_key]))
            for k in outcome_fields:
                row[k] = per_row.get(row_key, {}).get(k, "") if row_key.outcome else ""
            row.update(shared)
            rows.append(row)
    return rows


def _data_columns(outcome: OutcomeSpec, values: Mapping[str, str]) -> dict[str, str]:
    out = {column: values.get(key, "") for key, column in _DIRECT[outcome.data_type].items()}
    if outcome.data_type == "dichotomous":
        for events, total, column in (("events1", "total1", "bi"), ("events2", "total2", "di")):
            if values.get(events) and values.get(total):
                out[column] = str(int(values[total]) - int(values[events]))
    if outcome.data_type == "generic":
        if not out["measure"] and outcome.measure:
            out["measure"] = outcome.measure
        if not out["yi"] and not out["vi"]:
            out["yi"], out["vi"] = _effect_to_yi_vi(out)
    return out


def _effect_to_yi_vi(row: Mapping[str, str]) -> tuple[str, str]:
    ratio = row["measure"] in RATIO_MEASURES
    try:
        est = float(row["estimate"]) if row["estimate"] else None
        if est is None or (ratio and est <= 0):
            return "", ""
        yi = math.log(est) if ratio else est
        if row["se"]:
            vi = float(row["se"]) ** 2
        elif row["ci_lb"] and row["ci_ub"]:
            lo, hi = float(row["ci_lb"]), float(row["ci_ub"])
            if ratio:
                if lo <= 0:
                    return format_number(yi), ""
                lo, hi = math.log(lo), math.log(hi)
            vi = ((hi - lo) / (2 * _Z95)) ** 2
        else:
            return format_number(yi), ""
    except ValueError:
        return "", ""
    return format_number(yi), format_number(vi)


def write_csv(
    rows: Iterable[Mapping[str, str]], columns: Sequence[str], handle: IO[str], *, raw: bool = False
) -> None:
    """The table as CSV; text a spreadsheet would run as a formula gets a leading ' unless
    ``raw`` (numbers never do; :func:`read_table` removes it again)."""
    writer = csv_writer(handle, raw=raw)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])


# --- reading the table back ------------------------------------------------------------------

RECORD_COLUMNS = ("record_ids", "record_id")
"""Import-only columns: the ids of the review's records (reports) each study comes from,
e.g. ``12;15``. Record ids belong to one review file, so the export does not write them."""


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What a CSV holds: entries per study (in file order), outcomes it introduces, its rows,
    and the records to link to each study as (record id, line) pairs."""

    entries: dict[str, list[ValueEntry]] = field(default_factory=dict)
    new_outcomes: list[OutcomeSpec] = field(default_factory=list)
    rows: int = 0
    links: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def read_table(
    text: str,
    *,
    file_name: str,
    outcomes: Mapping[str, OutcomeSpec],
    study_fields: Sequence[FieldSpec] = (),
    outcome_fields: Sequence[FieldSpec] = (),
) -> ImportPlan:
    """Read the exported table (or a spreadsheet in its shape) into entries; a bad cell raises
    :class:`ParseError` naming the line and column. A cell protected for spreadsheets by
    :func:`write_csv` (a ' before =, +, -, @ ...) reads as it was exported."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [from_spreadsheet_cell(h).strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "study" not in header:
        raise ParseError(
            file_name, "line 1", "no 'study' column; the header needs study, outcome, ..."
        )
    extra = {extra_column(f.key): f for f in study_fields}
    per_row = {f.key: f for f in outcome_fields}
    for name in header:
        if (
            name not in (*COLUMNS, *RECORD_COLUMNS)
            and name not in extra
            and name not in per_row
            and name != ""
        ):
            fields = ", ".join(sorted(extra) + sorted(per_row)) or "none (load the form first)"
            raise ParseError(
                file_name, "line 1", f"unknown column {name!r}; the form's fields: {fields}"
            )
    known = dict(outcomes)
    plan = ImportPlan()  # filled below; its row count is set on return
    seen: dict[RowKey, int] = {}
    owner: dict[int, str] = {}  # record id -> the study it was listed for
    study_values: dict[tuple[str, str], tuple[str, int]] = {}
    for raw in reader:
        line = reader.line_num
        row = {k: from_spreadsheet_cell(v or "").strip() for k, v in raw.items() if k is not None}
        study = row.get("study", "")
        if not study:
            if any(row.values()):
                raise ParseError(file_name, f"line {line}", "the study column is empty")
            continue
        key = RowKey(
            study, row.get("outcome", ""), row.get("timepoint", ""), row.get("subgroup", "")
        )
        if key in seen:
            raise ParseError(
                file_name, f"line {line}", f"the same row as line {seen[key]} ({key.describe()})"
            )
        seen[key] = line
        _read_record_ids(row, study, plan.links, owner, file_name, line)
        entries = plan.entries.setdefault(study, [])
        for column, spec in extra.items():
            value = _checked(spec, row.get(column, ""), file_name, line, column)
            earlier = study_values.get((study, spec.key))
            if earlier and value and earlier[0] and value != earlier[0]:
                raise ParseError(
                    file_name,
                    f"line {line}",
                    f"{column} is {value!r} here but "
                    f"{earlier[0]!r} on line {earlier[1]} for the same study",
                )
            if not earlier or (value and not earlier[0]):
                study_values[(study, spec.key)] = (value, line)
        if key.outcome:
            outcome = _outcome_for(row, key.outcome, known, plan, file_name, line)
            entries += _row_entries(outcome, row, key, file_name, line)
            for k, spec in per_row.items():
                entries.append(
                    ValueEntry(
                        k,
                        _checked(spec, row.get(k, ""), file_name, line, k),
                        key.outcome,
                        key.timepoint,
                        key.subgroup,
                    )
                )
        elif any(row.get(c) for c in COLUMNS[4:]):
            raise ParseError(file_name, f"line {line}", "numbers on a row without an outcome name")
    for (study, field_key), (value, _) in study_values.items():
        plan.entries[study].append(ValueEntry(field_key, value))
    return ImportPlan(plan.entries, plan.new_outcomes, len(seen), plan.links)


def _read_record_ids(
    row: Mapping[str, str],
    study: str,
    links: dict[str, list[tuple[int, int]]],
    owner: dict[int, str],
    file_name: str,
    line: int,
) -> None:
    """The record ids of a row's study (``12;15``), each listed once per study."""
    for column in RECORD_COLUMNS:
        for part in re.split(r"[;,\s]+", row.get(column, "")):
            if not part:
                continue
            if not part.isdigit() or int(part) == 0:
                raise ParseError(
                    file_name,
                    f"line {line}",
                    f"column {column}: {part!r} is not a "
                    "record id; give the ids of the review's records separated by "
                    "';' (e.g. 12;15)",
                )
            rid = int(part)
            if owner.setdefault(rid, study) != study:
                raise ParseError(
                    file_name,
                    f"line {line}",
                    f"record {rid} is listed for study "
                    f"{owner[rid]!r} too; a record is a report of one study",
                )
            found = links.setdefault(study, [])
            if all(r != rid for r, _ in found):
                found.append((rid, line))


def _checked(spec: FieldSpec, text: str, file_name: str, line: int, column: str) -> str:
    checked = check_value(spec, text)
    if not checked.ok:
        raise ParseError(file_name, f"line {line}", f"column {column}: {checked.message}")
    return checked.text


def _infer_type(row: Mapping[str, str]) -> str:
    filled = {c for c in (*ESCALC_COLUMNS, *EFFECT_COLUMNS, "measure") if row.get(c)}
    if filled & {"estimate", "se", "ci_lb", "ci_ub", "pval", "measure", "yi", "vi"}:
        return "generic"
    if filled & {"ai", "bi", "ci", "di"}:
        return "dichotomous"
    if filled & {"m1i", "m2i", "sd1i", "sd2i"}:
        return "continuous" if filled & {"n1i", "n2i"} else "prepost"
    if "xi" in filled:
        return "proportion"
    if "ri" in filled:
        return "correlation"
    return ""


def _outcome_for(
    row: Mapping[str, str],
    name: str,
    known: dict[str, OutcomeSpec],
    plan: ImportPlan,
    file_name: str,
    line: int,
) -> OutcomeSpec:
    stated = row.get("data_type", "")
    if name in known:
        outcome = known[name]
        if stated and stated != outcome.data_type:
            raise ParseError(
                file_name,
                f"line {line}",
                f"outcome {name!r} is {outcome.data_type} in this review, not {stated}",
            )
        return outcome
    data_type = stated or _infer_type(row)
    if not data_type:
        raise ParseError(
            file_name,
            f"line {line}",
            f"cannot tell outcome {name!r}'s data type; fill the data_type column",
        )
    if data_type not in _DIRECT:
        raise ParseError(
            file_name, f"line {line}", f"data_type {data_type!r} is not one of {', '.join(_DIRECT)}"
        )
    outcome = OutcomeSpec(name=name, data_type=data_type)
    known[name] = outcome
    plan.new_outcomes.append(outcome)
    return outcome


def _row_entries(
    outcome: OutcomeSpec, row: Mapping[str, str], key: RowKey, file_name: str, line: int
) -> list[ValueEntry]:
    where = f"line {line}"
    mapping = _DIRECT[outcome.data_type]
    used = set(mapping.values())
    if outcome.data_type == "dichotomous":
        used |= {"bi", "di"}
    stray = [
        c for c in (*ESCALC_COLUMNS, *EFFECT_COLUMNS, "measure") if row.get(c) and c not in used
    ]
    if stray:
        raise ParseError(
            file_name,
            where,
            f"column {stray[0]} does not belong to a {outcome.data_type} outcome ({key.outcome})",
        )
    values = {internal: row.get(column, "") for internal, column in mapping.items()}
    if outcome.data_type == "dichotomous":
        count = FieldSpec("count", "a count", "integer", minimum=0)
        for column in ("ai", "bi", "ci", "di", "n1i", "n2i"):
            _checked(count, row.get(column, ""), file_name, line, column)
        for events, total, rest, column in (
            ("events1", "total1", "bi", "n1i"),
            ("events2", "total2", "di", "n2i"),
        ):
            values[total] = _total(
                row,
                mapping_events=mapping[events],
                rest=rest,
                total=column,
                file_name=file_name,
                where=where,
            )
    if outcome.data_type == "generic" and values.get("estimate"):
        effect = {c: row.get(c, "") for c in ("measure", "estimate", "se", "ci_lb", "ci_ub")}
        if not effect["measure"]:
            effect["measure"] = outcome.measure
        if (values["yi"], values["vi"]) == _effect_to_yi_vi(effect):
            values["yi"] = values["vi"] = ""  # what the export derives: not stored twice
    specs = {f.key: f for f in data_fields(outcome)}
    return [
        ValueEntry(
            k,
            _checked(specs[k], v, file_name, line, mapping.get(k, k)),
            key.outcome,
            key.timepoint,
            key.subgroup,
        )
        for k, v in values.items()
    ]


def _total(
    row: Mapping[str, str],
    *,
    mapping_events: str,
    rest: str,
    total: str,
    file_name: str,
    where: str,
) -> str:
    given, events, others = row.get(total, ""), row.get(mapping_events, ""), row.get(rest, "")
    if not (events and others):
        return given
    try:
        derived = int(events) + int(others)
    except ValueError:
        raise ParseError(
            file_name, where, f"{mapping_events} and {rest} must be whole numbers"
        ) from None
    if given and given != str(derived):
        raise ParseError(
            file_name, where, f"{total} = {given} but {mapping_events} + {rest} = {derived}"
        )
    return str(derived)
