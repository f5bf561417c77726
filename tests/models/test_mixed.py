"""mixed_lpm (MixedLM) and bayes_mixed_logit: fixed effects, variance components, and the measured VB limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helpers.models as M
from helpers.models import VC_COLUMNS, ModelInputError


def simulate_linear_mixed(seed: int = 1, judges: int = 80, n: int = 40) -> pd.DataFrame:
    """y = 1 + 0.5·post + 0.3·x + a_j + b_j·post + e; SD(a) 0.5, SD(b) 0.3, corr(a, b) −0.5, SD(e) 1."""
    rng = np.random.default_rng(seed)
    cov = np.array([[0.25, -0.5 * 0.5 * 0.3], [-0.5 * 0.5 * 0.3, 0.09]])
    ab = rng.multivariate_normal([0, 0], cov, judges)
    j = np.repeat(np.arange(judges), n)
    post = rng.integers(0, 2, len(j)).astype(float)
    x = rng.normal(size=len(j))
    y = 1 + 0.5 * post + 0.3 * x + ab[j, 0] + ab[j, 1] * post + rng.normal(0, 1, len(j))
    return pd.DataFrame({"y": y, "post": post, "x": x, "judge": [f"J{v:03d}" for v in j]})


def simulate_mixed_logit(seed: int, judges: int = 40, n: int = 100, sd: float = 0.8) -> pd.DataFrame:
    """logit P(y) = −0.3 + a_j + 0.5·post + 0.4·x, SD(a) = ``sd``."""
    rng = np.random.default_rng(seed)
    j = np.repeat(np.arange(judges), n)
    a = rng.normal(0, sd, judges)
    post = rng.integers(0, 2, len(j)).astype(float)
    x = rng.normal(size=len(j))
    eta = -0.3 + a[j] + 0.5 * post + 0.4 * x
    y = (rng.random(len(j)) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({"y": y, "post": post, "x": x, "judge": [f"J{v:03d}" for v in j]})


@pytest.fixture(scope="module")
def lmm():
    df = simulate_linear_mixed()
    return df, M.mixed_lpm(df, "y", "post + x", "judge", "post")


def test_mixed_lpm_fixed_effects_cover_the_truth(lmm):
    _, est = lmm
    e = est.set_index("term")
    for term, truth in {"Intercept": 1.0, "post": 0.5, "x": 0.3}.items():
        assert e.loc[term, "ci_low"] < truth < e.loc[term, "ci_high"], term
    assert est["optimizer"].isin(["lbfgs", "bfgs", "powell"]).all()
    assert est["n_clusters"].isna().all() and est["scale"].eq("linear").all()


def test_mixed_lpm_variance_components(lmm):
    df, est = lmm
    vc = M.variance_components(est)
    assert list(vc.columns) == VC_COLUMNS
    v = vc.set_index("component")
    assert v.loc["Intercept", "sd"] == pytest.approx(0.5, abs=0.15)
    assert v.loc["post", "sd"] == pytest.approx(0.3, abs=0.15)
    assert -0.95 < v.loc["corr(Intercept, post)", "corr"] < 0  # planted −0.5: lenient judges move more
    assert v.loc["Residual", "sd"] == pytest.approx(1.0, abs=0.05)
    assert v.loc["Intercept", "n_groups"] == df["judge"].nunique()
    assert v.loc["Intercept", "variance"] == pytest.approx(v.loc["Intercept", "sd"] ** 2)


@pytest.mark.filterwarnings("ignore")  # the deliberate bad L-BFGS fit warns; that is the point
def test_mixed_lpm_survives_an_optimizer_that_claims_convergence_wrongly(logit_df):
    """On this random-intercept LPM statsmodels' L-BFGS reports convergence at a zero judge variance with an
    infinite log-likelihood; the wrapper keeps the best finite fit (BFGS and Powell agree on it)."""
    import statsmodels.formula.api as smf
    bad = smf.mixedlm("y ~ x + post", logit_df, groups=logit_df["judge"]).fit(reml=True, method="lbfgs")
    assert bad.converged and not np.isfinite(bad.llf)
    est = M.mixed_lpm(logit_df, "y", "x + post", "judge")
    assert est["optimizer"].iloc[0] in ("bfgs", "powell")
    sd = M.variance_components(est).set_index("component").loc["Intercept", "sd"]
    assert sd == pytest.approx(logit_df.groupby("judge")["y"].mean().std(), rel=0.3)


def test_variance_components_from_a_statsmodels_fit_equal_the_attached_table(lmm):
    import statsmodels.formula.api as smf
    df, est = lmm
    fit = smf.mixedlm("y ~ post + x", df, groups=df["judge"], re_formula="~post").fit(reml=True, method="lbfgs")
    pd.testing.assert_frame_equal(M.variance_components(fit, group="judge"), M.variance_components(est))


@pytest.fixture(scope="module")
def logit_reps():
    """VB and MAP fits of the same 6 simulated data sets (judge SD 0.8)."""
    out = []
    for seed in range(6):
        df = simulate_mixed_logit(seed)
        out.append({m: M.bayes_mixed_logit(df, "y ~ post + x", {"judge": "0 + C(judge)"}, method=m)
                    for m in ("vb", "map")})
    return out


def _covers(est: pd.DataFrame, term: str, truth: float) -> bool:
    r = est.set_index("term").loc[term]
    return bool(r["ci_low"] < truth < r["ci_high"])


def test_bayes_within_judge_terms_cover_the_truth(logit_reps):
    for m in ("vb", "map"):
        hits = [_covers(rep[m], "post", 0.5) and _covers(rep[m], "x", 0.4) for rep in logit_reps]
        assert np.mean(hits) >= 0.75, m


def test_bayes_vb_understates_between_judge_uncertainty_as_documented(logit_reps):
    """The docstring's warning: VB's intercept SD is ~3x too small; MAP's is about SD(a)/sqrt(J) = 0.126."""
    vb = np.array([rep["vb"].set_index("term").loc["Intercept", "std_error"] for rep in logit_reps])
    mp = np.array([rep["map"].set_index("term").loc["Intercept", "std_error"] for rep in logit_reps])
    assert (vb < 0.5 * mp).all()
    assert 0.08 < mp.mean() < 0.18
    assert np.mean([_covers(rep["map"], "Intercept", -0.3) for rep in logit_reps]) >= 0.75


