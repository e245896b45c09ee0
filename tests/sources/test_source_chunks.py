"""Reading a big export in chunks, in worker processes, gives exactly what reading it in one
piece gives: the same entries, the same errors at the same places, the same stored rows; and a
failed, interrupted or killed chunked import leaves the review as it was, with no worker left
behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_support import DATA, counts

from screener import sources
from screener.errors import InvalidInputError, ParseError, ScreenerError
from screener.flows import parallel
from screener.project import Project
from screener.sources import Chunk
from screener.sources.decode import open_text

CHUNKED_FORMATS = ("ris", "pubmed-xml")


def _files_of(fmt: str) -> list[Path]:
    found = []
    for path in sorted((DATA.parent).rglob("*")):
        if not path.is_file() or path.suffix in (".md", ".db", ".json", ".toml"):
            continue
        try:
            stream, _ = open_text(path)
            with stream:
                head = stream.read(64 * 1024)
        except (ScreenerError, UnicodeDecodeError):
            continue
        try:
            if sources.detect_format(head, path.name).NAME == fmt:
                found.append(path)
        except ScreenerError:
            continue
    return found


FILES = [(fmt, path) for fmt in CHUNKED_FORMATS for path in _files_of(fmt)]


# The part of a message in brackets quotes the XML library (libxml2), whose wording and
# columns change between versions (lxml 6 names another line and column for the same fault).
_LIBRARY_WORDS = re.compile(r"\s*\(.*\)")


def _meaning(error: ScreenerError) -> tuple:
    """What an error says that must not depend on how the file was read: its class, and for a
    ParseError the file, the place, and the problem in our words (the library's left out)."""
    if isinstance(error, ParseError):
        return (
            type(error).__name__,
            error.file_name,
            error.location,
            _LIBRARY_WORDS.sub("", error.problem),
        )
    return type(error).__name__, str(error)


def _outcome(entries) -> tuple[list[tuple], tuple | None]:
    """(position, line, record or error meaning) of each entry, and the error that ended the
    read."""
    seen = []
    try:
        for entry in entries:
            seen.append(
                (
                    entry.position,
                    entry.line,
                    entry.record if entry.error is None else _meaning(entry.error),
                )
            )
    except ParseError as exc:
        return seen, _meaning(exc)
    return seen, None


def _one_piece(path: Path, fmt: str) -> tuple[list[tuple], tuple | None]:
    stream, _ = open_text(path)
    with stream:
        return _outcome(sources.get_format(fmt).parse(stream, file_name=path.name))


def _chunked(
    path: Path, fmt: str, size: int
) -> tuple[tuple[list[tuple], tuple | None], list[Chunk] | None]:
    module = sources.get_format(fmt)
    stream, _ = open_text(path)
    with stream:
        pieces = module.chunks(stream, file_name=path.name, size=size)
        if pieces is None:
            return _outcome(module.parse(stream, file_name=path.name)), None
        pieces = list(pieces)

    def entries():
        read = 0
        for piece in pieces:
            before = read
            for entry in module.parse_chunk(piece, file_name=path.name):
                if not piece.first_position:  # uncounted: numbered on as the importer does
                    entry = sources.in_file(entry, before)
                read = entry.position
                yield entry

    return _outcome(entries()), pieces


def test_there_are_files_of_each_chunked_format() -> None:
    assert {fmt for fmt, _ in FILES} == set(CHUNKED_FORMATS)
    assert len(FILES) >= 10


@pytest.mark.parametrize("size", [1, 2, 5])
@pytest.mark.parametrize(("fmt", "path"), FILES, ids=[f"{f}-{p.name}" for f, p in FILES])
def test_chunks_read_as_the_whole_file_reads(fmt: str, path: Path, size: int) -> None:
    whole = _one_piece(path, fmt)
    chunked, pieces = _chunked(path, fmt, size)
    assert chunked == whole
    if pieces is not None:
        entries = len(whole[0])
        assert len(pieces) >= entries // size  # really cut, not one piece
        assert [p.first_position for p in pieces][:1] in ([1], [0], [])


def test_pubmed_files_with_an_internal_subset_or_no_root_are_read_in_one_piece(
    tmp_path: Path,
) -> None:
    module = sources.get_format("pubmed-xml")
    odd = tmp_path / "odd.xml"
    odd.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x "y">]>\n'
        "<PubmedArticleSet></PubmedArticleSet>\n",
        encoding="utf-8",
    )
    html = tmp_path / "page.xml"
    html.write_text(
        "<html><body>Service unavailable <PubmedArticleSet></body></html>", encoding="utf-8"
    )
    for path in (odd, html):
        stream, _ = open_text(path)
        with stream:
            assert module.chunks(stream, file_name=path.name, size=2) is None
            assert stream.read(5) == path.read_text(encoding="utf-8")[:5]  # left at its start


