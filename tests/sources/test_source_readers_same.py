"""The tagged-line readers read every fixture as the snapshot taken from the readers before the
port to one tagged-block reader says: same entries, same errors (file, line, message), same
error stopping the reading, for every tagged-line format and every damaged variant (see
readers_snapshot.py)."""

from __future__ import annotations

import pytest
from readers_snapshot import DATA, SHARED, load, snapshot_of

SNAPSHOT = load()
KEYS = sorted({key for key, _ in SNAPSHOT})


def _param(key: str) -> object:
    marks = [pytest.mark.corpus] if key.startswith("shared/") else []
    return pytest.param(key, marks=marks, id=key)


@pytest.mark.parametrize("key", [_param(key) for key in KEYS])
def test_every_tagged_reader_reads_the_fixture_as_before(key: str) -> None:
    prefix, _, relative = key.partition("/")
    path = (DATA if prefix == "data" else SHARED) / relative
    if prefix == "shared" and not path.is_file():
        pytest.skip(f"needs ../shared/fixtures/{relative} (not in this checkout)")
    found = snapshot_of(key, path)
    changed = [
        f"{fmt} {variant}: was {expected}, now {found[fmt][variant]}"
        for (snap_key, fmt), variants in SNAPSHOT.items()
        if snap_key == key
        for variant, expected in variants.items()
        if found[fmt][variant] != expected
    ]
    assert not changed, "\n".join(changed)


def test_the_snapshot_covers_every_fixture_in_tests_data() -> None:
    on_disk = {
        f"data/{p.relative_to(DATA).as_posix()}"
        for p in DATA.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md" and not p.name.startswith("readers_snapshot")
    }
    assert on_disk <= set(KEYS)
