"""Linear, Poisson and logit models with absorbed fixed effects (pyfixest), and the LPM on cells.

Why pyfixest: a judge-dummy design matrix is n × levels (TOOLING.md §3.4: 300k rows × 300 levels took
20–27 s and 3.2 GB in statsmodels, 2 s and 0.4 GB in pyfixest, with identical estimates). Every fit
here is checked against statsmodels with explicit dummies in ``tests/models``.

Formulas use pyfixest syntax: ``"y ~ x1 + x2 | judge + court^month"`` (``a^b`` = one effect per a×b cell).
"""

from __future__ import annotations

import re
import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pyfixest as pf

from ._core import (
    MIN_CLUSTERS, Attached, ModelInputError, aggregate_cells, check_formula_data, formula_outcome, formula_variables,
    outcome_scale, quiet_library_deprecations, require_binary, require_clusters, require_columns, require_complete,
    require_variation, show, tidy_frame,
)

#: Default variance: cluster-robust (CRV1) by judge.
DEFAULT_VCOV: Mapping[str, str] = {"CRV1": "judge"}

#: IWLS tolerance for fepois/feglm. pyfixest's default (1e-8) gives the same coefficients to 8 digits but
#: standard errors ~4e-5 (relative) away from statsmodels' converged ones (measured in testing); 1e-12
#: makes them agree to ~1e-8 for one or two extra iterations.
IWLS_TOL = 1e-12

#: Column of case counts written by :func:`collapse_for_lpm`.
N_CASES = "n_cases"


def cluster_columns(vcov: str | Mapping[str, str] | None) -> list[str]:
    """Cluster variables named in a pyfixest ``vcov`` (``{"CRV1": "judge+court"}`` -> ``["judge", "court"]``)."""
    if isinstance(vcov, Mapping):
        return [c.strip() for v in vcov.values() for c in str(v).split("+") if c.strip()]
    return []


def fe_terms(fml: str) -> list[str]:
    """The fixed-effect terms of a pyfixest formula (``"y ~ x | a + b^c"`` -> ``["a", "b^c"]``)."""
    parts = fml.split("|")
    if len(parts) < 2:
        return []
    return [t.strip() for t in parts[1].split("+") if t.strip()]


def _fit(
    kind: str, df: pd.DataFrame, fml: str, vcov, *, where: str, weights: str | None = None,
    weights_type: str = "aweights", ssc: dict | None = None, fixef_rm: str = "singleton",
    min_clusters: int = MIN_CLUSTERS, require_terms: Sequence[str] = (), offset: str | None = None,
):
    """Validate, fit one pyfixest model, and check that the required terms survived."""
    if not isinstance(fml, str) or "~" not in fml:
        raise ModelInputError(f"{where}: formula {fml!r} must look like 'y ~ x | fe'")
    if any(w in fml for w in ("sw(", "csw(", "sw0(", "csw0(", "mvsw(")):
        raise ModelInputError(f"{where}: fit one model at a time (multiple-estimation syntax is not supported)")
    clusters = cluster_columns(vcov)
    cols = check_formula_data(df, fml, where, extra=clusters + [c for c in (weights, offset) if c])
    y = formula_outcome(fml, where)
    require_variation(df[y], y, where)
    n_clusters = None
    if clusters:
        n_clusters = min(require_clusters(df[c], c, where, min_clusters) for c in clusters)
    data = df[cols]
    kw = dict(vcov=dict(vcov) if isinstance(vcov, Mapping) else vcov, ssc=ssc, fixef_rm=fixef_rm)
    try:
        with quiet_library_deprecations():
            if kind == "feols":
                fit = pf.feols(fml, data, weights=weights, weights_type=weights_type, **kw)
            elif kind == "fepois":
                fit = pf.fepois(fml, data, iwls_tol=IWLS_TOL, weights=weights, offset=offset, **kw)
            else:
                fit = pf.feglm(fml, data, family="logit", iwls_tol=IWLS_TOL, **kw)
    except ValueError as err:
        if "collinear" in str(err):
            raise ModelInputError(
                f"{where}: every regressor of {fml!r} is collinear with the fixed effects (or constant)"
            ) from err
        raise
    if not hasattr(fit, "coef"):
        raise ModelInputError(f"{where}: formula {fml!r} gave several models; fit one at a time")
    names = list(fit.coef().index)
    lost = [t for t in require_terms if t not in names]
    if lost:
        raise ModelInputError(
            f"{where}: term(s) {lost} were dropped (collinear with the fixed effects or constant); "
            f"estimated terms: {names}"
        )
    if clusters:
        n_clusters = int(min(np.atleast_1d(fit._G)))
    return fit, y, n_clusters


