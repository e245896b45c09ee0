"""Text normalisers for matching: folding, titles (notes, translations, numbers), abstracts.

Every function here is pure and total: any string in, a normalised string (possibly empty) out.
The forms are for comparison only; records keep their text as imported.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from hashlib import blake2b

__all__ = [
    "ABSTRACT_SIGNATURE_MIN",
    "CJK",
    "COMBINING",
    "ORDINAL_WORDS",
    "abstract_signature",
    "alternative_titles",
    "fold",
    "has_cjk",
    "normalize_title",
    "strip_language_tags",
    "title_numbers",
]

# Chinese characters and combining accents: the author normalisers read them too.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TAG = re.compile(r"<[^>]{0,400}>")
_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "ß": "ss",
    "æ": "ae",
    "ø": "o",
    "œ": "oe",
    "đ": "d",
    "ł": "l",
    "ı": "i",
    "þ": "th",
    "ð": "d",
}
_GREEK_RE = re.compile("|".join(_GREEK))
COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# What is not a letter or digit becomes a space (CJK characters are letters and stay).
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TRAILING_REPLY = re.compile(r"(?:\s*\.\.\.|\s*-+\s*(?:reply|authors'? reply))\s*$", re.I)
_APPENDED_CITATION = re.compile(r"\.\.\.\s+[^.]{2,60}\.\s*(?:1[89]|20)\d\d\b.*$")
_BRACKETED_TITLE = re.compile(r"\[([^\[\]]{20,})\]?$")
_DIGITS = re.compile(r"\d+")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese characters."""
    return bool(CJK.search(text))


def fold(text: str) -> str:
    """Lower case, markup and entities removed, diacritics stripped, punctuation as spaces.

    ``"Écho-<i>Doppler</i> &amp; TNF-α"`` -> ``"echo doppler and tnf alpha"``. CJK characters
    are kept (they carry the meaning of a Chinese title).
    """
    if not text:
        return ""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text).replace("&", " and ")
    text = text.lower()
    if not text.isascii():
        text = COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()
        if not text.isascii():
            text = _GREEK_RE.sub(lambda m: " " + _GREEK[m.group(0)] + " ", text)
    return _NON_WORD.sub(" ", text).strip()


# Notes databases append to titles: "[Chinese]", "[Article in German]", "[Review] [88 refs]",
# "[Erratum appears in ...]", "(author's transl)", "(Structured abstract)", "(vol 360, pg 542,
# 2009)".
_TRAILING_PAREN_NOTE = re.compile(
    r"\s*\((?:author'?s'? transl(?:ation)?|structured abstract|multiple letters|abstract|letter|"
    r"editorial|vol\.? \d+[^)]*|[^()]*\(\d{4}\) \d+[^()]*\([^()]*\))\)\s*\.?\s*$",
    re.I,
)
_LEADING_TAG = re.compile(r"^\s*\[(?:article in )?[a-z][a-z ,;/-]{2,40}\]\s*", re.I)
# An erratum's citation of its article cut short by the export, never closed:
# "Erratum: Severe deficiency ... syndrome (The Journal of Pediatrics (M".
_CUT_CITATION = re.compile(r"\s*\([A-Z][^()]{2,80}\([^()]{0,40}$")


def _strip_trailing_brackets(text: str) -> str:
    """Remove balanced ``[...]`` groups at the end of a title (nested ones included)."""
    while True:
        end = text.rstrip(" .").rstrip()
        cut = end.rfind("[")
        if cut >= 8 and "]" not in end[cut:]:  # a note cut short by the export
            text = end[:cut].rstrip()
            continue
        if not end.endswith("]"):
            return text
        depth = 0
        for pos in range(len(end) - 1, -1, -1):
            if end[pos] == "]":
                depth += 1
            elif end[pos] == "[":
                depth -= 1
                if depth == 0:
                    break
        else:
            return text
        head = end[:pos].rstrip()
        if not any(c.isalnum() for c in head):  # the whole title is in brackets: keep its words
            return text
        text = head


def strip_language_tags(title: str) -> str:
    """Drop database notes around a title: ``[Chinese]``, ``[Review] [88 refs]``,
    ``[Erratum appears in ...]``, ``(author's transl)``, ``(Structured abstract)`` ...

    A title entirely in brackets (MEDLINE's translated titles, ``"[Treatment of ...]"``) keeps
    its words: only the brackets go.
    """
    text = title.strip()
    if "[" not in text and "(" not in text and "..." not in text and not text.endswith(("y", "Y")):
        return text  # nothing to strip (the common case, kept fast)
    for _ in range(4):
        before = text
        text = _strip_trailing_brackets(text)
        text = _TRAILING_PAREN_NOTE.sub("", text)
        text = _CUT_CITATION.sub("", text)
        text = _TRAILING_REPLY.sub("", text)
        # "... N Engl J Med. 2009 Jan 29;360(5):544-6": the citation of the paper commented on
        text = _APPENDED_CITATION.sub("", text)
        if text == before:
            break
    text = _LEADING_TAG.sub("", text) if not text.rstrip(". ").endswith("]") else text
    stripped = text.strip().rstrip(".").strip()
    if stripped.startswith("[") and stripped.endswith("]") and stripped.count("[") == 1:
        return stripped[1:-1].strip()
    return text


