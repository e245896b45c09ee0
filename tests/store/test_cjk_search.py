"""Full-text search inside Chinese, Japanese and Korean text (migration 0004, storage.cjk).

FTS5's unicode61 tokenizer makes a whole CJK run one token, so a word inside a Chinese phrase
was never found. Records with CJK text are indexed by trigrams as well; Latin search is as it
was.
"""

from __future__ import annotations

import csv
import random
import re
import sqlite3
from pathlib import Path

import pytest

from screener.project import Project
from screener.storage import cjk
from screener.storage import db as dbmod

CHINESE = [
    (
        "低剂量白细胞介素-2治疗皮肌炎的疗效",
        "探讨低剂量白细胞介素-2（IL-2）治疗难治性皮肌炎的临床疗效。",
    ),
    ("多发性肌炎患者的生活质量调查", "对多发性肌炎患者进行问卷调查。"),
    ("Low-dose interleukin-2 in refractory dermatomyositis", "A trial of IL-2 in adults."),
    ("日本語の症例報告：皮膚筋炎", "한국어 초록: 피부근염 환자 연구"),
    ("Regulatory T cells in myositis", "Tregs and interleukin signalling 皮肌炎 in passing."),
]


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        writer.writerows([title, abstract, "2021"] for title, abstract in rows)
    return path


def new_review(path: Path, rows: list[tuple[str, str]]) -> Project:
    project = Project.create(path, title="IL-2 in myositis", reviewers=["alice"])
    project.import_file(write_csv(path.with_suffix(".csv"), rows), fmt="csv", source="Test DB")
    return project


def titles(project: Project, ids: list[int]) -> list[str]:
    return [project.record(i).title for i in ids]


def indexed(project: Project) -> set[int]:
    return {r[0] for r in project.db.execute(f"SELECT rowid FROM {cjk.TABLE}")}


def test_chinese_is_found_inside_a_phrase(tmp_path: Path) -> None:
    with new_review(tmp_path / "r.db", CHINESE) as project:
        search = project.search_records
        assert titles(project, search("白细胞介素")) == [CHINESE[0][0]]
        assert set(titles(project, search("皮肌炎"))) == {CHINESE[0][0], CHINESE[4][0]}
        assert titles(project, search("低剂量")) == [CHINESE[0][0]]
        assert set(titles(project, search("肌炎"))) == {CHINESE[0][0], CHINESE[1][0], CHINESE[4][0]}
        assert titles(project, search("难治性 IL-2")) == [CHINESE[0][0]]  # words are ANDed
        assert titles(project, search("皮膚筋炎")) == [CHINESE[3][0]]  # Japanese
        assert titles(project, search("근염")) == [CHINESE[3][0]]  # Korean
        assert search("皮肌炎 nothing") == [] and search("肌炎患者 Tregs") == []


def test_latin_search_is_unchanged(tmp_path: Path) -> None:
    with new_review(tmp_path / "r.db", CHINESE) as project:
        search = project.search_records
        assert set(titles(project, search("interleuk"))) == {CHINESE[2][0], CHINESE[4][0]}
        assert titles(project, search("dermatomyositis")) == [CHINESE[2][0]]
        assert search("nothing-like-this") == [] and search('"; DROP TABLE record; --') == []
        # only the records with CJK text are in the trigram index
        assert titles(project, sorted(indexed(project))) == [CHINESE[i][0] for i in (0, 1, 3, 4)]


def test_a_hundred_records_imported_and_searched(tmp_path: Path) -> None:
    rng = random.Random(4)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    rows = []
    for i in range(100):
        if i % 4 == 3:
            rows.append((f"Latin record {i}", f"abstract {i} without any CJK"))
        else:
            words = ["".join(rng.choices(han, k=rng.randint(2, 6))) for _ in range(8)]
            rows.append((f"记录{i} " + "".join(words[:3]), "".join(words[3:]) + f" ({i})"))
    with new_review(tmp_path / "r.db", rows) as project:
        assert len(indexed(project)) == 75
        texts = {
            rid: project.record(rid).title + "\n" + project.record(rid).abstract
            for rid in project.screened_record_ids()
        }
        checked = 0
        for title, abstract in rows[:12]:
            for query in (title[-4:], abstract[2:5], abstract[5:7], title[-1]):  # 1 to 4 characters
                if re.search(r"\W", query) or not cjk.has_cjk(query):
                    continue
                expected = sorted(rid for rid, text in texts.items() if query in text)
                assert expected and sorted(project.search_records(query)) == expected, query
                checked += 1
        assert checked >= 30


