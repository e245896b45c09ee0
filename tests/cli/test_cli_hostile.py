"""Every CLI verb on the hostile review: no raw control character reaches people.

Each verb (walked from the ``screener.cli.cli`` group, so a new verb fails here until it has
an entry in :data:`RUNS`) runs twice through ``main``: with stdout a pipe (capsys) and with
stdout a terminal. What people read (stderr, and stdout unless the run writes data) holds no C0/C1
control character but tab and newline; on a terminal stdout holds none at all, data or not.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import click
import pytest
from hostile import ESC_CLEAR, NOTE, OSC_TITLE, REASONS, build_hostile_review

from screener.cli import cli, main
from screener.demo_bcg import bcg_rows, study_name
from screener.extraction.values import ValueEntry
from screener.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from fake_eutils import FakeEutils

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
C1_CSI = "\x9b"
EVIL = f"{ESC_CLEAR}{OSC_TITLE}{C1_CSI}31m\r"
"""What the test puts in names it gives: CSI, OSC with BEL, a C1 CSI, a carriage return."""
SHOWN = "\\x1b[2J"
"""How ESC_CLEAR reads once escaped."""
STUDY = f"Hostile {EVIL} 2020"
TERM = "myositis[tiab] AND interleukin-2[tiab]"
TIMEPOINT = "1 year"


def command_paths() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                walk(command, (*prefix, name))
            else:
                found.append((*prefix, name))

    walk(cli, ())
    return found


@dataclass
class Env:
    """The hostile review and the files the verbs are given (names with escapes in them)."""

    root: Path
    review: Path
    records_csv: Path
    effects_csv: Path
    query: Path
    eutils: str
    serial: Iterator[int] = field(default_factory=count)

    def fresh(self, stem: str) -> str:
        return str(self.root / f"{stem} {EVIL} {next(self.serial)}")


def add_hostile_extras(project) -> None:
    """A conflict on the record whose title clears the screen; studies with hostile names (one
    with more events than participants, for `check`) on the BCG form, their risk of bias
    judged differently by the two reviewers."""
    record_id = project.screened_record_ids()[4]
    assert ESC_CLEAR in project.record(record_id).title
    project.record_decision(record_id, "title_abstract", "rev_b", "exclude", reason=REASONS[0])
    project.load_form(builtin="bcg")
    for n, row in enumerate(bcg_rows()[:5]):
        name = STUDY if n == 0 else f"{study_name(row)} {EVIL}"
        project.create_study(name, note=NOTE)
        e1, e2 = int(row["tpos"]), int(row["cpos"])
        counts = [(TIMEPOINT, e1, e1 + int(row["tneg"]), e2, e2 + int(row["cneg"]))]
        if n == 0:
            counts.append(("2 years", e1, e1 - 1, e2, e2 + 1))  # more events than participants
        entries = [ValueEntry(k, row[k]) for k in ("trial", "author", "year", "ablat", "alloc")]
        entries += [
            ValueEntry(f, str(v), "Tuberculosis", timepoint)
            for timepoint, *values in counts
            for f, v in zip(("events1", "total1", "events2", "total2"), values, strict=True)
        ]
        project.save_extraction(name, "rev_a", entries)
    domains = ("randomization", "deviations", "missing_data", "measurement", "reported_result")
    project.save_rob(STUDY, "rob2", "rev_a", dict.fromkeys(domains, "low"))
    project.save_rob(STUDY, "rob2", "rev_b", dict.fromkeys(domains, "high"))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("hostile")
    review = root / "hostile.db"
    with build_hostile_review(review) as project:
        add_hostile_extras(project)
    records_csv = root / f"records {EVIL}.csv"
    with records_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        writer.writerow([f"Imported {EVIL} title", f"abstract {EVIL}", "2021"])
    effects_csv = root / f"effects {EVIL}.csv"
    effects_csv.write_text(
        "study,yi,vi\n"
        + "".join(
            f'"{name}",{yi},{vi}\n'
            for name, yi, vi in ((STUDY, -0.9, 0.05), (f"B {EVIL}", -1.6, 0.2), ("C", -0.2, 0.1))
        ),
        encoding="utf-8",
    )
    query = root / f"evil {EVIL}.pubmed.txt"
    query.write_text(f"# name: strategy {EVIL}\n# database: PubMed\n{TERM}\n", encoding="utf-8")
    with FakeEutils(stall_seconds=1.0) as server:
        server.add_fixtures(TERM)
        yield Env(root, review, records_csv, effects_csv, query, server.base_url)


@dataclass(frozen=True)
class Run:
    """One invocation: the arguments after the verb, whether stdout carries data (kept byte
    for byte in a pipe), and text the output must show escaped (the run printed hostile text)."""

    args: Callable[[Env], list[str]]
    data: bool = False
    shows: str = SHOWN


POOL = ("--outcome", "Tuberculosis", "--timepoint", TIMEPOINT, "--measure", "RR")


def review(*rest: str) -> Callable[[Env], list[str]]:
    return lambda e: [str(e.review), *rest]


def labelled(e: Env) -> list[str]:
    """A small labelled CSV for `simulate`, with escapes in its name and text."""
    path = e.root / f"labelled {EVIL}.csv"
    if not path.exists():
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["title", "abstract", "included"])
            for n in range(24):
                relevant = n % 6 == 0
                writer.writerow(
                    [
                        f"{'nudge' if relevant else 'other'} {EVIL} {n}",
                        f"{'prescribing default' if relevant else 'unrelated'} {EVIL}",
                        int(relevant),
                    ]
                )
    return [str(path), "--label", "included", "--seeds", "1"]


def hostile_copy(e: Env) -> str:
    """An offline copy of the hostile review for rev_b, with a decision and a hostile note."""
    path = Path(e.fresh("offline") + ".db")
    with Project.open(e.review) as project:
        project.checkout("rev_b", path)
    with Project.open(path) as copy:
        record_id = copy.screened_record_ids()[-1]
        copy.record_decision(record_id, "title_abstract", "rev_b", "include")
        copy.add_note(record_id, "rev_b", NOTE)
    return str(path)


RUNS: dict[tuple[str, ...], list[Run]] = {
    ("new",): [Run(lambda e: [e.fresh("new") + ".db", "--title", f"T {EVIL}"])],
    ("info",): [
        Run(review(), shows="\\x1b[31m"),
        Run(review("--json"), data=True, shows=""),
        Run(lambda e: [e.fresh("missing") + ".db"]),
    ],
    ("criteria",): [Run(review("--exclusion", f"not {EVIL}"))],
    ("terms",): [Run(review("--include", f"t {EVIL}"))],
    ("search",): [
        Run(
            lambda e: [
                str(e.review),
                str(e.query),
                "--eutils-url",
                e.eutils,
                "--email",
                "reviewer@example.org",
            ],
            shows="",
        )
    ],
    ("searches",): [Run(review()), Run(review("--json"), data=True, shows="")],
    ("import",): [
        Run(
            lambda e: [
                str(e.review),
                str(e.records_csv),
                "--format",
                "csv",
                "--source",
                f"source {EVIL}",
            ]
        ),
        Run(lambda e: [str(e.review), str(e.records_csv), "--dry-run", "--format", "csv"]),
    ],
    ("dedup",): [Run(review(), shows=""), Run(review("--report"), shows="")],
    ("tui",): [Run(lambda e: [e.fresh("no review") + ".db"])],
    ("agreement",): [Run(review(), shows=""), Run(review("--json"), data=True, shows="")],
    ("conflicts",): [
        Run(review("--reviewer", "rev_a")),
        Run(review("--reviewer", "rev_a", "--json"), data=True, shows=""),
        Run(review(), shows=""),
    ],
    # resolved, then undone: the review is as before for the verbs after it
    ("resolve",): [
        Run(review("1", "include", "--reviewer", "rev_a", "--note", f"n {EVIL}"), shows=""),
        Run(review("1", "--undo", "--reviewer", "rev_a"), shows=""),
    ],
    ("screen-order",): [
        Run(review("relevance", "--reviewer", "rev_a"), shows=""),
        Run(review("file", "--reviewer", "rev_a"), shows=""),
        Run(review("--reviewer", "rev_b"), shows=""),
    ],
    ("stopping",): [
        Run(review(), shows=""),
        Run(review("--json"), data=True, shows=""),
        Run(review("--stop", "--reviewer", "rev_a"), shows=""),
    ],
    ("simulate",): [
        Run(labelled),
        Run(lambda e: [*labelled(e), "--json"], data=True, shows=""),
        Run(lambda e: [*labelled(e), "--out", e.fresh("simulation")]),
    ],
    ("reviewer", "add"): [Run(review(f"carol {EVIL}"), shows=""), Run(review("carol"), shows="")],
    ("reviewer", "list"): [Run(review(), shows=""), Run(review("--json"), data=True, shows="")],
    ("reviewer", "role"): [Run(review("rev_a", "lead"), shows="")],
    ("form",): [Run(review(), shows=""), Run(lambda e: [str(e.review), e.fresh("form") + ".toml"])],
    ("check",): [Run(review()), Run(review("--json"), data=True, shows="")],
    ("rob",): [Run(review()), Run(review("--json"), data=True, shows="")],
    ("meta",): [
        Run(lambda e: [str(e.effects_csv)], shows=""),
        Run(lambda e: [str(e.effects_csv), "--json"], data=True, shows=""),
    ],
    ("pool",): [
        Run(review(*POOL, "--name", f"a {EVIL}")),
        Run(review(*POOL, "--json"), data=True, shows=""),
    ],
    ("analyses",): [Run(review()), Run(review("--json"), data=True, shows="")],
    ("grade",): [
        Run(review()),
        Run(review("--json", "--history"), data=True, shows=""),
        Run(
            review(
                "--analysis",
                "1",
                "--set",
                "indirectness=serious",
                "--reason",
                f"r {EVIL}",
                "--reviewer",
                "rev_a",
                "--history",
            )
        ),
    ],
    ("prisma",): [
        Run(review(), data=True, shows=""),
        Run(lambda e: [str(e.review), "--out", e.fresh("prisma") + ".svg"]),
    ],
    ("report",): [Run(lambda e: [str(e.review), "--out", e.fresh("report")])],
    ("export", "records"): [Run(review("--unblind"), data=True, shows="")],
    ("export", "ris"): [Run(review("--which", "all", "--unblind"), data=True, shows="")],
    ("export", "decisions"): [Run(review("--unblind"), data=True, shows="")],
    ("export", "extraction"): [Run(review(), data=True, shows="")],
    ("demo",): [Run(lambda e: [e.fresh("demo"), "--no-tui"])],
    ("checkout",): [
        Run(
            lambda e: [str(e.review), "--reviewer", "rev_b", "--out", e.fresh("copy") + ".db"],
            shows="",
        )
    ],
    ("merge",): [Run(lambda e: [str(e.review), hostile_copy(e)], shows="")],
    ("serve",): [Run(lambda e: [e.fresh("no review") + ".db"])],
    ("invite",): [Run(review("rev_a"), data=True, shows=""), Run(review(f"nobody {EVIL}"))],
    ("study", "list"): [Run(review()), Run(review("--json"), data=True, shows="")],
    ("study", "add"): [Run(review(f"study {EVIL}", "3"))],
    ("study", "link"): [Run(review(STUDY, "4"))],
    ("study", "unlink"): [Run(review(STUDY, "4"))],
}


class Terminal(io.StringIO):
    """stdout as a terminal: what a verb writes there, data or not, must not act on it."""

    def isatty(self) -> bool:
        return True


def controls(text: str) -> list[str]:
    return sorted(set(CONTROL.findall(text)))


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_no_control_character_reaches_people(
    path: tuple[str, ...], env: Env, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert path in RUNS, f"give `screener {' '.join(path)}` its arguments in RUNS"
    for run in RUNS[path]:
        argv = [*path, *run.args(env)]
        main(argv)
        piped = capsys.readouterr()
        assert not controls(piped.err), (argv, piped.err)
        if not run.data:
            assert not controls(piped.out), (argv, piped.out)
        assert run.shows in piped.out + piped.err, (argv, piped)

        terminal = Terminal()
        with monkeypatch.context() as m:
            m.setattr(sys, "stdout", terminal)
            main([*path, *run.args(env)])
        err = capsys.readouterr().err
        assert not controls(terminal.getvalue()), (argv, terminal.getvalue())
        assert not controls(err), (argv, err)


def test_data_in_a_pipe_keeps_its_bytes(env: Env, capsys) -> None:
    # CSV and RIS exports to a pipe are data: the title's escape sequence is kept as it is
    assert main(["export", "records", str(env.review), "--unblind"]) == 0
    assert ESC_CLEAR in capsys.readouterr().out
    assert main(["export", "ris", str(env.review), "--which", "all", "--unblind"]) == 0
    assert ESC_CLEAR in capsys.readouterr().out
    # JSON escapes C0 controls itself; what it prints still parses and holds the C1 character
    assert main(["pool", str(env.review), *POOL, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["analysis_id"] >= 1
    assert main(["check", str(env.review), "--json"]) == 0
    assert any(C1_CSI in flag["study"] for flag in json.loads(capsys.readouterr().out))


def test_people_read_plurals_right(env: Env, capsys) -> None:
    assert main(["export", "decisions", str(env.review), "--unblind"]) == 0
    assert re.search(r"^\d+ decisions\n$", capsys.readouterr().err)
    assert main(["check", str(env.review)]) == 0
    flags = re.fullmatch(r"([\d,]+) (flags?)\n", capsys.readouterr().err)
    assert flags and (flags[2] == "flag") == (flags[1] == "1")
