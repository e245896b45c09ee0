"""The ``screener`` command: a thin shell over :class:`screener.project.Project`.

Each verb lives in a module of this package and is listed in :data:`VERBS`, with its summary
for ``screener --help``: a verb's module (and the façade, storage, the stages behind it) is
imported only when that verb runs or shows its own help, so ``screener --help`` imports none.
A user's mistake, or the environment's (a full disk, a damaged review file), prints one line
on stderr and exits non-zero; only a bug shows a traceback.

Text from records, files and reviewers never reaches a terminal raw. While a verb runs,
:func:`main` replaces stderr (always) and stdout (when it is a terminal) with streams that show
control characters as ``\\xNN`` escapes; lines for people on stdout go through
:func:`screener.cli.output.echo`, escaped wherever stdout goes. Data on stdout (``--json``,
``--format``, ``export ...`` without ``--out``) keeps its bytes in a file or a pipe, and is
escaped when stdout is a terminal. The rule is stated once, in :mod:`screener.cli.output`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

import click

from screener.cli.output import echo, people_streams
from screener.errors import ScreenerError

Verbs = Mapping[str, tuple[str, str]]
"""A group's commands: name -> ("module:attribute", the first sentence of its help)."""

VERBS: Verbs = {
    "new": ("screener.cli.review:new_command", "Create a new review file."),
    "reviewer": (
        "screener.cli.reviewers:reviewer_group",
        "Declare a review's reviewers and give them roles (the lead's verbs).",
    ),
    "info": ("screener.cli.review:info_command", "Counts per source, stage and reviewer."),
    "criteria": (
        "screener.cli.criteria:criteria_command",
        "Show the review's eligibility criteria, or set some of them.",
    ),
    "terms": (
        "screener.cli.criteria:terms_command",
        "Show the words highlighted while screening, or change them.",
    ),
    "search": (
        "screener.cli.search:search_command",
        "Run a saved PubMed strategy (queries/NAME.pubmed.txt) into the review.",
    ),
    "searches": (
        "screener.cli.search:searches_command",
        "The search log (PRISMA-S): every search run and import, with its database, "
        "date, strategy, the count found and the records PRISMA counts as identified.",
    ),
    "import": (
        "screener.cli.imports:import_command",
        "Import export files (format detected from the content).",
    ),
    "dedup": (
        "screener.cli.dedup:dedup_command",
        "Find duplicates: merge the certain ones, queue the rest for a person.",
    ),
    "checkout": (
        "screener.cli.offline:checkout_command",
        "Make a copy of the review for one reviewer to work on offline.",
    ),
    "merge": (
        "screener.cli.offline:merge_command",
        "Bring back what a reviewer did in an offline copy (made by screener checkout).",
    ),
    "tui": ("screener.cli.review:tui_command", "Open the review in the terminal interface."),
    "agreement": (
        "screener.cli.screening:agreement_command",
        "Agreement between reviewers: 2x2 counts, percent agreement, Cohen's kappa (95% CI).",
    ),
    "conflicts": (
        "screener.cli.screening:conflicts_command",
        "Records on which reviewers disagree (include vs exclude) and nobody has resolved yet.",
    ),
    "resolve": (
        "screener.cli.screening:resolve_command",
        "Settle a conflict: the final decision on RECORD_ID at a stage (an arbiter or the lead).",
    ),
    "screen-order": (
        "screener.cli.ranking:screen_order_command",
        "Show or choose the order of a reviewer's title/abstract queue.",
    ),
    "stopping": (
        "screener.cli.ranking:stopping_command",
        "The stopping rule for prioritised title/abstract screening, and the lead's stop.",
    ),
    "simulate": (
        "screener.cli.ranking:simulate_command",
        "Replay a labelled CSV (title, abstract, label columns) through screener's ranking.",
    ),
    "form": (
        "screener.cli.extraction:form_command",
        "Load an extraction form (TOML), or show the review's form.",
    ),
    "check": (
        "screener.cli.extraction:check_command",
        "Consistency checks on the extracted numbers (flags, with why), and the studies "
        "that no record included at full text supports.",
    ),
    "study": (
        "screener.cli.studies:study_group",
        "Studies and the records (reports) that describe them.",
    ),
    "rob": (
        "screener.cli.extraction:rob_command",
        "Risk-of-bias summary per study (consensus, or the assessors' agreed judgement).",
    ),
    "meta": ("screener.cli.meta:meta_command", "Meta-analyse the studies in FILE.csv."),
    "pool": (
        "screener.cli.pool:pool_command",
        "Pool an outcome's agreed extracted data and save the analysis in the review.",
    ),
    "analyses": (
        "screener.cli.pool:analyses_command",
        "List the analyses saved in the review (screener pool, the TUI's analysis screen).",
    ),
    "grade": (
        "screener.cli.grade:grade_command",
        "The GRADE summary of findings: each saved analysis's certainty of evidence.",
    ),
    "prisma": (
        "screener.cli.prisma:prisma_command",
        "The PRISMA 2020 flow diagram, every number counted from the review.",
    ),
    "report": (
        "screener.cli.prisma:report_command",
        "Write the review report as a PRISMA 2020 document (HTML, Word, PDF), plus "
        "results.csv, an R script for metafor and a Stata do-file.",
    ),
    "export": ("screener.cli:export_group", "Export records, decisions and results."),
    "serve": (
        "screener.cli.serve:serve_command",
        "Serve the review's TUI to web browsers; each reviewer signs in and screens as themselves.",
    ),
    "invite": (
        "screener.cli.serve:invite_command",
        "Print a one-time sign-in link for a declared reviewer of `screener serve` (or set "
        "their password).",
    ),
    "demo": (
        "screener.cli.review:demo_command",
        "Build the two bundled demo reviews (real public data) and open one.",
    ),
}
"""Every verb, in the order ``screener --help`` lists them."""