# --- mangled files: cut short, bytes inserted ------------------------------------------------
SAMPLES = [
    DATA / "embase" / "embase_com.ris",
    DATA / "ris" / "rispy_full.ris",
    DATA.parent / "pubmed" / "efetch_2_articles.xml",
    DATA.parent / "pubmed" / "efetch_structured_abstract.xml",
    DATA.parent / "pubmed" / "efetch_mixed_article_and_book.xml",
]


@st.composite
def mangled(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(SAMPLES))
    data = path.read_bytes()
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(
                st.sampled_from(
                    [
                        b"<",
                        b"</PubmedArticle>",
                        b"\nER  - \n",
                        b"\nTY  - JOUR\n",
                        b"&bogus;",
                        b"<ERROR>down</ERROR>",
                        b"\xff",
                        b"x",
                    ]
                )
            )
            + data[at:]
        )
    return path, data


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(sample=mangled(), size=st.integers(1, 3))
def test_mangled_files_read_the_same_in_chunks(
    tmp_path: Path, sample: tuple[Path, bytes], size: int
) -> None:
    original, data = sample
    path = tmp_path / original.name
    path.write_bytes(data)
    fmt = "ris" if original.suffix == ".ris" else "pubmed-xml"
    try:
        whole = _one_piece(path, fmt)
    except ScreenerError as exc:  # undecodable: the import refuses it before reading
        with pytest.raises(ScreenerError) as again:
            _chunked(path, fmt, size)
        assert _meaning(again.value) == _meaning(exc)
        return
    assert _chunked(path, fmt, size)[0] == whole


# --- imports through worker processes -----------------------------------------------------------
def _rows(project: Project) -> list[tuple]:
    return project.db.execute(
        "SELECT position, title, abstract, authors_json, year, journal, doi, pmid, raw, "
        "extra_json, mesh_json"
        " FROM record ORDER BY id"
    ).fetchall()


@pytest.mark.parametrize(
    "path",
    [
        DATA / "embase" / "embase_com.ris",
        DATA.parent / "pubmed" / "efetch_mixed_article_and_book.xml",
        DATA.parent / "pubmed" / "efetch_structured_abstract.xml",
    ],
)
def test_an_import_by_worker_processes_stores_what_a_one_piece_import_stores(
    tmp_path: Path, path: Path
) -> None:
    with (
        Project.create(tmp_path / "one.db", title="one") as one,
        Project.create(tmp_path / "many.db", title="many") as many,
    ):
        single = one.import_file(path, workers=0)
        chunked = many.import_file(path, workers=2, chunk_size=1)
        assert (chunked.count_in_file, chunked.count_imported) == (
            single.count_in_file,
            single.count_imported,
        )
        assert _rows(many) == _rows(one)
        assert many.search_records(_rows(one)[0][1].split()[0]) == one.search_records(
            _rows(one)[0][1].split()[0]
        )