def _tidy_fixest(fit, y: str, n_clusters, *, model: str, scale: str, linear: bool, extra=None) -> pd.DataFrame:
    tid = fit.tidy()
    return tidy_frame(
        list(tid.index), tid["Estimate"], tid["Std. Error"], n_obs=fit._N, n_clusters=n_clusters, model=model,
        outcome=y, scale=scale, ci=(tid["2.5%"], tid["97.5%"]), p_value=tid["Pr(>|t|)"],
        df_t=float(fit._df_t) if linear else None, vcov=np.asarray(fit._vcov), extra=extra,
    )


def feols(
    df: pd.DataFrame, fml: str, vcov: str | Mapping[str, str] | None = DEFAULT_VCOV, weights: str | None = None, *,
    weights_type: str = "aweights", ssc: dict | None = None, fixef_rm: str = "singleton",
    min_clusters: int = MIN_CLUSTERS, require_terms: Sequence[str] = (), model: str = "feols",
) -> pd.DataFrame:
    """OLS with absorbed fixed effects (pyfixest ``feols``); for a 0/1 outcome, the linear probability model.

    Estimand: the coefficients of ``fml`` after absorbing the fixed effects, in outcome units
    (``scale = "probability"`` for a 0/1 outcome, else ``"linear"``).
    Standard errors: pyfixest's ``vcov`` (default CRV1 clustered by judge) with its default small-sample
    correction ``ssc``: (N−1)/(N−K)·G/(G−1), where K omits fixed effects nested in the cluster
    (``k_fixef="nonnested"``; pass ``ssc=pyfixest.ssc(k_fixef="full")`` to count them all, which is what
    statsmodels OLS with dummy variables does). Clustered intervals use t(G−1), as fixest does.
    Singleton fixed-effect groups are dropped (fixest's default; pyfixest warns with the count;
    ``fixef_rm="none"`` keeps them); ``n_obs`` counts the observations used.
    ``weights``: a column of weights, analytic by default (``weights_type="aweights"``, ``n_obs`` = rows);
    ``"fweights"`` treats them as case counts (``n_obs`` = their sum; see :func:`lpm_cells`).
    ``require_terms``: terms that must be estimated (an error names any the fit dropped as collinear).
    ``vcov={"CRV3": cluster}`` with regressors that are columns or products of columns: pyfixest's CRV3 numbers,
    with the leave-one-cluster-out fits from :func:`jackknife_draws` (:func:`_crv3_by_draws`; at full scale the
    asylum D2 jackknife took 61 s instead of pyfixest's 117 s, same errors).
    """
    jk = vcov.get("CRV3") if isinstance(vcov, Mapping) and len(vcov) == 1 else None
    if jk is not None and plain_terms(rhs_terms(fml)):
        fit, y, g = _fit("feols", df, fml, {"CRV1": jk}, where=model, weights=weights, weights_type=weights_type,
                         ssc=ssc, fixef_rm=fixef_rm, min_clusters=min_clusters, require_terms=require_terms)
        return _crv3_by_draws(fit, y, g, fml, jk, model=model, scale=outcome_scale(df[y]))
    fit, y, g = _fit("feols", df, fml, vcov, where=model, weights=weights, weights_type=weights_type, ssc=ssc,
                     fixef_rm=fixef_rm, min_clusters=min_clusters, require_terms=require_terms)
    return _tidy_fixest(fit, y, g, model=model, scale=outcome_scale(df[y]), linear=True)


def rhs_terms(fml: str) -> list[str]:
    """The regressor terms of a pyfixest formula (``"y ~ a + b:c | fe"`` -> ``["a", "b:c"]``)."""
    rhs = fml.split("~", 1)[1].split("|")[0]
    return [t.strip() for t in rhs.split("+") if t.strip()]


