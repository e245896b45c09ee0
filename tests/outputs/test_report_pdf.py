"""report.pdf and a look at report.html in headless Chromium (skipped where there is none).

The hostile review with an analysis (forest, funnel and RoB plots, hostile labels everywhere) is
the page: Chromium must load it, print it to PDF, and a screenshot must show a drawn page.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from docx import Document
from outputs_support import hostile_review_with_analysis

from screener.cli import main
from screener.report import pdf

CHROMIUM = pdf.chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium or chromium-browser binary on PATH (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile-pdf") / "hostile.db"
    hostile_review_with_analysis(path).close()
    return path


@needs_chromium
def test_report_pdf_is_printed_by_chromium(hostile: Path, tmp_path: Path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(hostile), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "report.pdf written by headless Chromium" in captured.err
    assert str(out / "report.pdf") in captured.out.split("\n")
    data = (out / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") >= 3  # several pages
    assert Document(str(out / "report.docx")).paragraphs  # reopens


@needs_chromium
def test_a_screenshot_of_report_html_shows_a_drawn_page(hostile: Path, tmp_path: Path):
    import matplotlib.image

    out = tmp_path / "report"
    assert main(["report", str(hostile), "--out", str(out), "--no-pdf"]) == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,3000",
            f"--screenshot={shot}",
            (out / "report.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=pdf.TIMEOUT,
    )
    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[:2] == (3000, 1200)
    ink = (pixels[..., :3].mean(axis=2) < 0.5).mean()  # share of dark pixels: text drawn
    assert 0.005 < ink < 0.5


def test_without_a_converter_one_line_says_no_pdf_was_written(
    project, tmp_path: Path, capsys, monkeypatch
):
    monkeypatch.setattr("screener.report.pdf.shutil.which", lambda name: None)
    project.close()
    out = tmp_path / "report"
    assert main(["report", str(project.path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "PDF" in line]
    assert len(lines) == 1 and "no PDF written" in lines[0] and "Chromium" in lines[0]
    assert not (out / "report.pdf").exists() and (out / "report.html").is_file()
