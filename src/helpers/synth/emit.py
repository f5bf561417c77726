"""Turn simulated values (numpy arrays) into raw columns and write them through a ``RawTable``.

A row spec maps each column to how its values are stored in the simulation:
``("int",)`` integers (negative = null), ``("day",)`` epoch days (negative = null),
``("hhmm",)`` minutes after midnight, ``("code", vocab)`` indexes into a vocabulary (negative = null),
``("str",)`` an array of Python strings / None, ``("const", text)`` the same text on every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from helpers.synth.formats import f_code, f_const, f_day, f_hhmm, f_int
from helpers.synth.writer import RawTable


@dataclass
class Written:
    """What happened to a batch: rows a correct loader keeps, and key columns blanked by quirks."""

    loaded: np.ndarray
    blanked: dict[str, np.ndarray]


def to_arrow(spec: tuple, values, n: int) -> pa.Array:
    kind = spec[0]
    if kind == "const":
        return f_const(spec[1], n)
    if kind == "int":
        return f_int(values)
    if kind == "day":
        return f_day(values)
    if kind == "hhmm":
        return f_hhmm(values)
    if kind == "code":
        vocab = spec[1]
        if not isinstance(vocab, pa.Array):
            vocab = pa.array([str(v) for v in vocab], type=pa.string())
        return f_code(values, vocab)
    if kind == "str":
        return values if isinstance(values, pa.Array) else pa.array(list(values), type=pa.string())
    raise ValueError(f"unknown column kind {kind!r}")


#: Largest batch formatted at once (bounds memory at every scale).
CHUNK = 100_000


def write_rows(table: RawTable, spec: dict[str, tuple], data: dict[str, object], n: int,
               track_blank: tuple[str, ...] = ()) -> Written:
    """Write ``n`` rows whose columns are described by ``spec`` and valued by ``data`` (in chunks)."""
    if n > CHUNK:
        parts = []
        for a in range(0, n, CHUNK):
            b = min(n, a + CHUNK)
            sub = {k: (v.slice(a, b - a) if isinstance(v, pa.Array) else np.asarray(v)[a:b]) for k, v in data.items()}
            parts.append(write_rows(table, spec, sub, b - a, track_blank))
        return Written(np.concatenate([p.loaded for p in parts]),
                       {c: np.concatenate([p.blanked[c] for p in parts]) for c in track_blank})
    cols = {}
    for col, sp in spec.items():
        if sp[0] == "const":
            cols[col] = to_arrow(sp, None, n)
        elif col in data:
            cols[col] = to_arrow(sp, data[col], n)
    before = len(table.release.quirks)
    loaded = table.write(cols, n)
    blanked = {c: np.zeros(n, dtype=bool) for c in track_blank}
    if track_blank and len(table.release.quirks) > before:
        first_line = table.acc.data_lines - n + 2
        for q in table.release.quirks[before:]:
            if q["kind"] == "blank_key":
                col = q["detail"].split(" ", 1)[0]
                if col in blanked:
                    blanked[col][q["line"] - first_line] = True
    return Written(loaded, blanked)
