"""Summary statistics of the validation study, computed from the estimates table alone.

One row per scenario × release scale × design × sample × outcome × term. Definitions (``est`` = estimate,
``θ`` = the planted value of that replication, over the replications where the design was estimated):

* ``bias`` = mean(est − θ); ``bias_mcse`` = sd(est − θ) / √n, its Monte Carlo standard error;
* ``rmse`` = √mean((est − θ)²);
* ``coverage`` = share of 95% intervals with ci_low ≤ θ ≤ ci_high; ``coverage_mcse`` = √(c(1 − c)/n);
* ``mean_ci_width`` = mean(ci_high − ci_low); ``mean_std_error`` and ``sd_estimate`` (sd across replications):
  their ratio ``se_ratio`` is below 1 when the standard errors understate the sampling spread;
* ``rejection_rate`` = share of replications with p < 0.05 (two-sided test of 0). Where the planted value is 0
  in every replication (or the design tests a period with no effect by construction) this is the
  **false-positive rate** (``rejection_is`` = ``false-positive rate``); where it is non-zero in every
  replication, the **power**;
* ``replications`` = rows (replications) of the group, ``estimated`` = those with an estimate, ``not_estimated``
  and ``errors`` the rest by status. Statistics use only estimated rows; a group with none has NaN statistics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["scenario", "scale", "design", "sample", "outcome", "term"]

SUMMARY_COLUMNS = KEYS + [
    "estimate_scale", "replications", "estimated", "not_estimated", "errors", "truth_mean", "mean_estimate",
    "sd_estimate", "bias", "bias_mcse", "rmse", "coverage", "coverage_mcse", "mean_ci_width", "mean_std_error",
    "se_ratio", "rejection_rate", "rejection_is",
]

#: Columns :func:`summarize` needs in the estimates table.
REQUIRED = KEYS + ["estimate", "std_error", "ci_low", "ci_high", "p_value", "truth", "null_true", "status",
                   "estimate_scale"]
ALPHA = 0.05


def _group_stats(g: pd.DataFrame, alpha: float) -> dict:
    status = g["status"].astype(str)
    ok = g[(status == "estimated") & g["estimate"].notna()]
    n = len(ok)
    est, truth = ok["estimate"].to_numpy(float), ok["truth"].to_numpy(float)
    with_truth = ~np.isnan(truth)
    err = est[with_truth] - truth[with_truth]
    nt = int(with_truth.sum())
    has_ci = with_truth & ok["ci_low"].notna().to_numpy() & ok["ci_high"].notna().to_numpy()
    cover = (ok["ci_low"].to_numpy(float)[has_ci] <= truth[has_ci]) & (truth[has_ci] <= ok["ci_high"].to_numpy(float)[has_ci])
    p = ok["p_value"].to_numpy(float)
    p = p[~np.isnan(p)]
    sd = float(np.std(est, ddof=1)) if n > 1 else np.nan
    width = (ok["ci_high"] - ok["ci_low"]).to_numpy(float)
    se = ok["std_error"].to_numpy(float)
    null = ok["null_true"].astype("boolean")
    if n and null.notna().all() and bool(null.all()):
        kind = "false-positive rate"
    elif n and null.notna().all() and not bool(null.any()):
        kind = "power"
    else:
        kind = "mixed" if n else ""
    cov = float(cover.mean()) if cover.size else np.nan
    mean_se = float(np.nanmean(se)) if np.isfinite(se).any() else np.nan
    return {
        "estimate_scale": str(g["estimate_scale"].dropna().astype(str).iloc[0]) if g["estimate_scale"].notna().any() else "",
        "replications": int(len(g)), "estimated": n, "not_estimated": int((status == "not estimated").sum()),
        "errors": int((status == "error").sum()),
        "truth_mean": float(truth[with_truth].mean()) if nt else np.nan,
        "mean_estimate": float(est.mean()) if n else np.nan, "sd_estimate": sd,
        "bias": float(err.mean()) if nt else np.nan,
        "bias_mcse": float(np.std(err, ddof=1) / np.sqrt(nt)) if nt > 1 else np.nan,
        "rmse": float(np.sqrt(np.mean(err ** 2))) if nt else np.nan,
        "coverage": cov,
        "coverage_mcse": float(np.sqrt(cov * (1 - cov) / cover.size)) if cover.size else np.nan,
        "mean_ci_width": float(np.nanmean(width)) if np.isfinite(width).any() else np.nan,
        "mean_std_error": mean_se,
        "se_ratio": mean_se / sd if sd and np.isfinite(mean_se) and sd > 0 else np.nan,
        "rejection_rate": float((p < alpha).mean()) if p.size else np.nan,
        "rejection_is": kind,
    }


def summarize(estimates: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """The summary table (columns :data:`SUMMARY_COLUMNS`; definitions in the module docstring), sorted by the keys.

    ``estimates``: the study's estimates table (one row per replication × scenario × design × sample × term).
    Missing columns raise a ValueError naming them.
    """
    missing = [c for c in REQUIRED if c not in estimates.columns]
    if missing:
        raise ValueError(f"summarize: the estimates table lacks column(s) {missing}")
    if estimates.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    d = estimates.copy()
    for c in KEYS:
        d[c] = d[c].astype(str)
    rows = []
    for key, g in d.groupby(KEYS, sort=True, dropna=False):
        rows.append({**dict(zip(KEYS, key)), **_group_stats(g, alpha)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


__all__ = ["ALPHA", "KEYS", "REQUIRED", "SUMMARY_COLUMNS", "summarize"]
