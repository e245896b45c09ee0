"""The bibliographic Record and the normalisation every stage relies on.

This is the lowest layer: it imports nothing else from screener. Parsers in ``screener.sources``
build Records with :func:`make_record`, which applies the field normalisers below, so every record
in a review has the same shape whatever database it came from.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Author",
    "Record",
    "clean_text",
    "make_record",
    "normalize_doi",
    "normalize_issn",
    "normalize_pmcid",
    "normalize_pmid",
    "parse_author",
    "parse_year",
    "split_pages",
]


@dataclass(frozen=True, slots=True)
class Author:
    """One author as (family, given). ``given`` holds initials or given names, may be empty.

    A collective (group) author has ``family`` set to the group's name and ``collective`` True.
    """

    family: str
    given: str = ""
    collective: bool = False

    def display(self) -> str:
        """``"Zhai QJ"``-style short form used on screen and in exports."""
        if self.collective or not self.given:
            return self.family
        return f"{self.family} {initials(self.given)}"

    def to_json(self) -> list[Any]:
        return [self.family, self.given, self.collective] if self.collective else [self.family, self.given]

    @classmethod
    def from_json(cls, value: list[Any]) -> Author:
        return cls(value[0], value[1] if len(value) > 1 else "", bool(value[2]) if len(value) > 2 else False)


@dataclass(frozen=True, slots=True)
class Record:
    """A bibliographic record as screener stores it, normalised, with its raw entry kept verbatim.

    Lists are tuples so a Record is hashable and immutable. ``raw`` holds the source entry exactly
    as it stood in the export (or the efetch XML of one PubmedArticle) so nothing is lost.
    """

    title: str = ""
    abstract: str = ""
    authors: tuple[Author, ...] = ()
    year: int | None = None
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    page_first: str = ""
    page_last: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    issn: str = ""
    language: str = ""
    pub_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    title_en: str = ""
    abstract_en: str = ""
    keywords_en: tuple[str, ...] = ()
    url: str = ""
    source_key: str = ""
    raw: str = ""
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def pages(self) -> str:
        if self.page_first and self.page_last and self.page_last != self.page_first:
            return f"{self.page_first}-{self.page_last}"
        return self.page_first

    @property
    def first_author(self) -> str:
        return self.authors[0].family if self.authors else ""

    def with_changes(self, **changes: Any) -> Record:
        return replace(self, **changes)


# --- text ------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]{0,400}>")
_WS = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """Strip markup and entities, fold whitespace; keep every letter (Chinese included)."""
    if not value:
        return ""
    text = _TAG.sub("", value) if "<" in value else value
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    return _WS.sub(" ", text).strip()


def initials(given: str) -> str:
    """``"Qing Jun"`` -> ``"QJ"``; ``"Q. J."`` -> ``"QJ"``; ``"QJ"`` stays."""
    given = given.strip()
    if not given:
        return ""
    compact = given.replace(".", "").replace(" ", "").replace("-", "")
    if compact.isupper() and len(compact) <= 4:
        return compact
    parts = re.split(r"[\s.\-]+", given)
    return "".join(p[0].upper() for p in parts if p)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def parse_author(value: str) -> Author:
    """Parse one author string in any common export format.

    ``"Zhai, Q. J."``, ``"Zhai QJ"``, ``"Zhai, Qing-Jun"`` and ``"Q J Zhai"`` all give family
    ``Zhai``. A Chinese name without separators (``"张三"``) is kept whole as the family field.
    """
    text = clean_text(value).strip(" ;,")
    if not text:
        return Author("")
    if _CJK.search(text):
        return Author(text.replace(",", "").replace(" ", ""))
    if "," in text:
        family, _, given = text.partition(",")
        return Author(family.strip(), given.strip())
    parts = text.split()
    if len(parts) == 1:
        return Author(parts[0])
    last = parts[-1].replace(".", "")
    # "Zhai QJ" (MEDLINE/Vancouver): trailing token of capitals is the initials.
    if last.isupper() and len(last) <= 3 and len(parts[-1]) <= 4:
        return Author(" ".join(parts[:-1]), parts[-1])
    # "Q J Zhai" / "Qing Jun Zhai": family name last.
    return Author(parts[-1], " ".join(parts[:-1]))


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")


def parse_year(value: Any) -> int | None:
    """The first plausible four-digit year in ``value`` or None."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2199 else None
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|https?://doi\.org/)", re.I)
_DOI_BODY = re.compile(r"10\.\d{4,9}/\S+")


