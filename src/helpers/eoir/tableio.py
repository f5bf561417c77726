"""Streaming one table (a zip member or a file) to Parquet, block by block, with full accounting.

Per block of whole lines (about 32 MB): clean the bytes, parse the well-formed lines in bulk with
``pyarrow.csv`` (all fields as strings, no quoting), hand the malformed ones (with their line
numbers) to :mod:`repair`, convert types with :mod:`convert`, append one Parquet row group.
Blocks are parsed and converted on a small thread pool (pyarrow releases the GIL) and written in
order. The Parquet file and the quarantine CSV are written under temporary names and moved into
place only when the whole table is done.

Accounting identities checked for every table::

    physical_lines = lines_read + lines_joined
    lines_read     = rows_written + rows_quarantined
"""

from __future__ import annotations

import csv
import os
import queue
import threading
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from helpers._util import atomic_path, progress

from .convert import ColStats, arrow_schema, convert_block
from .rawformat import Block, ByteStats, LineReader, clean_bytes, split_header
from .repair import QuarantineRow, resolve_bad_lines
from .schema import ColumnPlan, TableSpec, plan_columns
from .source import Member

QUARANTINE_COLUMNS = ["source_file", "line_number", "reason", "detail", "raw_text"]
#: Bytes per block (whole lines); tests lower it to exercise many blocks with tiny files.
BLOCK_BYTES = 32 << 20
#: A block is parsed in pieces of about this size (only a piece with a malformed line is re-parsed).
PIECE_BYTES = 4 << 20


def readable_by_all(path: Path) -> None:
    """Give a finished temporary file the usual permissions (``mkstemp`` creates it owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class BlockResult:
    table: pa.Table
    quarantine: list[QuarantineRow]
    lines: int
    repaired: int
    rejoined: int
    padded: int
    lines_joined: int
    bytes: ByteStats
    columns: dict[str, ColStats]
    blank_keys: Counter
    repairs: list[dict]
    pk_run: tuple[int, int, bool] | None      # (first, last, strictly increasing) of the non-null primary keys


def _pk_run(table: pa.Table, plan: ColumnPlan) -> tuple[int, int, bool] | None:
    """First and last primary-key value of a block and whether the keys strictly increase (integer keys only)."""
    pk = plan.table.pk
    if pk is None or pk.kind != "key" or pk.out not in table.column_names:
        return None
    a = table.column(pk.out).drop_null().to_numpy()
    if len(a) == 0:
        return None
    return int(a[0]), int(a[-1]), bool(np.all(a[1:] > a[:-1]))


def _read_csv(data, names: list[str], handler=None) -> pa.Table:
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=PIECE_BYTES + (1 << 20)),
        parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False, escape_char=False,
                                        newlines_in_values=False, ignore_empty_lines=False,
                                        invalid_row_handler=handler),
        convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                            quoted_strings_can_be_null=False, check_utf8=False),
    )


def _parse(data: bytes, plan: ColumnPlan, piece: int | None = None) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Parse cleaned UTF-8 lines: the table of well-formed rows and the malformed ``(number, text)``.

    ``number`` is the 1-based line number in ``data``. The parser is about 2.5 times faster without
    a bad-row handler, so the block is parsed in pieces of about ``piece`` bytes and only a piece
    holding a line with the wrong field count is parsed again with a handler.
    """
    names = [f"f{i}" for i in range(plan.fields)]
    piece = piece or PIECE_BYTES
    view = memoryview(data)
    tables, bad = [], []
    pos, line0 = 0, 0
    while pos < len(data):
        end = data.find(b"\n", min(pos + piece, len(data)) - 1) + 1 or len(data)
        buf = view[pos:end]
        try:
            tables.append(_read_csv(buf, names))
        except pa.ArrowInvalid:
            found: list[tuple[int, str]] = []

            def handler(row, found=found) -> str:
                found.append((row.number, row.text))
                return "skip"

            tables.append(_read_csv(buf, names, handler))
            bad += [(line0 + n, text) for n, text in found]
        line0 += data.count(b"\n", pos, end)
        pos = end
    return (pa.concat_tables(tables) if len(tables) > 1 else tables[0]), bad


def _empty_lines(data: bytes) -> np.ndarray:
    """1-based numbers of the empty lines in ``data`` (the parser would read them as all-empty rows)."""
    if not data.startswith(b"\n") and data.find(b"\n\n") < 0:
        return np.empty(0, dtype=np.int64)
    nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    starts = np.concatenate([[0], nl[:-1] + 1])
    return np.flatnonzero(nl == starts) + 1


