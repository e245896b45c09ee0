"""``screener serve`` and ``screener invite``: the review in reviewers' browsers, and how they
sign in."""

from __future__ import annotations

import click

from screener.cli.output import echo
from screener.errors import ReviewFileError
from screener.project import Project

DEFAULT_URL = "http://127.0.0.1:8000"


@click.command("serve")
@click.argument("review", type=click.Path(dir_okay=False))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; keep 127.0.0.1 and publish through a TLS reverse "
    "proxy (see the README).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--public-url",
    help="The address browsers use, e.g. https://review.example.org "
    "behind a reverse proxy (default http://HOST:PORT).",
)
def serve_command(review: str, host: str, port: int, public_url: str | None) -> None:
    """Serve the review's TUI to web browsers; each reviewer signs in and screens as themselves.

    Reviewers sign in with a one-time link or a password from `screener invite`. Each browser
    tab runs the TUI in its own process on the one review file. In a browser only the lead
    imports or names files on this machine; files a reviewer opens are sent to the browser.

    \b
    Example:
      screener invite il2.db alice          # prints alice's sign-in link
      screener serve il2.db                 # http://127.0.0.1:8000
      screener serve il2.db --public-url https://review.example.org
    """
    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise click.UsageError("--public-url must start with http:// or https://")
    with Project.open(review) as project:
        project.verify()
        if project.read_only:
            raise ReviewFileError(
                f"{review} is read-only: serving it needs to record sign-ins and decisions"
            )
    from screener.serve.server import ReviewServer

    ReviewServer(review, host=host, port=port, public_url=public_url).serve()


@click.command("invite")
@click.argument("review", type=click.Path(dir_okay=False))
@click.argument("name")
@click.option(
    "--password",
    "password",
    is_flag=True,
    help="Set the reviewer's password instead (asked twice; stored as a salted hash).",
)
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(1, 365),
    help="How long the link stays valid.",
)
@click.option(
    "--public-url",
    default=DEFAULT_URL,
    show_default=True,
    help="The address `screener serve` is reached at.",
)
def invite_command(review: str, name: str, password: bool, days: int, public_url: str) -> None:
    """Print a one-time sign-in link for a declared reviewer of `screener serve` (or set their
    password).

    The link works once, for DAYS days; the review keeps only its hash. A new password signs
    the reviewer's browsers out.

    \b
    Example:
      screener invite il2.db alice
      screener invite il2.db bob --password
      screener invite il2.db carol --public-url https://review.example.org
    """
    with Project.open(review) as project:
        declared = project.reviewer(name).name
        if password:
            secret = click.prompt(
                f"Password for {declared}", hide_input=True, confirmation_prompt=True, err=True
            )
            project.set_password(declared, secret)
            echo(f"password set for {declared}", err=True)
            return
        declared, token = project.invite(declared, days=days)
    echo(f"sign-in link for {declared}, valid {days} days, works once:", err=True)
    echo(f"{public_url.rstrip('/')}/sign-in?token={token}")
