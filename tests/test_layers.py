"""The layer rule: shells -> façade -> storage -> stages -> records, and textual only in the TUI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import sys, screener.project, screener.cli, screener.demo, screener.sources, "
        "screener.storage.db\n"
        "import pkgutil, importlib, screener\n"
        "for m in pkgutil.walk_packages(screener.__path__, 'screener.'):\n"
        "    if not m.name.startswith('screener.tui') and not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "assert 'textual' not in sys.modules, [k for k in sys.modules if k.startswith('textual')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
