"""PubMed XML, as efetch returns it (``db=pubmed, retmode=xml``) and PubMed's "XML" export.

Read as a stream (lxml's pull parser, fed a block at a time): one ``PubmedArticle`` or
``PubmedBookArticle`` at a time, cleared once read, so a file of 100,000 records needs little
memory. The DTD named in the
DOCTYPE is never loaded or downloaded and entities are not resolved.

Each article becomes a Record as :mod:`screener.sources._pubmed_record` says.

:func:`parse_efetch` reads one efetch response (bytes) and is strict about what an E-utilities
fault looks like: an ``<ERROR>`` element, an HTML page or truncated XML raise ParseError.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import IO, TextIO, cast

from lxml import etree

from screener.errors import ParseError
from screener.records import Record
from screener.sources import Chunk, Entry
from screener.sources._common import MAX_ENTRY, too_long
from screener.sources._pubmed_record import Missing, article, book, fold

NAME = "pubmed-xml"
LABEL = "PubMed XML (efetch)"

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ROOT_TAGS = {"PubmedArticleSet", "PubmedBookArticleSet"}


def sniff(head: str) -> int:
    text = head.lstrip("\ufeff \t\r\n")
    if "<!DOCTYPE PubmedArticleSet" in head or "<!DOCTYPE PubmedBookArticleSet" in head:
        return 100
    if text.startswith("<") and ("<PubmedArticleSet" in head or "<PubmedBookArticleSet" in head):
        return 95
    return 0


def database(head: str) -> str | None:
    return "PubMed"


class _Utf8Reader(io.RawIOBase):
    """A text stream seen as UTF-8 bytes (lxml reads bytes; the import decoded the file)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data = self._pending + self._stream.read().encode("utf-8")
            self._pending = b""
            return data
        while len(self._pending) < size:
            chunk = self._stream.read(max(size, 1 << 16))
            if not chunk:
                break
            self._pending += chunk.encode("utf-8")
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def _utf8_buffer(stream: TextIO) -> IO[bytes] | None:
    """The byte stream under ``stream`` when the import decoded it as UTF-8 from its start."""
    buffer = getattr(stream, "buffer", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if buffer is not None and encoding in ("utf-8", "utf8", "utf-8-sig") and stream.tell() == 0:
        return buffer
    return None


def parse(stream: TextIO, *, file_name: str) -> Iterator[Entry]:
    """One Entry per PubmedArticle / PubmedBookArticle of a PubMed XML file, in file order."""
    # The import has already chosen the file's encoding, so lxml is told UTF-8 whatever the
    # XML declaration says. A UTF-8 file is read as bytes straight from its buffer (decoding
    # and re-encoding would cost a third of the parse); anything else is re-encoded.
    source: IO[bytes] | io.RawIOBase = _utf8_buffer(stream) or _Utf8Reader(stream)
    for position, element in enumerate(_elements(source, file_name, encoding="utf-8"), start=1):
        yield _entry(element, position, file_name)


# --- reading in chunks (see screener.sources: a big file is read by several processes) --------
# A chunk is a run of whole articles cut from the bytes between the root's start and end tags;
# each is read as a document of its own, wrapped in the file's own root start tag. Cuts fall
# only right after an article's end tag, and every byte of the root's content goes to exactly
# one chunk, so whatever the whole file holds besides articles (an ERROR element, stray markup,
# a truncated last article) is met by the chunk that holds it, and reported as the one-piece
# read reports it. Files that start in any other way (an internal DTD subset, no root before
# the first article, an HTML page) are not cut: they are read in one piece.

_BLOCK = 4 << 20
_PROLOGUE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^<>]*\?>\s*)?(?:<!DOCTYPE[^<>\[]*>\s*)?(?:<!--(?:(?!-->).)*-->\s*)*"
    rb"<(PubmedArticleSet|PubmedBookArticleSet)(?:\s[^<>]*)?>",
    re.S,
)
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
_ARTICLE_END = re.compile(rb"</Pubmed(?:Book)?Article>")
_ROOT_NAME = re.compile(rb"<(PubmedArticleSet|PubmedBookArticleSet)\b")


