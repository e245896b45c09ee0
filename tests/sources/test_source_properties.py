"""Property tests: mangled exports (cut short, random bytes inserted, wrong encoding, any text
under any format) give the project's error or a clean import, never another exception, and a
refused import leaves the review exactly as it was."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_support import DATA, HANDMADE, counts

from screener import sources
from screener.errors import ScreenerError
from screener.project import Project

# One small real sample per format (plus the hand-made ones for the Chinese databases).
SAMPLES = [
    DATA / "embase" / "embase_com.ris",
    DATA / "pubmed" / "medline_result2.txt",
    DATA / "wos" / "wos_jabref_isi.isi",
    DATA / "embase" / "embase_com.csv",
    DATA / "pubmed" / "pubmed_csv_export_chatbot.csv",
    DATA / "ovid" / "ovid_jabref_test3.txt",
    DATA / "endnote" / "EndnoteXmlImporterTestArticle2.xml",
    DATA / "endnote" / "ais_enl_refer.txt",
    DATA / "bibtex" / "wos_bibtex.bib",
    DATA / "cnki" / "cnki_noteexpress_Classic5Test.net",
    HANDMADE / "cochrane_central.txt",
    HANDMADE / "cnki_refworks.txt",
    HANDMADE / "cnki_estudy.txt",
    HANDMADE / "wos_tab_utf16.txt",
    HANDMADE / "scopus_export.csv",
    HANDMADE / "embase_vertical.csv",
    HANDMADE / "cbm_sinomed_noteexpress.net",
]
BYTES = {path: path.read_bytes() for path in SAMPLES}

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _reencode(data: bytes, encoding: str) -> bytes:
    for source in ("utf-8-sig", "utf-16", "gb18030", "cp1252"):
        try:
            text = data.decode(source)
        except UnicodeDecodeError:
            continue
        return text.encode(encoding, errors="replace")
    return data


@st.composite
def mangled(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(SAMPLES))
    data = BYTES[path]
    how = draw(st.sampled_from(["truncate", "insert", "reencode", "both"]))
    if how in ("truncate", "both"):
        data = data[: draw(st.integers(0, len(data)))]
    if how in ("insert", "both"):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=24)) + data[at:]
    if how == "reencode":
        data = _reencode(
            data, draw(st.sampled_from(["utf-16-be", "utf-16-le", "gb18030", "cp1252", "latin-1"]))
        )
    return path.name, data


def _import_or_refuse(project: Project, path: Path, **options: object) -> None:
    before = counts(project.db)
    try:
        result = project.import_file(path, **options)
    except ScreenerError:
        assert counts(project.db) == before
        return
    assert counts(project.db) == (before[0] + result.count_imported, before[1] + 1)
    assert result.count_imported == result.count_in_file - len(result.skipped) > 0


@PROPERTY_SETTINGS
@given(sample=mangled(), skip_bad=st.booleans())
def test_mangled_file_imports_cleanly_or_changes_nothing(
    sample: tuple[str, bytes], skip_bad: bool
) -> None:
    name, data = sample
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        with Project.create(Path(tmp) / "review.db", title="property") as project:
            project.import_file(DATA / "ris" / "rispy_full.ris", source="Test DB")  # to keep intact
            # a source given, so a file that names no database is still parsed, not refused
            _import_or_refuse(project, path, skip_bad=skip_bad, source="Test DB")
            assert (
                project.db.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'record_fts_insert'"
                ).fetchone()[0]
                == 1
            )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    fmt=st.sampled_from(sources.format_names()),
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
    | st.lists(
        st.sampled_from(
            [
                "TY  - JOUR",
                "ER  - ",
                "PT J",
                "ER",
                "%0 Book",
                "{Title}: x",
                "RT x",
                "Record #1 of 1",
                "TI: t",
                "<1>",
                "Title",
                "  x",
                "@article{a,",
                "}",
                "",
                "PMID- 1",
                "DataType: 1",
                "Title-题名: t",
                "<xml><records><record>",
                '"TITLE","t"',
                "title,doi",
                "PT\tTI\tAU\tSO\tPY",
            ]
        ),
        max_size=30,
    ).map("\n".join),
)
def test_any_text_under_any_format_gives_entries_or_the_projects_error(fmt: str, text: str) -> None:
    module = sources.get_format(fmt)
    try:
        for entry in module.parse(io.StringIO(text), file_name="x"):
            assert (entry.record is None) != (entry.error is None)
            assert entry.position >= 1
    except ScreenerError:
        pass
