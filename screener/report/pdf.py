"""report.pdf from report.html by headless Chromium, or from report.docx by LibreOffice.

Chromium is preferred: it prints the very page co-authors see, SVG figures as vectors
(``chromium --headless --print-to-pdf``). LibreOffice (``soffice --headless --convert-to pdf``)
is the fallback, from the DOCX. Neither is a Python dependency: without one, no PDF is written
and :func:`write_pdf` says why in one line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["CHROMIUM", "TIMEOUT", "chromium", "write_pdf"]

CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 180
"""Seconds a converter may take before it is given up (a loaded machine is slow, not stuck)."""


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) binary on PATH, else None."""
    return next((found for name in CHROMIUM if (found := shutil.which(name))), None)


def _chromium_pdf(binary: str, html: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="screener-chromium-") as profile:
        subprocess.run(
            [
                binary,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--disable-extensions",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )


def _soffice_pdf(binary: str, docx: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="screener-soffice-") as work:
        env = {**os.environ, "HOME": work}  # a profile of its own, never the user's
        subprocess.run(
            [binary, "--headless", "--convert-to", "pdf", "--outdir", work, str(docx)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        shutil.move(Path(work) / f"{docx.stem}.pdf", pdf)


def write_pdf(html: Path, docx: Path, pdf: Path) -> str:
    """Write ``pdf`` from ``html`` (Chromium) or ``docx`` (LibreOffice); returns one line saying
    which converter wrote it, or why no PDF was written (then ``pdf`` does not exist)."""
    attempts = []
    binary = chromium()
    if binary is not None:
        attempts.append(("headless Chromium", binary, lambda: _chromium_pdf(binary, html, pdf)))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is not None:
        attempts.append(("LibreOffice", office, lambda: _soffice_pdf(office, docx, pdf)))
    if not attempts:
        return (
            "no PDF written: neither Chromium (chromium, chromium-browser) nor LibreOffice "
            "(soffice) is installed"
        )
    failures = []
    for name, _, run in attempts:
        try:
            pdf.unlink(missing_ok=True)
            run()
            if pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-":
                return f"report.pdf written by {name}"
            failures.append(f"{name} wrote no PDF")
        except subprocess.TimeoutExpired:
            failures.append(f"{name} took longer than {TIMEOUT} s")
        except (OSError, subprocess.CalledProcessError) as exc:
            failures.append(f"{name} failed ({type(exc).__name__})")
    pdf.unlink(missing_ok=True)
    return "no PDF written: " + "; ".join(failures)
