"""Recount, from the raw files of a release, the quantities truth.json and truth/*.csv promise.

Independent of the generator's internals: only the raw files and the shared definitions
(docs/DATAFLOW.md s3) are used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers.synth.formats import CORE_HEADERS, EXTRA_FIELDS, KINDS

from .rawread import Parsed, read_raw

CORE = ["A_TblCase", "B_TblProceeding", "tbl_schedule", "tbl_Court_Appln", "tbl_Court_Motions",
        "tbl_CustodyHistory", "tbl_RepsAssigned", "B_TblProceedCharges", "tbl_EOIR_Attorney"]


def load(root: Path, tables=CORE) -> dict[str, Parsed]:
    out = {}
    for t in tables:
        n = len(CORE_HEADERS[t]) + EXTRA_FIELDS.get(t, 0)
        out[t] = read_raw(root / "EOIR Case Data" / f"{t}.csv", n, KINDS.get(t))
    return out


def lookup(root: Path, name: str) -> pd.DataFrame:
    return read_raw(root / "Lookup" / f"{name}.csv", key_kind_first=False).df


def merge_map(judges: pd.DataFrame) -> dict[str, str]:
    """Judge code -> judge: a '(Temp)' row maps to the judge with the same name without the suffix."""
    base = judges[~judges.JUDGE_NAME.str.endswith(" (Temp)")]
    by_name = dict(zip(base.JUDGE_NAME, base.JUDGE_CODE))
    m = {c: c for c in judges.JUDGE_CODE}
    for c, n in zip(judges.JUDGE_CODE, judges.JUDGE_NAME):
        if n.endswith(" (Temp)"):
            m[c] = by_name[n[: -len(" (Temp)")]]
    return m


def _month(s: pd.Series) -> pd.Series:
    return s.str[:7]


def fiscal(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    d = pd.to_datetime(s.str[:10])
    fy = d.dt.year + (d.dt.month >= 10).astype(int)
    fm = (d.dt.month - 10) % 12 + 1
    return fy, fm


def completions(B: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    """Completions (DATAFLOW s3) by judge and fiscal month: all and dispositive."""
    c = B[(B.COMP_DATE != "") & ((B.DEC_CODE != "") | (B.OTHER_COMP != "")) & (B.IJ_CODE != "")].copy()
    c["judge"] = c.IJ_CODE.map(jm)
    c["fiscal_year"], c["fiscal_month"] = fiscal(c.COMP_DATE)
    c["disp"] = ~c.OTHER_COMP.isin(["C", "T"])
    g = c.groupby(["judge", "fiscal_year", "fiscal_month"])
    return pd.DataFrame({"completions": g.size(), "completions_dispositive": g.disp.sum()}).reset_index()


def pace_bite(B: pd.DataFrame, S: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    """Pre-policy pace and bite (DATAFLOW s3) from FY2017-FY2018 completions and held hearings.

    A held hearing is a schedule row that is not ADJ_MEDIUM H (any case) and whose ADJ_RSN is not flagged
    never_occurred in the project's adjournment code table.
    """
    from helpers import codes

    never = set(codes.load("adjournment_codes").query("never_occurred")["code"])
    comp = completions(B, jm)
    comp = comp[comp.fiscal_year.isin([2017, 2018])]
    months = pd.period_range("2016-10", "2018-09", freq="M").astype(str)
    act_c = comp.assign(month=[f"{fy - (1 if fm <= 3 else 0)}-{(fm + 8) % 12 + 1:02d}"
                               for fy, fm in zip(comp.fiscal_year, comp.fiscal_month)])[["judge", "month"]]
    s = S[(S.IJ_CODE != "") & (S.ADJ_DATE != "") & (S.ADJ_MEDIUM.str.upper() != "H") & ~S.ADJ_RSN.isin(never)]
    act_s = pd.DataFrame({"judge": s.IJ_CODE.map(jm), "month": _month(s.ADJ_DATE)})
    act = pd.concat([act_c, act_s])
    act = act[act.month.isin(months)].drop_duplicates()
    idx = {m: i for i, m in enumerate(months)}
    act["k"] = act.month.map(idx)
    span = act.groupby("judge").k.agg(["min", "max"])
    span["months_on_bench"] = span["max"] - span["min"] + 1
    n = comp.groupby("judge").completions.sum()
    out = span[["months_on_bench"]].join(n.rename("completions_fy2017_fy2018")).fillna(0)
    out["pace"] = np.where(out.months_on_bench >= 6, out.completions_fy2017_fy2018 * 12 / out.months_on_bench, np.nan)
    out["bite"] = np.maximum(0, 700 - out.pace) / 700
    return out.reset_index()


def completed(B: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    c = B[(B.COMP_DATE != "") & ((B.DEC_CODE != "") | (B.OTHER_COMP != "")) & (B.IJ_CODE != "")].copy()
    c["judge"] = c.IJ_CODE.map(jm)
    c["fiscal_year"], _ = fiscal(c.COMP_DATE)
    return c


def asylum(B: pd.DataFrame, AP: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    """ASYL decisions of completed proceedings by judge and FY: grants (F,G,C,I,P), denials (D), other."""
    c = completed(B, jm)[["IDNPROCEEDING", "judge", "fiscal_year"]]
    a = AP[(AP.APPL_CODE == "ASYL") & (AP.APPL_DEC != "")].merge(c, on="IDNPROCEEDING")
    a["cls"] = np.where(a.APPL_DEC.isin(["F", "G", "C", "I", "P"]), "grants",
                        np.where(a.APPL_DEC == "D", "denials", "other"))
    return a.groupby(["judge", "fiscal_year", "cls"]).size().unstack(fill_value=0).reset_index()


def absentia(B: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    c = completed(B, jm)
    c["in_absentia"] = c.ABSENTIA == "Y"
    c["disp"] = ~c.OTHER_COMP.isin(["C", "T"])
    c["dec"] = c.DEC_CODE != ""
    g = c.groupby(["judge", "fiscal_year"])
    return pd.DataFrame({"in_absentia": g.in_absentia.sum(), "completions": g.size(),
                         "completions_dispositive": g.disp.sum(), "decisions": g.dec.sum()}).reset_index()


def reassignments(S: pd.DataFrame, jm: dict[str, str]) -> pd.DataFrame:
    """Consecutive schedule rows of a proceeding with different judges: for the earlier judge, in the
    month of the later row."""
    s = S[(S.IDNPROCEEDING != "") & (S.IJ_CODE != "")][["IDNPROCEEDING", "ADJ_DATE", "IDNSCHEDULE", "IJ_CODE"]].copy()
    s["pid"] = s.IDNPROCEEDING.astype(np.int64)
    s["sid"] = s.IDNSCHEDULE.astype(np.int64)
    s["judge"] = s.IJ_CODE.map(jm)
    s = s.sort_values(["pid", "ADJ_DATE", "sid"])
    prev_j = s.judge.shift()
    same = s.pid.eq(s.pid.shift())
    ch = s[same & (s.judge != prev_j)]
    out = pd.DataFrame({"judge": prev_j[ch.index], "month": ch.ADJ_DATE.str[:7]})
    return out.groupby(["judge", "month"]).size().rename("reassigned_observed").reset_index()


def orphans(T: dict) -> dict[str, int]:
    A, B = T["A_TblCase"].df, T["B_TblProceeding"].df
    cases = set(A.IDNCASE)
    procs = set(B.IDNPROCEEDING)
    out = {}

    def count(name, df, col, parents):
        v = df[col]
        n = int(((v != "") & ~v.isin(parents)).sum())
        if n:
            out[name] = n
    count("B_TblProceeding->A_TblCase", B, "IDNCASE", cases)
    count("tbl_schedule->B_TblProceeding", T["tbl_schedule"].df, "IDNPROCEEDING", procs)
    count("tbl_Court_Appln->B_TblProceeding", T["tbl_Court_Appln"].df, "IDNPROCEEDING", procs)
    count("tbl_Court_Motions->B_TblProceeding", T["tbl_Court_Motions"].df, "IDNPROCEEDING", procs)
    count("B_TblProceedCharges->B_TblProceeding", T["B_TblProceedCharges"].df, "IDNPROCEEDING", procs)
    count("tbl_RepsAssigned->A_TblCase", T["tbl_RepsAssigned"].df, "IDNCASE", cases)
    count("tbl_CustodyHistory->A_TblCase", T["tbl_CustodyHistory"].df, "IDNCASE", cases)
    return out
