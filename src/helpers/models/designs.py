"""The headline panel designs: dose-response DiD (D2), event study (D4) and the pre-trend test."""

from __future__ import annotations

import warnings
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._core import (
    MIN_CLUSTERS, Attached, ModelInputError, attached, formula_variables, join_terms, require_columns, require_complete,
    show,
)
from .fixest import feglm_logit, feols, fepois

_METHODS: dict[str, Callable[..., pd.DataFrame]] = {"feols": feols, "feglm_logit": feglm_logit, "fepois": fepois}


def _method(method: str, vcov_type: str = "CRV1") -> Callable[..., pd.DataFrame]:
    if method not in _METHODS:
        raise ModelInputError(f"unknown method {method!r}; choose one of {sorted(_METHODS)}")
    if vcov_type not in ("CRV1", "CRV3"):
        raise ModelInputError(f"vcov_type must be 'CRV1' or 'CRV3', not {vcov_type!r}")
    return _METHODS[method]


def _formula(y: str, rhs: Sequence[str], fe) -> str:
    fes = join_terms(fe)
    return f"{y} ~ {' + '.join(rhs)}" + (f" | {fes}" if fes else "")


#: ``attrs["vcov_type"]`` and the ``model`` label when the cluster jackknife failed and CRV1 was used instead.
CRV3_FAILED = "CRV1 (CRV3 failed)"


def _fit_clustered(fit_fn: Callable[..., pd.DataFrame], data: pd.DataFrame, fml: str, cluster: str, vcov_type: str,
                   where: str, **kwargs) -> tuple[pd.DataFrame, str]:
    """Fit with ``{vcov_type: cluster}`` errors; return the estimates and the variance actually used.

    The cluster jackknife (CRV3) refits the model without each cluster (:func:`helpers.models.feols`: one
    warm-started demeaning per cluster for formulas of plain terms, else pyfixest's refits). When leaving one cluster
    out makes a regressor collinear (e.g. the only judge carrying a dose term), the draw raises a ``ValueError``
    (``jackknife_draws`` names the cluster; pyfixest says "could not broadcast input array ...", or "All variables
    are collinear" for a single regressor), although the model itself is estimable. Then the model is refitted with CRV1, a warning says so
    and the variance label is :data:`CRV3_FAILED`. If the CRV1 fit fails too, its error is raised: the problem
    is the model or the data, not the jackknife.
    """
    try:
        return fit_fn(data, fml, {vcov_type: cluster}, **kwargs), vcov_type
    except ValueError as err:
        if vcov_type != "CRV3":
            raise
        est = fit_fn(data, fml, {"CRV1": cluster}, **kwargs)
        warnings.warn(f"{where}: the cluster jackknife (CRV3) failed ({str(err).strip()[:200]}); standard errors are "
                      "CRV1, which are too narrow with few clusters", UserWarning, stacklevel=3)
        return est, CRV3_FAILED


def _model_label(name: str, method: str, vcov_used: str) -> str:
    return f"{name}/{method}" + (f", {CRV3_FAILED}" if vcov_used == CRV3_FAILED else "")


