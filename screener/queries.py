"""Saved search strategies (``queries/NAME.DATABASE.txt``).

A file is a short header of ``# key: value`` lines (name, database, date_from, date_to, notes)
followed by the query exactly as typed into the database's search box::

    # name: Low-dose IL-2 in idiopathic inflammatory myopathies
    # database: PubMed
    # date_to: 2024/12/31
    ("Myositis"[Mesh] OR dermatomyositis[tiab] ...) AND ("Interleukin-2"[Mesh] ...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from screener.errors import ScreenerError

_HEADER = re.compile(r"^#\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_KEYS = {"name", "database", "date_from", "date_to", "notes", "date_type"}


@dataclass(frozen=True, slots=True)
class SavedQuery:
    name: str
    database: str
    text: str
    date_from: str = ""
    date_to: str = ""
    notes: str = ""
    date_type: str = "pdat"
    file: str = ""


def parse_query(content: str, *, file_name: str = "") -> SavedQuery:
    header: dict[str, str] = {}
    lines = content.lstrip("\ufeff").splitlines()
    body_start = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if match and match.group(1).lower() in _KEYS:
            key = match.group(1).lower()
            header[key] = (
                (header[key] + " " + match.group(2)).strip()
                if key in header and key == "notes"
                else match.group(2)
            )
            body_start = number
        elif line.startswith("#") or not line.strip():
            body_start = number
            continue
        else:
            break
    text = "\n".join(lines[body_start:]).strip()
    if not text:
        raise ScreenerError(f"{file_name or 'query'}: no query text after the header")
    stem = Path(file_name).name
    parts = stem.split(".")
    database = header.get("database") or (parts[-2] if len(parts) >= 3 else "")
    if not database:
        raise ScreenerError(
            f"{file_name}: say which database the query is for ('# database: PubMed')"
        )
    return SavedQuery(
        name=header.get("name") or parts[0],
        database=database,
        text=text,
        date_from=header.get("date_from", ""),
        date_to=header.get("date_to", ""),
        notes=header.get("notes", ""),
        date_type=header.get("date_type", "pdat"),
        file=str(file_name),
    )


def load_query(path: Path) -> SavedQuery:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScreenerError(f"{path}: no such query file") from None
    except UnicodeDecodeError:
        raise ScreenerError(f"{path}: a query file must be UTF-8 text") from None
    return parse_query(content, file_name=str(path))
