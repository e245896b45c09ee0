"""``screener simulate``'s replay: metrics by hand, output files, bad labelled files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.errors import ParseError, ScreenerError
from screener.project import Project
from screener.screening.simulation import metrics

DATA = Path(__file__).resolve().parents[1] / "data" / "ranking" / "nagtegaal_2019_small.csv"


def test_metrics_by_hand() -> None:
    # 2 priors, then 20 records screened, 4 relevant among them at positions 1, 2, 5 and 12.
    labels = [True, False] + [False] * 20
    for at in (1, 2, 5, 12):
        labels[1 + at] = True
    order = list(range(22))
    found = metrics(order, labels, 2)
    # 95% recall = ceil(3.8) = 4 relevant: after 12 records. WSS@95 = (20 - 12) / 20 - 0.05
    assert found.screened_at_95 == 12
    assert found.wss95 == pytest.approx(8 / 20 - 0.05)
    # RRF@10: after 10% of 20 = 2 records, 2 of 4 relevant found
    assert found.rrf10 == pytest.approx(0.5)


def test_simulation_writes_curves_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    report = Project.simulate(DATA, "label_included", seeds=1, out=out)
    assert sorted(p.name for p in out.iterdir()) == [
        "recall.png",
        "recall.svg",
        "simulation.json",
        "simulation.txt",
    ]
    assert (out / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "recall.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "Records screened" in svg and "nagtegaal_2019_small.csv" in svg
    found = json.loads((out / "simulation.json").read_text(encoding="utf-8"))
    assert found["records"] == 200 and found["relevant"] == 30
    (run,) = found["runs"]
    assert run["seed"] == 1 and len(run["priors"]) == 2
    # prioritised screening beats random order here, and by a margin (random: WSS@95 = 0)
    assert 0.1 < run["wss95"] < 0.95 and 0.1 < run["rrf10"] <= 1
    assert 0 < run["screened_at_95"] < 198
    # the stopping rule stopped, and where it did, recall was at least the target
    assert run["stopped_at"] is not None and run["recall_at_stop"] >= 0.95
    assert found["runs_reaching_target_at_stop"] == 1
    table = (out / "simulation.txt").read_text(encoding="utf-8")
    assert "WSS@95" in table and f"{run['wss95']:.3f}" in table
    assert report.runs[0].metrics.wss95 == pytest.approx(run["wss95"], abs=1e-4)
    # an earlier simulation's folder is replaced only on purpose
    with pytest.raises(ScreenerError, match="already exists"):
        Project.simulate(DATA, "label_included", seeds=1, out=out)


def test_bad_labelled_files_name_the_file_and_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("title,abstract\nA,B\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"missing\.csv, line 1: no column 'included'"):
        Project.simulate(missing, "included", seeds=1)
    bad = tmp_path / "bad.csv"
    bad.write_text("title,abstract,included\nA,B,1\nC,D,perhaps\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad\.csv, line 3: the label 'perhaps'"):
        Project.simulate(bad, "included", seeds=1)
    one_class = tmp_path / "one.csv"
    one_class.write_text("title,abstract,included\nA,B,0\nC,D,0\n", encoding="utf-8")
    with pytest.raises(ScreenerError, match="needs both relevant"):
        Project.simulate(one_class, "included", seeds=1)


@pytest.mark.corpus
def test_a_cohen_set_in_the_shared_layout(shared_dir: Path) -> None:
    path = shared_dir / "data" / "screening" / "cohen_2006" / "Antihistamines.csv"
    report = Project.simulate(path, "label_included", seeds=1)
    assert len(report.data.labels) == 310 and sum(report.data.labels) == 16
    assert report.runs[0].metrics.screened_at_95 > 0
