"""The raw-format layer: the shared tab-shift rule and value formatting."""

from __future__ import annotations

import numpy as np

from helpers.synth.formats import KINDS, f_code, f_day, f_hhmm, f_int, field_ok, repair_outcome

# The real tab-shifted A_TblCase row of SCHEMA.md s2.1 (40 fields for 39 columns).
REAL_SHIFTED = ["7375924", "BROOKLYN", "", "NY", "11209", "", "", "EG", "AR", "N", "M", "2024-09-12 00:00:00.000",
                "0", "RMV", "NYC", "2014-12-02 00:00:00.000", "1000", "M", "", "", "", "", "", "",
                "1998-12-06 00:00:00.000", "I", "4/1974", "", "", "", "", "F", "", "", "0", "", "", "", "", "N/A"]


def test_real_example_is_repaired_as_schema_lists():
    res, row = repair_outcome(KINDS["A_TblCase"], REAL_SHIFTED)
    assert res == "repaired"
    got = dict(zip(["IDNCASE", "ALIEN_CITY", "ALIEN_STATE", "ALIEN_ZIPCODE", "NAT", "LANG", "CUSTODY"],
                   [row[0], row[1].strip(), row[2], row[3], row[6], row[7], row[8]]))
    assert got == {"IDNCASE": "7375924", "ALIEN_CITY": "BROOKLYN", "ALIEN_STATE": "NY", "ALIEN_ZIPCODE": "11209",
                   "NAT": "EG", "LANG": "AR", "CUSTODY": "N"}
    assert row[10] == "2024-09-12 00:00:00.000" and row[12] == "RMV" and row[38] == "N/A" and row[30] == "F"


def test_tab_inside_a_datetime_has_no_valid_merge():
    fields = list(REAL_SHIFTED[:1]) + ["BROOKLYN", "NY", "11209"] + REAL_SHIFTED[5:]
    assert len(fields) == 39
    e28 = fields[10]
    broken = fields[:10] + [e28[:10], e28[11:]] + fields[11:]
    assert repair_outcome(KINDS["A_TblCase"], broken) == ("tab_shift_unrepairable", None)


def test_two_different_valid_merges_are_ambiguous():
    kinds = ["key", "text:40", "text:40", "code:2"]
    assert repair_outcome(kinds, ["1", "a", "b", "c", "NY"])[0] == "tab_shift_ambiguous"
    # merging an empty neighbour gives the same row either way: repaired (the real example's case)
    assert repair_outcome(kinds, ["1", "a", "", "c", "NY"])[0] == "repaired"
    assert repair_outcome(["key", "text:40", "code:2"], ["1", "a", "b", "NY"])[0] == "repaired"


def test_field_kinds():
    assert field_ok("datetime", "2019-03-04 00:00:00.000") and not field_ok("datetime", "00:00:00.000")
    assert field_ok("code:3", "SP ") and not field_ok("code:2", "ABC") and not field_ok("code:10", "NY\t1")
    assert field_ok("zip:10", "11209") and not field_ok("zip:10", "NY")
    assert field_ok("state", "NY") and not field_ok("state", "N1")
    assert field_ok("hhmm", "0900") and field_ok("bit", "1") and not field_ok("bit", "2")
    assert field_ok("monthyear", "4/1974") and field_ok("key", "") and not field_ok("key", "FC")


def test_value_formatting():
    assert f_day(np.array([17805, -1])).to_pylist() == ["2018-10-01 00:00:00.000", None]
    assert f_hhmm(np.array([540, 75, -1])).to_pylist() == ["0900", "0115", None]
    assert f_int(np.array([7, -1])).to_pylist() == ["7", None]
    assert f_code(np.array([1, -1]), ["01", "02"]).to_pylist() == ["02", None]
