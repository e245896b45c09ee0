"""Saved analyses: what is stored (settings, results, data, who, when), that it equals what
``screener meta`` says on the same table, and the rules for choosing an outcome's rows."""

from __future__ import annotations

import json
import math
from datetime import datetime

import pytest
from click.testing import CliRunner

from screener.cli.meta import meta_command
from screener.errors import ScreenerError
from screener.extraction.values import ValueEntry
from screener.pooling.effects import cmi
from screener.project import Project

CDASI = "CDASI activity"


def test_a_saved_analysis_round_trips(bcg):
    saved = bcg.pool(
        "Tuberculosis", measure="RR", by="alloc", egger="rma", trimfill=True, reviewer="alice"
    )
    assert saved.name == "Tuberculosis: RR, REML, by alloc"
    assert (saved.outcome, saved.reviewer) == ("Tuberculosis", "alice")
    assert datetime.fromisoformat(saved.created_at)
    (listed,) = bcg.analyses()
    again = bcg.analysis(saved.id)
    for other in (listed, again):
        assert (other.id, other.name, other.outcome, other.reviewer, other.created_at) == (
            saved.id,
            saved.name,
            saved.outcome,
            saved.reviewer,
            saved.created_at,
        )
        assert other.settings == saved.settings and other.results == saved.results
    s = saved.settings
    assert {
        k: s[k]
        for k in (
            "outcome",
            "data_type",
            "measure",
            "method",
            "test",
            "by",
            "egger",
            "trimfill",
            "level",
        )
    } == {
        "outcome": "Tuberculosis",
        "data_type": "dichotomous",
        "measure": "RR",
        "method": "REML",
        "test": "z",
        "by": "alloc",
        "egger": "rma",
        "trimfill": True,
        "level": 95,
    }
    # the per-study input data, as extracted (events and totals of each arm)
    columns, rows = bcg.export_extraction(outcome="Tuberculosis")
    assert [d["study"] for d in s["data"]] == [r["study"] for r in rows]
    for d, r in zip(s["data"], rows, strict=True):
        assert {k: str(d[k]) for k in ("ai", "bi", "ci", "di", "n1i", "n2i", "alloc")} == {
            k: r[k] for k in ("ai", "bi", "ci", "di", "n1i", "n2i", "alloc")
        }
    # straight from the table in the file, not from the façade's cache of anything
    raw = bcg.db.execute("SELECT settings_json, results_json, reviewer_id FROM analysis").fetchone()
    assert json.loads(raw[1]) == saved.results and json.loads(raw[0]) == saved.settings
    assert raw[2] is not None


def test_results_are_what_screener_meta_says_on_the_exported_table(bcg, tmp_path):
    columns, rows = bcg.export_extraction(outcome="Tuberculosis")
    csv_path = tmp_path / "tb.csv"
    keep = ["study", "ai", "bi", "ci", "di", "alloc"]
    csv_path.write_text(
        "\n".join([",".join(keep), *(",".join(r[k] for k in keep) for r in rows)]) + "\n",
        encoding="utf-8",
    )
    args = [
        "--measure",
        "RR",
        "--method",
        "DL",
        "--test",
        "knha",
        "--by",
        "alloc",
        "--egger",
        "lm",
        "--trimfill",
    ]
    result = CliRunner().invoke(meta_command, [str(csv_path), *args, "--json"])
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)
    saved = bcg.pool(
        "Tuberculosis",
        measure="RR",
        method="DL",
        test="knha",
        by="alloc",
        egger="lm",
        trimfill=True,
    )
    # the demo review has no records: none of its 13 studies is among PRISMA's studies
    # included, and the saved results say so beside meta's keys
    assert saved.results["studies_not_included"] == [r["study"] for r in rows]
    ours = {k: v for k, v in saved.results.items() if k not in ("studies", "studies_not_included")}
    # both carry the per-study weights; the review's studies also name their subgroup
    studies = meta.pop("studies")
    assert {k: v for k, v in saved.results["studies"].items() if k != "subgroup"} == studies
    assert set(ours) == set(meta)
    for key, value in meta.items():
        if isinstance(value, float):
            assert math.isclose(ours[key], value, rel_tol=1e-12), key
        elif key != "subgroups":
            assert ours[key] == value, key
    assert set(ours["subgroups"]) == set(meta["subgroups"])


