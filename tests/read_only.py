"""Making a review file or folder read-only in a test, in a way the test's user respects.

``chmod 0444`` stops an ordinary user but not root, and these tests also run as root (in CI
containers and sandboxes). So: an ordinary user gets ``chmod``; root gets ``chattr +i`` (the
immutable attribute, which stops root too) where the file system allows it; where it does not,
``os.access`` (what :func:`screener.storage.db.open_review` asks) is made to answer "not
writable" for those paths. In the last case SQLite itself could still write, so the tests also
check the file's bytes are unchanged.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["read_only"]


@contextmanager
def read_only(*paths: Path) -> Iterator[str]:
    """Make ``paths`` (files or folders) read-only inside the block; yields how ("chmod",
    "chattr" or "os.access")."""
    undo: list[tuple[str, Path, int]] = []
    how = "chmod" if os.geteuid() != 0 else "chattr"
    denied: set[str] = set()
    monkeypatch = pytest.MonkeyPatch()
    try:
        for path in paths:
            if how == "chmod":
                mode = path.stat().st_mode
                path.chmod(stat.S_IMODE(mode) & ~0o222)
                undo.append(("chmod", path, mode))
            elif how == "chattr" and _chattr("+i", path):
                undo.append(("chattr", path, 0))
            else:
                how = "os.access"
                denied.add(str(path.resolve()))
        if denied:
            real = os.access

            def access(path, mode, *args, **kwargs):
                if mode & os.W_OK and str(Path(path).resolve()) in denied:
                    return False
                return real(path, mode, *args, **kwargs)

            monkeypatch.setattr(os, "access", access)
        yield how
    finally:
        for kind, path, mode in reversed(undo):
            if kind == "chattr":
                _chattr("-i", path)
            else:
                path.chmod(stat.S_IMODE(mode))
        monkeypatch.undo()


def _chattr(flag: str, path: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0
    except OSError:
        return False
