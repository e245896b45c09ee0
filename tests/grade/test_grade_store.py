"""GRADE in a review file: migration 0006, judgements and settings as a history (the latest
counts, nothing overwritten), who may judge, and what the flow reads from the review (risk of
bias, design, Egger on the BCG trials)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from grade_support import REFERENCE, save_constructed

from screener.errors import ScreenerError
from screener.flows.grade import grade_tables
from screener.project import Project
from screener.storage.db import latest_version, transaction

TWO = (("Alpha 2019", 70.0), ("Beta 2020", 30.0))


def rows(project: Project, table: str) -> list[tuple]:
    return project.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def test_migration_0006_adds_the_grade_tables(review):
    assert latest_version() >= 6
    tables = {
        r[0] for r in review.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"grade_judgement", "grade_setting"} <= tables


def test_a_changed_judgement_is_appended_and_the_latest_counts(review):
    aid = save_constructed(review, studies=TWO)
    review.judge_grade(aid, "indirectness", "serious", reason="adults only", reviewer="alice")
    first = rows(review, "grade_judgement")
    review.judge_grade(
        aid, "indirectness", "not serious", reason="population matches", reviewer="carol"
    )
    history = rows(review, "grade_judgement")
    assert len(history) == 2 and history[0] == first[0]  # the first row is kept as it was
    (a,) = review.grade(aid)
    d = a.domain("indirectness")
    assert (d.level, d.reason, d.by) == ("not serious", "population matches", "carol")
    judgements, _ = review.grade_history(aid)
    assert [(j.level, j.reviewer) for j in judgements] == [
        ("serious", "alice"),
        ("not serious", "carol"),
    ]


def test_the_same_judgement_again_adds_nothing(review):
    aid = save_constructed(review, studies=TWO)
    for _ in range(2):
        review.judge_grade(aid, "imprecision", "serious", reason="wide CI", reviewer="alice")
    assert len(rows(review, "grade_judgement")) == 1


def test_a_screener_may_not_judge_and_nothing_is_stored(review):
    aid = save_constructed(review, studies=TWO)
    with pytest.raises(ScreenerError, match="only an arbiter or the lead"):
        review.judge_grade(aid, "imprecision", "serious", reason="wide", reviewer="bob")
    with pytest.raises(ScreenerError):
        review.judge_grade(aid, "imprecision", "serious", reason="wide", reviewer="mallory")
    with pytest.raises(ScreenerError):
        review.set_grade_mid(aid, 0.5, reviewer="bob")
    assert rows(review, "grade_judgement") == [] and rows(review, "grade_setting") == []


@pytest.mark.parametrize(
    ("domain", "level", "reason", "analysis"),
    [
        ("imprecision", "serious", "  ", None),
        ("bias", "serious", "why", None),
        ("imprecision", "moderate", "why", None),
        ("imprecision", "serious", "why", 99),
    ],
)
def test_bad_judgements_are_refused(review, domain, level, reason, analysis):
    aid = save_constructed(review, studies=TWO)
    with pytest.raises(ScreenerError):
        review.judge_grade(analysis or aid, domain, level, reason=reason, reviewer="alice")
    assert rows(review, "grade_judgement") == []


def test_the_database_refuses_a_level_outside_grades(review):
    aid = save_constructed(review, studies=TWO)
    with pytest.raises(sqlite3.IntegrityError), transaction(review.db):
        review.db.execute(
            "INSERT INTO grade_judgement (analysis_id, domain, level, reason,"
            " reviewer_id, made_at) VALUES (?, 'imprecision', 'moderate', 'x', 1, 't')",
            [aid],
        )


def test_a_stored_mid_is_used_and_a_given_one_is_not_stored(review):
    aid = save_constructed(review, studies=TWO, ci=(-0.8, -0.2), n_per_study=300)
    assert review.grade(aid)[0].domain("imprecision").level == "not serious"
    preview = review.grade(aid, mid=0.5)[0]
    assert preview.domain("imprecision").level == "serious" and preview.mid_source == "given here"
    assert rows(review, "grade_setting") == []
    review.set_grade_mid(aid, 0.5, reviewer="carol")
    (a,) = review.grade(aid)
    assert a.mid == 0.5 and a.mid_source == "set by carol"
    assert a.domain("imprecision").level == "serious"
    review.set_grade_mid(aid, None, reviewer="alice")  # cleared, still in the history
    assert review.grade(aid)[0].mid is None and len(rows(review, "grade_setting")) == 2


def test_without_a_recorded_design_randomised_is_assumed_and_said(review):
    aid = save_constructed(review, studies=TWO)
    (a,) = review.grade(aid)
    assert a.design == "randomised" and a.start == "high" and "assumed" in a.design_source


def test_the_design_comes_from_the_extraction_field(review, tmp_path):
    form = tmp_path / "form.toml"
    form.write_text(
        '[form]\nname = "f"\nversion = 1\n\n[[field]]\nkey = "design"\nlabel = "Design"\n',
        encoding="utf-8",
    )
    review.load_form(form)
    from screener.extraction.values import ValueEntry

    for name, _ in TWO:
        review.create_study(name)
        review.save_extraction(name, "alice", [ValueEntry("design", "prospective cohort")])
    aid = save_constructed(review, studies=TWO)
    (a,) = review.grade(aid)
    assert a.design == "observational" and a.start == "low" and "2 of 2" in a.design_source
    review.set_grade_design(aid, "rct", reviewer="alice")
    assert review.grade(aid)[0].start == "high"


def test_risk_of_bias_is_weighted_from_the_stored_judgements(review):
    for name, _ in TWO:
        review.create_study(name)
    all_low = {
        d: "low"
        for d in ("randomization", "deviations", "missing_data", "measurement", "reported_result")
    }
    review.save_rob(
        "Alpha 2019", "rob2", "alice", {**all_low, "deviations": "high"}, consensus=True
    )
    review.save_rob("Beta 2020", "rob2", "alice", all_low, consensus=True)
    aid = save_constructed(review, studies=TWO)  # Alpha carries 70% of the weight
    (a,) = review.grade(aid)
    assert a.domain("risk_of_bias").level == "very serious"
    assert "70% of the weight at high risk" in a.domain("risk_of_bias").reason
    assert a.design == "randomised" and "recorded" in a.design_source  # RoB 2: trials


def test_grade_tables_give_the_table_and_its_notes(review):
    assert grade_tables(review.db) == ()
    save_constructed(review, studies=TWO, name="first")
    save_constructed(review, studies=TWO, name="second")
    sof, notes = grade_tables(review.db)
    assert [r[1] for r in sof.rows] == ["first", "second"] and notes.rows
    assert review.grade_tables() == (sof, notes)


def test_deleting_an_analysis_takes_its_grade_history_with_it(review):
    aid = save_constructed(review, studies=TWO)
    review.judge_grade(aid, "imprecision", "serious", reason="wide", reviewer="alice")
    with transaction(review.db):
        review.db.execute("DELETE FROM analysis WHERE id = ?", [aid])
    assert rows(review, "grade_judgement") == []


# --- the BCG trials, pooled for real --------------------------------------------------------------


def test_bcg_heterogeneity_and_egger_as_metafor(bcg_path):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    with Project.open(bcg_path) as project:
        (a,) = project.grade()
    ev = a.evidence
    assert ev.k == 13 and ev.events is not None and ev.participants is not None
    # Egger was not run when pooling: run now (k >= 10), as metafor's regtest(model="rma")
    assert ev.egger_p == pytest.approx(reference["egger"]["rma_on_REML"]["pval"], rel=1e-6)
    assert (
        a.domain("publication_bias").level == "not serious"
        and a.domain("publication_bias").suggested.assessed
    )
    # I² 92% and a PI (0.15 to 1.55) crossing 1 while the CI does not
    assert a.domain("inconsistency").level == "serious"
    assert a.domain("imprecision").level == "not serious"
    assert a.domain("risk_of_bias").level == "serious"  # no RoB judged: 100% unclear
    assert a.certainty == "low" and a.effect.startswith("RR 0.49 (0.34 to 0.70)")
