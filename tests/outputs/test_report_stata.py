"""analysis.do (screener.report.stata): one block per kept analysis, with its measure and model.

Stata is not installed here, so the do-file is checked for what it says, never run.
"""

from __future__ import annotations

import csv
import io
import math

from screener.report.stata import do_file, stata_csv, stata_rows

LABELS = ["Ada 2001", "Bo 2003", "Cy 2010"]
YI, VI = [-0.5, -0.2, 0.1], [0.04, 0.09, 0.0625]


def _analysis(
    aid: int, name: str, settings: dict, data: list[dict] | None = None, **results: object
) -> dict:
    studies: dict = {"label": LABELS, "yi": YI, "vi": VI}
    if "subgroup" in results:
        studies["subgroup"] = results.pop("subgroup")
    res = {"k": 3, "estimate": -0.2, "studies": studies, **results}
    if data is not None:
        res["data"] = data
    return {"id": aid, "name": name, "outcome": "Pain", "settings": settings, "results": res}


def _blocks(text: str) -> dict[int, str]:
    parts = text.split("* ==== Analysis ")[1:]
    return {int(p.split(":", 1)[0]): p for p in parts}


BINARY = [{"study": s, "ai": 4 + i, "bi": 100, "ci": 9 + i, "di": 95} for i, s in enumerate(LABELS)]
CONTINUOUS = [
    {"study": s, "m1i": 5.0, "sd1i": 2.0, "n1i": 20, "m2i": 6.0 + i, "sd2i": 2.5, "n2i": 21}
    for i, s in enumerate(LABELS)
]
PREPOST = [
    {"study": s, "m1i": 30.0, "m2i": 25.0, "sd1i": 8.0, "sd2i": 9.0, "ni": 12, "ri": 0.5}
    for s in LABELS
]

ANALYSES = [
    _analysis(
        1,
        "Risk ratio, REML",
        {"measure": "RR", "method": "REML", "test": "z", "level": 95},
        BINARY,
        egger_p=0.2,
        egger_z=1.1,
        k0=1,
    ),
    _analysis(
        2,
        'CDASI pre/post\nsecond line "quoted"',
        {"measure": "SMCR", "method": "PM", "test": "knha", "level": 90},
        PREPOST,
    ),
    _analysis(
        3,
        "SMD by dose",
        {"measure": "SMD", "method": "FE", "level": 95, "by": "dose"},
        CONTINUOUS,
        subgroup=["low", "high", "low"],
    ),
    _analysis(4, "Odds ratio, MH", {"measure": "OR", "method": "MH"}, BINARY),
    {"id": 5, "name": "No data", "outcome": "", "settings": {"measure": "MD"}, "results": {"k": 0}},
]


def test_one_block_per_analysis_with_its_measure_and_model():
    text = do_file(ANALYSES, title="IL-2 [review]", when="2026-01-01")
    assert "UNTESTED" in text and "Stata is not installed" in text
    blocks = _blocks(text)
    assert sorted(blocks) == [1, 2, 3, 4, 5]
    assert text.count("if c(stata_version) >= 16 {") == 4
    rr = blocks[1]
    assert 'import delimited using "data/analysis-1-stata.csv"' in rr
    assert "meta esize ai bi ci di, esize(lnrratio) random(reml) studylabel(study) level(95)" in rr
    assert "meta forestplot, eform" in rr and "meta bias, egger" in rr and "meta trimfill" in rr
    assert "metan ai bi ci di, rr random label(namevar=study) level(95)" in rr
    assert "not REML" in rr  # metan is DerSimonian-Laird
    smcr = blocks[2]
    assert smcr.startswith('2: CDASI pre/post second line "quoted" (outcome: Pain)\n')
    assert "meta set yi sei, random(reml) studylabel(study) level(90)" in smcr
    assert "no meta equivalent" in smcr and "meta summarize, se(khartung)" in smcr
    assert "metan yi sei, random label(namevar=study) level(90)" in smcr and "eform" not in smcr
    smd = blocks[3]
    assert "meta esize n1i m1i sd1i n2i m2i sd2i, esize(hedgesg) fixed studylabel(study)" in smd
    assert "meta summarize, subgroup(subgroup)" in smd and "se(khartung)" not in smd
    assert (
        "metan n1i m1i sd1i n2i m2i sd2i, hedges fixedi label(namevar=study) level(95) by(subgroup)"
        in smd
    )
    mh = blocks[4]
    assert "esize(lnoratio) fixed(mhaenszel)" in mh and "metan ai bi ci di, or fixed" in mh
    assert "nothing to refit" in blocks[5]


def test_the_stata_data_file_holds_the_pooled_effects_and_raw_data():
    rows = list(csv.DictReader(io.StringIO(stata_csv(stata_rows(ANALYSES[2])))))
    assert [r["study"] for r in rows] == LABELS and [r["subgroup"] for r in rows] == [
        "low",
        "high",
        "low",
    ]
    assert [float(r["sei"]) for r in rows] == [math.sqrt(v) for v in VI]
    assert rows[0]["m1i"] == "5.0" and rows[1]["n2i"] == "21"
    prepost = list(csv.DictReader(io.StringIO(stata_csv(stata_rows(ANALYSES[1])))))
    assert set(prepost[0]) == {"study", "yi", "sei"}  # meta esize has no SMCR: yi, sei
    assert stata_rows(ANALYSES[4]) == []
