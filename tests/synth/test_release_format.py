"""Format conformance of a generated release (tiny): layout, headers, delimiters, line ends, value formats,
codes present in the emitted lookups, fictional courts and judges."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from helpers.synth.formats import CORE_HEADERS, EXTRA_FIELDS, KINDS, field_ok

from .conftest import truth_of
from .recount import load, lookup

#: Column count and sha256 prefix of the TAB-joined 2026 header of each core file, computed from the shared
#: reference/compiled/table_headers_2026.csv (in_header = yes) when this test was written.
HEADER_SHA = {
    "A_TblCase": (39, "494b247e26e13e25"), "B_TblProceeding": (38, "0eeb7d031168e77d"),
    "tbl_schedule": (30, "6d2c933fdacbf395"), "tbl_Court_Appln": (6, "e57e1054a4374a19"),
    "tbl_Court_Motions": (41, "71ee6f53d5ed14c9"), "tbl_CustodyHistory": (5, "2bc2876bc009eb54"),
    "tbl_RepsAssigned": (11, "63273aad31259e35"), "tbl_EOIR_Attorney": (7, "eeaea04401611ef5"),
    "B_TblProceedCharges": (5, "0d98b5a2db4fa6b0"), "D_TblAssociatedBond": (31, "a493b827f50789ae"),
    "A_TblCaseIdentifier": (3, "e7c09a46d0603b98"), "tbl_CasePriorityHistory": (5, "34dfc829844dee3a"),
    "tbl_JuvenileHistory": (6, "21ebced55e053039"), "tbl_Lead_Rider": (11, "0ff3480ebf54fb6f"),
    "tblAppeal": (17, "8c4eaf6d152fc224"), "tblAppeal2": (3, "515146b7b4ff870f"),
    "tblAppealFedCourts": (4, "611034d26fd4adce"), "tblThreeMbrReferrals": (4, "2c18d231b19787d2"),
    "tblProBono": (65, "71b013b51fd42436"),
}

#: Base-city codes of real EOIR courts (SCHEMA.md s4, tblLookupBaseCity): a synthetic court must not use one.
REAL_COURTS = set("AGA ATL BAL BDC BOS BUF CHI DAL DEN DET ELO ELP ELZ HAR HLG HON HOU IMP KRO LAN LOS LVG MEM MIA "
                  "NEW NOL NYC OAK ORL PHI PHO PIS POO SAJ SEA SFR SNA SND SPD TUC ULS WAS YOR SLC CLE FLO TAC CHL "
                  "KAN OMA SAI SDC ADL AUR BTV ELC OTM OTO JNA LOU CIC FTW SMO VNS RIC SNC LRO HYA STE LOW".split())


def _files(root: Path):
    return sorted((root / "EOIR Case Data").glob("*.csv")) + sorted((root / "Lookup").glob("*.csv"))


def test_layout(tiny):
    assert tiny.name == "SYNTHETIC EOIR Case Data tiny seed 20181001"
    core = {p.stem for p in (tiny / "EOIR Case Data").glob("*.csv")}
    assert core == set(HEADER_SHA)
    assert (tiny / "EOIR Case Data" / "Count.txt").is_file()
    assert (tiny / "EOIRDB_Schema.csv").is_file()
    for name in ("tblLookupJudge", "tblLookupBaseCity", "tblLookupHloc", "tblLookupCourtDecision",
                 "tblAdjournmentcodes", "tblLookUp_Appln", "tblLookupCourtAppDecisions", "tblLookupMotionType",
                 "tblLookupNationality", "tblLanguage", "tblLookupCaseType", "tbllookupCal_Type"):
        assert (tiny / "Lookup" / f"{name}.csv").is_file(), name
    readme = (tiny / "README_SYNTHETIC.txt").read_text()
    assert "SYNTHETIC DATA" in readme and "not findings" in readme
    t = truth_of(tiny)
    for rel in t["truth_tables"].values():
        assert (tiny / rel).is_file(), rel


def test_headers_exact(tiny):
    for name, (n, sha) in HEADER_SHA.items():
        first = (tiny / "EOIR Case Data" / f"{name}.csv").read_bytes().split(b"\r\n", 1)[0].decode()
        cols = first.split("\t")
        assert len(cols) == n, name
        assert hashlib.sha256(first.encode()).hexdigest()[:16] == sha, name
        assert cols == CORE_HEADERS[name]


def test_crlf_tabs_and_listed_quirks(tiny):
    """Every line ends with CRLF; every data line has the expected number of TABs unless truth.json lists
    it as a tab shift or a short row; NUL and high bytes only on listed lines."""
    truth = truth_of(tiny)
    listed = {(q["file"], q["line"]): q["kind"] for q in truth["quirks"]}
    for path in _files(tiny):
        rel = path.relative_to(tiny).as_posix()
        data = path.read_bytes()
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n"), rel
        lines = data[:-2].split(b"\r\n")
        width = len(lines[0].split(b"\t")) + EXTRA_FIELDS.get(path.stem, 0)
        for i, line in enumerate(lines[1:], start=2):
            n = line.count(b"\t") + 1
            kind = listed.get((rel, i), "")
            if n > width:
                assert kind.startswith("tab_shift"), (rel, i)
            elif n < width:
                assert kind.startswith("short_row"), (rel, i)
            else:
                assert not kind.startswith(("tab_shift", "short_row")), (rel, i)
            if b"\x00" in line:
                assert kind == "nul_byte", (rel, i)
            if any(b >= 0x80 for b in line):
                assert kind == "high_byte", (rel, i)
            if re.search(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]", line):
                assert kind == "control_char", (rel, i)
            if kind in ("nul_byte",):
                assert b"\x00" in line, (rel, i)
        assert truth["files"][rel]["data_lines"] == len(lines) - 1
    # count.txt: TableName<TAB>rowcount for every core and lookup file
    counts = dict(line.split("\t") for line in (tiny / "EOIR Case Data" / "Count.txt").read_text().splitlines())
    for path in _files(tiny):
        rel = path.relative_to(tiny).as_posix()
        assert int(counts[path.stem]) == truth["files"][rel]["data_lines"] == truth["files"][rel]["count_txt"]


@pytest.fixture(scope="module")
def tables(tiny):
    return load(tiny)


def test_values_match_their_column_kinds(tables):
    for name, parsed in tables.items():
        kinds = KINDS[name]
        for col, kind in zip(parsed.df.columns, kinds):
            vals = parsed.df[col].dropna().unique()
            bad = [v for v in vals if not field_ok(kind, v)]
            assert not bad, (name, col, kind, bad[:3])


def test_specific_raw_formats(tables):
    A, B, S = tables["A_TblCase"].df, tables["B_TblProceeding"].df, tables["tbl_schedule"].df
    dt = S.ADJ_DATE
    assert dt.str.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00\.000").all()
    assert (dt.str[:10] == np.datetime_as_string(dt.str[:10].to_numpy().astype("datetime64[D]"))).all()
    hhmm = S.ADJ_TIME_START
    assert (hhmm.str[:2].astype(int) < 24).all() and (hhmm.str[2:].astype(int) < 60).all() and (hhmm.str.len() == 4).all()
    assert set(S.BLNCLOCKOVERRIDE) <= {"0", "1"}
    assert S.EOIRAttorneyID[S.EOIRAttorneyID != ""].str.fullmatch(r"[0-9A-F-]{36}").all()
    assert S.ADJ_ELAP_DAYS[S.ADJ_ELAP_DAYS != ""].str.fullmatch(r"\d{4}").all()
    assert set(A.CASEPRIORITY_CODE) <= {"N/A", "UC", "AWC/ATD", "AWC/D", "RBC/D", "CR"}
    assert (A.CASEPRIORITY_CODE == "N/A").mean() > 0.8
    assert {"00"} <= set(A.RELEASE_MONTH) and {"0000"} <= set(A.RELEASE_YEAR)
    assert A.C_BIRTHDATE[A.C_BIRTHDATE != ""].str.fullmatch(r"([1-9]|1[0-2])/(19|20)\d\d").all()
    assert set(A.ATTY_NBR) <= {"", "0", "01", "02", "03"}
    assert set(S.GENERATION) <= {str(g) for g in range(80, 100)}
    assert set(B.ABSENTIA) <= {"", "Y", "N"}
    # IDNSCHEDULE has gaps: ids exceed the row count
    assert S.IDNSCHEDULE.astype(int).max() - S.IDNSCHEDULE.astype(int).min() + 1 > len(S)


def test_codes_are_in_the_emitted_lookups(tiny, tables):
    A, B, S = tables["A_TblCase"].df, tables["B_TblProceeding"].df, tables["tbl_schedule"].df
    AP, M, CH = tables["tbl_Court_Appln"].df, tables["tbl_Court_Motions"].df, tables["B_TblProceedCharges"].df
    lk = lambda n, c: set(lookup(tiny, n)[c])  # noqa: E731
    judges = lk("tblLookupJudge", "JUDGE_CODE")
    courts = lk("tblLookupBaseCity", "BASE_CITY_CODE")
    hlocs = lk("tblLookupHloc", "HEARING_LOC_CODE")
    checks = [
        (set(A.NAT) | set(B.NAT), lk("tblLookupNationality", "NAT_CODE")),
        (set(A.LANG) | set(B.LANG) | set(S.LANG), lk("tblLanguage", "strCode")),
        (set(A.CASE_TYPE) | set(B.CASE_TYPE), lk("tblLookupCaseType", "strCode")),
        (set(A.CUSTODY) | set(B.CUSTODY) | set(tables["tbl_CustodyHistory"].df.CUSTODY),
         lk("tblLookupCustodyStatus", "strCode")),
        (set(S.ADJ_RSN), lk("tblAdjournmentcodes", "strcode")),
        (set(S.CAL_TYPE), lk("tbllookupCal_Type", "strCalTypeCode")),
        (set(S.SCHEDULE_TYPE), lk("tbllookupSchedule_Type", "strCode")),
        (set(S.NOTICE_CODE), lk("tblLookupNOTICE", "Notice_Code")),
        (set(AP.APPL_CODE), lk("tblLookUp_Appln", "strcode")),
        (set(AP.APPL_DEC), lk("tblLookupCourtAppDecisions", "strCourtApplnDecCode")),
        (set(M.REC_TYPE), lk("tblLookupMotionType", "strMotionCode")),
        (set(M.STRFILINGPARTY), lk("tblLookupFiling_Method_Party", "strFilingPartyCode")),
        (set(M.STRFILINGMETHOD), lk("tblLookupFiling_Method", "strFilingMethodCode")),
        (set(CH.CHARGE), lk("tbllookupCharges", "strCode")),
        (set(A.CASEPRIORITY_CODE), lk("tblLookup_CasePriority", "strCode")),
        (set(B.IJ_CODE) | set(S.IJ_CODE) | set(M.IJ_CODE) | set(B.PREV_IJ_CODE), judges),
        (set(B.BASE_CITY_CODE) | set(S.BASE_CITY_CODE) | set(A.UPDATE_SITE) | set(B.PREV_HEARING_BASE), courts),
        (set(B.HEARING_LOC_CODE) | set(S.HEARING_LOC_CODE) | set(B.TRANSFER_TO) | set(B.PREV_HEARING_LOC), hlocs),
        (set(S.EOIRAttorneyID), set(tables["tbl_EOIR_Attorney"].df.EOIRAttorneyID)),
    ]
    for used, have in checks:
        missing = used - have - {""}
        assert not missing, missing
    cd = lookup(tiny, "tblLookupCourtDecision")
    dec = set(zip(cd[cd.strDecType == "C"].strCaseType, cd[cd.strDecType == "C"].strDecCode))
    used = set(zip(B.CASE_TYPE, B.DEC_CODE)) - {(c, "") for c in B.CASE_TYPE}
    assert used <= dec, used - dec
    oc = set(zip(cd[cd.strDecType == "O"].strCaseType, cd[cd.strDecType == "O"].strDecCode))
    used = set(zip(B.CASE_TYPE, B.OTHER_COMP)) - {(c, "") for c in B.CASE_TYPE}
    assert used <= oc, used - oc


def test_fictional_courts_and_judges(tiny):
    bc = lookup(tiny, "tblLookupBaseCity")
    assert not set(bc.BASE_CITY_CODE) & REAL_COURTS
    assert (bc.BASE_CITY_NAME == "SYNTHETIC IMMIGRATION COURT").all()
    j = lookup(tiny, "tblLookupJudge")
    real = j[j.JUDGE_CODE != "AAA"]
    assert (real.JUDGE_ST_ADDRESS == "FICTIONAL JUDGE - SYNTHETIC DATA").all()
    assert ("AAA", "<All Judges>") in set(zip(j.JUDGE_CODE, j.JUDGE_NAME))
    assert j.JUDGE_NAME.str.endswith(" (Temp)").any()
    assert real.JUDGE_NAME.str.fullmatch(r"[A-Z][a-z]+, [A-Z][a-z]+ [A-Z]\.( \(Temp\))?").all()
    # every temporary code names an existing judge
    base = set(real.JUDGE_NAME[~real.JUDGE_NAME.str.endswith(" (Temp)")])
    assert set(real.JUDGE_NAME[real.JUDGE_NAME.str.endswith(" (Temp)")].str[:-7]) <= base


def test_schema_file_lists_every_core_column(tiny):
    rows = [line.split("\t") for line in (tiny / "EOIRDB_Schema.csv").read_text(encoding="latin-1").splitlines()]
    assert rows[0] == ["table_name", "field_name", "name", "Constraints  (PK/NULL)"]
    have = {(r[0], r[1]) for r in rows[1:]}
    for t, cols in CORE_HEADERS.items():
        assert {(t, c) for c in cols} <= have
