"""The report folder: never half-written, replaced only with --force, files 0644 (umask 022)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from screener.cli import main
from screener.project import Project


@pytest.fixture
def review(project: Project) -> Path:
    project.close()
    return project.path


def test_an_existing_report_is_replaced_only_with_force(review: Path, tmp_path: Path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(review), "--out", str(out)]) == 0
    (out / "figures" / "stale.svg").write_text("from an older version")
    first = (out / "report.html").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(review), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert (out / "report.html").read_text(encoding="utf-8") == first
    assert main(["report", str(review), "--out", str(out), "--force"]) == 0
    assert not (out / "figures" / "stale.svg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "review.db"]
    assert main(["report", "--help"]) == 0 and "--force" in capsys.readouterr().out


def test_a_report_that_fails_halfway_leaves_the_earlier_one_whole(
    review: Path, tmp_path: Path, monkeypatch
):
    out = tmp_path / "report"
    with Project.open(review) as project:
        project.write_report(out)
        before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

        def broken(data):
            raise RuntimeError("the renderer failed")

        monkeypatch.setattr("screener.report.render.render_html", broken)
        with pytest.raises(RuntimeError):
            project.write_report(out, replace=True)
        with pytest.raises(RuntimeError):
            project.write_report(tmp_path / "new")
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report", "review.db"]


def test_report_files_and_folders_get_the_usual_modes(review: Path, tmp_path: Path):
    old = os.umask(0o022)
    try:
        with Project.open(review) as project:
            files = project.write_report(tmp_path / "report")
    finally:
        os.umask(old)
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert stat.S_IMODE((tmp_path / "report").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "report" / "figures").stat().st_mode) == 0o755
