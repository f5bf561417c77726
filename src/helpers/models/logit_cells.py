"""The fixed-effect logit on (successes, trials) cells: the case-level logit's estimates from far fewer rows.

Why: pyfixest's ``feglm`` takes no weights, so a logit with absorbed judge and court × month effects had to be fitted
on every case (2.7 million completions at full scale: 20 s and about 2 GB on top of the data,
``benchmarks/RESULTS.md``). Cases with the same regressors, fixed-effect levels and cluster share one likelihood
contribution, so the binomial likelihood of the cells is the case-level likelihood: same estimates, same scores by
cluster, same CRV1 errors. The fit is iteratively reweighted least squares with the fixed effects absorbed by
pyfixest's weighted alternating-projections ``demean`` (fixest's algorithm for ``feglm``); ``tests/models`` checks
it against :func:`helpers.models.feglm_logit` (pyfixest on the cases).
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from ._core import (
    MIN_CLUSTERS, ModelInputError, formula_outcome, require_binary, require_clusters, require_columns,
    require_variation, tidy_frame,
)
from .fixest import (
    IWLS_TOL, ONE_STEP_CRV3, demean_weighted, drop_perfectly_predicted, fe_codes, fe_terms, jackknife_draws,
    plain_terms, rhs_terms,
)
from .glm import SUCCESSES, TRIALS, collapse_cells

#: Demeaning tolerance inside each IRLS step (pyfixest's default for feglm is 1e-8; tighter keeps the converged
#: estimates within 1e-8 of pyfixest's).
FIXEF_TOL = 1e-10
MAX_ITER = 100


def logit_terms(fml: str, where: str) -> tuple[str, list[str], list[str]]:
    """Outcome, regressor terms and fixed-effect terms of ``"y ~ a + b:c | fe1 + fe2^fe3"`` (regressors must be
    numeric columns or products of columns, ``a:b``)."""
    y = formula_outcome(fml, where)
    terms = rhs_terms(fml)
    if not plain_terms(terms):
        raise ModelInputError(f"{where}: regressors {terms} must each be a numeric column or a product of columns (a:b)")
    return y, terms, fe_terms(fml)


def ssc_k(cells: pd.DataFrame, fe: Sequence[str], cluster: str, k: int) -> int:
    """K of pyfixest's default small-sample factor (N−1)/(N−K) for CRV errors (``ssc(k_fixef="nonnested")``): the
    regressors plus the fixed-effect levels, one fewer per fixed effect after the first, with effects nested in the
    cluster (each level inside one cluster) counted as one each (pyfixest 0.60 ``utils.get_ssc``)."""
    if not fe:
        return k
    codes = [fe_codes(cells, t) for t in fe]
    levels = [int(c.max()) + 1 for c in codes]
    k_fe = sum(levels) - (len(fe) - 1)
    cl = pd.Series(pd.factorize(cells[cluster])[0])
    nested = [t == cluster or bool((cl.groupby(c).nunique() == 1).all()) for t, c in zip(fe, codes)]
    if not any(nested):
        return k + k_fe
    return k + k_fe - sum(lv for lv, n in zip(levels, nested) if n) + sum(nested)


def feglm_logit_cells(
    df: pd.DataFrame, fml: str, vcov: Mapping[str, str] = {"CRV1": "judge"}, *, min_clusters: int = MIN_CLUSTERS,
    require_terms: Sequence[str] = (), tol: float = IWLS_TOL, max_iter: int = MAX_ITER,
) -> pd.DataFrame:
    """Logit with absorbed fixed effects, fitted on (successes, trials) cells of ``df``'s cases.

    Same estimand, estimates and errors as :func:`helpers.models.feglm_logit` on the case rows: log-odds
    coefficients conditional on the fixed effects (``scale = "log-odds"``). Cells: cases grouped by every column
    the formula uses and the cluster. Fixed-effect groups whose outcome never varies are dropped first, with a
    warning (their count of cases in ``attrs["n_dropped"]``). Without fixed effects an intercept is absorbed (not
    reported), as pyfixest adds one.

    ``vcov``: ``{"CRV1": cluster}``, the cluster-robust sandwich with pyfixest's default small-sample factor
    G/(G−1)·(N−1)/(N−K) (N cases, K as :func:`ssc_k`; normal intervals), or ``{"CRV3": cluster}``, the one-step
    leave-one-cluster-out jackknife of :func:`helpers.models.fixest.one_step_jackknife` (weighted refits of the
    converged working regression without each cluster; variance ((G−1)/G)·Σ(β̂₋g − β̂)(β̂₋g − β̂)', t(G−1) intervals).
    A regressor collinear with the fixed effects raises :class:`ModelInputError` naming the terms.
    """
    where = "feglm_logit_cells"
    y, terms, fe = logit_terms(fml, where)
    if not (isinstance(vcov, Mapping) and len(vcov) == 1 and next(iter(vcov)) in ("CRV1", "CRV3")):
        raise ModelInputError(f"{where}: vcov must be {{'CRV1': cluster}} or {{'CRV3': cluster}}, not {vcov!r}")
    kind, cluster = next(iter(vcov.items()))
    cols = list(dict.fromkeys([c for t in terms for c in t.split(":")] + [c for t in fe for c in t.split("^")]))
    require_columns(df, [y, *cols, cluster], where)
    require_variation(pd.Series(require_binary(df[y], y, where)), y, where)
    cells = collapse_cells(df, y, list(dict.fromkeys([*cols, cluster])))
    keep = drop_perfectly_predicted(cells, SUCCESSES, fe, trials=TRIALS) if fe else np.ones(len(cells), dtype=bool)
    n_dropped = int(cells.loc[~keep, TRIALS].sum())
    if n_dropped:
        warnings.warn(f"{where}: dropped {n_dropped} of {int(cells[TRIALS].sum())} observations in fixed-effect groups "
                      f"where {y!r} is always 0 or always 1 (they do not inform the other coefficients)",
                      UserWarning, stacklevel=2)
        cells = cells.loc[keep].reset_index(drop=True)
    g = require_clusters(cells[cluster], cluster, where, min_clusters)
    k, n = cells[SUCCESSES].to_numpy(dtype="float64"), cells[TRIALS].to_numpy(dtype="float64")
    x = np.column_stack([np.prod([cells[c].to_numpy(dtype="float64") for c in t.split(":")], axis=0) for t in terms])
    flist = np.column_stack([fe_codes(cells, t) for t in fe]).astype(np.uint64) if fe else None
    share = k / n
    mu = (k + 0.5) / (n + 1.0)
    eta = special.logit(mu)
    dev_old = np.inf
    for it in range(max_iter):
        v = mu * (1.0 - mu)
        w = n * v
        z = eta + (share - mu) / v
        zx = demean_weighted(np.column_stack([z, x]), flist, w, FIXEF_TOL, where)
        sw = np.sqrt(w)[:, None]
        beta, _, rank, sv = np.linalg.lstsq(zx[:, 1:] * sw, zx[:, 0] * sw[:, 0], rcond=None)
        if rank < len(terms) or sv[-1] <= 1e-9 * sv[0]:
            raise ModelInputError(f"{where}: term(s) of {terms} are collinear with the fixed effects or constant "
                                  f"(not estimable); required: {list(require_terms) or terms}")
        eta = z - (zx[:, 0] - zx[:, 1:] @ beta)
        mu = special.expit(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * np.sum(special.xlogy(k, share / mu) + special.xlogy(n - k, (1 - share) / (1 - mu)))
        if abs(dev - dev_old) / (0.1 + abs(dev)) < tol:
            break
        dev_old = dev
    else:
        raise ModelInputError(f"{where}: IRLS did not converge in {max_iter} iterations")
    # the converged working regression (weights w, response z): its WLS fit is beta, its residuals give the scores
    v = mu * (1.0 - mu)
    w = n * v
    z = eta + (share - mu) / v
    zx = demean_weighted(np.column_stack([z, x]), flist, w, FIXEF_TOL, where)
    xt = zx[:, 1:]
    n_obs = float(n.sum())
    if kind == "CRV1":
        bread = np.linalg.inv(xt.T @ (xt * w[:, None]))
        score = xt * (k - n * mu)[:, None]
        groups = pd.factorize(cells[cluster])[0]
        s = np.zeros((g, len(terms)))
        np.add.at(s, groups, score)
        factor = g / (g - 1) * (n_obs - 1) / (n_obs - ssc_k(cells, fe, cluster, len(terms)))
        cov = factor * bread @ (s.T @ s) @ bread
        df_t, model = None, "feglm_logit_cells"
    else:
        work = cells[list(dict.fromkeys([*cols, cluster]))].copy()
        work["_z"], work["_w"] = z, w
        wfml = "_z ~ " + " + ".join(terms) + (" | " + " + ".join(fe) if fe else "")
        draws = jackknife_draws(work, wfml, cluster, terms, weights="_w")
        dev_b = draws - beta
        cov = (g - 1) / g * dev_b.T @ dev_b
        df_t, model = float(g - 1), f"feglm_logit_cells/{ONE_STEP_CRV3}"
    out = tidy_frame(terms, beta, np.sqrt(np.diag(cov)), n_obs=n_obs, n_clusters=g, model=model, outcome=y,
                     scale="log-odds", df_t=df_t, vcov=cov)
    out.attrs["n_dropped"] = n_dropped
    out.attrs["n_cells"] = int(len(cells))
    out.attrs["iterations"] = it + 1
    out.attrs["vcov_type"] = ONE_STEP_CRV3 if kind == "CRV3" else "CRV1"
    return out


__all__ = ["feglm_logit_cells", "ssc_k", "logit_terms"]
