"""Typed conversion of parsed string columns (vectorised with ``pyarrow.compute``).

Input: a table of raw string fields (file order) and the physical line number of each row.
Output: a table with the processed schema (docs/DATAFLOW.md section 2), the rows quarantined for a
malformed key, and per-column counts of every value that was turned into null:

* ``tokens``: null tokens (``N/A``, ``b6``, ``00``/``0000`` in RELEASE_MONTH/YEAR, ``0`` in clock
  times) by token;
* ``invalid``: values that do not parse as the column's kind (e.g. ``Y`` in a 0/1 bit column);
* ``implausible``: datetimes outside [1950-01-01, 2035-12-31] (birth months: years 1900-2035).

The first few invalid/implausible values are kept with their line numbers as examples.
"""

from __future__ import annotations

# Column arguments are pyarrow Arrays or ChunkedArrays (the parser yields chunked columns); the
# compute functions used here accept both, so ``Arr`` names either.

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .repair import QuarantineRow
from .schema import BIRTH_YEAR_FROM, PLAUSIBLE_FROM, PLAUSIBLE_TO, Col, ColumnPlan
from .values import BIT_FALSE, BIT_TRUE, parse_datetime

ARROW_TYPES = {
    "key": pa.int64(), "int": pa.int64(), "datetime": pa.timestamp("ms"), "hhmm": pa.time32("s"),
    "monthyear": pa.date32(), "bit": pa.bool_(), "code": pa.string(), "text": pa.string(), "guid": pa.string(),
}
_INT_RE = r"^-?[0-9]{1,18}$"
_GUID_RE = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
_ISO_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?$"
_HHMM_RE = r"^([0-9]{1,4}|[0-9]{1,2}:[0-9]{2})$"
_MONTHYEAR_RE = r"^[0-9]{1,2}/[0-9]{4}$"
_TS_LOW = pa.scalar(np.datetime64(PLAUSIBLE_FROM, "ms"), pa.timestamp("ms"))
_TS_HIGH = pa.scalar(np.datetime64(PLAUSIBLE_TO.replace(" ", "T"), "ms"), pa.timestamp("ms"))
EXAMPLES = 5
Arr = pa.Array | pa.ChunkedArray


def arrow_schema(plan: ColumnPlan) -> pa.Schema:
    """The Parquet schema of a processed table."""
    return pa.schema([pa.field(c.out, ARROW_TYPES[c.kind]) for c, _ in plan.columns])


@dataclass
class ColStats:
    """Values of one column that became null, by cause."""

    tokens: Counter = field(default_factory=Counter)
    invalid: int = 0
    implausible: int = 0
    examples: list = field(default_factory=list)

    def merge(self, other: "ColStats") -> None:
        self.tokens.update(other.tokens)
        self.invalid += other.invalid
        self.implausible += other.implausible
        room = EXAMPLES - len(self.examples)
        self.examples.extend(other.examples[:max(room, 0)])

    def as_dict(self) -> dict:
        return {"tokens": dict(self.tokens), "invalid": self.invalid, "implausible": self.implausible,
                "examples": self.examples}


@dataclass
class Converted:
    table: pa.Table
    quarantine: list[QuarantineRow]
    columns: dict[str, ColStats]
    blank_keys: Counter


def _trimmed(arr: Arr, kind: str) -> Arr:
    return pc.ascii_rtrim(arr, " ") if kind == "code" else pc.ascii_trim(arr, " ")


def _null_mask(arr: Arr, col: Col, stats: ColStats) -> Arr:
    """True where the (trimmed) value is empty or a null token; counts the tokens."""
    mask = pc.equal(arr, "")
    tokens = col.null_tokens
    if tokens:
        tok = pc.is_in(arr, value_set=pa.array(tokens, pa.string()))
        n_tok = pc.sum(tok).as_py() or 0
        if n_tok:
            for t in tokens:
                c = pc.sum(pc.equal(arr, t)).as_py() or 0
                if c:
                    stats.tokens[t] += c
            mask = pc.or_(mask, tok)
    return mask


def _set_null(arr: Arr, mask: Arr) -> Arr:
    if not pc.any(mask).as_py():
        return arr
    return pc.if_else(mask, pa.scalar(None, arr.type), arr)


