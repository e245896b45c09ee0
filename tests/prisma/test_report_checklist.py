"""The PRISMA 2020 checklist mapping (screener.report.checklist): every item mapped or marked."""

from __future__ import annotations

from screener.report.checklist import (
    CHECKLIST,
    METHODS,
    NOT_REPORTED,
    SECTIONS,
    checklist_table,
    section_title,
)

# The 27 items of the PRISMA 2020 checklist with its sub-items (Page MJ et al. BMJ 2021;372:n71).
PRISMA_2020 = (
    "1 2 3 4 5 6 7 8 9 10a 10b 11 12 13a 13b 13c 13d 13e 13f 14 15 16a 16b 17 18 19 20a 20b "
    "20c 20d 21 22 23a 23b 23c 23d 24a 24b 24c 25 26 27"
).split()


def test_the_checklist_has_every_item_and_sub_item_in_order():
    assert [item.number for item in CHECKLIST] == PRISMA_2020
    assert len({item.number.rstrip("abcdef") for item in CHECKLIST}) == 27
    assert all(item.topic and item.asks for item in CHECKLIST)


def test_every_item_is_mapped_to_a_real_section_or_marked_not_reported():
    keys = {k for k, _ in SECTIONS} | {k for k, _ in METHODS}
    for item in CHECKLIST:
        assert item.where is None or item.where in keys, item
    table = checklist_table(keys)
    assert len(table.rows) == len(CHECKLIST)
    titles = {t for _, t in SECTIONS} | {f"Methods: {t}" for _, t in METHODS}
    for (number, _, _, where), item in zip(table.rows, CHECKLIST, strict=True):
        assert where == (NOT_REPORTED if item.where is None else section_title(item.where)), number
        assert where == NOT_REPORTED or where in titles


def test_an_item_whose_section_is_empty_is_not_reported_there():
    table = {row[0]: row[3] for row in checklist_table({"methods.sources"}).rows}
    assert table["6"] == "Methods: Information sources and search"
    assert table["16b"] == f"{NOT_REPORTED} (no data yet for: Full-text exclusions)"
    assert table["25"] == NOT_REPORTED
