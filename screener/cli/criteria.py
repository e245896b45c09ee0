"""``screener criteria`` and ``screener terms``: the review's eligibility criteria and the
words the screening screen highlights, set and shown from the command line."""

from __future__ import annotations

import json
import textwrap

import click

from screener.cli.output import echo, emit
from screener.model import Review
from screener.project import Project

# option name -> (Review field, label shown), in the order a protocol states them
CRITERIA: dict[str, tuple[str, str]] = {
    "question": ("question", "question"),
    "population": ("population", "population"),
    "intervention": ("intervention", "intervention"),
    "comparator": ("comparator", "comparator"),
    "outcomes": ("outcomes", "outcomes"),
    "study_designs": ("study_designs", "study designs"),
    "inclusion": ("inclusion_criteria", "inclusion criteria"),
    "exclusion": ("exclusion_criteria", "exclusion criteria"),
}


def _show_criteria(review: Review) -> None:
    for field, label in CRITERIA.values():
        value = getattr(review, field).strip()
        if "\n" in value:
            echo(f"{label}:")
            echo(textwrap.indent(value, "  "))
        else:
            echo(f"{label}: {value or '(not set)'}")


@click.command("criteria")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--question", help="The review question.")
@click.option("--population", help="Population (P of PICO).")
@click.option("--intervention", help="Intervention (I).")
@click.option("--comparator", help="Comparator (C).")
@click.option("--outcomes", help="Outcomes (O).")
@click.option("--study-designs", "study_designs", help="Study designs that are eligible.")
@click.option("--inclusion", help="Inclusion criteria (shown beside each record while screening).")
@click.option("--exclusion", help="Exclusion criteria.")
@click.option("--json", "as_json", is_flag=True, help="Print the criteria as one JSON object.")
def criteria_command(review: str, as_json: bool, **given: str | None) -> None:
    """Show the review's eligibility criteria, or set some of them.

    Options not given keep their value; an empty value ("") clears one.

    \b
    Example:
      screener criteria il2.db
      screener criteria il2.db --inclusion "RCTs of low-dose IL-2 in adults with myositis" \\
          --exclusion "Case reports; animal studies"
    """
    changes = {
        CRITERIA[option][0]: value.strip() for option, value in given.items() if value is not None
    }
    with Project.open(review) as project:
        current = project.update_review(**changes) if changes else project.review()
    if as_json:
        emit(
            json.dumps(
                {field: getattr(current, field) for field, _ in CRITERIA.values()},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    _show_criteria(current)


def _without(terms: tuple[str, ...], drop: set[str]) -> list[str]:
    return [t for t in terms if t.casefold() not in drop]


@click.command("terms")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--include",
    "include",
    multiple=True,
    metavar="TERM",
    help="Highlight TERM as a sign to include (repeatable).",
)
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="TERM",
    help="Highlight TERM as a sign to exclude (repeatable).",
)
@click.option(
    "--remove", multiple=True, metavar="TERM", help="Stop highlighting TERM (repeatable)."
)
@click.option("--clear", is_flag=True, help="Remove every term first (then add those given).")
@click.option("--json", "as_json", is_flag=True, help="Print the terms as one JSON object.")
def terms_command(
    review: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    remove: tuple[str, ...],
    clear: bool,
    as_json: bool,
) -> None:
    """Show the words highlighted while screening, or change them.

    Terms are added to those the review has (a term moves to the list it is given for); letter
    case does not matter when removing.

    \b
    Example:
      screener terms il2.db
      screener terms il2.db --include randomi --include "interleukin-2" --exclude mice
      screener terms il2.db --clear --include myositis
    """
    with Project.open(review) as project:
        current = project.review()
        if include or exclude or remove or clear:
            kept_include = () if clear else current.include_terms
            kept_exclude = () if clear else current.exclude_terms
            # a term given again replaces its old spelling, one given for the other list moves
            # there, --remove drops it from both
            given = {t.strip().casefold() for t in (*remove, *include, *exclude)}
            new_include = _without(kept_include, given)
            new_exclude = _without(kept_exclude, given)
            current = project.update_review(
                include_terms=(*new_include, *include), exclude_terms=(*new_exclude, *exclude)
            )
    if as_json:
        emit(
            json.dumps(
                {"include": list(current.include_terms), "exclude": list(current.exclude_terms)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    echo("include: " + ("; ".join(current.include_terms) or "(none)"))
    echo("exclude: " + ("; ".join(current.exclude_terms) or "(none)"))