def _note(stats: ColStats, what: str, mask: Arr, raw: Arr, lines: np.ndarray) -> int:
    """Count ``mask`` into ``stats`` and keep a few examples; return the count."""
    n = pc.sum(mask).as_py() or 0
    if n:
        if what == "invalid":
            stats.invalid += n
        else:
            stats.implausible += n
        if len(stats.examples) < EXAMPLES:
            idx = np.flatnonzero(mask.to_numpy(zero_copy_only=False))[:EXAMPLES - len(stats.examples)]
            for i in idx:
                stats.examples.append({"line": int(lines[i]), "value": raw[int(i)].as_py(), "problem": what})
    return n


def _python_map(arr: Arr, fn, typ: pa.DataType) -> Arr:
    """Apply ``fn`` to each distinct value in Python (only for the rare values the fast path rejects)."""
    uniq = pc.unique(arr.drop_null())
    mapped = pa.array([fn(v) for v in uniq.to_pylist()], type=typ)
    return pc.take(mapped, pc.index_in(arr, value_set=uniq))


def _to_timestamp(s: Arr) -> Arr:
    """Parse datetime text; values that do not parse become null."""
    typ = pa.timestamp("ms")
    try:
        return pc.cast(s, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    iso = pc.match_substring_regex(s, _ISO_RE)
    fast = pc.if_else(iso, pc.utf8_slice_codeunits(s, 0, 23), pa.scalar(None, pa.string()))
    try:
        ts = pc.cast(fast, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ts = pa.nulls(len(s), typ)
    rest = pc.and_(pc.is_valid(s), pc.is_null(ts))
    if pc.any(rest).as_py():
        slow = _python_map(pc.if_else(rest, s, pa.scalar(None, pa.string())), parse_datetime, typ)
        ts = pc.coalesce(ts, slow)
    return ts


def _to_time(s: Arr) -> Arr:
    """Seconds after midnight (time32[s]) for ``HHMM``/``HMM``/``H:MM`` text; anything else becomes null."""
    try:
        v = pc.cast(s, pa.int32())               # fast path: digits only
    except pa.ArrowInvalid:
        ok = pc.match_substring_regex(s, _HHMM_RE)
        v = pc.cast(pc.replace_substring(pc.if_else(ok, s, pa.scalar(None, pa.string())), ":", ""), pa.int32())
    vals = pc.fill_null(v, -1).to_numpy(zero_copy_only=False)
    hh, mm = np.divmod(vals, 100)
    good = (vals >= 0) & (hh < 24) & (mm < 60)
    secs = (hh * 3600 + mm * 60).astype(np.int32)
    return pa.array(secs, pa.int32(), mask=~good).cast(pa.time32("s"))


def _to_month(s: Arr) -> tuple[Arr, Arr]:
    """(date32 of the first of the month, mask of years outside 1900-2035) for ``M/YYYY`` text.

    Only the non-null values are parsed (the column is often entirely empty).
    """
    n = len(s)
    present = np.flatnonzero(pc.is_valid(s).to_numpy(zero_copy_only=False))
    month = np.full(n, np.nan)
    year = np.full(n, np.nan)
    if len(present):
        sub = pc.take(s, pa.array(present))
        ok = pc.match_substring_regex(sub, _MONTHYEAR_RE)
        parts = pc.split_pattern(pc.if_else(ok, sub, pa.scalar(None, pa.string())), "/")
        month[present] = pc.cast(pc.list_element(parts, 0), pa.int32()).to_numpy(zero_copy_only=False)
        year[present] = pc.cast(pc.list_element(parts, 1), pa.int32()).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        valid = (month >= 1) & (month <= 12)
        plausible = valid & (year >= BIRTH_YEAR_FROM) & (year <= 2035)
    months = np.where(plausible, (year - 1970) * 12 + month - 1, 0).astype("int64")
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype("int64").astype("int32")
    out = pa.array(days, pa.int32(), mask=~plausible).cast(pa.date32())
    return out, pa.array(valid & ~plausible)


def _convert_column(raw: Arr, col: Col, lines: np.ndarray, stats: ColStats) -> Arr:
    s = _trimmed(raw, col.kind)
    s = _set_null(s, _null_mask(s, col, stats))
    k = col.kind
    if k in ("code", "text"):
        return s
    if k == "guid":
        out = pc.ascii_upper(s)
        if col.is_key:      # already checked in full by _key_problems
            return out
        bad = pc.not_equal(pc.utf8_length(out), 36)
        _note(stats, "invalid", pc.fill_null(bad, False), raw, lines)
        return _set_null(out, pc.fill_null(bad, False))
    if k in ("key", "int"):
        try:
            return pc.cast(s, pa.int64())
        except pa.ArrowInvalid:
            ok = pc.match_substring_regex(s, _INT_RE)
            bad = pc.and_(pc.is_valid(s), pc.invert(ok))
            _note(stats, "invalid", bad, raw, lines)
            return pc.cast(_set_null(s, bad), pa.int64())
    if k == "bit":
        t = pc.is_in(s, value_set=pa.array(BIT_TRUE))
        f = pc.is_in(s, value_set=pa.array(BIT_FALSE))
        out = pc.if_else(t, True, pc.if_else(f, False, pa.scalar(None, pa.bool_())))
        _note(stats, "invalid", pc.and_(pc.is_valid(s), pc.is_null(out)), raw, lines)
        return out
    if k == "datetime":
        ts = _to_timestamp(s)
        _note(stats, "invalid", pc.and_(pc.is_valid(s), pc.is_null(ts)), raw, lines)
        odd = pc.or_(pc.less(ts, _TS_LOW), pc.greater(ts, _TS_HIGH))
        odd = pc.fill_null(odd, False)
        _note(stats, "implausible", odd, raw, lines)
        return _set_null(ts, odd)
    if k == "hhmm":
        t = _to_time(s)
        _note(stats, "invalid", pc.and_(pc.is_valid(s), pc.is_null(t)), raw, lines)
        return t
    if k == "monthyear":
        d, odd = _to_month(s)
        _note(stats, "implausible", odd, raw, lines)
        _note(stats, "invalid", pc.and_(pc.and_(pc.is_valid(s), pc.is_null(d)), pc.invert(odd)), raw, lines)
        return d
    raise AssertionError(k)


def _key_problems(tbl: pa.Table, plan: ColumnPlan) -> tuple[np.ndarray | None, dict[int, tuple[str, str]]]:
    """Rows whose key columns hold something other than an integer (or a GUID for GUID keys).

    Returns a row mask (None when every key is fine) and ``{row: (reason, detail)}``.
    """
    bad_rows = None
    details: dict[int, tuple[str, str]] = {}
    for col, idx in plan.columns:
        if idx is None or not col.is_key:
            continue
        s = _trimmed(tbl.column(idx), col.kind)
        empty = pc.equal(s, "")
        if col.kind == "key":
            try:                                  # fast path: every key is an integer (or empty)
                pc.cast(_set_null(s, empty), pa.int64())
                continue
            except pa.ArrowInvalid:
                pass
        ok = pc.match_substring_regex(s, _GUID_RE if col.kind == "guid" else _INT_RE)
        bad = pc.and_(pc.invert(empty), pc.invert(ok))
        if pc.any(bad).as_py():
            m = bad.to_numpy(zero_copy_only=False)
            reason, what = ("invalid_guid_key", "a GUID") if col.kind == "guid" else ("non_integer_key", "an integer")
            for i in np.flatnonzero(m):
                details.setdefault(int(i), (reason, f"{col.name}={s[int(i)].as_py()!r} is not {what}"))
            bad_rows = m if bad_rows is None else (bad_rows | m)
    return bad_rows, details


def convert_block(tbl: pa.Table, lines: np.ndarray, plan: ColumnPlan) -> Converted:
    """Convert one block of raw string fields (columns in file order) to the processed schema."""
    quarantine: list[QuarantineRow] = []
    bad_rows, details = _key_problems(tbl, plan)
    if bad_rows is not None:
        for i in np.flatnonzero(bad_rows):
            fields = [tbl.column(j)[int(i)].as_py() for j in range(tbl.num_columns)]
            reason, detail = details[int(i)]
            quarantine.append(QuarantineRow(int(lines[i]), reason, detail, "\t".join(fields)))
        keep = np.flatnonzero(~bad_rows)
        tbl = tbl.take(pa.array(keep))
        lines = lines[keep]
    stats: dict[str, ColStats] = {}
    blank: Counter = Counter()
    arrays = []
    n = tbl.num_rows
    for col, idx in plan.columns:
        st = stats.setdefault(col.out, ColStats())
        if idx is None:
            arrays.append(pa.nulls(n, ARROW_TYPES[col.kind]))
            continue
        arr = _convert_column(tbl.column(idx), col, lines, st)
        if col.is_key:
            nulls = arr.null_count
            if nulls:
                blank[col.out] += nulls
        arrays.append(arr)
    out = pa.Table.from_arrays(arrays, schema=arrow_schema(plan))
    return Converted(out, quarantine, stats, blank)
