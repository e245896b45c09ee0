"""Author normalisers for matching: (family, initials) keys, Chinese names in pinyin.

Pure and total, like every normaliser; the keys are for comparison only.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from screener.dedup.normalize.text import CJK, COMBINING, fold, has_cjk
from screener.records import Author, parse_author

__all__ = ["author_key", "author_keys", "pinyin_name"]

_NON_LETTERS = re.compile(r"[^A-Za-z]+")

# Surnames whose reading differs from the character's most common one.
_SURNAME_READING = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "繁": "po",
    "秘": "bi",
    "尉": "yu",
    "长": "chang",
    "重": "chong",
    "沈": "shen",
    "贾": "jia",
    "万": "wan",
    "那": "na",
    "褚": "chu",
    "柏": "bai",
    "牟": "mou",
    "藏": "zang",
    "黑": "he",
    "便": "pian",
    "员": "yun",
    "宿": "su",
    "句": "gou",
    "阚": "kan",
    "折": "she",
    "种": "chong",
}
_COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
    "呼延",
    "司空",
    "万俟",
    "闻人",
    "澹台",
    "公冶",
    "宗政",
    "濮阳",
    "太叔",
    "申屠",
    "钟离",
    "淳于",
    "单于",
    "赫连",
    "拓跋",
}


@lru_cache(maxsize=65536)
def pinyin_name(name: str) -> tuple[str, str]:
    """A Chinese personal name as (family, given) in toneless pinyin.

    ``"张三丰"`` -> ``("zhang", "san feng")``; common compound surnames (欧阳 ...) stay whole and
    surnames read unusually (曾 zeng, 单 shan ...) take their surname reading.
    """
    chars = "".join(c for c in name if CJK.match(c))
    if not chars:
        return "", ""
    if len(chars) >= 3 and chars[:2] in _COMPOUND_SURNAMES:
        family_chars, given_chars = chars[:2], chars[2:]
    else:
        family_chars, given_chars = chars[:1], chars[1:]
    family = "".join(
        _SURNAME_READING.get(c) or lazy_pinyin(c, style=Style.NORMAL)[0] for c in family_chars
    )
    given = " ".join(lazy_pinyin(given_chars, style=Style.NORMAL))
    return family, given


def _strip_accents(text: str) -> str:
    return text if text.isascii() else COMBINING.sub("", unicodedata.normalize("NFKD", text))


def _initials(given: str) -> str:
    parts = [p for p in _NON_LETTERS.split(_strip_accents(given)) if p]
    if len(parts) == 1 and parts[0].isupper() and len(parts[0]) <= 3:
        return parts[0].lower()  # "QJ"
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


_GROUP_WORDS = re.compile(
    r"\b(?:group|committee|association|society|consortium|collaborat\w*|"
    r"investigators|council|network|organi[sz]ation|institute|working party|"
    r"study|trialists|panel|board|federation|college|academy)\b",
    re.I,
)


def _author_key(author: Author) -> tuple[str, str]:
    whole = f"{author.given} {author.family}".strip()
    # A group author ("中国抗癌协会肉瘤专业委员会", "CATAPULT I Study Group") is one name, not a
    # family name and initials; Chinese personal names have at most four characters.
    if (
        author.collective
        or (has_cjk(whole) and len(whole.replace(" ", "")) > 4)
        or (len(whole.split()) >= 3 and _GROUP_WORDS.search(whole))
    ):
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
