"""What screener declares it needs at run time is what its code imports: no runtime dependency
that nothing imports (biopython is the benchmark's peer only, in the ``bench`` extra)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_names() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "screener").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.partition(".")[0])
    return names


def test_every_runtime_dependency_is_imported_by_screener() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _normal(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]
    }
    providers = packages_distributions()
    imported = {_normal(dist) for name in _imported_top_names() for dist in providers.get(name, ())}
    assert declared - imported == set()


def test_no_screener_module_imports_biopython() -> None:
    code = (
        "import sys, pkgutil, importlib, screener\n"
        "for m in pkgutil.walk_packages(screener.__path__, 'screener.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "assert 'Bio' not in sys.modules, sorted(k for k in sys.modules if k.split('.')[0] == "
        "'Bio')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