def plain_terms(terms: Sequence[str]) -> bool:
    """True if every term is a column or a product of columns (``a:b``): what :func:`jackknife_draws` and the cell
    logit can build without a formula engine."""
    return bool(terms) and all(_PLAIN_TERM.fullmatch(t) for t in terms)


def demean_weighted(yx: np.ndarray, flist: np.ndarray | None, w: np.ndarray, tol: float, where: str) -> np.ndarray:
    """Columns of ``yx`` with the fixed effects (integer codes ``flist``, one column per effect) absorbed by weighted
    alternating projections (pyfixest's ``demean``), or minus their weighted mean without effects."""
    from pyfixest.core.demean import demean

    if flist is None:
        return yx - np.average(yx, axis=0, weights=w)
    out, ok = demean(yx, flist, w, tol=tol, maxiter=100_000)
    if not ok:
        raise ModelInputError(f"{where}: absorbing the fixed effects did not converge")
    return out


def _crv3_by_draws(fit, y: str, g: int, fml: str, cluster: str, *, model: str, scale: str) -> pd.DataFrame:
    """pyfixest's CRV3 for a fitted ``feols`` (``ssc`` × Σ_g (β̂₋g − β̂)(β̂₋g − β̂)', t(G−1) intervals), with the
    leave-one-cluster-out estimates from :func:`jackknife_draws` (one warm-started demeaning per cluster) instead
    of a pyfixest refit per cluster: the same numbers (``tests/models/test_fixest.py``), minutes faster with
    hundreds of clusters. Any problem in a draw (a term inestimable without a cluster) raises, as pyfixest's does."""
    names = [str(t) for t in fit.coef().index]
    data = fit._data
    w_name = fit._weights_name
    cells = data if w_name else data.assign(_jk_w=1.0)
    fe = fe_terms(fml)     # the terms pyfixest kept (it drops regressors collinear with the fixed effects)
    used = f"{y} ~ {' + '.join(names)}" + (f" | {' + '.join(fe)}" if fe else "")
    draws = jackknife_draws(cells, used, cluster, names, weights=w_name or "_jk_w")
    beta = fit.coef().to_numpy()
    dev = draws - beta
    vcov = float(np.ravel(fit._ssc)[0]) * dev.T @ dev
    return tidy_frame(names, beta, np.sqrt(np.diag(vcov)), n_obs=fit._N, n_clusters=g, model=model, outcome=y,
                      scale=scale, df_t=float(g - 1), vcov=vcov)


def collapse_for_lpm(df: pd.DataFrame, y: str, by: Sequence[str]) -> pd.DataFrame:
    """Cell means of ``y`` for an LPM whose regressors, fixed effects and cluster are all constant within cells.

    Returns the ``by`` columns, ``y`` (the cell mean) and ``n_cases`` (rows in the cell); ``attrs["outcome"]``.
    Fitting :func:`lpm_cells` on this frame gives exactly the case-level :func:`feols` estimates and, with
    the cluster among ``by``, the same CRV1 standard errors (see :func:`lpm_cells`).
    A frame that is already cells (it has ``n_cases``, e.g. ``continuances.hearing_cells``) is collapsed further:
    ``y`` becomes the ``n_cases``-weighted mean and ``n_cases`` the sum, so the result is the same as from the rows.
    """
    where = "collapse_for_lpm"
    if N_CASES in df.columns:
        by = list(by)
        if not by or y in by or N_CASES in by:
            raise ModelInputError(f"{where}: give 'by' columns other than the outcome {y!r} and {N_CASES!r}")
        require_columns(df, [y] + by, where)
        require_complete(df, [y, N_CASES] + by, where)
        n = df[N_CASES].to_numpy(dtype="float64")
        parts = pd.DataFrame({"_yn": pd.to_numeric(df[y], errors="raise").to_numpy(dtype="float64") * n, N_CASES: n}, index=df.index)
        cells = parts.groupby([df[c] for c in by], observed=True, sort=True).sum().reset_index()
        cells.insert(len(by), y, cells.pop("_yn") / cells[N_CASES])
        cells[N_CASES] = cells[N_CASES].round().astype("int64")
        cells.attrs["outcome"] = y
        return cells
    return aggregate_cells(
        df, y, by, lambda d: pd.to_numeric(d[y], errors="raise").astype("float64"), "mean", (y, N_CASES), where,
    )


