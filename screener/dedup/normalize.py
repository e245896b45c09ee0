"""Field-aware normalisers for matching: titles, authors, journals, pages, volumes.

Every function here is pure and total: any string in, a normalised string (possibly empty) out.
The forms are for comparison only; records keep their text as imported.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from hashlib import blake2b

from pypinyin import Style, lazy_pinyin

from screener.records import Author, parse_author

__all__ = [
    "abstract_signature",
    "alternative_titles",
    "author_key",
    "author_keys",
    "fold",
    "has_cjk",
    "journal_tokens",
    "journals_match",
    "is_supplement",
    "normalize_issue",
    "normalize_journal",
    "normalize_page",
    "normalize_pages",
    "normalize_title",
    "normalize_volume",
    "pinyin_name",
    "strip_language_tags",
    "supplement_number",
    "title_numbers",
]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TAG = re.compile(r"<[^>]{0,400}>")
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d",
    "ł": "l", "ı": "i", "þ": "th", "ð": "d",
}
_GREEK_RE = re.compile("|".join(_GREEK))
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# What is not a letter or digit becomes a space (CJK characters are letters and stay).
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TRAILING_REPLY = re.compile(r"(?:\s*\.\.\.|\s*-+\s*(?:reply|authors'? reply))\s*$", re.I)
_APPENDED_CITATION = re.compile(r"\.\.\.\s+[^.]{2,60}\.\s*(?:1[89]|20)\d\d\b.*$")
_BRACKETED_TITLE = re.compile(r"\[([^\[\]]{20,})\]?$")
_NON_LETTERS = re.compile(r"[^A-Za-z]+")
_JOURNAL_MEETING = re.compile(r"\.\s*(?:Conference|Supplement|Congress|Meeting)\b", re.I)
_JOURNAL_SECOND_TITLE = re.compile(r"(?<=[a-z])\.(?=[A-Z])")
_S_NUMBER = re.compile(r"s\d", re.I)
_PAGE_COUNT = re.compile(r"\d+p+")
_LETTERS = re.compile(r"[a-z]*")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese characters."""
    return bool(_CJK.search(text))


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
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()
        if not text.isascii():
            text = _GREEK_RE.sub(lambda m: " " + _GREEK[m.group(0)] + " ", text)
    return _NON_WORD.sub(" ", text).strip()


# Notes databases append to titles: "[Chinese]", "[Article in German]", "[Review] [88 refs]",
# "[Erratum appears in ...]", "(author's transl)", "(Structured abstract)", "(vol 360, pg 542, 2009)".
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
        if cut >= 8 and "]" not in end[cut:]:     # a note cut short by the export
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
        if not any(c.isalnum() for c in head):   # the whole title is in brackets: keep its words
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
        return text               # nothing to strip (the common case, kept fast)
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
_NOTE_WORDS = re.compile(r"^(?:review|erratum|errata|published erratum|see|comment|corrected|in process|"
                         r"article in|\d+ refs|letter|editorial|english abstract|abstract)", re.I)


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


_KIND_PREFIX = re.compile(r"^\s*(?:erratum|errata|correction|corrigendum|retraction|retracted|"
                          r"withdrawn|retraction notice)\s*(?:to|of|for)?\s*[:\-–]\s*", re.I)


def normalize_title(title: str) -> str:
    """A title folded for comparison: language tags, case, accents and punctuation removed, and
    a leading "Erratum:" or "Retraction:" (the record's kind says that)."""
    if not title:
        return ""
    return fold(_KIND_PREFIX.sub("", strip_language_tags(title)))


_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "first": "1", "second": "2",
                 "third": "3", "fourth": "4"}


