"""Forest and funnel plots: files parse, carry the labels and numbers, and have the right size."""

from __future__ import annotations

import math
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from screener.pooling import PoolingError, escalc, rma, subgroup_analysis, trimfill
from screener.pooling.plots import forest_plot, funnel_plot, heterogeneity_line

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def bcg(golden):
    inp = golden.load("a_bcg_logRR.json")["inputs"]
    data = {
        "ai": inp["tpos"],
        "bi": inp["tneg"],
        "ci": inp["cpos"],
        "di": inp["cneg"],
        "study": inp["author"],
    }
    return escalc(data, measure="RR"), inp


def _svg_texts(path) -> str:
    root = ET.parse(path).getroot()  # raises if the SVG is not well-formed XML
    assert root.tag == f"{SVG_NS}svg"
    return "\n".join("".join(node.itertext()) for node in root.iter(f"{SVG_NS}text"))


def test_forest_svg_has_labels_estimate_and_heterogeneity(tmp_path, bcg):
    es, inp = bcg
    res = rma(es, method="REML")
    path = tmp_path / "forest.svg"
    forest_plot(res, path)
    texts = _svg_texts(path)
    for author in set(inp["author"]):
        assert author in texts
    pooled = f"{math.exp(res.estimate):.2f} [{math.exp(res.ci_lb):.2f}, {math.exp(res.ci_ub):.2f}]"
    assert pooled in texts  # the back-transformed pooled risk ratio
    assert f"I² = {res.I2:.1f}%" in texts and f"τ² = {res.tau2:.4g}" in texts
    assert f"Q = {res.QE:.2f}" in texts
    assert "Prediction interval" in texts and "(log scale)" in texts
    for weight in np.asarray(res.weights_percent):
        assert f"{weight:.1f}%" in texts


def test_forest_png_has_the_requested_pixel_size(tmp_path, bcg):
    es, _ = bcg
    path = tmp_path / "forest.png"
    forest_plot(rma(es), path, width=8, height=5, dpi=100)
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (800, 500)


def test_forest_pdf_and_subgroup_blocks(tmp_path, bcg):
    es, inp = bcg
    sub = subgroup_analysis(es, groups=inp["alloc"], method="REML")
    pdf = tmp_path / "forest.pdf"
    forest_plot(sub, pdf, overall=rma(es))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    svg = tmp_path / "sub.svg"
    forest_plot(sub, svg, overall=rma(es))
    texts = _svg_texts(svg)
    for level in sub.levels:
        assert level in texts and f"Subtotal ({level})" in texts
    assert f"Test for subgroup differences: Q = {sub.Q_between:.2f}" in texts


def test_forest_on_the_model_scale_and_with_columns(tmp_path, bcg):
    es, inp = bcg
    res = rma(es, method="DL")
    path = tmp_path / "model.svg"
    cols = {"Events": [f"{a}/{a + b}" for a, b in zip(inp["tpos"], inp["tneg"], strict=True)]}
    forest_plot(res, path, transform=False, columns=cols)
    texts = _svg_texts(path)
    assert f"{res.estimate:.2f} [{res.ci_lb:.2f}, {res.ci_ub:.2f}]" in texts
    assert "Events" in texts and cols["Events"][0] in texts


def test_funnel_plot_with_filled_studies(tmp_path, bcg):
    es, _ = bcg
    res = rma(es, method="FE")
    tf = trimfill(es, method="FE")
    path = tmp_path / "funnel.svg"
    funnel_plot(res, path, filled=tf)
    texts = _svg_texts(path)
    assert "Contour-enhanced funnel plot" in texts and "Filled (trim-and-fill)" in texts
    assert "Standard error" in texts


def test_unknown_extension_is_refused(tmp_path, bcg):
    es, _ = bcg
    with pytest.raises(PoolingError, match="must end in"):
        forest_plot(rma(es), tmp_path / "forest.jpg")


def test_heterogeneity_line_for_a_common_effect_model(bcg):
    es, _ = bcg
    line = heterogeneity_line(rma(es, method="FE"))
    assert line.startswith("Heterogeneity: I² = 92.1%") and "τ²" not in line