def lpm_cells(
    cells: pd.DataFrame, fml: str, cluster: str, *, ssc: dict | None = None, min_clusters: int = MIN_CLUSTERS,
    require_terms: Sequence[str] = (), n_cases: str = N_CASES,
) -> pd.DataFrame:
    """The case-level LPM fitted on cell means from :func:`collapse_for_lpm` (weights = cases per cell).

    Estimates: weighted least squares on cell means with the cell counts as weights has the same normal
    equations as OLS on the cases, so the coefficients are identical. Standard errors: CRV1 by
    ``cluster``, which must be one of the cell keys (cells nest in clusters); each cluster's score is
    then the same sum as at case level, and the weights are passed as frequency weights so the
    small-sample factor uses N = total cases. Identical to case-level :func:`feols` with
    ``fixef_rm="none"`` (used here too: a cell is never a singleton of cases). Only clustered errors are
    offered: iid or heteroskedasticity-robust errors need the within-cell variance, which cells discard.
    ``n_obs`` = total cases. Scale: probability (or outcome units).
    """
    where = "lpm_cells"
    require_columns(cells, [n_cases, cluster], where)
    return feols(
        cells, fml, {"CRV1": cluster}, weights=n_cases, weights_type="fweights", ssc=ssc, fixef_rm="none",
        min_clusters=min_clusters, require_terms=require_terms, model="lpm_cells",
    )


#: Demeaning tolerance of :func:`jackknife_draws` (its draws agree with pyfixest refits to ~1e-8: tests/models).
JACKKNIFE_FIXEF_TOL = 1e-8
_PLAIN_TERM = re.compile(r"[A-Za-z_]\w*(:[A-Za-z_]\w*)*")


def jackknife_draws(cells: pd.DataFrame, fml: str, cluster: str, names: Sequence[str], *,
                    weights: str = N_CASES) -> np.ndarray:
    """The leave-one-``cluster``-out WLS estimates of ``fml`` on ``cells`` (rows G × terms ``names``, clusters in
    order of appearance), without a pyfixest fit per cluster.

    The design matrix, outcome and fixed-effect codes are built once, and outcome and regressors are demeaned once
    on the full sample; each draw drops one cluster's rows, demeans those values again on the fixed effects with
    the ``weights`` (pyfixest's alternating-projections ``demean``, tolerance :data:`JACKKNIFE_FIXEF_TOL`: starting
    from the full sample's demeaned values it converges in a few sweeps, to the same projection) and solves the
    weighted normal equations: the same numbers as refitting :func:`lpm_cells` without the cluster (tested). At
    full scale the continuance designs' jackknife took 103 s with a pyfixest-free refit per judge from raw values,
    49 s on cells and 28 s with the warm start (``benchmarks/RESULTS.md``). Regressors must be numeric columns or products of them (``a:b``); a draw in which a term
    is no longer estimable (collinear with the fixed effects once the cluster is gone) raises ModelInputError
    naming the cluster.
    """
    where = "jackknife_draws"
    y_name = formula_outcome(fml, where)
    terms = rhs_terms(fml)
    if sorted(terms) != sorted(names) or not plain_terms(terms):
        raise ModelInputError(f"{where}: terms {terms} must be the estimated terms {list(names)}, each a numeric "
                              "column or a product of columns (a:b)")
    x = np.column_stack([np.prod([cells[c].to_numpy(dtype="float64") for c in t.split(":")], axis=0)
                         for t in names])
    yx = np.column_stack([cells[y_name].to_numpy(dtype="float64"), x])
    w_all = cells[weights].to_numpy(dtype="float64")
    fe = fe_terms(fml)
    fe_cols = [fe_codes(cells, t) for t in fe]
    groups, order = pd.factorize(cells[cluster])
    draws = np.empty((len(order), len(names)))
    if fe:
        # warm start: demeaning is a projection off the span of the fixed-effect dummies, and the full sample's
        # demeaned values differ from the raw ones by a vector in that span (also after dropping a cluster's rows),
        # so demeaning them without the cluster gives the same result as demeaning the raw values, in a few sweeps
        # instead of hundreds (the draws are unchanged: tests/models compare them with pyfixest refits)
        flist_all = np.column_stack(fe_cols).astype(np.uint64)
        yx = demean_weighted(yx, flist_all, w_all, JACKKNIFE_FIXEF_TOL, f"{where} (full sample)")
    for g in range(len(order)):
        m = groups != g
        w = w_all[m]
        # the full sample's codes: levels left empty by the dropped cluster have no rows and no effect
        yx_t = demean_weighted(yx[m], flist_all[m] if fe else None, w, JACKKNIFE_FIXEF_TOL,
                               f"{where} (without {cluster} {order[g]!r})")
        sw = np.sqrt(w)[:, None]
        xw, yw = yx_t[:, 1:] * sw, yx_t[:, 0] * sw[:, 0]
        beta, _, rank, sv = np.linalg.lstsq(xw, yw, rcond=None)
        if rank < len(names) or sv[-1] <= 1e-9 * sv[0]:
            raise ModelInputError(f"{where}: without {cluster} {order[g]!r} a term of {names} is collinear with the "
                                  "fixed effects (not estimable)")
        draws[g] = beta
    return draws


