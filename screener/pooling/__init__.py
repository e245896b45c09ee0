"""The meta-analysis engine."""
