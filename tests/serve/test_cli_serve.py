"""`screener invite` and `screener serve` from the command line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from screener.cli import main
from screener.cli.serve import invite_command
from screener.project import Project


def test_invite_prints_a_link_that_signs_in_once(team_review: Path, capsys) -> None:
    assert main(
        ["invite", str(team_review), "REV_A", "--public-url", "https://review.example.org/"]
    ) in (0, None)
    link = capsys.readouterr().out.strip()
    assert link.startswith("https://review.example.org/sign-in?token=")
    with Project.open(team_review) as project:
        assert project.sign_in_with_link(link.partition("token=")[2])[0] == "rev_a"


def test_invite_sets_a_password_asked_twice(team_review: Path) -> None:
    result = CliRunner().invoke(
        invite_command,
        [str(team_review), "rev_b", "--password"],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long password" not in result.output
    with Project.open(team_review) as project:
        assert project.sign_in_with_password("rev_b", "a long password") is not None


def test_an_undeclared_reviewer_is_not_invited(team_review: Path, capsys) -> None:
    assert main(["invite", str(team_review), "mallory"]) != 0
    err = capsys.readouterr().err
    assert "mallory" in err and len(err.strip().splitlines()) == 1


def test_serve_refuses_a_bad_public_url(team_review: Path, capsys) -> None:
    assert main(["serve", str(team_review), "--public-url", "review.example.org"]) != 0
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
