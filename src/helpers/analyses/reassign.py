"""Reassignments of proceedings between judges of the same court (notebook ``09_reassignments``).

A reassignment (``reassignments`` dataset, codebook) is a change of judge between consecutive schedule rows of
one proceeding in the same court; transfers and changes of venue start new proceedings and never count. The
release records no reassignment date or reason: the change is dated by the later schedule row, which can be
months or years after the case actually moved, and a judge's departure, a new judge's docket being filled,
docket balancing and managerial pressure all look the same.

This module adds, from the derived datasets only:

* **docket spells** (:func:`docket_spells`): for each proceeding, who held it when, from its receipt
  (``input_date``, else ``osc_date``) to its completion or the data cut, split at each observed reassignment;
* the judge's **pending caseload** in a month (:func:`pending_caseload`): the docket spells of the judge that
  overlap the month — the cases that could be reassigned away from the judge that month, measured with the
  same schedule-row chain that defines ``reassigned_out``; it is the exposure of the rate designs;
* an **observable cause proxy** for each move (:func:`classify_moves`): ``departure`` (dated after the
  from-judge's last month with a completion), ``to_new_judge`` (the to-judge's first completion came after
  the earlier schedule row, i.e. the judge joined while the case waited) and ``other`` — a proxy, not a reason;
* the judge-month design (:func:`reassign_did`): ``reassigned_out_jm ~ bite_j × periods + log pending_jm |
  judge + month``, Poisson, clustered by judge.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from helpers import models
from helpers.analyses import common
from helpers.analyses.caseload import PERIOD_DUMMIES, bench_in_window, on_bench
from helpers.models import ModelInputError, require_columns
from helpers.pressure import MIN_PRE_MONTHS, month_index

MOVE_CLASSES = ("departure", "to_new_judge", "other")


# --------------------------------------------------------------------------------------------- exposure

def docket_spells(proceedings: pd.DataFrame, reassignments: pd.DataFrame, data_cut) -> pd.DataFrame:
    """Who held each proceeding when: one row per (proceeding, judge) spell.

    ``proceedings`` needs ``idnproceeding, ij_code, court, input_date, osc_date, comp_date, completed``;
    ``reassignments`` needs ``idnproceeding, from_judge, to_judge, reassign_date``. A proceeding's first spell
    starts at receipt (``input_date``, else ``osc_date``) with the first reassignment's ``from_judge`` (or the
    proceeding's judge when it was never reassigned); each observed reassignment ends a spell and starts the
    next; the last spell ends at completion (``comp_date`` of a completed proceeding) or the data cut.
    Returns ``idnproceeding, ij_code, court, start, end, ended_by_move``. Proceedings with neither date, or
    without any judge, have no spell (their number is in ``attrs["dropped"]``); a spell that would end before it
    starts (a schedule row dated before receipt) ends on its first day.
    """
    require_columns(proceedings, ["idnproceeding", "ij_code", "court", "input_date", "osc_date", "comp_date", "completed"],
             "docket_spells (proceedings)")
    require_columns(reassignments, ["idnproceeding", "from_judge", "to_judge", "reassign_date"],
             "docket_spells (reassignments)")
    cut = pd.Timestamp(data_cut)
    p = proceedings[["idnproceeding", "ij_code", "court"]].copy()
    p["start"] = pd.to_datetime(proceedings["input_date"]).fillna(pd.to_datetime(proceedings["osc_date"]))
    done = pd.to_datetime(proceedings["comp_date"]).where(proceedings["completed"].fillna(False).astype(bool))
    p["end"] = done.fillna(cut).clip(upper=cut)
    r = reassignments[["idnproceeding", "from_judge", "to_judge", "reassign_date"]].copy()
    r["reassign_date"] = pd.to_datetime(r["reassign_date"])
    r = r.sort_values(["idnproceeding", "reassign_date"], kind="stable").merge(p, on="idnproceeding", how="inner")
    moved = p["idnproceeding"].isin(r["idnproceeding"])
    still = p[~moved & p["ij_code"].notna()]
    prev = r.groupby("idnproceeding")["reassign_date"].shift(1)
    first = pd.DataFrame({"idnproceeding": r["idnproceeding"], "ij_code": r["from_judge"], "court": r["court"],
                          "start": prev.fillna(r["start"]), "end": r["reassign_date"].clip(upper=cut),
                          "ended_by_move": True})
    last = r.groupby("idnproceeding").tail(1)
    tail = pd.DataFrame({"idnproceeding": last["idnproceeding"], "ij_code": last["to_judge"], "court": last["court"],
                         "start": last["reassign_date"], "end": last["end"], "ended_by_move": False})
    keep = pd.DataFrame({"idnproceeding": still["idnproceeding"], "ij_code": still["ij_code"], "court": still["court"],
                         "start": still["start"], "end": still["end"], "ended_by_move": False})
    out = pd.concat([keep, first, tail], ignore_index=True)
    bad = out["start"].isna() | out["ij_code"].isna()
    out = out.loc[~bad & (out["start"] <= cut)].copy()
    out["end"] = out[["start", "end"]].max(axis=1)
    out = out.sort_values(["idnproceeding", "start"], kind="stable").reset_index(drop=True)
    out.attrs["dropped"] = int((~p["idnproceeding"].isin(out["idnproceeding"])).sum())
    return out


def pending_caseload(spells: pd.DataFrame) -> pd.DataFrame:
    """Judge-month pending caseload: ``pending`` = docket spells of the judge that overlap the calendar month
    (the proceeding was received before the month ended and was still on the judge's docket on or after its
    first day). Every month from a judge's first to last spell month is listed (zeros included).

    A case moved away during the month counts in the month (it was exposed), so ``reassigned_out`` never exceeds
    ``pending`` when both are built from the same reassignments.
    """
    require_columns(spells, ["ij_code", "start", "end"], "pending_caseload")
    a = month_index(spells["start"]).to_numpy()
    b = month_index(spells["end"]).to_numpy()
    codes, judges = pd.factorize(spells["ij_code"], sort=True)
    lo, hi = int(a.min()), int(b.max())
    width = hi - lo + 2
    diff = np.zeros(len(judges) * width, dtype=np.int64)
    np.add.at(diff, codes * width + (a - lo), 1)
    np.add.at(diff, codes * width + (b - lo + 1), -1)
    stock = diff.reshape(len(judges), width).cumsum(axis=1)[:, :-1]
    months = pd.to_datetime({"year": (np.arange(lo, hi + 1) // 12), "month": (np.arange(lo, hi + 1) % 12) + 1,
                             "day": 1})
    out = pd.DataFrame({"ij_code": np.repeat(np.asarray(judges, dtype=object), width - 1),
                        "month": np.tile(months.to_numpy(), len(judges)), "pending": stock.ravel()})
    first = pd.Series(a, index=codes).groupby(level=0).min()
    last = pd.Series(b, index=codes).groupby(level=0).max()
    k = np.tile(np.arange(lo, hi + 1), len(judges))
    j = np.repeat(np.arange(len(judges)), width - 1)
    out = out[(k >= first.reindex(j).to_numpy()) & (k <= last.reindex(j).to_numpy())]
    out["ij_code"] = out["ij_code"].astype("str")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------- moves

def classify_moves(reassignments: pd.DataFrame, judge_month: pd.DataFrame) -> pd.DataFrame:
    """Add ``move_class``: an observable proxy for why the case moved (``departure``, ``to_new_judge``, ``other``).

    * ``departure``: the change is dated after the from-judge's last month with a completion (the judge had
      stopped completing cases — left the bench, retired, or moved away);
    * ``to_new_judge``: otherwise, the to-judge's first month with a completion is after the month of the earlier
      schedule row (the judge joined while the case waited: a new docket being filled);
    * ``other``: the rest — docket balancing, a detail, a recusal, a manager's decision... indistinguishable.

    Also adds ``lag_days`` (days between the two schedule rows: the window in which the move happened).
    """
    require_columns(reassignments, ["from_judge", "to_judge", "from_date", "reassign_date", "month"], "classify_moves")
    span = judge_month[judge_month["completions"] > 0].groupby("ij_code")["month"].agg(["min", "max"])
    r = reassignments.copy()
    from_last = r["from_judge"].map(span["max"])
    to_first = r["to_judge"].map(span["min"])
    month = month_index(r["month"])
    departure = from_last.isna() | (month > month_index(from_last))
    new = ~departure & (month_index(to_first) > month_index(r["from_date"]))
    r["move_class"] = np.select([departure, new], ["departure", "to_new_judge"], "other")
    r["lag_days"] = (pd.to_datetime(r["reassign_date"]) - pd.to_datetime(r["from_date"])).dt.days
    return r


def dating_lag(moves: pd.DataFrame) -> pd.DataFrame:
    """Quartiles of the days between the earlier and the later schedule row, overall and by ``move_class``:
    how imprecisely a reassignment is dated (the case moved somewhere in that window)."""
    require_columns(moves, ["lag_days", "move_class"], "dating_lag")

    def quartiles(s: pd.Series) -> dict:
        return {"moves": len(s), "p25_days": float(s.quantile(0.25)), "median_days": float(s.median()),
                "p75_days": float(s.quantile(0.75))}

    rows = [{"move_class": "all", **quartiles(moves["lag_days"])}]
    rows += [{"move_class": k, **quartiles(g["lag_days"])} for k, g in moves.groupby("move_class")]
    return pd.DataFrame(rows)


def move_counts(moves: pd.DataFrame, by: Sequence[str] = ("court", "month")) -> pd.DataFrame:
    """Moves (before the data cut) by ``by`` and ``move_class``, wide: one column per class plus ``moves``."""
    m = moves[~moves["after_data_cut"].astype(bool)]
    out = m.groupby(list(by) + ["move_class"]).size().unstack("move_class", fill_value=0)
    out = out.reindex(columns=list(MOVE_CLASSES), fill_value=0)
    out["moves"] = out.sum(axis=1)
    return out.reset_index()


def court_month_rates(moves: pd.DataFrame, pending: pd.DataFrame, judge_month: pd.DataFrame,
                      fy_min: int | None = None, fy_max: int | None = None) -> pd.DataFrame:
    """Reassignments per 1,000 pending case-months, by court and month (and nationally, ``court = "ALL"``).

    Numerator: moves dated in the month (before the data cut) by class; denominator: the pending caseload of the
    court's judges that month (sum of :func:`pending_caseload` over judges whose judge-month is in that court).
    Columns: ``court, month, fiscal_year, pending, moves, departure, to_new_judge, other`` and
    ``rate_<class>``/``rate`` per 1,000 pending case-months.
    """
    jm = judge_month[["ij_code", "month", "court"]].merge(pending, on=["ij_code", "month"], how="inner")
    den = jm.groupby(["court", "month"])["pending"].sum().reset_index()
    num = move_counts(moves, ("court", "month"))
    num["month"] = pd.to_datetime(num["month"])
    den["month"] = pd.to_datetime(den["month"])
    out = den.merge(num, on=["court", "month"], how="left").fillna({c: 0 for c in (*MOVE_CLASSES, "moves")})
    nat = out.groupby("month")[["pending", "moves", *MOVE_CLASSES]].sum().reset_index().assign(court="ALL")
    out = pd.concat([out, nat], ignore_index=True)
    out["fiscal_year"] = (out["month"].dt.year + (out["month"].dt.month >= 10)).astype("int64")
    out = common.window(out, fy_min, fy_max)
    for c in (*MOVE_CLASSES, "moves"):
        out[f"rate_{c}" if c != "moves" else "rate"] = 1000 * out[c] / out["pending"].where(out["pending"] > 0)
    return out.sort_values(["court", "month"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------- design

def reassign_panel(judge_month: pd.DataFrame, pending: pd.DataFrame, moves: pd.DataFrame,
                   fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
                   min_judges: int = 2, min_window_months: int = MIN_PRE_MONTHS) -> pd.DataFrame:
    """Judge-months for the reassignment design.

    Rows: months on the bench (first to last month with a completion: ``caseload.on_bench``) of judges with a
    defined bite and at least ``min_window_months`` months on the bench in the FY2017–FY2018 pace window
    (``caseload.bench_in_window``), with a positive pending caseload, in courts with at least ``min_judges`` judges
    on the bench that month (a case can only move to a colleague), within the fiscal-year window and ``court``. Adds
    ``pending``, ``log_pending``, ``reassigned_out_other`` (moves classed ``other``), ``pace_shortfall``
    ((700 − pace)/700: bite without the floor at 0, so faster judges have negative values), the policy dummies
    and ``judge``, ``month_id``, ``court_month``.
    """
    require_columns(judge_month, ["ij_code", "month", "court", "reassigned_out", "bite", "pace"], "reassign_panel")
    jm = on_bench(judge_month)
    n_on = jm.groupby(["court", "month"])["ij_code"].transform("nunique")
    ok = bench_in_window(judge_month) >= min_window_months
    jm = jm[(n_on >= min_judges) & jm["bite"].notna() & jm["ij_code"].map(ok).fillna(False).astype(bool)]
    pend = pending.assign(month=pd.to_datetime(pending["month"]))
    jm = jm.merge(pend, on=["ij_code", "month"], how="inner")
    m = moves[(moves["move_class"] == "other") & ~moves["after_data_cut"].astype(bool)]
    other = m.groupby(["from_judge", "month"]).size().rename("reassigned_out_other").reset_index()
    other = other.rename(columns={"from_judge": "ij_code"}).assign(month=lambda d: pd.to_datetime(d["month"]))
    jm = jm.merge(other, on=["ij_code", "month"], how="left").fillna({"reassigned_out_other": 0})
    jm = jm[jm["pending"] > 0]
    jm = common.window(jm, fy_min, fy_max, court)
    if jm.empty:
        raise ModelInputError("reassign_panel: no judge-months left (judges with a bite, on the bench, in courts "
                              f"with at least {min_judges} judges, FY {fy_min}-{fy_max}, court {court!r})")
    jm = common.add_design_columns(jm.reset_index(drop=True), "month")
    jm["log_pending"] = np.log(jm["pending"].astype(float))
    jm["pace_shortfall"] = (700.0 - jm["pace"]) / 700.0
    jm["judge"] = jm["ij_code"].astype(str)
    jm["month_id"] = pd.to_datetime(jm["month"]).dt.strftime("%Y-%m")
    jm["reassigned_out_other"] = jm["reassigned_out_other"].astype("int64")
    return jm


def reassign_did(panel: pd.DataFrame, outcome: str = "reassigned_out", dose: str = "bite",
                 fe: str = "judge + month_id", exposure: str | None = "log_pending",
                 periods: Sequence[str] = PERIOD_DUMMIES, cluster: str = "judge") -> pd.DataFrame:
    """Did judges with more bite (or slower pace) lose more cases after the quota? Poisson on judge-months.

    ``outcome_jm ~ dose_j × quota_m (+ × announce, × post_suspension) + log pending_jm | fe``, clustered by
    judge. Coefficients are log rate ratios of *observed* moves away from the judge (dated by the later schedule
    row) per unit of dose. The exposure enters as a regressor: its elasticity is estimated, not fixed at 1 as an
    offset would (``helpers.models.fepois(offset=...)``); ``exposure=None`` leaves it out.
    """
    present = common.periods_in(panel, periods)
    if "quota" not in present:
        raise ModelInputError("reassign_did: the panel has no quota-period months (or only those)")
    others = [p for p in present if p != "quota"]
    controls = [exposure] if exposure else []
    est = models.did_dose(panel, outcome, dose, "quota", fe, cluster, extra_terms=common.period_terms(dose, others),
                          controls=controls, method="fepois")
    label = f"reassignments (Poisson, {fe.replace('month_id', 'month')}" + (", log pending)" if exposure else ")")
    return common.label_design(est, label)


def rates_by_group(panel: pd.DataFrame, group: str = "pace_band", outcome: str = "reassigned_out") -> pd.DataFrame:
    """Moves away per 1,000 pending case-months by fiscal year and judge group (e.g. pre-policy ``pace_band``):
    sum of ``outcome`` ÷ sum of ``pending`` × 1,000 over the group's judge-months, with the number of judges."""
    require_columns(panel, [group, outcome, "pending", "fiscal_year", "ij_code"], "rates_by_group")
    g = panel.groupby(["fiscal_year", group], observed=True).agg(moves=(outcome, "sum"), pending=("pending", "sum"),
                                                                  judges=("ij_code", "nunique")).reset_index()
    g["rate"] = 1000 * g["moves"] / g["pending"]
    return g