def normalize_doi(value: str | None) -> str:
    """Lower-case DOI without URL or ``doi:`` prefix; ``""`` when none is found."""
    if not value:
        return ""
    text = _DOI_PREFIX.sub("", value.strip())
    match = _DOI_BODY.search(text)
    if not match:
        return ""
    return match.group(0).rstrip(".,;)]").lower()


def normalize_pmid(value: str | None) -> str:
    """Digits of a PubMed id (``"PMID: 123"`` -> ``"123"``); ``""`` if none."""
    if not value:
        return ""
    match = re.search(r"\d{1,9}", str(value))
    return match.group(0).lstrip("0") if match else ""


def normalize_pmcid(value: str | None) -> str:
    if not value:
        return ""
    match = re.search(r"PMC\s*(\d+)", str(value), re.I)
    return f"PMC{match.group(1)}" if match else ""


def normalize_issn(value: str | None) -> str:
    """The first ISSN in ``value`` as ``NNNN-NNNX``; ``""`` if none."""
    if not value:
        return ""
    match = re.search(r"(\d{4})-?(\d{3}[\dXx])", str(value))
    return f"{match.group(1)}-{match.group(2).upper()}" if match else ""


def split_pages(value: str | None) -> tuple[str, str]:
    """``"73-6"`` -> ``("73", "76")``; ``"e1234"`` -> ``("e1234", "")``.

    Abbreviated last pages are expanded from the first page's leading digits, as MEDLINE writes
    them ("1123-45" is 1123 to 1145).
    """
    if not value:
        return "", ""
    text = clean_text(value).replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"^(?:pp?\.?\s*)", "", text, flags=re.I)
    first, sep, last = text.partition("-")
    first, last = first.strip(), last.strip()
    if not sep or not last:
        return first, ""
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    if last == first:
        last = ""
    return first, last


def _tuple(values: Any) -> tuple[str, ...]:
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        text = clean_text(str(v))
        if text and text not in out:
            out.append(text)
    return tuple(out)


def make_record(
    *,
    title: str | None = None,
    abstract: str | None = None,
    authors: Any = (),
    year: Any = None,
    pages: str | None = None,
    **fields: Any,
) -> Record:
    """Build a normalised Record from raw field values.

    ``authors`` may be Author objects or strings in any format :func:`parse_author` reads;
    ``pages`` may be given whole (``"73-6"``) instead of ``page_first``/``page_last``.
    """
    author_list = []
    for a in authors or ():
        author = a if isinstance(a, Author) else parse_author(str(a))
        if author.family:
            author_list.append(author)
    values: dict[str, Any] = {
        "title": clean_text(title),
        "abstract": clean_text(abstract),
        "authors": tuple(author_list),
        "year": parse_year(year),
    }
    if pages is not None:
        values["page_first"], values["page_last"] = split_pages(pages)
    for key, value in fields.items():
        if key in ("pub_types", "keywords", "mesh", "keywords_en"):
            values[key] = _tuple(value)
        elif key == "doi":
            values[key] = normalize_doi(value)
        elif key == "pmid":
            values[key] = normalize_pmid(value)
        elif key == "pmcid":
            values[key] = normalize_pmcid(value)
        elif key == "issn":
            values[key] = normalize_issn(value)
        elif key in ("raw", "extra"):
            values[key] = value if value is not None else ("" if key == "raw" else {})
        elif key in ("page_first", "page_last", "volume", "issue", "source_key", "url"):
            values[key] = clean_text(str(value)) if value is not None else ""
        else:
            values[key] = clean_text(value) if isinstance(value, str) else (value or "")
    return Record(**values)
