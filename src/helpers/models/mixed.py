"""Judge heterogeneity (D5): linear mixed model and Bayesian mixed logit, with tidy variance components."""

from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.genmod.bayes_mixed_glm import BayesMixedGLMResults, BinomialBayesMixedGLM
from statsmodels.regression.mixed_linear_model import MixedLMResults

from ._core import (
    CI_LEVEL, Attached, ModelInputError, attached, check_formula_data, formula_outcome, formula_variables, outcome_scale,
    require_binary, require_variation, tidy_frame,
)

#: Optimisers tried for MixedLM; the converged fit with the highest (RE)ML criterion is kept. No single
#: optimiser was reliable in testing: statsmodels' default BFGS stopped unconverged at a wrong optimum on
#: random-slope data (slope SD 0.71 for a true 0.3, correlation +0.41 for −0.5), and L-BFGS reported
#: "converged" with a zero judge variance and an infinite log-likelihood on random-intercept data where
#: BFGS and Powell agreed on the right answer.
MIXEDLM_OPTIMIZERS = ("lbfgs", "bfgs", "powell")


#: Columns of a variance-components table.
VC_COLUMNS = ["group", "component", "variance", "sd", "sd_low", "sd_high", "corr", "n_groups", "model", "outcome"]


def _vc_frame(rows: list[dict], model: str, outcome: str) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=VC_COLUMNS[:-2])
    out["model"], out["outcome"] = model, outcome
    for c in ("group", "component", "model", "outcome"):
        out[c] = out[c].astype("str")
    for c in ("variance", "sd", "sd_low", "sd_high", "corr"):
        out[c] = out[c].astype("float64")
    out["n_groups"] = out["n_groups"].astype("Int64")
    return out


def _mixedlm_components(fit: MixedLMResults, group: str, outcome: str) -> pd.DataFrame:
    cov = np.asarray(fit.cov_re, dtype="float64")
    names = ["Intercept" if n in (group, "Group", "Intercept") else str(n) for n in fit.cov_re.index]
    n_groups = len(fit.model.group_labels)
    rows = [dict(group=group, component=n, variance=cov[i, i], sd=np.sqrt(cov[i, i]), sd_low=np.nan,
                 sd_high=np.nan, corr=np.nan, n_groups=n_groups) for i, n in enumerate(names)]
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            denom = np.sqrt(cov[i, i] * cov[j, j])
            rows.append(dict(group=group, component=f"corr({names[i]}, {names[j]})", variance=np.nan, sd=np.nan,
                             sd_low=np.nan, sd_high=np.nan, corr=cov[i, j] / denom if denom > 0 else np.nan,
                             n_groups=n_groups))
    rows.append(dict(group="Residual", component="Residual", variance=float(fit.scale), sd=np.sqrt(fit.scale),
                     sd_low=np.nan, sd_high=np.nan, corr=np.nan, n_groups=pd.NA))
    return _vc_frame(rows, "mixed_lpm", outcome)


def _bayes_components(fit: BayesMixedGLMResults, outcome: str, method: str = "vb") -> pd.DataFrame:
    model = fit.model
    z = stats.norm.ppf(0.5 + CI_LEVEL / 2)
    ident = np.asarray(model.ident)
    rows = []
    for i, name in enumerate(model.vcp_names):
        m, s = float(fit.vcp_mean[i]), float(fit.vcp_sd[i])
        rows.append(dict(group=str(name), component="sd", variance=np.exp(2 * m), sd=np.exp(m),
                         sd_low=np.exp(m - z * s), sd_high=np.exp(m + z * s), corr=np.nan,
                         n_groups=int((ident == i).sum())))
    return _vc_frame(rows, f"bayes_mixed_logit/{method}", outcome)


