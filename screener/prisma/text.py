"""The PRISMA counts as a plain-text diagram (TUI screen, ``screener prisma`` on a terminal)."""

from __future__ import annotations

from screener.prisma.counts import Flow, PrismaCounts

__all__ = ["count_rows", "text_diagram"]

_W = 50


def _row(label: str, value: int, side: str = "", side_value: int | None = None) -> str:
    left = f"  {label} ".ljust(_W, ".") + f" {value:>6,}"
    if side:
        left += f"  ->  {side} {side_value:,}"
    return left


def _flow(flow: Flow, *, screened: bool) -> list[str]:
    lines = []
    if screened:
        lines.append(
            _row("Records screened", flow.records, "Records excluded", flow.records_excluded)
        )
        if flow.records_undecided:
            lines.append(
                f"      ! undecided: {flow.records_conflict:,} in conflict, "
                f"{flow.records_pending:,} awaiting decisions"
            )
    lines.append(
        _row(
            "Reports sought for retrieval",
            flow.reports_sought,
            "Reports not retrieved",
            flow.reports_not_retrieved,
        )
    )
    lines.append(
        _row(
            "Reports assessed for eligibility",
            flow.reports_assessed,
            "Reports excluded",
            flow.reports_excluded,
        )
    )
    lines += [f"{'':{_W + 13}}{reason} {count:,}" for reason, count in flow.reasons]
    if flow.reports_undecided:
        lines.append(
            f"      ! undecided: {flow.reports_conflict:,} in conflict, "
            f"{flow.reports_pending:,} awaiting decisions"
        )
    return lines


def text_diagram(c: PrismaCounts) -> str:
    """Every count, box by box, in the order of the PRISMA 2020 diagram."""
    lines = [
        "PRISMA 2020: identification of new studies via databases and registers",
        "",
        "Identification",
    ]
    lines.append(_row("Records identified from databases", c.database_results))
    lines += [f"      {name} {count:,}" for name, count in c.databases]
    lines.append(_row("Records identified from registers", c.register_results))
    lines += [f"      {name} {count:,}" for name, count in c.registers]
    lines.append(_row("Duplicate records removed", c.duplicates))
    lines.append(_row("Removed by automation tools", c.excluded_automatic))
    lines.append(_row("Removed for other reasons", c.excluded_other))
    lines += ["", "Screening", *_flow(c.main, screened=True)]
    if c.has_other_methods:
        lines += ["", "Identification of new studies via other methods"]
        for method, label in (
            ("website", "Websites"),
            ("organisation", "Organisations"),
            ("citation", "Citation searching"),
            ("other", "Other sources"),
        ):
            lines.append(_row(f"Records identified from {label.lower()}", c.other_results(method)))
        if c.other_duplicates:
            lines.append(_row("Duplicates of records found already", c.other_duplicates))
        if c.other.records_excluded:
            lines.append(_row("Excluded at title/abstract", c.other.records_excluded))
        lines += _flow(c.other, screened=False)
    new = "New studies" if c.has_previous else "Studies"
    lines += [
        "",
        "Included",
        _row(f"{new} included in review", c.new_studies),
        _row("Reports of included studies", c.new_reports),
    ]
    if c.has_previous:
        lines += [
            _row("Studies in the previous version", c.previous_studies or 0),
            _row("Reports in the previous version", c.previous_reports or 0),
            _row("Total studies included in review", c.total_studies),
            _row("Reports of total included studies", c.total_reports),
        ]
    if c.discrepancies:
        lines += ["", "Does not add up"]
        lines += [f"  ! {d.message}" for d in c.discrepancies]
    if c.notes:
        lines += ["", "Notes"] + [f"  {note}" for note in c.notes]
    return "\n".join(lines)


def count_rows(c: PrismaCounts) -> list[tuple[str, int]]:
    """(box, n) for every count, in diagram order: the table beside the diagram in reports."""
    rows = [("Records identified from databases", c.database_results)]
    rows += [(f"  {name}", count) for name, count in c.databases]
    rows.append(("Records identified from registers", c.register_results))
    rows += [(f"  {name}", count) for name, count in c.registers]
    rows += [
        ("Duplicate records removed", c.duplicates),
        ("Records marked as ineligible by automation tools", c.excluded_automatic),
        ("Records removed for other reasons", c.excluded_other),
    ]
    rows += _flow_rows(c.main, screened=True)
    if c.has_other_methods:
        for method, label in (
            ("website", "websites"),
            ("organisation", "organisations"),
            ("citation", "citation searching"),
            ("other", "other sources"),
        ):
            rows.append(
                (f"Other methods: records identified from {label}", c.other_results(method))
            )
        rows += [
            ("Other methods: duplicates of records already identified", c.other_duplicates),
            ("Other methods: excluded at title/abstract", c.other.records_excluded),
        ]
        rows += [
            (f"Other methods: {label[0].lower()}{label[1:]}", n)
            for label, n in _flow_rows(c.other, screened=False)
        ]
    new = "New studies" if c.has_previous else "Studies"
    rows += [
        (f"{new} included in review", c.new_studies),
        ("Reports of included studies", c.new_reports),
    ]
    if c.has_previous:
        rows += [
            ("Studies included in previous version of review", c.previous_studies or 0),
            ("Reports of studies included in previous version", c.previous_reports or 0),
            ("Total studies included in review", c.total_studies),
            ("Reports of total included studies", c.total_reports),
        ]
    return rows


def _flow_rows(flow: Flow, *, screened: bool) -> list[tuple[str, int]]:
    rows = []
    if screened:
        rows += [("Records screened", flow.records), ("Records excluded", flow.records_excluded)]
        if flow.records_undecided:
            rows.append(("Records without a final decision", flow.records_undecided))
    rows += [
        ("Reports sought for retrieval", flow.reports_sought),
        ("Reports not retrieved", flow.reports_not_retrieved),
        ("Reports assessed for eligibility", flow.reports_assessed),
        ("Reports excluded", flow.reports_excluded),
    ]
    rows += [(f"  {reason}", count) for reason, count in flow.reasons]
    if flow.reports_undecided:
        rows.append(("Reports without a final decision", flow.reports_undecided))
    return rows
