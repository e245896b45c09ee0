"""Finding the records of a RIS file in its text: the reading half of :mod:`screener.sources.ris`.

Records are found by searching big blocks of text (a megabyte, cut at a line end) rather than
by a Python step per line: this is the hot path of a 100,000-record import. The rules, which the
one-piece reader (:func:`records`) and the cutting into chunks (:func:`chunks`) keep alike:

* a record runs from a ``TY  -`` line to the next ``ER  -`` line. A TY or ER line written after
  a BOM (an Embase export appended to another file), spaces, a tab, a no-break or zero-width
  space, or in lower case counts as well: it is rewritten plainly first (:func:`plain_marks`);
* an ER line may carry the next record's TY (``ER  - TY  - JOUR``: a file appended to one that
  ends without a line end): the next record starts there;
* a record without ER ends at a blank line followed by the next TY;
* text between records is skipped unless it holds a record that cannot be read: a TY line in
  another layout, or fields without their TY line (see :class:`_Strays`). That is an entry
  with an error, never a silent loss;
* no stretch of text between two ER lines (or before the first, or after the last) is longer
  than :data:`~screener.sources._common.MAX_ENTRY`: past that the reading stops with an error
  naming the line where the stretch starts. So the memory a reader holds is bounded and its
  time linear, whatever text it is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from screener.errors import ParseError
from screener.sources._common import INVISIBLE, MAX_ENTRY, too_long

READ = 1 << 20
"""Characters read at a time."""

JUNK = rf"(?:[^\S\n]|[{INVISIBLE}])"
"""A character that may come before a tag: white space but a line end, or an invisible one."""
# A TY or ER mark not written plainly; the lookahead first turns away the common line, one
# starting with a plain tag, cheaply (this runs over every line of every file).
_MARK = rf"(?:(?=[^A-Z\n])(?:{JUNK}+(?:[Tt][Yy]|[Ee][Rr])|t[Yy]|e[Rr])|Ty|Er)(?= {{1,2}}-)"
_LOOSE = re.compile("\n" + _MARK)
_LOOSE_FIRST = re.compile(_MARK)

START = re.compile(r"TY {1,2}-")
END = re.compile(r"ER {1,2}-[^\n]*")
# An ER line that carries the next record's TY (a file appended to one that ends without a line
# end): group 1 ends the record, the match ends where the TY starts.
_JOINED = re.compile(rf"(ER {{1,2}}-[^\n]*?)(?:{JUNK})*(?=[Tt][Yy] {{1,2}}-)")
_JOINED_START = re.compile(r"[Tt][Yy] {1,2}-")
_GLUED = re.compile(r"(?<=[^\n])TY {1,2}- ?\S[^\n]*$", re.M)
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3} {1,2}-", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NOT_BLANK = re.compile(r"\S")


def plain_marks(text: str) -> str:
    """``text`` (whole lines) with every TY and ER line written plainly (``TY``/``ER`` at the
    line start), so the fast search for records finds them all."""
    if _LOOSE.search(text) is None and _LOOSE_FIRST.match(text) is None:
        return text
    return _LOOSE.sub(_plain, "\n" + text)[1:]


def _plain(match: re.Match[str]) -> str:
    return "\n" + match.group(0)[-2:].upper()


class _Overlong(Exception):
    """A line longer than MAX_ENTRY: the caller knows which stretch it breaks."""


def pieces(stream: TextIO) -> Iterator[str]:
    """The text of ``stream`` in pieces of whole lines of about :data:`READ` characters (the last
    may lack its line end), marks made plain.

    Raises _Overlong at a line longer than MAX_ENTRY, never holding more of it than that.
    """
    partial: list[str] = []
    size = 0
    while more := stream.read(READ):
        cut = more.rfind("\n") + 1
        if not cut:
            partial.append(more)
            size += len(more)
            if size > MAX_ENTRY:
                raise _Overlong
            continue
        if partial:
            partial.append(more[:cut])
            text = "".join(partial)
        else:
            text = more if cut == len(more) else more[:cut]
        rest = more[cut:]
        partial, size = ([rest], len(rest)) if rest else ([], 0)
        yield plain_marks(text)
    if partial:
        text = "".join(partial)
        yield plain_marks(text)


def stretch_error(file_name: str, line: int) -> ParseError:
    return too_long(
        file_name, line, "the text from here to the next 'ER  -' line (the end of a record)"
    )


def find(pattern: re.Pattern[str], lead: str, buffer: str, start: int) -> re.Match[str] | None:
    """The first match of ``pattern`` at the start of a line at or after ``start``.

    str.find locates the candidate lines, those starting with ``lead`` (fast, in C); the
    pattern only confirms each. A MULTILINE regex search would step through every character.
    """
    if start == 0:
        found = pattern.match(buffer, 0)
        if found:
            return found
    at = start
    while (at := buffer.find("\n" + lead, at)) >= 0:
        found = pattern.match(buffer, at + 1)
        if found:
            return found
        at += 1
    return None


def _er_lines(buffer: str, begin: int, stop: int) -> Iterator[re.Match[str]]:
    """The ER lines starting in ``buffer[begin:stop]`` (``begin`` at a line start or on a
    newline)."""
    if begin == 0 and (found := END.match(buffer, 0)) and stop > 0:
        yield found
    at = begin
    while (at := buffer.find("\nER", at, stop)) >= 0:
        if found := END.match(buffer, at + 1):
            yield found
        at += 1


# Outside records: a line that starts a record in a layout not read ('TY-JOUR', 'TY: JOUR',
# 'TY   - JOUR'; the plain layouts start records), or a tag line (group 1 the tag).
_STRAY = re.compile(
    rf"^{JUNK}*(?:[Tt][Yy][ \t]*(?:[-\u2013\u2014:=]|$)|([A-Z][A-Z0-9]{{1,3}}) {{1,2}}-)", re.M
)


class _Strays:
    """Records between records that cannot be read: a run of consecutive lines, each a TY line in
    another layout or a tag line, is one when it holds such a TY line or two tag lines or more
    (fields whose TY line is missing or mangled); an ER line ends a run. A lone tag line is let
    through: Ovid writes an ``NL  - `` line after some records."""

    __slots__ = ("_run",)

    def __init__(self) -> None:
        # [line, text of its first line, tag lines, holds a TY line, file offset where it would go
        # on]
        self._run: list | None = None

    def scan(
        self, buffer: str, begin: int, stop: int, base: int, line: int
    ) -> list[tuple[int, str]]:
        """The runs that end in the gap text ``buffer[begin:stop]`` as ``(line, problem)``;
        ``line`` is the line of ``buffer[begin]``, ``base`` the file offset of ``buffer[0]``."""
        found: list[tuple[int, str]] = []
        if begin >= stop:
            return found
        if _NOT_BLANK.search(buffer, begin, stop) is None:  # blank lines end a run
            self.close(found)
            return found
        counted = begin
        for match in _STRAY.finditer(buffer, begin, stop):
            at = match.start()
            tag = match.group(1)
            if tag is not None and tag.upper() == "ER":
                self.close(found)
                continue
            end = buffer.find("\n", at, stop)
            end = stop if end < 0 else end
            run = self._run
            if run is None or run[4] != base + at:
                self.close(found)
                line += buffer.count("\n", counted, at)
                counted = at
                run = self._run = [line, buffer[at:end], 0, False, 0]
            run[2] += tag is not None
            run[3] = run[3] or tag is None
            run[4] = base + end + 1
        return found

    @property
    def going(self) -> bool:
        """Whether a run is going on (it may go on in the next gap text)."""
        return self._run is not None

    def close(self, found: list[tuple[int, str]]) -> None:
        """End the run going on, adding it to ``found`` when it is a record."""
        run, self._run = self._run, None
        if run is None or not (run[3] or run[2] >= 2):
            return
        text = run[1].strip()[:40]
        if run[3]:
            found.append((run[0], f"expected 'TY  - ' to start a record, found {text!r}"))
        else:
            found.append(
                (
                    run[0],
                    f"expected 'TY  - ' before these fields, which are in no record: "
                    f"found {text!r}",
                )
            )


class _NextER:
    """The first ER line at or after a place in one buffer, remembered: records without ER
    would otherwise each search on to the same far ER line (square time)."""

    __slots__ = ("_from", "_found")

    def __init__(self) -> None:
        self._from: int | None = None
        self._found: re.Match[str] | None = None

    def after(self, buffer: str, at: int) -> re.Match[str] | None:
        found = self._found
        if self._from is None or at < self._from or (found is not None and found.start() < at):
            found = self._found = find(END, "ER", buffer, at)
            self._from = at
        return found


def _end_of(
    buffer: str, start: int, search_from: int, previous: int, next_er: _NextER
) -> tuple[int | None, bool, int]:
    """``(end, by ER, previous)``: where the record whose TY is at ``start`` ends, whether an ER
    line ends it; ``end`` None when the buffer holds no end yet.

    ``previous`` is the last TY after ``start`` already looked at (``start`` if none): a record
    without ER ends before a TY when a blank line follows its last tag line, and its last tag
    line before one TY is found from the TY before, so the whole search stays linear.
    """
    closing = next_er.after(buffer, search_from)
    while True:
        following = find(START, "TY", buffer, search_from)
        if following is None or (closing is not None and closing.start() < following.start()):
            return (closing.end(), True, previous) if closing else (None, False, previous)
        ahead = following.start()
        last = previous
        for tag in _TAG_LINE.finditer(buffer, previous + 1, ahead):
            last = tag.start()
        if last != start and _BLANK_LINE.search(buffer, buffer.find("\n", last), ahead):
            return start + len(buffer[start:ahead].rstrip()), False, previous
        previous = ahead
        search_from = following.end()


def records(
    stream: TextIO, file_name: str, *, first_line: int = 1, cut: bool = False
) -> Iterator[tuple[int, str, str]]:
    """``(line, text, kind)`` of each entry, in file order: ``kind`` is "whole" (a record, TY to
    ER), "open" (a record still open at the end of the file: it may be cut short) or "stray"
    (``text`` is then the problem: see :class:`_Strays`).

    ``cut``: the text is one chunk made by :func:`chunks`, its stretches checked.
    Raises ParseError at a stretch longer than MAX_ENTRY (see the module docstring).
    """
    texts = pieces(stream)
    buffer = ""
    base = 0  # file offset of buffer[0]
    done = 0  # buffer before it is read: records given, gap text scanned
    line = first_line  # the line of buffer[done]
    strays = _Strays()
    stretch_at, stretch_line = 0, first_line  # where the text since the last ER line starts
    resume = previous = 0  # an open record's end search, kept across reads (see _end_of)
    joined = -1  # where a record starts on the ER line that ended the last one
    next_er = _NextER()
    while True:
        gap = joined < 0  # the text before the next record is text between records
        if gap:
            start = find(START, "TY", buffer, done)
            stop = start.start() if start else len(buffer)
        else:
            start, stop, joined = _JOINED_START.match(buffer, joined), joined, -1
        found: list[tuple[int, str]] = []
        if (
            gap and _NOT_BLANK.search(buffer, done, stop) is not None
        ):  # most gaps: a line end or two
            # A TY at the end of a line of gap text starts a record there (glued to an export
            # whose last line has no line end); ER lines in the gap end a stretch, and one
            # that carries a TY starts a record there too.
            if (glued := _GLUED.search(buffer, done, stop)) is not None:
                start, stop = _JOINED_START.match(buffer, glued.start()), glued.start()
            counted, at_line = done, line
            for er in _er_lines(buffer, done, stop):
                if carried := _JOINED.match(buffer, er.start()):
                    start, stop = _JOINED_START.match(buffer, carried.end()), carried.end()
                    break
                at_line += buffer.count("\n", counted, er.end())
                counted = er.end()
                stretch_at, stretch_line = base + er.end() + 1, at_line + 1
            found = strays.scan(buffer, done, stop, base, line)
        elif strays.going and stop > done:
            strays.close(found)  # blank lines end a run
        if start is not None and strays.going:
            strays.close(found)  # no run goes on across a record
        for stray_line, problem in found:
            yield stray_line, problem, "stray"
        line += buffer.count("\n", done, stop)
        done = stop
        end = by_er = None
        if start is not None:
            end, by_er, previous = _end_of(
                buffer, stop, max(start.end(), stop + resume), stop + previous, next_er
            )
            previous -= stop
        if end is None:
            # No whole record ahead in the buffer: keep the open one (if any) and read on.
            if not cut and base + len(buffer) - stretch_at > MAX_ENTRY:
                raise stretch_error(file_name, stretch_line)
            try:
                more = next(texts, None)
            except _Overlong:
                raise stretch_error(file_name, stretch_line) from None
            if more is None:
                if start is not None:
                    yield line, buffer[stop:].rstrip(), "open"
                for stray_line, problem in _closed(strays):
                    yield stray_line, problem, "stray"
                return
            if start is not None:  # the open record goes on from the start of the new buffer
                resume, joined = max(len(buffer) - 1 - stop, 0), 0
            buffer, base, done = buffer[stop:] + more, base + stop, 0
            next_er = _NextER()
            continue
        if by_er:
            closing_line = buffer.rfind("\n", stop, end) + 1
            # An ER line longer than 'ER  - ' may carry the next record's TY.
            if end - closing_line > 6 and (carried := _JOINED.match(buffer, closing_line)):
                end, joined = carried.end(1), carried.end()
        text = buffer[stop:end]
        yield line, text, "whole"
        line += text.count("\n")
        if by_er and joined < 0:
            stretch_at, stretch_line = base + end + 1, line + 1
        done, resume, previous = end, 0, 0


def _closed(strays: _Strays) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    strays.close(found)
    return found


def chunks(stream: TextIO, *, file_name: str, size: int) -> Iterator[tuple[int, str]]:
    """``(first line, text)`` of runs of about ``size`` records, each cut right after an ER line
    that carries no TY (the one-piece reader is between records after it, whatever came before).

    A chunk is cut early at an ER line once it holds MAX_ENTRY characters, and a stretch without
    ER line longer than that is the error :func:`records` gives (ER lines written loosely are
    looked for only then), so no chunk breaks the rules and this process holds little. Finding
    the cuts needs only a search for ER lines and a count of newlines: the records are found,
    made plain and read in the workers.
    """
    buffer, line, at_eof = "", 1, False
    scanned, found = 0, 0  # where the search for ER lines goes on; ER lines found since the cut
    stretch = 0  # where the text since the last ER line starts
    while True:
        cut = None
        while (closing := find(END, "ER", buffer, scanned)) is not None:
            newline = buffer.find("\n", closing.end())
            if newline < 0:  # not whole yet, or the file's last line
                if at_eof and not _carries_ty(buffer, closing.start(), len(buffer)):
                    stretch = len(buffer)
                break
            scanned = newline
            if newline - closing.start() > 6 and _carries_ty(buffer, closing.start(), newline):
                continue
            found += 1
            stretch = newline + 1
            if found == size:
                cut = stretch
                break
        if cut is None and found and len(buffer) > MAX_ENTRY:
            cut = stretch
        if cut is None and len(buffer) - stretch > MAX_ENTRY:
            cut = _loose_er_end(buffer, stretch)
            if cut is None:
                raise stretch_error(file_name, line + buffer.count("\n", 0, stretch))
            stretch = cut
        if cut is not None:
            piece, buffer = buffer[:cut], buffer[cut:]
            yield line, piece
            line += piece.count("\n")
            scanned, found, stretch = 0, 0, stretch - cut
            continue
        if at_eof:
            if buffer:
                yield line, buffer
            return
        more = stream.read(READ)
        at_eof = not more
        scanned = max(scanned, buffer.rfind("\n"))
        buffer += more


def _carries_ty(buffer: str, start: int, end: int) -> bool:
    """Whether the ER line ``buffer[start:end]`` carries the next record's TY."""
    return end - start > 6 and _JOINED.match(buffer, start, end) is not None


_LOOSE_ER_LINE = re.compile(rf"^{JUNK}*[Ee][Rr] {{1,2}}-[^\n]*\n", re.M)


def _loose_er_end(buffer: str, stretch: int) -> int | None:
    """Where the last ER line written loosely (see :func:`plain_marks`) in ``buffer`` after
    ``stretch`` ends, or None: the rare file whose records all end that way."""
    last = None
    for match in _LOOSE_ER_LINE.finditer(buffer, stretch):
        plain = plain_marks(match.group(0))
        if END.match(plain) and not _carries_ty(plain, 0, len(plain) - 1):
            last = match.end()
    return last