def title_numbers(norm_title: str) -> frozenset[str]:
    """Numbers in a normalised title, roman numerals and part/phase ordinals included.

    Two titles alike but for "Part I"/"Part II" or "2009"/"2010" are different papers. Digits
    are read from the title without spaces, so "p16(INK4a)" and "p16INK4a" or "10 000" and
    "10000" carry the same numbers.
    """
    found = {n.lstrip("0") or "0" for n in _LEADING_NUMBER.findall(norm_title.replace(" ", ""))}
    tokens = norm_title.split()
    if ORDINAL_WORDS.isdisjoint(tokens):
        return frozenset(found)
    for i, tok in enumerate(tokens):
        if tok in _ROMAN and i > 0 and tokens[i - 1] in ("part", "phase", "study", "type", "stage",
                                                         "grade", "class", "trial", "section"):
            found.add(str(_ROMAN_VALUE[tok]))
        elif tok in _NUMBER_WORDS and i + 1 < len(tokens) and tokens[i + 1] in ("part", "phase", "year", "years"):
            found.add(_NUMBER_WORDS[tok])
    return frozenset(found)


ORDINAL_WORDS = frozenset(_ROMAN) | frozenset(_NUMBER_WORDS)
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
                "x": 10, "xi": 11, "xii": 12}


# --- abstracts -------------------------------------------------------------------------------

ABSTRACT_SIGNATURE_MIN = 300   # letters and digits: a few sentences, not a placeholder


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


# --- authors ---------------------------------------------------------------------------------

# Surnames whose reading differs from the character's most common one.
_SURNAME_READING = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha", "区": "ou",
    "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai", "繁": "po", "秘": "bi",
    "尉": "yu", "长": "chang", "重": "chong", "沈": "shen", "贾": "jia", "万": "wan", "那": "na",
    "褚": "chu", "柏": "bai", "牟": "mou", "藏": "zang", "黑": "he", "便": "pian", "员": "yun",
    "宿": "su", "句": "gou", "阚": "kan", "折": "she", "种": "chong",
}
_COMPOUND_SURNAMES = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "司空", "万俟", "闻人",
    "澹台", "公冶", "宗政", "濮阳", "太叔", "申屠", "钟离", "淳于", "单于", "赫连", "拓跋",
}


@lru_cache(maxsize=65536)
def pinyin_name(name: str) -> tuple[str, str]:
    """A Chinese personal name as (family, given) in toneless pinyin.

    ``"张三丰"`` -> ``("zhang", "san feng")``; common compound surnames (欧阳 ...) stay whole and
    surnames read unusually (曾 zeng, 单 shan ...) take their surname reading.
    """
    chars = "".join(c for c in name if _CJK.match(c))
    if not chars:
        return "", ""
    if len(chars) >= 3 and chars[:2] in _COMPOUND_SURNAMES:
        family_chars, given_chars = chars[:2], chars[2:]
    else:
        family_chars, given_chars = chars[:1], chars[1:]
    family = "".join(_SURNAME_READING.get(c) or lazy_pinyin(c, style=Style.NORMAL)[0] for c in family_chars)
    given = " ".join(lazy_pinyin(given_chars, style=Style.NORMAL))
    return family, given


def _strip_accents(text: str) -> str:
    return text if text.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _initials(given: str) -> str:
    parts = [p for p in _NON_LETTERS.split(_strip_accents(given)) if p]
    if len(parts) == 1 and parts[0].isupper() and len(parts[0]) <= 3:
        return parts[0].lower()   # "QJ"
    return "".join(p[0] for p in parts).lower()


@lru_cache(maxsize=200_000)
def _author_key_cached(author: Author) -> tuple[str, str]:
    return _author_key(author)


def author_key(author: Author | str) -> tuple[str, str]:
    """(family, initials) folded to ASCII: ``"Zhai, Q. J."``, ``"Zhai QJ"`` and ``"Q J Zhai"``
    all give ``("zhai", "qj")``; ``"翟启杰"`` gives its pinyin ``("zhai", "qj")``.
    """
    if isinstance(author, str):
        author = parse_author(author)
    return _author_key_cached(author)


_GROUP_WORDS = re.compile(r"\b(?:group|committee|association|society|consortium|collaborat\w*|"
                          r"investigators|council|network|organi[sz]ation|institute|working party|"
                          r"study|trialists|panel|board|federation|college|academy)\b", re.I)


