"""The duplicates screen: a queued pair side by side, merged / kept apart / undone by keys."""

from __future__ import annotations

import pytest
from dedup_helpers import add_records, record

from screener.project import Project
from screener.records import make_record
from screener.tui.app import make_app
from screener.tui.screens.duplicates import (
    DIFF_STYLE,
    DuplicateDecided,
    DuplicatesScreen,
    pair_contents,
)

TRIAL = dict(
    title="Low-dose interleukin-2 for refractory dermatomyositis: a randomised controlled trial",
    authors=["Zhai, Q. J.", "Yue, X. Y."],
    year=2019,
    journal="Ann Rheum Dis",
    volume="78",
    issue="4",
    pages="501-509",
)


@pytest.fixture(autouse=True)
def no_user_key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENER_KEYS", "")


@pytest.fixture
def queued_review(review):
    add_records(review, [record(**TRIAL)], database="PubMed")
    add_records(
        review,
        [
            record(**dict(TRIAL, issue="5", pages="601-609")),
            record(**dict(TRIAL, issue="6", pages="701-709")),
        ],
        database="Embase",
    )
    review.find_duplicates()
    assert len(review.duplicate_queue()) == 3
    path = review.path
    review.close()
    return path


def _pair_row(app, pair_id: int) -> tuple:
    return app.project.db.execute(
        "SELECT outcome, decided_by FROM duplicate_pair WHERE id = ?", [pair_id]
    ).fetchone()


def test_differences_are_highlighted() -> None:
    left, right = pair_contents(
        make_record(**TRIAL), make_record(**dict(TRIAL, pages="601-609")), "PubMed", "Embase"
    )

    def styled(content) -> set[str]:
        return {content.plain[s.start : s.end] for s in content.spans if str(s.style) == DIFF_STYLE}

    assert styled(left) == {"501-509"} and styled(right) == {"601-609"}
    assert "Source: PubMed" in left.plain and "Source: Embase" in right.plain


async def test_keys_merge_keep_apart_and_undo(queued_review) -> None:
    app = make_app(queued_review, reviewer="alice")
    decided: list[DuplicateDecided] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("d")  # from the dashboard to the duplicates screen
        screen = app.screen
        assert isinstance(screen, DuplicatesScreen)
        post = screen.post_message
        screen.post_message = lambda m: (
            decided.append(m) if isinstance(m, DuplicateDecided) else None,
            post(m),
        )[1]
        status = str(screen.query_one("#dup-status").render())
        assert "Pair 1 of 3" in status
        first = screen.current
        assert "501-509" in str(screen.query_one("#dup-left").render()) + str(
            screen.query_one("#dup-right").render()
        )
        await pilot.press("k")  # keep the first pair apart
        assert _pair_row(app, first.pair_id) == ("distinct", "person")
        assert len(screen.queue) == 2 and first.pair_id not in [p.pair_id for p in screen.queue]
        await pilot.press("u")  # undo: back in the queue, on screen again
        assert _pair_row(app, first.pair_id) == ("possible", "rule")
        assert screen.current.pair_id == first.pair_id
        await pilot.press("n", "p")  # next and back
        assert screen.current.pair_id == first.pair_id
        await pilot.press("m")  # merge it
        assert _pair_row(app, first.pair_id) == ("duplicate", "person")
        await pilot.press("escape")
        assert not isinstance(app.screen, DuplicatesScreen)
    assert [(m.pair_id, m.same, m.undone) for m in decided] == [
        (first.pair_id, False, False),
        (first.pair_id, None, True),
        (first.pair_id, True, False),
    ]
    with Project.open(queued_review) as project:  # stored, not only shown
        assert project.dedup_report().decided_same == 1
        left = [q.pair_id for q in project.duplicate_queue()]
        assert len(left) == 2 and first.pair_id not in left


async def test_empty_queue_says_so(review) -> None:
    add_records(review, [record(**TRIAL)])
    path = review.path
    review.close()
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DuplicatesScreen())
        await pilot.pause()
        assert "No pairs wait" in str(app.screen.query_one("#dup-status").render())
        await pilot.press("d", "k", "u")  # nothing to act on: no error
        assert app.screen.current is None
