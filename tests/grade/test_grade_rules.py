"""The GRADE rules (screener.report.grade) on constructed cases: one or more per domain, the
certainty arithmetic and the summary-of-findings table. Hand-made numbers, no review file."""

from __future__ import annotations

import math

import pytest

from screener.report.grade import (
    Evidence,
    Judgement,
    StudyRisk,
    assess,
    certainty,
    imprecision,
    inconsistency,
    indirectness,
    parse_domain,
    parse_level,
    publication_bias,
    risk_class,
    risk_of_bias,
    sof_tables,
)


def smd(**kw) -> Evidence:
    """An SMD analysis of 5 studies, 500 participants, CI -0.8 to -0.2 unless ``kw`` says."""
    base = {
        "measure": "SMD",
        "k": 5,
        "estimate": -0.5,
        "ci": (-0.8, -0.2),
        "pi": (-0.9, -0.1),
        "i2": 20.0,
        "participants": 500,
    }
    return Evidence(**{**base, **kw})


def rr(lo: float, hi: float, **kw) -> Evidence:
    """A risk-ratio analysis with the CI ``lo`` to ``hi`` on the ratio scale, 1,000 events."""
    base = {
        "measure": "RR",
        "k": 5,
        "estimate": math.log(lo * hi) / 2,
        "ci": (math.log(lo), math.log(hi)),
        "back": "exp",
        "binary": True,
        "events": 1000,
        "participants": 5000,
    }
    return Evidence(**{**base, **kw})


# --- inconsistency -------------------------------------------------------------------------------


def test_i2_80_with_a_prediction_interval_crossing_the_null_is_serious():
    found = inconsistency(smd(i2=80.0, ci=(-0.8, -0.2), pi=(-1.6, 0.6)))
    assert found.level == "serious"
    assert "prediction interval crosses the null" in found.reason and "I² = 80%" in found.reason


def test_a_prediction_interval_crossing_the_null_alone_is_serious():
    assert inconsistency(smd(i2=45.0, pi=(-1.2, 0.1))).level == "serious"


def test_low_i2_and_a_prediction_interval_on_one_side_is_not_serious():
    found = inconsistency(smd(i2=30.0, pi=(-0.9, -0.05)))
    assert found.level == "not serious" and found.assessed


def test_a_prediction_interval_crossing_with_the_ci_crossing_too_is_left_to_imprecision():
    assert inconsistency(smd(i2=40.0, ci=(-0.5, 0.1), pi=(-1.0, 0.6))).level == "not serious"


def test_considerable_i2_is_serious_without_a_prediction_interval():
    assert inconsistency(smd(k=6, i2=78.0, pi=None)).level == "serious"


def test_the_prediction_interval_of_two_studies_is_not_used():
    found = inconsistency(smd(k=2, i2=40.0, pi=(-3.0, 2.0)))
    assert found.level == "not serious" and "k < 3" in found.reason


def test_a_subgroup_difference_is_named_without_changing_the_level():
    plain = inconsistency(smd(i2=80.0, pi=(-1.6, 0.6)))
    split = inconsistency(smd(i2=80.0, pi=(-1.6, 0.6), p_between=0.03))
    assert split.level == plain.level == "serious"
    assert "subgroup" in split.reason and "subgroup" not in plain.reason


def test_one_study_is_not_assessed_for_inconsistency():
    found = inconsistency(smd(k=1, i2=0.0, pi=None))
    assert found.level == "not serious" and not found.assessed


# --- imprecision ---------------------------------------------------------------------------------


def test_without_a_mid_a_ci_crossing_the_null_is_serious():
    assert imprecision(smd(ci=(-0.6, 0.1))).level == "serious"
    assert imprecision(smd(ci=(-0.6, -0.1))).level == "not serious"


def test_a_ci_crossing_one_mid_threshold_is_serious():
    # CI -0.8 to -0.2 with MID 0.5: important benefit (< -0.5) and unimportant effects
    found = imprecision(smd(ci=(-0.8, -0.2)), mid=0.5)
    assert found.level == "serious" and "MID threshold -0.50" in found.reason