def test_default_name_custom_name_and_no_reviewer(bcg):
    first = bcg.pool("Tuberculosis", measure="OR", method="DL", test="knha")
    assert first.name == "Tuberculosis: OR, DL, knha" and first.reviewer is None
    second = bcg.pool("Tuberculosis", measure="RD", name="  Risk   difference ", reviewer="bob")
    assert second.name == "Risk difference" and second.reviewer == "bob"
    assert [a.id for a in bcg.analyses()] == [first.id, second.id]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"measure": "SMD"}, "does not fit outcome 'Tuberculosis' (dichotomous data)"),
        ({}, "give --measure"),
        ({"measure": "RR", "method": "XX"}, "unknown --method"),
        ({"measure": "RR", "by": "region"}, "--by region: no such column"),
        ({"measure": "RR", "timepoint": "12 weeks"}, "no results at timepoint '12 weeks'"),
        ({"measure": "SMD", "method": "MH"}, "does not fit"),
    ],
)
def test_bad_choices_raise_one_line_and_save_nothing(bcg, options, message):
    with pytest.raises(ScreenerError) as info:
        bcg.pool("Tuberculosis", **options)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert bcg.analyses() == []


def test_unknown_outcome(bcg):
    with pytest.raises(
        ScreenerError, match="no outcome named 'TB'; the review's outcomes: Tuberculosis"
    ):
        bcg.run_pool("TB", measure="RR")


# --- the IL-2 form: pre/post rows at timepoints and per dose, a generic outcome -------------------


def prepost(
    timepoint: str, subgroup: str, m_pre: float, sd_pre: float, m_post: float, n: int, r: float
):
    return [
        ValueEntry(f, str(v), CDASI, timepoint, subgroup)
        for f, v in (
            ("m_pre", m_pre),
            ("sd_pre", sd_pre),
            ("m_post", m_post),
            ("sd_post", 5.0),
            ("n", n),
            ("r", r),
        )
    ]


# hand-made numbers (not from any study): three studies at three timepoints; Lee reports by dose
# at 12 weeks, Zhang and Lee report by dose at 4 weeks
IL2_ROWS = {
    "Zhang 2021": [
        *prepost("12 weeks", "", 20.5, 6.1, 11.25, 12, 0.6),
        *prepost("24 weeks", "", 20.5, 6.1, 9.0, 11, 0.5),
        *prepost("4 weeks", "0.5 MIU", 20.0, 6.0, 18.0, 6, 0.6),
        *prepost("4 weeks", "1 MIU", 21.0, 6.2, 16.0, 6, 0.6),
    ],
    "Lee 2022": [
        *prepost("12 weeks", "0.5 MIU", 18.0, 5.0, 14.0, 8, 0.7),
        *prepost("12 weeks", "1 MIU", 19.0, 5.5, 12.0, 9, 0.7),
        *prepost("4 weeks", "0.5 MIU", 18.0, 5.0, 17.0, 8, 0.7),
        *prepost("4 weeks", "1 MIU", 19.0, 5.5, 15.5, 9, 0.7),
    ],
    "Ruiz 2023": [*prepost("12 weeks", "", 25.0, 8.0, 17.5, 15, 0.4)],
}


@pytest.fixture
def il2(tmp_path):
    with Project.create(
        tmp_path / "il2.db",
        title="Low-dose IL-2 in myositis",
        reviewers=("alice", "bob", ("carol", "arbiter"), "lead"),
    ) as project:
        project.load_form(builtin="il2_myositis")
        for study, entries in IL2_ROWS.items():
            project.create_study(study)
            project.save_extraction(study, "alice", entries)
        yield project


def test_prepost_rows_pool_as_smcr_with_the_baseline_sd(il2):
    with pytest.raises(
        ScreenerError, match="3 timepoints .*'12 weeks', '24 weeks', '4 weeks'.*--timepoint"
    ):
        il2.run_pool(CDASI, measure="SMCR")
    saved = il2.pool(CDASI, measure="SMCR", method="FE", timepoint="12 weeks")
    studies = saved.results["studies"]
    assert studies["label"] == ["Zhang 2021", "Lee 2022 (0.5 MIU)", "Lee 2022 (1 MIU)", "Ruiz 2023"]
    # metafor's SMCR: (after - before) / SD before, times J(n - 1); vi = 2(1 - r)/n + yi^2/(2n)
    for label, yi, vi in zip(studies["label"], studies["yi"], studies["vi"], strict=True):
        study, _, dose = label.partition(" (")
        values = {
            e.field: float(e.value)
            for e in IL2_ROWS[study]
            if e.timepoint == "12 weeks" and e.subgroup == dose.rstrip(")")
        }
        n = values["n"]
        expected = (values["m_post"] - values["m_pre"]) / values["sd_pre"] * float(cmi(n - 1))
        assert math.isclose(yi, expected, rel_tol=1e-12), label
        assert math.isclose(vi, 2 * (1 - values["r"]) / n + expected**2 / (2 * n), rel_tol=1e-12), (
            label
        )
    assert saved.settings["timepoint"] == "12 weeks" and saved.name.endswith("12 weeks")


