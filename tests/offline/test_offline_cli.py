"""screener checkout / merge: one summary for people, one line on stderr for a user error."""

from __future__ import annotations

from pathlib import Path

from offline_review import make_review

from screener.cli import main
from screener.project import Project

TA = "title_abstract"


def test_checkout_then_merge_prints_what_came_back(review: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "ben.db"
    assert main(["checkout", str(review), "--reviewer", "Ben", "--out", str(copy)]) == 0
    assert "a copy for ben" in capsys.readouterr().out
    with Project.open(copy) as c:
        c.update_review(exclusion_reasons=("Wrong population", "Wrong intervention", "Too old"))
        c.record_decision(1, TA, "ben", "exclude", reason="Too old")
        c.record_decision(2, TA, "ben", "include")
        c.undo_decision(TA, "ben")
    assert main(["merge", str(review), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "added the exclusion reason 'Too old'" in out
    assert "2 decisions, 1 undo, 0 notes" in out
    assert main(["merge", str(review), str(copy)]) == 0
    assert "nothing new" in capsys.readouterr().out


def test_user_errors_are_one_line(review: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "ben.db"
    assert main(["checkout", str(review), "--reviewer", "zed", "--out", str(copy)]) == 1
    assert not copy.exists()
    assert main(["checkout", str(review), "--reviewer", "ben", "--out", str(copy)]) == 0
    # never over a database: the copy made, or the review
    assert main(["checkout", str(review), "--reviewer", "ben", "--out", str(copy)]) == 1
    assert main(["checkout", str(review), "--reviewer", "ben", "--out", str(review)]) == 1
    other = make_review(tmp_path / "other.db")
    assert main(["merge", str(other), str(copy)]) == 1
    capsys.readouterr()
    assert main(["checkout", str(copy), "--reviewer", "ben", "--out", str(tmp_path / "x.db")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "offline copy" in err


def test_merge_names_what_it_left_in_the_copy(review: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "lead.db"
    assert main(["checkout", str(review), "--reviewer", "lead", "--out", str(copy)]) == 0
    with Project.open(copy) as c:
        c.record_decision(2, TA, "lead", "exclude")
        c.resolve_conflict(2, TA, "include", "lead", method="consensus")
    capsys.readouterr()
    assert main(["merge", str(review), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "1 decision" in out
    assert "not merged, left in the copy: conflict resolutions" in out
