"""End-to-end ingest of a tiny release with every documented quirk: exact expected outcomes.

The release (tests/eoir/builder.py ``quirks_release``) is synthetic test data in the exact raw format.
It is ingested once from a folder and once from a zip whose large members use Deflate64; both must
give the same Parquet tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from helpers.eoir import tableio
from helpers.eoir.ingest import ingest

from .builder import TOP, quirks_release


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    base = tmp_path_factory.mktemp("quirks")
    rel = quirks_release()
    folder = rel.folder(base / "release")
    big = {f"{TOP}/EOIR Case Data/{t}.csv": 9 for t in ("A_TblCase", "B_TblProceeding", "tbl_schedule")}
    zpath = rel.zip(base / "EOIR Case Data.zip", methods=big)
    rep_folder = ingest(folder, base / "out_folder", quiet=True)
    rep_zip = ingest(zpath, base / "out_zip", quiet=True)
    return base, rep_folder, rep_zip


def table(base, name, which="out_folder", sub="tables"):
    return pq.read_table(base / which / sub / f"{name}.parquet")


def test_accounting_reconciles_exactly(ingested):
    base, rep, _ = ingested
    assert rep["reconciled"] is True and rep["problems"] == []
    a = rep["tables"]["a_tblcase"]
    assert (a["physical_lines"], a["lines_read"], a["rows_written"], a["rows_repaired"], a["rows_quarantined"]) == \
           (7, 7, 6, 1, 1)
    assert a["quarantined_by_reason"] == {"tab_shift_unrepairable": 1}
    p = rep["tables"]["b_tblproceeding"]
    assert (p["lines_read"], p["rows_written"], p["rows_quarantined"]) == (5, 4, 1)
    assert p["quarantined_by_reason"] == {"non_integer_key": 1}
    m = rep["tables"]["tbl_court_motions"]
    assert (m["physical_lines"], m["lines_joined"], m["lines_read"], m["rows_written"], m["rows_padded"],
            m["rows_repaired_tab_shift"], m["rows_rejoined_newline"], m["rows_quarantined"]) == (5, 1, 4, 4, 1, 1, 1, 0)
    for section in ("tables", "lookups"):
        for name, e in rep[section].items():
            assert e["lines_read"] == e["rows_written"] + e["rows_quarantined"], name
            assert e["physical_lines"] == e["lines_read"] + e["lines_joined"], name


def test_zip_with_deflate64_members_gives_identical_tables(ingested):
    base, rep_f, rep_z = ingested
    assert rep_z["tables"]["b_tblproceeding"]["fingerprint"]["method"] == 9
    for name in rep_f["tables"]:
        if "error" in rep_f["tables"][name]:
            continue
        assert table(base, name).equals(table(base, name, "out_zip")), name
    for name in rep_f["lookups"]:
        assert table(base, name, sub="lookups").equals(table(base, name, "out_zip", "lookups")), name


def test_real_shifted_row_comes_out_as_listed(ingested):
    base, _, _ = ingested
    df = table(base, "a_tblcase").to_pandas()
    r = df[df.idncase == 7375924].iloc[0]
    got = {k: r[k] for k in ["alien_city", "alien_state", "alien_zipcode", "nat", "lang", "custody", "site_type",
                             "atty_nbr", "case_type", "update_site", "latest_cal_type", "c_asy_type", "sex"]}
    assert got == {"alien_city": "BROOKLYN", "alien_state": "NY", "alien_zipcode": "11209", "nat": "EG", "lang": "AR",
                   "custody": "N", "site_type": "M", "atty_nbr": "0", "case_type": "RMV", "update_site": "NYC",
                   "latest_cal_type": "M", "c_asy_type": "I", "sex": "F"}
    assert r.e_28_date == pd.Timestamp("2024-09-12")
    assert r.latest_hearing == pd.Timestamp("2014-12-02")
    assert r.latest_time == dt.time(10, 0)
    assert r.date_of_entry == pd.Timestamp("1998-12-06")
    assert r.c_birthdate == dt.date(1974, 4, 1)
    assert r.lpr is False or r.lpr == False  # noqa: E712 - numpy bool
    assert pd.isna(r.casepriority_code)          # the N/A null token
    assert pd.isna(r.updated_zipcode) and pd.isna(r.up_bond_date)


def test_byte_quirks_and_value_rules(ingested):
    base, rep, _ = ingested
    df = table(base, "a_tblcase").to_pandas().set_index("idncase", drop=False)
    assert list(df.idncase.astype("Int64")) == [1, 7375924, 2, 3, 1, pd.NA]      # file order kept
    assert df.loc[2, "alien_city"] == "NEW YORK"                                  # NUL byte removed
    assert df.loc[3, "alien_city"] == "SAN JOS\u00ff"                              # 0xFF read as cp1252
    first = df.iloc[0]
    assert first.alien_city == 'SAN "YSIDRO'                                       # a quote is an ordinary char
    assert (first.lang, first.atty_nbr) == ("SP", "01")                            # trimmed; leading zero kept
    assert pd.isna(first.release_month) and pd.isna(first.release_year)           # 00 / 0000 mean none
    assert first.latest_time == dt.time(9, 30)
    a = rep["tables"]["a_tblcase"]
    assert a["bytes"]["nul_removed"] == 1 and a["bytes"]["non_ascii_decoded_cp1252"] == 1
    assert a["line_ending"] == "CRLF"
    assert a["values_nulled"]["release_month"]["tokens"] == {"00": 1}
    assert a["values_nulled"]["casepriority_code"]["tokens"] == {"N/A": 2}
    p = table(base, "b_tblproceeding").to_pandas()
    assert list(p.idnproceeding) == [1, 3, 4, 5]
    assert pd.isna(p.appeal_rsvd.iloc[0])                                          # ESC control char stripped
    assert pd.isna(p.aggravate_felon.iloc[0]) and pd.isna(p.osc_date.iloc[0])
    pe = rep["tables"]["b_tblproceeding"]
    assert pe["bytes"]["other_control_removed"] == 1
    assert pe["values_nulled"]["aggravate_felon"] == {"tokens": {}, "invalid": 1, "implausible": 0,
                                                     "examples": [{"line": 2, "value": "Y", "problem": "invalid"}]}
    assert pe["values_nulled"]["osc_date"]["implausible"] == 1
    s = table(base, "tbl_schedule").to_pandas()
    assert table(base, "tbl_schedule").column("adj_medium").to_pylist() == ["p", "P", None]                               # lower-case p kept as is
    assert s.eoirattorneyid.iloc[0] == "96D575B3-6F95-4C43-8A7A-058A4E468125"
    ch = table(base, "b_tblproceedcharges").to_pandas()
    assert ch.charge.iloc[0] == "(212)(a)(06)(A)(i  )(   )"                         # trailing spaces only
    assert table(base, "tbl_court_appln").column("appl_code").to_pylist() == ["212c"]


def test_motions_ragged_rows(ingested):
    base, _, _ = ingested
    m = table(base, "tbl_court_motions").to_pandas()
    assert list(m.idnmotion) == [1, 2, 3, 4]
    assert list(m.columns[-2:]) == ["column41", "column42"]
    assert m.column41.iloc[0] == "2007-03-08 20:01:00.000" and m.column42.iloc[0] == "A.2.a"
    assert pd.isna(m.column41.iloc[1])                                             # padded short row
    assert list(m.ij_name_remove) == ["SMITH", "SMITH", "SMITH JOHN", "DOE JANE"]   # re-joined / repaired
    assert list(m.dec) == ["G"] * 4


def test_bond_row_with_tab_in_court_name_is_repaired(ingested):
    base, rep, _ = ingested
    b = table(base, "d_tblassociatedbond")
    assert b.column("base_city_name").to_pylist() == ["IMMIGRATION COURT", None]
    assert b.column("hearing_loc_code").to_pylist() == ["NYD", None]
    assert rep["tables"]["d_tblassociatedbond"]["rows_repaired_tab_shift"] == 1


def test_lf_line_ends_give_the_same_tables(ingested, tmp_path):
    base, _, _ = ingested
    rel = tmp_path / "lf"
    for f in (base / "release").rglob("*"):
        if f.is_file():
            dest = rel / f.relative_to(base / "release")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes().replace(b"\r\n", b"\n"))
    rep = ingest(rel, tmp_path / "out", quiet=True)
    assert rep["tables"]["a_tblcase"]["line_ending"] == "LF"
    for name in ("a_tblcase", "b_tblproceeding", "tbl_court_motions", "d_tblassociatedbond"):
        assert pq.read_table(tmp_path / "out" / "tables" / f"{name}.parquet").equals(table(base, name)), name


def test_mixed_case_parent_table_kept_as_is(ingested):
    base, _, _ = ingested
    assert table(base, "tbl_repsassigned").column("parent_table").to_pylist() == \
        ["a_tblcase", "A_Tblcase", "A_TblCase", "b_tblproceeding", "tblAppeal"]


def test_quarantine_file_names_line_reason_and_raw_text(ingested):
    base, _, _ = ingested
    with open(base / "out_folder" / "quarantine" / "b_tblproceeding.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    q = rows[0]
    assert q["source_file"] == f"{TOP}/EOIR Case Data/B_TblProceeding.csv"
    assert (q["line_number"], q["reason"], q["detail"]) == ("3", "non_integer_key", "IDNPROCEEDING='FC' is not an integer")
    assert q["raw_text"].split("\t")[:2] == ["FC", "1"] and q["raw_text"].count("\t") == 37
    with open(base / "out_folder" / "quarantine" / "a_tblcase.csv", newline="", encoding="utf-8") as f:
        (qa,) = list(csv.DictReader(f))
    assert (qa["line_number"], qa["reason"]) == ("8", "tab_shift_unrepairable")
    assert not (base / "out_folder" / "quarantine" / "tbl_schedule.csv").exists()


def test_keys_duplicates_blank_keys_and_orphans(ingested):
    _, rep, _ = ingested
    a = rep["tables"]["a_tblcase"]
    assert a["duplicate_keys"] == {"key": "idncase", "keys_duplicated": 1, "rows_with_duplicated_key": 2,
                                   "examples": [{"value": 1, "rows": 2}]}
    assert a["blank_keys"] == {"idncase": 1}
    assert a["primary_key_increasing"] is False
    assert rep["tables"]["tbl_schedule"]["blank_keys"] == {"idnproceeding": 1}
    # keys that strictly increase in file order cannot repeat: no DuckDB pass needed
    assert rep["tables"]["tbl_schedule"]["duplicate_keys"] == {
        "key": "idnschedule", "keys_duplicated": 0, "rows_with_duplicated_key": 0, "examples": [],
        "method": "keys strictly increasing in file order"}
    o = rep["orphans"]
    assert o["proceedings->cases"]["orphan_rows"] == 1                # case 999
    assert o["schedule->proceedings"]["orphan_rows"] == 1             # proceeding 777 (blank key not counted)
    assert o["representatives->cases"]["orphan_rows"] == 1            # case 555
    assert o["motions->proceedings"]["orphan_rows"] == 0
    assert o["bonds->cases"]["orphan_rows"] == 0


def test_count_txt_compared_and_flagged(ingested):
    _, rep, _ = ingested
    assert rep["tables"]["a_tblcase"]["count_txt"] == 9
    assert rep["tables"]["a_tblcase"]["count_txt_diff"] == -2
    assert rep["tables"]["b_tblproceeding"]["count_txt_diff"] == 0
    assert rep["lookups"]["tbllookupjudge"]["count_txt_diff"] == 0
    assert "a_tblcase: 7 rows in the file, Count.txt says 9" in rep["warnings"]


def test_missing_and_empty_tables_are_reported(ingested):
    base, rep, _ = ingested
    assert rep["missing_tables"] == ["tblthreembrreferrals"]
    assert "tblthreembrreferrals: core table not found in the release" in rep["warnings"]
    e = rep["tables"]["tblappeal2"]
    assert (e["lines_read"], e["rows_written"], e["reconciled"]) == (0, 0, True)
    assert table(base, "tblappeal2").num_rows == 0
    pb = rep["tables"]["tblprobono"]
    assert pb["rows_written"] == 0 and pb["warnings"][0].startswith("file is empty (no header line)")
    assert table(base, "tblprobono").schema.names[:2] == ["case_type", "dec_212c"]


def test_lookups_all_ingested_with_generic_rule(ingested):
    base, rep, _ = ingested
    assert sorted(rep["lookups"]) == ["tbladjournmentcodes", "tbllookupcasetype", "tbllookupcourtdecision",
                                      "tbllookupempty", "tbllookupjudge", "tbllookupsex", "tbllookupweird"]
    assert table(base, "tbllookupempty", sub="lookups").num_rows == 0
    w = table(base, "tbllookupweird", sub="lookups")
    assert w.schema.names == ["idnweird", "strcode", "datcreatedon", "blnactive", "other"]
    assert w.to_pylist() == [{"idnweird": 7, "strcode": "q", "datcreatedon": dt.datetime(2001, 2, 3),
                              "blnactive": True, "other": "extra"}]
    cd = table(base, "tbllookupcourtdecision", sub="lookups").to_pandas()
    assert cd.strdecdescription.iloc[2] == "Deported"                               # NUL removed


def test_data_source_and_report_file(ingested):
    base, rep, rep_zip = ingested
    assert rep["data_source"] == "eoir:2026-04-01" and rep["synthetic"] is False
    assert rep_zip["data_source"] == "eoir:2026-04-01"
    on_disk = json.loads((base / "out_folder" / "ingest_report.json").read_text())
    assert on_disk["reconciled"] is True and on_disk["tables"]["a_tblcase"]["rows_written"] == 6
    assert "implausible_dates" in on_disk["policies"]


def test_renamed_extra_and_missing_columns(tmp_path):
    from .builder import CORE_HEADERS, Release

    hdr = [("GENDER" if h == "Sex" else h) for h in CORE_HEADERS["A_TblCase"] if h != "DCO_LOCATION"] + ["NEW_COL"]
    row = {h: "" for h in hdr} | {"IDNCASE": "5", "GENDER": "M", "NEW_COL": "hello", "CASE_TYPE": "RMV"}
    rel = Release().core("A_TblCase", [[row[h] for h in hdr]], header=hdr)
    rep = ingest(rel.folder(tmp_path / "rel"), tmp_path / "out", quiet=True)
    e = rep["tables"]["a_tblcase"]
    assert e["column_changes"] == {"renamed": {"GENDER": "Sex"}, "extra": ["NEW_COL"], "missing": ["DCO_LOCATION"]}
    t = pq.read_table(tmp_path / "out" / "tables" / "a_tblcase.parquet")
    assert t.column("sex").to_pylist() == ["M"]
    assert t.column("new_col").to_pylist() == ["hello"]
    assert t.column("dco_location").to_pylist() == [None]
    assert t.schema.names[-1] == "new_col"


def test_synthetic_release_truth_json(tmp_path):
    from .builder import Release, filler

    truth = {"data_source": "synthetic:tiny:20181001", "effects": "default"}
    rel = Release(top=None).core("A_TblCase", [filler("A_TblCase", 1)]).put("truth.json", json.dumps(truth).encode())
    rep = ingest(rel.zip(tmp_path / "EOIR Case Data 2026-0401.zip"), tmp_path / "out", quiet=True)
    assert rep["data_source"] == "synthetic:tiny:20181001" and rep["synthetic"] is True
    assert json.loads((tmp_path / "out" / "truth.json").read_text()) == truth


def test_result_does_not_depend_on_block_size(tmp_path, monkeypatch, ingested):
    base, _, _ = ingested
    monkeypatch.setattr(tableio, "BLOCK_BYTES", 300)     # every few lines a new block
    rep = ingest(base / "release", tmp_path / "out", quiet=True)
    assert rep["reconciled"]
    assert rep["tables"]["a_tblcase"]["duplicate_keys"]["keys_duplicated"] == 1
    assert rep["tables"]["tbl_schedule"]["primary_key_increasing"] is True
    for name in ("a_tblcase", "b_tblproceeding", "tbl_court_motions", "tbl_schedule"):
        assert pq.read_table(tmp_path / "out" / "tables" / f"{name}.parquet").equals(table(base, name)), name