def chunks(stream: TextIO, *, file_name: str, size: int = 100) -> Iterator[Chunk] | None:
    """The file cut into runs of ``size`` articles, or None when it is read in one piece."""
    buffer = _utf8_buffer(stream)
    if buffer is None:
        return None
    head = buffer.read(_BLOCK)
    root = _PROLOGUE.match(head)
    if root is None or not _well_formed(head[: root.end()] + b"</" + root.group(1) + b">"):
        buffer.seek(0)
        return None
    spans = _Spans(file_name)
    spans.add(head)
    return _cut(buffer, head, root, size, spans)


def _well_formed(document: bytes) -> bool:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, encoding="utf-8"
    )
    try:
        etree.fromstring(document, parser)
    except etree.XMLSyntaxError:
        return False
    return True


def _cut(
    buffer: IO[bytes], head: bytes, root: re.Match[bytes], size: int, spans: _Spans | None = None
) -> Iterator[Chunk]:
    """Chunks of ``size`` articles (fewer once one holds MAX_ENTRY bytes); ``spans``, when given,
    checks the file's spans as the one-piece reader does (the fault is raised after the chunks
    before it)."""
    # Each chunk starts with the file's own prologue and root start tag: with its DOCTYPE,
    # libxml2 judges a chunk's faults (an undeclared entity...) as it judges the whole file's.
    start_tag, closing = head[: root.end()], b"</" + root.group(1) + b">"
    data, eof = head[root.end() :], False
    last = 0  # the end of the last article end tag found in data
    position, line = 1, 1 + head.count(b"\n", 0, root.end())
    scanned, found = 0, 0  # where the search for article ends goes on; ends found since the cut
    while True:
        cut = None
        for match in _ARTICLE_END.finditer(data, scanned):
            found += 1
            scanned = last = match.end()
            if found == size:
                cut = scanned
                break
        if cut is None and found and len(data) > MAX_ENTRY:
            cut = last
        if cut is not None:
            piece, data = data[:cut], data[cut:]
            yield Chunk(position, line, (start_tag, piece, True))
            position, line = position + found, line + piece.count(b"\n")
            scanned, found, last = 0, 0, 0
            continue
        if not eof:
            more = buffer.read(_BLOCK)
            eof = not more
            if spans is not None:
                spans.add(more)
            data += more
            continue
        # The rest of the file: the last articles and the root's end tag, if the file has one.
        body = data.rstrip()
        closed = body.endswith(closing)
        yield Chunk(position, line, (start_tag, body[: -len(closing)] if closed else data, closed))
        return


def parse_chunk(chunk: Chunk, *, file_name: str) -> Iterator[Entry]:
    """The entries of one chunk made by :func:`chunks`."""
    document, offset = _document(chunk)
    entries: Iterable[Entry] | None = _whole(
        document,
        file_name,
        encoding="utf-8",
        first_position=chunk.first_position,
        line_offset=offset,
    )
    if entries is None:  # something odd: the streaming reader's checks and messages decide
        elements = _elements(
            io.BytesIO(document),
            file_name,
            encoding="utf-8",
            counted=chunk.first_position - 1,
            line_offset=offset,
            bounded=False,
        )
        entries = (
            _entry(e, p, file_name, offset)
            for p, e in enumerate(elements, start=chunk.first_position)
        )
    yield from entries


def _document(chunk: Chunk) -> tuple[bytes, int]:
    """A chunk as a document of its own, and how many lines of the file come before its first."""
    start_tag, body, closed = cast(tuple[bytes, bytes, bool], chunk.data)  # made by chunks()
    name = _ROOT_NAME.search(start_tag).group(1)  # type: ignore[union-attr]
    return start_tag + body + (
        b"</" + name + b">" if closed else b""
    ), chunk.first_line - 1 - start_tag.count(b"\n")