# A magazine's section heading run into the title: "How did it ... Upwork's CEO on how ...".
_SECTION_HEADING = re.compile(r"^([^.]{3,40}?)\s*\.\.\.\s+([^.]{30,})$")
_NOTE_WORDS = re.compile(
    r"^(?:review|erratum|errata|published erratum|see|comment|corrected|in process|"
    r"article in|\d+ refs|letter|editorial|english abstract|abstract)",
    re.I,
)


def alternative_titles(title: str) -> list[str]:
    """Other titles a record's title field carries, normalised: a translation in trailing
    brackets (``"Working in ... [Arbeiten in ...]"``), either half of a bilingual
    ``"English title; Título"`` or ``"Title = Titre"``, or the title after a section heading
    (``"How did it ... Upwork's CEO on how ..."``)."""
    out = []
    text = title.strip().rstrip(".")
    match = _BRACKETED_TITLE.search(text) if "[" in text else None
    if match and not _NOTE_WORDS.match(match.group(1)) and match.start() > 8:
        out.append(match.group(1))
    heading = _SECTION_HEADING.match(text) if "..." in text else None
    if heading and len(heading.group(1).split()) <= 4:
        out.append(heading.group(2))
    for sep in ("; ", " = "):
        if sep in text:
            head, _, tail = text.partition(sep)
            if len(head) >= 20 and len(tail) >= 20:
                out.extend((head, tail))
            break
    return [t for t in (normalize_title(x) for x in out) if t]


_KIND_PREFIX = re.compile(
    r"^\s*(?:erratum|errata|correction|corrigendum|retraction|retracted|"
    r"withdrawn|retraction notice)\s*(?:to|of|for)?\s*[:\-–]\s*",
    re.I,
)


def normalize_title(title: str) -> str:
    """A title folded for comparison: language tags, case, accents and punctuation removed, and
    a leading "Erratum:" or "Retraction:" (the record's kind says that)."""
    if not title:
        return ""
    return fold(_KIND_PREFIX.sub("", strip_language_tags(title)))


_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
}


def title_numbers(norm_title: str) -> frozenset[str]:
    """Numbers in a normalised title, roman numerals and part/phase ordinals included.

    Two titles alike but for "Part I"/"Part II" or "2009"/"2010" are different papers. Digits
    are read from the title without spaces, so "p16(INK4a)" and "p16INK4a" or "10 000" and
    "10000" carry the same numbers.
    """
    found = {n.lstrip("0") or "0" for n in _DIGITS.findall(norm_title.replace(" ", ""))}
    tokens = norm_title.split()
    if ORDINAL_WORDS.isdisjoint(tokens):
        return frozenset(found)
    for i, tok in enumerate(tokens):
        if (
            tok in _ROMAN
            and i > 0
            and tokens[i - 1]
            in ("part", "phase", "study", "type", "stage", "grade", "class", "trial", "section")
        ):
            found.add(str(_ROMAN_VALUE[tok]))
        elif (
            tok in _NUMBER_WORDS
            and i + 1 < len(tokens)
            and tokens[i + 1] in ("part", "phase", "year", "years")
        ):
            found.add(_NUMBER_WORDS[tok])
    return frozenset(found)


ORDINAL_WORDS = frozenset(_ROMAN) | frozenset(_NUMBER_WORDS)
_ROMAN_VALUE = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
}


# --- abstracts -------------------------------------------------------------------------------

ABSTRACT_SIGNATURE_MIN = 300  # letters and digits: a few sentences, not a placeholder


@lru_cache(maxsize=4096)
def abstract_signature(abstract: str) -> int:
    """A fingerprint of a whole abstract's letters and digits, or 0 when it has fewer than
    :data:`ABSTRACT_SIGNATURE_MIN` of them.

    Markup, entities, case, accents, spacing and punctuation do not change it, so two records
    with one fingerprint carry one text however their databases typed it; a word changed
    anywhere in the text changes it.
    """
    if len(abstract) < ABSTRACT_SIGNATURE_MIN:
        return 0
    text = fold(abstract).replace(" ", "")
    if len(text) < ABSTRACT_SIGNATURE_MIN:
        return 0
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big") or 1
