"""PubMed XML, as efetch returns it (``db=pubmed, retmode=xml``) and PubMed's "XML" export.

Read as a stream with lxml's ``iterparse``: one ``PubmedArticle`` or ``PubmedBookArticle`` at a
time, cleared once read, so a file of 100,000 records needs little memory. The DTD named in the
DOCTYPE is never loaded or downloaded and entities are not resolved.

Text fields keep the text of inline markup (``<i>``, ``<sup>``) and MathML with the tags
stripped; a structured abstract becomes ``"BACKGROUND: ... METHODS: ..."``. MeSH headings are
written as MEDLINE writes them (``"Myositis/*drug therapy"``, ``*`` marking a major topic).

:func:`parse_efetch` reads one efetch response (bytes) and is strict about what an E-utilities
fault looks like: an ``<ERROR>`` element, an HTML page or truncated XML raise ParseError.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, TextIO

from lxml import etree

from screener.errors import ParseError
from screener.records import (
    Author,
    Record,
    normalize_doi,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
    parse_year,
    split_pages,
)
from screener.sources import Chunk, Entry
from screener.sources._common import MAX_ENTRY, too_long

NAME = "pubmed-xml"
LABEL = "PubMed XML (efetch)"

_ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_ROOT_TAGS = {"PubmedArticleSet", "PubmedBookArticleSet"}
_PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"


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
    source: IO[bytes] = _utf8_buffer(stream) or _Utf8Reader(stream)
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
    rb"<(PubmedArticleSet|PubmedBookArticleSet)(?:\s[^<>]*)?>", re.S)
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
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, encoding="utf-8")
    try:
        etree.fromstring(document, parser)
    except etree.XMLSyntaxError:
        return False
    return True


def _cut(buffer: IO[bytes], head: bytes, root: re.Match[bytes], size: int, spans: _Spans | None = None
         ) -> Iterator[Chunk]:
    """Chunks of ``size`` articles (fewer once one holds MAX_ENTRY bytes); ``spans``, when given,
    checks the file's spans as the one-piece reader does (the fault is raised after the chunks
    before it)."""
    # Each chunk starts with the file's own prologue and root start tag: with its DOCTYPE,
    # libxml2 judges a chunk's faults (an undeclared entity...) as it judges the whole file's.
    start_tag, closing = head[: root.end()], b"</" + root.group(1) + b">"
    data, eof = head[root.end():], False
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
    entries = _whole(document, file_name, encoding="utf-8", first_position=chunk.first_position,
                     line_offset=offset)
    if entries is None:  # something odd: the streaming reader's checks and messages decide
        elements = _elements(io.BytesIO(document), file_name, encoding="utf-8",
                             counted=chunk.first_position - 1, line_offset=offset, bounded=False)
        entries = (_entry(e, p, file_name, offset) for p, e in enumerate(elements, start=chunk.first_position))
    yield from entries


def _document(chunk: Chunk) -> tuple[bytes, int]:
    """A chunk as a document of its own, and how many lines of the file come before its first."""
    start_tag, body, closed = chunk.data  # type: ignore[misc]
    name = _ROOT_NAME.search(start_tag).group(1)  # type: ignore[union-attr]
    return start_tag + body + (b"</" + name + b">" if closed else b""), chunk.first_line - 1 - start_tag.count(b"\n")


def parse_efetch(data: bytes | str, *, source_name: str = "efetch response", lean: bool = False) -> list[Record]:
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
    entries = _in_pieces(data, source_name) if lean and encoding is None else _whole(data, source_name,
                                                                                     encoding=encoding)
    if entries is None:
        # Something out of the ordinary: the streaming reader's checks and messages decide.
        entries = (_entry(element, position, source_name) for position, element in
                   enumerate(_elements(io.BytesIO(data), source_name, encoding=encoding), start=1))
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
        read = _whole(document, source_name, encoding="utf-8", first_position=chunk.first_position, line_offset=offset)
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


def _whole(document: bytes, file_name: str, *, encoding: str | None, first_position: int = 1,
           line_offset: int = 0) -> list[Entry] | None:
    """The entries of a plain, well-formed ``PubmedArticleSet``, read in one go; None otherwise.

    The document is in memory, and libxml2 reads it whole a third faster than fed piece by
    piece to ``iterparse``. Anything out of the ordinary (not well-formed, another root, an
    ERROR element, an article not directly under the root) gives None, and the streaming
    reader reads it again: its checks and messages stay the only ones.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             encoding=encoding)
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


