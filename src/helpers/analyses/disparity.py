"""Judge disparity (judicial independence as consistency): do judges of the same court decide alike?

Building blocks of ``notebooks/08_judge_disparity.ipynb`` (and of the classroom notebook). All functions are pure
(DataFrames in, DataFrames out) except :func:`planted_judges`, which reads the generator's truth of a synthetic
source.

Definitions (``data/CODEBOOK.md``, ``asylum_decisions``):

* **Merits decision**: an asylum application granted or denied (``trac_decided``): TRAC's denominator.
* **Grant rate** of a judge = grants ÷ (grants + denials) among the judge's merits decisions in a window.
* **Periods**: the policy periods of ``helpers.pressure.policy_period`` applied to the decision date
  (``pre`` before 30 Mar 2018, ``announce``, ``quota`` 1 Oct 2018 – 18 Oct 2021, ``post_suspension``).
* **TRAC's spread**: within a court, the highest minus the lowest grant rate among judges with at least
  100 decisions in the window (``helpers.trac.within_court_spread``); yearly figures use 25 decisions.
  Rates are shares (0–1); ranges and interquartile ranges are in the same units (×100 = percentage points).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.pressure import policy_period
from helpers.trac import within_court_spread

OUTCOME = "asylum_grant"                 #: outcome name of the grant rate in the generator's truth tables
PERIODS = ("pre", "quota", "post_suspension")
TRAC_MIN_WINDOW = 100                    #: TRAC publishes judges with at least 100 decisions in its window
TRAC_MIN_YEAR = 25                       #: ... and yearly rates for years with at least 25 decisions
MIN_JUDGES_MODEL = 5                     #: fewest judges for a variance-component fit in a period
BASE_COVARIATES = ("detained", "represented", "affirmative", "spanish")

REQUIRED = ("ij_code", "court", "granted", "denied", "trac_decided", "decision_date", "fiscal_year")


class DisparityInputError(ValueError):
    """Bad input to a disparity function (the message names the column, row or problem)."""


def _require(df: pd.DataFrame, cols: Sequence[str], where: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DisparityInputError(f"{where}: missing column(s) {', '.join(missing)}; have {', '.join(map(str, df.columns))}")


# --------------------------------------------------------------------------------------------- decisions and rates

def merits_decisions(asylum: pd.DataFrame, fy_min: int | None = 2016, fy_max: int | None = 2024,
                     court: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Asylum merits decisions (granted or denied) with a judge and a decision date, labelled by policy period.

    ``asylum``: the ``asylum_decisions`` dataset. Keeps rows with ``trac_decided`` in the fiscal-year window
    (and court(s), if given). Adds ``period`` (policy period of ``decision_date``), ``grant`` and ``denial``
    (0/1 floats) and ``other_relief`` (1 when asylum was denied but withholding or CAT was granted in the same
    proceeding; 0 if the column ``other_protection_granted`` is absent). Merits decisions without a judge are
    not dropped silently: their number is in ``attrs["without_judge"]``.
    """
    _require(asylum, REQUIRED, "merits_decisions")
    d = asylum[asylum["trac_decided"].astype(bool)]
    if fy_min is not None:
        d = d[d["fiscal_year"] >= fy_min]
    if fy_max is not None:
        d = d[d["fiscal_year"] <= fy_max]
    if court:
        d = d[d["court"].isin([court] if isinstance(court, str) else list(court))]
    no_judge = d["ij_code"].isna()
    no_date = d["decision_date"].isna()
    if no_date.any():  # trac_decided implies a completed proceeding, so a decision date must exist
        i = d.index[no_date][0]
        raise DisparityInputError(f"merits_decisions: {int(no_date.sum())} merits decision(s) without decision_date "
                                  f"(first at row {i})")
    out = d[~no_judge].copy()
    out["period"] = policy_period(out["decision_date"]).to_numpy()
    out["grant"] = out["granted"].astype("float64")
    out["denial"] = out["denied"].astype("float64")
    other = out["other_protection_granted"].astype(bool) if "other_protection_granted" in out else False
    out["other_relief"] = (out["denied"].astype(bool) & other).astype("float64")
    out["fiscal_year"] = out["fiscal_year"].astype("int64")
    out.attrs["without_judge"] = int(no_judge.sum())
    return out


