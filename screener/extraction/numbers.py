"""Reading numbers as reviewers type them, keeping what rounding and GRIM need.

A reported mean of ``5.10`` is not the same datum as ``5.1``: the trailing zero says the value
was rounded to two decimals. Values are therefore kept as text; :func:`parse_number` returns the
float, the normalised text and the number of decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Number", "NumberError", "format_number", "parse_number", "same_number"]

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2009": "", "\u00a0": " "})
_NUMBER = re.compile(
    r"^(?P<rel><=|>=|≤|≥|<|>|=)?\s*(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>.*)$"
)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class NumberError(ValueError):
    """A typed value that is not a number of the expected kind; ``str()`` is the message."""


@dataclass(frozen=True, slots=True)
class Number:
    """A number as reported: its value, its text (normalised), its decimals, and a relation
    for bounds such as ``P < 0.001`` (``"<"``; ``"="`` for a plain value)."""

    value: float
    text: str
    decimals: int
    relation: str = "="

    @property
    def half_unit(self) -> float:
        """Half a unit of the last reported digit: the rounding error the report allows."""
        return 0.5 * 10.0 ** (-self.decimals)


def _decimals(number_text: str) -> int:
    mantissa, _, exponent = number_text.lower().partition("e")
    places = len(mantissa.split(".", 1)[1]) if "." in mantissa else 0
    return max(0, places - (int(exponent) if exponent else 0))


def _norm_unit(unit: str) -> str:
    return re.sub(r"\s+", "", unit).casefold().replace("µ", "u").replace("μ", "u")


def parse_number(text: str, *, unit: str = "", allow_relation: bool = False) -> Number:
    """Read ``text`` as a number; a trailing unit must be ``unit`` (checked, then dropped).

    Raises :class:`NumberError` with a message fit to show beside the field.
    """
    raw = (text or "").translate(_MINUS).strip()
    if not raw:
        raise NumberError("a number is needed")
    if _THOUSANDS.match(raw):
        raise NumberError(
            f"'{text.strip()}': type {raw.replace(',', '')} (no thousands separator), "
            f"or {raw.replace(',', '.')} if the comma is a decimal mark"
        )
    if _DECIMAL_COMMA.match(raw):
        raise NumberError(f"'{text.strip()}' has a decimal comma; type {raw.replace(',', '.')}")
    match = _NUMBER.match(raw)
    if not match:
        raise NumberError(f"'{text.strip()}' is not a number")
    relation = {"≤": "<=", "≥": ">="}.get(match["rel"] or "=", match["rel"] or "=")
    if relation != "=" and not allow_relation:
        raise NumberError(f"'{text.strip()}': give the value itself, not a bound")
    given_unit = match["unit"].strip()
    if given_unit:
        if not unit:
            raise NumberError(f"'{text.strip()}' is not a number (this field has no unit)")
        if _norm_unit(given_unit) != _norm_unit(unit):
            raise NumberError(
                f"'{text.strip()}' is in {given_unit}, but this field is in {unit}; convert it "
                "first"
            )
    number_text = match["num"].lstrip("+")
    if number_text.startswith("."):
        number_text = "0" + number_text
    elif number_text.startswith("-."):
        number_text = "-0" + number_text[1:]
    value = float(number_text)
    shown = number_text if relation == "=" else f"{relation}{number_text}"
    return Number(value, shown, _decimals(number_text), relation)


def same_number(a: str, b: str) -> bool:
    """Whether two typed numbers are the same value (``12.0`` and ``12`` are)."""
    try:
        return Decimal(a.translate(_MINUS).strip()) == Decimal(b.translate(_MINUS).strip())
    except InvalidOperation:
        return False


def format_number(value: float) -> str:
    """A computed value as stored text: ten significant digits, no float noise."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".10g")
