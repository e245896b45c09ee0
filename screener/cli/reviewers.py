"""Verbs on a review's reviewers: add, list, role."""

from __future__ import annotations

import json

import click

from screener.cli.output import echo, emit
from screener.project import Project
from screener.screening import ROLES

_ROLES = click.Choice(ROLES)


@click.group("reviewer")
def reviewer_group() -> None:
    """Declare a review's reviewers and give them roles (the lead's verbs).

    A screener screens; an arbiter also resolves conflicts and sees both decisions of each; a
    lead also changes settings, adds reviewers and gives roles. Only declared reviewers can
    decide, note, tag or resolve; names match whatever their case.
    """


@reviewer_group.command("add")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("name")
@click.option(
    "--role",
    type=_ROLES,
    default=None,
    help="screener (default), arbiter or lead; a review's first reviewer is its lead.",
)
def add_command(review: str, name: str, role: str | None) -> None:
    """Declare reviewer NAME.

    \b
    Example:
      screener reviewer add il2.db carol --role arbiter
    """
    with Project.open(review) as project:
        added = project.add_reviewer(name, role)
    first = " (a review's first reviewer is its lead)" if added.is_lead and role != "lead" else ""
    echo(f"added {added.name} as {added.role}{first}")


@reviewer_group.command("list")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {name, role}.")
def list_command(review: str, as_json: bool) -> None:
    """The review's reviewers and their roles, in the order they were added.

    \b
    Example:
      screener reviewer list il2.db
    """
    with Project.open(review) as project:
        found = project.reviewers()
    if as_json:
        emit(
            json.dumps(
                [{"name": r.name, "role": r.role} for r in found], ensure_ascii=False, indent=2
            )
        )
        return
    if not found:
        echo("no reviewers yet; add the lead with: screener reviewer add REVIEW.db NAME")
    for r in found:
        echo(f"{r.name}\t{r.role}")


@reviewer_group.command("role")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("name")
@click.argument("role", type=_ROLES)
def role_command(review: str, name: str, role: str) -> None:
    """Give reviewer NAME the role ROLE (screener, arbiter or lead).

    \b
    Example:
      screener reviewer role il2.db bob arbiter
    """
    with Project.open(review) as project:
        changed = project.set_reviewer_role(name, role)
    echo(f"{changed.name} is now {changed.role}")
