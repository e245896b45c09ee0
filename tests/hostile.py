"""A hostile review: every kind of text a record, a reviewer or a file can bring, in one file.

Used by the tests that open every screen and run every verb on it (issue "Text is data"). The
texts are data and must be shown literally: Rich/Textual markup, a click action, terminal
escape sequences (CSI, OSC), matplotlib mathtext, right-to-left text, a 5,000-character word,
CJK, emoji, spreadsheet formulas, newlines inside one-line fields.

Records come in through a CSV import, as a user's would; the few control characters an
importer may clean away are then written into the rows directly (as an export from a tool that
kept them would bring them), so the shells are tested on them whatever the importer does.
"""

from __future__ import annotations

import csv
from pathlib import Path

from screener.project import Project

ESC_CLEAR = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"

TITLES: tuple[str, ...] = (
    "[bold]x[/bold] markup test [/] closing",
    "Outcomes after surgery [/corrected]",
    "Low-dose IL-2 in dermatomyositis [in process citation] [corrected] [b]",
    "[@click=app.quit]Quit me[/]",
    f"Clear the screen {ESC_CLEAR} and rename the terminal {OSC_TITLE} here",
    r"Mathtext $\frac{1}{$ and $x^2$ in a title",
    "عنوان باللغة العربية \u202eevil\u202c right-to-left",
    "W" * 5000,
    "低剂量白细胞介素-2治疗皮肌炎的疗效",
    "Emoji 🧪💉 and ZWJ 👩‍🔬 in a title",
    '=HYPERLINK("http://x","click") +1 -1 @SUM(A1)',
    "Tab\tand carriage\rreturn and\nnewline",
)

REASONS: tuple[str, ...] = (
    "Wrong design [not an RCT]",
    "[/RCT]",
    "[b]bold[/b] reason",
    "=cmd|' /C calc'!A0",
)
TAGS: tuple[str, ...] = ("[/x]", "[red]tag[/red]", "标签")
NOTE = f"note [/] with {ESC_CLEAR} and [@click=app.quit]x[/] and a\nsecond line"
REVIEWERS: tuple[str, ...] = ("rev_a", "rev_b")


def build_hostile_review(path: Path) -> Project:
    """Create the hostile review at ``path`` and return it open: two reviewers (blind), every
    hostile title as a record, decisions by both with conflicts, hostile reasons, tags, notes."""
    source = path.with_suffix(".csv")
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "journal", "keywords"])
        for i, title in enumerate(TITLES):
            writer.writerow(
                [
                    title,
                    f"Abstract {i} [italic]not italic[/italic] {ESC_CLEAR} $\\alpha$ 皮肌炎 "
                    + "word " * 40,
                    "[b]Smith[/b], J; 李, 明; O'Brien, P",
                    "2020",
                    "[Journal] of $x$",
                    "[k1]; kw2",
                ]
            )
    project = Project.create(
        path,
        title="Hostile [b]review[/b] $x$",
        reviewers=REVIEWERS,
        reviewers_title_abstract=2,
        blind=True,
        exclusion_reasons=REASONS,
        include_terms=("[b]", "皮肌炎"),
        exclude_terms=("$x$",),
    )
    project.import_file(source, fmt="csv", source="Hostile [DB] \x1b[31m")
    ids = project.screened_record_ids()
    # whatever the importer cleaned, the rows carry the raw controls from here on
    project.db.execute("UPDATE record SET title = ? WHERE id = ?", [TITLES[4], ids[4]])
    project.db.execute("UPDATE record SET title = ? WHERE id = ?", [TITLES[-1], ids[-1]])
    for n, record_id in enumerate(ids[:8]):
        a_choice = "include" if n % 2 == 0 else "exclude"
        b_choice = "exclude" if n < 4 else a_choice  # records 0 and 2: conflicts
        project.record_decision(
            record_id,
            "title_abstract",
            "rev_a",
            a_choice,
            reason=REASONS[n % len(REASONS)] if a_choice == "exclude" else None,
            note=NOTE,
        )
        project.record_decision(
            record_id,
            "title_abstract",
            "rev_b",
            b_choice,
            reason=REASONS[(n + 1) % len(REASONS)] if b_choice == "exclude" else None,
        )
    for n, record_id in enumerate(ids[:3]):
        project.tag_record(record_id, TAGS[n], "rev_a")
        project.add_note(record_id, "rev_a", NOTE)
    return project