def did_dose(
    df: pd.DataFrame, y: str, dose: str, post: str, fe: str | Sequence[str] | None, cluster: str,
    extra_terms: Sequence[str] = (), controls: Sequence[str] = (), *, method: str = "feols",
    vcov_type: str = "CRV1", min_clusters: int = MIN_CLUSTERS, ssc: dict | None = None,
) -> pd.DataFrame:
    """Dose-response difference-in-differences (D2): ``y ~ dose:post + extra_terms + controls | fe``.

    Typical call: ``did_dose(cases, "grant", "bite", "post", "judge + court^month", "judge",
    extra_terms=["bite:off", "stringency:post"])``. The main effects of ``dose`` (judge-level) and
    ``post`` (period-level) are absorbed by the judge and court-by-period effects.

    Estimand: β on ``dose:post`` = the change in the outcome after the policy per unit of pre-policy
    dose (bite is a share: β is the effect of going from bite 0 to bite 1, i.e. a judge with no
    pre-policy completions vs one at 700) relative to judges with dose 0, under parallel trends across
    doses. Scale: ``method="feols"`` (default) is the linear probability model (probability scale for
    0/1 outcomes); ``"feglm_logit"`` gives log-odds; ``"fepois"`` log-counts.
    Standard errors: clustered by ``cluster`` (``vcov_type`` ``"CRV1"``, or ``"CRV3"``, the cluster
    jackknife) with pyfixest's small-sample correction (see :func:`feols`). ``dose:post`` and every
    ``extra_terms`` must survive the fit (else an error).

    Measured caveat (``tests/models/test_fixest.py``): with 40 judges in 6 courts and court×month effects,
    CRV1-by-judge 95% intervals covered the planted effect in 90% of 400 simulated replications, because
    the court×month effects absorb variation shared by a court's judges, which judge clusters do not
    count (the shortfall shrinks as judges per court grow). CRV3 covered 95.5% (200 replications) but
    refits the model once per cluster (~30× slower here): use it for final tables when it fits in time.
    When the jackknife itself fails (a cluster whose removal makes a term collinear), the fit falls back
    to CRV1 with a warning; the ``model`` label then ends in ``", CRV1 (CRV3 failed)"``. The variance
    used is in ``attrs["vcov_type"]``.
    """
    fit_fn = _method(method, vcov_type)
    require_columns(df, [y, dose, post, cluster], "did_dose")
    main = f"{dose}:{post}"
    terms = [main, *extra_terms]
    fml = _formula(y, terms + list(controls), fe)
    est, used = _fit_clustered(fit_fn, df, fml, cluster, vcov_type, "did_dose", ssc=ssc, min_clusters=min_clusters,
                               require_terms=terms)
    rank = {t: i for i, t in enumerate(terms)}
    order = np.argsort([rank.get(t, len(rank)) for t in est["term"]], kind="stable")
    attrs = dict(est.attrs)
    est = est.iloc[order].reset_index(drop=True)
    est.attrs = attrs
    # the logit's jackknife names itself "CRV3 (one-step)" (helpers.models.fixest.feglm_logit)
    est.attrs["vcov_type"] = used if used == CRV3_FAILED else attrs.get("vcov_type") or used
    est["model"] = _model_label("did_dose", method, used)
    return est


def _event_column(k: int) -> str:
    return f"_ev_{'m' if k < 0 else 'p'}{abs(k)}"