def variance_components(obj, group: str = "group") -> pd.DataFrame:
    """Tidy variance components of a mixed model.

    ``obj``: a frame from :func:`mixed_lpm` / :func:`bayes_mixed_logit` (read from its
    ``attrs["variance_components"]``), or a statsmodels ``MixedLMResults`` (``group`` labels its rows) /
    ``BayesMixedGLMResults``.

    Columns: ``group`` (grouping factor or variance-component name), ``component`` (``Intercept``, a
    random slope, ``corr(a, b)``, ``Residual``, or ``sd`` for a Bayesian component), ``variance``, ``sd``
    (in outcome units for the LPM — probability points for a 0/1 outcome — and on the latent log-odds
    scale for the logit, whose latent residual variance is π²/3), ``sd_low``/``sd_high`` (95% posterior
    interval; NaN for MixedLM, which gives no interval), ``corr``, ``n_groups``, ``model``, ``outcome``.
    """
    if isinstance(obj, pd.DataFrame):
        vc = attached(obj, "variance_components")
        if vc is None:
            raise ModelInputError("variance_components: this frame carries no variance components in attrs")
        return vc
    if isinstance(getattr(obj, "_results", obj), MixedLMResults):  # the results wrapper keeps cov_re labelled
        return _mixedlm_components(obj, group, str(obj.model.endog_names))
    if isinstance(obj, BayesMixedGLMResults):
        return _bayes_components(obj, str(obj.model.endog_names))
    raise ModelInputError(f"variance_components: cannot read a {type(obj).__name__}")


def _best_mixedlm_fit(model, reml: bool, where: str):
    """Fit with each of :data:`MIXEDLM_OPTIMIZERS`; keep the converged, finite fit with the highest criterion."""
    fits = []
    for method in MIXEDLM_OPTIMIZERS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # per-optimizer noise; the chosen fit is checked below
            try:
                fit = model.fit(reml=reml, method=method)
            except (np.linalg.LinAlgError, ValueError):
                continue
        if fit.converged and np.isfinite(fit.llf) and np.isfinite(np.asarray(fit.bse_fe)).all():
            fits.append((fit.llf, method, fit))
    if not fits:
        raise ModelInputError(f"{where}: MixedLM did not converge with any of {MIXEDLM_OPTIMIZERS}")
    _, method, fit = max(fits, key=lambda f: f[0])
    return method, fit


def mixed_lpm(
    df: pd.DataFrame, y: str, fixed: str, group: str, re_formula: str = "1", *, reml: bool = True,
) -> pd.DataFrame:
    """Linear mixed model (statsmodels ``MixedLM``): ``y ~ fixed`` with correlated random effects by ``group``.

    ``re_formula``: ``"1"`` (random intercept) or e.g. ``"post"`` / ``"~post"`` (random intercept and
    post-policy slope, correlated). Estimand: the fixed effects (for a 0/1 ``y`` a linear probability
    model, ``scale = "probability"``) and the judge-level variance components: how much judges differ
    in level and in their post-policy shift, with partial pooling of low-volume judges. Random effects
    are assumed independent of the regressors: descriptive, not a substitute for the fixed-effect D2.
    Fitted by REML (``reml=False``: ML) with each optimiser in :data:`MIXEDLM_OPTIMIZERS`, keeping the
    converged fit with the highest criterion (its name in the ``optimizer`` column; an error if none
    converges; a warning if a variance is estimated at 0). Three fits: budget ~3× one MixedLM fit.
    Standard errors: model-based from the (RE)ML information; normal-based intervals. ``n_clusters`` is
    NaN (not a clustered estimator); the number of groups is in the variance table
    (``attrs["variance_components"]``, also returned by :func:`variance_components`).
    """
    where = "mixed_lpm"
    re = re_formula.strip()
    re = re if re.startswith("~") else f"~{re}"
    formula = f"{y} ~ {fixed}"
    check_formula_data(df, formula + " + " + re.lstrip("~"), where, extra=[group])
    require_variation(df[y], y, where)
    model = smf.mixedlm(formula, df, groups=df[group], re_formula=re)
    optimizer, fit = _best_mixedlm_fit(model, reml, where)
    fe = fit.fe_params
    k = len(fe)
    out = tidy_frame(
        fe.index, fe, fit.bse_fe, n_obs=int(fit.nobs), n_clusters=None, model="mixed_lpm", outcome=y,
        scale=outcome_scale(df[y]), vcov=fit.cov_params().iloc[:k, :k],
    )
    out["optimizer"] = optimizer
    vc = _mixedlm_components(fit, group, y)
    at_zero = vc.loc[(vc["component"] != "Residual") & (vc["variance"] <= 1e-8 * float(fit.scale)), "component"]
    if len(at_zero):
        warnings.warn(f"{where}: variance of {list(at_zero)} estimated at the boundary (0)", UserWarning, stacklevel=2)
    out.attrs["variance_components"] = Attached(vc)
    return out


