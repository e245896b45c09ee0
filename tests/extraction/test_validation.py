"""Values are checked as typed, with a message that says what is wrong; forms are read from TOML."""

from __future__ import annotations

import pytest
from extraction_support import CDASI, row

from screener.errors import InvalidInputError, ParseError
from screener.extraction.forms import FieldSpec, OutcomeSpec, data_fields, parse_form
from screener.extraction.numbers import parse_number
from screener.extraction.validate import check_value, row_warnings
from screener.extraction.values import ValueEntry

SD = FieldSpec("sd_pre", "SD before", "number", "outcome", unit="points", positive=True)
N = FieldSpec("n", "n", "integer", "outcome", minimum=1)
R = FieldSpec("r", "Pre-post correlation r", "number", "outcome", minimum=-1, maximum=1)
P = FieldSpec("pval", "P value", "number", "outcome", minimum=0, maximum=1, allow_relation=True)
DESIGN = FieldSpec("design", "Study design", "choice", choices=("case series", "cohort"))


@pytest.mark.parametrize(
    ("spec", "typed", "message"),
    [
        (SD, "0", "SD before: must be greater than 0 (got 0)"),
        (SD, "-2.5", "SD before: must be greater than 0 (got -2.5)"),
        (SD, "twelve", "SD before: 'twelve' is not a number"),
        (SD, "12,5", "SD before: '12,5' has a decimal comma; type 12.5"),
        (
            SD,
            "1,234",
            "SD before: '1,234': type 1234 (no thousands separator), or 1.234 if the comma is a "
            "decimal mark",
        ),
        (SD, "3 mg", "SD before: '3 mg' is in mg, but this field is in points; convert it first"),
        (N, "12.5", "n: must be a whole number (got 12.5)"),
        (N, "0", "n: must be at least 1 (got 0)"),
        (R, "1.2", "Pre-post correlation r: must be at most 1 (got 1.2)"),
        (R, "<0.5", "Pre-post correlation r: '<0.5': give the value itself, not a bound"),
        (DESIGN, "trial", "Study design: 'trial' is not one of: case series, cohort"),
    ],
)
def test_bad_values_get_a_clear_message(spec: FieldSpec, typed: str, message: str) -> None:
    checked = check_value(spec, typed)
    assert not checked.ok
    assert checked.message == message


@pytest.mark.parametrize(
    ("spec", "typed", "stored"),
    [
        (SD, "6.10", "6.10"),  # trailing zeros kept: they carry the reported precision
        (SD, " 6.1 points", "6.1"),  # the field's own unit is accepted and dropped
        (R, "\u22120.35", "-0.35"),  # a typographic minus
        (N, "12.0", "12"),
        (P, "< .001", "<0.001"),
        (DESIGN, "Case Series", "case series"),
        (SD, "", ""),  # empty: the field is left empty (a save clears it)
    ],
)
def test_good_values_are_normalised(spec: FieldSpec, typed: str, stored: str) -> None:
    checked = check_value(spec, typed)
    assert checked.ok, checked.message
    assert checked.text == stored


def test_numbers_keep_their_decimals_for_rounding_checks() -> None:
    assert parse_number("5.10").decimals == 2
    assert parse_number("5.10").half_unit == pytest.approx(0.005)
    assert parse_number("<0.001", allow_relation=True).relation == "<"


def test_cross_field_warnings_are_flagged_not_blocked() -> None:
    dich = OutcomeSpec("Response", "dichotomous", groups=("IL-2", "placebo"))
    assert row_warnings(
        dich, {"events1": "12", "total1": "10", "events2": "3", "total2": "10"}
    ) == ["events (12) exceed the total (10) in the IL-2 group"]
    generic = OutcomeSpec("Effect", "generic")
    assert row_warnings(
        generic, {"measure": "OR", "estimate": "-0.4", "ci_lb": "-0.9", "ci_ub": "0.1"}
    ) == ["a OR must be above 0 (estimate = -0.4); type the ratio, not its log"]
    assert row_warnings(generic, {"estimate": "2.5", "ci_lb": "0.2", "ci_ub": "1.9"}) == [
        "the estimate (2.5) lies outside its CI (0.2 to 1.9)"
    ]


def test_save_refuses_a_bad_value_and_keeps_nothing(il2) -> None:
    entries = [ValueEntry("n", "12"), *row(CDASI, "12 weeks", "1 MIU", m_pre="20.5", sd_pre="0")]
    with pytest.raises(
        InvalidInputError, match=r"Zhang 2021 · CDASI activity: SD before: must be greater than 0"
    ):
        il2.save_extraction("Zhang 2021", "alice", entries)
    assert il2.extraction_values() == []


