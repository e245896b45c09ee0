"""Citation normalisers for matching: journal names, volumes, issues, supplements, pages.

Pure and total, like every normaliser; the forms are for comparison only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from screener.dedup.normalize.text import fold

__all__ = [
    "is_supplement",
    "journal_tokens",
    "journals_match",
    "normalize_issue",
    "normalize_journal",
    "normalize_page",
    "normalize_pages",
    "normalize_volume",
    "supplement_number",
]

_JOURNAL_MEETING = re.compile(r"\.\s*(?:Conference|Supplement|Congress|Meeting)\b", re.I)
_JOURNAL_SECOND_TITLE = re.compile(r"(?<=[a-z])\.(?=[A-Z])")
_S_NUMBER = re.compile(r"s\d", re.I)
_PAGE_COUNT = re.compile(r"\d+p+")
_LETTERS = re.compile(r"[a-z]*")

# --- journals --------------------------------------------------------------------------------

_JOURNAL_STOP = {
    "the",
    "of",
    "and",
    "in",
    "for",
    "on",
    "de",
    "la",
    "le",
    "der",
    "und",
    "fur",
    "et",
    "a",
    "an",
    "official",
    "journal",
    "j",
    "jnl",
    "d",
    "l",
    "du",
    "des",
    "di",
    "del",
    "della",
    "y",
    "e",
    "i",
    "do",
    "da",
    "das",
    "dos",
    "van",
    "voor",
    "en",
    "och",
    "og",
}
_JOURNAL_SUFFIX = re.compile(r"\s*(?:[:=(\[].*)$")


@lru_cache(maxsize=100_000)
def normalize_journal(journal: str) -> str:
    """Journal name folded, with its subtitle, parenthesised notes and conference details dropped.

    ``"Microcirculation. Conference: 66th Annual Meeting ..."`` -> ``"microcirculation"``.
    """
    if not journal:
        return ""
    text = _JOURNAL_MEETING.split(journal, maxsplit=1)[0]
    # "International journal of cancer.Journal international du cancer": a second language
    # title run on after a full stop.
    text = _JOURNAL_SECOND_TITLE.split(text, maxsplit=1)[0]
    head = _JOURNAL_SUFFIX.sub("", text)
    return fold(head or text)


def journal_tokens(norm_journal: str) -> tuple[str, ...]:
    """Significant words of a normalised journal name ("journal", "of", "the", years ...
    dropped)."""
    return tuple(t for t in norm_journal.split() if t not in _JOURNAL_STOP and not t.isdigit())


def _abbreviates(short: str, full: str) -> bool:
    # ISO 4 abbreviations keep a word's first letter and drop letters from the rest:
    # "natl" ~ "national", "soc" ~ "society", "j" ~ "journal". A subsequence test covers both.
    if short == full:
        return True
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    it = iter(full)
    return all(c in it for c in short)


def _acronym_of(acronym: str, words: tuple[str, ...]) -> bool:
    # "icis" ~ (international, conference, information, systems); "amcis" ~ (americas, ...):
    # the acronym is the words' leading letters, one or more from each word, in order.
    if not words:
        return not acronym
    if not acronym:
        return False
    word = words[0]
    for take in range(1, min(len(word), len(acronym)) + 1):
        if acronym[:take] != word[:take]:
            break
        if _acronym_of(acronym[take:], words[1:]):
            return True
    return False


def journals_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when one journal name's tokens abbreviate the other's, word by word.

    ``("curr", "opin", "lipidol")`` matches ``("current", "opinion", "lipidology")``;
    ``("diabetes", "metabolism")`` matches itself. Names of different length never match.
    """
    if not a or not b:
        return False
    if a == b:
        return True
    if "".join(a) == "".join(b):
        return True  # "healthsystem" vs "health system"
    for x, y in ((a, b), (b, a)):
        if 3 <= len(x[0]) <= 6 and 3 <= len(y) <= 8 and _acronym_of(x[0], y):
            return True  # "ICIS 2018" vs "International Conference on Information Systems"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 3 and long_[: len(short)] == short:
        return True  # "European Conference on Information Systems - Information Systems for ..."
    if len(a) != len(b):
        return False
    return all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in zip(a, b, strict=True))


