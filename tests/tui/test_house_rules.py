"""The TUI's house rules, checked on the code itself: styles live in ``screener.tcss``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.dom import DOMNode

import screener.tui


def tui_classes() -> list[type[DOMNode]]:
    """Every screen and widget class defined under screener.tui."""
    found = []
    for info in pkgutil.walk_packages(screener.tui.__path__, "screener.tui."):
        module = importlib.import_module(info.name)
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__
        ]
    return found


def test_no_screen_or_widget_carries_its_own_css() -> None:
    classes = tui_classes()
    assert len(classes) > 20  # the walk found the screens and widgets
    assert [c.__qualname__ for c in classes if "DEFAULT_CSS" in vars(c)] == []
