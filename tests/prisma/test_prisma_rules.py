"""The final-decision rules (screener.prisma.decisions), on hand-made votes."""

from __future__ import annotations

from screener.model import StageOutcome
from screener.prisma.decisions import NO_REASON, Vote, final_decision

ORDER = {"Wrong design": 0, "Wrong population": 1, "Wrong intervention": 2}


def test_a_resolution_is_final_even_against_the_votes():
    votes = [Vote("a", "include"), Vote("b", "include")]
    final = final_decision(votes, required=2, resolution=("exclude", "Wrong design"))
    assert (final.status, final.reason, final.resolved) == (
        StageOutcome.EXCLUDE,
        "Wrong design",
        True,
    )


def test_fewer_votes_than_required_is_pending():
    assert final_decision([Vote("a", "exclude")], required=2).status is StageOutcome.PENDING
    assert final_decision([], required=1).status is StageOutcome.PENDING


def test_disagreement_is_a_conflict_and_maybe_follows_the_review_setting():
    votes = [Vote("a", "include"), Vote("b", "maybe")]
    assert final_decision(votes, required=2, maybe_as="include").status is StageOutcome.INCLUDE
    assert final_decision(votes, required=2, maybe_as="exclude").status is StageOutcome.CONFLICT
    assert (
        final_decision([Vote("a", "include"), Vote("b", "exclude")], required=1).status
        is StageOutcome.CONFLICT
    )


def test_differing_reasons_take_the_first_in_the_review_order():
    votes = [Vote("a", "exclude", "Wrong intervention"), Vote("b", "exclude", "Wrong population")]
    final = final_decision(votes, required=2, reason_order=ORDER)
    assert (final.status, final.reason, final.reasons_differed) == (
        StageOutcome.EXCLUDE,
        "Wrong population",
        True,
    )


def test_one_reason_given_is_used_and_none_is_flagged():
    one = final_decision(
        [Vote("a", "exclude", "Wrong design"), Vote("b", "exclude")], required=2, reason_order=ORDER
    )
    none = final_decision([Vote("a", "exclude"), Vote("b", "exclude")], required=2)
    assert (one.reason, one.reasons_differed) == ("Wrong design", False)
    assert none.reason == NO_REASON