# --- volume, issue, pages ---------------------------------------------------------------------

_LEADING_NUMBER = re.compile(r"\d+")


def normalize_volume(value: str) -> str:
    """The volume's number without leading zeros; ``"38 (Supplement 1)"`` -> ``"38"``.

    A fragment such as ``"1)"`` (what is left of ``"57 (Suppl 1)"`` split badly) is no volume.
    """
    if not value:
        return ""
    if value.count(")") > value.count("("):
        return ""
    match = _LEADING_NUMBER.search(value)
    if match:
        return match.group(0).lstrip("0") or "0"
    return ""


_MEETING = re.compile(r"suppl|meeting|abstract|astract|congress", re.I)


def normalize_issue(value: str) -> str:
    """The issue's leading number (``"02"`` -> ``"2"``, ``"22 SUPPL. 1"`` -> ``"22"``); an issue
    that is only a supplement becomes ``"s"`` + its number (``"SUPPL. 1"`` -> ``"s1"``)."""
    if not value:
        return ""
    text = value.strip()
    match = _LEADING_NUMBER.match(text)
    if match:
        return match.group(0).lstrip("0") or "0"
    if _MEETING.search(text) or _S_NUMBER.match(text):
        number = _LEADING_NUMBER.search(text)
        return "s" + (number.group(0).lstrip("0") if number else "")
    return fold(text).replace(" ", "")


_SUPPLEMENT_NUMBER = re.compile(r"\bsupp?l?(?:ement)?\.?\s*(\d+)", re.I)


def supplement_number(volume: str, issue: str) -> str:
    """The number of the supplement a volume or issue names (``"10 SUPPL. 1"`` -> ``"1"``)."""
    for text in (issue, volume):
        match = _SUPPLEMENT_NUMBER.search(text) if text else None
        if match:
            return match.group(1).lstrip("0") or "0"
    return ""


def is_supplement(volume: str, issue: str) -> bool:
    """True when the volume or issue names a supplement or meeting abstracts."""
    return bool(_MEETING.search(volume) or _MEETING.search(issue) or _S_NUMBER.match(issue.strip()))


_ROMAN_PAGE = re.compile(r"[ivxlc]+")


def normalize_page(value: str) -> str:
    """A page folded: ``"e1234."`` -> ``"e1234"``, ``"0073"`` -> ``"73"``, ``"S12"`` ->
    ``"s12"``."""
    if not value:
        return ""
    if value.isdigit():
        return value.lstrip("0") or "0"
    words = fold(value).split()
    if not words:
        return ""
    text = words[0]  # "532,534-536" -> "532"
    if _PAGE_COUNT.fullmatch(text):
        return ""  # "215p": a page count, not a page
    if text.startswith("suppl"):
        return ""  # "Suppl-10": the page was lost to the supplement's name
    if len(words) > 1 and text.isalpha() and len(text) == 1:
        text += words[1]  # "S 12" -> "s12"
    if text.isdigit():
        return text.lstrip("0") or "0"
    if not any(c.isdigit() for c in text) and not _ROMAN_PAGE.fullmatch(text):
        return ""  # "pt", "np": not a page
    return text


def normalize_pages(first: str, last: str) -> tuple[str, str]:
    """(first, last) folded, the last page expanded from an abbreviated range (``73-6``) and
    dropped when equal to the first."""
    first_n, last_n = normalize_page(first), normalize_page(last)
    if not first_n:
        return "", ""
    prefix = _LETTERS.match(first_n).group(0)  # type: ignore[union-attr]
    if prefix and last_n.isdigit():
        last_n = prefix + last_n  # "S5-10" is S5 to S10
    if (
        prefix
        and last_n.startswith(prefix)
        and first_n[len(prefix) :].isdigit()
        and last_n[len(prefix) :].isdigit()
        and len(last_n) < len(first_n)
    ):
        digits, tail = first_n[len(prefix) :], last_n[len(prefix) :]
        last_n = prefix + digits[: len(digits) - len(tail)] + tail
    elif first_n.isdigit() and last_n.isdigit() and len(last_n) < len(first_n):
        last_n = first_n[: len(first_n) - len(last_n)] + last_n
    if last_n == first_n:
        last_n = ""
    return first_n, last_n
