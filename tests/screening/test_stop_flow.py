"""A lead's stop by the stopping rule: the sample, the refusals, the marked records, and how
PRISMA, the report and the queue count them. No model is trained here (the rule needs none)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from screener.cli import main
from screener.errors import InvalidInputError
from screener.project import Project


@pytest.fixture
def hundred(tmp_path: Path) -> Path:
    """100 hand-made records; alice (lead) has decided the first 60: 40 includes, 20 excludes."""
    source = tmp_path / "records.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        writer.writerows([f"Record {n} on nudges", f"Abstract {n}.", 2020] for n in range(1, 101))
    path = tmp_path / "stop.db"
    with Project.create(path, title="Stopping", reviewers=["alice", "bob"]) as project:
        project.import_file(source, source="PubMed")
        for record_id in range(1, 61):
            project.record_decision(
                record_id, "title_abstract", "alice", "include" if record_id <= 40 else "exclude"
            )
    return path


def test_stop_when_the_sample_meets_the_criterion(hundred: Path, tmp_path: Path) -> None:
    with Project.open(hundred) as project:
        status = project.stopping_status()
        assert (status.records, status.screened, status.includes, status.unscreened) == (
            100,
            60,
            40,
            40,
        )
        assert status.test is None and not status.can_stop
        # a sample of the 40 with no relevant record: K_tar = floor(40/0.95 - 40) + 1 = 3 and
        # P(X = 0) = (40-n)(39-n)(38-n) / (40*39*38) falls below 0.05 at n = 25 (2730/59280)
        assert status.sample_needed == 25
        with pytest.raises(InvalidInputError, match="no random sample yet"):
            project.stop_screening("alice")
        project.set_queue_order("alice", "random", seed=2)
        sample = project.ordered_queue("title_abstract", "alice")
        assert len(sample) == 40 and min(sample) > 60
        for record_id in sample[:24]:
            project.record_decision(record_id, "title_abstract", "alice", "exclude")
        status = project.stopping_status()
        assert status.test is not None and status.test.sampled == 24 and not status.met
        assert status.test.more_needed == 1
        with pytest.raises(InvalidInputError, match="not met"):
            project.stop_screening("alice")
        project.record_decision(sample[24], "title_abstract", "alice", "exclude")
        status = project.stopping_status()
        assert status.met and status.can_stop
        assert status.test.p_value == pytest.approx(2730 / 59280)
        with pytest.raises(InvalidInputError, match="only the review's lead"):
            project.stop_screening("bob")
        stop = project.stop_screening("alice")
        assert stop.marked == 15 and stop.reviewer == "alice" and stop.test.sampled == 25
        # the marked records leave the undecided queues; a reviewer can still open them
        assert project.ordered_queue("title_abstract", "alice") == []
        assert not set(project.ordered_queue("title_abstract", "bob")) & set(sample[25:])
        counts = project.prisma_counts()
        assert counts.excluded_automatic == 15
        assert counts.main.records == 85 and counts.main.records_excluded == 45
        assert not [d for d in counts.discrepancies if d.key == "identification"]
        assert any("stopping rule" in note for note in counts.notes)
        project.write_report(tmp_path / "report")
        text = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
        assert "Callaghan and Müller-Hansen" in text and "The 15 records not screened" in text
        assert "95% confidence" in text and "p = 0.0461" in text
        with pytest.raises(InvalidInputError, match="stopped already"):
            project.stop_screening("alice")
        # a hand count for tools used before import adds to the stopped records
        project.set_prisma_count("excluded_automatic", 7)
        assert project.prisma_counts().excluded_automatic == 22
        project.set_prisma_count("excluded_automatic", None)
        # undone: the records are to be screened again, PRISMA counts them as undecided
        project.undo_stop("alice")
        assert project.prisma_counts().excluded_automatic == 0
        assert sorted(project.ordered_queue("title_abstract", "alice")) == sorted(sample[25:])


def test_records_in_progress_block_a_stop(tmp_path: Path) -> None:
    source = tmp_path / "few.csv"
    source.write_text(
        "title,abstract\n" + "".join(f"T{n},A{n}\n" for n in range(1, 11)), encoding="utf-8"
    )
    path = tmp_path / "dual.db"
    with Project.create(
        path, title="Dual", reviewers=["alice", "bob"], reviewers_title_abstract=2
    ) as project:
        project.import_file(source, source="PubMed")
        project.record_decision(1, "title_abstract", "alice", "include")
        status = project.stopping_status()
        assert status.in_progress == 1 and status.unscreened == 9
        assert any("no final one" in b for b in status.blockers)


def test_the_cli_verbs(hundred: Path, capsys: pytest.CaptureFixture[str]) -> None:
    review = str(hundred)
    assert main(["stopping", review, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["random_records_needed_for_a_new_sample"] == 25 and found["sample"] is None
    assert main(["screen-order", review, "random", "--reviewer", "alice", "--seed", "2"]) == 0
    assert "random order, seed 2" in capsys.readouterr().out
    assert main(["stopping", review, "--stop", "--reviewer", "alice"]) == 1
    assert "cannot stop yet" in capsys.readouterr().err
    assert main(["stopping", review, "--stop", "--reviewer", "bob"]) == 1
    assert "only the review's lead" in capsys.readouterr().err
    assert (
        main(
            [
                "stopping",
                review,
                "--target",
                "0.9",
                "--confidence",
                "0.99",
                "--save",
                "--reviewer",
                "alice",
            ]
        )
        == 0
    )
    capsys.readouterr()
    with Project.open(hundred) as project:
        status = project.stopping_status()
        assert (status.recall_target, status.confidence) == (0.9, 0.99)
    assert main(["stopping", review, "--target", "1.5"]) == 1
    assert "recall target" in capsys.readouterr().err
