"""Pieces of the risk-of-bias screens: one key per judgement, coloured judgement cells, and the
text about the highlighted domain and the overall judgement (read from the tool definition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from screener.extraction.rob import OVERALL, TOOLS, RobTool
from screener.extraction.rob_plot import judgement_colour
from screener.tui.text import content, content_line, line

__all__ = [
    "JUDGEMENT_BINDINGS",
    "domain_guidance",
    "judgement_keys",
    "judgement_text",
    "overall_text",
]

SCREEN_KEYS = frozenset("t")
"""Letters the risk-of-bias screen uses for itself; never given to a judgement."""


def judgement_keys(judgements: Sequence[str]) -> dict[str, str]:
    """key -> judgement for one vocabulary (best to worst): a number is its own key; a word
    takes its first initial still free (``not applicable`` after ``no`` takes ``a``), then
    any free letter of it."""
    keys: dict[str, str] = {}
    for word in judgements:
        if word.isdigit():
            keys[word] = word
            continue
        letters = [part[0] for part in word.split()] + [c for c in word if c.isalpha()]
        key = next(
            c for c in (c.lower() for c in letters) if c not in keys and c not in SCREEN_KEYS
        )
        keys[key] = word
    return keys


def _vocabularies() -> list[tuple[str, ...]]:
    found: dict[tuple[str, ...], None] = {}
    for tool in TOOLS.values():
        for key in (*(d.key for d in tool.domains), OVERALL):
            found.setdefault(tool.allowed(key))
    return list(found)


def _bindings() -> list[Binding]:
    pairs: dict[tuple[str, str], None] = {}
    for vocabulary in _vocabularies():
        for key, word in judgement_keys(vocabulary).items():
            pairs.setdefault((key, word))
    slugs = [word.replace(" ", "_") for _, word in pairs]
    if len(set(slugs)) != len(slugs):  # one binding id per judgement: a key file names it
        raise RuntimeError("a judgement has two keys across the risk-of-bias tools")
    return [
        Binding(key, f"judge({key!r}, {word!r})", word, id=f"rob.{slug}")
        for (key, word), slug in zip(pairs, slugs, strict=True)
    ]


JUDGEMENT_BINDINGS = _bindings()
"""A binding per judgement word of every tool; the screen enables those of the highlighted
domain's vocabulary (``check_action``), so the footer and help show only keys that work."""


def judgement_text(tool: RobTool, domain: str, judgement: str, *, suffix: str = "") -> Text:
    """A judgement in its traffic-light colour (as on the plot)."""
    if not judgement:
        return Text("—", style="dim")
    return line(judgement + suffix, style=f"bold {judgement_colour(tool, domain, judgement)}")


def key_legend(judgements: Sequence[str]) -> str:
    return " · ".join(f"{k} {w}" for k, w in judgement_keys(judgements).items())


def overall_text(tool: RobTool, judgements: Mapping[str, str]) -> tuple[str, bool, str]:
    """(judgement, by the algorithm?, explanation) of the overall judgement: an explicit one if
    the assessor gave it, else what the tool's algorithm gives once every domain is judged."""
    domains = {k: v for k, v in judgements.items() if k != OVERALL and v}
    done = sum(1 for d in tool.domains if d.key in domains)
    explicit = judgements.get(OVERALL, "")
    auto = tool.overall(domains) if tool.algorithm is not None else None
    if tool.algorithm is None:
        rule = (
            f"{tool.name} defines no overall algorithm: the overall judgement is the "
            "assessors' call"
        )
    elif auto:
        rule = f"the tool's algorithm gives {auto}"
    else:
        rule = (
            f"the tool's algorithm gives it once every domain is judged ({done} of "
            f"{len(tool.domains)})"
        )
    if explicit:
        return explicit, False, f"Overall: {explicit}, your explicit judgement ({rule})"
    if auto:
        return auto, True, f"Overall: {auto} ({rule})"
    return "", False, f"Overall: not yet ({rule})"


def domain_guidance(tool: RobTool, domain: str, judgement: str, support: str) -> Content:
    """What the tool definition says about the highlighted domain, the keys, and the support."""
    if domain == OVERALL:
        title = (
            "Overall judgement (optional: overrides the algorithm)"
            if tool.algorithm
            else "Overall judgement"
        )
    else:
        found = tool.domain(domain)
        title = found.label if found else domain
    parts = [
        Content.styled(title, "bold"),
        Content(f"{key_legend(tool.allowed(domain))} · ⌫ clear"),
        Content.assemble(("Your judgement: ", "$text-muted"), content_line(judgement or "—")),
        Content.assemble(
            ("Support: ", "$text-muted"),
            content(f"“{support}”" if support else "none yet (Enter adds a quote or note)"),
        ),
        Content.styled(
            f"{tool.name} · for a {tool.study_design} · {tool.reference}", "italic $text-muted"
        ),
    ]
    return Content("\n").join(parts)
