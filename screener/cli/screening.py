"""Verbs on screening: agreement (Cohen's kappa) and conflicts."""

from __future__ import annotations

import json

import click

from screener.cli.output import echo, emit, plural
from screener.display import one_line
from screener.model import Stage
from screener.project import Project
from screener.screening import PairAgreement

_STAGES = click.Choice([s.value for s in Stage])
SE_METHOD = "large-sample SE of Fleiss, Cohen & Everitt (1969); Wald 95% CI"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def agreement_json(pair: PairAgreement) -> dict:
    k = pair.kappa
    return {
        "stage": pair.stage, "reviewer_a": pair.reviewer_a, "reviewer_b": pair.reviewer_b,
        "n": pair.n, "both_include": pair.both_include,
        "a_include_b_exclude": pair.a_include_b_exclude,
        "a_exclude_b_include": pair.a_exclude_b_include, "both_exclude": pair.both_exclude,
        "percent_agreement": round(k.percent_agreement, 4), "kappa": k.kappa, "se": k.se,
        "ci_low": k.ci_low, "ci_high": k.ci_high, "se_method": SE_METHOD,
    }


@click.command("agreement")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--stage", type=_STAGES, help="Only this stage (default: both).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per stage and pair.")
def agreement_command(review: str, stage: str | None, as_json: bool) -> None:
    """Agreement between reviewers: 2x2 counts, percent agreement, Cohen's kappa (95% CI).

    Counted over records both reviewers decided; maybe counts as the review says (include by
    default). The CI uses the large-sample SE of Fleiss, Cohen & Everitt (1969).

    \b
    Example:
      screener agreement il2.db --stage title_abstract
      screener agreement il2.db --json | jq '.[0].kappa'
    """
    with Project.open(review) as project:
        pairs = project.agreement(stage)
    if as_json:
        emit(json.dumps([agreement_json(p) for p in pairs], indent=2))
        return
    if not pairs:
        echo("no records decided by two reviewers yet")
        return
    for pair in pairs:
        k = pair.kappa
        a, b = pair.reviewer_a, pair.reviewer_b
        width = max(len(a), len(b)) + 10
        echo(f"{pair.stage}: {a} vs {b} ({plural(pair.n, 'record')} decided by both)")
        echo(f"  {'':<{width}}{b + ' include':>16}{b + ' exclude':>16}")
        echo(f"  {a + ' include':<{width}}{pair.both_include:>16}{pair.a_include_b_exclude:>16}")
        echo(f"  {a + ' exclude':<{width}}{pair.a_exclude_b_include:>16}{pair.both_exclude:>16}")
        echo(f"  agreement {k.percent_agreement:.1f}%, kappa {_fmt(k.kappa)} "
             f"(95% CI {_fmt(k.ci_low)} to {_fmt(k.ci_high)}, SE {_fmt(k.se, 3)})")


@click.command("conflicts")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--stage", type=_STAGES, default=Stage.TITLE_ABSTRACT.value, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def conflicts_command(review: str, stage: str, as_json: bool) -> None:
    """Records on which reviewers disagree (include vs exclude) and nobody has resolved yet.

    \b
    Example:
      screener conflicts il2.db --stage full_text
    """
    with Project.open(review) as project:
        found = project.conflicts(stage)
    if as_json:
        emit(json.dumps([{
            "record_id": c.record_id, "stage": c.stage.value, "title": c.title,
            "decisions": [{"reviewer": d.reviewer, "decision": d.choice.value, "reason": d.reason,
                           "note": d.note} for d in c.decisions],
            "notes": [{"reviewer": n.reviewer, "text": n.text} for n in c.notes],
        } for c in found], ensure_ascii=False, indent=2))
        return
    if not found:
        echo(f"no unresolved conflicts at {stage}")
        return
    for c in found:
        said = "; ".join(f"{d.reviewer}: {d.choice.value}" + (f" ({d.reason})" if d.reason else "")
                         for d in c.decisions)
        echo(f"{c.record_id}\t{one_line(said)}\t{one_line(c.title)}")
