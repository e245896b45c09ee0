"""Rebinding keys from a TOML file.

The file is ``$SCREENER_KEYS`` when that is set (an empty value means: no file), otherwise
``$XDG_CONFIG_HOME/screener/keys.toml`` (``~/.config/screener/keys.toml``). One table per
screen, one entry per action; a value is a key or a list of keys::

    [screening]
    include = "y"
    exclude = ["n", "x"]
    maybe = "question_mark"

    [dashboard]
    screening = "enter"

Each entry becomes a Textual keymap entry for the binding whose id is ``screen.action``
(``screening.include``); the full-text screen shares the screening keys. The help screen
(``?``) lists every action and its key.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from screener.errors import InvalidInputError

__all__ = ["keymap_path", "load_keymap"]


def keymap_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where the key file is looked for; None when ``$SCREENER_KEYS`` is set but empty."""
    env = os.environ if environ is None else environ
    if "SCREENER_KEYS" in env:
        value = env["SCREENER_KEYS"].strip()
        return Path(value).expanduser() if value else None
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "screener" / "keys.toml"


def load_keymap(
    path: Path | None,
    defaults: Mapping[str, str],
    screens: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, str]:
    """Read a key file into a Textual keymap (binding id -> comma-separated keys).

    Parameters
    ----------
    path
        The key file; a missing file gives an empty keymap.
    defaults
        Every rebindable binding id and its default keys.
    screens
        For clash checks: each screen and the id prefixes active on it (default: each prefix
        alone). Two actions of one screen may not end up on the same key.

    A malformed file, an unknown action or a clash raises :class:`InvalidInputError` naming
    the file and the entry.
    """
    if path is None or not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot read the key file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid TOML ({exc})") from None
    known = set(defaults)
    keymap: dict[str, str] = {}
    for screen, actions in data.items():
        if not isinstance(actions, dict):
            raise InvalidInputError(f"{path}: [{screen}] must be a table of action = key entries")
        for action, keys in actions.items():
            binding_id = f"{screen}.{action}"
            if binding_id not in known:
                choices = ", ".join(sorted(k for k in known if k.startswith(f"{screen}."))) or (
                    "screens: " + ", ".join(sorted({k.split(".")[0] for k in known}))
                )
                raise InvalidInputError(
                    f"{path}: unknown action {screen}.{action} (known: {choices})"
                )
            keymap[binding_id] = _keys(path, binding_id, keys)
    _check_clashes(path, {**defaults, **keymap}, screens)
    return keymap


def _keys(path: Path, binding_id: str, value: object) -> str:
    keys = [value] if isinstance(value, str) else value
    if (
        not isinstance(keys, list)
        or not keys
        or not all(isinstance(k, str) and k.strip() and "," not in k for k in keys)
    ):
        raise InvalidInputError(f"{path}: {binding_id} must be a key name or a list of key names")
    return ",".join(k.strip() for k in keys)


def _check_clashes(
    path: Path, effective: Mapping[str, str], screens: Mapping[str, Iterable[str]] | None
) -> None:
    prefixes = {b.split(".")[0] for b in effective}
    groups = screens or {p: (p,) for p in prefixes}
    for screen, active in groups.items():
        active = tuple(active)
        seen: dict[str, str] = {}
        for binding_id, keys in effective.items():
            if binding_id.split(".")[0] not in active:
                continue
            for key in (_normal(k) for k in keys.split(",")):
                other = seen.get(key)
                if other:
                    raise InvalidInputError(
                        f"{path}: key {key!r} would do both {other} and {binding_id} on the "
                        f"{screen} screen"
                    )
                seen[key] = binding_id


def _normal(key: str) -> str:
    # "?" and "question_mark" name the same key (Textual's long names), for the clash check.
    key = key.strip()
    if len(key) == 1 and not key.isalnum():
        try:
            return unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
    return key
