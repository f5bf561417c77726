"""``python -m helpers ingest SRC --out DIR``: a release (zip or folder) to typed Parquet, with a report.

Output (docs/DATAFLOW.md section 2)::

    DIR/tables/<table>.parquet      19 core tables
    DIR/lookups/<lookup>.parquet    every file in Lookup/
    DIR/quarantine/<name>.csv       rows that could not be written (only when there are some)
    DIR/ingest_report.json          accounting per table, checks, data_source
    DIR/truth.json                  copied from a synthetic release

A table whose input fingerprint (zip: CRC-32 and sizes; folder: size and modification time) and
loader version are unchanged since the last run is skipped unless ``force``. Every output file
is written under a temporary name and moved into place when complete, and the report is
rewritten after each table, so an interrupted run leaves earlier outputs intact.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

from helpers._util import atomic_path, read_json, write_json

from .checks import connect, duplicate_keys, orphan_counts
from .layout import data_source, find_tables, read_counts, read_truth, release_date
from .schema import PLAUSIBLE_FROM, PLAUSIBLE_TO, HeaderError
from .source import Member, SourceError, open_source
from .tableio import ingest_member, readable_by_all
from .tables import CORE, lookup_spec

#: Bump when the processed output of the same input changes (forces re-ingest of every table).
INGEST_VERSION = "1"
#: DuckDB's memory limit for the checks (it spills to DIR/.duckdb_tmp beyond it); keeps the run under 3 GB.
DUCKDB_MEMORY = "1536MB"
#: Parquet output is assumed to take at most this share of the raw input size (checked before writing).
OUTPUT_SHARE = 0.35

POLICIES = {
    "implausible_dates": (f"datetimes before {PLAUSIBLE_FROM} or after {PLAUSIBLE_TO[:10]} become null and are "
                          "counted per column (values_nulled.<col>.implausible, with examples); birth months "
                          "(C_BIRTHDATE) accept years 1900-2035"),
    "null_tokens": "'' everywhere; 'N/A' and 'b6' in code/text columns; '00'/'0000' in RELEASE_MONTH/RELEASE_YEAR; "
                   "'0' in HHMM clock-time columns",
    "invalid_values": "a value that does not parse as its column's kind becomes null and is counted "
                      "(values_nulled.<col>.invalid); a malformed key sends the row to quarantine",
    "bytes": "NUL, CR and other C0 control characters are deleted; non-ASCII bytes are decoded as cp1252 "
             "(undefined cp1252 bytes as latin-1)",
    "malformed_lines": "extra fields: tab-shift repair by type pattern, else quarantine; two short lines adding "
                       "up to one row + 1 field: re-joined; other short lines: padded with empty fields",
}


class DiskSpaceError(SourceError):
    """Not enough free disk space for the output."""


def _jobs(layout, tables: list[str] | None) -> tuple[list[tuple[str, str, Member]], list[str]]:
    """(section, name, member) for every table to consider, and requested names that are not in the release."""
    wanted = None if tables is None else {Path(t).stem.lower() for t in tables}
    jobs = [("tables", n, m) for n, m in sorted(layout.core.items())]
    jobs += [("lookups", n, m) for n, m in sorted(layout.lookups.items())]
    if wanted is None:
        return jobs, []
    found = {n for _, n, _ in jobs}
    return [j for j in jobs if j[1] in wanted], sorted(wanted - found)


def _clean_stale_temps(out: Path) -> None:
    """Remove temporaries left by an interrupted run (``.<name>.tmp-*``, see helpers._util.atomic_path)."""
    for sub in ("tables", "lookups", "quarantine", "."):
        d = out / sub
        if d.is_dir():
            for p in d.glob(".*.tmp-*"):
                p.unlink(missing_ok=True)


def _unchanged(entry: dict | None, member: Member, parquet: Path) -> bool:
    return bool(entry) and parquet.exists() and "error" not in entry \
        and entry.get("fingerprint") == member.fingerprint and entry.get("ingest_version") == INGEST_VERSION


def _check_disk(out: Path, members: list[Member]) -> dict:
    need = int(sum(m.size for m in members) * OUTPUT_SHARE) + (64 << 20)
    free = shutil.disk_usage(out).free
    if members and free < need:
        raise DiskSpaceError(f"{out}: about {need / 1e9:.1f} GB of free disk space is needed for "
                             f"{len(members)} tables ({sum(m.size for m in members) / 1e9:.1f} GB of input), "
                             f"only {free / 1e9:.1f} GB is free")
    return {"needed_estimate_bytes": need, "free_bytes": free}


def _previous(out: Path) -> dict:
    try:
        rep = read_json(out / "ingest_report.json")
        return rep if isinstance(rep, dict) else {}
    except (OSError, ValueError):
        return {}


def _new_report(source, src: Path, layout, truth: dict | None, prev: dict, tables: list[str] | None,
                force: bool, not_found: list[str], count_problems: list[str], current: set[tuple[str, str]]) -> dict:
    """The report skeleton; entries of earlier runs are carried over (and marked) until replaced."""
    report = {
        "ingest_version": INGEST_VERSION,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "data_source": data_source(source, truth),
        "synthetic": truth is not None,
        "source": {"path": str(src.resolve()), "kind": source.kind, "checksum": source.checksum(),
                   "release_date": release_date(source), "members": len(source.members)},
        "options": {"tables": tables, "force": force},
        "tables": dict(prev.get("tables", {})),
        "lookups": dict(prev.get("lookups", {})),
        "missing_tables": sorted(set(CORE) - set(layout.core)),
        "requested_not_found": not_found,
        "rejected_members": source.rejected,
        "ignored_files": layout.ignored,
        "count_txt": {"files": [m.path for m in layout.count_files], "problems": count_problems},
        "policies": POLICIES,
    }
    for section in ("tables", "lookups"):
        for name, entry in report[section].items():
            entry["from_previous_run"] = True
            entry.pop("stale", None)
            if tables is None and (section, name) not in current:
                entry["stale"] = (f"not in the current release; the output is left from an earlier run of "
                                  f"{prev.get('source', {}).get('path')}")
    return report


def ingest(src: Path | str, out: Path | str, tables: list[str] | None = None, force: bool = False,
           quiet: bool = False) -> dict:
    """Ingest release ``src`` into ``out``; return the report (also written to ``out/ingest_report.json``).

    ``tables`` restricts the run to these file base names (case-insensitive, with or without .csv).
    Raises :class:`SourceError` when the release cannot be opened at all (missing path, not a zip,
    ambiguous layout, not enough disk space); problems with single tables are recorded in the report.
    """
    t0 = time.time()
    src, out = Path(src), Path(out)
    source = open_source(src)
    try:
        layout = find_tables(source)
        truth = read_truth(layout.truth) if layout.truth else None
        counts, count_problems = read_counts(layout.count_files)
        jobs, not_found = _jobs(layout, tables)
        for sub in ("tables", "lookups", "quarantine"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        _clean_stale_temps(out)
        prev = _previous(out)
        current = {(s, n) for s, n, _ in _jobs(layout, None)[0]}
        report = _new_report(source, src, layout, truth, prev, tables, force, not_found, count_problems, current)
        todo = {(s, n) for s, n, m in jobs
                if force or not _unchanged(prev.get(s, {}).get(n), m, out / s / f"{n}.parquet")}
        report["disk"] = _check_disk(out, [m for s, n, m in jobs if (s, n) in todo])
        for section, name, member in jobs:
            if (section, name) in todo:
                entry = _ingest_one(section, name, member, out, counts.get(name), quiet)
            else:
                entry = dict(report[section][name],
                             skipped="input unchanged since the previous run (use --force to re-ingest)")
            entry["count_txt"] = counts.get(name)
            if counts.get(name) is not None and "lines_read" in entry:
                entry["count_txt_diff"] = entry["lines_read"] - counts[name]
            report[section][name] = entry
            _write_report(out, report)
        if layout.truth is not None:
            _copy_truth(layout.truth, out, report, layout.truth_files)
        report["count_txt"]["not_in_release"] = sorted(set(counts) - set(layout.core) - set(layout.lookups))
        _run_checks(report, out, todo)
        _finish(report)
        report["seconds"] = round(time.time() - t0, 1)
        _write_report(out, report)
        return report
    finally:
        source.close()


def _copy_truth(member: Member, out: Path, report: dict, tables: list[Member] = ()) -> None:
    """Copy a synthetic release's truth.json (and its truth/*.csv tables) next to the processed tables."""
    try:
        with member.open() as s, atomic_path(out / "truth.json") as tmp:
            tmp.write_bytes(s.read())
            readable_by_all(tmp)
        for t in tables:
            with t.open() as s, atomic_path(out / "truth" / t.name) as tmp:
                tmp.write_bytes(s.read())
                readable_by_all(tmp)
    except (OSError, SourceError) as e:
        report["truth_json_error"] = f"{member.path}: could not be copied ({e})"


