"""``screener simulate``: replay a labelled CSV through the ranking and the stopping rule.

The file is read as the labelled sets of ``../shared/data/screening/`` are laid out: a header
row with ``title`` and ``abstract`` (and optionally ``keywords``, separated by ``;``) and the
label column named by the user, 1 for relevant and 0 for not (also yes/no, true/false,
include/exclude). Each seed is one :func:`screener.screening.simulation.simulate` run, with the
same ranking code the review uses. The results go to a folder, all or nothing: ``recall.png``
and ``recall.svg`` (the curves), ``simulation.json`` and ``simulation.txt`` (the table).
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from screener.errors import InvalidInputError, ParseError, ScreenerError
from screener.files import output_folder, write_file
from screener.screening.ranking import Features, RankingSettings, record_text
from screener.screening.simulation import SimulationRun, simulate
from screener.sources._common import csv_table
from screener.sources.decode import open_text

__all__ = ["LabelledSet", "SimulationReport", "read_labelled", "simulate_file"]

_TRUE = {"1", "yes", "y", "true", "include", "included", "relevant"}
_FALSE = {"0", "no", "n", "false", "exclude", "excluded", "irrelevant"}
MARKER = "simulation.json"


@dataclass(frozen=True, slots=True)
class LabelledSet:
    name: str
    texts: tuple[tuple[str, str], ...]
    labels: tuple[bool, ...]
    label_column: str


def read_labelled(path: str | Path, label: str) -> LabelledSet:
    """The records' texts and labels of a labelled CSV (see the module docstring)."""
    source = Path(path)
    if not source.is_file():
        raise ScreenerError(f"{path}: no such file")
    stream, _ = open_text(source)
    texts: list[tuple[str, str]] = []
    labels: list[bool] = []
    with stream:
        header, rows = csv_table(stream, source.name)
        lower = [h.lower() for h in header]
        missing = [c for c in ("title", "abstract") if c not in lower]
        if label not in header and label.lower() not in lower:
            missing.append(label)
        if missing:
            raise ParseError(
                source.name,
                "line 1",
                f"no column {', '.join(map(repr, missing))} "
                f"(the header names: {', '.join(header)})",
            )
        at_title, at_abstract = lower.index("title"), lower.index("abstract")
        at_label = header.index(label) if label in header else lower.index(label.lower())
        at_keywords = lower.index("keywords") if "keywords" in lower else None
        for _, line, cells in rows:
            cells += [""] * (len(header) - len(cells))
            value = cells[at_label].strip().lower()
            if value not in _TRUE | _FALSE:
                raise ParseError(
                    source.name,
                    f"line {line}",
                    f"the label {cells[at_label]!r} in column {label!r} is not 1 or 0",
                )
            keywords = cells[at_keywords].split(";") if at_keywords is not None else []
            texts.append(record_text(cells[at_title], cells[at_abstract], keywords))
            labels.append(value in _TRUE)
    relevant = sum(labels)
    if not labels:
        raise ParseError(source.name, "line 2", "no records")
    if not relevant or relevant == len(labels):
        raise InvalidInputError(
            f"{source.name}: the column {label!r} needs both relevant (1) and "
            f"irrelevant (0) records ({relevant:,} of {len(labels):,} are 1)"
        )
    return LabelledSet(source.name, tuple(texts), tuple(labels), label)


