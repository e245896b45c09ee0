"""The sign-in and sign-out pages: small self-contained HTML (no script, no file of the static
folder, which a browser may fetch only once signed in). Every value is escaped."""

from __future__ import annotations

from html import escape

__all__ = ["sign_in_page", "signed_out_page"]

_STYLE = """
body { font-family: system-ui, sans-serif; background: #1e1e2e; color: #e0e0e0;
       display: flex; justify-content: center; padding-top: 12vh; }
main { width: 22rem; }
h1 { font-size: 1.4rem; }
label { display: block; margin-top: .8rem; }
input { width: 100%; padding: .4rem; box-sizing: border-box; }
button { margin-top: 1rem; padding: .4rem 1.2rem; }
.problem { color: #ff8080; }
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="referrer" content="same-origin">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def sign_in_page(review_title: str, *, token: str = "", problem: str = "") -> str:
    """The sign-in page: a button that spends a one-time link's ``token``, or the form for a
    name and password; ``problem`` says why the last try failed."""
    parts = [f"<h1>{escape(review_title)}</h1>"]
    if problem:
        parts.append(f'<p class="problem" id="problem">{escape(problem)}</p>')
    if token:
        # a link is spent by this POST, not by opening it: mail scanners that fetch links
        # would otherwise use it up
        parts.append(
            '<form method="post" action="/sign-in">'
            f'<input type="hidden" name="token" value="{escape(token)}">'
            "<p>This link signs you in once, on this browser.</p>"
            '<button id="sign-in" type="submit">Sign in</button></form>'
        )
    else:
        parts.append(
            '<form method="post" action="/sign-in">'
            '<label>Reviewer <input name="name" id="name" autocomplete="username">'
            '</label><label>Password <input name="password" id="password" '
            'type="password" autocomplete="current-password"></label>'
            '<button id="sign-in" type="submit">Sign in</button></form>'
            "<p>No password? Ask the review's lead for a sign-in link.</p>"
        )
    return _page("Sign in · screener", "".join(parts))


def signed_out_page() -> str:
    return _page(
        "Signed out · screener", '<h1>Signed out</h1><p><a href="/sign-in">Sign in again</a></p>'
    )
