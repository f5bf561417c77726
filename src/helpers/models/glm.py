"""Case-level logit with cluster-robust errors, and the same model fitted on aggregated cells."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from statsmodels.stats.sandwich_covariance import cov_cluster

from ._core import (
    MIN_CLUSTERS, ModelInputError, aggregate_cells, check_formula_data, formula_outcome, require_binary, require_clusters,
    require_variation, show, tidy_frame,
)

#: IRLS convergence tolerance (relative deviance change). Tighter than statsmodels' 1e-8 so that the
#: case-level and cell fits agree to ~1e-10; IRLS converges quadratically, so this costs one iteration.
IRLS_TOL = 1e-12

#: Newton convergence tolerance for the case-level logit (largest parameter change).
NEWTON_TOL = 1e-12

#: Column names written by :func:`collapse_cells`.
SUCCESSES, TRIALS = "successes", "trials"


def _cluster_codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0]


def _crv1_cov(fit, groups: np.ndarray, n_obs: float) -> np.ndarray:
    """CRV1 sandwich with the factor G/(G−1)·(N−1)/(N−K), N = underlying observations.

    This is statsmodels' default correction for a case-level GLM; computing it here lets the
    aggregated-cells fit use N = total trials instead of the number of cells.
    """
    raw = cov_cluster(fit, groups, use_correction=False)
    g = len(np.unique(groups))
    k = len(fit.params)
    return raw * (g / (g - 1.0)) * ((n_obs - 1.0) / (n_obs - k))


def logit_cluster(
    df: pd.DataFrame, formula: str, cluster: str | None, *, min_clusters: int = MIN_CLUSTERS,
) -> pd.DataFrame:
    """Case-level logit (statsmodels ``Logit``, Newton's method) with cluster-robust standard errors.

    ``formula`` is a statsmodels formula, ``"y ~ x + C(court)"``; ``y`` must be 0/1 or boolean.
    (``Logit`` rather than ``GLM``: same estimates, but GLM's IRLS solves a least-squares problem on the
    full n × k design every iteration, ~10× slower with hundreds of dummies in testing.)
    Estimand: the log-odds coefficients of the formula (``scale = "log-odds"``).
    Standard errors: CRV1 cluster-robust by ``cluster`` (e.g. judge), with statsmodels' factor
    G/(G−1)·(N−1)/(N−K); normal-based 95% intervals and p-values. ``cluster=None`` gives the
    model-based (inverse information) errors. Dummy variables are built in memory (n × levels):
    for hundreds of fixed effects use :func:`feglm_logit` or :func:`binomial_cells` instead.
    """
    where = "logit_cluster"
    y = formula_outcome(formula, where)
    check_formula_data(df, formula, where, extra=[cluster] if cluster else [])
    data = df.copy(deep=False)
    data[y] = require_binary(df[y], y, where)
    require_variation(data[y], y, where)
    model = smf.logit(formula, data)
    kw = dict(method="newton", maxiter=100, tol=NEWTON_TOL, disp=False)
    if cluster:
        g = require_clusters(df[cluster], cluster, where, min_clusters)
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": _cluster_codes(df[cluster])}, **kw)
    else:
        g, fit = None, model.fit(**kw)
    if not fit.mle_retvals.get("converged", True):
        raise ModelInputError(f"{where}: the logit did not converge (separation? check outcome by group)")
    return tidy_frame(
        fit.params.index, fit.params, fit.bse, n_obs=int(fit.nobs), n_clusters=g, model="logit_cluster",
        outcome=y, scale="log-odds", vcov=fit.cov_params(),
    )


def collapse_cells(df: pd.DataFrame, y: str, by: Sequence[str]) -> pd.DataFrame:
    """Aggregate a 0/1 outcome to cells: one row per distinct combination of ``by``.

    Returns the ``by`` columns plus ``successes`` (sum of ``y``) and ``trials`` (rows in the cell),
    sorted by ``by``; ``attrs["outcome"] = y``. Every regressor, fixed effect and cluster variable of
    the later :func:`binomial_cells` fit must be among ``by`` (constant within cells); the cluster
    variable being a column makes cells nest in clusters. Missing values in ``by`` or ``y`` raise.
    """
    where = "collapse_cells"
    return aggregate_cells(
        df, y, by, lambda d: pd.Series(require_binary(d[y], y, where), index=d.index), "sum", (SUCCESSES, TRIALS), where,
    )


def binomial_cells(
    cells: pd.DataFrame, formula: str, cluster: str | None = None, *,
    successes: str = SUCCESSES, trials: str = TRIALS, min_clusters: int = MIN_CLUSTERS,
) -> pd.DataFrame:
    """Binomial GLM (logit link) on aggregated cells: the case-level logit from far fewer rows.

    ``formula`` is ``"y ~ rhs"`` (the left side only names the outcome in the output; ``"~ rhs"`` uses
    ``cells.attrs["outcome"]``). The fit uses the cell success share as the response with the trials
    as variance weights, which has the same likelihood as the case-level logit up to a constant, so
    the estimates equal :func:`logit_cluster` on the cases (to the optimiser's tolerance, ~1e-8).

    Standard errors: with ``cluster`` (a column of ``cells``, so cells nest in clusters) the CRV1
    sandwich summed by cluster, which equals the case-level one because the score of a cell is the sum
    of its cases' scores; its small-sample factor is G/(G−1)·(N−1)/(N−K) with **N = total trials**
    (not cells), exactly what statsmodels applies to the case-level fit. Without ``cluster``: the
    model-based errors, also equal to the case-level ones. ``n_obs`` = total trials. Normal-based
    intervals. Scale: log-odds.

    Fixed effects are still dummy columns here (cells × levels), so this pays off only when cells are
    few. Measured (``benchmarks/models_bench.py``, 1 thread): 300k cases → 28,800 judge × month × detained
    cells with 350 dummies: 6.4 s and 1.1 GB vs 45 s and 3.6 GB case-level; but 5M cases → 168,000 cells
    with 820 dummies: 168 s and 11 GB, where :func:`feglm_logit` took 15 s and 3.0 GB. Use
    :func:`feglm_logit` for judge × month designs; use cells for coarse cells (e.g. judge × period).
    """
    where = "binomial_cells"
    lhs, rhs = formula.split("~", 1) if "~" in formula else ("", formula)
    outcome = lhs.strip() or str(cells.attrs.get("outcome", successes))
    rhs = rhs.strip()
    check_formula_data(cells, f"{successes} ~ {rhs}", where,
                       extra=[trials] + ([cluster] if cluster else []))
    n = cells[trials].to_numpy(dtype="float64")
    s = cells[successes].to_numpy(dtype="float64")
    if (n <= 0).any() or (s < 0).any() or (s > n).any():
        i = int(np.flatnonzero((n <= 0) | (s < 0) | (s > n))[0])
        raise ModelInputError(
            f"{where}: row {show(cells.index[i])} has {successes}={s[i]:g}, {trials}={n[i]:g} "
            "(need trials > 0 and 0 <= successes <= trials)"
        )
    if s.sum() in (0.0, n.sum()):
        raise ModelInputError(f"{where}: outcome {outcome!r} has no variation (all cases are {int(s.sum() > 0)})")
    data = cells.copy(deep=False)
    data["_share_"] = s / n
    model = smf.glm(f"_share_ ~ {rhs}", data, family=sm.families.Binomial(), var_weights=n)
    fit = model.fit(tol=IRLS_TOL)
    n_obs = float(n.sum())
    if cluster:
        g = require_clusters(cells[cluster], cluster, where, min_clusters)
        cov = _crv1_cov(fit, _cluster_codes(cells[cluster]), n_obs)
    else:
        g, cov = None, fit.cov_params().to_numpy()
    se = np.sqrt(np.diag(cov))
    return tidy_frame(
        fit.params.index, fit.params, se, n_obs=n_obs, n_clusters=g, model="binomial_cells",
        outcome=outcome, scale="log-odds", vcov=cov,
    )