def event_study(
    df: pd.DataFrame, y: str, dose: str, rel_period: str, ref: int, fe: str | Sequence[str] | None, cluster: str,
    controls: Sequence[str] = (), *, method: str = "feols", vcov_type: str = "CRV1",
    min_clusters: int = MIN_CLUSTERS, ssc: dict | None = None, weights: str | None = None,
    weights_type: str = "aweights", fixef_rm: str = "singleton",
) -> pd.DataFrame:
    """Event study on dose (D4): ``y ~ Σ_{k≠ref} β_k·1[rel_period = k]·dose + controls | fe``.

    This is pyfixest's ``i(rel_period, dose, ref=ref)``, built as explicit columns so term names are
    stable: ``"<dose>:<rel_period>[k]"``. ``rel_period`` must hold integers (e.g. fiscal quarters
    relative to FY2019 Q1); every observed value except ``ref`` gets a coefficient.

    Estimand: β_k = the difference in the outcome per unit of dose in period k relative to period
    ``ref``, net of the fixed effects (judge effects absorb the dose level; court-by-period effects the
    common shocks). Pre-period β_k near zero support parallel trends across doses (test them jointly with
    :func:`pretrend_test`). Scale, standard errors and their measured caveat as in :func:`did_dose`.

    ``weights``, ``weights_type`` and ``fixef_rm`` are those of :func:`feols` (``fepois``: analytic weights
    only; the logit takes no weights). A cell-level event study: fit it on :func:`collapse_for_lpm` cells
    (keys: the dose, ``rel_period``, the fixed-effect columns and the cluster) with
    ``weights="n_cases", weights_type="fweights", fixef_rm="none"``; estimates and CRV1 errors then equal
    the case-level fit with ``fixef_rm="none"`` (see :func:`lpm_cells`), from far fewer rows.

    Output: one row per event term with an integer ``rel_period`` column (``Int64``; NA for controls),
    plus a row for ``ref`` with estimate 0 and NaN standard error (``reference`` = True), in period order.
    A failed cluster jackknife falls back to CRV1 as in :func:`did_dose` (``attrs["vcov_type"]``).
    """
    where = "event_study"
    fit_fn = _method(method, vcov_type)
    fit_kw: dict = {}
    if weights is not None:
        if method == "feglm_logit" or (method == "fepois" and weights_type != "aweights"):
            raise ModelInputError(f"{where}: method {method!r} does not take {weights_type} weights "
                                  "(feols: aweights or fweights; fepois: aweights)")
        fit_kw["weights"] = weights
        if method == "feols":
            fit_kw["weights_type"] = weights_type
    if fixef_rm != "singleton":
        fit_kw["fixef_rm"] = fixef_rm
    require_columns(df, [y, dose, rel_period, cluster] + ([weights] if weights else []), where)
    require_complete(df, [dose, rel_period], where)
    rel = pd.to_numeric(df[rel_period], errors="coerce")
    if rel.isna().any() or (rel != np.round(rel)).any():
        i = int(np.flatnonzero((rel.isna() | (rel != np.round(rel))).to_numpy())[0])
        raise ModelInputError(f"{where}: {rel_period!r} must hold integers; row {show(df.index[i])} has {show(df[rel_period].iloc[i])}")
    rel = rel.astype("int64")
    periods = sorted(int(k) for k in rel.unique())
    if ref not in periods:
        raise ModelInputError(f"{where}: reference period {ref!r} is not among the observed {rel_period!r} values {periods}")
    ks = [k for k in periods if k != ref]
    dose_v = pd.to_numeric(df[dose], errors="raise").to_numpy(dtype="float64")
    relv = rel.to_numpy()
    cols = {_event_column(k): np.where(relv == k, dose_v, 0.0) for k in ks}
    terms = list(cols)
    fml = _formula(y, terms + list(controls), fe)
    needed = [c for c in formula_variables(fml) if c in df.columns] + [cluster] + ([weights] if weights else [])
    data = df[list(dict.fromkeys(needed))].assign(**cols)
    est, used = _fit_clustered(fit_fn, data, fml, cluster, vcov_type, where, ssc=ssc, min_clusters=min_clusters,
                               require_terms=terms, **fit_kw)
    attrs = dict(est.attrs)
    names = {_event_column(k): f"{dose}:{rel_period}[{k}]" for k in ks}
    period_of = {_event_column(k): k for k in ks}
    internal = list(est["term"])
    est["rel_period"] = pd.array([period_of.get(t, pd.NA) for t in internal], dtype="Int64")
    est["term"] = pd.Series([names.get(t, t) for t in internal], dtype="str", index=est.index)
    est["reference"] = False
    est.attrs = {}
    ref_row = est.iloc[[0]].copy()
    ref_row.loc[:, ["estimate"]] = 0.0
    ref_row.loc[:, ["std_error", "ci_low", "ci_high", "p_value"]] = np.nan
    ref_row["term"] = f"{dose}:{rel_period}[{ref}]"
    ref_row["rel_period"] = pd.array([ref], dtype="Int64")
    ref_row["reference"] = True
    out = pd.concat([est, ref_row], ignore_index=True)
    order = out["rel_period"].astype("float64").fillna(np.inf).to_numpy()
    out = out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    out["model"] = _model_label("event_study", method, used)
    vcov = attrs["vcov"].frame.rename(index=names, columns=names)
    out.attrs.update(attrs)
    out.attrs["vcov"] = Attached(vcov)
    out.attrs["vcov_type"] = used
    return out