def test_the_import_path_and_the_triggers_index_the_same_records(tmp_path: Path) -> None:
    # Bulk imports index in Python (has_cjk); migration 0004's triggers and backfill test the
    # same thing in SQL. Rebuilding the index from the migration must give the same rows.
    edges = [chr(c) for a, b in cjk.CJK_RANGES for c in (a - 1, a, b, b + 1)]
    rows = [(f"edge {e} here", "plain") for e in edges] + [("plain", f"x{e}") for e in edges]
    rows += [("ascii only", "none"), ("café naïve — “quotes”", "Ωmega"), *CHINESE]
    with new_review(tmp_path / "r.db", rows) as project:
        by_import = indexed(project)
        ids = project.screened_record_ids()
        expected = {rid for rid, (t, a) in zip(ids, rows, strict=True) if cjk.has_cjk(t + a)}
        assert by_import == expected
        project.db.execute("DROP TRIGGER record_cjk_insert")  # an incomplete index ...
    with Project.open(tmp_path / "r.db") as project:  # ... is rebuilt by SQL
        assert indexed(project) == by_import


def test_edits_move_records_in_and_out_of_the_index(tmp_path: Path) -> None:
    with new_review(tmp_path / "r.db", CHINESE) as project:
        latin, chinese = project.screened_record_ids()[2], project.screened_record_ids()[1]
        project.db.execute("UPDATE record SET title = ? WHERE id = ?", ["新标题：红斑狼疮", latin])
        project.db.execute(
            "UPDATE record SET title = 'English now', abstract = '' WHERE id = ?", [chinese]
        )
        assert project.search_records("红斑狼疮") == [latin]
        assert project.search_records("多发性肌炎") == [] and chinese not in indexed(project)
        project.db.execute(
            f"INSERT INTO {cjk.TABLE} ({cjk.TABLE}, rank) VALUES ('integrity-check', 0)"
        )


def test_without_the_trigram_tokenizer_search_scans_and_the_index_comes_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.db"
    with monkeypatch.context() as m:  # an SQLite before 3.34
        m.setattr(cjk, "trigram_available", lambda conn: False)
        with new_review(path, CHINESE) as project:
            assert not cjk.index_exists(project.db)
            assert titles(project, project.search_records("白细胞介素")) == [CHINESE[0][0]]
            assert len(project.search_records("肌炎")) == 3
    with Project.open(path) as project:  # opened where SQLite has it: the index is built
        assert cjk.index_exists(project.db) and len(indexed(project)) == 4
        assert titles(project, project.search_records("白细胞介素")) == [CHINESE[0][0]]
    with monkeypatch.context() as m:  # and back on the old one: its triggers must go,
        m.setattr(cjk, "trigram_available", lambda conn: False)  # or every insert would fail
        with Project.open(path) as project:
            project.import_file(
                write_csv(tmp_path / "more.csv", [("系统性红斑狼疮", "")]),
                fmt="csv",
                source="Test DB",
            )
            assert len(project.search_records("红斑狼疮")) == 1
    with Project.open(path) as project:  # the record added meanwhile is indexed again
        assert len(indexed(project)) == 5 and len(project.search_records("红斑狼疮")) == 1


def test_migration_0004_indexes_the_records_a_review_already_has(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    new_review(path, CHINESE).close()
    conn = sqlite3.connect(path)  # the file as screener left it at schema 3
    for trigger in cjk.TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute(f"DROP TABLE {cjk.TABLE}")
    conn.execute("PRAGMA user_version = 3")
    # later migrations run again: a column one of them added cannot be added twice
    conn.execute("ALTER TABLE review DROP COLUMN uid")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert dbmod.schema_version(project.db) == dbmod.latest_version()
        assert len(indexed(project)) == 4
        assert titles(project, project.search_records("白细胞介素")) == [CHINESE[0][0]]


def test_the_sqlite_of_this_python_has_the_trigram_tokenizer() -> None:
    # the fallback is for users' Pythons; the test environment must exercise the index
    assert sqlite3.sqlite_version_info >= (3, 34)
    assert cjk.trigram_available(sqlite3.connect(":memory:"))
