"""The ``screener`` command: a thin shell over :class:`screener.project.Project`.

Each verb lives in a module of this package and is registered in :data:`COMMANDS`. A user's
mistake prints one line on stderr and exits non-zero; only a bug shows a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click

from screener.errors import ScreenerError

# (module, attribute) of every command, in the order ``screener --help`` lists them.
COMMANDS: list[tuple[str, str]] = [
    ("screener.cli.review", "new_command"),
    ("screener.cli.review", "info_command"),
    ("screener.cli.imports", "import_command"),
    ("screener.cli.review", "export_group"),
    ("screener.cli.review", "tui_command"),
    ("screener.cli.review", "demo_command"),
    # later stages register their verbs here, one line each
]


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="screener")
def cli() -> None:
    """screener: a systematic review from search to forest plot, in the terminal.

    \b
    Example:
      screener new review.db --title "Low-dose IL-2 in myositis"
      screener import review.db pubmed.nbib embase.ris
      screener tui review.db --reviewer alice
    """


for _module, _attr in COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (used by the console script and by tests)."""
    try:
        result = cli.main(args=argv, prog_name="screener", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return 2
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"screener: {exc.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"screener: {exc.format_message()}", err=True)
        return exc.exit_code
    except click.Abort:
        click.echo("screener: interrupted; nothing was half-saved", err=True)
        return 130
    except ScreenerError as exc:
        click.echo(f"screener: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("screener: interrupted; nothing was half-saved", err=True)
        return 130
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())
