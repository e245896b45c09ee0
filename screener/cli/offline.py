"""Verbs for offline work: checkout (a blind copy for one reviewer) and merge (bring it back)."""

from __future__ import annotations

import click

from screener.cli.output import echo
from screener.display import count_of
from screener.project import Project


@click.command("checkout")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--reviewer", required=True, help="The declared reviewer the copy is for.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The copy to write (a new file; never over a database).",
)
def checkout_command(review: str, reviewer: str, out: str) -> None:
    """Make a copy of the review for one reviewer to work on offline.

    The copy is blind: it holds none of the other reviewers' decisions, notes, tags, full-text
    entries, extraction values or judgements on what is not final yet. Work in it as in the
    review (screener tui COPY.db --reviewer NAME), then bring it back with screener merge.

    \b
    Example:
      screener checkout il2.db --reviewer bob --out il2-bob.db
    """
    with Project.open(review) as project:
        made = project.checkout(reviewer, out)
    left = sum(made.left_out.values())
    echo(
        f"wrote {out}: a copy for {made.reviewer} "
        f"({count_of(left, 'row')} of others' work not final left out); "
        f"merge it back with: screener merge REVIEW.db COPY.db"
    )


@click.command("merge")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("copy", type=click.Path(dir_okay=False))
def merge_command(review: str, copy: str) -> None:
    """Bring back what a reviewer did in an offline copy (made by screener checkout).

    Decisions (and undos), notes, tags, full-text entries, extraction values and risk-of-bias
    judgements are added to the review as that reviewer's history, with their own times;
    nothing the review holds is overwritten, and merging the same copy again adds nothing
    twice. Disagreements that arise appear in screener conflicts as usual. Other work done in
    the copy (conflict resolutions, duplicate verdicts, settings, studies, the extraction form,
    analyses, GRADE, the stopping rule) is not merged: the summary names it, and it stays in the
    copy to be done again in the review.

    \b
    Example:
      screener merge il2.db il2-bob.db
    """
    with Project.open(review) as project:
        done = project.merge(copy)
    for label in done.reasons_added:
        echo(f"added the exclusion reason {label!r}, used in the copy")
    parts = [
        count_of(done.decisions, "decision"),
        count_of(done.undos, "undo"),
        count_of(done.notes, "note"),
        count_of(done.tags, "tag"),
        count_of(done.untags, "tag removal"),
        count_of(done.full_texts, "full-text entry", "full-text entries"),
        count_of(done.values, "extraction value"),
        count_of(done.judgements, "judgement"),
        count_of(done.removed, "value cleared", "values cleared"),
    ]
    if done.nothing:
        echo(f"nothing new from {done.reviewer}'s copy {copy}: the review already holds its work")
    else:
        echo(f"merged from {done.reviewer}'s copy: " + ", ".join(parts))
    if done.kept:
        echo(
            f"kept {count_of(done.kept, 'row')} as the review holds them: changed there since "
            "the checkout"
        )
    left = list(done.left_in_copy)
    if done.reasons_left:
        left.append(
            "unused exclusion reasons " + ", ".join(repr(label) for label in done.reasons_left)
        )
    if left:
        echo(
            f"not merged, left in the copy: {'; '.join(left)}. A merge brings back screening, "
            "notes, tags, full text, extraction and risk of bias; do the rest in the review"
        )
