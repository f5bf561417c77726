"""A small, independent reader of raw release files for the generator's tests.

It does what the shared loader rule says a correct loader does (SCHEMA.md s1.3, s2): decode cp1252/latin-1,
strip NUL bytes and other control characters, split on TAB (no quoting), repair tab-shifted rows by the
type-pattern rule (``helpers.synth.formats.repair_outcome``, the shared contract), quarantine rows it cannot
repair and rows with a non-integer key, and pad short rows. Well-formed rows are parsed in bulk with
pyarrow; only rows with the wrong number of fields go through Python. It returns the kept rows as text
(trailing spaces trimmed) plus the accounting, so tests can recount truth.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from helpers.synth.formats import repair_outcome

_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Parsed:
    df: pd.DataFrame
    header: list[str]
    data_lines: int = 0
    repaired: int = 0
    padded: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    nul_bytes: int = 0
    high_bytes: int = 0


_CTRL_BYTES = bytes(list(range(0x00, 0x09)) + list(range(0x0B, 0x0D)) + list(range(0x0E, 0x20)) + [0x7F])


def _clean(col: pa.Array, has_ctrl: bool) -> pa.Array:
    if has_ctrl:
        col = pc.replace_substring_regex(col, r"[\x00-\x08\x0b-\x1f\x7f]", "")
    return pc.utf8_rtrim(col, characters=" ")


def read_raw(path: Path, n_fields: int | None = None, kinds: list[str] | None = None,
             key_kind_first: bool = True) -> Parsed:
    path = Path(path)
    data = path.read_bytes()
    assert data.endswith(b"\r\n"), f"{path}: the last line must end with CRLF"
    first = data.index(b"\r\n")
    header = data[:first].decode("latin-1").split("\t")
    width = n_fields or len(header)
    names = header + [f"column{len(header) + i}" for i in range(width - len(header))]
    out = Parsed(pd.DataFrame(), header, data_lines=data.count(b"\n") - 1)
    out.nul_bytes = data.count(b"\x00")
    out.high_bytes = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    has_ctrl = len(data) - len(data.translate(None, _CTRL_BYTES)) > 0
    bad: list[str] = []

    def handler(row):
        bad.append(row.text)
        return "skip"

    tbl = pv.read_csv(
        pa.py_buffer(data[first + 2:].replace(b"\x00", b"")),
        read_options=pv.ReadOptions(column_names=names, encoding="latin1" if out.high_bytes else "utf8",
                                    block_size=1 << 26),
        parse_options=pv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False, escape_char=False,
                                      newlines_in_values=False, invalid_row_handler=handler),
        convert_options=pv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                          quoted_strings_can_be_null=False),
    ) if out.data_lines else pa.table({n: pa.array([], pa.string()) for n in names})
    cols = {n: _clean(tbl.column(n).combine_chunks(), has_ctrl) for n in names}
    good = pa.table(cols)
    if key_kind_first and (kinds is None or kinds[0] == "key") and good.num_rows:
        k = good.column(names[0])
        nonint = pc.and_(pc.invert(pc.match_substring_regex(k, r"^\d+$")), pc.not_equal(k, ""))
        n_bad = int(pc.sum(nonint).as_py() or 0)
        if n_bad:
            out.quarantined["non_integer_key"] = n_bad
            good = good.filter(pc.invert(nonint))
    extra = []
    for text in bad:
        fields = [_CTRL.sub("", f) for f in text.rstrip("\r").split("\t")]
        if len(fields) > width:
            res, row = repair_outcome(kinds or ["text:100000"] * width, fields)
            if row is None:
                out.quarantined[res] = out.quarantined.get(res, 0) + 1
                continue
            out.repaired += 1
            fields = row
        elif len(fields) < width:
            out.padded += 1
            fields = fields + [""] * (width - len(fields))
        if key_kind_first and fields[0].strip() and not fields[0].strip().isdigit():
            out.quarantined["non_integer_key"] = out.quarantined.get("non_integer_key", 0) + 1
            continue
        extra.append([f.rstrip(" ") for f in fields])
    df = good.to_pandas(types_mapper=lambda t: pd.ArrowDtype(pa.string()) if t == pa.string() else None)
    if extra:
        df = pd.concat([df, pd.DataFrame(extra, columns=names, dtype=pd.ArrowDtype(pa.string()))], ignore_index=True)
    out.df = df
    return out
