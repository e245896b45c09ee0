"""screener.flows (see the module docstrings)."""
