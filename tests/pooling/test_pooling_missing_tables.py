"""2x2 tables with a missing count under Mantel-Haenszel and Peto: like metafor 3.8
(``g_screener_cases.json``), the table is left out with a note and the rest are pooled."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from screener.cli.meta import meta_command
from screener.pooling import PoolingError, rma_mh, rma_peto


@pytest.fixture(scope="module")
def cases(golden):
    return golden.load("g_screener_cases.json")


def _tables(case) -> pd.DataFrame:
    inp = case["inputs"]
    return pd.DataFrame(
        {
            "study": inp["study"],
            **{c: [math.nan if x is None else x for x in inp[c]] for c in ("ai", "bi", "ci", "di")},
        }
    )


@pytest.mark.parametrize("measure", ["OR", "RR", "RD", "PETO"])
def test_a_table_with_a_missing_count_is_left_out_with_a_note(cases, golden, measure):
    case = cases["mh_missing_count"]
    frame = _tables(case)
    res = rma_peto(frame) if measure == "PETO" else rma_mh(frame, measure=measure)
    ref = case["fits"][measure]
    assert golden.compare(ref, golden.fit_view(res, confint=False)) == golden.leaves(ref)
    assert res.k == 3
    assert any("d" in note and "missing" in note for note in res.notes), res.notes
    assert res.labels == ("a", "b", "c")
    assert np.all(np.isfinite(res.weights_percent))


def test_missing_counts_in_every_table_is_a_clear_error(cases):
    frame = _tables(cases["mh_missing_count"])
    frame["ci"] = math.nan
    for pool in (lambda f: rma_mh(f, measure="OR"), rma_peto):
        with pytest.raises(PoolingError, match="missing"):
            pool(frame)


def test_a_missing_total_counts_as_a_missing_count():
    frame = pd.DataFrame(
        {
            "study": ["a", "b", "c"],
            "ai": [4, 6, 3],
            "n1i": [123, 306, math.nan],
            "ci": [11, 29, 11],
            "n2i": [139, 303, 220],
        }
    )
    res = rma_mh(frame, measure="RR")
    assert res.k == 2 and res.labels == ("a", "b")


@pytest.mark.parametrize(
    "method,measure", [("MH", "OR"), ("MH", "RR"), ("MH", "RD"), ("PETO", "OR")]
)
def test_meta_pools_the_whole_tables_of_a_csv_with_an_empty_cell(cases, tmp_path, method, measure):
    case = cases["mh_missing_count"]
    path = tmp_path / "tables.csv"
    _tables(case).assign(region=["n", "n", "s", "s"]).to_csv(path, index=False)
    result = CliRunner().invoke(
        meta_command, [str(path), "--measure", measure, "--method", method, "--json"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    ref = case["fits"]["PETO" if method == "PETO" else measure]
    assert out["k"] == 3 and out["estimate"] == pytest.approx(ref["estimate"], rel=1e-10)
    assert any("missing" in note and "d" in note for note in out["notes"])
    text = CliRunner().invoke(
        meta_command, [str(path), "--measure", measure, "--method", method, "--by", "region"]
    )
    assert text.exit_code == 0, text.output
