"""Asylum grants under quota pressure: the design comparison of notebook 04 (DESIGNS.md D1–D4).

Every design function takes the case-level sample from :func:`build_sample` (one row per asylum decision)
and returns a tidy estimates frame (``helpers.models`` columns, then ``scale``, ``design`` and extras).
Outcome and term names follow the generator's ``truth/effects_truth.csv``: the outcome is ``asylum_grant``
(granted ÷ grants + denials, TRAC's denominator) or ``asylum_grant_eoir`` (granted ÷ every decision except
administrative closure, change of venue/transfer and reserved: EOIR's denominator), the terms are
``bite:quota``, ``bite:post_suspension``, ``bite:announce``, ``gap_share_lag:quota``... so that
:func:`attach_truth` (via ``helpers.analyses.common.with_truth``) can put the planted value beside each
estimate on synthetic data.

Designs:

* :func:`its` (D1) interrupted time series of the monthly grant rate, HAC errors;
* :func:`did` (D2) dose-response difference-in-differences on pre-policy bite, LPM or logit;
* :func:`event_study` (D4) bite × fiscal quarter, reference FY2018 Q2;
* :func:`reversal_test` the 19 Oct 2021 suspension: the change of the bite slope at the suspension;
* :func:`heterogeneity` by pre-policy leniency, with leniency from :func:`judge_leniency` (same window:
  regression to the mean) or an earlier window / split sample (:func:`split_leniency`);
* :func:`placebo_dates` a fake policy start on pre-announcement years;
* :func:`gap_design` (D3) the lagged within-year gap × quota with judge × fiscal-year effects;
* :func:`composition_check` does bite × quota predict the case mix?

Designs that cannot be estimated on the data given (too few judges, empty months) raise
:class:`helpers.models.ModelInputError`; :func:`helpers.analyses.common.try_design` turns that into an empty
frame and a message for the notebook to print.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers import QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED, models
from helpers.analyses import common
from helpers.fiscal import fiscal_quarter
from helpers.models import ModelInputError, attached, require_columns

#: denominator name -> (flag column of ``asylum_decisions``, outcome name in effects_truth.csv)
DENOMINATORS: dict[str, tuple[str, str]] = {
    "trac": ("trac_decided", "asylum_grant"),
    "eoir": ("eoir_decided", "asylum_grant_eoir"),
}
OUTCOMES = tuple(v[1] for v in DENOMINATORS.values())

#: case controls (0/1): detained at completion, represented, affirmative filing (referred by USCIS);
#: nationality enters as a fixed effect
CONTROLS = ("detained", "represented", "affirmative")
#: judge effects, court × calendar-month effects, nationality effects
FE = "ij_code + court_month + nat"
#: the event study's time effects are court × fiscal quarter
FE_QUARTER = "ij_code + court_quarter + nat"
#: D3: judge × fiscal-year effects absorb each judge's annual level
FE_GAP = "judge_fy + court_month + nat"
CLUSTER = "ij_code"
#: the policy periods whose bite interactions the designs estimate (reference: before 30 Mar 2018)
POLICY_TERMS = ("quota", "post_suspension", "announce")
#: the reference quarter of the event study: FY2018 Q2 (Jan–Mar 2018), before the 30 Mar 2018 announcement
EVENT_REF = -3
#: COVID months excluded in a robustness check: non-detained hearings postponed from mid-March 2020,
#: staggered reopening through June 2021 (DESIGNS.md D3)
COVID_MONTHS = ("2020-03-01", "2021-06-30")
NAT_UNKNOWN = "unknown"
#: ``vcov_type="auto"``: the cluster jackknife (CRV3) below this many judges, CRV1 from there on. Measured on
#: sample-scale synthetic releases: with 37 judges (bite concentrated in a handful) the CRV3 standard errors of D2
#: were 1.5-2.8 times the CRV1 ones, and with 86 judges (D3) about 1.6 times; CRV1 intervals missed planted values
#: that CRV3 intervals covered. CRV3 refits the model once per judge, affordable only with few judges.
CRV3_BELOW = 100

FLOW_COLUMNS = ["step", "rows", "excluded", "note"]


# --------------------------------------------------------------------------- sample

def outcome_name(denominator: str) -> str:
    """``asylum_grant`` for the TRAC denominator, ``asylum_grant_eoir`` for EOIR's."""
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {sorted(DENOMINATORS)}, not {denominator!r}")
    return DENOMINATORS[denominator][1]


def case_outcome(cases: pd.DataFrame) -> str:
    """The outcome column of a sample from :func:`build_sample` (exactly one of :data:`OUTCOMES`)."""
    found = [o for o in OUTCOMES if o in cases.columns]
    if len(found) != 1:
        raise ModelInputError(f"expected exactly one outcome column among {list(OUTCOMES)}, found {found}: "
                              "build the sample with asylum.build_sample()")
    return found[0]