def spec_spread(estimates: pd.DataFrame, term_suffix: str = ":quota") -> dict:
    """How much the quota coefficient moves across specifications: min, max, how many intervals exclude zero and
    whether the signs agree (rows whose term ends with ``term_suffix``)."""
    e = estimates[estimates["term"].str.endswith(term_suffix)]
    if e.empty:
        return {"n": 0}
    excl = ((e["ci_low"] > 0) | (e["ci_high"] < 0)).sum()
    return {"n": len(e), "min": float(e["estimate"].min()), "max": float(e["estimate"].max()),
            "exclude_zero": int(excl), "same_sign": bool((e["estimate"] > 0).all() or (e["estimate"] < 0).all())}


# --------------------------------------------------------------------------------------------- truth (synthetic)

def truth_causes(data) -> pd.DataFrame | None:
    """The generator's own count of moves by true cause per fiscal year (synthetic releases only; else None).

    From ``truth/reassignments.csv`` (``common.read_truth``): ``dgp_departure``, ``dgp_new_judge``,
    ``dgp_background`` (docket balancing) and ``dgp_pressure`` (the planted quota effect), dated by the month the
    case actually moved, and ``reassigned_observed`` (the observable count, dated by the later schedule row).
    """
    t = common.read_truth(data, "reassignments")
    if t is None:
        return None
    cols = [c for c in ("reassigned_observed", "dgp_departure", "dgp_new_judge", "dgp_background", "dgp_pressure")
            if c in t.columns]
    return t.groupby("fiscal_year")[cols].sum().reset_index()


__all__ = ["MOVE_CLASSES", "docket_spells", "pending_caseload", "classify_moves", "dating_lag", "move_counts",
           "court_month_rates", "reassign_panel", "reassign_did", "rates_by_group", "spec_spread", "truth_causes"]
