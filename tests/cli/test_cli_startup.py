"""Start-up: ``screener --help`` imports no verb's module; no verb but those that pool loads
scipy or pandas. (How long it takes is measured in ``bench/bench_startup.py``.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from screener.cli import cli
from screener.project import Project

HEAVY = ("scipy", "pandas")

CHILD = """
import json, sys
from screener.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
"""Runs ``screener ARGV`` as a fresh process does, then reports the modules it loaded."""


def run_fresh(*argv: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stderr.splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


def groups() -> list[click.Group]:
    ctx = click.Context(cli)
    return [
        cli,
        *(
            command
            for name in cli.list_commands(ctx)
            if isinstance(command := cli.get_command(ctx, name), click.Group)
        ),
    ]


@pytest.mark.parametrize("group", groups(), ids=lambda group: group.name)
def test_help_lists_each_command_by_its_own_first_sentence(group: click.Group) -> None:
    # what `screener --help` shows without importing a command is what the command would show
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None and command.name == name
        summary = getattr(group, "verbs", {}).get(name, (None, None))[1]
        if summary is not None:
            assert summary == command.get_short_help_str(limit=10_000), name


def test_help_imports_no_verb_module() -> None:
    loaded = run_fresh("--help")
    assert not {
        m
        for m in loaded
        if m.startswith("screener.")
        and m
        not in (
            "screener.cli",
            "screener.cli.output",
            "screener.display",
            "screener.errors",
            "screener.files",
        )
    }
    assert not {"sqlite_utils", "rich", *HEAVY} & loaded


def test_new_and_info_load_neither_scipy_nor_pandas(tmp_path: Path) -> None:
    review = tmp_path / "review.db"
    assert not set(HEAVY) & run_fresh("new", str(review), "--title", "T", "--reviewer", "alice")
    with Project.open(review) as project:
        project.import_file(_csv(tmp_path / "records.csv"), fmt="csv", source="Embase")
    assert not set(HEAVY) & run_fresh("info", str(review))


WALK = """
import json, sys, click
from screener.cli import cli

def walk(group):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            walk(command)

walk(cli)
print(json.dumps(sorted(sys.modules)))
"""
"""Imports every verb's module, as ``screener VERB`` does, and prints the modules loaded."""


def test_no_verb_module_loads_scipy_or_pandas() -> None:
    # the modules of the verbs that pool too: they import the stages when they run
    result = subprocess.run(
        [sys.executable, "-c", WALK], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert "screener.cli.meta" in loaded and "screener.project" in loaded
    assert not set(HEAVY) & loaded


@pytest.fixture(scope="module")
def bcg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from screener.demo_bcg import build_bcg_demo

    return build_bcg_demo(tmp_path_factory.mktemp("bcg"))


@pytest.mark.parametrize(
    "verb",
    [
        ["form"],
        ["check"],
        ["rob"],
        ["export", "extraction"],
        ["study", "list"],
        ["prisma"],
        ["export", "records", "--unblind"],
        ["agreement"],
        ["searches"],
        ["dedup", "--report"],
    ],
    ids=" ".join,
)
def test_a_verb_that_does_not_pool_loads_neither_scipy_nor_pandas(
    verb: list[str], bcg: Path
) -> None:
    # the BCG demo review: extracted data, risk of bias, studies, no saved analysis read
    at = 2 if verb[0] in ("export", "study") else 1
    assert not set(HEAVY) & run_fresh(*verb[:at], str(bcg), *verb[at:])


def test_a_verb_that_pools_still_pools_in_a_fresh_process(tmp_path: Path) -> None:
    trials = tmp_path / "trials.csv"
    trials.write_text("study,yi,vi\nA,0.1,0.04\nB,0.3,0.05\nC,-0.2,0.06\n", encoding="utf-8")
    assert {"scipy", "pandas"} <= run_fresh("meta", str(trials), "--json")


def _csv(path: Path) -> Path:
    path.write_text("title,year\nA trial of IL-2,2020\nAnother trial,2021\n", encoding="utf-8")
    return path