def _fe_cov(fit: BayesMixedGLMResults, k: int) -> np.ndarray:
    """Posterior covariance of the k fixed effects (diagonal for the mean-field VB fit)."""
    cov = np.asarray(fit.cov_params())
    return cov[:k, :k] if cov.ndim == 2 else np.diag(cov[:k])


def bayes_mixed_logit(
    df: pd.DataFrame, formula: str, vc_formulas: Mapping[str, str], *, method: str = "vb", vcp_p: float = 1.0,
    fe_p: float = 2.0,
) -> pd.DataFrame:
    """Bayesian mixed logit (statsmodels ``BinomialBayesMixedGLM``), variational Bayes (``fit_vb``) by default.

    ``formula``: fixed part, ``"grant ~ post + bite:post"``; ``vc_formulas``: independent variance
    components, e.g. ``{"judge": "0 + C(judge)", "judge_post": "0 + C(judge):post", "court": "0 + C(court)"}``.
    Priors: normal with SD ``fe_p`` on fixed effects, normal with SD ``vcp_p`` on the log-SD of each
    component (statsmodels' defaults). Components are independent (no intercept-slope correlation;
    estimate it afterwards from the random-effect means if needed).

    Output: the fixed effects on the log-odds scale: ``estimate`` = posterior mean (``method="vb"``) or
    mode (``"map"``), ``std_error`` = posterior SD, ``ci_*`` = estimate ± 1.96 SD (a 95% credible interval
    under the Gaussian approximation), ``p_value`` = two-sided posterior tail probability
    2·min(P(β>0), P(β<0)) — a Bayesian summary, not a frequentist test. Variance components in
    ``attrs["variance_components"]`` (posterior median SD with a 95% interval; see :func:`variance_components`).

    Measured limits (``tests/models/test_mixed.py``, 40 judges × 100 cases, judge SD 0.8):

    * ``"vb"`` (mean-field) understates the posterior SD of fixed effects that vary *between* judges:
      for the intercept it gave 0.034 where the MAP/Laplace SD was 0.12 (≈ 0.8/√40), and its 95% interval
      missed the truth in most replications. Within-judge terms (``post``, case covariates) were fine.
      Use ``method="map"`` (joint Laplace approximation) for fixed-effect intervals, or better the
      fixed-effect designs (:func:`did_dose`), and use ``"vb"`` for the variance components.
    * Both methods shrink the judge SD (VB averaged 0.76, MAP 0.70 for a true 0.8); small components
      (e.g. a judge-by-post slope SD) are shrunk much more. Compare dispersion across fits made the same
      way (e.g. pre vs quota), not against external numbers.
    """
    where = "bayes_mixed_logit"
    if method not in ("vb", "map"):
        raise ModelInputError(f"{where}: method must be 'vb' or 'map', not {method!r}")
    y = formula_outcome(formula, where)
    if not vc_formulas:
        raise ModelInputError(f"{where}: give at least one variance component in vc_formulas")
    cols = formula_variables(formula) + [c for f in vc_formulas.values() for c in formula_variables(f)]
    check_formula_data(df, formula, where, extra=cols)
    data = df.copy(deep=False)
    data[y] = require_binary(df[y], y, where)
    require_variation(data[y], y, where)
    model = BinomialBayesMixedGLM.from_formula(formula, dict(vc_formulas), data, vcp_p=vcp_p, fe_p=fe_p)
    fit = model.fit_vb() if method == "vb" else model.fit_map()
    k = len(model.fep_names)
    mean, sd = np.asarray(fit.fe_mean[:k]), np.asarray(fit.fe_sd[:k])
    out = tidy_frame(
        model.fep_names, mean, sd, n_obs=len(data), n_clusters=None, model=f"bayes_mixed_logit/{method}", outcome=y,
        scale="log-odds", vcov=_fe_cov(fit, k),
    )
    out.attrs["variance_components"] = Attached(_bayes_components(fit, y, method))
    return out
