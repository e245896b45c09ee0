"""Orchestration of one pipeline verb each: storage and stages together, under the façade."""