def fepois(
    df: pd.DataFrame, fml: str, vcov: str | Mapping[str, str] | None = DEFAULT_VCOV, *, offset: str | None = None,
    weights: str | None = None, ssc: dict | None = None, fixef_rm: str = "singleton", min_clusters: int = MIN_CLUSTERS,
    require_terms: Sequence[str] = (),
) -> pd.DataFrame:
    """Poisson pseudo-maximum likelihood with absorbed fixed effects (counts, e.g. judge-month completions).

    Estimand: log rate ratios (``scale = "log-count"``: exp(estimate) − 1 is the proportional change in the
    expected count). Consistent whenever the conditional mean is exponential, whatever the variance.
    Standard errors: pyfixest ``vcov`` (default CRV1 by judge) with its default ``ssc``; normal-based
    intervals. Fixed-effect groups whose counts are all zero are dropped by pyfixest (it warns).

    ``offset``: a column of log exposure (e.g. log pending cases) entered with coefficient fixed at 1, so the
    coefficients are log rate ratios per unit of exposure; it must be finite (log of a positive exposure).
    ``weights``: a column of analytic weights: point estimates equal those from repeating each row ``w``
    times; standard errors and ``n_obs`` count rows, not the sum of the weights (pyfixest 0.60's Poisson
    fails on frequency weights, so they are not offered).
    """
    where = "fepois"
    y = formula_outcome(fml, where)
    require_columns(df, [y] + [c for c in (offset, weights) if c], where)
    require_complete(df, [y] + [c for c in (offset, weights) if c], where)
    vals = pd.to_numeric(df[y], errors="raise")
    if (vals < 0).any():
        i = int(np.flatnonzero((vals < 0).to_numpy())[0])
        raise ModelInputError(f"{where}: count outcome {y!r} is negative at row {show(df.index[i])}")
    for col, ok, need in ((offset, np.isfinite, "finite (the log of a positive exposure)"),
                          (weights, lambda w: w >= 0, "non-negative")):
        if col:
            v = pd.to_numeric(df[col], errors="raise").to_numpy(dtype="float64")
            bad = ~ok(v)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ModelInputError(f"{where}: {col!r} must be {need}; row {show(df.index[i])} has {show(v[i])}")
    fit, y, g = _fit("fepois", df, fml, vcov, where=where, ssc=ssc, fixef_rm=fixef_rm, weights=weights,
                     offset=offset, min_clusters=min_clusters, require_terms=require_terms)
    return _tidy_fixest(fit, y, g, model="fepois", scale="log-count", linear=False)


def fe_codes(df: pd.DataFrame, term: str) -> np.ndarray:
    """Integer codes of one fixed-effect term (``"judge"``, or ``"court^month"`` = each combination), 0..levels−1."""
    cols = term.split("^")
    return pd.MultiIndex.from_frame(df[cols]).factorize()[0] if len(cols) > 1 else pd.factorize(df[term])[0]


