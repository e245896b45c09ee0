"""The bibliographic Record and the normalisation every stage relies on.

This is the lowest layer: it imports nothing else from screener. Parsers in ``screener.sources``
build Records with :func:`make_record`, which applies the field normalisers below, so every record
in a review has the same shape whatever database it came from.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
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
        return (
            [self.family, self.given, self.collective]
            if self.collective
            else [self.family, self.given]
        )

    @classmethod
    def from_json(cls, value: list[Any]) -> Author:
        return cls(
            value[0],
            value[1] if len(value) > 1 else "",
            bool(value[2]) if len(value) > 2 else False,
        )


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


# --- text ------------------------------------------------------------------------------------

# A markup tag: "<i>", "</sup>", "<mml:math ...>", "<br/>". Text such as "P < 0.05 and n > 3"
# is not a tag and must survive.
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]{0,400})?/?>")


# Every character str.split() treats as whitespace other than the plain space: ASCII controls,
# then the rest of Unicode. Checked one by one with ``in`` (a C scan each) to spot text that
# needs folding; see _fold.
_ASCII_SPACES = ("\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_OTHER_SPACES = (
    "\x85",
    "\xa0",
    "\u1680",
    *map(chr, range(0x2000, 0x200B)),
    "\u2028",
    "\u2029",
    "\u202f",
    "\u205f",
    "\u3000",
)


def _only_trim(text: str) -> bool:
    """Whether clean_text(text) is text.strip(): plain ASCII, no markup, entity or folding."""
    if not text.isascii() or "<" in text or "&" in text or "  " in text:
        return False
    for space in _ASCII_SPACES:
        if space in text:
            return False
    return True


def _fold(text: str) -> str:
    """``" ".join(text.split())``, skipping the split for long text that needs no folding.

    Splitting copies every word; a title or an abstract usually has single plain spaces only,
    and then strip() gives the same result for a fraction of the cost.
    """
    if len(text) < 64 or "  " in text:
        return " ".join(text.split())
    for space in _ASCII_SPACES:
        if space in text:
            return " ".join(text.split())
    if not text.isascii():
        for space in _OTHER_SPACES:
            if space in text:
                return " ".join(text.split())
    return text.strip()


def _clean_all(values: list[str]) -> list[str]:
    """``[clean_text(v) for v in values]`` for strings; one check of them all when, as in most
    author and keyword lists, none needs more than trimming."""
    if _only_trim("\x00".join(values)):  # NUL: no value's text can run into the next's
        return list(map(str.strip, values))
    return [clean_text(v) for v in values]


def clean_text(value: str | None) -> str:
    """Strip markup and entities, fold whitespace; keep every letter (Chinese included)."""
    if not value:
        return ""
    text = _TAG.sub("", value) if "<" in value else value
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _fold(text)


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
    return _author(clean_text(value))


def _author(cleaned: str) -> Author:
    """parse_author of a value already through clean_text."""
    text = cleaned.strip(" ;,")
    if not text:
        return Author("")
    if not text.isascii() and _CJK.search(text):
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


_PMID = re.compile(r"\d{1,9}")
_PMCID = re.compile(r"PMC\s*(\d+)", re.I)
_ISSN = re.compile(r"(\d{4})-?(\d{3}[\dXx])")
_PAGE_PREFIX = re.compile(r"^(?:pp?\.?\s*)", re.I)


def normalize_pmid(value: str | None) -> str:
    """Digits of a PubMed id (``"PMID: 123"`` -> ``"123"``); ``""`` if none."""
    if not value:
        return ""
    match = _PMID.search(str(value))
    return match.group(0).lstrip("0") if match else ""


def normalize_pmcid(value: str | None) -> str:
    if not value:
        return ""
    match = _PMCID.search(str(value))
    return f"PMC{match.group(1)}" if match else ""


def normalize_issn(value: str | None) -> str:
    """The first ISSN in ``value`` as ``NNNN-NNNX``; ``""`` if none."""
    if not value:
        return ""
    match = _ISSN.search(str(value))
    return f"{match.group(1)}-{match.group(2).upper()}" if match else ""


def split_pages(value: str | None) -> tuple[str, str]:
    """``"73-6"`` -> ``("73", "76")``; ``"e1234"`` -> ``("e1234", "")``.

    Abbreviated last pages are expanded from the first page's leading digits, as MEDLINE writes
    them ("1123-45" is 1123 to 1145).
    """
    if not value:
        return "", ""
    text = clean_text(value).replace("\u2013", "-").replace("\u2014", "-")
    if text[:1] in ("p", "P"):
        text = _PAGE_PREFIX.sub("", text)
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
    elif not isinstance(values, list | tuple):
        values = list(values)
    if all(type(v) is str for v in values):
        cleaned = _clean_all(values)
    else:
        cleaned = [clean_text(v if type(v) is str else str(v)) for v in values]
    # A dict keeps the first of equal values in order, like a list checked with ``in``, but
    # without the quadratic scan on long keyword lists.
    out = dict.fromkeys(cleaned)
    out.pop("", None)
    return tuple(out)


def _raw(value: Any) -> Any:
    return value if value is not None else ""


def _extra(value: Any) -> Any:
    return value if value is not None else {}


def _plain(value: Any) -> str:
    return clean_text(str(value)) if value is not None else ""


# How make_record normalises each field it is given (by keyword); any other field is
# cleaned as text when it is a string and kept as it is (or "") otherwise.
_NORMALISERS: dict[str, Any] = {
    "pub_types": _tuple,
    "keywords": _tuple,
    "mesh": _tuple,
    "keywords_en": _tuple,
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "issn": normalize_issn,
    "raw": _raw,
    "extra": _extra,
    "page_first": _plain,
    "page_last": _plain,
    "volume": _plain,
    "issue": _plain,
    "source_key": _plain,
    "url": _plain,
}


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
    if authors and type(authors) is list and all(type(a) is str for a in authors):
        for text in _clean_all(authors):
            author = _author(text)
            if author.family:
                author_list.append(author)
    else:
        for a in authors or ():
            author = a if isinstance(a, Author) else parse_author(a if type(a) is str else str(a))
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
    normalisers = _NORMALISERS
    for key, value in fields.items():
        normalise = normalisers.get(key)
        if normalise is not None:
            values[key] = normalise(value)
        else:
            values[key] = clean_text(value) if isinstance(value, str) else (value or "")
    return Record(**values)
