"""Verbs on screening: agreement (Cohen's kappa), conflicts and their resolution."""

from __future__ import annotations

import json

import click

from screener.cli.output import echo, emit, plural
from screener.display import one_line
from screener.errors import ScreenerError
from screener.model import Stage
from screener.project import Project
from screener.screening import PairAgreement, Resolution, ResolutionMethod

_STAGES = click.Choice([s.value for s in Stage])
SE_METHOD = "large-sample SE of Fleiss, Cohen & Everitt (1969); Wald 95% CI"


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def agreement_json(pair: PairAgreement) -> dict:
    k = pair.kappa
    return {
        "stage": pair.stage,
        "reviewer_a": pair.reviewer_a,
        "reviewer_b": pair.reviewer_b,
        "n": pair.n,
        "both_include": pair.both_include,
        "a_include_b_exclude": pair.a_include_b_exclude,
        "a_exclude_b_include": pair.a_exclude_b_include,
        "both_exclude": pair.both_exclude,
        "percent_agreement": round(k.percent_agreement, 4),
        "kappa": k.kappa,
        "se": k.se,
        "ci_low": k.ci_low,
        "ci_high": k.ci_high,
        "se_method": SE_METHOD,
    }


@click.command("agreement")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--stage", type=_STAGES, help="Only this stage (default: both).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON list, one object per stage and pair."
)
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
        echo(
            f"  agreement {k.percent_agreement:.1f}%, kappa {_fmt(k.kappa)} "
            f"(95% CI {_fmt(k.ci_low)} to {_fmt(k.ci_high)}, SE {_fmt(k.se, 3)})"
        )


@click.command("conflicts")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--stage", type=_STAGES, default=Stage.TITLE_ABSTRACT.value, show_default=True)
@click.option(
    "--reviewer",
    help="Who is asking: in a blind review a screener sees the conflicts "
    "on records they decided, an arbiter or lead all of them.",
)
@click.option(
    "--resolved", is_flag=True, help="The conflicts already resolved, with their resolution."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def conflicts_command(
    review: str, stage: str, reviewer: str | None, resolved: bool, as_json: bool
) -> None:
    """Records on which reviewers disagree (include vs exclude) and nobody has resolved yet.

    \b
    Example:
      screener conflicts il2.db --stage full_text --reviewer carol
    """
    with Project.open(review) as project:
        if reviewer is None and project.review().blind:
            raise ScreenerError(
                "this review is blind: say who is asking with --reviewer NAME "
                "(an arbiter or the lead sees every conflict)"
            )
        found = project.conflicts(stage, as_reviewer=reviewer, resolved=resolved)
    if as_json:
        emit(
            json.dumps(
                [
                    {
                        "record_id": c.record_id,
                        "stage": c.stage.value,
                        "title": c.title,
                        "decisions": [
                            {
                                "reviewer": d.reviewer,
                                "decision": d.choice.value,
                                "reason": d.reason,
                                "note": d.note,
                            }
                            for d in c.decisions
                        ],
                        "notes": [{"reviewer": n.reviewer, "text": n.text} for n in c.notes],
                        **({"resolution": _resolution_json(c.resolution)} if resolved else {}),
                    }
                    for c in found
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not found:
        echo(f"no {'resolved' if resolved else 'unresolved'} conflicts at {stage}")
        return
    for c in found:
        said = "; ".join(
            f"{d.reviewer}: {d.choice.value}" + (f" ({d.reason})" if d.reason else "")
            for d in c.decisions
        )
        parts = [str(c.record_id), said, c.title]
        if c.resolution is not None:
            parts.append(f"resolved: {c.resolution.describe()}")
        echo("\t".join(one_line(part) for part in parts))


def _resolution_json(found: Resolution | None) -> dict | None:
    if found is None:
        return None
    return {
        "id": found.id,
        "decision": found.choice.value,
        "reviewer": found.reviewer,
        "method": found.method.value,
        "reason": found.reason,
        "note": found.note,
        "resolved_at": found.resolved_at,
        "replaces_id": found.replaces_id,
    }


@click.command("resolve")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("record_id", type=int)
@click.argument("decision", type=click.Choice(["include", "exclude"]), required=False)
@click.option("--reviewer", required=True, help="Who resolves: an arbiter or the lead.")
@click.option("--stage", type=_STAGES, default=Stage.TITLE_ABSTRACT.value, show_default=True)
@click.option(
    "--method",
    type=click.Choice([m.value for m in ResolutionMethod]),
    default=None,
    help="third_reviewer (default when REVIEWER did not decide the record) or "
    "consensus (recorded by one of the pair).",
)
@click.option("--reason", help="An exclusion reason from the review's list.")
@click.option("--note", default="", help="Why, for the record.")
@click.option("--replace", is_flag=True, help="Replace the record's resolution if it has one.")
@click.option("--undo", is_flag=True, help="Undo the record's resolution instead (no DECISION).")
def resolve_command(
    review: str,
    record_id: int,
    decision: str | None,
    reviewer: str,
    stage: str,
    method: str | None,
    reason: str | None,
    note: str,
    replace: bool,
    undo: bool,
) -> None:
    """Settle a conflict: the final decision on RECORD_ID at a stage (an arbiter or the lead).

    A record resolved already is refused, saying who resolved it and how; --replace replaces
    that resolution on purpose. --undo takes the record's resolution back.

    \b
    Example:
      screener resolve il2.db 8 include --reviewer carol
      screener resolve il2.db 8 exclude --reviewer carol --reason "Wrong population" --replace
      screener resolve il2.db 8 --undo --reviewer carol
    """
    if undo == (decision is not None):
        raise click.UsageError("give either DECISION (include or exclude) or --undo")
    with Project.open(review) as project:
        if decision is None:  # --undo
            undone = project.undo_resolution(record_id, stage, reviewer)
            echo(f"record {record_id}: undid the resolution {undone.describe()}")
            return
        if method is None:
            deciders = {d.reviewer for d in project.decisions(record_id, stage)}
            method = (
                ResolutionMethod.CONSENSUS
                if project.reviewer(reviewer).name in deciders
                else ResolutionMethod.THIRD_REVIEWER
            ).value
        project.resolve_conflict(
            record_id,
            stage,
            decision,
            reviewer,
            method=method,
            reason=reason,
            note=note,
            replace=replace,
        )
        live = project.resolution(record_id, stage)
    assert live is not None
    echo(f"record {record_id}: {live.describe()}")
