"""Tab-shift repair by type pattern, embedded-newline re-join, padding, quarantine decisions."""

from __future__ import annotations

from helpers.eoir.repair import repair_shift, resolve_bad_lines
from helpers.eoir.schema import plan_columns
from helpers.eoir.tables import CORE

from .builder import CORE_HEADERS, DT, fields

# The real shifted A_TblCase row (April 2026 release), field by field as in the shared SCHEMA.md 2.1:
# 40 fields for the 39-column header; ALIEN_CITY "BROOKLYN" carried an extra TAB.
REAL_SHIFTED = ("7375924|BROOKLYN||NY|11209|||EG|AR|N|M|2024-09-12 00:00:00.000|0|RMV|NYC|2014-12-02 00:00:00.000|"
                "1000|M|||||||1998-12-06 00:00:00.000|I|4/1974|||||F|||0|||||N/A").split("|")


def plan(table: str, header=None):
    return plan_columns(CORE[table.lower()], list(header or CORE_HEADERS[table]))


def test_real_shifted_case_row_is_repaired_exactly():
    assert len(REAL_SHIFTED) == 40
    row, reason, detail = repair_shift(REAL_SHIFTED, plan("A_TblCase"))
    assert reason == "repaired"
    expected = fields("A_TblCase", IDNCASE="7375924", ALIEN_CITY="BROOKLYN", ALIEN_STATE="NY", ALIEN_ZIPCODE="11209",
                      NAT="EG", LANG="AR", CUSTODY="N", SITE_TYPE="M", E_28_DATE="2024-09-12 00:00:00.000",
                      ATTY_NBR="0", CASE_TYPE="RMV", UPDATE_SITE="NYC", LATEST_HEARING="2014-12-02 00:00:00.000",
                      LATEST_TIME="1000", LATEST_CAL_TYPE="M", DATE_OF_ENTRY="1998-12-06 00:00:00.000",
                      C_ASY_TYPE="I", C_BIRTHDATE="4/1974", Sex="F", LPR="0", CASEPRIORITY_CODE="N/A")
    assert row == expected
    # merging the city with its empty neighbour, or the empty value with the state, give the same row
    assert detail == "merged 2 fields into ALIEN_CITY/ALIEN_STATE"


def test_ambiguous_shift_is_quarantined():
    # two neighbouring free-text columns: "abc<TAB>def" + "ghi" could be (abc def | ghi) or (abc | def ghi)
    f = fields("A_TblCase", IDNCASE="5", CASE_TYPE="RMV", DETENTION_LOCATION="abc", DCO_LOCATION="def")
    f.insert(37, "ghi")
    row, reason, detail = repair_shift(f, plan("A_TblCase"))
    assert row is None and reason == "tab_shift_ambiguous"
    assert "DETENTION_LOCATION" in detail and "DCO_LOCATION" in detail


def test_unrepairable_shift_is_quarantined():
    # the extra field sits between two datetime columns: no merge at a code/text column makes every value fit
    f = fields("B_TblProceeding", IDNPROCEEDING="9", IDNCASE="9", OSC_DATE=DT, INPUT_DATE=DT, BASE_CITY_CODE="NYC")
    f.insert(3, "2019")
    row, reason, detail = repair_shift(f, plan("B_TblProceeding"))
    assert (row, reason) == (None, "tab_shift_unrepairable")
    assert detail.startswith("39 fields, expected 38")


def test_extra_trailing_tab_is_repaired():
    f = fields("tbl_Court_Appln", IDNPROCEEDINGAPPLN="1", IDNPROCEEDING="2", IDNCASE="3", APPL_CODE="ASYL",
               APPL_RECD_DATE=DT, APPL_DEC="G") + [""]
    row, reason, _ = repair_shift(f, plan("tbl_Court_Appln"))
    assert reason == "repaired" and row == ["1", "2", "3", "ASYL", DT, "G"]


def test_resolve_pads_short_rows_and_rejoins_split_rows():
    p = plan("tbl_Court_Appln")
    full = ["1", "2", "3", "ASYL", DT, "G"]
    bad = [
        (1, "\t".join(full[:4])),                    # short row: padded
        (3, "4\t5\t6\tASYL"),                          # a value ending in a newline splits the row ...
        (4, "\t" + DT + "\tD"),                        # ... 4 + 3 fields = 6 + 1
        (6, ""),                                       # empty line
        (7, "\t".join(full + ["x", "y"])),             # two extra fields after APPL_DEC: merged into it
    ]
    res = resolve_bad_lines(bad, p, first_line=10)
    assert res.rows == [(10, ["1", "2", "3", "ASYL", "", ""]), (12, ["4", "5", "6", "ASYL", DT, "D"]),
                        (16, ["1", "2", "3", "ASYL", DT, "G x y"])]
    assert (res.padded, res.rejoined, res.lines_joined, res.repaired) == (1, 1, 1, 1)
    assert [(q.line, q.reason) for q in res.quarantine] == [(15, "empty_line")]


def test_motions_rows_have_two_unnamed_trailing_fields():
    p = plan("tbl_Court_Motions")
    assert len(p.header) == 41 and p.fields == 43
    assert p.names[-2:] == ["column41", "column42"]
    assert p.changes["unnamed"] == ["column41", "column42"]


def test_motions_header_with_empty_trailing_names():
    p = plan("tbl_Court_Motions", list(CORE_HEADERS["tbl_Court_Motions"]) + ["", ""])
    assert p.fields == 43 and p.names[-2:] == ["column41", "column42"]
    assert p.changes["unnamed"] == ["column41", "column42"] and p.changes["extra"] == []


def test_trailing_empty_field_after_a_date_column():
    # B_TblProceeding ends with two datetime columns; an extra empty field at the end is dropped
    f = fields("B_TblProceeding", IDNPROCEEDING="9", IDNCASE="9", CASE_TYPE="RMV", AGGRAVATE_FELON="0",
               DATE_DETAINED=DT, DATE_RELEASED=DT) + [""]
    row, reason, _ = repair_shift(f, plan("B_TblProceeding"))
    assert reason == "repaired" and row == f[:-1]
    # with empty dates, merging IHP with AGGRAVATE_FELON would also fit: two different rows -> ambiguous
    g = fields("B_TblProceeding", IDNPROCEEDING="9", IDNCASE="9", CASE_TYPE="RMV", AGGRAVATE_FELON="0") + [""]
    assert repair_shift(g, plan("B_TblProceeding"))[1] == "tab_shift_ambiguous"