def test_by_the_extraction_subgroup_column(il2):
    # at 12 weeks only Lee reports by dose, so the dose cannot split all the studies
    with pytest.raises(ScreenerError, match="--by subgroup: some studies have no value"):
        il2.run_pool(CDASI, measure="SMCR", timepoint="12 weeks", by="subgroup")
    assert "subgroup" not in il2.pooling_table(CDASI, timepoint="12 weeks").by_columns
    # at 4 weeks every row is one dose of one study
    table = il2.pooling_table(CDASI, timepoint="4 weeks")
    assert table.measures[0] == "SMCR" and "subgroup" in table.by_columns
    saved = il2.pool(CDASI, measure="SMCR", timepoint="4 weeks", by="subgroup", method="FE")
    groups = saved.results["subgroups"]
    assert list(groups) == ["0.5 MIU", "1 MIU"] and [g["k"] for g in groups.values()] == [2, 2]
    assert saved.results["studies"]["subgroup"] == ["0.5 MIU", "1 MIU", "0.5 MIU", "1 MIU"]
    assert [row["subgroup"] for row in saved.settings["data"]] == [
        "0.5 MIU",
        "1 MIU",
        "0.5 MIU",
        "1 MIU",
    ]


def test_a_whole_study_row_and_subgroup_rows_are_not_both_pooled(il2):
    il2.save_extraction("Lee 2022", "alice", prepost("12 weeks", "", 18.5, 5.2, 13.0, 17, 0.7))
    with pytest.raises(ScreenerError, match="'Lee 2022' has a whole-study row and subgroup rows"):
        il2.run_pool(CDASI, measure="SMCR", timepoint="12 weeks")


def test_unresolved_values_block_only_their_own_outcome(il2):
    il2.save_extraction("Ruiz 2023", "bob", prepost("12 weeks", "", 25.0, 8.5, 17.5, 15, 0.4))
    with pytest.raises(
        ScreenerError, match="differ between extractors and are not resolved .*sd_pre"
    ):
        il2.run_pool(CDASI, measure="SMCR", timepoint="12 weeks")
    il2.save_extraction(
        "Zhang 2021",
        "alice",
        [ValueEntry("events", "2", "Adverse events"), ValueEntry("n", "12", "Adverse events")],
    )
    il2.save_extraction(
        "Ruiz 2023",
        "alice",
        [ValueEntry("events", "4", "Adverse events"), ValueEntry("n", "15", "Adverse events")],
    )
    other = il2.run_pool("Adverse events", measure="PLO", method="FE")
    assert other.analysis.result.k == 2
    # once agreed, the disputed outcome pools with the agreed SD
    from screener.extraction.values import ValueKey

    il2.resolve_extraction(ValueKey("Ruiz 2023", CDASI, "12 weeks", "", "sd_pre"), "8.5", by="lead")
    pooled = il2.run_pool(CDASI, measure="SMCR", method="FE", timepoint="12 weeks")
    ruiz = pooled.analysis.result.labels.index("Ruiz 2023")
    assert math.isclose(
        pooled.analysis.result.yi[ruiz], (17.5 - 25.0) / 8.5 * float(cmi(14)), rel_tol=1e-12
    )


def test_generic_outcome_uses_its_own_measure(il2):
    generic = "CDASI change (effect as reported)"
    for study, (est, lo, hi) in {
        "Zhang 2021": (-1.1, -1.9, -0.3),
        "Ruiz 2023": (-0.8, -1.4, -0.2),
        "Lee 2022": (-0.5, -1.3, 0.3),
    }.items():
        il2.save_extraction(
            study,
            "alice",
            [
                ValueEntry(f, str(v), generic)
                for f, v in (("measure", "SMD"), ("estimate", est), ("ci_lb", lo), ("ci_ub", hi))
            ],
        )
    table = il2.pooling_table(generic)
    assert table.measures == ("SMD", "GEN")
    pooled = il2.run_pool(generic, method="FE")
    assert pooled.analysis.result.measure == "SMD"
    se = (0.3 - -1.3) / (2 * 1.959963984540054)
    lee = pooled.analysis.result.labels.index("Lee 2022")
    assert math.isclose(pooled.analysis.result.vi[lee], se**2, rel_tol=1e-9)
    assert [round(y, 12) for y in pooled.analysis.result.yi] == [-1.1, -0.5, -0.8]  # study order
    with pytest.raises(ScreenerError, match="--measure OR does not fit .*use SMD, GEN"):
        il2.run_pool(generic, measure="OR")


def test_an_outcome_without_data(il2):
    with pytest.raises(
        ScreenerError, match="outcome 'Adverse events' has no extracted data to pool yet"
    ):
        il2.run_pool("Adverse events", measure="PLO")


def test_rows_without_data_are_left_out_and_named(il2):
    il2.save_extraction(
        "Ruiz 2023", "alice", [ValueEntry("source", "Table 2", CDASI, "24 weeks", "")]
    )
    saved = il2.pool(CDASI, measure="SMCR", method="FE", timepoint="24 weeks")
    assert saved.results["k"] == 1 and saved.results["studies"]["label"] == ["Zhang 2021"]
    assert saved.results["studies_without_data"] == ["Ruiz 2023"]