def test_a_file_cut_short_is_refused_with_its_line_and_nothing_kept(
    project: Project, tmp_path: Path
) -> None:
    data = (DATA.parent / "pubmed" / "efetch_structured_abstract.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    project.import_file(DATA / "embase" / "embase_com.ris")
    before = counts(project.db)
    with pytest.raises(ParseError) as serial:
        project.import_file(cut, workers=0)
    with pytest.raises(ParseError) as chunked:
        project.import_file(cut, workers=2, chunk_size=1)
    assert _meaning(chunked.value) == _meaning(serial.value)
    assert chunked.value.file_name == "cut.xml" and chunked.value.location.startswith("line ")
    assert counts(project.db) == before


def test_skip_bad_works_across_chunks(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "mixed.ris"
    good = "TY  - JOUR\nTI  - Record {}\nPY  - 2020\nER  - \n\n"
    path.write_text(
        "".join(good.format(i) for i in range(5)) + "TY  - JOUR\nTI  - Open at the end\n",
        encoding="utf-8",
    )
    result = project.import_file(path, workers=2, chunk_size=2, skip_bad=True, source="Embase")
    assert (result.count_in_file, result.count_imported) == (6, 5)
    assert result.skipped == (
        "mixed.ris, record 6 (line 26): expected 'ER  -' to close the record that "
        "starts here; the file may be cut short",
    )


def test_a_failure_inside_a_worker_is_a_clear_error() -> None:
    chunk = Chunk(0, 1, "TY  - JOUR\nER  - \n")
    with pytest.raises(
        ScreenerError, match="reading the file failed in a worker process: .*no-such-format"
    ):
        list(parallel._in_workers("no-such-format", iter([chunk]), file_name="x.ris", workers=1))


def test_worker_count_follows_the_setting_and_the_file_size() -> None:
    cores = parallel._cores()
    assert parallel.worker_count(10, environ={parallel.WORKERS_ENV: "3"}) == min(3, cores)
    assert (
        parallel.worker_count(10, environ={parallel.WORKERS_ENV: "999"}) == cores
    )  # never more than the cores
    assert parallel.worker_count(10 << 30, environ={parallel.WORKERS_ENV: "0"}) == 0
    assert parallel.worker_count(1 << 10, environ={}) == 0
    for setting in ("many", "-1", "2.5"):
        with pytest.raises(InvalidInputError, match=parallel.WORKERS_ENV):
            parallel.worker_count(1, environ={parallel.WORKERS_ENV: setting})


_KILL_CHILD = """
import sys
from screener.flows.importing import import_file
from screener.storage.db import open_review

def report(done, total):
    print(done, flush=True)
    sys.stdin.readline()  # wait here until the parent kills us

import_file(open_review(sys.argv[1]), sys.argv[2], source="Embase", progress=report, workers=2,
            chunk_size=100)
"""


def _workers_marked(mark: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(
    not Path("/proc/self/environ").exists(), reason="needs Linux /proc to find the workers"
)
def test_a_killed_chunked_import_keeps_nothing_and_leaves_no_worker(
    project: Project, tmp_path: Path
) -> None:
    before = counts(project.db)
    big = tmp_path / "big.ris"
    big.write_text(
        "".join(f"TY  - JOUR\nTI  - Record {i}\nPY  - 2020\nER  - \n\n" for i in range(3_000)),
        encoding="utf-8",
    )
    mark = f"SCREENER_TEST_MARK={uuid.uuid4().hex}"
    environ = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(project.path), str(big)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environ,
    )
    assert child.stdout.readline().strip() == "500"  # mid-import, workers running
    assert len(_workers_marked(mark)) == 3  # the importer and its two workers
    child.kill()
    child.wait()
    deadline = time.monotonic() + 10
    while _workers_marked(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _workers_marked(mark) == []
    assert counts(project.db) == before


# --- RIS cut at ER lines: every arrangement of records, stray lines and open records ----------
_RIS_PIECES = [
    "TY  - JOUR\nTI  - A whole record\nAU  - Smith, J\nPY  - 2020\nER  - \n",
    "TY  - JOUR\nTI  - Without its ER line\nPY  - 2019\n\n",
    "TY  - JOUR\nTI  - A title\n  going on\nAB  - Text\nER  -\n",
    "ER  - \n",  # stray, between records
    "1. \n",  # Ovid's numbered line
    "\n",
    "Some note between records\n",
    "TY  - JOUR\n",  # a TY with nothing after it
    "KW  - stray tag\n",
]


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    parts=st.lists(st.sampled_from(_RIS_PIECES), max_size=14),
    size=st.integers(1, 4),
    open_end=st.booleans(),
)
def test_ris_cut_at_er_lines_reads_as_the_whole_file(
    tmp_path: Path, parts: list[str], size: int, open_end: bool
) -> None:
    path = tmp_path / "arranged.ris"
    path.write_text(
        "".join(parts) + ("TY  - JOUR\nTI  - Open at the end\n" if open_end else ""),
        encoding="utf-8",
    )
    assert _chunked(path, "ris", size)[0] == _one_piece(path, "ris")
