"""Helpers for the output-file tests: a hostile review with studies, an analysis and RoB 2
judgements whose labels are hostile text, and checks of what an output file may hold."""

from __future__ import annotations

import re
from pathlib import Path

from hostile import REASONS, TITLES, build_hostile_review
from lxml import etree

from screener.extraction.values import ValueEntry
from screener.project import Project

OUTCOME = "Death $x$ [b]"
MATHTEXT = r"$\frac{1}{$"
STUDIES: tuple[str, ...] = (
    MATHTEXT,
    REASONS[-1],  # =cmd|' /C calc'!A0
    "ctl \x1b[31m red \x07 bell \x01 soh",
    "not XML \ufffe \uffff",
    *TITLES[:6],
)
ANALYSIS = f"=Pooled {MATHTEXT} and \x1b[2J"
RROB2 = ("randomization", "deviations", "missing_data", "measurement", "reported_result")
# XML 1.0's Char production: what a well-formed SVG or XHTML file may contain at all
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def hostile_review_with_analysis(path: Path) -> Project:
    """tests/hostile.py's review plus a dichotomous outcome, one study per hostile label, a saved
    analysis with a mathtext name, and RoB 2 judgements; returned open."""
    project = build_hostile_review(path)
    form = path.with_name("form.toml")
    form.write_text(
        '[form]\nname = "hostile form"\nversion = 1\n\n'
        f'[[outcome]]\nname = "{OUTCOME}"\ndata_type = "dichotomous"\n',
        encoding="utf-8",
    )
    project.load_form(form)
    for i, study in enumerate(STUDIES):
        project.create_study(study)
        project.save_extraction(
            study,
            "rev_a",
            [
                ValueEntry("events1", str(3 + i), OUTCOME),
                ValueEntry("total1", "50", OUTCOME),
                ValueEntry("events2", str(9 + i % 4), OUTCOME),
                ValueEntry("total2", "50", OUTCOME),
            ],
        )
        project.save_rob(
            study,
            "rob2",
            "rev_a",
            dict(zip(RROB2, ("low", "high", "some concerns", "low", "low"), strict=True)),
            consensus=True,
        )
    project.save_analysis(project.run_pool(OUTCOME, measure="RR"), name=ANALYSIS, reviewer="rev_a")
    return project


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse an SVG (or XHTML) document with a parser that never fetches, never expands
    entities and keeps lxml's size limits; raises if the document is not well-formed."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, recover=False
    )
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return etree.fromstring(raw, parser)


def svg_text(data: bytes | str) -> str:
    """Every text node of a well-formed SVG document, joined."""
    root = parse_xml(data)
    return "\n".join(
        "".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")
    )


def bad_xml_chars(text: str) -> list[str]:
    return _NOT_XML_CHAR.findall(text)
