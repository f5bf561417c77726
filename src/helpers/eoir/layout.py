"""Finding the tables of a release, its ``Count.txt`` and where it comes from.

Tables are found by base name, case-insensitively, at any depth (the top folder layout varies
between releases): the 19 core tables by name, lookups as ``*.csv`` files under a folder called
``Lookup``. A synthetic release is recognised by its ``truth.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .rawformat import decode_text
from .source import Member, Source, SourceError
from .tables import CORE

_DATED = re.compile(r"(?:EOIR[ _-]?Case[ _-]?Data|FOIA[ _-]?TRAC[ _-]?Report)[ _-]*(\d{4})-?(\d{2})-?(\d{2})",
                    re.IGNORECASE)
_COUNT_LINE = re.compile(r"^\s*([^\t]+?)\s*\t\s*([0-9][0-9,]*)\s*$")


@dataclass
class Layout:
    """Where each table of a release is."""

    core: dict[str, Member] = field(default_factory=dict)       # processed name -> member
    lookups: dict[str, Member] = field(default_factory=dict)
    count_files: list[Member] = field(default_factory=list)
    truth: Member | None = None
    truth_files: list[Member] = field(default_factory=list)    # truth/*.csv beside a synthetic truth.json
    layout_file: Member | None = None                           # EOIR's EOIRDB_Schema.csv (not ingested)
    ignored: list[str] = field(default_factory=list)


def _skip(path: str) -> bool:
    p = PurePosixPath(path)
    return "__MACOSX" in p.parts or p.name.startswith("._") or p.name.startswith(".")


def find_tables(source: Source) -> Layout:
    """Sort the members of ``source`` into core tables, lookups and special files.

    Two files that map to the same table (e.g. ``A_TblCase.csv`` in two folders) are an error:
    the release is ambiguous and we will not guess which one is meant.
    """
    lay = Layout()
    seen: dict[str, str] = {}
    for m in source.members:
        if _skip(m.path):
            continue
        name = m.name.lower()
        parts = [p.lower() for p in PurePosixPath(m.path).parts[:-1]]
        if name == "count.txt":
            lay.count_files.append(m)
            continue
        if name == "truth.json":
            if lay.truth is None or len(PurePosixPath(m.path).parts) < len(PurePosixPath(lay.truth.path).parts):
                lay.truth = m
            continue
        if parts and parts[-1] == "truth" and name.endswith(".csv"):
            lay.truth_files.append(m)
            continue
        if name == "eoirdb_schema.csv":
            lay.layout_file = m
            continue
        if m.stem in CORE and name.endswith(".csv"):
            target, key = lay.core, m.stem
        elif name.endswith(".csv") and "lookup" in parts:
            target, key = lay.lookups, m.stem
        else:
            lay.ignored.append(m.path)
            continue
        if key in seen:
            raise SourceError(f"{source.path}: two files for table {key!r}: {seen[key]!r} and {m.path!r}; "
                              "remove one (the release is ambiguous)")
        seen[key] = m.path
        target[key] = m
    return lay


def read_counts(members: list[Member]) -> tuple[dict[str, int], list[str]]:
    """Row counts from ``Count.txt`` files (lines ``TableName<TAB>rowcount``), by lower-case table name.

    Returns the counts and a list of problems (unparsable lines, conflicting counts).
    """
    counts: dict[str, int] = {}
    problems: list[str] = []
    for m in members:
        with m.open() as s:
            text = decode_text(s.read())
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            mt = _COUNT_LINE.match(line)
            if not mt:
                problems.append(f"{m.path} line {i}: not 'TableName<TAB>count': {line[:80]!r}")
                continue
            name = PurePosixPath(mt.group(1).strip()).stem.lower()
            n = int(mt.group(2).replace(",", ""))
            if name in counts and counts[name] != n:
                problems.append(f"{m.path} line {i}: {name} counted {n:,}, elsewhere {counts[name]:,}")
                continue
            counts[name] = n
    return counts, problems


def release_date(source: Source) -> str | None:
    """ISO date of the release from a name like ``EOIR Case Data 2026-0401`` or ``FOIA TRAC Report 20211201``."""
    names = list(source.path.resolve().parts[-3:]) + [m.path for m in source.members]
    for n in names:
        for mt in _DATED.finditer(n):
            try:
                return dt.date(int(mt.group(1)), int(mt.group(2)), int(mt.group(3))).isoformat()
            except ValueError:
                continue
    return None


def read_truth(member: Member) -> dict:
    """The parsed ``truth.json`` of a synthetic release."""
    with member.open() as s:
        raw = s.read()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceError(f"{member.path}: truth.json is not valid UTF-8 JSON ({e})") from e


def data_source(source: Source, truth: dict | None) -> str:
    """``synthetic:...`` from truth.json, else ``eoir:<release date>``, else ``eoir:unknown``."""
    if truth is not None:
        ds = truth.get("data_source")
        if not ds:
            raise SourceError(f"{source.path}: truth.json has no 'data_source' key")
        return str(ds)
    date = release_date(source)
    return f"eoir:{date}" if date else "eoir:unknown"
