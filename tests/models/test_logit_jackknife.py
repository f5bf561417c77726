"""The logit's one-step cluster jackknife (helpers.models.fixest.one_step_jackknife) on generated data.

The data are simulated here (fixed seeds): they test the estimator, they say nothing about real judges.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import helpers.models as M
from helpers.models.fixest import ONE_STEP_CRV3, drop_perfectly_predicted, working_cells

FML = "y ~ bite:post + detained | judge + court_month"
NO_SSC = pf.ssc(k_adj=False, G_adj=False)


def simulate_did_logit(seed: int = 11, judges: int = 30, courts: int = 5, months: int = 24, per_cell: int = 10,
                       beta: float = 0.8) -> pd.DataFrame:
    """Row-level logit DiD: log-odds = a_judge + g_court,month + beta·bite·post + 0.5·detained; a few judges carry
    most of the bite (as in the EOIR-shaped releases), the rest have bite near 0."""
    rng = np.random.default_rng(seed)
    bite = np.where(rng.random(judges) < 0.25, rng.uniform(0.3, 0.8, judges), rng.uniform(0, 0.05, judges))
    a = rng.normal(0, 0.5, judges)
    g = rng.normal(0, 0.3, (courts, months))
    j = np.repeat(np.arange(judges), months * per_cell)
    m = np.tile(np.repeat(np.arange(months), per_cell), judges)
    c = j % courts
    post = (m >= months // 2).astype(float)
    detained = (rng.random(len(j)) < 0.3).astype(float)
    eta = -0.4 + a[j] + g[c, m] + beta * bite[j] * post + 0.5 * detained
    y = (rng.random(len(j)) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"y": y, "bite": bite[j], "post": post, "detained": detained,
                         "judge": pd.Series([f"J{v:02d}" for v in j], dtype="str"),
                         "court_month": pd.Series([f"C{cc}-{mm:02d}" for cc, mm in zip(c, m)], dtype="str")})


@pytest.fixture(scope="module")
def did():
    df = simulate_did_logit()
    keep = drop_perfectly_predicted(df, "y", ["judge", "court_month"])
    return df.loc[keep].reset_index(drop=True)


def _logit(df: pd.DataFrame, vcov) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feglm(FML, df, family="logit", vcov=vcov, iwls_tol=1e-12, ssc=NO_SSC)


def test_working_regression_reproduces_the_logit_estimates_and_crv1(did):
    fit = _logit(did, {"CRV1": "judge"})
    cells, wfml = working_cells(fit, did, FML, "judge")
    assert len(cells) < len(did) and wfml == "_z ~ bite:post + detained | judge + court_month"
    assert cells["_w"].sum() == pytest.approx(float((fit._Y_hat_response * (1 - fit._Y_hat_response)).sum()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        work = pf.feols(wfml, cells, weights="_w", vcov={"CRV1": "judge"}, ssc=NO_SSC, fixef_rm="none")
    pd.testing.assert_series_equal(work.coef(), fit.coef(), rtol=1e-7, check_names=False)
    pd.testing.assert_series_equal(work.se(), fit.se(), rtol=1e-5, check_names=False)


def test_one_step_jackknife_is_close_to_refitting_the_logit_without_each_judge(did):
    est = M.feglm_logit(did, FML, {"CRV3": "judge"}).set_index("term")
    full = _logit(did, "iid").coef()
    draws = []
    for g in sorted(did["judge"].unique()):
        rest = did[did["judge"] != g]
        rest = rest.loc[drop_perfectly_predicted(rest, "y", ["judge", "court_month"])]
        draws.append(_logit(rest, "iid").coef())
    draws = pd.DataFrame(draws)
    n = len(draws)
    exact_se = np.sqrt((n - 1) / n * ((draws - full) ** 2).sum())          # centred at the full estimate
    for term in ("bite:post", "detained"):
        assert est.loc[term, "std_error"] == pytest.approx(exact_se[term], rel=0.05), term
    # and, on these data, clearly wider than CRV1 for the dose term carried by a few judges
    crv1 = M.feglm_logit(did, FML, {"CRV1": "judge"}).set_index("term")
    assert est.loc["bite:post", "std_error"] > 1.2 * crv1.loc["bite:post", "std_error"]


def test_feglm_logit_crv3_labels_and_intervals(did):
    est = M.feglm_logit(did, FML, {"CRV3": "judge"})
    crv1 = M.feglm_logit(did, FML, {"CRV1": "judge"})
    assert est.attrs["vcov_type"] == ONE_STEP_CRV3 and crv1.attrs["vcov_type"] == "CRV1"
    assert set(est["model"]) == {f"feglm_logit/{ONE_STEP_CRV3}"}
    np.testing.assert_allclose(est["estimate"], crv1["estimate"])
    g = int(est["n_clusters"].iloc[0])
    assert g == did["judge"].nunique() and est.attrs["df_denom"] == g - 1
    from scipy import stats
    half = stats.t.ppf(0.975, g - 1) * est["std_error"]
    np.testing.assert_allclose(est["ci_high"] - est["estimate"], half)
    vc = est.attrs["vcov"].frame
    np.testing.assert_allclose(np.sqrt(np.diag(vc.to_numpy())), est["std_error"])
    assert list(vc.index) == list(est["term"])


def test_did_dose_logit_with_crv3_uses_the_one_step_jackknife(did):
    est = M.did_dose(did, "y", "bite", "post", "judge + court_month", "judge", controls=["detained"],
                     method="feglm_logit", vcov_type="CRV3")
    assert est.attrs["vcov_type"] == ONE_STEP_CRV3
    direct = M.feglm_logit(did, FML, {"CRV3": "judge"}).set_index("term")
    row = est.set_index("term").loc["bite:post"]
    assert row["std_error"] == pytest.approx(direct.loc["bite:post", "std_error"], rel=1e-9)


# --------------------------------------------------------------------------------------------- LPM jackknife draws

def test_jackknife_draws_equal_refitting_without_each_cluster():
    from .sim import simulate_panel

    df = simulate_panel(seed=5, judges=24, courts=4, months=24, per_cell=4)
    df["quota"] = df["post"]
    fml = "y ~ bite:quota + detained | judge + court_month"
    cells = M.collapse_for_lpm(df, "y", ["bite", "quota", "detained", "judge", "court_month"])
    names = list(M.lpm_cells(cells, fml, "judge")["term"])
    fast = M.jackknife_draws(cells, fml, "judge", names)
    slow = np.vstack([M.lpm_cells(cells[cells["judge"] != g], fml, "judge").set_index("term").loc[names, "estimate"]
                      for g in pd.unique(cells["judge"])])
    assert fast.shape == (24, 2)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-7)
    # interacted fixed effects (a^b) and no fixed effects at all
    fml2 = "y ~ bite:quota + detained | judge + court^month"
    cells2 = M.collapse_for_lpm(df, "y", ["bite", "quota", "detained", "judge", "court", "month"])
    slow2 = np.vstack([M.lpm_cells(cells2[cells2["judge"] != g], fml2, "judge").set_index("term").loc[names, "estimate"]
                       for g in pd.unique(cells2["judge"])])
    np.testing.assert_allclose(M.jackknife_draws(cells2, fml2, "judge", names), slow2, rtol=0, atol=1e-7)
    fml3 = "y ~ bite:quota + detained"
    slow3 = np.vstack([M.lpm_cells(cells[cells["judge"] != g], fml3, "judge").set_index("term").loc[names, "estimate"]
                       for g in pd.unique(cells["judge"])])
    np.testing.assert_allclose(M.jackknife_draws(cells, fml3, "judge", names), slow3, rtol=0, atol=1e-9)


def test_jackknife_draws_name_the_cluster_that_makes_a_term_inestimable():
    from helpers.models import ModelInputError
    from .sim import simulate_panel

    df = simulate_panel(seed=6, judges=12, courts=3, months=12, per_cell=3)
    df["dose"] = np.where(df["judge"] == "J004", df["bite"], 0.0)      # one judge carries the whole dose
    cells = M.collapse_for_lpm(df, "y", ["dose", "post", "judge", "court_month"])
    with pytest.raises(ModelInputError, match="without judge 'J004'"):
        M.jackknife_draws(cells, "y ~ dose:post | judge + court_month", "judge", ["dose:post"])
    with pytest.raises(ModelInputError, match="must be the estimated terms"):
        M.jackknife_draws(cells, "y ~ C(post) | judge", "judge", ["C(post)"])
