"""screener.dedup (see the module docstrings)."""
