"""Shared preparation for the headline designs: policy periods, event time, judge pressure, fixed-effect ids, truth.

Names follow the generator's truth (``truth/effects_truth.csv``) so estimates can be matched with planted values:
period dummies ``announce``, ``quota``, ``post_suspension``; pressure ``bite`` (pre-policy) and ``gap_share_lag``
(lagged within-year gap to the 700 path, as a share of 700); design terms ``bite:quota``, ``gap_share_lag:quota``...
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED
from helpers.pressure import policy_period

PERIODS = ("announce", "quota", "post_suspension")

#: planted values beside estimates: logit-scale rows get the planted coefficient, linear-probability rows the
#: implied average marginal effect over the treated observations (truth/effects_truth.csv columns)
TRUTH_BY_SCALE = {"log-odds": "planted_coefficient", "probability": "ame", "log-count": "planted_coefficient"}


def policy_dummies(dates: pd.Series) -> pd.DataFrame:
    """0/1 columns ``announce``, ``quota``, ``post_suspension`` and the label ``period`` for each date."""
    period = policy_period(dates)
    out = pd.DataFrame({p: (period == p).astype("float64").to_numpy() for p in PERIODS}, index=period.index)
    out["period"] = period.to_numpy()
    return out


def rel_quarter(dates: pd.Series, start: str = QUOTA_START) -> pd.Series:
    """Fiscal quarters relative to the quota's first quarter (FY2019 Q1 = 0; FY2018 Q4 = -1; ...)."""
    d = pd.to_datetime(pd.Series(dates))
    q = (d.dt.year * 12 + d.dt.month - 1) // 3          # calendar quarter index; fiscal quarters are aligned to it
    s = pd.Timestamp(start)
    q0 = (s.year * 12 + s.month - 1) // 3
    return (q - q0).astype("Int64")


def rel_fiscal_year(fiscal_year: pd.Series, first_quota_fy: int = 2019) -> pd.Series:
    """Fiscal years relative to FY2019 (FY2018 = -1)."""
    return (pd.Series(fiscal_year) - first_quota_fy).astype("Int64")


def attach_pressure(df: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame | None = None,
                    month_col: str = "month") -> pd.DataFrame:
    """Add the judge's pre-policy pressure and, given the panel, the lagged within-year gap of that month.

    Adds ``bite``, ``bite_cases``, ``pace``, ``pace_band``, ``denial_rate_pre``, ``stringency_rel`` (from
    ``judges``) and ``gap_share_lag``, ``gap_cases_lag`` (from ``judge_month`` by judge and month). Rows of
    judges without a defined bite (new judges, short tenure) keep NaN: designs must drop or handle them.
    """
    cols = [c for c in ("ij_code", "bite", "bite_cases", "pace", "pace_band", "denial_rate_pre", "stringency_rel")
            if c in judges.columns]
    out = df.merge(judges[cols], on="ij_code", how="left", validate="many_to_one")
    if judge_month is not None:
        jm = judge_month[["ij_code", "month", "gap_share_lag", "gap_cases_lag"]].copy()
        jm["month"] = pd.to_datetime(jm["month"])
        left = out[month_col] if month_col in out.columns else None
        if left is None:
            raise KeyError(f"attach_pressure: the frame has no {month_col!r} column to match the judge-month panel")
        out = out.assign(_m=pd.to_datetime(left)).merge(jm.rename(columns={"month": "_m"}), on=["ij_code", "_m"],
                                                         how="left", validate="many_to_one").drop(columns="_m")
    return out


def add_design_columns(df: pd.DataFrame, date_col: str) -> pd.DataFrame:
    """Add policy dummies, event time and fixed-effect ids for a row-level frame dated by ``date_col``.

    Adds ``announce``, ``quota``, ``post_suspension``, ``period``, ``rel_quarter``, ``court_month``,
    ``court_quarter``, ``court_week`` (if ``week`` exists), ``judge_fy`` and, when ``bite`` is present, the
    interactions ``bite:quota`` etc. are left to the formulas (pyfixest builds them).
    """
    out = df.copy()
    d = pd.to_datetime(out[date_col])
    out = pd.concat([out, policy_dummies(d).set_index(out.index)], axis=1)
    out["rel_quarter"] = rel_quarter(d).to_numpy()
    m = d.dt.to_period("M").astype(str)
    q = d.dt.to_period("Q-SEP").astype(str)
    court = out["court"].astype(str) if "court" in out.columns else ""
    out["court_month"] = court + "_" + m
    out["court_quarter"] = court + "_" + q
    if "week" in out.columns:
        out["court_week"] = court + "_" + pd.to_datetime(out["week"]).dt.strftime("%Y-%m-%d")
    if "fiscal_year" in out.columns and "ij_code" in out.columns:
        out["judge_fy"] = out["ij_code"].astype(str) + "_" + out["fiscal_year"].astype(str)
    return out


def window(df: pd.DataFrame, fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
           fy_col: str = "fiscal_year") -> pd.DataFrame:
    """Rows within the fiscal-year window and (optionally) one court or a list of courts (the notebooks' parameters)."""
    out = df
    if fy_min is not None:
        out = out[out[fy_col] >= fy_min]
    if fy_max is not None:
        out = out[out[fy_col] <= fy_max]
    if court:
        courts = [court] if isinstance(court, str) else list(court)
        out = out[out["court"].isin(courts)]
    return out


def truth_table(data) -> pd.DataFrame | None:
    """The generator's planted effects (``truth/effects_truth.csv``) for a synthetic source, else None."""
    from helpers.datasets import derived_dir
    from helpers._util import read_json

    d = derived_dir(data)
    rep = read_json(d / "build_report.json")
    processed = Path(rep.get("processed", ""))
    truth_json = processed / "truth.json"
    if not truth_json.exists():
        return None
    truth = read_json(truth_json)
    rel = (truth.get("truth_tables") or {}).get("effects_truth", "truth/effects_truth.csv")
    for base in (processed, processed / "truth"):
        p = base / rel if not Path(rel).is_absolute() else Path(rel)
        if p.exists():
            return pd.read_csv(p)
    p = processed / "truth" / "effects_truth.csv"
    return pd.read_csv(p) if p.exists() else None


def with_truth(est: pd.DataFrame, truth: pd.DataFrame | None) -> pd.DataFrame:
    """Put the planted value beside each estimate (NaN when none is planted, or on real data)."""
    from helpers.models import add_truth

    if truth is None or est.empty:
        out = est.copy()
        out["truth"] = np.nan
        return out
    t = truth.copy()
    if "term" in t.columns:
        t["term"] = t["term"].astype(str)
    return add_truth(est, t, value=TRUTH_BY_SCALE)


__all__ = ["PERIODS", "policy_dummies", "rel_quarter", "rel_fiscal_year", "attach_pressure", "add_design_columns",
           "window", "truth_table", "with_truth", "QUOTA_ANNOUNCED", "QUOTA_SUSPENDED"]
