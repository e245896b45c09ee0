"""Reading an export file as text: encoding detection that never drops a character.

Order of decision:

1. a byte-order mark says UTF-8, UTF-16 LE or UTF-16 BE;
2. otherwise UTF-8 if the whole file decodes strictly (almost no non-UTF-8 text does);
3. otherwise GB18030 (a superset of GBK/GB2312: what CNKI, Wanfang, VIP and SinoMed write) or
   cp1252 (Western exports from older Windows tools). GB18030 also accepts most cp1252 byte
   strings, as random-looking rare ideographs, so when both decode the choice goes to GB18030
   only if the ideographs it produces look like Chinese text (see :func:`looks_chinese`);
4. a file none of them decodes is a :class:`DecodeError`, never a lossy read; its message names
   the byte offset and the line of the first byte that is not UTF-8 (or not the encoding its
   byte-order mark names).
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TextIO

from screener.errors import DecodeError

__all__ = [
    "CANDIDATES",
    "detect_encoding",
    "first_bad_byte",
    "looks_chinese",
    "open_text",
    "undecodable",
]

CANDIDATES = ("utf-8", "gb18030", "cp1252")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 1 << 20


def detect_encoding(path: Path, *, chunk: int = 1 << 20) -> str:
    """The encoding of the file at ``path`` (a Python codec name).

    Raises
    ------
    DecodeError
        When no candidate decodes the whole file strictly.
    """
    with open(path, "rb") as handle:
        start = handle.read(4)
    for bom, name in _BOMS:
        if start.startswith(bom):
            if _decodes(path, name, chunk):
                return name
            raise undecodable(path, name)
    if _decodes(path, "utf-8", chunk):
        return "utf-8"
    as_gb = _decodes(path, "gb18030", chunk)
    as_western = _decodes(path, "cp1252", chunk)
    if as_gb and (not as_western or looks_chinese(_wide_sample(path, "gb18030"))):
        return "gb18030"
    if as_western:
        return "cp1252"
    raise undecodable(path, "utf-8", tried="any of " + ", ".join(CANDIDATES))


def looks_chinese(text: str) -> bool:
    """Whether the non-ASCII characters of ``text`` read as Chinese rather than noise.

    Genuine GB text is made of common characters (all in GB2312, the basic 6,763 hanzi and
    the full-width punctuation). cp1252 text read as GB18030 pairs an accented letter with the
    ASCII letter after it, which lands in the GBK extension area: rare characters no export
    would contain in bulk. So: most non-ASCII characters must be GB2312 ones.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return False
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(wide) >= 0.8


def _wide_sample(path: Path, encoding: str, *, enough: int = 20_000) -> str:
    """Up to ``enough`` non-ASCII characters of the file decoded as ``encoding``.

    Read chunk by chunk so a file whose first megabyte is plain ASCII is still judged by its
    non-ASCII text, wherever that is.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    found: list[str] = []
    count = 0
    with open(path, "rb") as handle:
        while count < enough and (block := handle.read(_SAMPLE)):
            wide = "".join(ch for ch in decoder.decode(block) if ord(ch) > 0x7F)
            found.append(wide)
            count += len(wide)
    return "".join(found)


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


def first_bad_byte(path: Path, encoding: str, *, chunk: int = 1 << 20) -> tuple[int, int] | None:
    """``(byte offset, line)`` of the first byte of ``path`` that ``encoding`` cannot decode (both
    counted as people do: offset from 0, line from 1), or None when the whole file decodes.

    Lines are counted in the decoded text (LF, CRLF and bare CR each end one), so UTF-16 files
    are counted right too.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    read, lines, after_cr = (
        0,
        1,
        False,
    )  # bytes given to the decoder, lines so far, text ended with CR
    with open(path, "rb") as handle:
        while True:
            block = handle.read(chunk)
            held = decoder.getstate()
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                # Where the fault is: bytes before this block, less those the decoder still held
                # (they start the bad sequence or precede it), plus its place in held + block.
                offset = read - len(held[0]) + exc.start
                before = codecs.getincrementaldecoder(encoding)(errors="strict")
                before.setstate(held)
                text = before.decode(block[: max(exc.start - len(held[0]), 0)])
                return offset, lines + _line_ends(text, after_cr)
            if not block:
                return None
            lines += _line_ends(text, after_cr)
            after_cr = text.endswith("\r") or (after_cr and not text)
            read += len(block)


def _line_ends(text: str, after_cr: bool) -> int:
    """Line ends in ``text`` (a CRLF split over two pieces counted once)."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends - 1 if after_cr and text.startswith("\n") else ends


_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "gb18030": "GB18030",
    "cp1252": "cp1252",
}


def undecodable(path: Path, encoding: str, *, tried: str | None = None) -> DecodeError:
    """The error for ``path`` not decoding as ``encoding`` (or any of ``tried``): one line naming
    the byte offset and the line of the first byte ``encoding`` cannot decode."""
    where = first_bad_byte(path, encoding)
    label = _LABELS.get(encoding, encoding)
    at = f": not valid {label} at byte {where[0]} (line {where[1]})" if where else ""
    return DecodeError(
        f"{path.name}: the file does not decode as {tried or encoding}{at}; re-export it as UTF-8"
    )


def open_text(path: Path, encoding: str | None = None) -> tuple[TextIO, str]:
    """The file as a text stream with universal newlines (LF, CRLF and bare CR)."""
    encoding = encoding or detect_encoding(path)
    stream = open(path, encoding=encoding, errors="strict", newline=None)
    return stream, encoding