def judge_rates(decisions: pd.DataFrame, by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """One row per judge × court × ``by`` (e.g. period or fiscal year) with counts and rates.

    Columns: ``decisions`` (grants + denials), ``grants``, ``denials``, ``other_relief`` (denials in which
    withholding/CAT was granted), ``grant_rate`` = grants ÷ decisions, ``denial_rate`` = denials ÷ decisions,
    ``other_relief_rate`` = other_relief ÷ decisions. A judge who sat in two courts has one row per court.
    """
    by = list(by)
    _require(decisions, ["ij_code", "court", "grant", "denial", "other_relief", *by], "judge_rates")
    g = decisions.groupby([*by, "court", "ij_code"], observed=True, dropna=False)
    out = g.agg(decisions=("grant", "size"), grants=("grant", "sum"), denials=("denial", "sum"),
                other_relief=("other_relief", "sum")).reset_index()
    for c in ("grants", "denials", "other_relief"):
        out[c] = out[c].round().astype("int64")
    n = out["decisions"]
    out["grant_rate"] = out["grants"] / n
    out["denial_rate"] = out["denials"] / n
    out["other_relief_rate"] = out["other_relief"] / n
    return out


def _in_period_order(df: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Sort rows by ``by`` with policy periods in time order (pre, announce, quota, post_suspension)."""
    if df.empty or not by:
        return df.reset_index(drop=True)
    order = {p: i for i, p in enumerate(("pre", "announce", "quota", "post_suspension"))}
    return df.sort_values(list(by), key=lambda s: s.map(order).fillna(len(order)) if s.name == "period" else s,
                          kind="stable").reset_index(drop=True)


def _quantiles(x: pd.Series) -> pd.Series:
    q = x.quantile([0.25, 0.5, 0.75]).to_numpy()
    return pd.Series({"q25": q[0], "median": q[1], "q75": q[2]})


def court_spread(rates: pd.DataFrame, min_decisions: int = TRAC_MIN_WINDOW, by: Sequence[str] = ("period",),
                 rate: str = "grant_rate") -> pd.DataFrame:
    """TRAC's within-court spread of judge rates, per court and ``by`` group (e.g. period or fiscal year).

    Only judges with at least ``min_decisions`` decisions count, and only courts with two or more such judges
    (``helpers.trac.within_court_spread``). Columns: ``judges``, ``lowest``, ``highest``, ``range`` (highest −
    lowest), ``q25``, ``median``, ``q75``, ``iqr`` (q75 − q25, linear interpolation between judges),
    ``sd_raw`` (SD of the judges' rates, ddof 1), ``sd_noise`` (root mean binomial sampling variance
    p(1−p)/n, with p the court's pooled rate), ``sd_signal`` = √max(0, sd_raw² − sd_noise²): a
    method-of-moments estimate of the SD of the judges' underlying rates, net of sampling noise. Units: shares.
    """
    by = list(by)
    _require(rates, ["court", "ij_code", "decisions", rate, *by], "court_spread")
    parts = []
    for key, grp in rates.groupby(by, observed=True, sort=True) if by else [((), rates)]:
        s = within_court_spread(grp, rate=rate, min_decisions=min_decisions)
        if s.empty:
            continue
        q = grp[grp["decisions"] >= min_decisions]
        q = q[q["court"].isin(s["court"])]
        extra = q.groupby("court")[rate].apply(_quantiles).unstack()
        pooled = (q[rate] * q["decisions"]).groupby(q["court"]).sum() / q.groupby("court")["decisions"].sum()
        noise = q.assign(_p=q["court"].map(pooled)).assign(_v=lambda x: x["_p"] * (1 - x["_p"]) / x["decisions"])
        extra["sd_raw"] = q.groupby("court")[rate].std(ddof=1)
        extra["sd_noise"] = np.sqrt(noise.groupby("court")["_v"].mean())
        s = s.merge(extra.reset_index(), on="court", how="left")
        for k, v in zip(by, key if isinstance(key, tuple) else (key,)):
            s[k] = v
        parts.append(s)
    cols = [*by, "court", "judges", "lowest", "highest", "range", "q25", "median", "q75", "iqr", "sd_raw",
            "sd_noise", "sd_signal"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    out = pd.concat(parts, ignore_index=True)
    out["iqr"] = out["q75"] - out["q25"]
    out["sd_signal"] = np.sqrt(np.clip(out["sd_raw"] ** 2 - out["sd_noise"] ** 2, 0, None))
    return _in_period_order(out[cols], [*by, "court"])


def spread_summary(spread: pd.DataFrame, by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """Across courts, per ``by`` group: ``courts``, ``judges`` (qualifying judges), ``median_range``,
    ``median_iqr``, ``median_sd_signal`` (medians over courts, TRAC's "median disparity"), ``max_range``."""
    by = list(by)
    cols = [*by, "courts", "judges", "median_range", "median_iqr", "median_sd_signal", "max_range"]
    if spread.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    g = spread.groupby(by, observed=True, sort=True)
    out = g.agg(courts=("court", "nunique"), judges=("judges", "sum"), median_range=("range", "median"),
                median_iqr=("iqr", "median"), median_sd_signal=("sd_signal", "median"),
                max_range=("range", "max")).reset_index()
    return _in_period_order(out[cols], by)


def stayers(rates: pd.DataFrame, periods: Sequence[str] = ("pre", "quota"), min_decisions: int = TRAC_MIN_WINDOW,
            period_col: str = "period") -> list[str]:
    """Judges with at least ``min_decisions`` decisions (summed over courts) in every one of ``periods``.

    Comparing the same judges across periods separates a change in behaviour from a change in who is on the
    bench (the hiring wave of FY2019 on, departures).
    """
    _require(rates, ["ij_code", "decisions", period_col], "stayers")
    n = rates[rates[period_col].isin(periods)].groupby(["ij_code", period_col], observed=True)["decisions"].sum()
    n = n.unstack(period_col).reindex(columns=list(periods))
    ok = (n >= min_decisions).all(axis=1)
    return sorted(n.index[ok].astype(str))


# --------------------------------------------------------------------------------------------- shrinkage

def shrink_rates(rates: pd.DataFrame, rate: str = "grant_rate", by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """Empirical-Bayes (normal–normal) shrinkage of each judge's rate toward the court's pooled rate.

    Within each ``by`` group: ``prior_mean`` m_c = the court's pooled rate (Σ grants ÷ Σ decisions over its
    judges); ``sampling_var`` s_j² = m_c(1 − m_c)/n_j; ``tau2`` = the between-judge variance of true rates,
    by the method of moments pooled over courts: max(0, Σ (r_j − m_c)² / (J − C) − mean s_j²) (J judges,
    C courts); ``weight`` w_j = τ²/(τ² + s_j²); ``rate_eb`` = m_c + w_j (r_j − m_c). Judges with few decisions
    get small weights: their rate is pulled toward the court's. Units: shares.
    """
    by = list(by)
    _require(rates, ["court", "ij_code", "decisions", rate, *by], "shrink_rates")
    out = rates.copy()
    grp = [*by, "court"]
    num = (out[rate] * out["decisions"]).groupby([out[c] for c in grp], observed=True).transform("sum")
    den = out.groupby(grp, observed=True)["decisions"].transform("sum")
    out["prior_mean"] = num / den
    out["sampling_var"] = out["prior_mean"] * (1 - out["prior_mean"]) / out["decisions"]
    dev2 = (out[rate] - out["prior_mean"]) ** 2

    def _tau2(idx: pd.Index) -> float:
        j, c = len(idx), out.loc[idx, "court"].nunique()
        if j - c < 1:
            return np.nan
        return max(0.0, float(dev2[idx].sum() / (j - c) - out.loc[idx, "sampling_var"].mean()))

    key = out[by].astype("str").agg("|".join, axis=1) if by else pd.Series("all", index=out.index)
    tau = {k: _tau2(ix) for k, ix in out.groupby(key).groups.items()}
    out["tau2"] = key.map(tau).astype("float64")
    out["weight"] = out["tau2"] / (out["tau2"] + out["sampling_var"])
    out["rate_eb"] = out["prior_mean"] + out["weight"] * (out[rate] - out["prior_mean"])
    return out


def shrinkage_check(rates: pd.DataFrame, n_small: int | Sequence[int] = (5, 10, 20, 50),
                    min_decisions: int = TRAC_MIN_WINDOW, reps: int = 200, seed: int = 20181001) -> pd.DataFrame:
    """Does shrinkage help for low-volume judges? A split-sample check that needs no planted truth.

    For each judge with at least ``min_decisions`` decisions (``rates``: one period, from :func:`judge_rates`)
    in a court with another such judge, draw ``n_small`` of the judge's decisions at random (hypergeometric:
    without replacement), estimate the judge's rate from them (raw, and empirical Bayes toward the pooled rate
    of the court's *other* judges, with τ² from :func:`shrink_rates` on the full data) and compare with the
    rate in the judge's held-out decisions. Repeated ``reps`` times (seeded) for each ``n_small``.

    Returns one row per ``n_small`` × ``estimator`` (raw / empirical_bayes): ``mse`` (mean squared error
    against the held-out rate, squared shares), ``rmse_pp`` (√mse × 100, percentage points), ``judges``,
    ``reps``. The held-out rate's own noise adds the same amount to both MSEs, so the gap between the two
    estimators is what the check measures.
    """
    _require(rates, ["court", "ij_code", "decisions", "grants"], "shrinkage_check")
    if rates.duplicated(["court", "ij_code"]).any():
        raise DisparityInputError("shrinkage_check: give the rates of one period (a judge appears twice in a court)")
    sizes = [int(n_small)] if np.isscalar(n_small) else [int(v) for v in n_small]
    cols = ["n_small", "estimator", "mse", "rmse_pp", "judges", "reps"]
    full = shrink_rates(rates.assign(_one=1), by=["_one"])
    tau2 = float(full["tau2"].iloc[0]) if len(full) else np.nan
    q = full[full["decisions"] >= max(min_decisions, max(sizes) + 1)]
    q = q[q["court"].map(q["court"].value_counts()) >= 2]          # a leave-one-out prior needs another judge
    if q.empty or not np.isfinite(tau2):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    tot_k = q.groupby("court")["grants"].transform("sum")
    tot_n = q.groupby("court")["decisions"].transform("sum")
    m_loo = ((tot_k - q["grants"]) / (tot_n - q["decisions"])).to_numpy()
    k, n = q["grants"].to_numpy(), q["decisions"].to_numpy()
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        x = rng.hypergeometric(np.broadcast_to(k, (reps, len(k))), np.broadcast_to(n - k, (reps, len(k))), size)
        raw = x / size
        held = (k - x) / (n - size)
        w = tau2 / (tau2 + m_loo * (1 - m_loo) / size)
        eb = m_loo + w * (raw - m_loo)
        rows += [(size, "raw", float(np.mean((raw - held) ** 2))),
                 (size, "empirical_bayes", float(np.mean((eb - held) ** 2)))]
    out = pd.DataFrame(rows, columns=["n_small", "estimator", "mse"])
    out["rmse_pp"] = np.sqrt(out["mse"]) * 100
    out["judges"], out["reps"] = len(k), reps
    return out[cols]


# --------------------------------------------------------------------------------------------- variance components

def case_controls(decisions: pd.DataFrame, top_nationalities: int = 8) -> pd.DataFrame:
    """Case characteristics used as controls and balance covariates, as 0/1 floats and categories.

    Adds ``detained``, ``represented`` (0/1), ``affirmative`` (1 affirmative, 0 defensive or unknown filing),
    ``spanish`` (language of proceedings SP), ``nat_group`` (the ``top_nationalities`` most frequent
    nationalities in the frame, else ``other``; missing nationality is ``unknown``), ``fy`` (fiscal year as text).
    """
    _require(decisions, ["detained", "represented", "nat", "lang", "fiscal_year"], "case_controls")
    out = decisions.copy()
    for c in ("detained", "represented"):
        if out[c].isna().any():
            i = out.index[out[c].isna()][0]
            raise DisparityInputError(f"case_controls: column {c!r} has {int(out[c].isna().sum())} missing value(s) "
                                      f"(first at row {i})")
        out[c] = out[c].astype(bool).astype("float64")
    filing = out["asylum_filing"] if "asylum_filing" in out else pd.Series(pd.NA, index=out.index)
    out["affirmative"] = (filing == "affirmative").fillna(False).astype("float64")
    out["spanish"] = (out["lang"].astype("str").str.strip() == "SP").astype("float64")
    nat = out["nat"].astype("object").where(out["nat"].notna(), "unknown")
    top = nat[nat != "unknown"].value_counts().index[:top_nationalities]
    out["nat_group"] = np.where(nat.isin(top) | (nat == "unknown"), nat, "other")
    out["fy"] = out["fiscal_year"].astype("int64").astype("str")
    return out


CONTROLS_FORMULA = "C(court) + C(fy) + C(nat_group) + detained + represented + affirmative"


def judge_variance(decisions: pd.DataFrame, periods: Sequence[str] = PERIODS, method: str = "bayes",
                   judges: Sequence[str] | None = None, controls: str = CONTROLS_FORMULA) -> pd.DataFrame:
    """Between-judge variance of the grant, estimated separately in each period (D5, random judge intercepts).

    ``decisions``: from :func:`case_controls` (needs ``grant``, ``period``, ``ij_code`` and the control
    columns). Model per period: grant ~ court + fiscal year + nationality group + detained + represented +
    affirmative, with a random intercept per judge. Court effects are fixed, so the judge SD measures
    differences *within* courts (the cases of a court are assigned quasi-randomly to its judges).

    ``method="bayes"``: ``helpers.models.bayes_mixed_logit`` (variational Bayes): ``sd`` on the log-odds scale,
    with a 95% posterior interval (``sd_low``, ``sd_high``); VB shrinks judge SDs (see its docstring), so compare
    periods fitted the same way. ``method="lpm"``: ``helpers.models.mixed_lpm`` (REML): ``sd`` in probability
    units (×100 = percentage points), no interval. ``judges`` restricts the fit to those judges (e.g. :func:`stayers`).
    Periods with fewer than ``MIN_JUDGES_MODEL`` judges are skipped and listed in ``attrs["skipped"]``.
    Returns the judge rows of ``helpers.models.variance_components`` with ``period``, ``n_obs`` and ``method``.
    """
    from helpers.models import bayes_mixed_logit, mixed_lpm, variance_components

    if method not in ("bayes", "lpm"):
        raise DisparityInputError(f"judge_variance: method must be 'bayes' or 'lpm', not {method!r}")
    _require(decisions, ["grant", "period", "ij_code", "court", "fy", "nat_group"], "judge_variance")
    d = decisions if judges is None else decisions[decisions["ij_code"].isin(list(judges))]
    parts, skipped = [], {}
    for p in periods:
        dp = d[d["period"] == p]
        nj = dp["ij_code"].nunique()
        if nj < MIN_JUDGES_MODEL or dp["grant"].nunique() < 2:
            skipped[p] = f"{nj} judge(s), {len(dp)} decisions: too few for a variance-component fit"
            continue
        if method == "bayes":
            fit = bayes_mixed_logit(dp, f"grant ~ {controls}", {"judge": "0 + C(ij_code)"})
            vc = variance_components(fit)
        else:
            fit = mixed_lpm(dp, "grant", controls, "ij_code")
            vc = variance_components(fit)
            vc = vc[vc["component"].isin(["Intercept", "Residual"])].copy()
            vc.loc[vc["component"] == "Intercept", "group"] = "judge"
        vc = vc[vc["group"] == "judge"].copy()
        vc["period"], vc["n_obs"], vc["n_judges"], vc["method"] = p, len(dp), nj, method
        vc["outcome"] = OUTCOME
        parts.append(vc)
    cols = ["period", "group", "component", "variance", "sd", "sd_low", "sd_high", "n_judges", "n_obs", "model",
            "outcome", "method"]
    out = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    out.attrs["skipped"] = skipped
    return out


def planted_judges(data) -> pd.DataFrame | None:
    """The generator's judges truth table (``truth/judges.csv``: ``judge_code``, ``grant_propensity``, ``bite``,
    ...) for a synthetic source; None on real data (:func:`helpers.analyses.common.read_truth`)."""
    from helpers.analyses.common import read_truth

    t = read_truth(data, "judges")
    if t is not None:
        t["judge_code"] = t["judge_code"].astype("str")
    return t


def period_shares(truth: dict) -> dict[str, float]:
    """Share of the planted quota effect switched on in each period (``truth.json`` effects timing)."""
    timing = (truth.get("effects") or {}).get("timing", {})
    return {"pre": 0.0, "announce": float(timing.get("anticipation_share", 0.0)), "quota": 1.0,
            "post_suspension": float(timing.get("post_suspension_share", 0.0))}


def planted_judge_sd(planted: pd.DataFrame, truth: dict, judge_courts: pd.DataFrame) -> pd.DataFrame:
    """Planted within-court SD of the judges' log-odds of granting, per period (synthetic data only).

    The generator gives each judge a propensity a_j (``grant_propensity``) and, in period p, adds
    share_p × β × bite_j (β = the planted ``asylum_grant`` bite coefficient, share from :func:`period_shares`;
    judges without a bite get none, as in the generator). ``judge_courts``: rows ``period, court, ij_code``
    (the judges whose spread is measured). Returns ``period``, ``planted_sd`` = √(Σ (e_j − mean_court)² / (J − C))
    with e_j = a_j + share_p β bite_j, ``planted_sd_propensity_only`` (the same without the bite term),
    ``n_judges``, and the decomposition of planted_sd² = ``var_propensity`` + ``var_bite_term``
    (within-court variance of share_p β bite_j) + ``cov_term`` (2 × their within-court covariance): the quota
    widens the spread through bite differences and narrows it if lenient judges have more bite.
    The within-year gap term and the judge × year shocks are left out (they vary within judges).
    """
    _require(planted, ["judge_code", "grant_propensity", "bite"], "planted_judge_sd (truth)")
    _require(judge_courts, ["period", "court", "ij_code"], "planted_judge_sd")
    beta = float((((truth.get("effects") or {}).get("coefficients") or {}).get(OUTCOME) or {}).get("bite", 0.0))
    shares = period_shares(truth)
    pj = planted.set_index("judge_code")
    rows = []
    for p, g in judge_courts.drop_duplicates(["period", "court", "ij_code"]).groupby("period", sort=False):
        a = pj["grant_propensity"].reindex(g["ij_code"]).to_numpy(dtype="float64")
        b = np.nan_to_num(pj["bite"].reindex(g["ij_code"]).to_numpy(dtype="float64"))
        if np.isnan(a).any():
            missing = g["ij_code"].to_numpy()[np.isnan(a)]
            raise DisparityInputError(f"planted_judge_sd: judge(s) {', '.join(map(str, missing[:5]))} not in the truth table")
        court = g["court"].to_numpy()
        dof = len(a) - g["court"].nunique()

        def dev(e: np.ndarray) -> np.ndarray:
            return e - pd.Series(e).groupby(court).transform("mean").to_numpy()

        da, db = dev(a), dev(shares.get(p, 0.0) * beta * b)
        v = (lambda x, y: float((x * y).sum() / dof)) if dof > 0 else (lambda x, y: np.nan)
        rows.append({"period": p, "planted_sd": np.sqrt(v(da + db, da + db)), "planted_sd_propensity_only": np.sqrt(v(da, da)),
                     "var_propensity": v(da, da), "var_bite_term": v(db, db), "cov_term": 2 * v(da, db),
                     "n_judges": len(g), "bite_coefficient": beta, "share": shares.get(p, 0.0)})
    return pd.DataFrame(rows, columns=["period", "planted_sd", "planted_sd_propensity_only", "var_propensity",
                                       "var_bite_term", "cov_term", "n_judges", "bite_coefficient", "share"])


# --------------------------------------------------------------------------------------------- assignment check

def loo_stringency(decisions: pd.DataFrame, min_decisions: int = TRAC_MIN_YEAR,
                   by: Sequence[str] = ("period",)) -> pd.DataFrame:
    """Leave-one-out judge stringency for each decision: the judge's denial share among their *other*
    merits decisions in the same ``by`` group, (denials_j − own denial) ÷ (n_j − 1).

    Leaving the case out removes the mechanical link between a case's own outcome (which depends on its
    characteristics) and its judge's measured stringency. Rows of judges with fewer than ``min_decisions``
    decisions in the group are dropped and counted in ``attrs["dropped_low_volume"]``.
    """
    by = list(by)
    _require(decisions, ["ij_code", "denial", *by], "loo_stringency")
    g = decisions.groupby([*by, "ij_code"], observed=True)["denial"]
    s, n = g.transform("sum"), g.transform("size")
    keep = n >= max(min_decisions, 2)
    out = decisions[keep].copy()
    out["stringency_loo"] = (s[keep] - out["denial"]) / (n[keep] - 1)
    out.attrs["dropped_low_volume"] = int((~keep).sum())
    return out


def balance_covariates(decisions: pd.DataFrame, top_nationalities: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """The balance covariates: ``BASE_COVARIATES`` (from :func:`case_controls`) plus indicators ``nat_XX`` of the
    ``top_nationalities`` most frequent nationalities in the frame; covariates without variation are left out.
    Returns the frame with the indicator columns added, and the covariate names."""
    _require(decisions, [*BASE_COVARIATES, "nat"], "balance_covariates")
    d = decisions.copy()
    nat = d["nat"].astype("object")
    top = list(nat.dropna().value_counts().index[:top_nationalities])
    for code in top:
        d[f"nat_{code}"] = (nat == code).astype("float64")
    covariates = [c for c in [*BASE_COVARIATES, *[f"nat_{c}" for c in top]] if d[c].nunique() > 1]
    return d, covariates


def balance_check(decisions: pd.DataFrame, covariates: Sequence[str] | None = None, fe: str = "court_month",
                  cluster: str = "ij_code") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quasi-random assignment check (D8; Garcia et al.): do case characteristics predict the judge's
    leave-one-out stringency within court × month?

    ``decisions``: from :func:`loo_stringency` and :func:`case_controls` (one period). Regression (LPM,
    ``helpers.models.feols``): stringency_loo ~ covariates | court × month, errors clustered by judge.
    Covariates default to :func:`balance_covariates`. Court-months with a single decision (singletons)
    identify nothing and are dropped by pyfixest. Coefficient = the difference in the judge's stringency
    (denial share) associated with the characteristic. Under random assignment within court × month all are
    zero; the joint Wald test (``helpers.models.pretrend_test`` on these terms; F with G − 1 denominator degrees
    of freedom) tests that. With few judges the cluster-robust Wald test can reject too often: compare with
    :func:`balance_permutation_test`. Returns (coefficients, joint test).
    """
    from helpers.models import feols, pretrend_test

    _require(decisions, ["stringency_loo", "court", "month", cluster], "balance_check")
    d = decisions
    if covariates is None:
        d, covariates = balance_covariates(decisions)
    d = d.assign(court_month=d["court"].astype("str") + "_" + pd.to_datetime(d["month"]).dt.strftime("%Y-%m"))
    covariates = list(covariates)
    with warnings.catch_warnings():   # court-months with one decision identify nothing; pyfixest drops them
        warnings.filterwarnings("ignore", message=".*singleton fixed effect", category=UserWarning)
        est = feols(d, f"stringency_loo ~ {' + '.join(covariates)} | {fe}", {"CRV1": cluster})
    test = pretrend_test(est, terms=covariates)
    test["test"] = "balance"
    est = est[est["term"].isin(covariates)]
    return est, test


def _demean(values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Subtract cell means (columns of a 2-D array, or a 1-D array) within cells coded 0..n_cells-1."""
    counts = np.bincount(cell, minlength=n_cells).astype("float64")
    if values.ndim == 1:
        return values - (np.bincount(cell, weights=values, minlength=n_cells) / counts)[cell]
    means = np.column_stack([np.bincount(cell, weights=values[:, k], minlength=n_cells) for k in range(values.shape[1])])
    return values - means[cell] / counts[cell, None]


def balance_permutation_test(decisions: pd.DataFrame, covariates: Sequence[str], reps: int = 999,
                             seed: int = 20181001) -> pd.DataFrame:
    """Randomization-inference version of :func:`balance_check`: exact under random assignment within cells.

    ``decisions``: one period, with ``ij_code``, ``denial``, ``court``, ``month`` and the ``covariates`` (0/1
    floats, from :func:`balance_covariates`). Statistic:
    the F statistic of stringency_loo on the covariates after removing court × month means (homoskedastic form;
    its distribution is not needed). Reference distribution: ``reps`` re-assignments of the cases of each
    court × month to the same judges at random (each judge keeps the number of cases it decided in the cell, and
    its total denials and decisions in the period), recomputing each case's leave-one-out stringency
    (S_j − y_i)/(n_j − 1). ``p_value`` = (1 + #{F_perm ≥ F_obs}) / (1 + reps). Judges with fewer than two
    decisions are left out. Does not depend on cluster-robust asymptotics, which few judges make unreliable.
    """
    _require(decisions, ["ij_code", "denial", "court", "month", *covariates], "balance_permutation_test")
    d = decisions.groupby("ij_code").filter(lambda g: len(g) >= 2) if len(decisions) else decisions
    cell_key = d["court"].astype("str") + "_" + pd.to_datetime(d["month"]).dt.strftime("%Y-%m")
    cell = pd.factorize(cell_key)[0]
    judge = pd.factorize(d["ij_code"])[0]
    n_cells = int(cell.max()) + 1 if len(cell) else 0
    y = d["denial"].to_numpy(dtype="float64")
    s_j = np.bincount(judge, weights=y)
    n_j = np.bincount(judge).astype("float64")
    x = _demean(d[list(covariates)].to_numpy(dtype="float64"), cell, n_cells)
    keep = np.abs(x).sum(axis=1) > 0                          # singleton cells carry no information
    xtx_inv_xt = np.linalg.pinv(x[keep])
    dof = int(keep.sum()) - x.shape[1] - len(np.unique(cell[keep]))

    def f_stat(jj: np.ndarray) -> float:
        z = _demean((s_j[jj] - y) / (n_j[jj] - 1), cell, n_cells)[keep]
        b = xtx_inv_xt @ z
        fitted = x[keep] @ b
        rss = float(((z - fitted) ** 2).sum())
        return float((fitted ** 2).sum() / x.shape[1] / (rss / max(dof, 1)))

    observed = f_stat(judge)
    rng = np.random.default_rng(seed)
    order = np.argsort(cell, kind="stable")
    perm_stats = np.empty(reps)
    for r in range(reps):
        shuffled = order[np.lexsort((rng.random(len(cell)), cell[order]))]
        jj = np.empty_like(judge)
        jj[order] = judge[shuffled]                               # judges re-dealt among the cases of each cell
        perm_stats[r] = f_stat(jj)
    p = (1 + int((perm_stats >= observed).sum())) / (1 + reps)
    return pd.DataFrame({"test": ["balance_permutation"], "statistic": [observed], "df": [x.shape[1]],
                         "reps": [reps], "p_value": [p], "decisions": [int(keep.sum())],
                         "judges": [int(d["ij_code"].nunique())]})


# --------------------------------------------------------------------------------------------- TRAC-style tables

def release_trac_table(rates: pd.DataFrame, judges: pd.DataFrame | None = None,
                       min_decisions: int = TRAC_MIN_WINDOW, period_label: str | None = None) -> pd.DataFrame:
    """The release's judge rates in TRAC's 2022+ layout (readable by ``helpers.trac.read_trac_table``).

    ``rates``: one period's :func:`judge_rates`. Columns: ``court``, ``judge`` (the name in ``judges``, else the
    code), ``ij_code``, ``decisions``, ``percent_granted``, ``percent_denied`` (asylum denied and no other relief),
    ``percent_other_relief`` (asylum denied, withholding or CAT granted), rounded to 0.1 as TRAC does, and
    ``period``. Judges under ``min_decisions`` are left out, as TRAC does.
    """
    _require(rates, ["court", "ij_code", "decisions", "grants", "denials", "other_relief"], "release_trac_table")
    t = rates[rates["decisions"] >= min_decisions].copy()
    names = judges.set_index("ij_code")["judge_name"] if judges is not None and "judge_name" in judges else None
    t["judge"] = t["ij_code"].map(names).fillna(t["ij_code"]) if names is not None else t["ij_code"]
    n = t["decisions"]
    t["percent_granted"] = (100 * t["grants"] / n).round(1)
    t["percent_other_relief"] = (100 * t["other_relief"] / n).round(1)
    t["percent_denied"] = (100 * (t["denials"] - t["other_relief"]) / n).round(1)
    t["period"] = period_label if period_label is not None else (t["period"] if "period" in t else "")
    cols = ["court", "judge", "ij_code", "decisions", "percent_granted", "percent_denied", "percent_other_relief",
            "period"]
    return t[cols].sort_values(["court", "judge"]).reset_index(drop=True)


_HONORIFIC = re.compile(r"\b(judge|hon|honorable|ij)\b\.?", re.I)


def name_key(names: pd.Series) -> pd.Series:
    """A matching key for judge names: ``"last f"`` (lower-case last name and first initial).

    Accepts ``"Last, First M."`` and ``"First M. Last"``; drops honorifics (Judge, Hon.) and punctuation.
    Names that cannot be read (empty) give NA.
    """
    def one(s) -> str | None:
        if s is None or (isinstance(s, float) and np.isnan(s)):
            return None
        s = _HONORIFIC.sub(" ", str(s))
        if "," in s:
            last, first = s.split(",", 1)
        else:
            toks = s.split()
            if len(toks) < 2:
                return None
            last, first = toks[-1], " ".join(toks[:-1])
        last = re.sub(r"[^a-z\-' ]", "", last.lower()).strip()
        first = re.sub(r"[^a-z ]", "", first.lower()).strip()
        if not last or not first:
            return None
        return f"{last} {first[0]}"

    return pd.Series([one(v) for v in names], index=names.index, dtype="object")


def compare_with_trac(trac: pd.DataFrame, release: pd.DataFrame) -> pd.DataFrame:
    """Match a user's TRAC-style table with the release's table (:func:`release_trac_table`) by judge name.

    ``trac``: from ``helpers.trac.read_trac_table``. Names are matched on :func:`name_key`; a key held by two
    judges on either side is ambiguous and left unmatched (``status`` says so). Courts are not used to match
    (TRAC names courts by city, the release by code). Returns one row per judge of either table:
    ``status`` (matched / only_in_trac / only_in_release / ambiguous), names, courts, decisions and grant rates
    of both, ``grant_rate_difference`` = TRAC − release (shares) and ``decisions_difference``.
    """
    _require(trac, ["court", "judge", "decisions", "grant_rate"], "compare_with_trac (TRAC table)")
    _require(release, ["court", "judge", "decisions", "percent_granted"], "compare_with_trac (release table)")
    t = trac[["court", "judge", "decisions", "grant_rate"]].copy()
    r = release[["court", "judge", "decisions"]].copy()
    r["grant_rate"] = release["percent_granted"] / 100
    t["key"], r["key"] = name_key(t["judge"]), name_key(r["judge"])
    ambiguous = set(t.loc[t["key"].notna() & t["key"].duplicated(keep=False), "key"]) | \
        set(r.loc[r["key"].notna() & r["key"].duplicated(keep=False), "key"])
    usable_t = t["key"].notna() & ~t["key"].isin(ambiguous)
    usable_r = r["key"].notna() & ~r["key"].isin(ambiguous)
    m = t[usable_t].merge(r[usable_r], on="key", how="outer", suffixes=("_trac", "_release"), indicator=True)
    m["status"] = m["_merge"].map({"both": "matched", "left_only": "only_in_trac", "right_only": "only_in_release"})
    rest_t = t[~usable_t].rename(columns=lambda c: c if c == "key" else f"{c}_trac")
    rest_r = r[~usable_r].rename(columns=lambda c: c if c == "key" else f"{c}_release")
    rest_t["status"] = np.where(rest_t["key"].isin(ambiguous), "ambiguous", "only_in_trac")
    rest_r["status"] = np.where(rest_r["key"].isin(ambiguous), "ambiguous", "only_in_release")
    m = pd.concat([m.drop(columns="_merge"), rest_t, rest_r], ignore_index=True)
    m["status"] = m["status"].astype("object")
    both = (m["status"] == "matched").to_numpy()
    m["grant_rate_difference"] = np.where(both, m["grant_rate_trac"] - m["grant_rate_release"], np.nan)
    m["decisions_difference"] = np.where(both, m["decisions_trac"] - m["decisions_release"], np.nan)
    cols = ["status", "judge_trac", "judge_release", "court_trac", "court_release", "decisions_trac",
            "decisions_release", "grant_rate_trac", "grant_rate_release", "grant_rate_difference",
            "decisions_difference"]
    m["_order"] = m["status"].map({"matched": 0, "ambiguous": 1, "only_in_trac": 2, "only_in_release": 3})
    return m.sort_values(["_order", "judge_trac", "judge_release"], na_position="last")[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- estimates table

def spread_estimates(summary: pd.DataFrame, by: str = "period", design: str = "TRAC within-court spread") -> pd.DataFrame:
    """Tidy estimate rows (``helpers.outputs.ESTIMATE_COLUMNS``) from :func:`spread_summary`: terms
    ``median_range[<period>]`` and ``median_iqr[<period>]`` (shares; no standard errors: descriptive)."""
    rows = []
    for _, r in summary.iterrows():
        for stat in ("median_range", "median_iqr"):
            rows.append({"term": f"{stat}[{r[by]}]", "estimate": float(r[stat]), "n_obs": int(r["judges"]),
                         "n_clusters": float(r["courts"])})
    out = pd.DataFrame(rows, columns=["term", "estimate", "n_obs", "n_clusters"])
    for c in ("std_error", "ci_low", "ci_high", "p_value"):
        out[c] = np.nan
    out["model"], out["outcome"], out["design"], out["scale"] = "descriptive", OUTCOME, design, "probability"
    return out


def variance_estimates(vc: pd.DataFrame, planted: pd.DataFrame | None = None, label: str = "all judges") -> pd.DataFrame:
    """Tidy estimate rows from :func:`judge_variance`: term ``judge_sd[<period>]``, estimate = the judge SD,
    interval = its 95% posterior interval (Bayesian fits), ``truth`` = the planted within-court SD
    (:func:`planted_judge_sd`; log-odds fits on synthetic data only), ``sample`` = ``label``."""
    if vc.empty:
        return pd.DataFrame(columns=["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs",
                                     "n_clusters", "model", "outcome", "design", "scale", "sample", "truth"])
    out = pd.DataFrame({
        "term": "judge_sd[" + vc["period"].astype(str) + "]", "estimate": vc["sd"].astype("float64"),
        "std_error": np.nan, "ci_low": vc["sd_low"].astype("float64"), "ci_high": vc["sd_high"].astype("float64"),
        "p_value": np.nan, "n_obs": vc["n_obs"].astype("int64"), "n_clusters": vc["n_judges"].astype("float64"),
        "model": vc["model"].astype(str), "outcome": OUTCOME,
    })
    bayes = vc["method"].eq("bayes").to_numpy()
    out["design"] = np.where(bayes, "D5 mixed logit (judge SD)", "D5 mixed LPM (judge SD)")
    out["scale"] = np.where(bayes, "log-odds", "probability")
    out["sample"] = label
    truth = np.full(len(out), np.nan)
    if planted is not None and not planted.empty:
        t = planted.set_index("period")["planted_sd"]
        truth = np.where(bayes, vc["period"].map(t).to_numpy(dtype="float64"), np.nan)
    out["truth"] = truth
    return out


__all__ = [
    "OUTCOME", "PERIODS", "TRAC_MIN_WINDOW", "TRAC_MIN_YEAR", "DisparityInputError", "merits_decisions",
    "judge_rates", "court_spread", "spread_summary", "stayers", "shrink_rates", "shrinkage_check", "case_controls",
    "judge_variance", "planted_judges", "period_shares", "planted_judge_sd", "loo_stringency", "balance_covariates", "balance_check", "balance_permutation_test",
    "release_trac_table", "name_key", "compare_with_trac", "spread_estimates", "variance_estimates",
]
