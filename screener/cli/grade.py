"""``screener grade``: the GRADE summary of findings of the saved analyses, and the reviewers'
judgements of its domains."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import click

from screener.cli.output import echo, emit
from screener.display import one_line
from screener.errors import ScreenerError
from screener.project import Project

if TYPE_CHECKING:
    from screener.report.grade import Assessment, Judgement
    from screener.storage.grade import GradeSetting

_EXAMPLES = """\b
Example:
  screener grade review.db
  screener grade review.db --analysis 2 --mid 0.5 --json
  screener grade review.db --analysis 2 --set inconsistency=serious \\
      --reason "I2 = 80%, effects in both directions" --reviewer alice
  screener grade review.db --analysis 2 --mid 1.25 --design rct --reviewer alice
"""
_CLEAR = ("none", "auto", "")


@click.command("grade", epilog=_EXAMPLES)
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--analysis",
    "analysis_id",
    type=int,
    default=None,
    metavar="ID",
    help="One saved analysis (screener analyses lists them); default: every one.",
)
@click.option(
    "--mid",
    default=None,
    metavar="X",
    help="Minimally important difference on the measure's natural scale (e.g. 0.5 "
    "for an SMD, 1.25 for a ratio). Without --reviewer: for this view only; "
    "with it: stored ('none' clears it). Default: the null only.",
)
@click.option(
    "--design",
    default=None,
    metavar="DESIGN",
    help="rct or observational: where the certainty starts (high / low). Default: "
    "the studies' recorded design, else randomised. With --reviewer: stored "
    "('auto' clears it).",
)
@click.option(
    "--set",
    "setting",
    default=None,
    metavar="DOMAIN=LEVEL",
    help="Judge a domain (risk_of_bias, inconsistency, indirectness, imprecision, "
    "publication_bias) as not_serious, serious or very_serious; needs --reason "
    "and --reviewer (the lead or an arbiter).",
)
@click.option("--reason", default=None, help="Why (with --set): shown in the table's notes.")
@click.option("--reviewer", default=None, help="Who judges (the lead or an arbiter).")
@click.option("--history", is_flag=True, help="Also list every judgement and setting stored.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def grade_command(
    review: str,
    analysis_id: int | None,
    mid: str | None,
    design: str | None,
    setting: str | None,
    reason: str | None,
    reviewer: str | None,
    history: bool,
    as_json: bool,
) -> None:
    """The GRADE summary of findings: each saved analysis's certainty of evidence.

    For every saved analysis (or --analysis ID): studies, participants, the pooled effect with
    its CI, and the certainty (high, moderate, low, very low) from the five GRADE domains. Each
    domain has a suggested level computed from the data, with its reason; a judgement a
    reviewer stores (--set) replaces it. Judgements and settings are kept as a history: a
    change is added, the latest counts. The rules are stated in `screener.report.grade`.
    """
    if (reason is not None) and setting is None:
        raise ScreenerError("--reason goes with --set DOMAIN=LEVEL")
    if setting is not None and (reason is None or reviewer is None):
        raise ScreenerError("--set needs --reason TEXT and --reviewer NAME")
    if reviewer is not None and setting is None and mid is None and design is None:
        raise ScreenerError("--reviewer goes with --set, --mid or --design (to store them)")
    mid_value = _mid(mid)
    with Project.open(review) as project:
        if reviewer is not None:
            target = _target(project, analysis_id)
            if mid is not None:
                project.set_grade_mid(target, mid_value, reviewer=reviewer)
            if design is not None:
                project.set_grade_design(
                    target, None if design.lower() in _CLEAR else design, reviewer=reviewer
                )
            if setting is not None:
                domain, _, level = setting.partition("=")
                if not level:
                    raise ScreenerError(
                        f"--set {setting}: give DOMAIN=LEVEL, e.g. imprecision=serious"
                    )
                assert reason is not None
                project.judge_grade(target, domain, level, reason=reason, reviewer=reviewer)
            analysis_id = target
            found = project.grade(analysis_id)
        else:
            if mid is not None and mid_value is None:
                raise ScreenerError("--mid none clears a stored MID: give --reviewer too")
            clear = design is None or design.lower() in _CLEAR
            found = project.grade(analysis_id, mid=mid_value, design=None if clear else design)
        histories = (
            {a.analysis_id: project.grade_history(a.analysis_id) for a in found} if history else {}
        )
    if as_json:
        rows = [_json(a, histories.get(a.analysis_id)) for a in found]
        emit(
            json.dumps(
                rows[0] if analysis_id is not None else rows, ensure_ascii=False, allow_nan=False
            )
        )
        return
    if not found:
        echo("no saved analyses yet (screener pool, or the analysis screen of screener tui)")
        return
    for n, a in enumerate(found):
        if n:
            echo()
        _show(a)
        if a.analysis_id in histories:
            _show_history(*histories[a.analysis_id])
    if reviewer is None and (mid is not None or design is not None):
        echo(
            "Note: --mid and --design apply to this view only; add --reviewer NAME to store them",
            err=True,
        )


def _mid(text: str | None) -> float | None:
    if text is None or text.strip().lower() in _CLEAR:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ScreenerError(f"--mid {text!r}: give a number (or none)") from None
    if not math.isfinite(value) or value == 0:
        raise ScreenerError(
            f"--mid {text!r}: a minimally important difference is a non-zero number"
        )
    return value


def _target(project: Project, analysis_id: int | None) -> int:
    if analysis_id is not None:
        return analysis_id
    saved = project.analyses()
    if len(saved) != 1:
        raise ScreenerError(
            f"the review has {len(saved)} saved analyses: say which with --analysis ID"
        )
    return saved[0].id


def _show(a: Assessment) -> None:
    ev = a.evidence
    people = (
        "participants not known" if ev.participants is None else f"{ev.participants:,} participants"
    )
    echo(f"Analysis {a.analysis_id}: {one_line(a.name)}")
    echo(f"  outcome {one_line(a.outcome) or '—'}; {ev.k} studies; {people}; {a.effect}")
    echo(f"  starts at {a.start}: {a.design} ({one_line(a.design_source)})")
    if a.mid is not None:
        echo(f"  minimally important difference {a.mid:g} ({a.mid_source})")
    for d in a.domains:
        by = (
            f"judged by {d.judged.reviewer} {d.judged.made_at[:10]}"
            if d.judged
            else ("suggested" if d.suggested.assessed else "default")
        )
        echo(f"  {d.domain:<17} {d.level:<13} {by}: {one_line(d.reason)}")
        if d.judged is not None and d.judged.level != d.suggested.level:
            echo(f"  {'':<17} (suggested {d.suggested.level}: {one_line(d.suggested.reason)})")
    echo(f"  certainty of the evidence: {a.certainty}")


def _show_history(judgements: list[Judgement], settings: list[GradeSetting]) -> None:
    if not judgements and not settings:
        echo("  history: nothing stored yet")
        return
    echo("  history:")
    events = [
        (j.id, j.made_at, j.reviewer, f"{j.domain} = {j.level}: {one_line(j.reason)}")
        for j in judgements
    ]
    events += [
        (s.id, s.made_at, s.reviewer, f"{s.key} = {s.value or '(cleared)'}") for s in settings
    ]
    for _, at, who, text in sorted(events, key=lambda e: (e[1], e[0])):
        echo(f"    {at[:19]} {one_line(who)}: {text}")


def _json(
    a: Assessment, history: tuple[list[Judgement], list[GradeSetting]] | None
) -> dict[str, Any]:
    ev = a.evidence
    out: dict[str, Any] = {
        "analysis_id": a.analysis_id,
        "name": a.name,
        "outcome": a.outcome,
        "measure": ev.measure,
        "k": ev.k,
        "participants": ev.participants,
        "events": ev.events,
        "effect": a.effect,
        "design": a.design,
        "design_source": a.design_source,
        "start": a.start,
        "mid": a.mid,
        "mid_source": a.mid_source or None,
        "certainty": a.certainty,
        "domains": [
            {
                "domain": d.domain,
                "level": d.level,
                "reason": d.reason,
                "by": d.by,
                "suggested": {
                    "level": d.suggested.level,
                    "reason": d.suggested.reason,
                    "assessed": d.suggested.assessed,
                },
                "judgement": None if d.judged is None else _judgement(d.judged),
            }
            for d in a.domains
        ],
    }
    if history is not None:
        out["history"] = {
            "judgements": [_judgement(j) for j in history[0]],
            "settings": [
                {"key": s.key, "value": s.value, "reviewer": s.reviewer, "made_at": s.made_at}
                for s in history[1]
            ],
        }
    return out


def _judgement(j: Judgement) -> dict[str, Any]:
    return {
        "domain": j.domain,
        "level": j.level,
        "reason": j.reason,
        "reviewer": j.reviewer,
        "made_at": j.made_at,
    }