EXPORTS: Verbs = {
    "decisions": (
        "screener.cli.exports:export_decisions_command",
        "Every live decision and resolution as CSV: one row per record, stage and "
        "reviewer, with the reason, note, time and the record's final decision at "
        "that stage.",
    ),
    "extraction": (
        "screener.cli.extraction:export_extraction_command",
        "The analysis-ready extraction table: one row per study x outcome x "
        "timepoint x subgroup, columns named as metafor's escalc arguments (m1i sd1i "
        "n1i m2i sd2i n2i ai bi ci di xi ni ri yi vi), plus estimate, ci_lb, ci_ub, "
        "pval for results reported only as an effect.",
    ),
    "records": (
        "screener.cli.review:export_records_command",
        "Every record with its source, cluster, decisions per reviewer and stage, and "
        "whether its full text was marked not retrievable (column retrieval).",
    ),
    "ris": (
        "screener.cli.exports:export_ris_command",
        "Screened records as RIS, with the final decision, each reviewer's decision and the "
        "exclusion reason in the notes (N1), ready for EndNote or Zotero.",
    ),
}
"""The ``screener export`` subcommands."""


class LazyGroup(click.Group):
    """A click group whose commands are imported when one is asked for; its help lists them by
    the summaries in ``verbs``, importing nothing."""

    def __init__(self, *args: Any, verbs: Verbs, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verbs = verbs

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.verbs)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.verbs:
            return None
        module, _, attribute = self.verbs[cmd_name][0].partition(":")
        _import_sqlite_utils()
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # as click.Group lists them (the first sentence, cut to fit), from the summaries
        limit = formatter.width - 6 - max(len(name) for name in self.verbs)
        with formatter.section("Commands"):
            formatter.write_dl(
                [
                    (name, click.Command(name, help=summary).get_short_help_str(limit))
                    for name, (_, summary) in self.verbs.items()
                ]
            )


def _import_sqlite_utils() -> None:
    """Import sqlite-utils without pandas and numpy, once, before a verb's module needs it.

    ``sqlite_utils.db`` imports pandas and numpy when they are installed (pooling needs them)
    only to map their scalar types to column types when sqlite-utils makes a table from Python
    values. screener's tables come from ``db/*.sql`` and it writes with SQL, so that mapping is
    never used, and loading them cost every verb a quarter of a second. A verb that pools
    imports them itself.
    """
    if "sqlite_utils" in sys.modules:
        return
    absent = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in absent:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in absent:
            del sys.modules[name]


@click.group(cls=LazyGroup, verbs=VERBS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="screener")
def cli() -> None:
    """screener: a systematic review from search to forest plot, in the terminal.

    \b
    Example:
      screener new review.db --title "Low-dose IL-2 in myositis"
      screener import review.db pubmed.nbib embase.ris
      screener tui review.db --reviewer alice
    """


@click.group("export", cls=LazyGroup, verbs=EXPORTS)
def export_group() -> None:
    """Export records, decisions and results."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (used by the console script and by tests)."""
    with people_streams():
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="screener", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return 2
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        echo(f"screener: {exc.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as exc:
        echo(f"screener: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.Abort:
        echo("screener: interrupted; nothing was half-saved", err=True)
        return 130
    except ScreenerError as exc:
        echo(f"screener: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        echo("screener: interrupted; nothing was half-saved", err=True)
        return 130
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
