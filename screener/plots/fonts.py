"""Fonts for figures: DejaVu Sans, then a CJK font for the glyphs it lacks.

Study labels from Chinese, Japanese and Korean databases (CNKI, J-STAGE, KoreaMed) need a CJK
font. matplotlib (>= 3.6) falls back glyph by glyph through a list of families, so text is
drawn with ``family=text_family()``: DejaVu Sans first (its Latin, Greek and symbols), then the
first CJK font found. A font installed after matplotlib built its font cache is not in the
cache, so the system font folders are searched too and the font registered with matplotlib's
font manager (matplotlib's one registry of fonts; registering is idempotent).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable

__all__ = ["CJK_FONTS", "cjk_font", "has_cjk", "text_family", "warn_if_no_cjk_font"]

#: CJK fonts in order of preference (Debian: fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei).
CJK_FONTS = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans SC", "Source Han Sans", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Droid Sans Fallback", "AR PL UMing CN", "Noto Serif CJK SC", "Microsoft YaHei", "SimHei",
    "PingFang SC", "Heiti SC", "Hiragino Sans", "Malgun Gothic",
)  # fmt: skip
_FILE_HINTS = ("cjk", "wqy", "sourcehan", "droidsansfallback", "uming", "ukai")
_BASE = "DejaVu Sans"
# Han, kana, hangul, CJK symbols and punctuation, full-width forms.
_CJK = re.compile(
    "[\u2e80-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0003134f]"
)


@functools.cache
def cjk_font() -> str | None:
    """The family name of the first CJK font matplotlib can use, or None."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in known), None)
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if any(hint in path.lower().replace("-", "").replace("_", "") for hint in _FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # an unreadable font file is skipped, not fatal
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def text_family() -> list[str]:
    """The family list for figure text: DejaVu Sans, then the CJK font when there is one."""
    cjk = cjk_font()
    return [_BASE] if cjk is None else [_BASE, cjk]


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese, Japanese or Korean character."""
    return _CJK.search(text) is not None


def warn_if_no_cjk_font(texts: Iterable[str]) -> None:
    """One warning naming the font to install when some text is CJK and no CJK font is found."""
    if cjk_font() is None and any(has_cjk(t) for t in texts):
        warnings.warn(
            "no CJK font found (looked for Noto Sans CJK, WenQuanYi Micro Hei, ...): "
            "CJK labels show as boxes; install one, e.g. Debian fonts-noto-cjk",
            UserWarning,
            stacklevel=3,
        )