STUDIES: tuple[str, ...] = ("[b]Smith[/b] 2020 [/x]", f"Li {ESC_CLEAR}2021 [@click=app.quit]q[/]")
OUTCOME = "Pain [VAS] $x$ [/]"
FORM = f'''
[form]
name = "Hostile [form] [/]"

[[field]]
key = "author"
label = "Author(s) [/b]"
help = "as printed [b]bold[/b] {{x}}"

[[field]]
key = "design"
label = "Design"
kind = "choice"
choices = ["[RCT]", "cohort [/]"]

[[outcome]]
name = "{OUTCOME}"
data_type = "dichotomous"
groups = ["drug [a]", "placebo [/]"]
timepoints = ["12 weeks [/]"]
'''
FULL_TEXT_NOTE = f"author [/] did not reply {OSC_TITLE} [@click=app.quit]q[/]"
SUPPORT = f"“quote [/] {ESC_CLEAR} [red]x[/red]”"


def build_hostile_workbench(path: Path) -> Project:
    """:func:`build_hostile_review`, then the later stages on the same hostile text: a form with
    a hostile outcome, two studies with hostile labels and values from both reviewers, a RoB
    judgement with a hostile support, a saved analysis, a possible duplicate waiting for a verdict,
    and a full text marked not retrievable with a hostile note. Returned open."""
    from screener.extraction.values import ValueEntry

    project = build_hostile_review(path)
    ids = project.screened_record_ids()
    form = path.with_suffix(".form.toml")
    form.write_text(FORM, encoding="utf-8")
    project.load_form(form)
    counts = {STUDIES[0]: (4, 50, 9, 50), STUDIES[1]: (6, 40, 12, 41)}
    for n, name in enumerate(STUDIES):
        project.create_study(name, record_ids=[ids[4 + 2 * n]], note=f"note {ESC_CLEAR} [/]")
    # rev_a alone first, so the analysis pools; rev_b's differing author then leaves a
    # discrepancy for the compare screen.
    for reviewer, author in (("rev_a", "[i]{}[/i]"), ("rev_b", "{} " + OSC_TITLE)):
        for name in STUDIES:
            entries = [ValueEntry("author", author.format(name)), ValueEntry("design", "[RCT]")]
            entries += [
                ValueEntry(field, str(value), OUTCOME, "12 weeks [/]")
                for field, value in zip(
                    ("events1", "total1", "events2", "total2"), counts[name], strict=True
                )
            ]
            project.save_extraction(name, reviewer, entries)
        if reviewer == "rev_a":
            pooled = project.run_pool(OUTCOME, measure="OR")
            project.save_analysis(pooled, name=f"Analysis [/] {ESC_CLEAR}", reviewer="rev_a")
    project.save_rob(
        STUDIES[0],
        "rob2",
        "rev_a",
        {"randomization": "low", "deviations": "high"},
        support={"randomization": SUPPORT},
    )
    project.save_rob(
        STUDIES[0], "rob2", "rev_b", {"randomization": "high"}, support={"randomization": SUPPORT}
    )
    project.mark_not_retrieved(ids[6], "rev_a", note=FULL_TEXT_NOTE)
    twin = path.with_name(path.stem + "-twin.csv")
    with twin.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "authors", "year", "journal"])
        # another journal: similar enough to queue, not certain enough to merge
        writer.writerow(
            [
                TITLES[2],
                f"Abstract [i]twin[/i] {ESC_CLEAR}",
                "[b]Smith[/b], J; 李, 明; O'Brien, P",
                "2020",
                "Other [journal] [/]",
            ]
        )
    project.import_file(twin, fmt="csv", source="Twin [DB] [/]")
    project.find_duplicates()
    return project