def _coef_and_vcov(obj) -> tuple[pd.Series, pd.DataFrame, float | None, str, str]:
    """Estimates, covariance, t degrees of freedom, model and outcome from a tidy frame or a fit."""
    if isinstance(obj, pd.DataFrame):
        v = attached(obj, "vcov")
        if v is None:
            raise ModelInputError(
                "pretrend_test: this frame has no covariance in attrs['vcov'] (it was filtered/concatenated "
                "after fitting?); pass the frame returned by event_study()"
            )
        est = obj.loc[~obj.get("reference", pd.Series(False, index=obj.index)).astype(bool)]
        b = pd.Series(est["estimate"].to_numpy(), index=est["term"].to_numpy())
        model = str(obj["model"].iloc[0]) if len(obj) else ""
        outcome = str(obj["outcome"].iloc[0]) if len(obj) else ""
        return b, v, obj.attrs.get("df_denom"), model, outcome
    if hasattr(obj, "coef") and hasattr(obj, "_vcov"):  # a pyfixest fit
        b = obj.coef()
        v = pd.DataFrame(np.asarray(obj._vcov), index=b.index, columns=b.index)
        dfd = float(min(np.atleast_1d(obj._G)) - 1) if getattr(obj, "_is_clustered", False) else None
        return b, v, dfd, "pyfixest", str(getattr(obj, "_depvar", ""))
    if hasattr(obj, "params") and hasattr(obj, "cov_params"):  # a statsmodels result
        return obj.params, obj.cov_params(), None, "statsmodels", ""
    raise ModelInputError(f"pretrend_test: cannot read estimates from a {type(obj).__name__}")


def pretrend_test(est_or_fit, terms: Sequence[str] | None = None, before: int = 0) -> pd.DataFrame:
    """Joint Wald test that the pre-period event-study coefficients are all zero.

    ``est_or_fit``: a frame from :func:`event_study` (default terms: those with ``rel_period < before``,
    excluding the reference; ``before=ref`` leaves out anticipation periods between ``ref`` and 0), or a
    pyfixest / statsmodels fit with explicit ``terms``.

    Statistic: W = b'V⁻¹b with V the estimates' (cluster-robust) covariance. Returned as one row:
    ``statistic`` = W/q and ``p_value`` from F(q, ``df_denom``) when the fit used t inference
    (clustered: G − 1, as fixest), otherwise ``statistic`` = W and ``p_value`` from χ²(q); ``chi2`` and
    ``chi2_p_value`` are always given. ``df`` = q, the number of coefficients tested.
    """
    b, v, dfd, model, outcome = _coef_and_vcov(est_or_fit)
    if terms is None:
        if not isinstance(est_or_fit, pd.DataFrame) or "rel_period" not in est_or_fit.columns:
            raise ModelInputError("pretrend_test: give terms= (no rel_period column to choose pre-periods from)")
        e = est_or_fit
        sel = e["rel_period"].notna() & (e["rel_period"].astype("float64") < before) & ~e["reference"].astype(bool)
        terms = list(e.loc[sel, "term"])
    terms = list(terms)
    if not terms:
        raise ModelInputError(f"pretrend_test: no pre-period terms (rel_period < {before}) to test")
    missing = [t for t in terms if t not in b.index or t not in v.index]
    if missing:
        raise ModelInputError(f"pretrend_test: term(s) {missing} not among the estimates {list(b.index)}")
    bb = b.loc[terms].to_numpy(dtype="float64")
    vv = v.loc[terms, terms].to_numpy(dtype="float64")
    w = float(bb @ np.linalg.pinv(vv) @ bb)
    q = len(terms)
    chi2_p = float(stats.chi2.sf(w, q))
    if dfd is not None:
        stat, p = w / q, float(stats.f.sf(w / q, q, dfd))
    else:
        stat, p = w, chi2_p
    return pd.DataFrame({
        "test": pd.Series(["pretrend"], dtype="str"), "statistic": [stat], "df": [q],
        "df_denom": [np.nan if dfd is None else float(dfd)], "p_value": [p], "chi2": [w], "chi2_p_value": [chi2_p],
        "terms": pd.Series([", ".join(terms)], dtype="str"), "model": pd.Series([model], dtype="str"),
        "outcome": pd.Series([outcome], dtype="str"),
    })
