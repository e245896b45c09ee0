"""Extraction forms: study-level fields and outcomes, defined in TOML.

A form file looks like this (see ``screener/data/forms/default.toml`` for a full one)::

    [form]
    name = "IL-2 in myositis"

    [[field]]                      # study-level, once per study
    key = "design"
    kind = "choice"
    choices = ["RCT", "cohort", "case series"]

    [[outcome]]                    # outcomes, each with one data type
    name = "CDASI activity"
    data_type = "prepost"          # continuous, prepost, dichotomous, proportion,
                                   # correlation, generic
    unit = "points"
    min = 0
    max = 100
    integer = true                 # item scores are integers: GRIM applies to its means
    subgroups = ["0.5 MIU/day", "1 MIU/day"]

    [[outcome_field]]              # extra fields on every outcome row (timepoint x subgroup)
    key = "source"
    label = "Where in the report"

The numbers an outcome row holds follow from its data type (:func:`data_fields`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from typing import Any

from screener.errors import ParseError

__all__ = [
    "DATA_TYPES",
    "FIELD_KINDS",
    "GENERIC_MEASURES",
    "RATIO_MEASURES",
    "FieldSpec",
    "Form",
    "OutcomeSpec",
    "data_fields",
    "outcome_from_json",
    "outcome_to_json",
    "parse_form",
]

DATA_TYPES = ("continuous", "prepost", "dichotomous", "proportion", "correlation", "generic")
FIELD_KINDS = ("text", "longtext", "number", "integer", "choice", "yesno")
GENERIC_MEASURES = ("MD", "SMD", "RD", "OR", "RR", "HR", "IRR", "ROM", "COR", "other")
RATIO_MEASURES = frozenset({"OR", "RR", "HR", "IRR", "ROM"})
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a form: what it holds and the rules a typed value must follow."""

    key: str
    label: str
    kind: str = "text"
    level: str = "study"  # study | outcome
    unit: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False  # strictly greater than 0 (an SD, an SE)
    allow_relation: bool = False  # a bound such as "<0.001" is a valid entry (P values)
    required: bool = False
    help: str = ""

    def spec_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in (
            "unit",
            "choices",
            "minimum",
            "maximum",
            "positive",
            "allow_relation",
            "required",
            "help",
        ):
            value = getattr(self, name)
            if value not in ("", (), None, False):
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True, slots=True)
class OutcomeSpec:
    """An outcome: its data type, unit and what the checks need to know about its scale."""

    name: str
    data_type: str
    unit: str = ""
    minimum: float | None = None  # bounds of the scale (for implausible-SD checks)
    maximum: float | None = None
    integer: bool = False  # each item score is an integer (GRIM applies)
    items: int = 1  # items summed or averaged into the score (GRIM)
    direction: str = ""  # e.g. "lower is better"
    groups: tuple[str, str] = ("intervention", "control")
    measure: str = ""  # generic outcomes: the effect measure, e.g. "SMD"
    timepoints: tuple[str, ...] = ()  # suggestions shown at entry; others may be typed
    subgroups: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A whole form: study-level fields, extra outcome-row fields, outcomes; ``source`` is the
    TOML text it was read from (stored in the review as loaded)."""

    name: str
    version: int = 1
    study_fields: tuple[FieldSpec, ...] = ()
    outcome_fields: tuple[FieldSpec, ...] = ()
    outcomes: tuple[OutcomeSpec, ...] = ()
    description: str = ""
    source: str = ""

    def outcome(self, name: str) -> OutcomeSpec | None:
        return next((o for o in self.outcomes if o.name == name), None)

    def study_field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.study_fields if f.key == key), None)


def outcome_to_json(outcome: OutcomeSpec) -> dict[str, Any]:
    """The outcome's scale and display settings, for the ``outcome.spec_json`` column."""
    out: dict[str, Any] = {}
    for name in (
        "minimum",
        "maximum",
        "integer",
        "items",
        "direction",
        "groups",
        "measure",
        "timepoints",
        "subgroups",
        "description",
    ):
        value = getattr(outcome, name)
        default = OutcomeSpec.__dataclass_fields__[name].default
        if value != default:
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def outcome_from_json(name: str, data_type: str, unit: str, spec: dict[str, Any]) -> OutcomeSpec:
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in spec.items()
        if k in OutcomeSpec.__dataclass_fields__
    }
    return OutcomeSpec(name=name, data_type=data_type, unit=unit, **values)