def _author_key(author: Author) -> tuple[str, str]:
    whole = f"{author.given} {author.family}".strip()
    # A group author ("中国抗癌协会肉瘤专业委员会", "CATAPULT I Study Group") is one name, not a
    # family name and initials; Chinese personal names have at most four characters.
    if author.collective or (has_cjk(whole) and len(whole.replace(" ", "")) > 4) or (
            len(whole.split()) >= 3 and _GROUP_WORDS.search(whole)):
        return fold(author.family if author.collective else whole).replace(" ", ""), ""
    if has_cjk(author.family):
        family, given = pinyin_name(author.family + author.given)
        return family, "".join(p[0] for p in given.split())
    family = fold(author.family).replace(" ", "")
    return family, _initials(author.given) if author.given else ""


@lru_cache(maxsize=200_000)
def _key_of(family: str, given: str, collective: bool) -> tuple[str, str]:
    return _author_key(Author(family, given, collective))


def author_keys(authors: tuple[Author, ...] | list[Author]) -> tuple[tuple[str, str], ...]:
    """:func:`author_key` of each author with a family name, in order."""
    out = []
    for a in authors:
        key = _key_of(a.family, a.given, a.collective)
        if key[0]:
            out.append(key)
    return tuple(out)


# --- journals --------------------------------------------------------------------------------

_JOURNAL_STOP = {"the", "of", "and", "in", "for", "on", "de", "la", "le", "der", "und", "fur", "et",
                 "a", "an", "official", "journal", "j", "jnl", "d", "l", "du", "des", "di", "del", "della", "y",
                 "e", "i", "do", "da", "das", "dos", "van", "voor", "en", "och", "og"}
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
        return True   # "healthsystem" vs "health system"
    for x, y in ((a, b), (b, a)):
        if 3 <= len(x[0]) <= 6 and 3 <= len(y) <= 8 and _acronym_of(x[0], y):
            return True   # "ICIS 2018" vs "International Conference on Information Systems"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 3 and long_[: len(short)] == short:
        return True   # "European Conference on Information Systems - Information Systems for ..."
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
    """A page folded: ``"e1234."`` -> ``"e1234"``, ``"0073"`` -> ``"73"``, ``"S12"`` -> ``"s12"``."""
    if not value:
        return ""
    if value.isdigit():
        return value.lstrip("0") or "0"
    words = fold(value).split()
    if not words:
        return ""
    text = words[0]           # "532,534-536" -> "532"
    if _PAGE_COUNT.fullmatch(text):
        return ""             # "215p": a page count, not a page
    if text.startswith("suppl"):
        return ""             # "Suppl-10": the page was lost to the supplement's name
    if len(words) > 1 and text.isalpha() and len(text) == 1:
        text += words[1]      # "S 12" -> "s12"
    if text.isdigit():
        return text.lstrip("0") or "0"
    if not any(c.isdigit() for c in text) and not _ROMAN_PAGE.fullmatch(text):
        return ""             # "pt", "np": not a page
    return text


def normalize_pages(first: str, last: str) -> tuple[str, str]:
    """(first, last) folded, the last page expanded from an abbreviated range (``73-6``) and
    dropped when equal to the first."""
    first_n, last_n = normalize_page(first), normalize_page(last)
    if not first_n:
        return "", ""
    prefix = _LETTERS.match(first_n).group(0)   # type: ignore[union-attr]
    if prefix and last_n.isdigit():
        last_n = prefix + last_n                     # "S5-10" is S5 to S10
    if prefix and last_n.startswith(prefix) and first_n[len(prefix):].isdigit() \
            and last_n[len(prefix):].isdigit() and len(last_n) < len(first_n):
        digits, tail = first_n[len(prefix):], last_n[len(prefix):]
        last_n = prefix + digits[: len(digits) - len(tail)] + tail
    elif first_n.isdigit() and last_n.isdigit() and len(last_n) < len(first_n):
        last_n = first_n[: len(first_n) - len(last_n)] + last_n
    if last_n == first_n:
        last_n = ""
    return first_n, last_n
