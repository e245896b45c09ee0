"""The PRISMA screen in the TUI (Pilot): live counts, recount after a decision, write the SVG."""

from __future__ import annotations

from pathlib import Path

from prisma_support import record_ids

from screener.project import Project
from screener.tui.app import make_app
from screener.tui.screens.prisma import PrismaCounted, PrismaScreen


class ObservedPrismaScreen(PrismaScreen):
    """The real screen, keeping the messages it posts."""

    def __init__(self) -> None:
        super().__init__()
        self.counted: list[PrismaCounted] = []

    def on_prisma_counted(self, message: PrismaCounted) -> None:
        self.counted.append(message)


async def test_prisma_screen_shows_live_counts_and_recounts(review: Project, tmp_path: Path):
    path = review.path
    ids = record_ids(review)
    review.close()
    app = make_app(path, reviewer="alice")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = ObservedPrismaScreen()
        await app.push_screen(screen)
        await pilot.pause()
        assert (
            "Records screened ....." in screen.text
            and "    14  ->  Records excluded 5" in screen.text
        )
        assert "Wrong population 2" in screen.text and "Does not add up" in screen.text
        # the record awaiting bob's decision gets it elsewhere; r recounts
        with Project.open(path) as other:
            other.record_decision(ids["R2"], "title_abstract", "bob", "exclude")
        await pilot.press("r")
        await pilot.pause()
        assert "Records excluded 6" in screen.text
        assert [c.discrepancies for c in screen.counted] == [2, 2]  # a conflict and a report remain
        await pilot.press("w")
        await pilot.pause()
        assert path.with_name("review-prisma.svg").read_text().startswith("<svg")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PrismaScreen)