@dataclass(frozen=True, slots=True)
class SimulationReport:
    data: LabelledSet
    priors: tuple[int, int]
    runs: tuple[SimulationRun, ...]
    recall_target: float = 0.95
    confidence: float = 0.95

    def mean(self, name: str) -> float:
        values = [v for v in (self._value(r, name) for r in self.runs) if v is not None]
        return statistics.fmean(values) if values else math.nan

    @staticmethod
    def _value(run: SimulationRun, name: str) -> float | None:
        if name in ("wss95", "rrf10", "screened_at_95"):
            return float(getattr(run.metrics, name))
        value = getattr(run, name)
        return None if value is None else float(value)

    def as_json(self) -> dict[str, Any]:
        runs = [
            {
                "seed": r.seed,
                "priors": list(r.priors),
                "wss95": round(r.metrics.wss95, 4),
                "rrf10": round(r.metrics.rrf10, 4),
                "screened_at_95": r.metrics.screened_at_95,
                "switched_to_random_at": r.switched_at,
                "stopped_at": r.stop_at,
                "recall_at_stop": None if r.stop_recall is None else round(r.stop_recall, 4),
                "p_value_at_stop": None if r.stop_test is None else r.stop_test.p_value,
                "retrainings": r.retrainings,
            }
            for r in self.runs
        ]
        return {
            "dataset": self.data.name,
            "label": self.data.label_column,
            "records": len(self.data.labels),
            "relevant": sum(self.data.labels),
            "priors": {"includes": self.priors[0], "excludes": self.priors[1]},
            "model": "tfidf-word-char+linear-svm",
            "model_settings": _settings(),
            "stopping_rule": {"recall_target": self.recall_target, "confidence": self.confidence},
            "metrics": "WSS@95 and RRF@10 leave the priors out (N and the relevant records are "
            "those screened after them)",
            "runs": runs,
            "mean": {
                k: _round(self.mean(k))
                for k in ("wss95", "rrf10", "screened_at_95", "stop_at", "stop_recall")
            },
            "runs_reaching_target_at_stop": sum(
                1
                for r in self.runs
                if r.stop_recall is not None and r.stop_recall >= self.recall_target
            ),
        }

    def table(self) -> str:
        n, relevant = len(self.data.labels), sum(self.data.labels)
        lines = [
            f"{self.data.name}: {n:,} records, {relevant:,} relevant ({self.data.label_column});"
            f" priors {self.priors[0]} include + {self.priors[1]} exclude",
            f"{'seed':>6} {'WSS@95':>8} {'RRF@10':>8} {'screened@95%':>13} "
            f"{'stopped at':>11} {'recall there':>13}",
        ]
        for r in self.runs:
            stop = "never" if r.stop_at is None else f"{r.stop_at:,}"
            recall = "—" if r.stop_recall is None else f"{100 * r.stop_recall:.1f}%"
            lines.append(
                f"{r.seed:>6} {r.metrics.wss95:>8.3f} {r.metrics.rrf10:>8.3f} "
                f"{r.metrics.screened_at_95:>13,} {stop:>11} {recall:>13}"
            )
        stop_mean, recall_mean = self.mean("stop_at"), self.mean("stop_recall")
        lines.append(
            f"{'mean':>6} {self.mean('wss95'):>8.3f} {self.mean('rrf10'):>8.3f} "
            f"{self.mean('screened_at_95'):>13,.0f} "
            f"{'—' if math.isnan(stop_mean) else f'{stop_mean:,.0f}':>11} "
            f"{'—' if math.isnan(recall_mean) else f'{100 * recall_mean:.1f}%':>13}"
        )
        lines.append(
            f"stopping rule: recall target {100 * self.recall_target:.0f}%, confidence "
            f"{100 * self.confidence:.0f}% (Callaghan & Müller-Hansen 2020); "
            "'stopped at' counts the priors"
        )
        return "\n".join(lines)


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _settings() -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(RankingSettings())


def simulate_file(
    path: str | Path,
    label: str,
    *,
    seeds: int = 5,
    priors: tuple[int, int] = (1, 1),
    out: str | Path | None = None,
    replace: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> SimulationReport:
    """Replay ``path`` with ``seeds`` seeds (1, 2, ...); write the outputs into ``out``."""
    if seeds < 1:
        raise InvalidInputError("--seeds needs at least 1")
    if min(priors) < 1:
        raise InvalidInputError("--priors needs at least one include and one exclude (e.g. 1,1)")
    data = read_labelled(path, label)
    relevant = sum(data.labels)
    if priors[0] > relevant or priors[1] > len(data.labels) - relevant:
        raise InvalidInputError(
            f"{data.name}: cannot take {priors[0]} includes and {priors[1]} "
            f"excludes as priors from {relevant:,} relevant records of "
            f"{len(data.labels):,}"
        )
    features = Features(RankingSettings())
    features.add(list(range(len(data.labels))), data.texts)
    runs = []
    for seed in range(1, seeds + 1):
        if progress is not None:
            progress(seed - 1, seeds)
        runs.append(simulate(features, data.labels, seed=seed, priors=priors))
    if progress is not None:
        progress(seeds, seeds)
    report = SimulationReport(data, priors, tuple(runs))
    if out is not None:
        write_outputs(report, out, replace=replace)
    return report


def write_outputs(
    report: SimulationReport, out: str | Path, *, replace: bool = False
) -> list[Path]:
    """recall.png, recall.svg, simulation.json and simulation.txt into the folder ``out``."""
    from screener.screening.simulation_plot import recall_curves

    title = f"{report.data.name}: recall by records screened"
    with output_folder(out, replace=replace, marker=(MARKER,)) as folder:
        for fmt in ("png", "svg"):
            write_file(folder / f"recall.{fmt}", recall_curves(report.runs, title=title, fmt=fmt))
        write_file(
            folder / MARKER, json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
        )
        write_file(folder / "simulation.txt", report.table() + "\n")
    target = Path(out)
    return [target / name for name in ("recall.png", "recall.svg", MARKER, "simulation.txt")]