def _number(spec: FieldSpec, key: str, label: str, **rules: Any) -> FieldSpec:
    return replace(spec, key=key, label=label, **rules)


def data_fields(outcome: OutcomeSpec) -> tuple[FieldSpec, ...]:
    """The numbers an outcome row of this data type holds, in entry order.

    Keys are internal names; :mod:`screener.extraction.table` maps them to escalc's columns.
    """
    unit = outcome.unit
    num = FieldSpec(key="", label="", kind="number", level="outcome", unit=unit)
    count = FieldSpec(key="", label="", kind="integer", level="outcome", minimum=0)
    g1, g2 = outcome.groups
    kind = outcome.data_type
    if kind == "continuous":
        return (
            _number(num, "m1i", f"Mean ({g1})"),
            _number(num, "sd1i", f"SD ({g1})", positive=True),
            _number(count, "n1i", f"n ({g1})", minimum=1),
            _number(num, "m2i", f"Mean ({g2})"),
            _number(num, "sd2i", f"SD ({g2})", positive=True),
            _number(count, "n2i", f"n ({g2})", minimum=1),
        )
    if kind == "prepost":
        return (
            _number(num, "m_pre", "Mean before"),
            _number(num, "sd_pre", "SD before", positive=True),
            _number(num, "m_post", "Mean after"),
            _number(num, "sd_post", "SD after", positive=True),
            _number(count, "n", "n", minimum=1),
            _number(num, "r", "Pre-post correlation r", unit="", minimum=-1, maximum=1),
        )
    if kind == "dichotomous":
        return (
            _number(count, "events1", f"Events ({g1})"),
            _number(count, "total1", f"Total ({g1})", minimum=1),
            _number(count, "events2", f"Events ({g2})"),
            _number(count, "total2", f"Total ({g2})", minimum=1),
        )
    if kind == "proportion":
        return (_number(count, "events", "Events"), _number(count, "n", "n", minimum=1))
    if kind == "correlation":
        return (
            _number(num, "r", "Correlation r", unit="", minimum=-1, maximum=1),
            _number(count, "n", "n", minimum=1),
        )
    if kind == "generic":
        plain = replace(num, unit="")
        return (
            FieldSpec(
                key="measure",
                label="Effect measure",
                kind="choice",
                level="outcome",
                choices=GENERIC_MEASURES,
            ),
            _number(plain, "estimate", "Estimate (as reported)"),
            _number(plain, "ci_lb", "95% CI lower"),
            _number(plain, "ci_ub", "95% CI upper"),
            _number(plain, "se", "SE (analysis scale: log for ratios)", positive=True),
            _number(
                plain, "pval", "P value (as reported)", minimum=0, maximum=1, allow_relation=True
            ),
            _number(count, "n", "n", minimum=1),
            _number(plain, "yi", "yi (analysis scale)"),
            _number(plain, "vi", "vi (variance of yi)", positive=True),
        )
    raise ValueError(f"unknown data type {kind!r}")


# --- reading a form ------------------------------------------------------------------------