def _write_report(out: Path, report: dict) -> None:
    write_json(out / "ingest_report.json", report)
    readable_by_all(out / "ingest_report.json")


def _ingest_one(section: str, name: str, member: Member, out: Path, expected: int | None, quiet: bool) -> dict:
    spec = CORE[name] if section == "tables" else lookup_spec(member.stem)
    try:
        entry = ingest_member(member, spec, out / section / f"{name}.parquet", out / "quarantine" / f"{name}.csv",
                              quiet=quiet, expected_rows=expected)
    except (SourceError, HeaderError, OSError, ValueError, RuntimeError) as e:
        entry = {"source_file": member.path, "error": f"{member.path}: {e}", "reconciled": False,
                 "note": "the previous output of this table (if any) was left in place"}
    entry["fingerprint"] = member.fingerprint
    entry["ingest_version"] = INGEST_VERSION
    return entry


def _run_checks(report: dict, out: Path, fresh: set[tuple[str, str]]) -> None:
    """Duplicate primary keys (tables ingested in this run) and orphans (all present tables)."""
    tmp = out / ".duckdb_tmp"
    con = connect(tmp, memory_limit=DUCKDB_MEMORY)
    try:
        for section in ("tables", "lookups"):
            for name, entry in report[section].items():
                if (section, name) not in fresh or "error" in entry:
                    continue
                spec = CORE[name] if section == "tables" else lookup_spec(name)
                pq = out / section / f"{name}.parquet"
                if spec.pk is None or spec.pk.out not in entry.get("columns", []) or not pq.exists():
                    continue
                if entry.get("primary_key_increasing"):
                    # every key is larger than the one before it in the file: no key can repeat
                    entry["duplicate_keys"] = {"key": spec.pk.out, "keys_duplicated": 0, "rows_with_duplicated_key": 0,
                                               "examples": [], "method": "keys strictly increasing in file order"}
                else:
                    entry["duplicate_keys"] = duplicate_keys(con, pq, spec.pk.out)
        report["orphans"] = orphan_counts(con, out / "tables")
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _finish(report: dict) -> None:
    """Set ``reconciled``, ``problems`` (make the CLI fail) and ``warnings`` (reported only)."""
    problems, warnings = [], []
    for section in ("tables", "lookups"):
        for name, e in sorted(report[section].items()):
            if "error" in e:
                problems.append(f"{name}: {e['error']}")
            elif not e.get("reconciled"):
                problems.append(f"{name}: lines_read {e.get('lines_read')} != rows_written {e.get('rows_written')} "
                                f"+ rows_quarantined {e.get('rows_quarantined')}")
            if e.get("count_txt_diff"):
                warnings.append(f"{name}: {e['lines_read']:,} rows in the file, Count.txt says {e['count_txt']:,}")
            dk = e.get("duplicate_keys") or {}
            if dk.get("keys_duplicated"):
                warnings.append(f"{name}: {dk['keys_duplicated']:,} {dk['key']} values occur more than once "
                                f"({dk['rows_with_duplicated_key']:,} rows; all kept)")
            for col, n in (e.get("blank_keys") or {}).items():
                warnings.append(f"{name}: {n:,} rows with a blank {col} (written with null)")
            for w in e.get("warnings", []):
                warnings.append(f"{name}: {w}")
            if e.get("stale"):
                warnings.append(f"{name}: {e['stale']}")
    if report.get("truth_json_error"):
        problems.append(f"truth.json: {report['truth_json_error']}")
    for r in report.get("rejected_members", []):
        problems.append(f"zip member {r['member']!r} rejected: {r['reason']}")
    for n in report.get("requested_not_found", []):
        problems.append(f"{n}: requested with --tables but not found in the release")
    for n in report.get("missing_tables", []):
        warnings.append(f"{n}: core table not found in the release")
    warnings += [f"Count.txt: {p}" for p in report["count_txt"].get("problems", [])]
    for name, o in (report.get("orphans") or {}).items():
        if o.get("orphan_rows"):
            warnings.append(f"orphans {name}: {o['orphan_rows']:,} rows of {o['child']} have no {o['parent']}")
    report["reconciled"] = not any("error" in e or not e.get("reconciled")
                                   for s in ("tables", "lookups") for e in report[s].values())
    report["problems"] = problems
    report["warnings"] = warnings


