"""The façade's prioritised-screening verbs: queue order, the relevance ranking, the stopping
rule and the simulation of a labelled set."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from screener.flows.rank_worker import RankingWorker
from screener.model import Stage
from screener.project._base import Progress, ProjectBase
from screener.screening.order import QueueMode, QueueOrder, RankingInfo
from screener.screening.stopping import ScreeningStop, StoppingStatus
from screener.storage import review as review_store

if TYPE_CHECKING:
    from screener.flows.ranking import Ranking, Reranked
    from screener.flows.simulate import SimulationReport

__all__ = ["RankingVerbs"]


class RankingVerbs(ProjectBase):
    def queue_order(self, reviewer: str, stage: Stage | str = Stage.TITLE_ABSTRACT) -> QueueOrder:
        """``reviewer``'s queue order: chosen mode, the order it gives now, the ranking's state."""
        from screener.flows import ranking

        return ranking.queue_order(self.db, reviewer, Stage(stage))

    def set_queue_order(
        self,
        reviewer: str,
        mode: QueueMode | str,
        *,
        seed: int | None = None,
        stage: Stage | str = Stage.TITLE_ABSTRACT,
    ) -> QueueOrder:
        """Choose the queue order (relevance, file, random, auto); random starts the stopping
        rule's random sample when none covers the records no one has screened."""
        from screener.flows import ranking

        return ranking.set_queue_order(self.db, reviewer, mode, seed=seed, stage=Stage(stage))

    def ordered_queue(
        self,
        stage: Stage | str,
        reviewer: str,
        filter: str = "undecided",
        tag: str | None = None,
        *,
        after: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """The screening queue in the reviewer's order; ``after``: after that record in it."""
        from screener.flows import ranking

        return ranking.ordered_queue(
            self.db, Stage(stage), reviewer, filter, tag, after=after, limit=limit
        )

    def retrain_ranking(self, reviewer: str, *, force: bool = False) -> RankingInfo | None:
        """Train ``reviewer``'s ranking when due (``force``: now); None while their decisions
        lack an include or an exclude."""
        from screener.flows import ranking

        return ranking.retrain(self.db, reviewer, force=force)

    def rerank(
        self,
        reviewer: str,
        filter: str = "undecided",
        tag: str | None = None,
        *,
        shown: RankingInfo | None = None,
        worker: RankingWorker | None = None,
    ) -> Reranked | None:
        """Retrain when due, here or in ``worker``'s process; when the ranking is not ``shown``,
        it and the queue in its new order (``Reranked``), else None."""
        if worker is not None:
            name = review_store.get_reviewer(self.db, reviewer).name
            return worker.rerank(self.path, name, filter, tag, shown=shown)
        from screener.flows import ranking

        return ranking.rerank(self.db, reviewer, filter, tag, shown=shown)

    def ranking(self, reviewer: str) -> Ranking | None:
        """``reviewer``'s stored ranking (each record's relevance and rank), or None."""
        from screener.flows import ranking

        return ranking.ranking(self.db, reviewer)

    def stopping_status(
        self, *, recall_target: float | None = None, confidence: float | None = None
    ) -> StoppingStatus:
        """Title/abstract screening against the stopping rule (Callaghan & Müller-Hansen 2020)."""
        from screener.flows import stopping

        return stopping.stopping_status(self.db, recall_target=recall_target, confidence=confidence)

    def set_stopping_rule(self, reviewer: str, *, recall_target: float, confidence: float) -> None:
        """Set the review's recall target and confidence (the lead's)."""
        from screener.flows import stopping

        stopping.set_stopping_rule(
            self.db, reviewer, recall_target=recall_target, confidence=confidence
        )

    def stop_screening(self, reviewer: str) -> ScreeningStop:
        """Stop title/abstract screening by the rule (the lead's; the criterion must be met):
        the records no one screened are marked "not screened: stopping rule"."""
        from screener.flows import stopping

        return stopping.stop_screening(self.db, reviewer)

    def undo_stop(self, reviewer: str) -> ScreeningStop:
        """Undo the stop (the lead's): its records are to be screened again."""
        from screener.flows import stopping

        return stopping.undo_stop(self.db, reviewer)

    @staticmethod
    def ranking_worker() -> RankingWorker:
        """A process that trains rankings (for the TUI); close it when done."""
        return RankingWorker()

    @staticmethod
    def simulate(
        path: str | Path,
        label: str,
        *,
        seeds: int = 5,
        priors: tuple[int, int] = (1, 1),
        out: str | Path | None = None,
        replace: bool = False,
        progress: Progress | None = None,
    ) -> SimulationReport:
        """Replay a labelled CSV through the ranking and the stopping rule (``screener
        simulate``); writes curves, a table and JSON into ``out`` when given."""
        from screener.flows import simulate as simulate_flow

        return simulate_flow.simulate_file(
            path, label, seeds=seeds, priors=priors, out=out, replace=replace, progress=progress
        )