def test_a_ci_spanning_both_mid_thresholds_is_very_serious():
    found = imprecision(smd(ci=(-0.9, 0.7)), mid=0.5)
    assert (
        found.level == "very serious" and "important benefit and an important harm" in found.reason
    )


def test_a_ci_within_the_mid_is_precise_even_across_the_null():
    # no important effect either way: a precise "no important difference"
    assert imprecision(smd(ci=(-0.2, 0.1)), mid=0.5).level == "not serious"


def test_a_ci_beyond_the_mid_is_precise():
    assert imprecision(smd(ci=(-1.4, -0.6)), mid=0.5).level == "not serious"


def test_a_ratio_mid_is_symmetric_on_the_log_scale():
    evidence = rr(0.70, 0.95)
    up, down = imprecision(evidence, mid=1.25), imprecision(evidence, mid=0.8)
    assert up.level == down.level == "serious" and "0.80" in up.reason


def test_the_optimal_information_size_of_a_continuous_outcome_is_400_participants():
    assert imprecision(smd(participants=399)).level == "serious"
    assert imprecision(smd(participants=400)).level == "not serious"
    assert "399 participants do not meet" in imprecision(smd(participants=399)).reason


def test_the_optimal_information_size_of_a_binary_outcome_is_300_events():
    assert imprecision(rr(0.5, 0.8, events=299)).level == "serious"
    assert imprecision(rr(0.5, 0.8, events=300)).level == "not serious"


def test_an_unknown_information_size_does_not_lower_the_level():
    found = imprecision(smd(participants=None))
    assert found.level == "not serious" and "information size" not in found.reason


def test_a_proportion_has_no_null_to_cross():
    found = imprecision(smd(measure="PLO", null=None, back="ilogit", ci=(-1.0, 1.0)))
    assert found.level == "not serious" and "no line of no effect" in found.reason


# --- publication bias ----------------------------------------------------------------------------


def test_publication_bias_is_not_assessed_below_ten_studies():
    found = publication_bias(smd(k=9, egger_p=0.001))
    assert found.level == "not serious" and not found.assessed
    assert found.reason.startswith("not assessed (k < 10")


def test_egger_below_010_with_ten_studies_is_suspected():
    found = publication_bias(smd(k=10, egger_p=0.06))
    assert found.level == "serious" and found.assessed and "suspected" in found.reason
    assert publication_bias(smd(k=10, egger_p=0.10)).level == "not serious"


def test_ten_studies_without_egger_are_not_assessed():
    found = publication_bias(smd(k=12, egger_p=None))
    assert found.level == "not serious" and not found.assessed


# --- risk of bias --------------------------------------------------------------------------------


def test_most_weight_at_high_risk_is_very_serious():
    found = risk_of_bias([StudyRisk("A", 60, "high"), StudyRisk("B", 40, "low")])
    assert found.level == "very serious" and "60% of the weight at high risk" in found.reason


def test_most_weight_at_high_risk_or_some_concerns_is_serious():
    studies = [
        StudyRisk("A", 30, "high"),
        StudyRisk("B", 25, "some concerns"),
        StudyRisk("C", 45, "low"),
    ]
    assert risk_of_bias(studies).level == "serious"


def test_most_weight_at_low_risk_is_not_serious():
    studies = [StudyRisk("A", 40, "high"), StudyRisk("B", 60, "low")]
    assert risk_of_bias(studies).level == "not serious"


def test_weights_not_summing_to_100_are_shares():
    # the weights of the studies with data; 3 of 4 units at high risk is 75%
    assert (
        risk_of_bias([StudyRisk("A", 3, "high"), StudyRisk("B", 1, "low")]).level == "very serious"
    )


