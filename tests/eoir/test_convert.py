"""Typed conversion: every kind, null tokens, implausible dates, malformed keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from helpers.eoir.convert import convert_block
from helpers.eoir.schema import Col, TableSpec, plan_columns


def run(cols: list[Col], rows: list[list[str]]):
    spec = TableSpec("T", tuple(cols))
    plan = plan_columns(spec, [c.name for c in cols])
    tbl = pa.table({f"f{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(len(cols))})
    lines = np.arange(2, 2 + len(rows), dtype=np.int64)
    return convert_block(tbl, lines, plan)


def test_datetimes_with_implausible_and_invalid_values():
    c = run([Col("D", "datetime")], [["2007-05-11 23:46:14.963"], ["2024-09-12 00:00:00.000"], ["2024-09-12"],
                                     ["1900-01-01 00:00:00.000"], ["2036-01-01 00:00:00.000"], ["2020-02-30"],
                                     ["not a date"], [""]])
    assert c.table.column("d").to_pylist() == [dt.datetime(2007, 5, 11, 23, 46, 14, 963000), dt.datetime(2024, 9, 12),
                                               dt.datetime(2024, 9, 12), None, None, None, None, None]
    st = c.columns["d"]
    assert (st.implausible, st.invalid) == (2, 2)
    assert st.examples[0] == {"line": 7, "value": "2020-02-30", "problem": "invalid"}
    assert c.table.schema.field("d").type == pa.timestamp("ms")


def test_us_style_datetimes_are_read():
    c = run([Col("D", "datetime")], [["8/10/2003 12:00:00 AM"], ["8/10/2003 1:30:00 PM"]])
    assert c.table.column("d").to_pylist() == [dt.datetime(2003, 8, 10), dt.datetime(2003, 8, 10, 13, 30)]


def test_clock_times_month_years_and_bits():
    rows = [["0930", "4/1974", "1"], ["930", "12/2001", "0"], ["9:05", "13/2001", "true"], ["0", "1/1850", "Y"],
            ["2460", "", ""]]
    c = run([Col("T", "hhmm"), Col("M", "monthyear"), Col("B", "bit")], rows)
    assert c.table.column("t").to_pylist() == [dt.time(9, 30), dt.time(9, 30), dt.time(9, 5), None, None]
    assert c.table.column("m").to_pylist() == [dt.date(1974, 4, 1), dt.date(2001, 12, 1), None, None, None]
    assert c.table.column("b").to_pylist() == [True, False, True, None, None]
    assert c.columns["t"].tokens == {"0": 1} and c.columns["t"].invalid == 1
    assert (c.columns["m"].invalid, c.columns["m"].implausible) == (1, 1)
    assert c.columns["b"].invalid == 1
    assert [f.type for f in c.table.schema] == [pa.time32("s"), pa.date32(), pa.bool_()]


def test_codes_keep_leading_zeros_and_lose_trailing_spaces_and_null_tokens():
    cols = [Col("ATTY_NBR", "code", 2), Col("LANG", "code", 3), Col("CITY", "text", 15),
            Col("RELEASE_MONTH", "code", 2, nulls=("00",))]
    rows = [["01", "SP ", "  SAN \"YSIDRO ", "00"], ["0", "N/A", "b6", "12"], ["", " X", "", ""]]
    c = run(cols, rows)
    t = c.table.to_pydict()
    assert t == {"atty_nbr": ["01", "0", None], "lang": ["SP", None, " X"], "city": ['SAN "YSIDRO', None, None],
                 "release_month": [None, "12", None]}
    assert c.columns["lang"].tokens == {"N/A": 1}
    assert c.columns["city"].tokens == {"b6": 1}
    assert c.columns["release_month"].tokens == {"00": 1}


def test_non_integer_key_goes_to_quarantine_blank_key_is_written():
    cols = [Col("IDNPROCEEDING", "key", pk=True), Col("IDNCASE", "key"), Col("X", "int")]
    rows = [["1", "10", "5"], ["FC", "11", "6"], ["", "12", "x"], ["4", "1 2", "7"]]
    c = run(cols, rows)
    assert c.table.to_pydict() == {"idnproceeding": [1, None], "idncase": [10, 12], "x": [5, None]}
    assert [(q.line, q.reason, q.detail, q.raw) for q in c.quarantine] == [
        (3, "non_integer_key", "IDNPROCEEDING='FC' is not an integer", "FC\t11\t6"),
        (5, "non_integer_key", "IDNCASE='1 2' is not an integer", "4\t1 2\t7")]
    assert c.blank_keys == {"idnproceeding": 1}
    assert c.columns["x"].invalid == 1


def test_guid_primary_key_checked_other_guids_upper_cased():
    g = "96d575b3-6f95-4c43-8a7a-058a4e468125"
    c = run([Col("EOIRAttorneyID", "guid", pk=True), Col("Other", "guid")], [[g, g], ["nonsense", g], [g.upper(), "x"]])
    assert c.table.column("eoirattorneyid").to_pylist() == [g.upper(), g.upper()]
    assert c.table.column("other").to_pylist() == [g.upper(), None]
    assert [q.reason for q in c.quarantine] == ["invalid_guid_key"]
