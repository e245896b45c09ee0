"""No command destroys the review: every --out / --plot refuses the review itself (by path,
symlink or hard link), its -wal/-shm/-journal files and any other SQLite database, with one
line on stderr and a non-zero exit; a missing or unwritable folder is one line too."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from outputs_support import OUTCOME, hostile_review_with_analysis

from screener.cli import main
from screener.project import Project


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "r.db"
    hostile_review_with_analysis(path).close()
    return path


@pytest.fixture
def review(built: Path, tmp_path: Path) -> Path:
    target = tmp_path / "r.db"
    shutil.copyfile(built, target)
    return target


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(argv: list[str], review: Path, capsys, *, meaning: str) -> None:
    before = _digest(review)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("screener: ") and meaning in err, err
    assert _digest(review) == before
    with Project.open(review) as project:
        assert len(project.screened_record_ids()) == 12


VERBS = {
    "records csv": ["export", "records", "{r}", "--unblind", "--out", "{o}"],
    "records json": ["export", "records", "{r}", "--unblind", "--format", "json", "--out", "{o}"],
    "records ris": ["export", "records", "{r}", "--unblind", "--format", "ris", "--out", "{o}"],
    "ris": ["export", "ris", "{r}", "--which", "all", "--unblind", "--out", "{o}"],
    "decisions": ["export", "decisions", "{r}", "--unblind", "--out", "{o}"],
    "extraction": ["export", "extraction", "{r}", "--out", "{o}"],
    "prisma json": ["prisma", "{r}", "--format", "json", "--out", "{o}"],
    "prisma svg": ["prisma", "{r}", "--format", "svg", "--out", "{o}"],
}


def _argv(verb: str, review: Path, out: Path) -> list[str]:
    return [a.format(r=review, o=out) for a in VERBS[verb]]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_an_output_onto_the_review_is_refused(review: Path, capsys, verb: str):
    _refused(_argv(verb, review, review), review, capsys, meaning="the review itself")


@pytest.mark.parametrize("verb", ["records csv", "ris", "decisions", "extraction", "prisma json"])
def test_the_review_through_a_hard_link_a_symlink_or_a_side_file_is_refused(
    review: Path, capsys, verb: str
):
    os.link(review, review.with_name("hard.csv"))
    review.with_name("soft.csv").symlink_to(review)
    for out in (review.with_name("hard.csv"), review.with_name("soft.csv")):
        _refused(_argv(verb, review, out), review, capsys, meaning="the review itself")
    for suffix in ("-wal", "-shm", "-journal"):
        _refused(
            _argv(verb, review, review.with_name(review.name + suffix)),
            review,
            capsys,
            meaning=f"the review's {suffix[1:]} file",
        )
        assert not review.with_name(review.name + suffix).exists()


@pytest.mark.parametrize("verb", ["records csv", "ris", "decisions", "extraction", "prisma json"])
def test_another_sqlite_database_is_refused(review: Path, tmp_path: Path, capsys, verb: str):
    other = tmp_path / "other-review.csv"
    shutil.copyfile(review, other)
    before = _digest(other)
    _refused(_argv(verb, review, other), review, capsys, meaning="SQLite database")
    assert _digest(other) == before


def test_plot_options_refuse_a_database(review: Path, tmp_path: Path, capsys):
    other = tmp_path / "other.svg"
    shutil.copyfile(review, other)
    before = _digest(other)
    _refused(
        ["pool", str(review), "--outcome", OUTCOME, "--measure", "RR", "--plot", str(other)],
        review,
        capsys,
        meaning="SQLite database",
    )
    _refused(
        ["pool", str(review), "--outcome", OUTCOME, "--measure", "RR", "--funnel", str(other)],
        review,
        capsys,
        meaning="SQLite database",
    )
    _refused(
        ["rob", str(review), "--tool", "rob2", "--plot", str(other)],
        review,
        capsys,
        meaning="SQLite database",
    )
    os.link(review, tmp_path / "linked.svg")
    _refused(
        ["rob", str(review), "--tool", "rob2", "--plot", str(tmp_path / "linked.svg")],
        review,
        capsys,
        meaning="the review itself",
    )
    data = tmp_path / "data.csv"
    data.write_text("study,yi,vi\na,0.1,0.01\nb,0.3,0.02\n", encoding="utf-8")
    assert main(["meta", str(data), "--plot", str(other)]) == 1
    assert "SQLite database" in capsys.readouterr().err
    assert _digest(other) == before


def test_a_report_never_replaces_a_folder_holding_the_review(review: Path, capsys):
    folder = review.parent
    _refused(["report", str(review), "--out", str(folder)], review, capsys, meaning="--force")
    (folder / "report.html").write_text("an earlier report, beside the review")
    _refused(
        ["report", str(review), "--out", str(folder), "--force"],
        review,
        capsys,
        meaning="holds the database",
    )


def test_a_missing_or_unwritable_folder_is_one_line_naming_it(review: Path, tmp_path: Path, capsys):
    missing = tmp_path / "missing"
    for verb in ("records csv", "ris", "decisions", "prisma json"):
        _refused(
            _argv(verb, review, missing / "out.txt"),
            review,
            capsys,
            meaning=f"folder {missing} does not exist",
        )
    locked = Path("/sys") if os.geteuid() == 0 else tmp_path / "locked"
    if locked != Path("/sys"):
        locked.mkdir(mode=0o500)
    for verb in ("records csv", "ris", "decisions", "prisma json"):
        _refused(
            _argv(verb, review, locked / "out.txt"),
            review,
            capsys,
            meaning=f"cannot write in the folder {locked}: ",
        )
    _refused(
        ["report", str(review), "--out", str(missing / "report")],
        review,
        capsys,
        meaning=f"{missing} does not exist",
    )
