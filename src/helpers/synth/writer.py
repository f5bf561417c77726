"""Streaming writer of raw EOIR files: TAB separated, no quoting, CRLF, cp1252-safe bytes.

Each ``RawTable`` writes its header and then batches of rows given as pyarrow string columns. While
writing, it injects the quirks of SCHEMA.md s2 and s7.6 at the configured rates (and at least the
configured minimum per release, so even ``tiny`` has one of each kind), records every injected quirk
(file, physical line, kind, detail, expected loader outcome) and keeps the exact accounting a correct
loader must reproduce: data lines, rows written / repaired / padded / quarantined by reason, NUL and
high bytes, blank key values. ``write`` returns which rows a correct loader keeps, so the simulation can
count only what the data will show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helpers.synth.formats import CORE_HEADERS, EXTRA_FIELDS, KEYS, KINDS, repair_outcome

EOL = "\r\n"


@dataclass
class QuirkKind:
    """One kind of injected defect for one table."""

    kind: str
    rate: float                  # expected instances per data row
    minimum: int                 # instances guaranteed per release
    eligible: Callable[[list[str], list[str]], bool]
    apply: Callable[[list[str], list[str]], tuple[list[str], str]]   # -> (new fields, detail)


@dataclass
class FileAccount:
    """What a correct loader must find in one raw file."""

    path: str
    data_lines: int = 0
    rows_repaired: int = 0
    rows_padded: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    nul_bytes: int = 0
    high_bytes: int = 0
    blank_keys: dict[str, int] = field(default_factory=dict)
    duplicate_keys: int = 0
    value_variants: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self, count_txt: int) -> dict:
        q = sum(self.quarantined.values())
        return {
            "data_lines": self.data_lines,
            "expected_rows_written": self.data_lines - q,
            "expected_rows_quarantined": dict(sorted(self.quarantined.items())),
            "expected_rows_quarantined_total": q,
            "expected_rows_repaired": self.rows_repaired,
            "expected_rows_padded": self.rows_padded,
            "nul_bytes": self.nul_bytes,
            "high_bytes": self.high_bytes,
            "blank_keys": dict(self.blank_keys),
            "duplicate_keys": self.duplicate_keys,
            "count_txt": count_txt,
            "value_variants": self.value_variants,
        }


def _bytes_of(line: str) -> bytes:
    """cp1252-safe encoding of a generated line (only ASCII plus deliberate stray bytes such as 0xFF)."""
    return line.encode("latin-1")


class RawTable:
    """One raw file being written."""

    def __init__(self, release: "Release", name: str, header: list[str], subdir: str,
                 kinds: list[str] | None = None, keys: list[str] | None = None,
                 quirks: list[QuirkKind] | None = None, count_values: dict[str, list[str]] | None = None):
        self.release, self.name, self.header = release, name, header
        self.n_fields = len(header) + EXTRA_FIELDS.get(name, 0)
        self.kinds = kinds
        self.keys = keys or []
        self.quirks = quirks or []
        self.owed = {q.kind: q.minimum for q in self.quirks}
        self.count_values = count_values or {}
        rel = f"{subdir}/{name}.csv" if subdir else f"{name}.csv"
        self.rel = rel
        self.path = release.root / rel
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "wb")
        self.fh.write(_bytes_of("\t".join(header) + EOL))
        self.acc = FileAccount(rel, blank_keys={k: 0 for k in self.keys})
        for col, vals in self.count_values.items():
            self.acc.value_variants[col] = {v: 0 for v in vals}
        release.tables[name] = self

    # -- writing --------------------------------------------------------------------------------
    def write(self, cols: dict[str, pa.Array], n: int) -> np.ndarray:
        """Write ``n`` rows; columns missing from ``cols`` are empty. Returns the loaded-row mask."""
        loaded = np.ones(n, dtype=bool)
        if n == 0:
            return loaded
        names = self.header + [f"column{len(self.header) + i}" for i in range(EXTRA_FIELDS.get(self.name, 0))]
        unknown = set(cols) - set(names)
        if unknown:
            raise KeyError(f"{self.name}: unknown column(s) {sorted(unknown)}")
        arrays = []
        for c in names:
            a = cols.get(c)
            if a is None:
                a = pa.nulls(n, type=pa.string())
            elif len(a) != n:
                raise ValueError(f"{self.name}.{c}: {len(a)} values for {n} rows")
            arrays.append(a)
        line = pc.binary_join_element_wise(*arrays, "\t", null_handling="replace", null_replacement="")
        line = pc.binary_join_element_wise(line, EOL, "")
        offs = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset:line.offset + n + 1]
        data = memoryview(line.buffers()[2])
        first_line = self.acc.data_lines + 2          # physical line of the first row (header = line 1)

        special = self._choose_quirks(arrays, n)
        # accounting over the plain rows (quirk rows are accounted one by one below)
        plain = np.ones(n, dtype=bool)
        plain[[i for i, _ in special]] = False
        pmask = pa.array(plain)
        for k in self.keys:
            a = arrays[names.index(k)]
            empty = pc.or_kleene(pc.is_null(a), pc.equal(a, ""))
            self.acc.blank_keys[k] += int(pc.sum(pc.and_(pc.fill_null(empty, True), pmask)).as_py() or 0)
        for col, vals in self.count_values.items():
            a = pc.filter(arrays[names.index(col)], pmask)
            vc = pc.value_counts(a)
            for item in vc.to_pylist():
                if item["values"] in self.acc.value_variants[col]:
                    self.acc.value_variants[col][item["values"]] += item["counts"]
        pos = int(offs[0])
        for i, (fields, qk, detail) in sorted(((i, q) for i, q in special), key=lambda t: t[0]):
            self.fh.write(data[pos:int(offs[i])])
            raw = "\t".join(fields) + EOL
            self.fh.write(_bytes_of(raw))
            pos = int(offs[i + 1])
            outcome = self._account_quirk_row(fields, names)
            if outcome.startswith("quarantine:"):
                loaded[i] = False
            self.release.quirks.append({"file": self.rel, "line": first_line + i, "kind": qk,
                                        "detail": detail, "expected": outcome})
        self.fh.write(data[pos:int(offs[n])])
        self.acc.data_lines += n
        return loaded

    def _account_quirk_row(self, fields: list[str], names: list[str]) -> str:
        raw = "\t".join(fields)
        self.acc.nul_bytes += raw.count("\x00")
        self.acc.high_bytes += sum(1 for ch in raw if ord(ch) >= 0x80)
        clean = [f.replace("\x00", "") for f in fields]
        if len(clean) > 0 and self.keys and self.keys[0] in names:
            pk = clean[names.index(self.keys[0])] if len(clean) > names.index(self.keys[0]) else ""
            if pk.strip() and not pk.strip().isdigit() and self.kinds and self.kinds[0] == "key":
                self.acc.quarantined["non_integer_key"] = self.acc.quarantined.get("non_integer_key", 0) + 1
                return "quarantine:non_integer_key"
        final = clean
        outcome = "loaded"
        if len(clean) > self.n_fields:
            kinds = self.kinds or ["text:100000"] * self.n_fields
            res, row = repair_outcome(kinds, clean)
            if row is None:
                self.acc.quarantined[res] = self.acc.quarantined.get(res, 0) + 1
                return f"quarantine:{res}"
            self.acc.rows_repaired += 1
            final, outcome = row, "repaired"
        elif len(clean) < self.n_fields:
            self.acc.rows_padded += 1
            final = clean + [""] * (self.n_fields - len(clean))
            outcome = f"padded:{self.n_fields - len(clean)}"
        for k in self.keys:
            v = final[names.index(k)]
            if "".join(ch for ch in v if ord(ch) >= 32).strip() == "":
                self.acc.blank_keys[k] += 1
        for col, vals in self.count_values.items():
            v = final[names.index(col)]
            if v in self.acc.value_variants[col]:
                self.acc.value_variants[col][v] += 1
        return outcome

    def _choose_quirks(self, arrays: list[pa.Array], n: int) -> list[tuple[int, tuple[list[str], str, str]]]:
        """Pick the rows of this batch that get a quirk, and build their raw fields."""
        out: dict[int, tuple[list[str], str, str]] = {}
        rng = self.release.rng
        for q in self.quirks:
            want = int(rng.poisson(q.rate * n)) if q.rate > 0 else 0
            want = max(want, self.owed.get(q.kind, 0))
            if want == 0:
                continue
            tries = min(n, max(50, want * 20))
            done = 0
            for i in rng.choice(n, size=tries, replace=False) if tries < n else rng.permutation(n):
                i = int(i)
                if i in out:
                    continue
                fields = ["" if a[i].as_py() is None else a[i].as_py() for a in arrays]
                if not q.eligible(fields, self.header):
                    continue
                new, detail = q.apply(list(fields), self.header)
                out[i] = (new, q.kind, detail)
                done += 1
                if done >= want:
                    break
            self.owed[q.kind] = max(0, self.owed.get(q.kind, 0) - done)
        return sorted(out.items())

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()
            missing = {k: v for k, v in self.owed.items() if v > 0}
            if missing and self.acc.data_lines > 0:
                raise RuntimeError(f"{self.name}: could not place required quirks {missing} "
                                   f"in {self.acc.data_lines} rows")


class Release:
    """The folder of one generated release and the accounting of everything written into it."""

    def __init__(self, root: Path, rng: np.random.Generator):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.rng = rng
        self.tables: dict[str, RawTable] = {}
        self.quirks: list[dict] = []

    def core(self, name: str, quirks: list[QuirkKind] | None = None,
             count_values: dict[str, list[str]] | None = None) -> RawTable:
        return RawTable(self, name, CORE_HEADERS[name], "EOIR Case Data", KINDS.get(name), KEYS.get(name),
                        quirks, count_values)

    def lookup(self, name: str, header: list[str]) -> RawTable:
        return RawTable(self, name, header, "Lookup")

    def close(self) -> None:
        for t in self.tables.values():
            t.close()

    def write_count_txt(self) -> dict[str, int]:
        """``Count.txt`` in ``EOIR Case Data/``: ``TableName<TAB>rowcount`` for every core and lookup file."""
        counts = {name: t.acc.data_lines for name, t in sorted(self.tables.items(), key=lambda kv: kv[0].lower())}
        path = self.root / "EOIR Case Data" / "Count.txt"
        path.write_bytes(_bytes_of("".join(f"{k}\t{v}{EOL}" for k, v in counts.items())))
        return counts


# --- quirk kinds (SCHEMA.md s2, s7.6) ------------------------------------------------------------
def _idx(header: list[str], col: str) -> int:
    return header.index(col)


def q_tab_in_city(rate: float, minimum: int) -> QuirkKind:
    """A TAB at the end of ALIEN_CITY (the structure of the real example, SCHEMA.md s2.1): repairable."""
    def ok(f, h):
        c, s, z = f[_idx(h, "ALIEN_CITY")], f[_idx(h, "ALIEN_STATE")], f[_idx(h, "ALIEN_ZIPCODE")]
        return (0 < len(c) <= 14 and len(s) == 2 and len(z) == 5 and z.isdigit()
                and f[_idx(h, "UPDATED_ZIPCODE")] == "" and f[_idx(h, "UPDATED_CITY")] == "")

    def apply(f, h):
        i = _idx(h, "ALIEN_CITY")
        city = f[i]
        return f[:i] + [city, ""] + f[i + 1:], f"TAB after ALIEN_CITY {city!r}: one extra field"
    return QuirkKind("tab_shift_text", rate, minimum, ok, apply)


def q_tab_in_datetime(col: str, rate: float, minimum: int) -> QuirkKind:
    """A TAB inside a datetime value: every merge candidate is invalid, so the row is quarantined."""
    def ok(f, h):
        i = _idx(h, col)
        return len(f[i]) == 23 and f[i][10] == " "

    def apply(f, h):
        i = _idx(h, col)
        v = f[i]
        return f[:i] + [v[:10], v[11:]] + f[i + 1:], f"TAB inside datetime {col} {v!r}: one extra field"
    return QuirkKind("tab_shift_datetime", rate, minimum, ok, apply)


def q_non_integer_key(col: str, value: str = "FC") -> QuirkKind:
    def apply(f, h):
        i = _idx(h, col)
        old = f[i]
        f[i] = value
        return f, f"{col} {old} written as {value!r} (non-integer key)"
    return QuirkKind("non_integer_key", 0.0, 1, lambda f, h: True, apply)


def q_blank_key(col: str, rate: float, minimum: int) -> QuirkKind:
    def apply(f, h):
        i = _idx(h, col)
        old = f[i]
        f[i] = ""
        return f, f"{col} blank (was {old})"
    return QuirkKind("blank_key", rate, minimum, lambda f, h: f[_idx(h, col)] != "", apply)


def q_byte_in_text(col: str, byte: str, kind: str, rate: float, minimum: int) -> QuirkKind:
    """A NUL (``\\x00``) inside, or a stray high byte (``\\xff``) at the end of, a free-text value."""
    def ok(f, h):
        return 2 <= len(f[_idx(h, col)]) <= 13

    def apply(f, h):
        i = _idx(h, col)
        v = f[i]
        f[i] = v[:len(v) // 2] + byte + v[len(v) // 2:] if byte == "\x00" else v + byte
        return f, f"{col} {v!r} -> {f[i]!r}"
    return QuirkKind(kind, rate, minimum, ok, apply)


def q_control_value(col: str, char: str, rate: float, minimum: int) -> QuirkKind:
    """A control character as the whole value (SCHEMA.md s1.3): the loader strips it, leaving null."""
    def apply(f, h):
        i = _idx(h, col)
        old = f[i]
        f[i] = char
        return f, f"{col} {old!r} written as {char!r} (control character; null after stripping)"
    return QuirkKind("control_char", rate, minimum, lambda f, h: True, apply)


def q_short_row(n_fields: int, rate: float, minimum: int) -> QuirkKind:
    """A row that ends early (fewer fields than header + unnamed trailing fields): padded by the loader."""
    def ok(f, h):
        return all(v == "" for v in f[n_fields:]) or n_fields < len(h)

    def apply(f, h):
        dropped = [v for v in f[n_fields:] if v != ""]
        detail = f"{n_fields} fields instead of {len(f)}"
        if dropped:
            detail += f" (values lost to padding: {dropped})"
        return f[:n_fields], detail
    return QuirkKind(f"short_row_{n_fields}", rate, minimum, ok, apply)
