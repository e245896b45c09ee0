"""The ``screener`` command: a thin shell over :class:`screener.project.Project`.

Each verb lives in a module of this package and is registered in :data:`COMMANDS`. A user's
mistake, or the environment's (a full disk, a damaged review file), prints one line on stderr
and exits non-zero; only a bug shows a traceback.

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

import click

from screener.cli.output import echo, people_streams
from screener.errors import ScreenerError

# Every verb: (name, module, attribute), in the order ``screener --help`` lists them. A module
# is imported only when its verb runs (or --help lists them all), so `screener info` does not
# load scipy or lxml. Several modules add subcommands to `export`: all are loaded for it.
COMMANDS: list[tuple[str, str, str]] = [
    ("new", "screener.cli.review", "new_command"),
    ("reviewer", "screener.cli.reviewers", "reviewer_group"),
    ("info", "screener.cli.review", "info_command"),
    ("criteria", "screener.cli.criteria", "criteria_command"),
    ("terms", "screener.cli.criteria", "terms_command"),
    ("search", "screener.cli.search", "search_command"),
    ("searches", "screener.cli.search", "searches_command"),
    ("import", "screener.cli.imports", "import_command"),
    ("dedup", "screener.cli.dedup", "dedup_command"),
    ("tui", "screener.cli.review", "tui_command"),
    ("agreement", "screener.cli.screening", "agreement_command"),
    ("conflicts", "screener.cli.screening", "conflicts_command"),
    ("resolve", "screener.cli.screening", "resolve_command"),
    ("screen-order", "screener.cli.ranking", "screen_order_command"),
    ("stopping", "screener.cli.ranking", "stopping_command"),
    ("simulate", "screener.cli.ranking", "simulate_command"),
    ("form", "screener.cli.extraction", "form_command"),
    ("check", "screener.cli.extraction", "check_command"),
    ("study", "screener.cli.studies", "study_group"),
    ("rob", "screener.cli.extraction", "rob_command"),
    ("meta", "screener.cli.meta", "meta_command"),
    ("pool", "screener.cli.pool", "pool_command"),
    ("analyses", "screener.cli.pool", "analyses_command"),
    ("prisma", "screener.cli.prisma", "prisma_command"),
    ("report", "screener.cli.prisma", "report_command"),
    ("export", "screener.cli.review", "export_group"),   # records
    ("export", "screener.cli.exports", "export_group"),   # ris, decisions
    ("export", "screener.cli.extraction", "export_group"),   # extraction
    ("demo", "screener.cli.review", "demo_command"),
]


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys(name for name, _, _ in COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = None
        for name, module, attr in COMMANDS:
            if name == cmd_name:
                command = getattr(importlib.import_module(module), attr)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="screener")
def cli() -> None:
    """screener: a systematic review from search to forest plot, in the terminal.

    \b
    Example:
      screener new review.db --title "Low-dose IL-2 in myositis"
      screener import review.db pubmed.nbib embase.ris
      screener tui review.db --reviewer alice
    """


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