def parse_form(text: str, *, file_name: str = "form.toml") -> Form:
    """Read a form from TOML text; a mistake raises :class:`ParseError` naming where it is."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"line {found[1]}" if found else "line ?"
        raise ParseError(file_name, where, re.sub(r"\s*\(at line.*\)", "", str(exc))) from None
    unknown = set(data) - {"form", "field", "outcome", "outcome_field"}
    if unknown:
        raise ParseError(
            file_name,
            f"[{sorted(unknown)[0]}]",
            "unknown table; a form has [form], [[field]], [[outcome]], [[outcome_field]]",
        )
    head = data.get("form", {})
    name = str(head.get("name", "")).strip()
    if not name:
        raise ParseError(file_name, "[form]", 'the form needs a name (name = "...")')
    version = head.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise ParseError(file_name, "[form]", "version must be a whole number >= 1")
    study = _fields(data.get("field", []), "study", "field", file_name)
    extra = _fields(data.get("outcome_field", []), "outcome", "outcome_field", file_name)
    outcomes = tuple(
        _outcome(entry, i, file_name) for i, entry in enumerate(data.get("outcome", []), 1)
    )
    names = [o.name for o in outcomes]
    for n in names:
        if names.count(n) > 1:
            raise ParseError(file_name, f"[[outcome]] {n!r}", "the outcome name is used twice")
    return Form(
        name=name,
        version=version,
        study_fields=study,
        outcome_fields=extra,
        outcomes=outcomes,
        description=str(head.get("description", "")),
        source=text,
    )


_FIELD_KEYS = {
    "key",
    "label",
    "kind",
    "unit",
    "choices",
    "min",
    "max",
    "positive",
    "required",
    "help",
}
_OUTCOME_KEYS = {
    "name",
    "data_type",
    "unit",
    "min",
    "max",
    "integer",
    "items",
    "direction",
    "groups",
    "measure",
    "timepoints",
    "subgroups",
    "description",
}


def _fields(entries: list[dict], level: str, table: str, file_name: str) -> tuple[FieldSpec, ...]:
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(entries, 1):
        key = str(entry.get("key", "")).strip()
        where = f"[[{table}]] {i}" + (f" ({key})" if key else "")
        if not _KEY.match(key):
            raise ParseError(
                file_name, where, "key must be a name of letters, digits and _ (e.g. il2_dose)"
            )
        if key in seen:
            raise ParseError(file_name, where, f"key {key!r} is used twice")
        seen.add(key)
        bad = set(entry) - _FIELD_KEYS
        if bad:
            raise ParseError(file_name, where, f"unknown setting {sorted(bad)[0]!r}")
        kind = entry.get("kind", "text")
        if kind not in FIELD_KINDS:
            raise ParseError(
                file_name, where, f"kind {kind!r} is not one of {', '.join(FIELD_KINDS)}"
            )
        choices = tuple(str(c) for c in entry.get("choices", ()))
        if kind == "choice" and not choices:
            raise ParseError(file_name, where, "a choice field needs choices = [...]")
        out.append(
            FieldSpec(
                key=key,
                label=str(entry.get("label", key)),
                kind=kind,
                level=level,
                unit=str(entry.get("unit", "")),
                choices=choices,
                minimum=_opt_number(entry, "min", where, file_name),
                maximum=_opt_number(entry, "max", where, file_name),
                positive=bool(entry.get("positive", False)),
                required=bool(entry.get("required", False)),
                help=str(entry.get("help", "")),
            )
        )
    return tuple(out)


def _outcome(entry: dict, index: int, file_name: str) -> OutcomeSpec:
    name = str(entry.get("name", "")).strip()
    where = f"[[outcome]] {index}" + (f" ({name})" if name else "")
    if not name:
        raise ParseError(file_name, where, "an outcome needs a name")
    bad = set(entry) - _OUTCOME_KEYS
    if bad:
        raise ParseError(file_name, where, f"unknown setting {sorted(bad)[0]!r}")
    data_type = entry.get("data_type", "")
    if data_type not in DATA_TYPES:
        raise ParseError(
            file_name, where, f"data_type {data_type!r} is not one of {', '.join(DATA_TYPES)}"
        )
    groups = tuple(str(g) for g in entry.get("groups", ("intervention", "control")))
    if len(groups) != 2:
        raise ParseError(
            file_name, where, 'groups needs exactly two names, e.g. ["IL-2", "placebo"]'
        )
    items = entry.get("items", 1)
    if not isinstance(items, int) or items < 1:
        raise ParseError(file_name, where, "items must be a whole number >= 1")
    measure = str(entry.get("measure", ""))
    if measure and measure not in GENERIC_MEASURES:
        raise ParseError(
            file_name, where, f"measure {measure!r} is not one of {', '.join(GENERIC_MEASURES)}"
        )
    low, high = (
        _opt_number(entry, "min", where, file_name),
        _opt_number(entry, "max", where, file_name),
    )
    if low is not None and high is not None and low >= high:
        raise ParseError(file_name, where, "min must be below max")
    return OutcomeSpec(
        name=name,
        data_type=data_type,
        unit=str(entry.get("unit", "")),
        minimum=low,
        maximum=high,
        integer=bool(entry.get("integer", False)),
        items=items,
        direction=str(entry.get("direction", "")),
        groups=groups,
        measure=measure,
        timepoints=tuple(str(t) for t in entry.get("timepoints", ())),
        subgroups=tuple(str(s) for s in entry.get("subgroups", ())),
        description=str(entry.get("description", "")),
    )


def _opt_number(entry: dict, name: str, where: str, file_name: str) -> float | None:
    value = entry.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParseError(file_name, where, f"{name} must be a number")
    return float(value)