def test_bayes_judge_sd_is_recovered_roughly(logit_reps):
    for m, (lo, hi) in {"vb": (0.65, 0.9), "map": (0.55, 0.85)}.items():
        sds = [M.variance_components(rep[m]).set_index("group").loc["judge", "sd"] for rep in logit_reps]
        assert lo < np.mean(sds) < hi, m
    vc = M.variance_components(logit_reps[0]["vb"])
    assert list(vc.columns) == VC_COLUMNS and vc["n_groups"].iloc[0] == 40
    assert (vc["sd_low"] < vc["sd"]).all() and (vc["sd"] < vc["sd_high"]).all()


def test_mixed_errors():
    df = simulate_mixed_logit(0)
    with pytest.raises(ModelInputError, match="method must be"):
        M.bayes_mixed_logit(df, "y ~ post", {"judge": "0 + C(judge)"}, method="mcmc")
    with pytest.raises(ModelInputError, match="at least one variance component"):
        M.bayes_mixed_logit(df, "y ~ post", {})
    with pytest.raises(ModelInputError, match="'judgee'"):
        M.bayes_mixed_logit(df, "y ~ post", {"judge": "0 + C(judgee)"})
    with pytest.raises(ModelInputError, match="'judgee'"):
        M.mixed_lpm(df, "y", "post", "judgee")
    with pytest.raises(ModelInputError, match="no variance components"):
        M.variance_components(M.logit_cluster(df, "y ~ post", "judge"))
