"""In absentia and removal orders, and time to completion (notebook 06).

Designs (shared literature, DESIGNS.md): the bite dose-response DiD (D2), the within-year gap (D3) and the
quarterly event study (D4) on completions — reusing :mod:`helpers.analyses.continuances` — and Cox models of
the time from the charging document to completion (D6) with time-varying quota exposure, delayed entry,
censoring at the data cut, court strata and judge-clustered errors; cause-specific hazards for in absentia,
merits and administrative exits; a Kitagawa decomposition of changes in a completion rate into changes in the
mix of completions and changes within types.

Definitions (``data/CODEBOOK.md``; ``docs/DATAFLOW.md`` §3):

* ``in_absentia`` = the completion is a removal order issued in absentia (``decision_class ==
  "in_absentia_removal"``); ``removal_order`` = any removal order (in absentia or not); ``merits_removal`` =
  a removal order issued with the respondent present. Denominator (``DENOMINATORS``): ``"all"`` completed
  proceedings (EOIR's completion count, incl. changes of venue and transfers; the generator's truth for
  ``in_absentia`` uses this one), ``"dispositive"`` (without changes of venue and transfers) or ``"initial"``
  (initial case completions: EOIR/CRS's method for published in absentia rates). Outcome names carry the
  denominator: ``in_absentia``, ``in_absentia_dispositive``, ``in_absentia_initial``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from helpers import COVID_START, QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED
from helpers.analyses import continuances as cont
from helpers.analyses.common import stack_kept, try_design
from helpers.models import ModelInputError, cox

#: Completion denominators: name -> (outcome-name suffix, description of the rows kept).
DENOMINATORS = {
    "all": ("", "all completed proceedings (EOIR's completion count, incl. changes of venue and transfers)"),
    "dispositive": ("_dispositive", "dispositive completions (without changes of venue and transfers)"),
    "initial": ("_initial", "initial case completions (EOIR/CRS method of published in absentia rates)"),
}

#: Case covariates of the logit and the Cox models (0/1): custody and representation.
CONTROLS = ("detained", "represented")
#: The columns of the ``completions`` dataset that :func:`completion_frame` uses: load only these
#: (``datasets.load(..., columns=COMPLETION_COLUMNS)``, plus any decomposition types); the dataset has ~30 columns.
COMPLETION_COLUMNS = ["idnproceeding", "ij_code", "court", "fiscal_year", "month", "comp_date", "decision_class",
                      "dispositive", "completion_type", *CONTROLS, "has_asylum_app"]

#: Exit types of a completed proceeding (cause-specific hazards), from ``decision_class``.
EXIT_TYPES = {
    "in_absentia": ("in_absentia_removal",),
    "merits": ("removal", "voluntary_departure", "relief_granted", "termination_dismissal", "other"),
    "administrative": ("administrative_closure", "change_of_venue_transfer"),
}

#: The columns of the ``proceedings`` dataset that :func:`cox_spells` uses (load only these: at full scale the
#: dataset has ~16.7 million rows).
COX_COLUMNS = ["idnproceeding", "ij_code", "court", "osc_date", "input_date", "comp_date", "completed",
               "decision_class", "detained"]

#: Calendar dates at which Cox spells are split (time-varying exposure).
SPLIT_DATES = (QUOTA_ANNOUNCED, QUOTA_START, COVID_START, QUOTA_SUSPENDED)

#: Right-hand side of the Cox models: period effects, bite × period, case covariates.
COX_FORMULA = ("bite + announce + quota + covid + post_suspension + bite:announce + bite:quota + bite:post_suspension"
               " + detained")


def outcome_name(base: str, denominator: str) -> str:
    """``in_absentia`` + ``"initial"`` -> ``in_absentia_initial`` (see ``DENOMINATORS``)."""
    if denominator not in DENOMINATORS:
        raise ModelInputError(f"unknown denominator {denominator!r}; choose one of {list(DENOMINATORS)}")
    return base + DENOMINATORS[denominator][0]


def completion_frame(completions: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame, *,
                     denominator: str = "all", fy_min: int | None = None, fy_max: int | None = None,
                     court: str | list | None = None) -> pd.DataFrame:
    """Completed proceedings (rows of the ``denominator``) dated by ``comp_date``, with 0/1 outcomes
    ``in_absentia``, ``removal_order``, ``merits_removal`` (names suffixed by the denominator, see
    :func:`outcome_name`) and 0/1 ``detained``, ``represented``, ``covid``; pressure and design columns as
    :func:`helpers.analyses.continuances.prepare_rows` (rows dropped at each step in ``attrs["exclusions"]``).
    """
    need = ["decision_class", "comp_date", "dispositive", "completion_type", *CONTROLS]
    missing = [c for c in need if c not in completions.columns]
    if missing:
        raise ModelInputError(f"completion_frame: completions lack column(s) {missing}")
    outcome_name("", denominator)   # validates the denominator
    keep = {"all": np.ones(len(completions), dtype=bool),
            "dispositive": completions["dispositive"].astype("boolean").fillna(False).to_numpy(dtype=bool),
            "initial": (completions["completion_type"] == "initial").to_numpy()}[denominator]
    rows = completions if keep.all() else completions[keep]   # no copy of every column for "all"
    d = cont.prepare_rows(rows, judges, judge_month, "comp_date", fy_min=fy_min, fy_max=fy_max, court=court,
                          where="completion_frame")
    counts = {"completions_in": int(len(completions)), f"not_in_denominator_{denominator}": int((~keep).sum())}
    counts.update(d.attrs["exclusions"])
    dc = d["decision_class"].astype(str)
    d[outcome_name("in_absentia", denominator)] = (dc == "in_absentia_removal").astype("float64")
    d[outcome_name("removal_order", denominator)] = dc.isin(["removal", "in_absentia_removal"]).astype("float64")
    d[outcome_name("merits_removal", denominator)] = (dc == "removal").astype("float64")
    for c in (*CONTROLS, "has_asylum_app") if "has_asylum_app" in d else CONTROLS:
        na = d[c].isna()
        if na.any():
            raise ModelInputError(f"completion_frame: {c!r} is missing for {int(na.sum())} completion(s), first "
                                  f"idnproceeding {d.loc[na, 'idnproceeding'].iloc[0]}")
        d[c] = d[c].astype("float64")
    codes, days = pd.factorize(d["comp_date"])     # once per distinct day, then spread to the rows
    d["covid"] = cont.covid_rows(pd.Series(days)).to_numpy()[codes]
    d.attrs = {"exclusions": counts}
    return d


def absentia_designs(frame: pd.DataFrame, outcome: str, *, fe_lpm: str = "judge + court_month",
                     fe_logit: str = "judge + court_month", fe_gap: str = cont.FE_GAP,
                     se: str = "jackknife", logit_se: str | None = None) -> pd.DataFrame:
    """The headline designs for one completion outcome, stacked: the bite DiD as an LPM (compare with the
    planted AME), as a logit with ``CONTROLS`` (compare with the planted log-odds coefficient: the logit is
    not collapsible, so the case covariates that shift the baseline odds are included), and the lagged-gap
    design (LPM, judge × FY and court × month effects). Errors: ``se`` for the LPMs (default the
    leave-one-judge-out jackknife, see :func:`helpers.analyses.continuances.lpm`; ``"auto"``: CRV1 from
    :data:`helpers.analyses.continuances.JACKKNIFE_BELOW` judges on), ``logit_se`` for the logit (default: as ``se``; its
    jackknife is the one-step version, :func:`helpers.models.fixest.one_step_jackknife`, because CRV1 by judge
    rejected a zero effect on the placebo release with 37 judges: ``tests/analyses/test_absentia.py``). The logit is
    fitted on (successes, trials) cells (:func:`helpers.models.feglm_logit_cells`, same estimates as on the cases).
    Designs the data cannot support are left out with their reason in ``attrs["notes"]``."""
    logit_se = logit_se or se
    fits = [
        try_design("bite DiD (LPM)", cont.bite_did, frame, outcome, fe=fe_lpm, se=se),
        try_design("bite DiD (logit)", cont.bite_did, frame, outcome, fe=fe_logit, method="feglm_logit",
                   controls=list(CONTROLS), se=logit_se),
        try_design("lagged gap (LPM)", cont.gap_design, frame, outcome, fe=fe_gap, se=se),
    ]
    return stack_kept(fits)


# --------------------------------------------------------------------------------------------- composition

def kitagawa(frame: pd.DataFrame, outcome: str, types: Sequence[str], period: str, before: str, after: str,
             group: str | None = None) -> pd.DataFrame:
    """Kitagawa decomposition of the change in the mean of ``outcome`` between two periods.

    With s_k the share of rows of type k (cells of ``types``) and r_k the outcome rate within type k:
    Δȳ = Σ_k (s1_k − s0_k)·(r0_k + r1_k)/2  [``mix``: the composition of completions]
       + Σ_k (r1_k − r0_k)·(s0_k + s1_k)/2  [``within``: changes inside each type].
    The two parts add up to the total change exactly. Types present in only one period contribute to
    ``mix`` with their own rate (r taken from the period where they exist). ``period`` is a column holding
    ``before``/``after`` labels (other rows are ignored); ``group`` splits the decomposition (e.g. bite band).
    Returns one row per group and component (``total``, ``mix``, ``within``) in outcome units (a share).
    """
    need = [outcome, period, *types] + ([group] if group else [])
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ModelInputError(f"kitagawa: column(s) {missing} not found")
    d = frame[frame[period].isin([before, after])]
    rows = []
    for g, sub in (d.groupby(group, observed=True) if group else [("all", d)]):
        cells = sub.groupby([period, *types], observed=True)[outcome].agg(["mean", "size"]).reset_index()
        cells["share"] = cells["size"] / cells.groupby(period)["size"].transform("sum")
        wide = cells.pivot_table(index=list(types), columns=period, values=["mean", "share"], observed=True)
        if before not in set(cells[period]) or after not in set(cells[period]):
            raise ModelInputError(f"kitagawa: group {g!r} has no rows in period {before!r} or {after!r}")
        s0, s1 = wide["share"][before].fillna(0.0), wide["share"][after].fillna(0.0)
        r0, r1 = wide["mean"][before], wide["mean"][after]
        r0f, r1f = r0.fillna(r1), r1.fillna(r0)
        mix = float(((s1 - s0) * (r0f + r1f) / 2).sum())
        within = float(((r1f - r0f) * (s0 + s1) / 2).sum())
        total = float(sub.loc[sub[period] == after, outcome].mean() - sub.loc[sub[period] == before, outcome].mean())
        n0, n1 = int((sub[period] == before).sum()), int((sub[period] == after).sum())
        for comp, val in (("total", total), ("mix", mix), ("within", within)):
            rows.append({"group": str(g), "component": comp, "change": val, "n_before": n0, "n_after": n1,
                         "outcome": outcome})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------- survival

#: Period labels of the intervals between ``SPLIT_DATES`` (before the first, between each pair, after the last).
SPLIT_PERIODS = ("pre", "announce", "quota", "quota_covid", "post_suspension")


def cox_spells(proceedings: pd.DataFrame, judges: pd.DataFrame, *, window_start: str, data_cut: str,
               split_dates: Sequence[str] = SPLIT_DATES, unit_days: float = 7.0, court: str | list | None = None,
               sample_share: float = 1.0, seed: int = 20181001, max_proceedings: int | None = None) -> pd.DataFrame:
    """Episodes of proceedings at risk of completion, for Cox models on the case-age time scale.

    * Time scale: case age in units of ``unit_days`` days (default weeks) since the charging document
      (``osc_date``). A proceeding is at risk from its ``input_date`` (later proceedings of a case enter late:
      delayed entry) or from ``window_start`` if later (left truncation of cases filed before the window),
      until its completion (the event) or the data cut (censored). Ages are grouped into whole units
      (entry in the unit containing the start day, exit at the end of the unit containing the last day):
      ties are then many and Breslow's method handles them; weeks make statsmodels' PHReg ~7× faster than
      days and move the estimates little (measured on the sample release).
    * Each spell is split at ``split_dates`` (30 Mar 2018, 1 Oct 2018, 16 Mar 2020, 19 Oct 2021: the unit
      containing a date starts the new period), giving ``period`` (``SPLIT_PERIODS``) and 0/1 columns
      ``announce``, ``quota`` (1 Oct 2018 to 18 Oct 2021), ``covid`` (16 Mar 2020 to 18 Oct 2021, inside the
      quota) and ``post_suspension``; only the last episode of a completed proceeding carries the event.
    * Columns: ``start``, ``stop`` (units; at risk for failure times u with start < u ≤ stop), ``entry`` =
      start + 0.5 (statsmodels' PHReg counts a spell at risk when entry ≤ u ≤ stop; with whole units the half
      step gives the counting-process convention, so consecutive episodes of a proceeding never share a risk
      set), ``event`` (any completion) and ``event_<type>`` for ``EXIT_TYPES``,
      ``court``, ``judge`` (the proceeding's judge: at completion, or the current one if pending), ``bite``,
      ``detained`` (custody at completion or now), ``idnproceeding``.
    * Dropped, and counted in ``attrs["exclusions"]``: no judge or no bite, no charging-document date,
      completed before the window, completion dated before the proceeding's start (a data error), and,
      with ``sample_share`` < 1, proceedings outside a random sample (drawn with ``seed``, for speed). With
      ``max_proceedings``, the share is lowered where needed so that about that many eligible proceedings are
      drawn (``attrs["sample_share_used"]``): the Cox fit then does not grow with the release (at full scale 15%
      of the proceedings took most of notebook 06's 251 s, ``benchmarks/RESULTS.md``).
    """
    need = COX_COLUMNS
    missing = [c for c in need if c not in proceedings.columns]
    if missing:
        raise ModelInputError(f"cox_spells: proceedings lack column(s) {missing}")
    if len(split_dates) != len(SPLIT_PERIODS) - 1:
        raise ModelInputError(f"cox_spells: give {len(SPLIT_PERIODS) - 1} split dates, one per period boundary")
    counts = {"proceedings_in": int(len(proceedings))}
    p = proceedings[need]
    if court:
        p = p[p["court"].isin([court] if isinstance(court, str) else list(court))]
    counts["other_courts"] = counts["proceedings_in"] - len(p)
    p = p.merge(judges[["ij_code", "bite"]], on="ij_code", how="left", validate="many_to_one")
    bad = p["ij_code"].isna() | p["bite"].isna()
    counts["no_judge_or_no_bite"] = int(bad.sum())
    p = p[~bad]
    no_osc = p["osc_date"].isna()
    counts["no_charging_document_date"] = int(no_osc.sum())
    p = p[~no_osc]
    share = float(sample_share)
    if max_proceedings is not None:
        if max_proceedings < 1:
            raise ModelInputError(f"cox_spells: max_proceedings must be a positive number, not {max_proceedings!r}")
        share = min(share, max_proceedings / max(len(p), 1))
    if share < 1.0:
        keep = np.random.default_rng(seed).random(len(p)) < share
        counts["not_in_random_sample"] = int((~keep).sum())
        p = p[keep]
    osc = pd.to_datetime(p["osc_date"])
    begin = pd.to_datetime(p["input_date"]).fillna(osc).clip(lower=osc).clip(lower=pd.Timestamp(window_start))
    done = p["completed"].astype("boolean").fillna(False).to_numpy(dtype=bool) & p["comp_date"].notna().to_numpy()
    last_day = pd.to_datetime(p["comp_date"]).where(done, pd.Timestamp(data_cut))
    before_window = done & (last_day < pd.Timestamp(window_start)).to_numpy()
    counts["completed_before_window"] = int(before_window.sum())
    bad_order = ~before_window & (last_day < begin).to_numpy()
    counts["completion_before_start"] = int(bad_order.sum())
    ok = ~(before_window | bad_order)
    p, osc, done = p[ok], osc[ok], done[ok]
    s_u = np.floor((begin[ok] - osc).dt.days.to_numpy() / unit_days)
    e_u = np.floor((last_day[ok] - osc).dt.days.to_numpy() / unit_days) + 1
    cuts = [np.floor((pd.Timestamp(b) - osc).dt.days.to_numpy() / unit_days) for b in sorted(split_dates)]
    bounds = [np.full(len(p), -np.inf)] + cuts + [np.full(len(p), np.inf)]
    parts = []
    for k, label in enumerate(SPLIT_PERIODS):
        a, b = np.maximum(s_u, bounds[k]), np.minimum(e_u, bounds[k + 1])
        m = a < b
        parts.append(pd.DataFrame({
            "idnproceeding": p["idnproceeding"].to_numpy()[m], "court": p["court"].to_numpy()[m],
            "judge": p["ij_code"].astype(str).to_numpy()[m], "bite": p["bite"].to_numpy(dtype="float64")[m],
            "detained": p["detained"].astype("boolean").fillna(False).to_numpy(dtype="float64")[m],
            "decision_class": p["decision_class"].astype(str).to_numpy()[m],
            "start": a[m], "stop": b[m], "event": (done[m] & (b[m] == e_u[m])).astype("float64"),
            "period": label,
        }))
    s = pd.concat(parts, ignore_index=True)
    if s.empty:
        raise ModelInputError("cox_spells: no proceeding is at risk in the window")
    s["entry"] = s["start"] + 0.5
    per = s["period"]
    s["announce"] = (per == "announce").astype("float64")
    s["quota"] = per.isin(["quota", "quota_covid"]).astype("float64")
    s["covid"] = (per == "quota_covid").astype("float64")
    s["post_suspension"] = (per == "post_suspension").astype("float64")
    for name, classes in EXIT_TYPES.items():
        s[f"event_{name}"] = (s["event"].astype(bool) & s["decision_class"].isin(classes)).astype("float64")
    counts["proceedings_used"] = int(ok.sum())
    counts["episodes"] = int(len(s))
    s.attrs = {"exclusions": counts, "sample_share_used": share}
    return s


def cox_quota(spells: pd.DataFrame, event: str = "event", formula: str = COX_FORMULA, *, strata: str = "court",
              cluster: str = "judge", design: str | None = None) -> pd.DataFrame:
    """Cox model of completion (or of one exit type, other exits censored: a cause-specific hazard):
    ``h(s) = h0_court(s)·exp(β·periods + β_b·bite × periods + δ·detained)`` on the episodes of
    :func:`cox_spells` (delayed entry: at risk after ``start``), judge-clustered (Lin–Wei) errors.

    ``bite:quota`` is the log hazard ratio per unit of bite during the quota relative to before the
    announcement: > 0 means the cases of judges with more bite completed faster once the quota started.
    """
    est = cox(spells, "stop", event, formula, strata=strata, cluster=cluster, entry="entry")
    est["design"] = design or f"D6 Cox ({event}; strata {strata})"
    return est


def cause_specific(spells: pd.DataFrame, formula: str = COX_FORMULA, causes: Sequence[str] = tuple(EXIT_TYPES),
                   *, strata: str = "court", cluster: str = "judge") -> pd.DataFrame:
    """Cause-specific Cox models, one per exit type (other exits and pending cases censored), stacked with
    an ``exit`` column; exits the data cannot support are left out (reason in ``attrs["notes"]``)."""
    fits = [try_design(f"Cox {c}", cox_quota, spells, f"event_{c}", formula, strata=strata, cluster=cluster,
                            design=f"D6 cause-specific Cox ({c} exits)").assign(exit=c) for c in causes]
    return stack_kept(fits)


__all__ = [
    "COMPLETION_COLUMNS",
    "DENOMINATORS", "CONTROLS", "EXIT_TYPES", "SPLIT_DATES", "SPLIT_PERIODS", "COX_FORMULA", "outcome_name", "completion_frame",
    "absentia_designs", "kitagawa", "COX_COLUMNS", "cox_spells", "cox_quota", "cause_specific",
]
