"""Reading an export file as text: encoding detection that never drops a character."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import TextIO

from screener.errors import DecodeError

# Tried in order after the BOM check. UTF-8 first (strict: it rejects almost all non-UTF-8
# text), then GB18030 (a superset of GBK/GB2312, what CNKI, Wanfang, VIP and SinoMed write),
# then cp1252 (Western exports from older Windows tools).
CANDIDATES = ("utf-8", "gb18030", "cp1252")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(path: Path, *, chunk: int = 1 << 20) -> str:
    """The first candidate encoding that decodes the whole file strictly."""
    with open(path, "rb") as handle:
        start = handle.read(4)
    for bom, name in _BOMS:
        if start.startswith(bom):
            return name if _decodes(path, name, chunk) else _fail(path, name)
    for name in CANDIDATES:
        if _decodes(path, name, chunk):
            return name
    return _fail(path, "any of " + ", ".join(CANDIDATES))


def _decodes(path: Path, encoding: str, chunk: int) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with open(path, "rb") as handle:
        try:
            while block := handle.read(chunk):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _fail(path: Path, tried: str) -> str:
    raise DecodeError(f"{path.name}: the file does not decode as {tried}; re-export it as UTF-8")


def open_text(path: Path, encoding: str | None = None) -> tuple[TextIO, str]:
    """The file as a text stream with universal newlines (LF, CRLF and bare CR)."""
    encoding = encoding or detect_encoding(path)
    stream = io.open(path, encoding=encoding, errors="strict", newline=None)
    return stream, encoding
