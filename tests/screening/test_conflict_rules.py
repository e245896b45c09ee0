"""What decisions amount to: conflicts, maybe, resolutions (the pure rules)."""

from __future__ import annotations

import pytest

from screener.model import Choice
from screener.screening import StageOutcome, effective_choice, is_conflict, stage_outcome

INC, EXC, MAY = Choice.INCLUDE, Choice.EXCLUDE, Choice.MAYBE


def test_maybe_counts_as_include_by_default() -> None:
    assert effective_choice(MAY) is INC
    assert effective_choice(MAY, "exclude") is EXC
    assert effective_choice(EXC, "include") is EXC
    with pytest.raises(ValueError):
        effective_choice(MAY, "maybe")


@pytest.mark.parametrize(
    ("choices", "maybe", "expected"),
    [
        ([INC, EXC], "include", True),
        ([INC, INC], "include", False),
        ([MAY, INC], "include", False),
        ([MAY, EXC], "include", True),
        ([MAY, INC], "exclude", True),
        ([MAY, EXC], "exclude", False),
        ([EXC], "include", False),
        ([], "include", False),
    ],
)
def test_is_conflict(choices, maybe, expected) -> None:
    assert is_conflict(choices, maybe) is expected


@pytest.mark.parametrize(
    ("choices", "needed", "resolution", "expected"),
    [
        ([], 2, None, StageOutcome.PENDING),
        ([INC], 2, None, StageOutcome.PENDING),
        ([INC], 1, None, StageOutcome.INCLUDE),
        ([EXC], 1, None, StageOutcome.EXCLUDE),
        ([INC, MAY], 2, None, StageOutcome.INCLUDE),
        ([EXC, EXC], 2, None, StageOutcome.EXCLUDE),
        ([INC, EXC], 2, None, StageOutcome.CONFLICT),
        (
            [INC, EXC],
            1,
            None,
            StageOutcome.CONFLICT,
        ),  # two opinions disagree even if one was enough
        ([INC, EXC], 2, EXC, StageOutcome.EXCLUDE),  # a resolution settles it
        ([INC, INC], 2, EXC, StageOutcome.EXCLUDE),  # and overrides agreement too
    ],
)
def test_stage_outcome(choices, needed, resolution, expected) -> None:
    assert stage_outcome(choices, needed=needed, resolution=resolution) is expected


def test_stage_outcome_with_maybe_as_exclude() -> None:
    assert stage_outcome([MAY, MAY], needed=2, maybe_counts_as="exclude") is StageOutcome.EXCLUDE
    assert stage_outcome([MAY, INC], needed=2, maybe_counts_as="exclude") is StageOutcome.CONFLICT
