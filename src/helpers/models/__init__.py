"""Statistical models returning tidy estimate tables (issue 6, item 1).

Every estimator returns a ``pandas.DataFrame`` whose leading columns are exactly
``term, estimate, std_error, ci_low, ci_high, p_value, n_obs, n_clusters, model, outcome``
(95% intervals; ``n_obs`` = underlying observations, for cells the sum of the counts; ``n_clusters``
NaN when not clustered), followed by ``scale`` and estimator-specific extras. Dtypes and the
``attrs`` contract are documented in :mod:`helpers.models._core`.

============================== ================================================== =============
function                       design (DESIGNS.md)                                engine
============================== ================================================== =============
its_hac, segmented_terms       D1 interrupted time series, Newey–West errors      statsmodels OLS
logit_cluster                  case-level logit, cluster-robust                   statsmodels GLM
collapse_cells, binomial_cells same logit on (successes, trials) cells            statsmodels GLM
feols                          linear model / LPM with absorbed fixed effects     pyfixest
collapse_for_lpm, lpm_cells    same LPM on weighted cell means                    pyfixest
fepois, feglm_logit            Poisson / logit with absorbed fixed effects        pyfixest
feglm_logit_cells              same logit on (successes, trials) cells            IRLS + pyfixest demean
did_dose, event_study          D2 dose-response DiD, D4 event study               pyfixest
pretrend_test                  joint Wald test of pre-period coefficients         numpy/scipy
mixed_lpm, bayes_mixed_logit   D5 judge heterogeneity                             statsmodels
variance_components            tidy variance components of those fits
cox                            D6 time to completion, strata, delayed entry       statsmodels PHReg
stack_estimates, add_truth     notebook helpers
============================== ================================================== =============

Building blocks for design code outside this package (``helpers.analyses``): :func:`tidy_frame` (a tidy frame
from estimates and standard errors), :class:`Attached` (a frame kept in ``attrs``, e.g. a covariance),
:func:`formula_variables` (the columns a formula uses), :func:`outcome_scale` and :func:`require_columns`.

Bad input raises :class:`ModelInputError` (a ``ValueError``) naming the column, the row and the
problem; rows with missing values are never dropped silently.
"""

from __future__ import annotations

from ._core import (
    MIN_CLUSTERS, TIDY_COLUMNS, TIDY_DTYPES, Attached, ModelInputError, attached, check_tidy, formula_variables,
    outcome_scale, require_columns, tidy_frame,
)
from .combine import add_truth, stack_estimates
from .designs import did_dose, event_study, pretrend_test
from .fixest import N_CASES, collapse_for_lpm, drop_perfectly_predicted, feglm_logit, feols, fepois, jackknife_draws, lpm_cells
from .glm import binomial_cells, collapse_cells, logit_cluster
from .logit_cells import feglm_logit_cells
from .its import its_hac, newey_west_lags, segmented_terms
from .mixed import VC_COLUMNS, bayes_mixed_logit, mixed_lpm, variance_components
from .survival import cluster_sandwich, cox

__all__ = [
    "MIN_CLUSTERS", "TIDY_COLUMNS", "TIDY_DTYPES", "VC_COLUMNS", "Attached", "ModelInputError", "add_truth", "attached",
    "bayes_mixed_logit", "binomial_cells", "check_tidy", "cluster_sandwich", "collapse_cells", "collapse_for_lpm",
    "N_CASES", "cox", "did_dose", "drop_perfectly_predicted", "event_study", "feglm_logit", "feglm_logit_cells", "feols", "fepois", "formula_variables",
    "its_hac", "jackknife_draws", "logit_cluster", "lpm_cells", "mixed_lpm", "newey_west_lags", "outcome_scale",
    "pretrend_test",
    "require_columns", "segmented_terms", "stack_estimates", "tidy_frame", "variance_components",
]
