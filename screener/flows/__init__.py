"""Orchestration of one pipeline verb each: storage and stages together, under the façade."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType


def lazy_flow(name: str) -> ModuleType:
    """``screener.flows.<name>``, executed only when one of its attributes is first used."""
    full = f"{__name__}.{name}"
    if full in sys.modules:
        return sys.modules[full]
    spec = importlib.util.find_spec(full)
    if spec is None or spec.loader is None:
        raise ImportError(full)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    loader.exec_module(module)
    return module
