"""The methods text (screener.report.methods) words the facts it is given, and only those."""

from __future__ import annotations

from screener.report.methods import MethodsFacts, analysis_facts, methods_sections

PREPOST = {
    "measure": "SMCR",
    "method": "DL",
    "test": "knha",
    "level": 95,
    "by": "dose",
    "data": [
        {"study": s, "m1i": 30.0, "m2i": 25.0, "sd1i": 8.0, "sd2i": 9.0, "ni": 12, "ri": 0.5}
        for s in ("Ada 2001", "Bo 2003", "Cy 2010", "Di 2012", "Ed 2015")
    ],
}
RESULTS = {"k": 5, "estimate": -0.8, "pi_lb": -1.9, "pi_ub": 0.3, "egger_p": 0.4, "begg_p": 0.5}


def _text(facts: MethodsFacts) -> dict[str, str]:
    return {s.heading: " ".join(s.paragraphs) for s in methods_sections(facts)}


def test_a_pre_post_analysis_states_its_correlation_model_and_small_study_caution():
    facts = analysis_facts("CDASI change", "CDASI", PREPOST, RESULTS)
    assert facts.correlations == (0.5,) * 5 and facts.k == 5 and facts.by == "dose"
    text = _text(
        MethodsFacts(
            studies=5, extractors=("alice",), analyses=(facts,), conversions={"change_sd": 3}
        )
    )
    data = text["Data collection"]
    assert "by one extractor for each of the 5 studies (alice)" in data
    assert "r = 0.5 (5 studies)" in data and "an assumption" in data
    assert "Cochrane Handbook 6.5.2.8" in data and "(3 values)" in data
    synthesis = text["Effect measures and synthesis"]
    assert "standardised mean change with raw-score standardisation (SMCR)" in synthesis
    assert "DerSimonian-Laird estimator of tau² and the Knapp-Hartung adjustment" in synthesis
    assert "Subgroups by “dose”" in synthesis and "with a prediction interval" in synthesis
    bias = text["Reporting bias assessment"]
    assert "Egger's regression test and Begg's rank correlation test" in bias
    assert "fewer than 10 studies" in bias and "13.3.5.4" in bias


def test_an_empty_review_claims_nothing():
    text = _text(MethodsFacts())
    assert text["Information sources and search"] == "No searches or imports are recorded yet."
    assert text["Data collection"] == "No data extracted yet."
    assert text["Effect measures and synthesis"] == "No analyses saved yet."
    assert "not recorded" in text["Certainty assessment"]
    assert "kappa" not in text["Selection process"]
