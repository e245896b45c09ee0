"""Helpers shared by the extraction tests (a module with a unique name, not conftest)."""

from __future__ import annotations

from screener.extraction.values import ValueEntry

CDASI = "CDASI activity"


def row(outcome: str, timepoint: str, subgroup: str, **values: str) -> list[ValueEntry]:
    """ValueEntry objects for one outcome row."""
    return [
        ValueEntry(field, value, outcome, timepoint, subgroup) for field, value in values.items()
    ]
