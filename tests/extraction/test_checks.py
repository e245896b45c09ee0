"""Consistency checks: flagged with a kind and a one-line explanation, never blocked."""

from __future__ import annotations

import json

import pytest
from extraction_support import CDASI, row

from screener.cli import main
from screener.extraction.checks import check_row, grim_consistent, implied_p, max_sd
from screener.extraction.forms import OutcomeSpec
from screener.extraction.numbers import parse_number
from screener.extraction.values import ValueEntry

SEED = {
    "measure": "SMD",
    "estimate": "-1.146",
    "ci_lb": "-1.591",
    "ci_ub": "-0.700",
    "pval": "0.007",
}


def kinds(outcome: OutcomeSpec, values: dict[str, str]) -> list[str]:
    return [f.kind for f in check_row(outcome, values)]


# --- GRIM (Brown & Heathers 2017) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean", "n", "consistent"),
    [
        (
            "5.19",
            28,
            False,
        ),  # Brown & Heathers' example: 5.19 x 28 = 145.32; 145/28 = 5.18, 146/28 = 5.21
        ("5.18", 28, True),
        ("5.21", 28, True),
        (
            "3.48",
            20,
            False,
        ),  # twenty die rolls: any total / 20 ends in 0 or 5 at the second decimal
        ("3.45", 20, True),
        ("20.92", 12, True),  # Heathers' twelve undergraduates: 251 / 12 = 20.9167
        ("1.125", 8, True),  # 9/8 exactly, either rounding direction accepted at the half
    ],
)
def test_grim_known_cases(mean: str, n: int, consistent: bool) -> None:
    assert grim_consistent(parse_number(mean), n) is consistent


def test_grim_cannot_tell_for_large_samples_and_counts_items() -> None:
    assert (
        grim_consistent(parse_number("5.19"), 100) is None
    )  # n >= 10^decimals: every mean possible
    assert grim_consistent(parse_number("3.47"), 25, items=3) is True  # 260 / 75 = 3.4667


def test_grim_flag_only_for_integer_scales() -> None:
    scale = OutcomeSpec(CDASI, "prepost", minimum=0, maximum=100, integer=True)
    flags = check_row(scale, {"m_pre": "5.19", "sd_pre": "2.1", "n": "28"})
    assert [f.kind for f in flags] == ["grim"]
    assert flags[0].explanation == (
        "mean 5.19 (before) cannot come from 28 integer scores (no whole total / 28 rounds to 5.19)"
    )
    assert kinds(OutcomeSpec("Treg", "prepost"), {"m_pre": "5.19", "n": "28"}) == []


# --- P against CI -------------------------------------------------------------------------------


def test_the_seed_reviews_smd_is_flagged() -> None:
    # The seed's abstract: SMD -1.146 (95% CI -1.591 to -0.700), P = 0.007. That CI implies
    # z = 1.146 / 0.2273 = 5.04, P < 0.001.
    flags = check_row(OutcomeSpec("CDASI change", "generic"), SEED)
    assert [f.kind for f in flags] == ["p_vs_ci"]
    assert flags[0].explanation == (
        "reported P = 0.007, but SMD -1.146 (95% CI -1.591 to -0.700) "
        "implies P = 4.6e-07 (z = 5.04)"
    )


@pytest.mark.parametrize(
    ("values", "flagged"),
    [
        ({**SEED, "pval": "<0.001"}, False),  # what the CI implies
        ({**SEED, "pval": "0.0000005"}, False),
        (
            {"measure": "MD", "estimate": "3.8", "ci_lb": "1.1", "ci_ub": "6.5", "pval": "0.006"},
            False,
        ),
        (
            {"measure": "MD", "estimate": "3.8", "ci_lb": "1.1", "ci_ub": "6.5", "pval": "0.06"},
            True,
        ),
        (
            {"measure": "MD", "estimate": "0.5", "ci_lb": "-0.1", "ci_ub": "1.1", "pval": "0.10"},
            False,
        ),
        # Rounding: 0.5 (0.0 to 1.0) has P 0.05 within the rounding of each printed number.
        (
            {"measure": "MD", "estimate": "0.5", "ci_lb": "0.0", "ci_ub": "1.0", "pval": "0.05"},
            False,
        ),
        # Ratios are tested on the log scale: OR 2.00 (1.41 to 2.83) has log-symmetric limits, P <
        # 0.001.
        (
            {
                "measure": "OR",
                "estimate": "2.00",
                "ci_lb": "1.41",
                "ci_ub": "2.83",
                "pval": "<0.001",
            },
            False,
        ),
        (
            {"measure": "OR", "estimate": "2.00", "ci_lb": "1.41", "ci_ub": "2.83", "pval": "0.04"},
            True,
        ),
    ],
)
def test_p_against_ci(values: dict[str, str], flagged: bool) -> None:
    assert ("p_vs_ci" in kinds(OutcomeSpec("E", "generic"), values)) is flagged


# --- CI symmetry --------------------------------------------------------------------------------


def test_ratio_ci_symmetric_on_the_raw_scale_is_flagged() -> None:
    flags = check_row(
        OutcomeSpec("E", "generic"),
        {"measure": "RR", "estimate": "2.00", "ci_lb": "1.00", "ci_ub": "3.00"},
    )
    assert [f.kind for f in flags] == ["ci_asymmetric"]
    assert (
        "log scale" in flags[0].explanation and "symmetric on the raw scale" in flags[0].explanation
    )


