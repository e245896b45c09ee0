"""The forest plot as a journal prints it (issue 18, item 1): no text overlaps anything at any k,
the line of no effect inside the axis, the measure named in words, favours labels, data columns
that fit the measure, prediction intervals only where k >= 3, CJK labels."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.text import Text

from screener.plots.fonts import cjk_font
from screener.plots.measures import axis_label
from screener.pooling import escalc, rma, subgroup_analysis
from screener.pooling.plots import forest_plot, plot_scale

SVG = "{http://www.w3.org/2000/svg}"
LONG = "Zhang, Wei-Ming; Abernathy-Okonkwo, Theodora; et al. (2019) Long label"


def _studies(
    k: int, *, seed: int = 7, long: bool = False
) -> tuple[list[float], list[float], list[str]]:
    rng = np.random.default_rng(seed)
    yi = list(rng.normal(-0.6, 0.5, k))
    vi = list(rng.uniform(0.02, 0.3, k))
    labels = [f"{LONG} {i}" if long and i % 3 == 0 else f"Study {i}" for i in range(k)]
    return yi, vi, labels


def _texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _boxes(fig) -> tuple[list[str], np.ndarray]:
    renderer = fig.canvas.get_renderer()
    texts = _texts(fig)
    boxes = np.array([t.get_window_extent(renderer).extents for t in texts])
    return [t.get_text() for t in texts], boxes


def _overlaps(boxes: np.ndarray, tol: float = 0.5) -> list[tuple[int, int]]:
    x0, y0, x1, y1 = (boxes[:, i][:, None] for i in range(4))
    hit = (x0 + tol < x1.T) & (x0.T + tol < x1) & (y0 + tol < y1.T) & (y0.T + tol < y1)
    np.fill_diagonal(hit, False)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(np.triu(hit)), strict=True)]


def assert_no_overlap(fig) -> None:
    """No two texts touch, no text enters the plot area, every text is inside the figure."""
    names, boxes = _boxes(fig)
    clashes = [(names[i], names[j]) for i, j in _overlaps(boxes)]
    assert not clashes, clashes[:5]
    ax = fig.axes[0]
    area = ax.get_window_extent().extents
    inside = _overlaps(np.vstack([boxes, area]))
    assert not [names[i] for i, j in inside if j == len(names)], "text in the plot area"
    width, height = fig.bbox.width, fig.bbox.height
    assert boxes[:, 0].min() >= 0 and boxes[:, 1].min() >= 0
    assert boxes[:, 2].max() <= width + 0.5 and boxes[:, 3].max() <= height + 0.5


@pytest.mark.parametrize("k", [2, 3, 10, 40, 100])
def test_no_text_overlaps_at_any_k_with_long_labels_and_subgroups(k):
    yi, vi, labels = _studies(k, long=True)
    es = escalc({"yi": yi, "vi": vi, "study": labels}, measure="GEN")
    groups = ["low dose" if i % 2 else "high dose, weekly for twelve weeks" for i in range(k)]
    if k >= 4:
        sub = subgroup_analysis(es, groups=groups, method="REML")
        fig = forest_plot(
            sub,
            overall=rma(es),
            favours=("Favours IL-2", "Favours placebo"),
            columns={("Group 1", "n"): [str(20 + i) for i in range(k)]},
        )
    else:
        fig = forest_plot(rma(es), favours=("Favours IL-2", "Favours placebo"))
    assert_no_overlap(fig)


@pytest.mark.parametrize("measure", ["RR", "OR", "PLO", "ZCOR", "SMCR"])
def test_no_text_overlaps_on_every_kind_of_axis(measure):
    yi, vi, labels = _studies(12, seed=3)
    if measure == "PLO":
        yi = [y - 1.5 for y in yi]
    if measure == "ZCOR":
        yi = [y / 3 for y in yi]
    fig = forest_plot(
        rma(yi, vi, labels=labels, measure=measure),
        favours=("Favours treatment", "Favours control"),
        title=LONG,
    )
    assert_no_overlap(fig)


def _svg(fig_path) -> tuple[ET.Element, str]:
    root = ET.parse(fig_path).getroot()
    return root, "\n".join("".join(n.itertext()) for n in root.iter(f"{SVG}text"))


def test_prepost_forest_draws_the_null_line_inside_the_axis_and_names_the_measure(tmp_path):
    # IL-2 myositis: every CI below 0; the null line must still be drawn, inside the x-axis
    yi, vi = [-1.2, -0.9, -0.7, -1.0, -0.8], [0.02, 0.03, 0.025, 0.02, 0.04]
    res = rma(yi, vi, labels=list("ABCDE"), measure="SMCR")
    path = tmp_path / "forest.svg"
    fig = forest_plot(res, path, favours=("Favours IL-2", "Favours baseline"))
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert lo < 0 < hi
    nulls = [line for line in ax.get_lines() if set(line.get_xdata()) == {0.0}]
    assert len(nulls) == 1
    _, texts = _svg(path)
    assert "Standardised mean change (SMCR)" in texts
    assert "Favours IL-2" in texts and "Favours baseline" in texts
    assert "Effect size" not in texts


def test_ratio_axis_is_log_scaled_with_ratio_ticks_and_the_null_at_one(tmp_path, golden):
    inp = golden.load("a_bcg_logRR.json")["inputs"]
    es = escalc(
        {
            "ai": inp["tpos"],
            "bi": inp["tneg"],
            "ci": inp["cpos"],
            "di": inp["cneg"],
            "study": inp["author"],
        },
        measure="RR",
    )
    fig = forest_plot(rma(es), tmp_path / "f.svg")
    ax = fig.axes[0]
    ticks = {t.get_text(): x for t, x in zip(ax.get_xticklabels(), ax.get_xticks(), strict=True)}
    assert "1" in ticks and ticks["1"] == pytest.approx(0.0)
    assert {"0.5", "2"} <= set(ticks) or {"0.2", "2"} <= set(ticks)
    assert ticks["2"] == pytest.approx(math.log(2))
    assert any(set(line.get_xdata()) == {0.0} for line in ax.get_lines())
    assert "Risk ratio (log scale)" in _svg(tmp_path / "f.svg")[1]


def test_measure_words_are_one_table():
    assert axis_label("RR") == "Risk ratio (log scale)"
    assert axis_label("SMCR") == "Standardised mean change (SMCR)"
    assert axis_label("MD") == "Mean difference"
    assert axis_label("OR", transform=False) == "Log odds ratio"
    assert plot_scale("RR").label == axis_label("RR")
    assert plot_scale("PLO").null is None  # a proportion has no value of no effect


def _pi_bars(fig) -> int:
    from matplotlib.patches import Rectangle

    ax = fig.axes[0]
    return sum(1 for p in ax.patches if isinstance(p, Rectangle) and p.get_fill() is False)


def test_prediction_interval_only_where_k_is_at_least_three(tmp_path):
    two = rma([0.1, 0.5], [0.04, 0.05], labels=["a", "b"], method="DL")
    three = rma([0.1, 0.5, -0.3], [0.04, 0.05, 0.03], labels=["a", "b", "c"], method="DL")
    fig2 = forest_plot(two, tmp_path / "k2.svg")
    fig3 = forest_plot(three, tmp_path / "k3.svg")
    assert _pi_bars(fig2) == 0 and "Prediction interval" not in _svg(tmp_path / "k2.svg")[1]
    assert _pi_bars(fig3) == 1 and "Prediction interval" in _svg(tmp_path / "k3.svg")[1]


def test_two_study_subgroups_get_no_prediction_interval(tmp_path):
    yi, vi, labels = _studies(7, seed=11)
    es = escalc({"yi": yi, "vi": vi, "study": labels}, measure="GEN")
    sub = subgroup_analysis(es, groups=["a", "a", "b", "b", "b", "b", "b"], method="DL")
    fig = forest_plot(sub, tmp_path / "s.svg", overall=rma(es, method="DL"))
    assert _pi_bars(fig) == 2  # subgroup b (k = 5) and the overall (k = 7), not a
    texts = _svg(tmp_path / "s.svg")[1]
    assert texts.count("Prediction interval") == 2
    assert "Test for subgroup differences" in texts and texts.count("Heterogeneity:") == 3


def test_cjk_labels_render(tmp_path):
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    labels = ["张伟 2019", "佐藤 2020", "김민수 2021"]
    res = rma([0.1, 0.3, -0.2], [0.04, 0.05, 0.03], labels=labels)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "glyph missing from font" warning
        forest_plot(res, tmp_path / "cjk.png")
        forest_plot(res, tmp_path / "cjk.pdf")
    forest_plot(res, tmp_path / "cjk.svg")
    root, texts = _svg(tmp_path / "cjk.svg")
    assert all(label in texts for label in labels)
    styles = " ".join(n.get("style", "") for n in root.iter(f"{SVG}text"))
    assert font in styles


def test_missing_cjk_font_is_named_in_one_warning(monkeypatch):
    from screener.plots import fonts

    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        forest_plot(rma([0.1, 0.3], [0.04, 0.05], labels=["张伟", "b"]))


def test_labels_stay_plain_text(tmp_path):
    labels = [r"$\frac{1}{2}$", "a_b^c", "50% $x$"]
    res = rma([0.1, 0.3, -0.2], [0.04, 0.05, 0.03], labels=labels)
    forest_plot(res, tmp_path / "m.svg", favours=("$a$", r"\alpha"), xlabel="$y$")
    texts = _svg(tmp_path / "m.svg")[1]
    assert all(label in texts for label in [*labels, "$a$", r"\alpha", "$y$"])


def test_no_overlap_in_pairs_helper_detects_a_clash():
    boxes = np.array([[0, 0, 10, 10], [5, 5, 15, 15], [20, 20, 30, 30]], dtype=float)
    assert _overlaps(boxes) == [(0, 1)]
    assert list(itertools.chain(*_overlaps(boxes[1:]))) == []
