"""Verbs on prioritised screening: the queue order, the stopping rule, and simulations.

scikit-learn, scipy and matplotlib are loaded inside the verbs that use them (through the
façade), so ``screener --help`` stays quick.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from screener.cli.output import echo, emit, progress_console
from screener.errors import InvalidInputError
from screener.project import Project
from screener.screening.order import MODE_LABELS, QueueMode
from screener.screening.stopping import RULE, StoppingStatus, StoppingTest


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


@click.command("screen-order")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument(
    "mode", required=False, type=click.Choice([m.value for m in QueueMode], case_sensitive=False)
)
@click.option("--reviewer", required=True, help="Whose queue.")
@click.option("--seed", type=int, help="The seed of random order (default: kept, first 0).")
def screen_order_command(review: str, mode: str | None, reviewer: str, seed: int | None) -> None:
    """Show or choose the order of a reviewer's title/abstract queue.

    MODE: relevance (most likely relevant first, by a model trained on the reviewer's own and
    the team's final decisions), file (the order records entered the review), random (seeded;
    starts the stopping rule's random sample), or auto (relevance once the reviewer has an
    include and an exclude; the default). Choosing relevance trains the model now.

    \b
    Example:
      screener screen-order il2.db relevance --reviewer alice
      screener screen-order il2.db random --reviewer alice --seed 7
      screener screen-order il2.db --reviewer alice
    """
    with Project.open(review) as project:
        if mode is None:
            order = project.queue_order(reviewer)
        else:
            order = project.set_queue_order(reviewer, mode, seed=seed)
            if order.effective is QueueMode.RELEVANCE:
                project.retrain_ranking(reviewer, force=order.ranking is None)
                order = project.queue_order(reviewer)
    echo(f"{order.reviewer}: {order.describe()}")
    if order.effective is QueueMode.RELEVANCE and order.ranking is None:
        echo(
            "the ranking needs at least one include and one exclude; until then the queue is "
            "in file order"
        )


def status_json(status: StoppingStatus) -> dict[str, Any]:
    test = status.test
    return {
        "rule": RULE,
        "stage": status.stage,
        "recall_target": status.recall_target,
        "confidence": status.confidence,
        "records": status.records,
        "screened": status.screened,
        "includes": status.includes,
        "in_progress": status.in_progress,
        "unscreened": status.unscreened,
        "criterion_met": status.met,
        "can_stop": status.can_stop,
        "blockers": list(status.blockers),
        "random_records_needed_for_a_new_sample": status.sample_needed,
        "sample": None
        if test is None
        else {**_test_json(test), "started_at": status.sample_started_at},
        "stop": None
        if status.stop is None
        else {
            "id": status.stop.id,
            "reviewer": status.stop.reviewer,
            "stopped_at": status.stop.stopped_at,
            "records_marked": status.stop.marked,
            "test": _test_json(status.stop.test),
        },
    }


def _test_json(test: StoppingTest) -> dict[str, Any]:
    found = asdict(test)
    found["criterion_met"] = test.met
    return found


def _describe(status: StoppingStatus) -> list[str]:
    lines = [
        f"stopping rule: {RULE}",
        f"recall target {100 * status.recall_target:.0f}%, confidence "
        f"{100 * status.confidence:.0f}%",
        f"records {status.records:,} · screened {status.screened:,} · includes "
        f"{status.includes:,} · in progress {status.in_progress:,} · not screened "
        f"{status.unscreened:,}",
    ]
    if status.stop is not None:
        s, t = status.stop, status.stop.test
        lines.append(
            f"STOPPED by {s.reviewer} on {s.stopped_at}: {s.marked:,} records marked "
            "not screened (stopping rule)"
        )
        lines.append(
            f"  at the stop: sample {t.sampled:,} of {t.urn:,} with {t.sample_includes:,} "
            f"relevant, p = {t.p_value:.4f}, recall ≈ {_percent(t.recall_estimate)} "
            f"({_percent(t.recall_low)} to {_percent(t.recall_high)})"
        )
        return lines
    test = status.test
    if test is None:
        more = (
            "no sample can meet it"
            if status.sample_needed is None
            else f"{status.sample_needed:,} random records (if none of them is relevant)"
        )
        lines.append(f"no random sample yet; one begun now would need {more}")
    else:
        lines.append(
            f"random sample since {status.sample_started_at[:16]}: {test.sampled:,} of "
            f"{test.urn:,} screened, {test.sample_includes:,} relevant; "
            f"{test.includes_before:,} includes found outside it"
        )
        lines.append(
            f"estimated recall {_percent(test.recall_estimate)} "
            f"({100 * test.confidence:.0f}% CI {_percent(test.recall_low)} to "
            f"{_percent(test.recall_high)}); p = {test.p_value:.4f} "
            f"(H0: recall below {100 * test.recall_target:.0f}%, K_tar {test.k_target:,})"
        )
        if test.met:
            lines.append("criterion MET")
        elif test.more_needed is None:
            lines.append("criterion not met, and no more random records can meet it")
        else:
            lines.append(
                f"criterion not met: screen {test.more_needed:,} more random records "
                "(if none of them is relevant)"
            )
    for blocker in status.blockers:
        lines.append(f"cannot stop yet: {blocker}")
    if status.can_stop:
        lines.append("the lead may stop: screener stopping REVIEW.db --stop --reviewer LEAD")
    return lines


@click.command("stopping")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option("--reviewer", help="Who acts (--stop, --undo and --save are the lead's).")
@click.option("--target", type=float, help="Recall target (default: the review's, first 0.95).")
@click.option("--confidence", type=float, help="Confidence (default: the review's, first 0.95).")
@click.option("--save", is_flag=True, help="Make --target and --confidence the review's rule.")
@click.option(
    "--stop",
    is_flag=True,
    help="Stop title/abstract screening: mark the records no one screened "
    "'not screened: stopping rule' (the criterion must be met).",
)
@click.option("--undo", is_flag=True, help="Undo the stop: its records are to be screened again.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def stopping_command(
    review: str,
    reviewer: str | None,
    target: float | None,
    confidence: float | None,
    save: bool,
    stop: bool,
    undo: bool,
    as_json: bool,
) -> None:
    """The stopping rule for prioritised title/abstract screening, and the lead's stop.

    A hypergeometric test (Callaghan & Müller-Hansen 2020, Systematic Reviews 9:273) on a
    random sample of the records not screened when the sample began: a reviewer starts the
    sample by switching to random order (screener screen-order REVIEW.db random). When the
    test rejects "recall is below the target" at the confidence, the lead may stop: the records
    no one screened count in PRISMA as marked ineligible by automation tools.

    \b
    Example:
      screener stopping il2.db
      screener stopping il2.db --target 0.9 --confidence 0.95 --save --reviewer alice
      screener stopping il2.db --stop --reviewer alice
    """
    if sum((save, stop, undo)) > 1:
        raise click.UsageError("give one of --save, --stop and --undo")
    if (save or stop or undo) and not reviewer:
        raise click.UsageError("--save, --stop and --undo need --reviewer (the lead)")
    with Project.open(review) as project:
        if save:
            if target is None or confidence is None:
                raise InvalidInputError("--save needs --target and --confidence")
            assert reviewer is not None
            project.set_stopping_rule(reviewer, recall_target=target, confidence=confidence)
            echo(
                f"the review's stopping rule: recall target {100 * target:g}%, confidence "
                f"{100 * confidence:g}%"
            )
        elif stop:
            assert reviewer is not None
            if target is not None or confidence is not None:
                raise click.UsageError("--stop uses the review's rule; set it first with --save")
            done = project.stop_screening(reviewer)
            echo(
                f"stopped title/abstract screening: {done.marked:,} records marked not screened "
                f"(stopping rule, p = {done.test.p_value:.4f})"
            )
        elif undo:
            assert reviewer is not None
            undone = project.undo_stop(reviewer)
            echo(
                f"undid the stop of {undone.stopped_at}: {undone.marked:,} records are to be "
                "screened again"
            )
        status = project.stopping_status(
            recall_target=None if save else target, confidence=None if save else confidence
        )
    if as_json:
        emit(json.dumps(status_json(status), indent=2, ensure_ascii=False))
        return
    for line in _describe(status):
        echo(line)


def _priors(text: str) -> tuple[int, int]:
    try:
        includes, excludes = (int(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r}: give INCLUDES,EXCLUDES, e.g. 1,1") from None
    return includes, excludes


@click.command("simulate")
@click.argument("labelled", type=click.Path(dir_okay=False))
@click.option("--label", required=True, help="The label column (1 relevant, 0 not).")
@click.option("--seeds", type=int, default=5, show_default=True, help="Runs, with seeds 1..N.")
@click.option(
    "--priors",
    default="1,1",
    show_default=True,
    help="Random prior decisions per run: INCLUDES,EXCLUDES.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for recall.png, recall.svg, simulation.json and simulation.txt.",
)
@click.option("--force", is_flag=True, help="Replace an earlier simulation's --out folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def simulate_command(
    labelled: str, label: str, seeds: int, priors: str, out: str | None, force: bool, as_json: bool
) -> None:
    """Replay a labelled CSV (title, abstract, label columns) through screener's ranking.

    Each run starts from random prior decisions, screens the most relevant record first with
    the same model as the TUI, and plays the stopping rule alongside. Prints (and with --out
    writes) WSS@95, RRF@10, records screened to 95% recall, and where the stopping rule would
    have stopped with the recall there; --out also gets the recall curves (PNG and SVG).

    \b
    Example:
      screener simulate Nagtegaal_2019.csv --label label_included --out sim/
      screener simulate ADHD.csv --label label_included --seeds 3 --priors 2,5 --json
    """
    wanted = _priors(priors)
    with progress_console().status("simulating …"):
        report = Project.simulate(
            labelled, label, seeds=seeds, priors=wanted, out=out, replace=force
        )
    if as_json:
        emit(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    echo(report.table())
    if out:
        echo(f"wrote recall.png, recall.svg, simulation.json and simulation.txt into {out}")


__all__ = ["MODE_LABELS", "screen_order_command", "simulate_command", "stopping_command"]
