"""Start-up: ``screener --help`` imports no verb's module; no verb but those that pool loads
scipy or pandas. (How long it takes is measured in ``bench/bench_startup.py``.)"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from screener.cli import cli

HEAVY = ("scipy", "pandas")

CHILD = """
import json, sys
from screener.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""
"""Runs ``screener ARGV`` as a fresh process does, then reports the modules it loaded."""


def run_fresh(*argv: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", CHILD, *argv], capture_output=True, text=True,
                            timeout=120)
    report = json.loads(result.stderr.splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


def groups() -> list[click.Group]:
    ctx = click.Context(cli)
    return [cli, *(command for name in cli.list_commands(ctx)
                   if isinstance(command := cli.get_command(ctx, name), click.Group))]


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
    assert not {m for m in loaded if m.startswith("screener.") and m not in (
        "screener.cli", "screener.cli.output", "screener.display", "screener.errors",
        "screener.files")}
    assert not {"sqlite_utils", "rich", *HEAVY} & loaded
