"""Fixtures for the TUI tests: a small review with fixed, hand-made records (some Chinese)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from screener.project import Project

REASONS = ("Wrong population", "Not a nudge", "Not a trial")
CHINESE_TITLE = "提醒系统对医生开具抗生素处方的影响：一项整群随机对照试验"
CHINESE_ABSTRACT = (
    "背景：抗生素的不合理使用是全球性的公共卫生问题。目的：评价电子病历中的默认选项和提醒系统"
    "对基层医生抗生素处方行为的影响。方法：在二十四家社区卫生服务中心开展整群随机对照试验，"
    "干预组医生在开具处方时收到同伴比较反馈。结果：干预组抗生素处方率下降了百分之十二。"
    "结论：低成本的助推措施可以改善医生的处方行为。"
)
RECORDS = [
    (
        "Effect of peer comparison letters on antibiotic prescribing: a randomized trial",
        "Physicians received a nudge by letter comparing their prescribing with peers. The default "
        "order set was changed. Prescribing fell by 11%.",
        "Hallsworth, Michael; Chadborn, Tim",
        2016,
        "The Lancet",
    ),
    (
        "Patient education leaflets for asthma: a protocol",
        "This protocol describes a trial of patient education for asthma self-management.",
        "Brown, Anne",
        2019,
        "Trials",
    ),
    (CHINESE_TITLE, CHINESE_ABSTRACT, "王, 明; 李, 华", 2021, "中华医学杂志"),
    (
        "Default opt-out of opioid prescriptions in emergency departments",
        "A change of the default quantity in the electronic health record reduced opioid "
        "prescribing.",
        "Delgado, M Kit",
        2018,
        "J Gen Intern Med",
    ),
    ("Financial incentives for hand hygiene: an editorial", "", "Smith, John", 2015, "BMJ"),
    (
        "Reminders to reduce low-value imaging",
        "A reminder at the point of ordering reduced imaging.",
        "Lee, Kim; Park, Soo",
        2020,
        "JAMA",
    ),
]


def build_review(path: Path, *, blind: bool = True, reviewers: int = 2) -> Path:
    csv_path = path.with_suffix(".csv")
    with open(csv_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "journal"])
        writer.writerows(RECORDS)
    with Project.create(
        path,
        title="Nudges for prescribers (test review)",
        question="Do nudges change prescribing?",
        population="Physicians",
        inclusion_criteria="Trials of nudges aimed at prescribers",
        exclusion_reasons=REASONS,
        reviewers_title_abstract=reviewers,
        blind=blind,
        include_terms=("nudge", "default", "reminder", "peer comparison", "提醒", "默认"),
        exclude_terms=("protocol", "editorial", "patient education"),
        reviewers=("alice", "bob", ("carol", "arbiter")),
    ) as project:
        project.import_file(csv_path, source="PubMed")
    return path


@pytest.fixture(autouse=True)
def no_user_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own ~/.config/screener/keys.toml."""
    monkeypatch.setenv("SCREENER_KEYS", "")


@pytest.fixture(autouse=True)
def no_background_ranking(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ranking process retrains behind a test's keys (a reordered queue mid-test would make
    the records a test decides depend on timing); the ranking tests switch it on."""
    from screener.tui.app import ScreenerApp

    monkeypatch.setattr(ScreenerApp, "ranking_in_background", False)


@pytest.fixture
def new_review():
    """build_review(path, blind=, reviewers=): the test review with other settings."""
    return build_review


@pytest.fixture
def chinese() -> tuple[str, str]:
    """The title and abstract of record 3 (hand-made Chinese text)."""
    return CHINESE_TITLE, CHINESE_ABSTRACT


@pytest.fixture
def review_path(tmp_path: Path) -> Path:
    return build_review(tmp_path / "review.db")


@pytest.fixture
def live():
    """live(path, reviewer, stage) -> {record id: (decision, reason)}, read through a new
    connection, i.e. what is committed."""

    def read(
        path: Path, reviewer: str, stage: str = "title_abstract"
    ) -> dict[int, tuple[str, str]]:
        with Project.open(path) as project:
            return {
                rid: (d.choice.value, d.reason)
                for rid in project.screening_queue(stage, reviewer, "mine")
                for d in project.decisions(rid, stage)
                if d.reviewer == reviewer
            }

    return read
