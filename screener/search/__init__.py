"""screener.search (see the module docstrings)."""
