"""screener.report (see the module docstrings)."""
