"""The report's settings table names every setting an analysis was run with (moderators too)."""

from __future__ import annotations

from screener.report.analyses import settings_table


def test_list_settings_are_shown_and_the_study_data_is_not() -> None:
    settings = {
        "outcome": "CDASI",
        "measure": "SMD",
        "method": "REML",
        "level": 90.0,
        "by": None,
        "mods": ["dose", "year"],
        "favours": ["IL-2", "placebo"],
        "cumulative": "",
        "data": [{"study": "A", "yi": 0.1}],
        "nested": {"a": 1},
    }
    rows = dict(settings_table(settings).rows)
    assert rows["mods"] == "dose, year"
    assert rows["favours"] == "IL-2, placebo"
    assert rows["level"] == "90"
    assert not {"data", "nested", "by", "cumulative"} & set(rows)


def test_an_empty_list_is_left_out() -> None:
    assert "mods" not in dict(settings_table({"method": "DL", "mods": []}).rows)