def drop_perfectly_predicted(df: pd.DataFrame, y: str, fe: Sequence[str], trials: str | None = None) -> np.ndarray:
    """Boolean mask of rows to keep: drops, until none is left, fixed-effect groups where ``y`` is all 0 or all 1.

    Their fixed effect is ±infinite in a logit and they carry no information about the other
    coefficients (statsmodels with dummies reaches the same slopes only by letting those dummies
    diverge). ``fe`` terms as in pyfixest (``"court^month"`` = the combination). For (successes, trials) cells
    (:func:`helpers.models.collapse_cells`) give ``y`` = the successes and ``trials``: a group is constant when its
    successes are 0 or all of its trials.
    """
    keep = np.ones(len(df), dtype=bool)
    yv = df[y].to_numpy(dtype="float64")
    nv = df[trials].to_numpy(dtype="float64") if trials else np.ones(len(df))
    keys = {t: fe_codes(df, t) for t in fe}
    changed = True
    while changed:
        changed = False
        for key in keys.values():
            k, v = key[keep], yv[keep]
            size = np.bincount(k, weights=nv[keep])
            total = np.bincount(k, weights=v, minlength=len(size))
            const = (total == 0) | (total == size)
            bad = const[k]
            if bad.any():
                idx = np.flatnonzero(keep)[bad]
                keep[idx] = False
                changed = True
    return keep


#: ``model`` label and ``attrs["vcov_type"]`` of a logit with the one-step cluster jackknife.
ONE_STEP_CRV3 = "CRV3 (one-step)"


def feglm_logit(
    df: pd.DataFrame, fml: str, vcov: str | Mapping[str, str] | None = DEFAULT_VCOV, *, ssc: dict | None = None,
    fixef_rm: str = "singleton", min_clusters: int = MIN_CLUSTERS, require_terms: Sequence[str] = (),
) -> pd.DataFrame:
    """Logit with absorbed fixed effects (pyfixest ``feglm(family="logit")``), for 0/1 outcomes.

    Estimand: log-odds coefficients conditional on the fixed effects (``scale = "log-odds"``); with
    few cases per fixed-effect level the incidental-parameter bias of FE logit applies (use the LPM or
    cells with coarser effects then). Standard errors: pyfixest ``vcov`` (default CRV1 by judge) with its
    default ``ssc`` (fixed effects nested in the cluster not counted in K; pass
    ``ssc=pyfixest.ssc(k_fixef="full")`` to reproduce statsmodels with dummies); normal-based intervals.

    ``vcov={"CRV3": cluster}`` gives the one-step cluster jackknife (:func:`one_step_jackknife`; ``model``
    ``"feglm_logit/CRV3 (one-step)"``, t(G−1) intervals), not pyfixest's own CRV3 for ``feglm``, which gave
    standard errors of 1.4 for a coefficient whose CRV1 error is about 0.05 in testing.

    Before fitting, fixed-effect groups where the outcome never varies are dropped with a warning
    (:func:`drop_perfectly_predicted`): pyfixest 0.60 only removes all-zero groups and keeps all-one
    groups, which then inflate N and G (found in testing). The number dropped is in ``attrs["n_dropped"]``.
    """
    where = "feglm_logit"
    y = formula_outcome(fml, where)
    require_columns(df, [y], where)
    require_complete(df, [y], where)
    data = df.copy(deep=False)
    data[y] = require_binary(df[y], y, where)
    require_variation(data[y], y, where)
    fe = fe_terms(fml)
    require_columns(data, [c for t in fe for c in t.split("^")], where)
    keep = drop_perfectly_predicted(data, y, fe) if fe else np.ones(len(data), dtype=bool)
    n_dropped = int((~keep).sum())
    if n_dropped:
        warnings.warn(
            f"{where}: dropped {n_dropped} of {len(data)} observations in fixed-effect groups where {y!r} is "
            "always 0 or always 1 (they do not inform the other coefficients)", UserWarning, stacklevel=2,
        )
        data = data.loc[keep]
    jk_cluster = vcov.get("CRV3") if isinstance(vcov, Mapping) else None
    fit_vcov = {"CRV1": jk_cluster} if jk_cluster else vcov
    fit, y, g = _fit("feglm", data, fml, fit_vcov, where=where, ssc=ssc, fixef_rm=fixef_rm,
                     min_clusters=min_clusters, require_terms=require_terms)
    out = _tidy_fixest(fit, y, g, model="feglm_logit", scale="log-odds", linear=False)
    if jk_cluster:
        out = one_step_jackknife(fit, data, fml, jk_cluster, out)
    out.attrs["n_dropped"] = n_dropped
    out.attrs["vcov_type"] = ONE_STEP_CRV3 if jk_cluster else next(iter(vcov)) if isinstance(vcov, Mapping) else vcov
    return out