def build_sample(
    decisions: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame | None = None, *,
    denominator: str = "trac", fy_min: int | None = None, fy_max: int | None = None,
    court: str | Sequence[str] | None = None, require_bite: bool = True, require_gap: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The case-level sample of asylum decisions, and the accounting of every row left out.

    ``decisions``: the ``asylum_decisions`` dataset; ``judges``: the ``judges`` dataset (bite, pace);
    ``judge_month``: the panel, for the lagged gap ``gap_share_lag`` (D3). Rows kept: decisions in the
    denominator (``trac``: granted or denied; ``eoir``: every decision except S, T, R), with a decision
    date and a judge, in the fiscal-year window and court(s), and (``require_bite``) of judges with a
    defined pre-policy bite, (``require_gap``) with a known lagged gap.

    Returns ``(cases, flow)``. ``cases`` has the outcome column (``asylum_grant`` or ``asylum_grant_eoir``,
    0/1), the controls of :data:`CONTROLS` as 0/1 (``affirmative`` is 0 when the filing type is unknown;
    ``filing_unknown`` flags those rows), ``nat`` (missing nationality -> ``"unknown"``), ``bite``,
    ``pace``, ``gap_share_lag``, the policy dummies and fixed-effect ids of
    :func:`helpers.analyses.common.add_design_columns` (``court_month``, ``court_quarter``, ``judge_fy``),
    ``rel_quarter`` (FY2019 Q1 = 0) and ``month`` (first day, a Timestamp). ``flow`` lists each step with
    the rows left, the rows excluded and recodings (columns :data:`FLOW_COLUMNS`).
    """
    where = "asylum.build_sample"
    outcome = outcome_name(denominator)
    flag = DENOMINATORS[denominator][0]
    require_columns(decisions, [flag, "granted", "decision_date", "ij_code", "court", "fiscal_year", "nat", "detained",
                         "represented", "asylum_filing"], where)
    require_columns(judges, ["ij_code", "bite"], where)
    flow: list[dict] = []
    d = decisions

    def step(mask: pd.Series | np.ndarray, name: str, note: str = "") -> None:
        nonlocal d
        mask = np.asarray(mask, dtype=bool)
        flow.append({"step": name, "rows": int(mask.sum()), "excluded": int((~mask).sum()), "note": note})
        d = d.loc[mask]

    flow.append({"step": "asylum (ASYL) applications in asylum_decisions", "rows": len(d), "excluded": 0, "note": ""})
    label = "granted or denied (TRAC)" if denominator == "trac" else "decided, excluding S, T, R (EOIR)"
    step(d[flag].fillna(False).astype(bool), f"in the denominator: {label}")
    step(d["decision_date"].notna(), "with a decision date")
    step(d["ij_code"].notna(), "with a judge", "pseudo-judges and blank judge codes")
    fy = pd.to_numeric(d["fiscal_year"], errors="coerce")
    if fy_min is not None or fy_max is not None:
        lo = -np.inf if fy_min is None else fy_min
        hi = np.inf if fy_max is None else fy_max
        step((fy >= lo) & (fy <= hi), f"in FY{fy_min or ''}–FY{fy_max or ''}")
    if court:
        courts = [court] if isinstance(court, str) else list(court)
        step(d["court"].isin(courts), f"in court(s) {', '.join(courts)}")
    out = common.attach_pressure(d, judges, judge_month, month_col="month") if judge_month is not None \
        else common.attach_pressure(d, judges)
    d = out
    if require_bite:
        step(d["bite"].notna(), "judge has a defined bite", "pre-policy pace undefined: under 6 months on the bench "
             "in FY2017–FY2018 (new judges, departures)")
    if require_gap:
        if "gap_share_lag" not in d.columns:
            raise ModelInputError(f"{where}: require_gap needs the judge_month panel")
        step(d["gap_share_lag"].notna(), "lagged gap known", "decision month outside the judge's panel")
    if d.empty:
        raise ModelInputError(f"{where}: no decisions left after the sample rules: "
                              f"{flow[-1]['step']!r} removed the last")
    c = d.copy()
    c[outcome] = c["granted"].astype(bool).astype("float64")
    for col in ("detained", "represented"):
        na = c[col].isna()
        if na.any():
            raise ModelInputError(f"{where}: column {col!r} has {int(na.sum())} missing value(s) (first at row "
                                  f"{c.index[np.flatnonzero(na.to_numpy())[0]]!r}); the dataset promises a boolean")
        c[col] = c[col].astype(bool).astype("float64")
    unknown_filing = c["asylum_filing"].isna()
    c["affirmative"] = (c["asylum_filing"] == "affirmative").fillna(False).astype("float64")
    c["filing_unknown"] = unknown_filing.astype("float64")
    flow.append({"step": "recode: filing type unknown -> affirmative = 0, filing_unknown = 1", "rows": len(c),
                 "excluded": 0, "note": f"{int(unknown_filing.sum())} rows recoded"})
    nat_na = c["nat"].isna()
    c["nat"] = c["nat"].astype("str").where(~nat_na, NAT_UNKNOWN)
    flow.append({"step": f"recode: nationality missing -> {NAT_UNKNOWN!r}", "rows": len(c), "excluded": 0,
                 "note": f"{int(nat_na.sum())} rows recoded"})
    c["decision_date"] = pd.to_datetime(c["decision_date"])
    c["month"] = c["decision_date"].dt.to_period("M").dt.to_timestamp()
    c["fiscal_year"] = pd.to_numeric(c["fiscal_year"]).astype("int64")
    c["fiscal_quarter"] = fiscal_quarter(c["decision_date"]).to_numpy(dtype="int64")
    c = common.add_design_columns(c, "decision_date")
    c["rel_quarter"] = c["rel_quarter"].astype("int64")
    c = c.reset_index(drop=True)
    c.attrs["outcome"] = outcome
    return c, pd.DataFrame(flow, columns=FLOW_COLUMNS)


def describe_sample(cases: pd.DataFrame) -> pd.DataFrame:
    """Decisions, judges, grant rate and mean bite by policy period (grant rate = grants ÷ decisions in the sample)."""
    y = case_outcome(cases)
    g = cases.groupby("period", observed=True, sort=False)
    out = pd.DataFrame({
        "decisions": g.size(), "judges": g["ij_code"].nunique(), "grant_rate": g[y].mean(),
        "mean_bite": g["bite"].mean(), "first": g["decision_date"].min().dt.date,
        "last": g["decision_date"].max().dt.date,
    })
    order = [p for p in ("pre", "announce", "quota", "post_suspension") if p in out.index]
    return out.loc[order].reset_index()


def resolve_vcov(vcov_type: str, cases: pd.DataFrame, cluster: str = CLUSTER, method: str = "feols") -> str:
    """``"CRV1"`` or ``"CRV3"``; ``"auto"`` = CRV3 with fewer than :data:`CRV3_BELOW` clusters, else CRV1.

    For the logit, CRV3 is the one-step jackknife (:func:`helpers.models.fixest.one_step_jackknife`: one
    weighted linear refit per judge), not pyfixest's jackknife for ``feglm``, whose refits were unstable when
    leaving out a judge removed most of the bite variation (measured: standard errors of 11 log-odds units).
    """
    if vcov_type not in ("auto", "CRV1", "CRV3"):
        raise ModelInputError(f"vcov_type must be 'auto', 'CRV1' or 'CRV3', not {vcov_type!r}")
    if vcov_type == "auto":
        return "CRV3" if cases[cluster].nunique() < CRV3_BELOW else "CRV1"
    return vcov_type


def _kind(method: str, vcov: str) -> str:
    return f"{ {'feols': 'LPM', 'feglm_logit': 'logit'}.get(method, method)}, {vcov}"


def _controls(cases: pd.DataFrame, controls: Sequence[str]) -> list[str]:
    """The controls that vary in ``cases``; a constant one (e.g. nobody detained in one court) cannot be
    estimated and is left out with a warning that names it."""
    require_columns(cases, list(controls), "asylum design")
    constant = [c for c in controls if cases[c].nunique() <= 1]
    if constant:
        warnings.warn(f"control(s) {constant} do not vary in this sample and are left out", UserWarning, stacklevel=3)
    return [c for c in controls if c not in constant]


# --------------------------------------------------------------------------- D1 interrupted time series

def monthly_series(cases: pd.DataFrame) -> pd.DataFrame:
    """One row per calendar month from the first to the last month of ``cases``.

    Columns: ``month``, ``decisions``, ``grants``, ``<outcome>_rate`` (grants ÷ decisions in the sample's
    denominator), the composition shares ``detained_share``, ``represented_share``, ``affirmative_share``
    (each ÷ decisions), ``fiscal_month`` and ``announce`` (1 for months starting on or after 30 Mar 2018 and
    before the quota, i.e. Apr–Sep 2018). Months with no decision are kept with ``decisions`` = 0 and a
    missing rate (:func:`its` refuses them).
    """
    y = case_outcome(cases)
    g = cases.groupby("month")
    s = pd.DataFrame({"decisions": g.size(), "grants": g[y].sum(), "detained_share": g["detained"].mean(),
                      "represented_share": g["represented"].mean(), "affirmative_share": g["affirmative"].mean()})
    months = pd.date_range(s.index.min(), s.index.max(), freq="MS")
    s = s.reindex(months)
    s.index.name = "month"
    s["decisions"] = s["decisions"].fillna(0).astype("int64")
    s["grants"] = s["grants"].fillna(0).astype("int64")
    s[f"{y}_rate"] = (s["grants"] / s["decisions"]).where(s["decisions"] > 0)
    s = s.reset_index()
    s["fiscal_month"] = ((s["month"].dt.month - 10) % 12 + 1).astype("int64")
    s["announce"] = ((s["month"] >= pd.Timestamp(QUOTA_ANNOUNCED))
                     & (s["month"] < pd.Timestamp(QUOTA_START))).astype("float64")
    return s


ITS_BREAKS = {"quota": QUOTA_START, "post_suspension": QUOTA_SUSPENDED}
ITS_TERMS = ("level:quota", "slope:quota", "level:post_suspension", "slope:post_suspension", "announce")
COMPOSITION = ("detained_share", "represented_share", "affirmative_share")


def its(series: pd.DataFrame, *, maxlags: int | None = 12, composition: bool = False,
        keep: Sequence[str] | None = ITS_TERMS) -> pd.DataFrame:
    """D1: segmented regression of the monthly grant rate with level and slope breaks (HAC errors).

    ``rate_t = a + b·t + L_q·1[t ≥ Oct 2018] + S_q·(t − t_q)·1[t ≥ Oct 2018] + L_s·1[t ≥ Nov 2021]
    + S_s·(t − t_s)·1[t ≥ Nov 2021] + A·announce_t + fiscal-month effects (+ composition shares) + e_t``

    on :func:`monthly_series` (unweighted: each month counts once). ``level:quota`` is the jump of the
    grant rate (a share) in October 2018 against the extrapolated pre-period line, ``slope:quota`` the
    change of its monthly slope; ``*:post_suspension`` the same at the suspension (the first month after
    19 Oct 2021 is November 2021). Newey–West errors with ``maxlags`` (DESIGNS.md: 12), t(n−k) intervals.
    ``composition=True`` adds the monthly detained, represented and affirmative shares as controls.
    """
    rate = [c for c in series.columns if c.endswith("_rate")]
    if len(rate) != 1:
        raise ModelInputError(f"its: expected one '<outcome>_rate' column from monthly_series, found {rate}")
    empty = series.loc[series["decisions"] == 0, "month"]
    if len(empty):
        shown = ", ".join(m.strftime("%Y-%m") for m in empty.iloc[:5])
        more = " ..." if len(empty) > 5 else ""
        raise ModelInputError(f"its: {len(empty)} month(s) without any decision ({shown}{more}): "
                              "the monthly rate is undefined; widen the court filter or the window")
    controls = _controls(series, ["announce"] + (list(COMPOSITION) if composition else []))
    est = models.its_hac(series, rate[0], "month", ITS_BREAKS, maxlags=maxlags, controls=controls,
                         seasonal="fiscal_month")
    label = "D1 ITS, monthly rate" + (" + composition" if composition else "")
    return common.label_design(est, label, keep)


def its_fitted(series: pd.DataFrame, est: pd.DataFrame) -> pd.DataFrame:
    """Fitted values of :func:`its` (all terms kept) and the same fit with the policy terms set to zero.

    Returns ``month``, ``fitted`` and ``no_policy`` (level, slope and announcement terms set to zero: the
    pre-period line extended, with the same seasonality and composition; a description of the past trend,
    not what would have happened without the policy). ``est`` must keep every term (``its(..., keep=None)``).
    """
    b = est.set_index("term")["estimate"]
    X = models.segmented_terms(series, "month", ITS_BREAKS)
    X["Intercept"] = 1.0
    for c in ("announce", *COMPOSITION):
        if c in b.index:
            X[c] = series[c].astype("float64")
    dummies = pd.get_dummies(series["fiscal_month"].astype("str"), prefix="fiscal_month", prefix_sep="=",
                             dtype="float64")
    X = pd.concat([X, dummies], axis=1)
    missing = [t for t in b.index if t not in X.columns]
    if missing:
        raise ModelInputError(f"its_fitted: cannot rebuild term(s) {missing}")
    Xb = X[list(b.index)]
    fitted = Xb.to_numpy() @ b.to_numpy()
    policy = [t for t in b.index if t.startswith(("level:", "slope:")) or t == "announce"]
    no_policy = Xb.drop(columns=policy).to_numpy() @ b.drop(policy).to_numpy()
    return pd.DataFrame({"month": series["month"].to_numpy(), "fitted": fitted, "no_policy": no_policy})


def its_benchmark(truth: pd.DataFrame | None, outcome: str) -> pd.Series:
    """What :func:`its` would estimate if the planted bite effect were the only change (synthetic data).

    From ``effects_truth.csv``'s ``mean_effect`` (the average change in the grant probability over the
    period's decisions of judges with a defined bite; judges with bite 0 count as 0): ``level:quota`` =
    mean effect in the quota period, ``level:post_suspension`` = post-suspension minus quota mean effect,
    ``announce`` = the announcement-window mean effect, slopes 0. It leaves out the smaller planted
    within-year gap channel (whose mean effect the truth table does not give), so it is an approximate
    benchmark for an ITS on the same judges. Empty on real data.
    """
    if truth is None:
        return pd.Series(dtype="float64")
    me = common.planted_values(truth, outcome, "bite", value="mean_effect")
    return pd.Series({"level:quota": me["quota"], "slope:quota": 0.0,
                      "level:post_suspension": me["post_suspension"] - me["quota"],
                      "slope:post_suspension": 0.0, "announce": me["announce"]}, dtype="float64")


# --------------------------------------------------------------------------- D2 dose-response DiD

def did(cases: pd.DataFrame, *, method: str = "feols", dose: str = "bite", controls: Sequence[str] = CONTROLS,
        fe: str = FE, announce: bool = True, cluster: str = CLUSTER, vcov_type: str = "auto",
        keep_controls: bool = False, design: str | None = None) -> pd.DataFrame:
    """D2: ``y_i = α_judge + γ_court×month + δ_nat + β_q·bite·quota + β_s·bite·post_suspension
    + β_a·bite·announce + X_i'θ + e_i`` on one row per decision, clustered by judge.

    ``method="feols"``: linear probability model, β in probability per unit of bite (bite 1 = a judge with
    no pre-policy completions, 0 = at or above 700 a year; compare with the planted ``ame``).
    ``"feglm_logit"``: the logit with the same absorbed effects, β in log-odds (compare with the planted
    coefficient; groups where the outcome never varies are dropped, with a warning). Periods are relative
    to decisions before 30 Mar 2018; ``bite:post_suspension`` near 0 means the effect reversed after the
    suspension. ``X``: :data:`CONTROLS` (those that vary in the sample). Standard errors clustered by judge:
    ``vcov_type`` ``"auto"`` (:func:`resolve_vcov`), ``"CRV1"`` or ``"CRV3"``; the type is named in ``design``.
    """
    y = case_outcome(cases)
    ctrl = _controls(cases, controls)
    extra = [f"{dose}:post_suspension"] + ([f"{dose}:announce"] if announce else [])
    require_columns(cases, [dose, "quota", "post_suspension", "announce", cluster], "asylum.did")
    est = models.did_dose(cases, y, dose, "quota", fe, cluster, extra_terms=extra, controls=ctrl, method=method,
                          vcov_type=resolve_vcov(vcov_type, cases, cluster, method))
    vcov = est.attrs["vcov_type"]          # "CRV1 (CRV3 failed)" when the cluster jackknife fell back to CRV1
    keep = None if keep_controls else [f"{dose}:quota", *extra]
    return common.label_design(est, design or f"D2 dose-response DiD ({_kind(method, vcov)})", keep)


def reversal_test(est: pd.DataFrame, dose: str = "bite") -> pd.DataFrame:
    """The change of the bite slope at the suspension: ``bite:post_suspension − bite:quota`` with its
    standard error from the fit's covariance (``attrs['vcov']``), t(df) or normal intervals as the fit.

    A full reversal (the default planted effects) means this change equals minus ``bite:quota`` and
    ``bite:post_suspension`` itself is 0. Returns one tidy row, term ``"<dose>:post_suspension - <dose>:quota"``.
    """
    from scipy import stats

    v = attached(est, "vcov")
    a, b = f"{dose}:post_suspension", f"{dose}:quota"
    if v is None or a not in v.index or b not in v.index:
        raise ModelInputError("reversal_test: pass the frame returned by did() (it carries the covariance)")
    e = est.set_index("term")
    diff = float(e.loc[a, "estimate"] - e.loc[b, "estimate"])
    se = float(np.sqrt(v.loc[a, a] + v.loc[b, b] - 2 * v.loc[a, b]))
    dfd = est.attrs.get("df_denom")
    crit = stats.t.ppf(0.975, dfd) if dfd else stats.norm.ppf(0.975)
    p = 2 * (stats.t.sf(abs(diff / se), dfd) if dfd else stats.norm.sf(abs(diff / se)))
    row = est[est["term"] == b].copy().reset_index(drop=True)
    row.attrs = {}
    row.loc[0, ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]] = [
        f"{a} - {b}", diff, se, diff - crit * se, diff + crit * se, p]
    row["design"] = str(row.loc[0, "design"]) + ", change at the suspension" if "design" in row.columns else "reversal"
    return row


# --------------------------------------------------------------------------- D4 event study

def event_study(cases: pd.DataFrame, *, ref: int = EVENT_REF, k_min: int = -8, k_max: int = 16,
                dose: str = "bite", controls: Sequence[str] = CONTROLS, fe: str = FE_QUARTER,
                cluster: str = CLUSTER, method: str = "feols", vcov_type: str = "CRV1") -> pd.DataFrame:
    """D4: ``y_i = α_judge + γ_court×quarter + δ_nat + Σ_{k≠ref} β_k·1[q_i − q0 = k]·bite + X_i'θ + e_i``.

    ``q_i − q0`` is the fiscal quarter of the decision relative to FY2019 Q1 (``rel_quarter``), binned at
    ``k_min`` (all earlier quarters) and ``k_max`` (all later): the end bins average those quarters.
    Reference ``ref = -3`` is FY2018 Q2 (Jan–Mar 2018), the last quarter before the 30 Mar 2018
    announcement; quarters −2 and −1 are the announcement window, 0–11 the quota (FY2019–FY2021),
    12 holds the suspension (19 Oct 2021). β_k: per unit of bite, probability scale (LPM), clustered by
    judge (``vcov_type`` ``"CRV1"``, ``"CRV3"`` — the cluster jackknife, one refit per judge — or ``"auto"``).
    Terms ``"bite:event_quarter[k]"`` with ``rel_period`` = k; the reference row has estimate 0.
    """
    if not k_min < ref < k_max:
        raise ModelInputError(f"event_study: need k_min < ref < k_max, got {k_min}, {ref}, {k_max}")
    vcov_type = resolve_vcov(vcov_type, cases, cluster, method)
    y = case_outcome(cases)
    d = cases.assign(event_quarter=cases["rel_quarter"].clip(k_min, k_max).astype("int64"))
    est = models.event_study(d, y, dose, "event_quarter", ref, fe, cluster, controls=_controls(d, controls),
                             method=method, vcov_type=vcov_type)
    keep = est["rel_period"].notna()
    out = est[keep].reset_index(drop=True)
    out.attrs = est.attrs
    return common.label_design(out, f"D4 event study ({_kind(method, est.attrs['vcov_type'])})")


def event_truth(es: pd.DataFrame, cases: pd.DataFrame, truth: pd.DataFrame | None, *, dose: str = "bite",
                k_min: int = -8, k_max: int = 16) -> pd.Series:
    """Planted value of each event-study coefficient (synthetic data), indexed by ``rel_period``.

    For event quarter k: Σ_period share of the quarter's decisions in the period × the planted ``ame`` of
    ``bite:<period>`` (0 before the announcement), minus the same for the reference quarter. The ``ame``
    is the period's average, so quarter-to-quarter movement of the baseline grant rate is ignored.
    NaN on real data.
    """
    idx = es["rel_period"].astype("int64").to_numpy()
    if truth is None:
        return pd.Series(np.nan, index=idx, dtype="float64")
    value = common.planted_values(truth, case_outcome(cases), dose, value="ame")
    k = cases["rel_quarter"].clip(k_min, k_max)
    share = pd.crosstab(k, cases["period"].astype("str"), normalize="index")
    per_k = sum(share[p] * value[p] for p in share.columns)
    ref = int(es.loc[es["reference"].astype(bool), "rel_period"].iloc[0]) if es["reference"].any() else EVENT_REF
    return (per_k - per_k.get(ref, 0.0)).reindex(idx).astype("float64")


# --------------------------------------------------------------------------- heterogeneity by leniency

def judge_leniency(cases: pd.DataFrame, fy_min: int, fy_max: int, *, min_decisions: int = 25,
                   rows: pd.Series | None = None) -> pd.DataFrame:
    """Pre-policy leniency per judge: own grant rate minus the leave-one-out grant rate of the court.

    Uses decisions of the sample dated before the 30 Mar 2018 announcement (``period == "pre"``) in
    FY``fy_min``–FY``fy_max`` (and, if given, only ``rows``: a boolean mask, for split samples).
    ``grant_rate`` = grants ÷ decisions of the judge; ``court_loo_rate`` = grants ÷ decisions of the other
    judges of the judge's modal court in the same window; ``leniency`` = the difference (a share: 0.1 = a
    grant rate 10 points above the judge's colleagues). NaN when the judge has fewer than ``min_decisions``
    decisions or the colleagues have fewer. Pass an all-judges sample (``require_bite=False``) so the
    court benchmark uses every judge.
    """
    y = case_outcome(cases)
    m = (cases["period"] == "pre") & cases["fiscal_year"].between(fy_min, fy_max)
    if rows is not None:
        m &= np.asarray(rows, dtype=bool)
    a = cases.loc[m]
    by = a.groupby("ij_code").agg(decisions=(y, "size"), grants=(y, "sum"))
    # modal court (ties: the first code in sort order)
    n_court = a.groupby(["ij_code", "court"]).size().rename("n").reset_index()
    n_court = n_court.sort_values(["ij_code", "n", "court"], ascending=[True, False, True], kind="stable")
    by["court"] = n_court.drop_duplicates("ij_code").set_index("ij_code")["court"]
    tot = by.groupby("court")[["decisions", "grants"]].transform("sum")
    loo_n = tot["decisions"] - by["decisions"]
    by["grant_rate"] = (by["grants"] / by["decisions"]).where(by["decisions"] >= min_decisions)
    by["court_loo_rate"] = ((tot["grants"] - by["grants"]) / loo_n).where(loo_n >= min_decisions)
    by["leniency"] = by["grant_rate"] - by["court_loo_rate"]
    by["window"] = f"FY{fy_min}–FY{fy_max} (pre-announcement)"
    return by.reset_index()[["ij_code", "court", "decisions", "grants", "grant_rate", "court_loo_rate", "leniency",
                             "window"]]


def split_leniency(cases: pd.DataFrame, fy_min: int, fy_max: int, *, seed: int = 20181001,
                   min_decisions: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split-sample leniency: half of each window's pre-announcement decisions (drawn with ``seed``)
    measure leniency, the other half stays in the estimation sample.

    Returns ``(leniency, cases_without_measurement_half)``. The measurement half never enters the
    regression, so chance highs and lows in it cannot revert within the estimation sample.
    """
    in_window = ((cases["period"] == "pre") & cases["fiscal_year"].between(fy_min, fy_max)).to_numpy()
    order = np.argsort(cases["idnproceedingappln"].to_numpy(), kind="stable") if "idnproceedingappln" in cases \
        else np.arange(len(cases))
    draw = np.empty(len(cases))
    draw[order] = np.random.default_rng(seed).random(len(cases))
    measure = in_window & (draw < 0.5)
    return judge_leniency(cases, fy_min, fy_max, min_decisions=min_decisions, rows=measure), \
        cases.loc[~measure].reset_index(drop=True)


def heterogeneity(cases: pd.DataFrame, leniency: pd.DataFrame, *, label: str, method: str = "feols",
                  controls: Sequence[str] = CONTROLS, fe: str = FE, cluster: str = CLUSTER) -> pd.DataFrame:
    """Does the quota response differ by pre-policy leniency (Blasingame et al.)? Adds leniency × period.

    ``y_i = α_judge + γ_court×month + δ_nat + Σ_p [β_p·bite·p + λ_p·leniency·p] + X_i'θ + e_i``, p over
    announce, quota, post_suspension. ``leniency:quota`` (λ_q) < 0: judges more lenient before the policy
    lowered their grants more in the quota years, holding bite fixed. Only judges with a defined leniency
    (from :func:`judge_leniency` / :func:`split_leniency`) enter; the rows left out are counted in the
    ``rows_without_leniency`` column. ``label`` names the leniency measure (``design`` and ``leniency_measure``).
    Standard errors CRV1 by judge (one fit each; optimistic with few judges).

    Regression to the mean: when leniency is measured on the same decisions that form the regression's
    pre-period, a judge whose pre-period rate was high by chance falls back later, and λ_q is biased
    negative even with no heterogeneity at all. Measure it in an earlier window or a split sample.
    """
    require_columns(leniency, ["ij_code", "leniency"], "asylum.heterogeneity")
    d, n_out = _with_leniency(cases, leniency, "asylum.heterogeneity")
    y = case_outcome(d)
    terms = [f"{v}:{p}" for v in ("bite", "leniency") for p in POLICY_TERMS]
    fml = f"{y} ~ {' + '.join(terms + _controls(d, controls))} | {fe}"
    fit = models.feols if method == "feols" else models.feglm_logit
    est = fit(d, fml, {"CRV1": cluster}, require_terms=terms)
    out = common.label_design(est, f"heterogeneity by leniency ({label}; {_kind(method, 'CRV1')})", terms)
    out["leniency_measure"] = label
    out["rows_without_leniency"] = n_out
    out["judges"] = int(d["ij_code"].nunique())
    return out


def _with_leniency(cases: pd.DataFrame, leniency: pd.DataFrame, where: str,
                   min_judges: int = 10) -> tuple[pd.DataFrame, int]:
    """Rows of judges with a defined leniency, the leniency column added, and the number of rows left out."""
    lm = leniency.dropna(subset=["leniency"]).set_index("ij_code")["leniency"]
    has = cases["ij_code"].isin(lm.index).to_numpy()
    d = cases.loc[has].copy()
    n_judges = d["ij_code"].nunique()
    if n_judges < min_judges:
        raise ModelInputError(f"{where}: only {n_judges} judge(s) have a defined leniency (need {min_judges}); "
                              "lower min_decisions or widen the leniency window")
    d["leniency"] = d["ij_code"].map(lm).astype("float64")
    return d, int((~has).sum())


def rtm_simulation(cases_all: pd.DataFrame, windows: Mapping[str, tuple[int, int]], *, est_fy_min: int = 2017,
                   reps: int = 200, seed: int = 20181001, min_decisions: int = 25,
                   draws: np.ndarray | None = None) -> pd.DataFrame:
    """How much heterogeneity by leniency does each leniency window find when there is none? (Monte Carlo)

    Each replication replaces every outcome of ``cases_all`` by a draw y* ~ Bernoulli(p_judge), p_judge = the
    judge's grant rate in ``cases_all`` (constant over time: no policy effect, no heterogeneity, only
    sampling noise), measures leniency on y* exactly as :func:`judge_leniency` does in each of ``windows``
    (name -> (first FY, last FY)), and estimates
    ``y* = α_judge + τ_period + Σ_p λ_p·leniency·p + e`` (p: announce, quota, post_suspension) on the
    decisions of judges with a bite from FY``est_fy_min`` on. The fit is weighted least squares on judge ×
    period cell means (identical to the case-level LPM with judge and period effects; court × month effects
    are left out because the simulated outcomes have no court or calendar pattern), so hundreds of
    replications take seconds.

    A window that overlaps the regression's pre-period (e.g. FY2017–FY2018 when ``est_fy_min`` = 2017)
    gives a negative ``leniency:quota`` on average: judges who looked lenient partly by chance fall back
    (regression to the mean; the expected bias is about −(noise variance ÷ variance of measured leniency)).
    A window that ends before ``est_fy_min`` gives 0 on average. Real data add year-to-year judge shocks,
    which make the bias larger.

    ``draws`` (optional, reps × rows, 0/1): the simulated outcomes to use instead of drawing them.
    Returns one row per window and replication: ``window``, ``rep``, ``estimate`` (λ on leniency:quota,
    probability per unit of leniency). Summarise with :func:`summarize_simulation`.
    """
    where = "asylum.rtm_simulation"
    y = case_outcome(cases_all)
    require_columns(cases_all, ["ij_code", "court", "period", "fiscal_year", "bite"], where)
    jcode, jnames = pd.factorize(cases_all["ij_code"], sort=True)
    J = len(jnames)
    p = (np.bincount(jcode, weights=cases_all[y].to_numpy(dtype="float64"), minlength=J)
         / np.bincount(jcode, minlength=J))[jcode]
    period = cases_all["period"].astype("str").to_numpy()
    est = ((cases_all["fiscal_year"] >= est_fy_min) & cases_all["bite"].notna()).to_numpy()
    periods = ["pre", *POLICY_TERMS]
    pcode = np.select([period == k for k in periods], range(len(periods)), -1)
    missing = [k for i, k in enumerate(periods) if not ((pcode == i) & est).any()]
    if missing:
        raise ModelInputError(f"{where}: no decisions in period(s) {missing} from FY{est_fy_min} on")
    # leniency windows: which rows measure it, and each judge's modal court there (does not depend on y*)
    spec = {}
    for name, (lo, hi) in windows.items():
        rows = (period == "pre") & cases_all["fiscal_year"].between(lo, hi).to_numpy()
        court = judge_leniency(cases_all, lo, hi, min_decisions=min_decisions).set_index("ij_code")["court"]
        ccode = pd.Series(pd.factorize(court)[0], index=court.index).reindex(jnames).fillna(-1).astype(int).to_numpy()
        spec[name] = (rows, ccode)
    if draws is None:
        rng = np.random.default_rng(seed)
        draws = (rng.random((reps, len(cases_all))) < p).astype("float64")
    draws = np.asarray(draws, dtype="float64")
    if draws.shape[1] != len(cases_all):
        raise ModelInputError(f"{where}: draws have {draws.shape[1]} columns for {len(cases_all)} rows")
    cell = jcode[est] * len(periods) + pcode[est]
    n_cell = np.bincount(cell, minlength=J * len(periods))
    out = []
    for r, ystar in enumerate(draws):
        y_cell = np.bincount(cell, weights=ystar[est], minlength=J * len(periods))
        for name, (rows, ccode) in spec.items():
            lam = _leniency_from_arrays(ystar[rows], jcode[rows], ccode, J, min_decisions)
            out.append({"window": name, "rep": r,
                        "estimate": _cell_wls(y_cell, n_cell, lam, J, len(periods), where)})
    return pd.DataFrame(out)


def _leniency_from_arrays(y: np.ndarray, j: np.ndarray, ccode: np.ndarray, J: int, min_decisions: int) -> np.ndarray:
    """:func:`judge_leniency` on arrays: own grant rate minus the court's leave-one-out rate (NaN if too few)."""
    n = np.bincount(j, minlength=J).astype("float64")
    g = np.bincount(j, weights=y, minlength=J)
    has = ccode >= 0
    C = ccode.max() + 1 if has.any() else 0
    cn = np.bincount(ccode[has], weights=n[has], minlength=C)
    cg = np.bincount(ccode[has], weights=g[has], minlength=C)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(n >= min_decisions, g / n, np.nan)
        loo_n = np.where(has, cn[np.maximum(ccode, 0)] - n, 0.0)
        loo = np.where(loo_n >= min_decisions, (cg[np.maximum(ccode, 0)] - g) / loo_n, np.nan)
    return own - loo


def _cell_wls(y_sum: np.ndarray, n: np.ndarray, lam: np.ndarray, J: int, P: int, where: str) -> float:
    """λ on leniency × quota from WLS of judge × period cell means on judge, period and leniency × period terms."""
    keep_j = ~np.isnan(lam)
    if keep_j.sum() < 10:
        raise ModelInputError(f"{where}: only {int(keep_j.sum())} judge(s) have a defined leniency (need 10)")
    jj, pp = np.divmod(np.arange(J * P), P)
    ok = keep_j[jj] & (n > 0)
    jj, pp, w = jj[ok], pp[ok], n[ok]
    ybar = y_sum[ok] / w
    judges = np.flatnonzero(keep_j)
    X = [(jj[:, None] == judges[None, :]).astype("float64")]
    X.append((pp[:, None] == np.arange(1, P)[None, :]).astype("float64"))
    X.append(lam[jj][:, None] * X[1])
    X = np.hstack(X)
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(X * sw[:, None], ybar * sw, rcond=None)
    return float(coef[len(judges) + (P - 1) + POLICY_TERMS.index("quota")])


def summarize_simulation(draws: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and 95% interval of the mean of :func:`rtm_simulation` draws, per window."""
    g = draws.groupby("window", sort=False)["estimate"]
    out = pd.DataFrame({"reps": g.size(), "mean": g.mean(), "sd": g.std(ddof=1)})
    out["se_mean"] = out["sd"] / np.sqrt(out["reps"])
    out["ci_low"] = out["mean"] - 1.96 * out["se_mean"]
    out["ci_high"] = out["mean"] + 1.96 * out["se_mean"]
    return out.reset_index()


# --------------------------------------------------------------------------- placebo dates and D3

def placebo_dates(cases: pd.DataFrame, starts: Sequence[str] = ("2015-10-01", "2016-10-01"), *,
                  end: str = QUOTA_ANNOUNCED, method: str = "feols", controls: Sequence[str] = CONTROLS,
                  fe: str = FE, cluster: str = CLUSTER, vcov_type: str = "auto") -> pd.DataFrame:
    """A fake policy start on pre-announcement decisions only: ``y ~ bite·1[date ≥ start] + X | FE``.

    For each ``start``: decisions dated before ``end`` (30 Mar 2018, the announcement), ``placebo`` = 1 from
    ``start``; the same fixed effects and clustering as :func:`did`. No policy acted then, so the
    coefficient on ``bite:placebo`` should be near zero; a clear non-zero value signals diverging trends by
    bite (or mean reversion in the pace measure) that would also bias D2. Term ``bite:placebo[<start>]``.
    """
    y = case_outcome(cases)
    parts = []
    for start in starts:
        d = cases.loc[cases["decision_date"] < pd.Timestamp(end)].copy()
        d["placebo"] = (d["decision_date"] >= pd.Timestamp(start)).astype("float64")
        if d["placebo"].nunique() < 2:
            raise ModelInputError(f"placebo_dates: no decisions on both sides of {start} before {end}")
        est = models.did_dose(d, y, "bite", "placebo", fe, cluster, controls=_controls(d, controls), method=method,
                              vcov_type=resolve_vcov(vcov_type, d, cluster, method))
        vcov = est.attrs["vcov_type"]
        est = est[est["term"] == "bite:placebo"].copy()
        est["term"] = f"bite:placebo[{start}]"
        est["placebo_start"] = start
        parts.append(est)
    out = pd.concat(parts, ignore_index=True)
    out["design"] = f"placebo policy start, pre-announcement years ({_kind(method, vcov)})"
    return out


def gap_design(cases: pd.DataFrame, *, method: str = "feols", controls: Sequence[str] = CONTROLS,
               fe: str = FE_GAP, cluster: str = CLUSTER, vcov_type: str = "auto") -> pd.DataFrame:
    """D3: ``y_i = α_judge×FY + γ_court×month + δ_nat + β·gap + Σ_p β_p·gap·p + X_i'θ + e_i``.

    ``gap`` = ``gap_share_lag``: how far the judge was behind the pro-rata 700 path at the end of the
    previous fiscal month, as a share of 700 (0 in October; negative = ahead). Judge × fiscal-year effects
    remove each judge's annual level, so β's come from month-to-month movement within a judge-year.
    β (the pre-quota years, when the 700 path had no consequence) is the placebo; ``gap_share_lag:quota``
    is the quota-specific response (the triple difference). All judges with a known gap enter (bite is
    not needed). LPM: probability per unit of gap share.
    """
    y = case_outcome(cases)
    require_columns(cases, ["gap_share_lag", "judge_fy"], "asylum.gap_design")
    extra = ["gap_share_lag", "gap_share_lag:announce", "gap_share_lag:post_suspension"]
    est = models.did_dose(cases, y, "gap_share_lag", "quota", fe, cluster, extra_terms=extra,
                          controls=_controls(cases, controls), method=method,
                          vcov_type=resolve_vcov(vcov_type, cases, cluster, method))
    vcov = est.attrs["vcov_type"]
    return common.label_design(est, f"D3 within-year gap × quota, judge×FY effects ({_kind(method, vcov)})",
                   ["gap_share_lag:quota", *extra])


def composition_check(cases: pd.DataFrame, outcomes: Sequence[str] = CONTROLS, *, fe: str = "ij_code + court_month",
                      cluster: str = CLUSTER) -> pd.DataFrame:
    """Does bite × period predict who the judge decides (detained, represented, affirmative shares)?

    ``x_i = α_judge + γ_court×month + β_q·bite·quota + β_s·bite·post_suspension + β_a·bite·announce + e_i``
    for each case characteristic x. Non-zero β_q would mean dockets shifted with quota pressure (e.g. slow
    judges given other cases), which D2 would mistake for changed decisions. LPM, clustered by judge.
    """
    parts = []
    for x in outcomes:
        if cases[x].nunique() < 2:
            continue
        est = models.did_dose(cases, x, "bite", "quota", fe, cluster,
                              extra_terms=["bite:post_suspension", "bite:announce"])
        parts.append(common.label_design(est, "composition check (LPM, CRV1)",
                             ["bite:quota", "bite:post_suspension", "bite:announce"]))
    if not parts:
        raise ModelInputError("composition_check: no case characteristic varies in the sample")
    return models.stack_estimates(parts)


def robustness(cases: pd.DataFrame, variants: Mapping[str, Mapping] | None = None, *,
               vcov_type: str = "CRV1") -> pd.DataFrame:
    """D2 (LPM) under alternative samples and specifications, stacked with a ``spec`` column.

    Default variants: ``main``; ``no case controls``; ``without COVID months`` (decisions in Mar 2020 –
    Jun 2021 dropped); ``court × quarter effects``; ``judges deciding in every FY2017–FY2021`` (a balanced
    set, against selective departures). ``variants`` maps a name to :func:`did` keyword arguments plus an
    optional ``sample`` (a function of ``cases``). Every variant uses ``vcov_type`` (default CRV1, one fit
    each: the variants are about how the point estimate moves; with few judges their intervals are too
    narrow, see :data:`CRV3_BELOW`).
    """
    if variants is None:
        lo, hi = (pd.Timestamp(x) for x in COVID_MONTHS)
        years = cases.groupby("ij_code")["fiscal_year"].agg(lambda s: set(range(2017, 2022)) <= set(s))
        balanced = set(years[years].index)
        variants = {
            "main": {},
            "no case controls": {"controls": ()},
            "without COVID months": {"sample": lambda c: c[(c["decision_date"] < lo) | (c["decision_date"] > hi)]},
            "court × quarter effects": {"fe": FE_QUARTER},
            "judges deciding in every FY2017–FY2021": {"sample": lambda c: c[c["ij_code"].isin(balanced)]},
        }
    out = {}
    for name, kw in variants.items():
        kw = dict(kw)
        sample = kw.pop("sample", None)
        d = sample(cases) if sample is not None else cases
        out[name] = did(d, **{"vcov_type": vcov_type, **kw})
    return models.stack_estimates(out, key="spec")


# --------------------------------------------------------------------------- truth

def attach_truth(est: pd.DataFrame, truth: pd.DataFrame | None, truth_json: dict | None = None) -> pd.DataFrame:
    """Add ``truth``: the planted value beside each estimate (synthetic data; NaN on real data).

    * D2/D3 rows: ``helpers.analyses.common.with_truth`` (LPM rows get the planted ``ame``, logit rows the
      planted coefficient). Logit rows on EOIR's denominator are left empty: the effect was planted on the
      log-odds among merits decisions, not among all decisions.
    * ITS rows: :func:`its_benchmark` (planted mean change of the bite channel).
    * Differences ``"a - b"`` (:func:`reversal_test`): truth(a) − truth(b).
    * Placebo-date rows and the pre-quota ``gap_share_lag`` (D3): 0, because the generator applies no effect
      before the announcement (``truth.json`` timing).
    * Leniency rows in the logit: 0 when the generator's model for the outcome has only bite and gap terms
      (``truth.json`` effects), i.e. no heterogeneity is planted on the log-odds scale. LPM leniency rows
      stay empty: a constant log-odds effect is larger in probability for judges whose grant rate is
      nearer 50%, so the planted value on that scale is not zero and not tabulated.
    """
    out = common.with_truth(est, truth)
    if truth is None or est.empty:
        return out
    terms = out["term"].astype(str)
    logit = out["scale"] == "log-odds"
    out.loc[logit & (out["outcome"] == "asylum_grant_eoir"), "truth"] = np.nan
    base = out["outcome"].str.removesuffix("_rate")
    for outcome in base[out["design"].str.startswith("D1")].unique():
        bench = its_benchmark(truth, outcome)
        m = out["design"].str.startswith("D1") & (base == outcome)
        out.loc[m, "truth"] = terms[m].map(bench).astype("float64")
    diff = terms.str.contains(" - ", regex=False)
    if diff.any():
        single = common.with_truth(_as_terms(out.loc[diff], 0), truth)["truth"].to_numpy() \
            - common.with_truth(_as_terms(out.loc[diff], 1), truth)["truth"].to_numpy()
        out.loc[diff, "truth"] = single
    if truth_json is not None:
        before = terms.str.startswith("bite:placebo[") | (terms == "gap_share_lag")
        announced = (truth_json.get("effects", {}).get("timing", {}) or {}).get("announced")
        if announced is not None:
            out.loc[before, "truth"] = 0.0
        coefs = truth_json.get("effects", {}).get("coefficients", {}).get("asylum_grant", {})
        if coefs and set(coefs) <= {"bite", "gap_share"}:
            out.loc[terms.str.startswith("leniency:") & logit, "truth"] = 0.0
    return out


def _as_terms(est: pd.DataFrame, i: int) -> pd.DataFrame:
    """``est`` with each ``"a - b"`` term replaced by its i-th part (for the truth of a difference)."""
    out = est.copy()
    out["term"] = out["term"].str.split(" - ", regex=False).str[i].astype("str")
    return out


__all__ = [
    "CONTROLS", "CRV3_BELOW", "DENOMINATORS", "EVENT_REF", "FE", "FE_GAP", "FE_QUARTER", "ITS_TERMS", "OUTCOMES",
    "POLICY_TERMS", "attach_truth",
    "build_sample", "case_outcome", "composition_check", "describe_sample", "did", "event_study",
    "event_truth", "gap_design", "heterogeneity", "its", "its_benchmark", "its_fitted", "judge_leniency",
    "monthly_series", "outcome_name", "placebo_dates", "resolve_vcov", "reversal_test", "robustness", "rtm_simulation",
    "split_leniency", "summarize_simulation",
]
