"""Raw source entries of 6 KB or more are stored zlib-compressed and always read back as the
text."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from screener.project import Project
from screener.records import Record
from screener.sources import noteexpress, pubmed_xml
from screener.storage.rows import RAW_COMPRESS_BYTES, raw_text, record_values

DATA = Path(__file__).resolve().parents[1] / "data"
PUBMED_10KB = DATA / "pubmed" / "efetch_publisher_status_articleids.xml"  # one 10 KB PubmedArticle
BOOKS = DATA / "pubmed" / "efetch_book_article_set.xml"  # a 2.5 KB and a 330-byte entry
CNKI = DATA / "sources" / "cnki" / "cnki_noteexpress_CoverAllTest15Entries.net"


def _pubmed_raws(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as stream:
        return [e.record.raw for e in pubmed_xml.parse(stream, file_name=path.name) if e.record]


def _cnki_raws(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as stream:
        return [e.record.raw for e in noteexpress.parse(stream, file_name=path.name) if e.record]


def _stored(project: Project, record_id: int) -> tuple[str, int]:
    """SQLite's type of the stored raw value and its length in bytes."""
    return project.db.execute(
        "SELECT typeof(raw), length(CAST(raw AS BLOB)) FROM record WHERE id = ?", [record_id]
    ).fetchone()


def test_a_long_pubmed_entry_is_stored_compressed_and_reads_back_exactly(project: Project) -> None:
    [raw] = _pubmed_raws(PUBMED_10KB)
    assert len(raw.encode("utf-8")) > 10_000
    project.import_file(PUBMED_10KB, fmt="pubmed-xml", source="PubMed")
    kind, size = _stored(project, 1)
    assert kind == "blob"
    assert size < len(raw.encode("utf-8")) / 2
    assert project.record(1).raw == raw


def test_short_entries_stay_text(project: Project) -> None:
    raws = _pubmed_raws(BOOKS)
    assert [len(r) < RAW_COMPRESS_BYTES for r in raws] == [True, True]
    project.import_file(BOOKS, fmt="pubmed-xml", source="PubMed")
    assert [_stored(project, 1), _stored(project, 2)] == [
        ("text", len(r.encode("utf-8"))) for r in raws
    ]
    assert [project.record(1).raw, project.record(2).raw] == raws


def test_chinese_entries_read_back_exactly(project: Project, tmp_path: Path) -> None:
    # The CNKI fixture as exported (entries under 6 KB, kept as TEXT), then a hand-made copy of its
    # first Chinese entry with the abstract repeated, long enough to be compressed.
    text = CNKI.read_text(encoding="utf-8")
    chinese = next(
        block for block in text.split("\n\n\n") if "{Title}: 基于灰色关联分析法" in block
    )
    abstract = next(line for line in chinese.splitlines() if line.startswith("{Abstract}: "))
    long_entry = chinese.replace(abstract, abstract + abstract.removeprefix("{Abstract}: ") * 40)
    handmade = tmp_path / "cnki_long_abstract.net"
    handmade.write_text(long_entry + "\n", encoding="utf-8")

    expected = _cnki_raws(CNKI)
    project.import_file(CNKI, fmt="noteexpress", source="CNKI")
    [long_raw] = _cnki_raws(handmade)
    assert len(long_raw) >= RAW_COMPRESS_BYTES and "铁路物流" in long_raw
    project.import_file(handmade, fmt="noteexpress", source="CNKI")

    n = len(expected)
    assert [project.record(i).raw for i in range(1, n + 1)] == expected
    assert {_stored(project, i)[0] for i in range(1, n + 1)} == {"text"}
    assert _stored(project, n + 1)[0] == "blob"
    assert project.record(n + 1).raw == long_raw


def test_export_gives_the_text(project: Project) -> None:
    raws = _pubmed_raws(PUBMED_10KB) + _pubmed_raws(BOOKS)
    project.import_file(PUBMED_10KB, fmt="pubmed-xml", source="PubMed")
    project.import_file(BOOKS, fmt="pubmed-xml", source="PubMed")
    rows = project.export_records(unblind=True)
    assert [row.record.raw for row in rows] == raws
    assert all(isinstance(row.record.raw, str) for row in rows)


def test_the_threshold_is_counted_in_characters() -> None:
    def stored(raw: str) -> str | bytes:
        return record_values(Record(raw=raw))[-1]

    assert stored("x" * (RAW_COMPRESS_BYTES - 1)) == "x" * (RAW_COMPRESS_BYTES - 1)
    assert isinstance(stored("x" * RAW_COMPRESS_BYTES), bytes)
    # 3,000 Chinese characters are 9,000 UTF-8 bytes, but fewer characters than the threshold
    assert isinstance(stored("铁" * 3000), str)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), st.integers(1, 8000))
def test_any_text_reads_back_through_sqlite(piece: str, times: int) -> None:
    raw = piece * times
    value = record_values(Record(raw=raw))[-1]
    assert isinstance(value, bytes) == (len(raw) >= RAW_COMPRESS_BYTES)
    assert raw_text(value) == raw
    # declared as in db/0001_initial.sql: SQLite keeps the bytes as a BLOB in a TEXT column
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE TABLE record (raw TEXT NOT NULL DEFAULT '')")
        conn.execute("INSERT INTO record (raw) VALUES (?)", [value])
        kind, stored = conn.execute("SELECT typeof(raw), raw FROM record").fetchone()
    assert kind == ("blob" if isinstance(value, bytes) else "text")
    assert raw_text(stored) == raw
