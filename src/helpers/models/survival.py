"""Time to completion (D6): Cox proportional hazards with court strata, delayed entry and judge clusters."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg

from ._core import (
    MIN_CLUSTERS, ModelInputError, check_formula_data, require_binary, require_clusters, show, tidy_frame,
)


def _risk_sums(v: np.ndarray, by_t: np.ndarray, by_e: np.ndarray, pos_t: np.ndarray, pos_e: np.ndarray) -> np.ndarray:
    """Σ v_j over the risk set {entry_j <= u_k <= t_j} at each failure time u_k, from sorted cumulative sums.

    = Σ over t_j >= u_k minus Σ over entry_j > u_k (a spell entering after u_k also ends after it).
    """
    zero = np.zeros((1,) + v.shape[1:])
    cum_t = np.concatenate([zero, np.cumsum(v[by_t], axis=0)])
    cum_e = np.concatenate([zero, np.cumsum(v[by_e], axis=0)])
    total = cum_t[-1]
    return (total - cum_t[pos_t]) - (total - cum_e[pos_e])


def score_residuals(model: PHReg, params: np.ndarray) -> np.ndarray:
    """Cox score residuals (Breslow increments), vectorised: n × k, one row per spell.

    U_j = δ_j·(x_j − x̄(t_j)) − e_j·Σ_k (x_j − x̄(u_k))·dΛ(u_k), the sum over the failure times u_k of j's
    stratum with entry_j <= u_k <= t_j (statsmodels' risk-set convention), x̄ = S1/S0 and dΛ = d_k/S0.
    The same quantity as statsmodels' ``PHReg.score_residuals``, whose loop over failure times costs
    O(failure times × risk set): 45 s for 40,000 spells in testing, hopeless on a full release. Here
    cumulative sums make it O(n log n). Spells never at risk at a failure time get 0. statsmodels 0.15
    gets those spells wrong (found in testing): NaN for some, and for a spell whose window holds no
    failure of its stratum its backward loop never takes it out of the risk set, giving non-zero values
    that make the score residuals fail to sum to zero at the MLE, and NaN clustered standard errors.
    (Its fit itself is right: checked against a brute-force partial likelihood.)
    """
    exog = np.asarray(model.exog, dtype="float64")
    t = np.asarray(model.endog, dtype="float64")
    status = np.asarray(model.status, dtype="float64")
    entry = np.zeros_like(t) if model.entry is None else np.asarray(model.entry, dtype="float64")
    strata = np.zeros(len(t), dtype=int) if model.strata is None else np.asarray(model.strata)
    eta = exog @ np.asarray(params, dtype="float64")
    if model.offset is not None:
        eta = eta + np.asarray(model.offset, dtype="float64")
    out = np.zeros_like(exog)
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        ts, es, xs, ds, ent = t[rows], eta[rows], exog[rows], status[rows], entry[rows]
        uft, d = np.unique(ts[ds == 1], return_counts=True)
        if len(uft) == 0:
            continue
        w = np.exp(es - es.max())
        by_t, by_e = np.argsort(ts, kind="stable"), np.argsort(ent, kind="stable")
        pos_t = np.searchsorted(ts[by_t], uft, "left")  # spells with t < u_k come first
        pos_e = np.searchsorted(ent[by_e], uft, "right")  # spells with entry <= u_k come first
        s0 = _risk_sums(w, by_t, by_e, pos_t, pos_e)
        xbar = _risk_sums(w[:, None] * xs, by_t, by_e, pos_t, pos_e) / s0[:, None]
        dlam = d / s0
        cum_a = np.concatenate([[0.0], np.cumsum(dlam)])
        cum_b = np.concatenate([np.zeros((1, xs.shape[1])), np.cumsum(xbar * dlam[:, None], axis=0)])
        lo = np.searchsorted(uft, ent, "left")
        hi = np.searchsorted(uft, ts, "right")
        a = cum_a[hi] - cum_a[np.minimum(lo, hi)]
        b = cum_b[hi] - cum_b[np.minimum(lo, hi)]
        own = np.clip(np.searchsorted(uft, ts, "left"), 0, len(uft) - 1)
        u = ds[:, None] * (xs - xbar[own]) - w[:, None] * (xs * a[:, None] - b)
        out[rows] = u
    return out


def cluster_sandwich(fit, groups: np.ndarray, correction: bool = True) -> np.ndarray:
    """Lin–Wei cluster-robust covariance of a PHReg fit: H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ × G/(G−1).

    ``s_g`` is the sum of the score residuals of cluster g. Same sandwich as statsmodels'
    ``PHReg.fit(groups=...)`` (which has no small-sample factor and loops over rows in Python); here it
    uses the vectorised :func:`score_residuals` (statsmodels' is quadratic and returns NaN for spells
    never at risk at a failure time) and, with ``correction``, is multiplied by G/(G−1) as Stata's
    ``stcox, vce(cluster)``.
    """
    model = fit.model
    score = score_residuals(model, fit.params)
    codes, uniq = pd.factorize(groups, sort=True)
    sums = np.zeros((len(uniq), score.shape[1]))
    np.add.at(sums, codes, score)
    hinv = np.linalg.inv(model.hessian(fit.params))
    cov = hinv @ (sums.T @ sums) @ hinv
    g = len(uniq)
    return cov * (g / (g - 1.0)) if correction else cov


def cox(
    df: pd.DataFrame, duration: str, event: str, formula: str, strata: str | None = None, cluster: str | None = None,
    entry: str | None = None, *, ties: str = "breslow", min_clusters: int = MIN_CLUSTERS,
) -> pd.DataFrame:
    """Cox proportional-hazards model (statsmodels ``PHReg``): ``h(s) = h0_stratum(s)·exp(x'β)``.

    * ``duration``: time from origin to completion or censoring (e.g. days from the charging document);
      ``event``: 1 = completed (by the exit of interest), 0 = censored — for cause-specific hazards, code
      other exits as 0; ``formula``: right-hand side, ``"post + bite:post + detained"`` (no intercept).
    * ``strata``: a separate baseline hazard per value (e.g. court); ``entry``: delayed-entry time (left
      truncation, e.g. cases filed before the window). statsmodels' convention: a spell is at risk at
      failure time u when entry <= u <= duration (a case entering on a failure's day counts for it).
    * Estimand: log hazard ratios (``scale = "log-hazard"``), with ``hr``, ``hr_low``, ``hr_high`` = exp of the
      estimate and 95% interval. Ties: Breslow (default) or Efron.
    * Standard errors: with ``cluster`` the Lin–Wei sandwich summed by cluster × G/(G−1)
      (:func:`cluster_sandwich`); otherwise the inverse information. Normal-based intervals.
      ``n_obs`` = rows (spells); ``n_events`` = events.
    """
    where = "cox"
    rhs = formula.split("~", 1)[1] if "~" in formula else formula
    rhs = rhs.strip()
    extra = [duration, event] + [c for c in (strata, cluster, entry) if c]
    check_formula_data(df, f"{duration} ~ {rhs}", where, extra=extra)
    dur = pd.to_numeric(df[duration], errors="raise").to_numpy(dtype="float64")
    status = require_binary(df[event], event, where)
    if (dur <= 0).any():
        i = int(np.flatnonzero(dur <= 0)[0])
        raise ModelInputError(f"{where}: {duration!r} must be positive; row {show(df.index[i])} has {dur[i]:g}")
    if status.sum() == 0:
        raise ModelInputError(f"{where}: no events in {event!r} (every row is censored)")
    kw = {}
    if entry:
        ent = pd.to_numeric(df[entry], errors="raise").to_numpy(dtype="float64")
        bad = (ent < 0) | (ent >= dur)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ModelInputError(
                f"{where}: entry {entry!r} must satisfy 0 <= entry < {duration!r}; row {show(df.index[i])} has "
                f"entry {ent[i]:g}, duration {dur[i]:g}"
            )
        kw["entry"] = ent
    if strata:
        kw["strata"] = pd.factorize(df[strata], sort=True)[0]
    model = PHReg.from_formula(f"{duration} ~ {rhs}", df, status=status, ties=ties, **kw)
    fit = model.fit()
    if cluster:
        g = require_clusters(df[cluster], cluster, where, min_clusters)
        cov = cluster_sandwich(fit, df[cluster].to_numpy())
    else:
        g, cov = None, np.asarray(fit.cov_params())
    se = np.sqrt(np.diag(cov))
    out = tidy_frame(
        model.exog_names, fit.params, se, n_obs=len(df), n_clusters=g, model="cox", outcome=event,
        scale="log-hazard", vcov=cov,
    )
    out["hr"] = np.exp(out["estimate"])
    out["hr_low"] = np.exp(out["ci_low"])
    out["hr_high"] = np.exp(out["ci_high"])
    out["n_events"] = int(status.sum())
    return out
