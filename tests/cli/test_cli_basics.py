"""The CLI shell: help with examples everywhere, one-line errors, never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest

from screener.cli import cli, main
from screener.storage.db import latest_version

REPO = Path(__file__).resolve().parents[2]


def all_commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            found.append((*prefix, name))
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))

    walk(cli, ())
    assert len(found) > 20
    return found


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_verb_has_help_with_an_example(path: tuple[str, ...], capsys) -> None:
    assert main([*path, "--help"]) == 0
    text = capsys.readouterr().out
    command = cli
    for name in path:
        command = command.get_command(click.Context(command), name)
    if isinstance(command, click.Group):
        assert "Commands:" in text
    else:
        assert "Example" in text and "screener " in text.split("Example", 1)[1], text


def test_new_then_info(tmp_path: Path, capsys) -> None:
    db = tmp_path / "x.db"
    assert main(["new", str(db), "--title", "T"]) == 0
    assert main(["info", str(db)]) == 0
    out = capsys.readouterr().out
    assert "T" in out and "records: 0 identified" in out


def one_line_error(argv: list[str], capsys) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code != 0
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_info_on_a_non_review_file(capsys) -> None:
    line = one_line_error(["info", str(REPO / "README.md")], capsys)
    assert "README.md" in line and "not a screener review" in line


def test_info_on_a_missing_file(tmp_path: Path, capsys) -> None:
    assert "no such file" in one_line_error(["info", str(tmp_path / "nope.db")], capsys)


def test_newer_schema(tmp_path: Path, capsys) -> None:
    db = tmp_path / "x.db"
    main(["new", str(db), "--title", "T"])
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {latest_version() + 3}")
    conn.close()
    capsys.readouterr()
    assert "newer screener" in one_line_error(["info", str(db)], capsys)


def test_bad_option_and_missing_option(tmp_path: Path, capsys) -> None:
    assert "--colour" in one_line_error(["info", str(tmp_path / "x.db"), "--colour"], capsys)
    assert "--title" in one_line_error(["new", str(tmp_path / "y.db")], capsys)
    assert "No such command" in one_line_error(["frobnicate"], capsys)


def test_new_refuses_existing_file(tmp_path: Path, capsys) -> None:
    db = tmp_path / "x.db"
    main(["new", str(db), "--title", "T"])
    capsys.readouterr()
    assert "already exists" in one_line_error(["new", str(db), "--title", "T"], capsys)


def test_import_missing_file(tmp_path: Path, capsys) -> None:
    db = tmp_path / "x.db"
    main(["new", str(db), "--title", "T"])
    capsys.readouterr()
    assert "no such file" in one_line_error(
        ["import", str(db), str(tmp_path / "missing.ris")], capsys
    )


def test_blind_export_without_reviewer(tmp_path: Path, capsys) -> None:
    db = tmp_path / "x.db"
    main(["new", str(db), "--title", "T", "--reviewers", "2"])
    capsys.readouterr()
    assert "blind" in one_line_error(["export", "records", str(db)], capsys)


def test_a_simple_verb_does_not_load_the_heavy_stages() -> None:
    code = (
        "import sys\nfrom screener.cli import main\nmain(['info', '--help'])\n"
        "heavy = [m for m in ('scipy', 'lxml', 'pypinyin', 'matplotlib', 'textual') if m in "
        "sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_console_script_runs_in_a_subprocess(tmp_path: Path) -> None:
    # the installed entry point, as a user runs it: one line on stderr, exit 1, no traceback
    result = subprocess.run(
        [sys.executable, "-m", "screener", "info", str(REPO / "README.md")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
