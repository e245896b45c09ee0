"""Checking typed values against their field, with a message fit to show beside it.

:func:`check_value` is the per-field rule (numbers parse, SD > 0, counts are whole, units match,
choices exist): a value that breaks it is not saved. :func:`row_warnings` looks across the fields
of one outcome row (events <= total, the estimate inside its CI): those are shown and flagged,
never blocked, because a reviewer types one field at a time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from screener.extraction.forms import RATIO_MEASURES, FieldSpec, OutcomeSpec, data_fields
from screener.extraction.numbers import Number, NumberError, parse_number

__all__ = ["Checked", "check_value", "row_numbers", "row_warnings"]

_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking one typed value: the text to store, or a message."""

    text: str
    number: Number | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.message


def check_value(spec: FieldSpec, text: str) -> Checked:
    """Check ``text`` for field ``spec``; an empty text is valid (the field is left empty)."""
    raw = (text or "").strip()
    if not raw:
        return Checked("")
    try:
        if spec.kind in ("number", "integer"):
            return _check_number(spec, raw)
        if spec.kind == "choice":
            for choice in spec.choices:
                if choice.casefold() == raw.casefold():
                    return Checked(choice)
            raise NumberError(f"'{raw}' is not one of: {', '.join(spec.choices)}")
        if spec.kind == "yesno":
            low = raw.casefold()
            if low in _YES:
                return Checked("yes")
            if low in _NO:
                return Checked("no")
            if low == "unclear":
                return Checked("unclear")
            raise NumberError(f"'{raw}': answer yes, no or unclear")
    except NumberError as exc:
        return Checked(raw, None, f"{spec.label}: {exc}")
    return Checked(raw if spec.kind == "longtext" else " ".join(raw.split()))


def _check_number(spec: FieldSpec, raw: str) -> Checked:
    number = parse_number(raw, unit=spec.unit, allow_relation=spec.allow_relation)
    value = number.value
    if not math.isfinite(value):
        raise NumberError(f"'{raw}' is not a finite number")
    if spec.kind == "integer":
        if value != int(value):
            raise NumberError(f"must be a whole number (got {number.text})")
        number = Number(float(int(value)), str(int(value)), 0, number.relation)
    if spec.positive and value <= 0:
        raise NumberError(f"must be greater than 0 (got {number.text})")
    if spec.minimum is not None and value < spec.minimum:
        raise NumberError(f"must be at least {_plain(spec.minimum)} (got {number.text})")
    if spec.maximum is not None and value > spec.maximum:
        raise NumberError(f"must be at most {_plain(spec.maximum)} (got {number.text})")
    return Checked(number.text, number)


def _plain(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def row_numbers(outcome: OutcomeSpec, values: Mapping[str, str]) -> dict[str, Number]:
    """The valid numbers of an outcome row, by field key (invalid or empty ones left out)."""
    out: dict[str, Number] = {}
    for spec in data_fields(outcome):
        if spec.kind in ("number", "integer") and values.get(spec.key):
            checked = check_value(spec, values[spec.key])
            if checked.ok and checked.number is not None:
                out[spec.key] = checked.number
    return out


def row_warnings(outcome: OutcomeSpec, values: Mapping[str, str]) -> list[str]:
    """Cross-field problems in one outcome row, as one-line messages (flagged, not blocked)."""
    nums = row_numbers(outcome, values)
    g1, g2 = outcome.groups
    out: list[str] = []

    def over(events: str, total: str, who: str) -> None:
        if events in nums and total in nums and nums[events].value > nums[total].value:
            out.append(f"events ({nums[events].text}) exceed the total ({nums[total].text}){who}")

    if outcome.data_type == "dichotomous":
        over("events1", "total1", f" in the {g1} group")
        over("events2", "total2", f" in the {g2} group")
    elif outcome.data_type == "proportion":
        over("events", "n", "")
    elif outcome.data_type == "generic":
        est, low, high = nums.get("estimate"), nums.get("ci_lb"), nums.get("ci_ub")
        if low and high and low.value > high.value:
            out.append(f"the CI's lower limit ({low.text}) is above its upper limit ({high.text})")
        elif est and low and high and not low.value <= est.value <= high.value:
            out.append(f"the estimate ({est.text}) lies outside its CI ({low.text} to {high.text})")
        measure = values.get("measure", "") or outcome.measure
        if measure in RATIO_MEASURES:
            for key in ("estimate", "ci_lb", "ci_ub"):
                if key in nums and nums[key].value <= 0:
                    out.append(
                        f"a {measure} must be above 0 ({key} = {nums[key].text}); "
                        "type the ratio, not its log"
                    )
                    break
    return out