def test_studies_not_judged_count_as_some_concerns_and_are_named():
    found = risk_of_bias([StudyRisk("A", 70, ""), StudyRisk("B", 30, "low")])
    assert found.level == "serious" and "not judged (A" in found.reason


def test_each_tools_overall_judgement_maps_to_a_risk_class():
    assert [risk_class(j) for j in ("low", "Some concerns", "high")] == [
        "low",
        "some concerns",
        "high",
    ]
    assert [risk_class(j) for j in ("moderate", "serious", "critical", "no information")] == [
        "some concerns",
        "high",
        "high",
        "",
    ]
    assert [risk_class(j) for j in ("good", "fair", "poor")] == ["low", "some concerns", "high"]


# --- indirectness, certainty, parsing ------------------------------------------------------------


def test_indirectness_is_the_reviewers_call():
    found = indirectness()
    assert found.level == "not serious" and not found.assessed and "reviewer" in found.reason


@pytest.mark.parametrize(
    ("design", "levels", "expected"),
    [
        ("randomised", ["not serious"] * 5, "high"),
        ("randomised", ["serious", "not serious", "not serious", "serious", "not serious"], "low"),
        (
            "randomised",
            ["very serious", "serious", "not serious", "serious", "not serious"],
            "very low",
        ),
        ("observational", ["not serious"] * 5, "low"),
        (
            "observational",
            ["serious", "not serious", "not serious", "not serious", "not serious"],
            "very low",
        ),
    ],
)
def test_certainty_is_the_start_less_the_downgrades_floored_at_very_low(design, levels, expected):
    assert certainty(design, levels) == expected


def test_domains_and_levels_are_read_as_reviewers_type_them():
    assert parse_domain("Risk of bias") == parse_domain("risk-of-bias") == "risk_of_bias"
    assert parse_level("very_serious") == parse_level("Very-Serious") == "very serious"
    with pytest.raises(ValueError):
        parse_domain("bias")
    with pytest.raises(ValueError):
        parse_level("moderate")


def test_a_judgement_replaces_the_suggestion():
    judged = Judgement(1, "inconsistency", "not serious", "explained by dose", "alice", "t")
    a = assess(
        smd(i2=80.0, pi=(-1.6, 0.6)),
        analysis_id=1,
        name="x",
        outcome="o",
        effect="SMD -0.50",
        design="randomised",
        design_source="test",
        judged={"inconsistency": judged},
    )
    d = a.domain("inconsistency")
    assert d.suggested.level == "serious" and d.level == "not serious" and d.by == "alice"
    assert a.certainty == "high"


# --- the summary-of-findings table ---------------------------------------------------------------


def test_the_table_has_one_row_per_analysis_with_lettered_footnotes():
    evil = "Pain [b]x[/b] \x1b[2J $x$"
    first = assess(
        smd(i2=80.0, pi=(-1.6, 0.6)),
        analysis_id=1,
        name=evil,
        outcome=evil,
        effect="SMD -0.50 (-0.80 to -0.20)",
        design="randomised",
        design_source="recorded",
    )
    second = assess(
        smd(ci=(-1.4, -0.6)),
        analysis_id=2,
        name="b",
        outcome="o",
        effect="SMD",
        design="observational",
        design_source="recorded",
        mid=0.5,
        mid_source="set by alice",
    )
    sof, notes = sof_tables([first, second])
    assert [row[1] for row in sof.rows] == [evil, "b"]  # text kept as data
    assert sof.rows[0][5].endswith("Moderate") and sof.rows[1][5].endswith("Low")
    letters = [n for row in sof.rows for n in row[-1].split(", ")]
    assert letters == [note for note, _ in notes.rows] and letters[0] == "a"
    explained = dict(notes.rows)
    assert any(
        t.startswith("Inconsistency: serious, lowered one level") for t in explained.values()
    )
    assert any(
        "Minimally important difference: 0.5 (set by alice)" in t for t in explained.values()
    )
    assert any(
        "Publication bias: not serious, not lowered: not assessed (k < 10" in t
        for t in explained.values()
    )