def _elements(source: IO[bytes], file_name: str, *, encoding: str | None, counted: int = 0,
              line_offset: int = 0, bounded: bool = True) -> Iterator[etree._Element]:
    """Yield each article element, then clear it; check the root and look for ERROR.

    ``counted`` articles and ``line_offset`` lines of the file come before ``source`` (when it
    is one chunk of a file): messages give the places they have in the whole file. Every
    article that ends before a fault is given before the fault is raised, whatever lxml's
    version does with its own iterparse. ``bounded``: no article (nor the text before the
    first or after the last) may pass MAX_ENTRY bytes (see :class:`_Spans`); chunks were
    checked when cut.
    """
    parser = etree.XMLPullParser(
        events=("end",), tag=(*_ARTICLE_TAGS, "ERROR"), encoding=encoding,
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
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
                message = _fold("".join(element.itertext())) or "no message"
                raise ParseError(file_name, f"after record {count}", f"E-utilities reported an error: {message}")
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
        found = "nothing" if root is None else (
            "an HTML page" if str(root.tag).lower() == "html" else f"<{root.tag}>")
        raise ParseError(file_name, "line 1", f"expected PubMed XML (<PubmedArticleSet>), found {found}")


def _syntax_error(exc: etree.XMLSyntaxError, file_name: str, head: bytes, count: int, line_offset: int) -> ParseError:
    if _HTML.match(head):
        return ParseError(file_name, "line 1", "expected PubMed XML, found an HTML page")
    line = exc.position[0] + line_offset if exc.position and exc.position[0] else None
    where = f"line {line}" if line else f"after record {count}"
    message = exc.msg
    if line_offset:  # libxml2 names lines of the chunk; give those of the file
        message = _LINE_IN_MESSAGE.sub(lambda m: f"line {int(m.group(1)) + line_offset}", message)
    return ParseError(file_name, where, f"not well-formed XML ({message}); the file or "
                      "response may be cut short")


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
            raise too_long(self._file_name, f"after record {self._ends}", "an article (or the text between two)")


def _entry(element: etree._Element, position: int, file_name: str, line_offset: int = 0) -> Entry:
    line = element.sourceline + line_offset if element.sourceline else None
    try:
        record = _article(element) if element.tag == "PubmedArticle" else _book(element)
    except _Missing as exc:
        return Entry(position, line, error=ParseError(file_name, f"record {position} (line {line})", str(exc)))
    return Entry(position, line, record=record)


class _Missing(Exception):
    pass


# --- text ----------------------------------------------------------------------------------
# lxml's find() walks a path in Python; looping over an element's children once is several
# times faster, and this runs ~40 times per record.


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        return " ".join(text.split())  # also folds no-break and other Unicode spaces
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text.strip()


def _text(element: etree._Element | None) -> str:
    """All text inside ``element`` (inline markup and MathML tags dropped), whitespace folded."""
    if element is None:
        return ""
    if len(element) == 0:
        # The common case, a leaf with a short ASCII text, without the call to _fold.
        text = element.text
        if not text:
            return ""
        if text.isascii() and not ("  " in text or "\n" in text or "\t" in text or "\r" in text):
            return text.strip()
        return _fold(text)
    return _fold("".join(element.itertext()))


def _children(element: etree._Element | None) -> dict[str, etree._Element]:
    """Tag -> first child of that tag."""
    found: dict[str, etree._Element] = {}
    if element is not None:
        for child in element:
            tag = child.tag
            if tag not in found and isinstance(tag, str):
                found[tag] = child
    return found


def _texts(elements: Iterable[etree._Element]) -> tuple[str, ...]:
    out: list[str] = []
    for element in elements:
        value = _text(element)
        if value and value not in out:
            out.append(value)
    return tuple(out)


def _list(parent: etree._Element | None, tag: str) -> Iterable[etree._Element]:
    return parent.iterchildren(tag) if parent is not None else ()


def _abstract(abstract: etree._Element | None) -> str:
    parts = []
    for section in _list(abstract, "AbstractText"):
        text = _text(section)
        label = (section.get("Label") or "").strip()
        if label and label.upper() != "UNLABELLED":
            text = f"{label}: {text}" if text else f"{label}:"
        if text:
            parts.append(text)
    return " ".join(parts)


def _authors(author_list: etree._Element | None) -> tuple[Author, ...]:
    if author_list is None:
        return ()
    authors = []
    for author in author_list.iterchildren("Author"):
        if author.get("ValidYN") == "N":
            continue
        # Find the name parts first (the last of each, as written), read only those needed.
        family = given = initials = collective = None
        for part in author:
            tag = part.tag
            if tag == "LastName":
                family = part
            elif tag == "ForeName":
                given = part
            elif tag == "Initials":
                initials = part
            elif tag == "CollectiveName":
                collective = part
        if collective is not None:
            name = _text(collective)
            if name:
                authors.append(Author(name, collective=True))
                continue
        if family is not None:
            name = _text(family)
            if name:
                authors.append(Author(name, _text(given) or _text(initials)))
    return tuple(authors)


def _mesh(mesh_list: etree._Element | None) -> tuple[str, ...]:
    if mesh_list is None:
        return ()
    headings = []
    for heading in mesh_list.iterchildren("MeshHeading"):
        text = ""
        for part in heading:
            tag = part.tag
            if tag == "DescriptorName":
                text = ("*" if part.get("MajorTopicYN") == "Y" else "") + _text(part) + text
            elif tag == "QualifierName":
                text += ("/*" if part.get("MajorTopicYN") == "Y" else "/") + _text(part)
        if text and text[0] != "/":
            headings.append(text)
    return tuple(headings)


def _ids(id_list: etree._Element | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for article_id in _list(id_list, "ArticleId"):
        kind = article_id.get("IdType") or ""
        if kind and kind not in found and article_id.text:
            found[kind] = article_id.text.strip()
    return found


def _elocation_doi(*parents: etree._Element | None) -> str:
    for parent in parents:
        for location in _list(parent, "ELocationID"):
            if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") != "N":
                return normalize_doi(location.text)
    return ""


def _date(pub_date: etree._Element | None) -> tuple[int | None, str]:
    """(year, the date as written) from a PubDate: ``Year Month Day`` or a MedlineDate."""
    parts = _children(pub_date)
    if "Year" in parts:
        year = _text(parts["Year"])
        written = " ".join([year, *(_text(parts[k]) for k in ("Month", "Day") if k in parts)])
        return parse_year(year), written
    medline = _text(parts.get("MedlineDate"))
    return parse_year(medline), medline


def _pages(pagination: etree._Element | None) -> tuple[str, str]:
    parts = _children(pagination)
    medline = _text(parts.get("MedlinePgn"))
    if medline:
        # "e123" or "123-45" or a list "123-4, 130": keep the first range.
        return split_pages(medline.split(",")[0])
    start = _text(parts.get("StartPage"))
    end = _text(parts.get("EndPage"))
    return start, end if end != start else ""


# --- records -------------------------------------------------------------------------------


def _article(element: etree._Element) -> Record:
    top = _children(element)
    citation = top.get("MedlineCitation")
    if citation is None:
        raise _Missing("PubmedArticle without MedlineCitation")
    cit = _children(citation)
    pmid = normalize_pmid(_text(cit.get("PMID")))
    if not pmid:
        raise _Missing("PubmedArticle without a PMID")
    article = cit.get("Article")
    if article is None:
        raise _Missing(f"PMID {pmid}: no Article element")
    art = _children(article)
    journal = _children(art.get("Journal"))
    issue = _children(journal.get("JournalIssue"))
    year, written = _date(issue.get("PubDate"))
    if year is None:
        year = parse_year(_text(_children(art.get("ArticleDate")).get("Year")))
    ids = _ids(_children(top.get("PubmedData")).get("ArticleIdList"))
    page_first, page_last = _pages(art.get("Pagination"))
    vernacular = _text(art.get("VernacularTitle"))
    title = _text(art.get("ArticleTitle")) or vernacular
    extra = {"status": citation.get("Status", "")}
    if written:
        extra["pub_date"] = written
    if vernacular and vernacular != title:
        extra["vernacular_title"] = vernacular
    info = _children(cit.get("MedlineJournalInfo"))
    keywords: list[etree._Element] = []
    for keyword_list in _list(citation, "KeywordList"):
        keywords.extend(keyword_list.iterchildren("Keyword"))
    return Record(
        title=title,
        abstract=_abstract(art.get("Abstract")),
        authors=_authors(art.get("AuthorList")),
        year=year,
        journal=_text(journal.get("Title")),
        journal_abbrev=_text(journal.get("ISOAbbreviation")) or _text(info.get("MedlineTA")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        page_first=page_first,
        page_last=page_last,
        doi=normalize_doi(ids.get("doi")) or _elocation_doi(article),
        pmid=pmid,
        pmcid=normalize_pmcid(ids.get("pmc")),
        issn=normalize_issn(_text(journal.get("ISSN"))) or normalize_issn(_text(info.get("ISSNLinking"))),
        language=_text(art.get("Language")),
        pub_types=_texts(_list(art.get("PublicationTypeList"), "PublicationType")),
        keywords=_texts(keywords),
        mesh=_mesh(cit.get("MeshHeadingList")),
        url=_PUBMED_URL.format(pmid),
        source_key=pmid,
        raw=etree.tostring(element, encoding="unicode", with_tail=False),
        extra=extra,
    )


def _book(element: etree._Element) -> Record:
    top = _children(element)
    document = top.get("BookDocument")
    if document is None:
        raise _Missing("PubmedBookArticle without BookDocument")
    doc = _children(document)
    pmid = normalize_pmid(_text(doc.get("PMID")))
    if not pmid:
        raise _Missing("PubmedBookArticle without a PMID")
    book_element = doc.get("Book")
    book = _children(book_element)
    chapter = _text(doc.get("ArticleTitle"))
    book_title = _text(book.get("BookTitle"))
    year, written = _date(book.get("PubDate"))
    authors = _authors(doc.get("AuthorList")) or _authors(book.get("AuthorList"))
    ids = _ids(doc.get("ArticleIdList"))
    for kind, value in _ids(_children(top.get("PubmedBookData")).get("ArticleIdList")).items():
        ids.setdefault(kind, value)
    page_first, page_last = _pages(doc.get("Pagination"))
    extra = {"type": "book"}
    if written:
        extra["pub_date"] = written
    publisher = _children(book.get("Publisher"))
    for key, value in (("isbn", _text(book.get("Isbn"))),
                       ("publisher", _text(publisher.get("PublisherName"))),
                       ("publisher_location", _text(publisher.get("PublisherLocation"))),
                       ("book_accession", ids.get("bookaccession", ""))):
        if value:
            extra[key] = value
    keywords: list[etree._Element] = []
    for keyword_list in _list(document, "KeywordList"):
        keywords.extend(keyword_list.iterchildren("Keyword"))
    return Record(
        title=chapter or book_title,
        abstract=_abstract(doc.get("Abstract")),
        authors=authors,
        year=year,
        journal=book_title if chapter else "",
        page_first=page_first,
        page_last=page_last,
        doi=normalize_doi(ids.get("doi")) or _elocation_doi(document, book_element),
        pmid=pmid,
        pmcid=normalize_pmcid(ids.get("pmc")),
        language=_text(doc.get("Language")),
        pub_types=_texts(_list(document, "PublicationType")),
        keywords=_texts(keywords),
        url=_PUBMED_URL.format(pmid),
        source_key=pmid,
        raw=etree.tostring(element, encoding="unicode", with_tail=False),
        extra=extra,
    )
