"""The background reader used while blocks are converted and written."""

from __future__ import annotations

import threading

import pytest

from helpers.eoir.tableio import prefetch


def test_prefetch_keeps_order_and_ends():
    assert list(prefetch(iter(range(50)), depth=3)) == list(range(50))


def test_prefetch_raises_the_readers_error_in_the_consumer():
    def items():
        yield 1
        raise ValueError("corrupt member")

    got = []
    with pytest.raises(ValueError, match="corrupt member"):
        for x in prefetch(items()):
            got.append(x)
    assert got == [1]


def test_consumer_stopping_early_stops_the_reader():
    gen = prefetch(iter(range(10_000)), depth=2)
    assert next(gen) == 0
    assert any(t.name == "ingest-reader" for t in threading.enumerate())
    gen.close()
    assert not any(t.name == "ingest-reader" for t in threading.enumerate())


def test_parse_in_pieces_numbers_malformed_lines_in_the_whole_block():
    from helpers.eoir.schema import Col, TableSpec, plan_columns
    from helpers.eoir.tableio import _parse

    plan = plan_columns(TableSpec("T", (Col("A", "key"), Col("B", "code"))), ["A", "B"])
    lines = [f"{i}\tx" for i in range(1, 40)]
    lines[9] = "10\tx\textra"          # line 10
    lines[30] = "31"                   # line 31
    data = ("\n".join(lines) + "\n").encode()
    whole, bad_whole = _parse(data, plan, piece=1 << 20)
    pieces, bad_pieces = _parse(data, plan, piece=16)
    assert bad_whole == bad_pieces == [(10, "10\tx\textra"), (31, "31")]
    assert pieces.equals(whole) and whole.num_rows == 37


def test_repaired_rows_are_put_back_in_file_order():
    import numpy as np
    import pyarrow as pa

    from helpers.eoir.tableio import _insert_rows

    tbl = pa.table({"f0": [str(i) for i in (1, 2, 4, 6)]})
    lines = np.array([1, 2, 4, 6])
    few, few_lines = _insert_rows(tbl, lines, [(3, ["3"]), (5, ["5"]), (7, ["7"])])
    assert few.column("f0").to_pylist() == ["1", "2", "3", "4", "5", "6", "7"]
    assert list(few_lines) == [1, 2, 3, 4, 5, 6, 7]
    many_rows = [(i, [str(i)]) for i in range(7, 107)]
    many, many_lines = _insert_rows(tbl, lines, many_rows)          # > 64 rows: sorted with take
    assert many.column("f0").to_pylist() == [str(i) for i in (1, 2, 4, 6)] + [str(i) for i in range(7, 107)]
    assert list(many_lines) == [1, 2, 4, 6] + list(range(7, 107))