def parse_efetch(
    data: bytes | str, *, source_name: str = "efetch response", lean: bool = False
) -> list[Record]:
    """The records of one efetch response.

    ``lean`` reads the answer a hundred articles at a time, as a big file is read (see
    :func:`chunks`): only one piece's tree is held at once (for the parsing workers, whose
    memory adds up), at the speed of reading it whole.

    Raises
    ------
    ParseError
        When the response is not PubMed XML (an HTML error page), is cut short, or carries an
        ``<ERROR>`` element (E-utilities report some faults that way inside an HTTP 200).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
        encoding: str | None = "utf-8"
    else:
        encoding = None
    entries: Iterable[Entry] | None = (
        _in_pieces(data, source_name)
        if lean and encoding is None
        else _whole(data, source_name, encoding=encoding)
    )
    if entries is None:
        # Something out of the ordinary: the streaming reader's checks and messages decide.
        entries = (
            _entry(element, position, source_name)
            for position, element in enumerate(
                _elements(io.BytesIO(data), source_name, encoding=encoding), start=1
            )
        )
    records = []
    for entry in entries:
        if entry.error is not None:
            raise entry.error
        records.append(entry.record)
    return records  # type: ignore[return-value]


_PIECE = 100
"""Articles per piece when an efetch answer is read ``lean``."""


def _in_pieces(data: bytes, source_name: str) -> list[Entry] | None:
    """The entries of an answer read piece by piece; None when it cannot be read that way."""
    root = _PROLOGUE.match(data)
    if root is None or not _says_utf8(data[: root.start(1)]):
        return None
    entries: list[Entry] = []
    for chunk in _cut(io.BytesIO(), data, root, _PIECE):
        document, offset = _document(chunk)
        read = _whole(
            document,
            source_name,
            encoding="utf-8",
            first_position=chunk.first_position,
            line_offset=offset,
        )
        if read is None:
            return None
        entries.extend(read)
        if any(entry.error is not None for entry in read):
            break
    return entries


_ENCODING = re.compile(rb"""<\?xml[^<>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _says_utf8(prologue: bytes) -> bool:
    """Whether an XML prologue leaves the encoding UTF-8 (a piece is read without it)."""
    declared = _ENCODING.search(prologue)
    return declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


def _whole(
    document: bytes,
    file_name: str,
    *,
    encoding: str | None,
    first_position: int = 1,
    line_offset: int = 0,
) -> list[Entry] | None:
    """The entries of a plain, well-formed ``PubmedArticleSet``, read in one go; None otherwise.

    The document is in memory, and libxml2 reads it whole a third faster than fed piece by
    piece to ``iterparse``. Anything out of the ordinary (not well-formed, another root, an
    ERROR element, an article not directly under the root) gives None, and the streaming
    reader reads it again: its checks and messages stay the only ones.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, encoding=encoding
    )
    try:
        root = etree.fromstring(document, parser)
    except etree.XMLSyntaxError:
        return None
    if root.tag not in _ROOT_TAGS or next(root.iter("ERROR"), None) is not None:
        return None
    entries = []
    for position, element in enumerate(root.iter(*_ARTICLE_TAGS), start=first_position):
        if element.getparent() is not root:
            return None
        entries.append(_entry(element, position, file_name, line_offset))
    return entries


_FEED = 1 << 16  # as iterparse reads: the events of a block are held at once
_HTML = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!DOCTYPE\s+html|<html[\s>])", re.I)


def _elements(
    source: IO[bytes] | io.RawIOBase,
    file_name: str,
    *,
    encoding: str | None,
    counted: int = 0,
    line_offset: int = 0,
    bounded: bool = True,
) -> Iterator[etree._Element]:
    """Yield each article element, then clear it; check the root and look for ERROR.

    ``counted`` articles and ``line_offset`` lines of the file come before ``source`` (when it
    is one chunk of a file): messages give the places they have in the whole file. Every
    article that ends before a fault is given before the fault is raised, whatever lxml's
    version does with its own iterparse. ``bounded``: no article (nor the text before the
    first or after the last) may pass MAX_ENTRY bytes (see :class:`_Spans`); chunks were
    checked when cut.
    """
    parser = etree.XMLPullParser(
        events=("end",),
        tag=(*_ARTICLE_TAGS, "ERROR"),
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    spans = _Spans(file_name)
    count = counted
    head = b""
    failure: etree.XMLSyntaxError | None = None
    root = None
    while True:
        data = source.read(_FEED)
        if len(head) < 256:
            head += data[:256]
        try:
            if data:
                parser.feed(data)
            else:
                root = parser.close()
        except etree.XMLSyntaxError as exc:
            failure = exc
        for _event, element in parser.read_events():
            if element.tag == "ERROR":
                message = fold("".join(element.itertext())) or "no message"
                raise ParseError(
                    file_name, f"after record {count}", f"E-utilities reported an error: {message}"
                )
            count += 1
            yield element
            element.clear(keep_tail=False)
            if count % 256 == 0:
                # Drop the cleared articles from the root now and then (each one at a time
                # costs more than the whole batch).
                parent = element.getparent()
                if parent is not None:
                    del parent[: parent.index(element) + 1]
        if failure is not None:
            raise _syntax_error(failure, file_name, head, count, line_offset)
        if not data:
            break
        if bounded:
            spans.add(data)
    if root is None or root.tag not in _ROOT_TAGS:
        found = (
            "nothing"
            if root is None
            else ("an HTML page" if str(root.tag).lower() == "html" else f"<{root.tag}>")
        )
        raise ParseError(
            file_name, "line 1", f"expected PubMed XML (<PubmedArticleSet>), found {found}"
        )


def _syntax_error(
    exc: etree.XMLSyntaxError, file_name: str, head: bytes, count: int, line_offset: int
) -> ParseError:
    if _HTML.match(head):
        return ParseError(file_name, "line 1", "expected PubMed XML, found an HTML page")
    line = exc.position[0] + line_offset if exc.position and exc.position[0] else None
    where = f"line {line}" if line else f"after record {count}"
    message = exc.msg
    if line_offset:  # libxml2 names lines of the chunk; give those of the file
        message = _LINE_IN_MESSAGE.sub(lambda m: f"line {int(m.group(1)) + line_offset}", message)
    return ParseError(
        file_name, where, f"not well-formed XML ({message}); the file or response may be cut short"
    )


class _Spans:
    """Checks that no span of the file between two article end tags (or before the first, or
    after the last) passes MAX_ENTRY bytes, so a reader never holds more than that of one
    article; the chunker (:func:`_cut`) checks the same spans with :meth:`check`."""

    __slots__ = ("_ends", "_file_name", "_since", "_tail")

    def __init__(self, file_name: str) -> None:
        self._file_name = file_name
        self._ends = 0  # end tags so far
        self._since = 0  # bytes since the last one
        self._tail = b""  # the end of the last block, for an end tag cut in two

    def add(self, data: bytes) -> None:
        """Account for ``data``, the next bytes of the file (from its first byte on)."""
        tail = self._tail
        text = tail + data
        at = 0  # where in data the span going on was last counted to
        for match in _ARTICLE_END.finditer(text):
            end = match.end() - len(tail)
            if end <= 0:
                continue  # counted with the block before
            self._check(self._since + end - at)
            self._since, at = 0, end
            self._ends += 1
        self._since += len(data) - at
        self._tail = text[-24:]
        self._check(self._since)

    def _check(self, span: int) -> None:
        if span > MAX_ENTRY:
            raise too_long(
                self._file_name,
                f"after record {self._ends}",
                "an article (or the text between two)",
            )


def _entry(element: etree._Element, position: int, file_name: str, line_offset: int = 0) -> Entry:
    line = element.sourceline + line_offset if element.sourceline else None
    try:
        record = article(element) if element.tag == "PubmedArticle" else book(element)
    except Missing as exc:
        return Entry(
            position,
            line,
            error=ParseError(file_name, f"record {position} (line {line})", str(exc)),
        )
    return Entry(position, line, record=record)
