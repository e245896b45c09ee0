"""Pooling a review's extracted data gives metafor's numbers: the data go in through extraction
(the BCG demo review, or reviews made from the reference inputs), come out as the analysis-ready
table, are pooled and saved; the saved results are compared with metafor 3.8."""

from __future__ import annotations

import pytest
from pool_review_support import KEYS, assert_close, assert_fit, one_outcome_review, reference


def test_bcg_logrr_reml_from_the_extracted_data(bcg):
    saved = bcg.pool("Tuberculosis", measure="RR", method="REML", reviewer="lead")
    ref = reference("a_bcg_logRR.json")["tau2_estimators"]["REML"]
    assert saved.results["measure"] == "RR" and saved.settings["method"] == "REML"
    assert assert_fit(saved.results, ref, "BCG RR REML") >= 15
    for ours, theirs in (
        ("tau2_ci_lb", ("tau2", "ci.lb")),
        ("tau2_ci_ub", ("tau2", "ci.ub")),
        ("I2_ci_lb", ("I2", "ci.lb")),
        ("I2_ci_ub", ("I2", "ci.ub")),
    ):
        assert_close(saved.results[ours], ref["confint"][theirs[0]][theirs[1]], ours)
    # the studies are the 13 trials in dat.bcg's order, named as extracted
    inputs = reference("a_bcg_logRR.json")["inputs"]
    assert [label.rsplit(" ", 1)[0] for label in saved.results["studies"]["label"]] == inputs[
        "author"
    ]
    for ours, theirs in zip(saved.results["studies"]["yi"], inputs["yi"], strict=True):
        assert_close(ours, theirs, "yi")


def test_bcg_subgroups_by_allocation(bcg):
    saved = bcg.pool("Tuberculosis", measure="RR", method="REML", by="alloc")
    ref = reference("a_bcg_logRR.json")["subgroup_alloc"]["separate_fits_REML"]
    groups = saved.results["subgroups"]
    assert list(groups) == list(ref["per_level"]) == ["alternate", "random", "systematic"]
    for level, fit in ref["per_level"].items():
        assert_fit(groups[level], fit, f"alloc={level}")
    between = ref["test_for_subgroup_differences"]
    assert_close(saved.results["Q_between"], between["Q_between"], "Q_between")
    assert saved.results["df_between"] == between["df"] == 2
    assert_close(saved.results["p_between"], between["pval"], "p_between", pvalue=True)
    # each study carries its subgroup, for the report's per-study table and R script
    inputs = reference("a_bcg_logRR.json")["inputs"]
    alloc = {
        f"{a} {y}": g
        for a, y, g in zip(inputs["author"], inputs["year"], inputs["alloc"], strict=True)
    }
    studies = saved.results["studies"]
    assert [alloc[label] for label in studies["label"]] == studies["subgroup"]


@pytest.mark.parametrize(
    ("case", "block", "data_type", "measure"),
    [
        ("b_normand1999_continuous.json", "SMD", "continuous", "SMD"),
        ("b_normand1999_continuous.json", "MD", "continuous", "MD"),
        ("e_pritz1997_proportions.json", "PLO", "proportion", "PLO"),
        ("f_molloy2014_correlations.json", "ZCOR", "correlation", "ZCOR"),
    ],
)
def test_other_data_types_through_extraction(tmp_path, case, block, data_type, measure):
    data = reference(case)
    inp = data["inputs"]
    # internal field name -> the escalc input it is exported as (screener.extraction.table)
    names = {
        "continuous": {k: k for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")},
        "proportion": {"events": "xi", "n": "ni"},
        "correlation": {"r": "ri", "n": "ni"},
    }[data_type]
    fields = {field: inp[column] for field, column in names.items()}
    k = len(next(iter(fields.values())))
    studies = [f"Study {i + 1:02d}" for i in range(k)]
    with one_outcome_review(
        tmp_path / "r.db", data_type=data_type, fields=fields, studies=studies
    ) as project:
        saved = project.pool("Outcome", measure=measure, method="REML")
        again = project.analysis(saved.id)
    assert again.results == saved.results
    assert assert_fit(again.results, data[block]["REML"], f"{case} {block} REML") >= 13
    for ours, theirs in zip(
        again.results["studies"]["yi"], data[block]["escalc"]["yi"], strict=True
    ):
        assert_close(ours, theirs, "yi")
    back = data[block].get("REML_backtransformed")
    # the JSON carries the natural scale wherever the text prints it: proportions on the logit
    # scale and Fisher's z as well as ratios (not MD or SMD, already on their own scale)
    assert ("transformed" in again.results) == (measure in ("PLO", "ZCOR"))
    if back is not None:
        for ours, theirs in (
            ("estimate", "pred"),
            ("ci_lb", "ci.lb"),
            ("ci_ub", "ci.ub"),
            ("pi_lb", "pi.lb"),
            ("pi_ub", "pi.ub"),
        ):
            assert_close(
                again.results["transformed"][ours], back[theirs], f"back-transformed {ours}"
            )


@pytest.mark.parametrize(("method", "measure", "block"), [("MH", "OR", "OR"), ("PETO", "OR", None)])
def test_bcg_mantel_haenszel_and_peto(bcg, method, measure, block):
    data = reference("d_bcg_binary.json")
    ref = data["mantel_haenszel"][block] if block else data["peto"]
    saved = bcg.pool("Tuberculosis", measure=measure, method=method)
    r = saved.results
    compared = 0
    for name in (
        "estimate",
        "se",
        "ci.lb",
        "ci.ub",
        "zval",
        "pval",
        "QE",
        "QEp",
        "I2",
        "H2",
        "MH",
        "MHp",
        "TA",
        "TAp",
        "CO",
        "COp",
        "BD",
        "BDp",
    ):
        if name in ref:
            key = KEYS.get(name, name)
            assert_close(
                r[key], ref[name], f"{method} {key}", pvalue=name == "pval" or name.endswith("p")
            )
            compared += 1
    assert compared >= 10
    for ours, theirs in (("estimate", "estimate"), ("ci_lb", "ci.lb"), ("ci_ub", "ci.ub")):
        assert_close(r["transformed"][ours], ref["exp"][theirs], f"{method} exp({ours})")
