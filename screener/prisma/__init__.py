"""screener.prisma (see the module docstrings)."""
