"""The relevance ranking and the queue orders, on a small labelled set (tests/data/ranking)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from screener.errors import InvalidInputError
from screener.project import Project
from screener.screening.order import QueueMode, random_order
from screener.screening.ranking import Features, RankingSettings, record_text, score

DATA = Path(__file__).resolve().parents[1] / "data" / "ranking" / "nagtegaal_2019_small.csv"


def _labels() -> dict[int, bool]:
    """Record id (1..200, in file order as imported) -> relevant."""
    with open(DATA, encoding="utf-8") as handle:
        return {
            n: row["label_included"] == "1" for n, row in enumerate(csv.DictReader(handle), start=1)
        }


def _review(path: Path, **settings: object) -> Path:
    with Project.create(
        path, title="Ranking test", reviewers=["alice", "bob", ("carol", "arbiter")], **settings
    ) as project:
        project.import_file(DATA, source="Test")
    return path


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, dict[int, bool]]:
    return _review(tmp_path / "ranking.db"), _labels()


def test_ranking_is_deterministic_for_a_seed() -> None:
    with open(DATA, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [record_text(r["title"], r["abstract"]) for r in rows]
    labels = [r["label_included"] == "1" for r in rows]
    train = np.arange(40)
    first, second = Features(RankingSettings(seed=7)), Features(RankingSettings(seed=7))
    first.add(list(range(200)), texts)
    second.add(list(range(100)), texts[:100])  # built in two steps: the same features
    second.add(list(range(100, 200)), texts[100:])
    a = score(first, train, [labels[i] for i in train])
    b = score(second, train, [labels[i] for i in train])
    np.testing.assert_allclose(a, b, rtol=1e-5)
    assert (np.argsort(-a, kind="stable") == np.argsort(-b, kind="stable")).all()


def test_relevant_records_rise_to_the_top(labelled: tuple[Path, dict[int, bool]]) -> None:
    path, truth = labelled
    with Project.open(path) as project:
        assert project.queue_order("alice").effective is QueueMode.FILE
        for record_id in range(1, 11):  # the first ten records, in file order
            project.record_decision(
                record_id, "title_abstract", "alice", "include" if truth[record_id] else "exclude"
            )
        order = project.queue_order("alice")
        assert order.mode is QueueMode.AUTO and order.effective is QueueMode.RELEVANCE
        info = project.retrain_ranking("alice")
        assert info is not None and info.labels == 10 and info.includes == 4
        queue = project.ordered_queue("title_abstract", "alice")
        assert len(queue) == 190 and not set(queue) & set(range(1, 11))
        # 26 of the 190 undecided records are relevant (14%); the model's top 20 holds 11
        top = sum(truth[i] for i in queue[:20])
        assert top >= 8, top
        # the first record alone, and the next ones after it, come in the same order
        assert project.ordered_queue("title_abstract", "alice", limit=3) == queue[:3]
        assert (
            project.ordered_queue("title_abstract", "alice", after=queue[2], limit=2) == queue[3:5]
        )
        # the stored ranking scores every record; the top one has the highest relevance
        ranking = project.ranking("alice")
        assert ranking is not None and len(ranking) == 200
        best = ranking.relevance(queue[0])
        assert best is not None and best[1] <= 11
        assert all(ranking.relevance(i)[0] <= best[0] for i in queue[1:])  # type: ignore[index]


def _scores(path: Path, reviewer: str) -> dict[int, float]:
    with Project.open(path) as project:
        project.retrain_ranking(reviewer, force=True)
        ranking = project.ranking(reviewer)
    assert ranking is not None
    return {int(i): float(ranking.relevance(int(i))[0]) for i in ranking.order}  # type: ignore[index]


@pytest.mark.parametrize("needed", [1, 2])
def test_a_blind_reviewers_ranking_ignores_the_other_reviewers_undecided_records(
    tmp_path: Path, needed: int
) -> None:
    # With one decision needed, bob's decision alone is a record's final one; it is still his,
    # not the team's, so alice's model does not learn it.
    truth = _labels()
    path = _review(tmp_path / "blind.db", blind=True, reviewers_title_abstract=needed)
    with Project.open(path) as project:
        for record_id in range(1, 21):  # alice: true labels on records 1-20
            project.record_decision(
                record_id, "title_abstract", "alice", "include" if truth[record_id] else "exclude"
            )
    alone = _scores(path, "alice")
    with Project.open(path) as project:
        for record_id in range(1, 61):  # bob: the opposite labels on records 1-60
            project.record_decision(
                record_id, "title_abstract", "bob", "exclude" if truth[record_id] else "include"
            )
    # bob's decisions on 21-60 (records alice has not decided) play no part in her ranking,
    # nor do his opposite decisions on 1-20: those are conflicts, no final decision yet
    assert _scores(path, "alice") == alone
    # and the other way round: bob's ranking does not see alice's labels either
    with Project.open(path) as project:
        bob_labels = {
            r: d.choice.value == "include"
            for r in range(1, 61)
            for d in project.decisions(r, "title_abstract")
            if d.reviewer == "bob"
        }
    other = _review(tmp_path / "bob_alone.db", blind=True, reviewers_title_abstract=needed)
    with Project.open(other) as project:
        for record_id, include in bob_labels.items():
            project.record_decision(
                record_id, "title_abstract", "bob", "include" if include else "exclude"
            )
    assert _scores(path, "bob") == _scores(other, "bob")


def test_final_decisions_teach_every_reviewer(tmp_path: Path) -> None:
    from screener.flows.ranking import training_labels

    truth = _labels()
    path = _review(tmp_path / "final.db", blind=True, reviewers_title_abstract=2)
    with Project.open(path) as project:
        for record_id in range(1, 6):
            project.record_decision(record_id, "title_abstract", "alice", "include")
            project.record_decision(record_id, "title_abstract", "bob", "exclude")
        project.record_decision(7, "title_abstract", "bob", "include")
        project.resolve_conflict(1, "title_abstract", "exclude", "carol")
        labels = training_labels(project.db, "alice")
        # her own four conflicts, and record 1 as resolved; never bob's record 7
        assert labels == {1: False, 2: True, 3: True, 4: True, 5: True}
        assert 7 not in training_labels(project.db, "carol")
    # not blind, one decision needed: everyone's decisions are final and everyone learns them
    open_path = _review(tmp_path / "open.db", blind=False, reviewers_title_abstract=1)
    with Project.open(open_path) as project:
        project.record_decision(7, "title_abstract", "bob", "include" if truth[7] else "exclude")
        assert training_labels(project.db, "alice") == {7: truth[7]}


def test_queue_orders(labelled: tuple[Path, dict[int, bool]]) -> None:
    path, truth = labelled
    with Project.open(path) as project:
        assert project.ordered_queue("title_abstract", "alice")[:3] == [1, 2, 3]
        shuffled = project.set_queue_order("alice", "random", seed=5)
        assert shuffled.effective is QueueMode.RANDOM and shuffled.seed == 5 and shuffled.sampling
        queue = project.ordered_queue("title_abstract", "alice")
        assert sorted(queue) == list(range(1, 201)) and queue != sorted(queue)
        assert queue == [int(i) for i in random_order(range(1, 201), 5)]
        assert project.ordered_queue("title_abstract", "alice", limit=4) == queue[:4]
        # a seeded permutation: another reviewer asking for the same seed gets the same order
        # (and while the stopping rule's sample runs, every random queue follows the sample)
        project.set_queue_order("bob", "random", seed=9)
        assert project.ordered_queue("title_abstract", "bob") == queue
        project.set_queue_order("alice", "file")
        assert project.ordered_queue("title_abstract", "alice") == list(range(1, 201))
        with pytest.raises(InvalidInputError, match="unknown queue order"):
            project.set_queue_order("alice", "sideways")
        with pytest.raises(InvalidInputError):
            project.set_queue_order("nobody", "file")
        # the full-text queue is in file order, whatever the reviewer chose
        assert project.queue_order("alice", "full_text").effective is QueueMode.FILE


def test_random_order_is_a_stable_permutation() -> None:
    ids = list(range(1, 1001))
    first = random_order(ids, 3)
    assert sorted(first.tolist()) == ids
    assert (random_order(ids, 3) == first).all() and not (random_order(ids, 4) == first).all()
    # records added later fall in between without moving the others
    more = random_order(list(range(1, 1101)), 3)
    assert [i for i in more.tolist() if i <= 1000] == first.tolist()


def test_retraining_follows_every_decision_while_cheap() -> None:
    from screener.screening.ranking import retrain_due

    assert retrain_due(1, None, 100_000)  # never trained
    assert not retrain_due(50, 50, 2_000)  # nothing new
    assert retrain_due(501, 500, 2_000)  # a small review: every decision
    assert retrain_due(99, 98, 100_000)  # a big one: every decision to 100 labels
    assert not retrain_due(1_019, 1_000, 100_000)  # then after 2% more: 20 at 1,000
    assert retrain_due(1_021, 1_000, 100_000)  # ceil(0.02 x 1,021) = 21
    assert retrain_due(990, 1_000, 100_000) is False  # undone decisions, fewer than 2%