def working_cells(fit, data: pd.DataFrame, fml: str, cluster: str) -> tuple[pd.DataFrame, str]:
    """The converged IRLS working regression of a pyfixest logit ``fit`` on ``data`` (the rows it used), on cells.

    Working response z = η + (y − μ)/(μ(1 − μ)) and weight w = μ(1 − μ), with η the fitted linear predictor
    (fixed effects included) and μ the fitted probability. Rows are summed into cells of identical regressors,
    fixed-effect levels and cluster: ``_w`` = Σw, ``_z`` = Σwz / Σw (weighted least squares on the cells has the
    rows' normal equations). Returns the cells and the working formula ``_z ~ <regressors> | <fixed effects>``.
    """
    where = "one_step_jackknife"
    eta = np.asarray(fit._Y_hat_link, dtype="float64").ravel()
    mu = np.asarray(fit._Y_hat_response, dtype="float64").ravel()
    if len(eta) != len(data):
        raise ModelInputError(f"{where}: the logit used {len(eta)} of {len(data)} rows (pyfixest dropped some, e.g. "
                              "singletons or missing values); drop them before fitting")
    y = formula_outcome(fml, where)
    w = mu * (1.0 - mu)
    z = eta + (data[y].to_numpy(dtype="float64") - mu) / w
    keys = list(dict.fromkeys([v for v in formula_variables(fml) if v != y] + [cluster]))
    work = data[keys].copy(deep=False)
    work["_zw"], work["_w"] = w * z, w
    cells = work.groupby(keys, observed=True, sort=True)[["_zw", "_w"]].sum().reset_index()
    cells["_z"] = cells["_zw"] / cells["_w"]
    return cells.drop(columns="_zw"), "_z ~" + fml.split("~", 1)[1]


def one_step_jackknife(fit, data: pd.DataFrame, fml: str, cluster: str, est: pd.DataFrame) -> pd.DataFrame:
    """Replace the logit's errors in ``est`` by the one-step leave-one-cluster-out jackknife (CRV3).

    Each leave-one-``cluster``-out estimate β̂₋g is one IRLS (Fisher scoring) step from the full-sample fit: the
    weighted least-squares fit of the converged working regression (:func:`working_cells`) without that cluster,
    fixed effects re-absorbed (pyfixest's CRV3 refits). Variance ((G−1)/G)·Σ_g(β̂₋g − β̂)(β̂₋g − β̂)' (no other
    small-sample factor, so cells and rows give the same value); intervals and p-values use t(G−1). The working
    regression reproduces the logit's coefficients (checked here) and CRV1 errors exactly, and the one-step
    estimates are the usual linear approximation to refitting the logit without each cluster (both compared in
    ``tests/models/test_logit_jackknife.py``), for one weighted linear fit per cluster instead of one logit.
    """
    cells, wfml = working_cells(fit, data, fml, cluster)
    with quiet_library_deprecations(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jk = pf.feols(wfml, cells, weights="_w", vcov={"CRV3": cluster}, ssc=pf.ssc(k_adj=False, G_adj=False),
                      fixef_rm="none")
    names = [str(t) for t in est["term"]]
    coef = jk.coef().reindex(names)
    if not np.allclose(coef.to_numpy(), est["estimate"].to_numpy(), rtol=1e-6, atol=1e-8):
        raise ModelInputError("one_step_jackknife: the working regression does not reproduce the logit's estimates "
                              "(the fit did not converge?)")
    g = int(np.min(np.atleast_1d(jk._G)))
    vcov = pd.DataFrame(np.asarray(jk._vcov), index=list(jk.coef().index), columns=list(jk.coef().index))
    vcov = vcov.loc[names, names] * (g - 1) / g
    out = tidy_frame(names, est["estimate"], np.sqrt(np.diag(vcov.to_numpy())), n_obs=int(est["n_obs"].iloc[0]),
                     n_clusters=g, model=f"feglm_logit/{ONE_STEP_CRV3}", outcome=str(est["outcome"].iloc[0]),
                     scale="log-odds", df_t=float(g - 1), vcov=vcov.to_numpy())
    out.attrs = {**est.attrs, **out.attrs}
    return out
