"""screener.extraction (see the module docstrings)."""
