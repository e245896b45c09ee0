"""Dual extraction: discrepancies field by field, resolution with who agreed, final values."""

from __future__ import annotations

import pytest
from extraction_support import CDASI, row

from screener.errors import InvalidInputError, ScreenerError
from screener.extraction.values import ValueEntry, ValueKey

SD_PRE = ValueKey("Zhang 2021", CDASI, "12 weeks", "1 MIU", "sd_pre")
N = ValueKey("Zhang 2021", field="n")


def test_compare_lists_each_differing_field(dual) -> None:
    found = dual.compare_extractions("alice", "bob")
    # "Case series" = "case series", 20.5 = 20.50 and 5.0 = 5: the same values, not discrepancies.
    assert [(d.key, d.values, d.kind) for d in found] == [
        (N, (("alice", "12"), ("bob", "13")), "differ"),
        (SD_PRE, (("alice", "6.1"), ("bob", "16.1")), "differ"),
    ]


def test_a_value_only_one_extractor_gave_is_a_discrepancy(dual) -> None:
    dual.save_extraction("Zhang 2021", "alice", row(CDASI, "12 weeks", "1 MIU", r="0.6"))
    found = dual.compare_extractions("alice", "bob")
    missing = [d for d in found if d.kind == "missing"]
    assert [(d.key.field, d.values) for d in missing] == [("r", (("alice", "0.6"), ("bob", "")))]


def test_resolve_records_the_agreed_value_and_who(dual) -> None:
    dual.resolve_extraction(SD_PRE, "6.1", by="carol", note="checked Table 2")
    dual.resolve_extraction(N, "12", by="carol")
    assert dual.compare_extractions("alice", "bob") == []
    agreed = {v.key: v for v in dual.extraction_values() if v.role == "consensus"}
    assert agreed[SD_PRE].value == "6.1" and agreed[SD_PRE].reviewer == "carol"
    assert agreed[SD_PRE].note == "checked Table 2"
    # The extractors' own values are kept as they typed them.
    assert {
        (v.reviewer, v.value)
        for v in dual.extraction_values()
        if v.key == SD_PRE and v.role == "extractor"
    } == {("alice", "6.1"), ("bob", "16.1")}


def test_a_resolution_is_checked_like_any_value(dual) -> None:
    with pytest.raises(InvalidInputError, match="SD before: must be greater than 0"):
        dual.resolve_extraction(SD_PRE, "-6.1", by="carol")


def test_a_converted_value_keeps_its_method(il2) -> None:
    il2.save_extraction(
        "Zhang 2021",
        "alice",
        [
            ValueEntry(
                "sd_pre",
                "6.3246",
                CDASI,
                "12 weeks",
                "1 MIU",
                method="se_to_sd",
                details={"se": 2.0, "n": 10},
            )
        ],
    )
    saved = il2.extraction_values(reviewer="alice")[0]
    assert (saved.method, saved.details, saved.imputed) == ("se_to_sd", {"se": 2.0, "n": 10}, False)
    il2.save_extraction(
        "Zhang 2021",
        "alice",
        [
            ValueEntry(
                "r",
                "0.78",
                CDASI,
                "12 weeks",
                "1 MIU",
                method="imputed_r",
                details={"source": "Lee 2020"},
                imputed=True,
            )
        ],
    )
    assert [v.imputed for v in il2.extraction_values(reviewer="alice") if v.key.field == "r"] == [
        True
    ]


def test_export_waits_for_resolution(dual) -> None:
    with pytest.raises(
        ScreenerError,
        match=r"2 value\(s\) differ between extractors .*\(first: Zhang 2021 · n: alice 12, bob 13",
    ):
        dual.export_extraction()
    columns, rows = dual.export_extraction(reviewer="bob")  # one extractor's values
    assert (rows[0]["sd1i"], rows[0]["sd2i"]) == ("16.1", "5")  # prepost: sd1i is the SD before
    dual.resolve_extraction(SD_PRE, "6.1", by="carol")
    dual.resolve_extraction(N, "12", by="carol")
    _, rows = dual.export_extraction()
    assert (rows[0]["n"], rows[0]["sd1i"], rows[0]["m2i"], rows[0]["ni"]) == (
        "12",
        "6.1",
        "20.5",
        "12",
    )


def test_an_empty_field_can_be_agreed(dual) -> None:
    dual.save_extraction("Zhang 2021", "alice", row(CDASI, "12 weeks", "1 MIU", r="0.6"))
    r = ValueKey("Zhang 2021", CDASI, "12 weeks", "1 MIU", "r")
    dual.resolve_extraction(r, "", by="carol")
    assert r not in {d.key for d in dual.compare_extractions("alice", "bob")}
    dual.resolve_extraction(SD_PRE, "6.1", by="carol")
    dual.resolve_extraction(N, "12", by="carol")
    assert dual.export_extraction()[1][0]["ri"] == ""


def test_compare_needs_known_extractors(dual) -> None:
    with pytest.raises(InvalidInputError, match="'dave' is not a reviewer"):
        dual.compare_extractions("alice", "dave")
    assert dual.extractors() == ["alice", "bob"]


def test_studies_link_their_reports(il2) -> None:
    il2.db.execute(
        "INSERT INTO file_import (database, format, file_name, sha256, imported_at)"
        " VALUES ('PubMed', 'medline', 'x.nbib', 'abc', '2024-01-01')"
    )
    for title in ("Low-dose IL-2 in dermatomyositis", "IL-2 in DM: 2-year follow-up"):
        il2.db.execute(
            "INSERT INTO record (import_id, title, created_at) VALUES (1, ?, '2024-01-01')", [title]
        )
    il2.db.conn.commit()
    study = il2.create_study("Li 2020", record_ids=[1, 2])
    assert study.record_ids == (1, 2)
    with pytest.raises(InvalidInputError, match="record 1 is already a report of study 'Li 2020'"):
        il2.link_report("Zhang 2021", 1)
    with pytest.raises(InvalidInputError, match="a study named 'Li 2020' exists already"):
        il2.create_study("Li  2020")