def format_summary(report: dict) -> str:
    """The report as a readable text table (one line per table, lookups summarised)."""
    head = f"{'table':28s} {'lines read':>12s} {'written':>12s} {'repaired':>9s} {'padded':>8s} " \
           f"{'quarant.':>9s} {'Count.txt':>12s}  status"
    lines = [f"data source: {report.get('data_source')}   source: {report.get('source', {}).get('path')}", head,
             "-" * len(head)]

    def row(name: str, e: dict) -> str:
        if "error" in e:
            return f"{name:28s} {'':>12s} {'':>12s} {'':>9s} {'':>8s} {'':>9s} {'':>12s}  ERROR"
        ct = "" if e.get("count_txt") is None else f"{e['count_txt']:,}"
        status = "ok" if e.get("reconciled") else "NOT RECONCILED"
        if e.get("count_txt_diff"):
            status += f" (Count.txt diff {e['count_txt_diff']:+,})"
        if e.get("skipped"):
            status += " (unchanged, skipped)"
        return (f"{name:28s} {e.get('lines_read', 0):>12,} {e.get('rows_written', 0):>12,} "
                f"{e.get('rows_repaired', 0):>9,} {e.get('rows_padded', 0):>8,} {e.get('rows_quarantined', 0):>9,} "
                f"{ct:>12s}  {status}")

    for name, e in sorted(report.get("tables", {}).items()):
        lines.append(row(name, e))
    lk = report.get("lookups", {})
    if lk:
        lines.append("-" * len(head))
        bad = {n: e for n, e in lk.items() if "error" in e or not e.get("reconciled") or e.get("rows_quarantined")
               or e.get("count_txt_diff")}
        for name, e in sorted(bad.items()):
            lines.append(row(name, e))
        ok = len(lk) - len(bad)
        lines.append(f"{ok} lookup tables reconciled with nothing quarantined "
                     f"({sum(e.get('rows_written', 0) for e in lk.values()):,} rows in all lookups)")
    for title, items in (("problems", report.get("problems", [])), ("warnings", report.get("warnings", []))):
        if items:
            lines.append(f"{title} ({len(items)}):")
            lines += [f"  - {p}" for p in items[:40]]
            if len(items) > 40:
                lines.append(f"  ... {len(items) - 40} more in ingest_report.json")
    lines.append("reconciled: " + ("yes" if report.get("reconciled") else "NO"))
    return "\n".join(lines)


def ingest_cli(args) -> int:
    """CLI entry: 0 when every table reconciles and nothing was rejected, 1 otherwise, 2 if the release cannot be read."""
    try:
        report = ingest(args.src, args.out, tables=args.tables, force=args.force, quiet=args.quiet)
    except SourceError as e:
        print(f"ingest failed: {e}", file=sys.stderr)
        return 2
    print(format_summary(report))
    print(f"report: {Path(args.out) / 'ingest_report.json'}")
    if report["problems"]:
        print("ingest did not complete cleanly: " + "; ".join(report["problems"][:5]), file=sys.stderr)
        return 1
    return 0