def test_save_refuses_unknown_fields_and_outcomes(il2) -> None:
    with pytest.raises(InvalidInputError, match="'dose' is not a study-level field"):
        il2.save_extraction("Zhang 2021", "alice", [ValueEntry("dose", "1")])
    with pytest.raises(InvalidInputError, match="no outcome named 'MMT-8'"):
        il2.save_extraction("Zhang 2021", "alice", [ValueEntry("m_pre", "1", "MMT-8")])
    with pytest.raises(
        InvalidInputError, match="'events' is not a field of 'CDASI activity' \\(prepost\\)"
    ):
        il2.save_extraction("Zhang 2021", "alice", [ValueEntry("events", "1", CDASI)])
    with pytest.raises(InvalidInputError, match="no study named 'Li 2022'"):
        il2.save_extraction("Li 2022", "alice", [ValueEntry("n", "1")])


def test_save_returns_row_warnings(il2) -> None:
    warnings = il2.save_extraction(
        "Zhang 2021", "alice", row("Adverse events", "24 weeks", "", events="14", n="12")
    )
    assert warnings == ["Zhang 2021 · Adverse events · 24 weeks: events (14) exceed the total (12)"]
    assert {v.key.field: v.value for v in il2.extraction_values()} == {"events": "14", "n": "12"}


def test_every_data_type_has_its_fields() -> None:
    keys = {
        t: [f.key for f in data_fields(OutcomeSpec("x", t))]
        for t in ("continuous", "prepost", "dichotomous", "proportion", "correlation", "generic")
    }
    assert keys["continuous"] == ["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"]
    assert keys["prepost"] == ["m_pre", "sd_pre", "m_post", "sd_post", "n", "r"]
    assert keys["dichotomous"] == ["events1", "total1", "events2", "total2"]
    assert keys["proportion"] == ["events", "n"] and keys["correlation"] == ["r", "n"]
    assert keys["generic"][:4] == ["measure", "estimate", "ci_lb", "ci_ub"]


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            '[form]\nname = "x"\n[[field]]\nkey = "n"\nkind = "numbr"\n',
            "[[field]] 1 (n)",
            "kind 'numbr' is not one of",
        ),
        (
            '[form]\nname = "x"\n[[outcome]]\nname = "A"\ndata_type = "ordinal"\n',
            "[[outcome]] 1 (A)",
            "data_type 'ordinal'",
        ),
        ('[form]\nname = "x"\n[[field]]\nkey = "a b"\n', "[[field]] 1 (a b)", "key must be a name"),
        (
            '[form]\nname = "x"\n[[outcome]]\nname = "A"\ndata_type = "prepost"\nmin = 10\nmax = '
            "0\n",
            "[[outcome]] 1 (A)",
            "min must be below max",
        ),
        (
            '[form]\nname = "x"\n[[field]]\nkey = "c"\nkind = "choice"\n',
            "[[field]] 1 (c)",
            "needs choices",
        ),
        ('[form]\nname = "x"\nversion = "one"\n', "[form]", "version must be a whole number"),
        ('[form]\nname = "x"\n[[field]\n', "line 3", ""),
    ],
)
def test_form_mistakes_name_where_they_are(text: str, where: str, problem: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_form(text, file_name="my_form.toml")
    assert caught.value.file_name == "my_form.toml"
    assert caught.value.location == where
    assert problem in caught.value.problem


def test_builtin_forms_load(tmp_path) -> None:
    from screener.project import Project

    with Project.create(tmp_path / "f.db", title="Forms") as project:
        for name in ("default", "il2_myositis", "bcg"):
            form = project.load_form(builtin=name)
            assert project.extraction_form().name == form.name
        il2 = project.load_form(builtin="il2_myositis")
        cdasi = il2.outcome(CDASI)
        assert (cdasi.data_type, cdasi.minimum, cdasi.maximum, cdasi.integer) == (
            "prepost",
            0,
            100,
            True,
        )
        assert project.outcomes()[CDASI].subgroups == ("0.5 MIU", "1 MIU", "2 MIU")
        assert il2.study_field("il2_dose").unit == "MIU"
        # Loading the same text again keeps its version; the form file is a real TOML file too.
        path = tmp_path / "mine.toml"
        path.write_text(
            il2.source.replace("version = 1", "version = 1\n# edited"), encoding="utf-8"
        )
        assert project.load_form(path).version == 2
        assert project.load_form(builtin="il2_myositis").version == 1
        with pytest.raises(InvalidInputError, match="no built-in form 'nope'"):
            project.load_form(builtin="nope")