@pytest.mark.parametrize(
    ("values", "flagged"),
    [
        ({"measure": "RR", "estimate": "0.49", "ci_lb": "0.34", "ci_ub": "0.70"}, False),
        ({"measure": "MD", "estimate": "-1.146", "ci_lb": "-1.591", "ci_ub": "-0.700"}, False),
        ({"measure": "MD", "estimate": "2.0", "ci_lb": "1.0", "ci_ub": "4.5"}, True),
        (
            {"measure": "other", "estimate": "2.0", "ci_lb": "1.0", "ci_ub": "4.5"},
            False,
        ),  # no scale to insist on
    ],
)
def test_ci_symmetry(values: dict[str, str], flagged: bool) -> None:
    assert ("ci_asymmetric" in kinds(OutcomeSpec("E", "generic"), values)) is flagged


# --- bounded scales and counts --------------------------------------------------------------------


def test_sd_larger_than_a_bounded_scale_allows() -> None:
    # On 0-100 the largest sample SD with mean 20 and n = 10 is sqrt(20 x 80 x 10/9) = 42.2.
    assert max_sd(0, 100, mean=20, n=10) == pytest.approx(42.16, abs=0.01)
    scale = OutcomeSpec(CDASI, "prepost", minimum=0, maximum=100)
    assert kinds(scale, {"m_post": "20", "sd_post": "42", "n": "10"}) == []
    flags = check_row(scale, {"m_post": "20", "sd_post": "45", "n": "10"})
    assert [f.kind for f in flags] == ["sd_implausible"]
    assert flags[0].explanation == (
        "SD 45 (after) exceeds the largest SD possible on the 0-100 scale with mean 20 (42.2)"
    )
    assert kinds(scale, {"sd_post": "51"}) == ["sd_implausible"]  # > half the range, mean unknown
    assert kinds(scale, {"m_post": "104", "sd_post": "3"}) == ["out_of_range"]


def test_events_more_than_total() -> None:
    dich = OutcomeSpec("Relapse", "dichotomous", groups=("IL-2", "placebo"))
    flags = check_row(dich, {"events1": "11", "total1": "10", "events2": "2", "total2": "10"})
    assert [(f.kind, f.explanation) for f in flags] == [
        ("events_gt_total", "11 events among 10 participants in the IL-2 group")
    ]
    assert kinds(OutcomeSpec("AE", "proportion"), {"events": "5", "n": "4"}) == ["events_gt_total"]


# --- through the review and the CLI ------------------------------------------------------------


def test_checks_on_a_review_and_screener_check_json(il2, capsys) -> None:
    il2.create_study("Seed 2023")
    il2.save_extraction(
        "Seed 2023", "alice", row("CDASI change (effect as reported)", "", "", **SEED)
    )
    il2.save_extraction(
        "Zhang 2021",
        "alice",
        [
            ValueEntry("n", "28"),
            *row(CDASI, "12 weeks", "1 MIU", m_pre="5.19", sd_pre="2.1", n="28"),
            *row("Adverse events", "12 weeks", "", events="30", n="28"),
        ],
    )
    flags = il2.consistency_checks()
    assert [(f.study, f.outcome, f.kind) for f in flags] == [
        ("Zhang 2021", "Adverse events", "events_gt_total"),
        ("Zhang 2021", CDASI, "grim"),
        ("Seed 2023", "CDASI change (effect as reported)", "p_vs_ci"),
    ]
    il2.close()
    assert main(["check", str(il2.path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    seed = next(f for f in out if f["kind"] == "p_vs_ci")
    assert seed["study"] == "Seed 2023" and "reported P = 0.007" in seed["explanation"]
    assert set(seed) == {
        "study",
        "outcome",
        "timepoint",
        "subgroup",
        "kind",
        "explanation",
        "reviewers",
    }
    assert main(["check", str(il2.path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 5 and lines[1].startswith(
        "Zhang 2021 · CDASI activity · 12 weeks · 1 MIU\tgrim\t"
    )
    # the review has no records, so no included report supports either study: PRISMA would
    # not count them, though an analysis can pool them
    assert [line.split("\t")[:2] for line in lines[3:]] == [
        ["Zhang 2021", "no_included_report"],
        ["Seed 2023", "no_included_report"],
    ]


def test_disputed_values_are_checked_per_extractor(dual) -> None:
    # bob's SD before (16.1) is possible on 0-100; make alice's impossible and see it attributed.
    dual.save_extraction("Zhang 2021", "alice", row(CDASI, "12 weeks", "1 MIU", sd_pre="61"))
    flags = dual.consistency_checks()
    assert [(f.kind, f.reviewers) for f in flags] == [("sd_implausible", ("alice",))]


# --- the normal distribution behind p_vs_ci -----------------------------------------------------


@pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
@pytest.mark.parametrize("estimate", [0.0, 0.3, 1.96, 5.0, 12.0, 30.0])
def test_implied_p_is_scipys_normal(estimate: float, level: float) -> None:
    # the checks use the standard library's normal; it gives scipy's numbers, far tail included
    stats = pytest.importorskip("scipy.stats")
    se = 1.0
    half = float(stats.norm.ppf(0.5 + level / 2)) * se
    z, p = implied_p(estimate, estimate - half, estimate + half, level=level)
    assert z == pytest.approx(estimate / se, rel=1e-12, abs=1e-12)
    assert p == pytest.approx(2 * float(stats.norm.sf(estimate / se)), rel=1e-9)
    assert p > 0
