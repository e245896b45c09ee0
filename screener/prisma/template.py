"""The PRISMA2020 app's CSV template, filled from the review.

The PRISMA2020 R package and Shiny app (Haddaway et al. 2022, Campbell Systematic Reviews
18:e1230) read a CSV with the columns ``data, node, box, description, boxtext, tooltips, url, n``:
one row per value, keyed by ``data``. Lists (per-database counts, exclusion reasons) go in ``n``
as ``"Name, n; Name, n"``; the app splits them on ";" and ",", so those characters are replaced
in names.
"""

from __future__ import annotations

import io
import re

from screener.files import csv_writer
from screener.prisma.counts import PrismaCounts

__all__ = ["COLUMNS", "ROWS", "template_csv", "template_rows"]

COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

_EXCL = "[separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]"

# (data, node, box, description, boxtext, tooltips, url): the template's rows, in its order.
ROWS: tuple[tuple[str, ...], ...] = (
    (
        "NA",
        "node4",
        "prevstud",
        "Grey title box; Previous studies",
        "Previous studies",
        "Grey title box; Previous studies",
        "prevstud.html",
    ),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "previous_studies.html",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
        "NA",
        "previous_reports.html",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
        "Yellow title box; Identification of new studies via databases and registers",
        "newstud.html",
    ),
    (
        "database_results",
        "node7",
        "box2",
        "Records identified from: Databases",
        "Databases",
        "Records identified from: Databases and Registers",
        "database_results.html",
    ),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from: specific databases",
        "Specific Databases",
        "NA",
        "database_results.html",
    ),
    (
        "register_results",
        "NA",
        "box2",
        "Records identified from: Registers",
        "Registers",
        "NA",
        "NA",
    ),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from: specific registers",
        "Specific Registers",
        "NA",
        "database_results.html",
    ),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
        "Grey title box; Identification of new studies via other methods",
        "othstud.html",
    ),
    (
        "website_results",
        "node17",
        "box11",
        "Records identified from: Websites",
        "Websites",
        "Records identified from: Websites, Organisations and Citation Searching",
        "website_results.html",
    ),
    (
        "organisation_results",
        "",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
        "NA",
        "NA",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
        "NA",
        "NA",
    ),
    (
        "duplicates",
        "node8",
        "box3",
        "Duplicate records",
        "Duplicate records",
        "Duplicate records",
        "duplicates.html",
    ),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
        "NA",
        "NA",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
        "NA",
        "NA",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
        "Records screened (databases and registers)",
        "records_screened.html",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
        "Records excluded (databases and registers)",
        "records_excluded.html",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (databases and registers)",
        "dbr_sought_reports.html",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
        "Reports not retrieved (databases and registers)",
        "dbr_notretrieved_reports.html",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (other)",
        "other_sought_reports.html",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
        "Reports not retrieved (other)",
        "other_notretrieved_reports.html",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (databases and registers)",
        "dbr_assessed.html",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        f"Reports excluded (databases and registers): {_EXCL}",
        "Reports excluded",
        "Reports excluded (databases and registers)",
        "dbrexcludedrecords.html",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (other)",
        "other_assessed.html",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        f"Reports excluded (other): {_EXCL}",
        "Reports excluded",
        "Reports excluded (other)",
        "other_excluded.html",
    ),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
        "New studies included in review",
        "new_studies.html",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
        "NA",
        "NA",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
        "Total studies included in review",
        "total_studies.html",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
        "NA",
        "NA",
    ),
    (
        "identification",
        "node1",
        "identification",
        "Blue identification box",
        "Identification",
        "Blue identification box",
        "identification.html",
    ),
    (
        "screening",
        "node2",
        "screening",
        "Blue screening box",
        "Screening",
        "Blue screening box",
        "screening.html",
    ),
    (
        "included",
        "node3",
        "included",
        "Blue included box",
        "Included",
        "Blue included box",
        "included.html",
    ),
)


def _name(label: str) -> str:
    return re.sub(r"\s*[,;]\s*", " - ", label.strip())


def _pairs(pairs: tuple[tuple[str, int], ...], empty: str) -> str:
    return "; ".join(f"{_name(name)}, {count}" for name, count in pairs) or empty


def _values(c: PrismaCounts) -> dict[str, int | str]:
    main, other = c.main, c.other
    return {
        "previous_studies": c.previous_studies or 0, "previous_reports": c.previous_reports or 0,
        "database_results": c.database_results,
        "database_specific_results": _pairs(c.databases, ""),
        "register_results": c.register_results,
        "register_specific_results": _pairs(c.registers, ""),
        "website_results": c.other_results("website"),
        "organisation_results": c.other_results("organisation"),
        # the template has no row for "other" sources: they join citation searching's count
        "citations_results": c.other_results("citation") + c.other_results("other"),
        "duplicates": c.duplicates, "excluded_automatic": c.excluded_automatic,
        "excluded_other": c.excluded_other, "records_screened": main.records,
        "records_excluded": main.records_excluded, "dbr_sought_reports": main.reports_sought,
        "dbr_notretrieved_reports": main.reports_not_retrieved,
        "other_sought_reports": other.reports_sought,
        "other_notretrieved_reports": other.reports_not_retrieved,
        "dbr_assessed": main.reports_assessed, "dbr_excluded": _pairs(main.reasons, "0"),
        "other_assessed": other.reports_assessed, "other_excluded": _pairs(other.reasons, "0"),
        "new_studies": c.new_studies, "new_reports": c.new_reports,
        "total_studies": c.total_studies, "total_reports": c.total_reports,
    }  # fmt: skip


def template_rows(c: PrismaCounts) -> list[dict[str, str | int]]:
    """The template's rows with ``n`` filled from ``c`` (title and band rows keep 0)."""
    values = _values(c)
    return [dict(zip(COLUMNS, (*row, values.get(row[0], 0)), strict=True)) for row in ROWS]


def template_csv(c: PrismaCounts) -> str:
    """The filled template as CSV text (opens in the PRISMA2020 Shiny app)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # source names and reasons are text a spreadsheet might run
    writer.writerow(COLUMNS)
    for row in template_rows(c):
        writer.writerow([row[k] for k in COLUMNS])
    return buffer.getvalue()
