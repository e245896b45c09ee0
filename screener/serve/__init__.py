"""``screener serve``: the TUI in web browsers, for signed-in reviewers (a shell, like the CLI
and the TUI: it calls the façade, and runs the TUI in a process per browser tab).

See :mod:`screener.serve.server`.
"""