def _insert_rows(tbl: pa.Table, lines: np.ndarray, rows: list[tuple[int, list[str]]]) -> tuple[pa.Table, np.ndarray]:
    """Put repaired/padded rows (in line order) among the parsed rows so the file order is kept."""
    cols = list(zip(*(f for _, f in rows)))
    extra = pa.table([pa.array(c, pa.string()) for c in cols], names=tbl.column_names)
    extra_lines = np.array([ln for ln, _ in rows], dtype=np.int64)
    at = np.searchsorted(lines, extra_lines)
    if len(rows) <= 64:                       # few: zero-copy slices
        pieces, prev = [], 0
        for k, p in enumerate(at):
            pieces += [tbl.slice(prev, int(p) - prev), extra.slice(k, 1)]
            prev = int(p)
        pieces.append(tbl.slice(prev))
        return pa.concat_tables(pieces), np.insert(lines, at, extra_lines)
    both = pa.concat_tables([tbl, extra])
    all_lines = np.concatenate([lines, extra_lines])
    order = np.argsort(all_lines, kind="stable")
    return both.take(pa.array(order)), all_lines[order]


def process_block(block: Block, plan: ColumnPlan) -> BlockResult:
    """Clean, parse, repair and convert one block (runs on a worker thread)."""
    data, bstats = clean_bytes(block.data)
    tbl, bad = _parse(data, plan)
    numbers = np.array(sorted(n for n, _ in bad), dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    if tbl.num_rows and pc.any(pc.equal(tbl.column(0), "")).as_py():
        empty = np.setdiff1d(_empty_lines(data), numbers)  # empty lines the parser read as all-empty rows
    good = np.setdiff1d(np.arange(1, block.lines + 1, dtype=np.int64), numbers, assume_unique=True)
    if len(good) != tbl.num_rows:
        raise RuntimeError(f"internal accounting error in block at line {block.first_line}: "
                           f"{tbl.num_rows} parsed + {len(bad)} malformed != {block.lines} lines")
    res = resolve_bad_lines(bad, plan, block.first_line)
    if len(empty):
        drop = np.searchsorted(good, empty)
        keep = np.setdiff1d(np.arange(len(good)), drop)
        for n in empty:
            res.quarantine.append(QuarantineRow(int(block.first_line + n - 1), "empty_line", "line holds no values", ""))
        tbl = tbl.take(pa.array(keep))
        good = good[keep]
    lines = good + (block.first_line - 1)
    if res.rows:
        tbl, lines = _insert_rows(tbl, lines, res.rows)
    conv = convert_block(tbl, lines, plan)
    quarantine = sorted(res.quarantine + conv.quarantine, key=lambda q: q.line)
    return BlockResult(conv.table, quarantine, block.lines, res.repaired, res.rejoined, res.padded,
                       res.lines_joined, bstats, conv.columns, conv.blank_keys, res.repairs, _pk_run(conv.table, plan))


@dataclass
class TableAccount:
    """Running totals for one table."""

    physical_lines: int = 0
    rows_written: int = 0
    rows_repaired: int = 0
    rows_rejoined: int = 0
    rows_padded: int = 0
    lines_joined: int = 0
    quarantined: Counter = field(default_factory=Counter)
    bytes: ByteStats = field(default_factory=ByteStats)
    columns: dict[str, ColStats] = field(default_factory=dict)
    blank_keys: Counter = field(default_factory=Counter)
    repairs: list[dict] = field(default_factory=list)
    #: True while every primary key seen so far is larger than the one before (then there are no duplicates)
    pk_increasing: bool = True
    _pk_last: int | None = None

    def add(self, r: BlockResult) -> None:
        if r.pk_run is not None:
            first, last, inc = r.pk_run
            if not inc or (self._pk_last is not None and first <= self._pk_last):
                self.pk_increasing = False
            self._pk_last = last
        self.physical_lines += r.lines
        self.rows_written += r.table.num_rows
        self.rows_repaired += r.repaired
        self.rows_rejoined += r.rejoined
        self.rows_padded += r.padded
        self.lines_joined += r.lines_joined
        self.quarantined.update(q.reason for q in r.quarantine)
        self.bytes.add(r.bytes)
        for name, st in r.columns.items():
            self.columns.setdefault(name, ColStats()).merge(st)
        self.blank_keys.update(r.blank_keys)
        self.repairs.extend(r.repairs[:max(0, 20 - len(self.repairs))])


class _QuarantineWriter:
    """Rows of the per-table quarantine CSV; the header is written with the first row."""

    def __init__(self, fh, source_file: str):
        self.fh, self.source_file, self.rows = fh, source_file, 0
        self._w = csv.writer(fh)

    def write(self, rows: list[QuarantineRow]) -> None:
        for q in rows:
            if self.rows == 0:
                self._w.writerow(QUARANTINE_COLUMNS)
            self._w.writerow([self.source_file, q.line, q.reason, q.detail, q.raw])
            self.rows += 1


def _plan(head: bytes | None, spec: TableSpec, source: str) -> tuple[ColumnPlan, list[str]]:
    """The column plan from the header line; a file without one gets the spec's columns and no rows."""
    if head is not None:
        return plan_columns(spec, split_header(head), source), []
    names = [c.name for c in spec.columns]
    plan = plan_columns(spec, names, source) if names else ColumnPlan(spec, [], 0, [], [], {})
    plan.changes = {"missing": names}
    return plan, ["file is empty (no header line): written with the spec's columns and no rows"]


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Iterate ``items`` on a background thread, up to ``depth`` items ahead.

    Used for reading and decompressing the input while blocks are converted and written; an
    exception in the reader is raised in the consumer, and a consumer that stops early stops the reader.
    """
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def put(x) -> bool:
        while not stop.is_set():
            try:
                q.put(x, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for x in items:
                if not put(x):
                    return
            put(end)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises it
            put(_Failed(e))

    t = threading.Thread(target=run, name="ingest-reader", daemon=True)
    t.start()
    try:
        while True:
            x = q.get()
            if x is end:
                return
            if isinstance(x, _Failed):
                raise x.exc
            yield x
    finally:
        stop.set()
        t.join()


def _stream(reader: LineReader, plan: ColumnPlan, writer: pq.ParquetWriter, qfile: _QuarantineWriter,
            acct: TableAccount, bar, workers: int) -> None:
    """Process blocks on ``workers`` threads (at most ``workers + 1`` in flight) and write them in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()

        def consume(result: BlockResult) -> None:
            if result.table.num_rows:
                writer.write_table(result.table)
            qfile.write(result.quarantine)
            acct.add(result)
            bar.update(result.table.num_rows)

        for block in prefetch(reader.blocks(plan.fields)):
            pending.append(pool.submit(process_block, block, plan))
            while len(pending) > workers:
                consume(pending.popleft().result())
        while pending:
            consume(pending.popleft().result())


def ingest_member(member: Member, spec: TableSpec, parquet_path: Path, quarantine_path: Path, *,
                  quiet: bool = False, expected_rows: int | None = None, workers: int | None = None) -> dict:
    """Stream ``member`` into ``parquet_path`` (+ quarantine CSV); return the table's report entry.

    Both files are written under temporary names and moved into place only when the table is
    complete; a quarantine file without rows is removed.
    """
    t0 = time.time()
    acct = TableAccount()
    with member.open() as stream:
        reader = LineReader(stream, block_bytes=BLOCK_BYTES)
        head = reader.header()
        plan, warnings = _plan(head, spec, member.path)
        bar = progress(total=expected_rows, desc=spec.out, unit="rows", quiet=quiet, unit_scale=True)
        try:
            with atomic_path(parquet_path) as tmp, atomic_path(quarantine_path) as qtmp, \
                    open(qtmp, "w", newline="", encoding="utf-8") as qfh:
                qfile = _QuarantineWriter(qfh, member.path)
                # dictionary encoding pays for codes; ids, timestamps and GUIDs are near-unique
                writer = pq.ParquetWriter(tmp, arrow_schema(plan), compression="zstd",
                                          use_dictionary=[c.out for c, _ in plan.columns if c.kind == "code"])
                try:
                    if head is not None:
                        _stream(reader, plan, writer, qfile, acct, bar, workers or default_workers())
                    stream.read()           # reach the end: checks the declared size and CRC-32
                finally:
                    writer.close()
                readable_by_all(tmp)
                readable_by_all(qtmp)
        finally:
            bar.close()
        if qfile.rows == 0:
            quarantine_path.unlink(missing_ok=True)
        return _table_report(member, spec, plan, acct, stream, time.time() - t0, warnings)


def _table_report(member: Member, spec: TableSpec, plan: ColumnPlan, acct: TableAccount, stream,
                  seconds: float, warnings: list[str]) -> dict:
    q = sum(acct.quarantined.values())
    lines_read = acct.physical_lines - acct.lines_joined
    nulled = {name: st.as_dict() for name, st in acct.columns.items()
              if st.tokens or st.invalid or st.implausible}
    return {
        "source_file": member.path,
        "kind": "lookup" if spec.lookup else "core",
        "physical_lines": acct.physical_lines,
        "lines_joined": acct.lines_joined,
        "lines_read": lines_read,
        "rows_written": acct.rows_written,
        "rows_repaired": acct.rows_repaired + acct.rows_rejoined,
        "rows_repaired_tab_shift": acct.rows_repaired,
        "rows_rejoined_newline": acct.rows_rejoined,
        "rows_padded": acct.rows_padded,
        "rows_quarantined": q,
        "quarantined_by_reason": dict(sorted(acct.quarantined.items())),
        "reconciled": lines_read == acct.rows_written + q,
        "header_fields": len(plan.header),
        "fields_per_row": plan.fields,
        "columns": plan.names,
        "column_changes": {k: v for k, v in plan.changes.items() if v},
        "values_nulled": nulled,
        "blank_keys": dict(acct.blank_keys),
        "bytes": {"read": stream.bytes, "nul_removed": acct.bytes.nul, "cr_removed": acct.bytes.cr,
                  "other_control_removed": acct.bytes.other_control,
                  "non_ascii_decoded_cp1252": acct.bytes.non_ascii},
        "line_ending": ("CRLF" if acct.bytes.cr and acct.bytes.cr >= acct.physical_lines else
                        "LF" if not acct.bytes.cr else "mixed"),
        "input_crc32": f"{stream.crc32:08x}",
        "primary_key_increasing": acct.pk_increasing if spec.pk is not None and spec.pk.kind == "key" else None,
        "repairs": acct.repairs,
        "warnings": warnings,
        "seconds": round(seconds, 2),
    }
