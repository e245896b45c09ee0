"""screener.screening (see the module docstrings)."""
