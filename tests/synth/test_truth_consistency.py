"""truth.json and truth/*.csv agree with a recount from the raw files (tiny releases)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from .conftest import truth_of
from .recount import (CORE, absentia, asylum, completions, fiscal, load, lookup, merge_map, orphans, pace_bite,
                      reassignments)

REQUIRED_KINDS = {
    ("EOIR Case Data/A_TblCase.csv", "tab_shift_text"), ("EOIR Case Data/A_TblCase.csv", "tab_shift_datetime"),
    ("EOIR Case Data/A_TblCase.csv", "nul_byte"), ("EOIR Case Data/A_TblCase.csv", "high_byte"),
    ("EOIR Case Data/B_TblProceeding.csv", "tab_shift_datetime"),
    ("EOIR Case Data/B_TblProceeding.csv", "non_integer_key"), ("EOIR Case Data/B_TblProceeding.csv", "blank_key"),
    ("EOIR Case Data/B_TblProceeding.csv", "control_char"), ("EOIR Case Data/tbl_schedule.csv", "blank_key"),
    ("EOIR Case Data/tbl_Court_Appln.csv", "tab_shift_datetime"),
    ("EOIR Case Data/tbl_Court_Motions.csv", "short_row_41"), ("EOIR Case Data/tbl_Court_Motions.csv", "short_row_40"),
    ("EOIR Case Data/B_TblProceedCharges.csv", "control_char"), ("Lookup/tblLookupJudge.csv", "duplicate_lookup_code"),
    ("Lookup/tblLookupCourtDecision.csv", "duplicate_lookup_code"), ("Lookup/tblLanguage.csv", "nul_byte"),
}


@pytest.fixture(scope="module", params=["tiny", "tiny_none"])
def release(request):
    root = request.getfixturevalue(request.param)
    T = load(root)
    jm = merge_map(lookup(root, "tblLookupJudge"))
    return root, truth_of(root), T, jm


def test_truth_json_keys(release):
    root, t, _, _ = release
    assert re.fullmatch(r"synthetic:tiny:\d+", t["data_source"])
    assert t["scale"] == "tiny" and isinstance(t["seed"], int) and t["synthetic"] is True
    assert t["effects_name"] in ("default", "none") and t["generator_version"] and t["release_date"] == "2024-12-31"
    assert {"coefficients", "timing", "scales"} <= set(t["effects"])
    for f in t["files"].values():
        assert {"data_lines", "expected_rows_written", "expected_rows_quarantined", "expected_rows_repaired",
                "expected_rows_padded", "nul_bytes", "high_bytes", "blank_keys", "duplicate_keys", "count_txt"} <= set(f)
    assert {"judges", "completions", "asylum", "absentia", "continuances", "reassignments", "effects_truth",
            "quirks"} == set(t["truth_tables"])


def test_every_quirk_kind_is_present_and_accounted(release):
    _, t, _, _ = release
    kinds = {(q["file"], q["kind"]) for q in t["quirks"]}
    assert REQUIRED_KINDS <= kinds, REQUIRED_KINDS - kinds
    for q in t["quirks"]:
        assert q["expected"].split(":")[0] in ("loaded", "repaired", "padded", "quarantine"), q
    qa = t["files"]["EOIR Case Data/A_TblCase.csv"]
    assert qa["expected_rows_repaired"] >= 1 and qa["expected_rows_quarantined"]["tab_shift_unrepairable"] >= 1
    assert t["files"]["EOIR Case Data/B_TblProceeding.csv"]["expected_rows_quarantined"]["non_integer_key"] == 1
    assert t["files"]["Lookup/tblLookupJudge.csv"]["duplicate_keys"] >= 1


def test_file_accounting_recount(release):
    root, t, T, _ = release
    for name in CORE:
        p, f = T[name], t["files"][f"EOIR Case Data/{name}.csv"]
        assert p.data_lines == f["data_lines"], name
        assert len(p.df) == f["expected_rows_written"], name
        assert p.quarantined == f["expected_rows_quarantined"], name
        assert (p.repaired, p.padded) == (f["expected_rows_repaired"], f["expected_rows_padded"]), name
        assert (p.nul_bytes, p.high_bytes) == (f["nul_bytes"], f["high_bytes"]), name
        for k, v in f["blank_keys"].items():
            assert int((p.df[k] == "").sum()) == v, (name, k)
        pk = p.df[p.df.columns[0]]
        assert f["duplicate_keys"] == int(pk[pk != ""].duplicated().sum()) == 0, name
    lang = lookup(root, "tblLanguage")
    assert t["files"]["Lookup/tblLanguage.csv"]["nul_bytes"] == 1 and lang.strDescription.str.len().gt(0).all()


def test_orphans_recount(release):
    _, t, T, _ = release
    assert orphans(T) == t["orphans"]


def test_completions_and_gap_recount(release):
    root, _, T, jm = release
    got = completions(T["B_TblProceeding"].df, jm)
    tc = pd.read_csv(root / "truth" / "completions.csv")
    m = tc.merge(got, left_on=["judge_code", "fiscal_year", "fiscal_month"],
                 right_on=["judge", "fiscal_year", "fiscal_month"], how="outer", suffixes=("", "_data"))
    assert m.judge_code.notna().all(), "completions in the data that truth does not list"
    assert (m.completions == m.completions_data.fillna(0)).all()
    assert (m.completions_dispositive == m.completions_dispositive_data.fillna(0)).all()
    # the gap to the 700 path, from the recounted completions (DATAFLOW s3)
    tc = tc.sort_values(["judge_code", "fiscal_year", "fiscal_month"])
    cum = tc.groupby(["judge_code", "fiscal_year"]).completions.cumsum()
    assert np.allclose(tc.gap_end, 700 * tc.fiscal_month / 12 - cum)
    lag = 700 * (tc.fiscal_month - 1) / 12 - (cum - tc.completions)
    ok = tc.fiscal_month > 1
    assert np.allclose(tc.gap_lag[ok], lag[ok]) and (tc.gap_lag[~ok] == 0).all()
    assert np.allclose(tc.gap_share_lag, tc.gap_lag / 700)


def test_pace_and_bite_recount(release):
    root, _, T, jm = release
    pb = pace_bite(T["B_TblProceeding"].df, T["tbl_schedule"].df, jm).set_index("judge")
    tj = pd.read_csv(root / "truth" / "judges.csv").set_index("judge_code")
    j = tj.merge(pb, left_index=True, right_index=True, how="left", suffixes=("", "_data"))
    assert (j.pace.isna() == j.pace_data.isna()).all()
    assert np.allclose(j.pace.dropna(), j.pace_data.dropna(), rtol=0, atol=1e-6)
    assert np.allclose(j.bite.dropna(), j.bite_data.dropna(), atol=1e-8)
    assert (j.months_on_bench_fy2017_fy2018 == j.months_on_bench.fillna(0)).all()
    assert (j.bite.dropna().between(0, 1)).all()


def test_asylum_absentia_reassignment_recount(release):
    root, _, T, jm = release
    B = T["B_TblProceeding"].df
    a = asylum(B, T["tbl_Court_Appln"].df, jm)
    ta = pd.read_csv(root / "truth" / "asylum.csv")
    m = ta.merge(a, left_on=["judge_code", "fiscal_year"], right_on=["judge", "fiscal_year"], how="outer",
                 suffixes=("", "_data")).fillna(0)
    for k in ("grants", "denials", "other"):
        assert (m[k] == m[f"{k}_data"]).all(), k
    assert np.allclose(ta.decisions_trac, ta.grants + ta.denials)
    b = absentia(B, jm)
    tb = pd.read_csv(root / "truth" / "absentia.csv")
    m = tb.merge(b, left_on=["judge_code", "fiscal_year"], right_on=["judge", "fiscal_year"], how="outer",
                 suffixes=("", "_data")).fillna(0)
    for k in ("in_absentia", "completions", "completions_dispositive", "decisions"):
        assert (m[k] == m[f"{k}_data"]).all(), k
    r = reassignments(T["tbl_schedule"].df, jm)
    tr = pd.read_csv(root / "truth" / "reassignments.csv")
    tr = tr[tr.reassigned_observed > 0]
    m = tr.merge(r, left_on=["judge_code", "month"], right_on=["judge", "month"], how="outer",
                 suffixes=("", "_data")).fillna(0)
    assert (m.reassigned_observed == m.reassigned_observed_data).all()


def test_continuance_truth(release):
    root, _, T, jm = release
    tc = pd.read_csv(root / "truth" / "continuances.csv")
    assert (tc.requests == tc.granted + tc.denied).all()
    assert (tc.denied_unrecorded >= 0).all() and (tc.denied_unrecorded == tc.denied - tc.motions_co_respondent_denied).all()
    M = T["tbl_Court_Motions"].df
    co = M[(M.REC_TYPE == "CO") & M.DEC.isin(["G", "D"]) & M.STRFILINGPARTY.isin(["A", "R"]) & (M.IJ_CODE != "")].copy()
    co["judge"] = co.IJ_CODE.map(jm)
    co["fiscal_year"], _ = fiscal(co.COMP_DATE)
    got = co.groupby(["judge", "fiscal_year", "DEC"]).size().unstack(fill_value=0)
    want = tc.set_index(["judge_code", "fiscal_year"])[["motions_co_respondent_granted", "motions_co_respondent_denied"]]
    want = want[(want != 0).any(axis=1)]
    assert got.G.sum() == want.motions_co_respondent_granted.sum()
    assert got.D.sum() == want.motions_co_respondent_denied.sum()
    # adjournments by party, from schedule rows held on or before the data cut (not bond hearings)
    from helpers import codes
    party = codes.load("adjournment_codes").set_index("code").party
    S = T["tbl_schedule"].df
    s = S[(S.IJ_CODE != "") & (S.ADJ_RSN != "") & (S.ADJ_DATE <= "2024-12-31 99") & (S.REC_TYPE != "B")]
    cnt = s.ADJ_RSN.map(party).value_counts()
    for p in ("respondent", "dhs", "ij_court", "operational", "procedural"):
        assert int(tc[f"adjourned_{p}"].sum()) == int(cnt.get(p, 0)), p


def test_effects_truth_table(release):
    root, t, _, _ = release
    e = pd.read_csv(root / "truth" / "effects_truth.csv")
    assert {"outcome", "term", "planted_coefficient", "ame", "mean_effect", "n_obs"} <= set(e.columns)
    assert {"asylum_grant", "continuance_grant", "in_absentia", "completions", "reassignment"} <= set(e.outcome)
    assert {"bite:quota", "gap_share_lag:quota", "bite:announce", "bite:post_suspension", "bite_total:quota"} <= set(e.term)
    if t["effects_name"] == "none":
        assert (e.planted_coefficient == 0).all() and (e.ame.fillna(0) == 0).all()
        assert (e.mean_effect.fillna(0) == 0).all()
    else:
        q = e[e.term == "bite:quota"].set_index("outcome")
        assert q.loc["asylum_grant", "planted_coefficient"] < 0 and q.loc["in_absentia", "planted_coefficient"] > 0
        logit = q.drop(index="completions")
        has = logit.n_obs > 0
        assert (np.sign(logit.ame[has]) == np.sign(logit.planted_coefficient[has])).all()
        # an AME on the probability scale is at most a quarter of the log-odds coefficient
        assert (logit.ame[has].abs() <= logit.planted_coefficient[has].abs() / 4 + 1e-12).all()
