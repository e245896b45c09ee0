"""Widgets named by role: the record on screen, the decision bar, the criteria panel, prompts."""
