"""event_study and pretrend_test: equality with pyfixest's i(), truth recovery, size and power of the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from .sim import simulate_panel
from scipy import stats

import helpers.models as M
from helpers.models import ModelInputError, attached

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")  # pyfixest 0.60 on pandas 3.1, direct calls

FE = "judge + court^month"
POST_PATH = {k: 0.12 for k in range(0, 6)}


@pytest.fixture(scope="module")
def es_data() -> pd.DataFrame:
    return simulate_panel(seed=3, beta=0.0, event=POST_PATH)


@pytest.fixture(scope="module")
def es(es_data) -> pd.DataFrame:
    return M.event_study(es_data, "y", "bite", "rel_q", -1, FE, "judge")


def test_event_study_equals_pyfixest_i_syntax(es_data, es):
    fit = pf.feols("y ~ i(rel_q, bite, ref=-1) | judge + court^month", es_data, vcov={"CRV1": "judge"})
    theirs = {int(name.split("::")[1].split(":")[0]): (b, s) for name, b, s in zip(fit.coef().index, fit.coef(), fit.se())}
    mine = es[~es["reference"]]
    assert sorted(theirs) == mine["rel_period"].tolist()
    for _, r in mine.iterrows():
        b, s = theirs[int(r["rel_period"])]
        assert r["estimate"] == pytest.approx(b, abs=1e-10)
        assert r["std_error"] == pytest.approx(s, rel=1e-8)


def test_event_study_layout(es):
    assert es["rel_period"].dtype == "Int64" and es["rel_period"].tolist() == list(range(-6, 6))
    ref = es[es["reference"]]
    assert len(ref) == 1 and ref["rel_period"].iloc[0] == -1 and ref["estimate"].iloc[0] == 0.0
    assert ref["std_error"].isna().all()
    assert es["term"].iloc[0] == "bite:rel_q[-6]" and es["model"].eq("event_study/feols").all()
    assert set(attached(es, "vcov").index) == set(es.loc[~es["reference"], "term"])


def test_event_study_recovers_the_planted_path(es):
    """Joint test of all event coefficients against the planted path (0 before, 0.12 after) is not rejected."""
    est = es[~es["reference"]]
    truth = np.array([POST_PATH.get(int(k), 0.0) for k in est["rel_period"]])
    d = est["estimate"].to_numpy() - truth
    v = attached(es, "vcov").loc[est["term"], est["term"]].to_numpy()
    w = float(d @ np.linalg.solve(v, d))
    assert stats.chi2.sf(w, len(d)) > 0.01
    post = est[est["rel_period"] >= 0]
    se_mean = np.sqrt(attached(es, "vcov").loc[post["term"], post["term"]].to_numpy().sum()) / len(post)
    assert abs(post["estimate"].mean() - 0.12) < 2.5 * se_mean


def test_pretrend_test_matches_pyfixest_wald(es_data, es):
    res = M.pretrend_test(es)
    assert res["df"].iloc[0] == 5 and res["terms"].iloc[0].startswith("bite:rel_q[-6]")
    fit = pf.feols("y ~ i(rel_q, bite, ref=-1) | judge + court^month", es_data, vcov={"CRV1": "judge"})
    names = list(fit.coef().index)
    pre = [i for i, n in enumerate(names) if int(n.split("::")[1].split(":")[0]) < 0]
    R = np.zeros((len(pre), len(names)))
    R[np.arange(len(pre)), pre] = 1
    with pytest.warns(UserWarning, match="chi2"):
        theirs = fit.wald_test(R=R)  # pyfixest switches to chi2 for a non-identity R
    assert res["chi2"].iloc[0] == pytest.approx(theirs["statistic"], rel=1e-8)
    assert res["chi2_p_value"].iloc[0] == pytest.approx(theirs["pvalue"], rel=1e-6)
    # F version with G-1 denominator degrees of freedom, as fixest
    assert res["df_denom"].iloc[0] == es_data["judge"].nunique() - 1
    assert res["statistic"].iloc[0] == pytest.approx(res["chi2"].iloc[0] / 5)
    # the same test from the fit object itself
    same = M.pretrend_test(fit, terms=[names[i] for i in pre])
    assert same["chi2"].iloc[0] == pytest.approx(res["chi2"].iloc[0], rel=1e-10)


def test_pretrend_test_has_power_against_a_planted_pretrend():
    df = simulate_panel(seed=4, beta=0.0, per_cell=30, event={-6: -0.16, -5: -0.13, -4: -0.10, -3: -0.07, **POST_PATH})
    res = M.pretrend_test(M.event_study(df, "y", "bite", "rel_q", -1, FE, "judge"))
    assert res["p_value"].iloc[0] < 0.01


@pytest.mark.slow  # Monte Carlo
def test_pretrend_test_size_without_pretrends():
    """Share of rejections at 5% over replications with parallel pre-trends stays near 5%."""
    rejections = []
    for seed in range(40):
        df = simulate_panel(seed=500 + seed, judges=40, months=24, per_cell=4, beta=0.1)
        res = M.pretrend_test(M.event_study(df, "y", "bite", "rel_q", -1, FE, "judge"))
        rejections.append(res["p_value"].iloc[0] < 0.05)
    assert np.mean(rejections) <= 0.175  # 5% expected; 7 of 40 would be p < 0.01 under a correct test


def test_pretrend_before_excludes_anticipation_periods(es):
    res = M.pretrend_test(es, before=-2)
    assert res["df"].iloc[0] == 4 and "bite:rel_q[-2]" not in res["terms"].iloc[0]


def test_event_study_errors(es_data, es):
    bad = es_data.assign(rel_q=es_data["rel_q"].astype(float))
    bad.loc[2, "rel_q"] = 0.5
    with pytest.raises(ModelInputError, match="reference period -9"):
        M.event_study(es_data, "y", "bite", "rel_q", -9, FE, "judge")
    with pytest.raises(ModelInputError, match="must hold integers; row 2 has 0.5"):
        M.event_study(bad, "y", "bite", "rel_q", -1, FE, "judge")
    with pytest.raises(ModelInputError, match="no covariance"):
        M.pretrend_test(M.stack_estimates([es]))
    with pytest.raises(ModelInputError, match=r"rel_period < -6"):
        M.pretrend_test(es, before=-6)
    with pytest.raises(ModelInputError, match="unknown method"):
        M.did_dose(es_data, "y", "bite", "post", FE, "judge", method="probit")


def test_event_study_logit_method_runs(es_data):
    est = M.event_study(es_data, "y", "bite", "rel_q", -1, "judge + month", "judge", method="feglm_logit")
    assert est["scale"].eq("log-odds").all() and est["model"].eq("event_study/feglm_logit").all()
    assert M.pretrend_test(est)["df_denom"].isna().all()  # normal-based: chi2 version


def test_cell_level_event_study_equals_the_case_level_fit(es_data):
    """models.event_study on collapse_for_lpm cells with frequency weights (singletons kept) gives the case-level
    estimates and CRV1 errors (fixef_rm="none" at case level too), from far fewer rows."""
    cases = M.event_study(es_data, "y", "bite", "rel_q", -1, "judge + court_month", "judge", fixef_rm="none")
    cells = M.collapse_for_lpm(es_data, "y", ["bite", "rel_q", "judge", "court_month"])
    assert len(cells) < len(es_data) / 5
    cell = M.event_study(cells, "y", "bite", "rel_q", -1, "judge + court_month", "judge", weights="n_cases",
                         weights_type="fweights", fixef_rm="none")
    assert cell["term"].tolist() == cases["term"].tolist()
    for c in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
        np.testing.assert_allclose(cell[c], cases[c], rtol=1e-8, atol=1e-12, err_msg=c)
    assert (cell["n_obs"] == len(es_data)).all()
    a = M.pretrend_test(cell, before=-1)
    b = M.pretrend_test(cases, before=-1)
    assert a["p_value"].iloc[0] == pytest.approx(b["p_value"].iloc[0], rel=1e-8)
    with pytest.raises(ModelInputError, match="does not take"):
        M.event_study(cells, "y", "bite", "rel_q", -1, "judge", "judge", method="feglm_logit", weights="n_cases")


def _one_judge_per_term() -> pd.DataFrame:
    """Two dose terms, each carried by a single judge: the model is estimable, but leaving either judge out
    makes a term collinear, and pyfixest's jackknife refit fails ("could not broadcast input array")."""
    rng = np.random.default_rng(0)
    rows = []
    for j in range(12):
        for t in range(40):
            post = float(t >= 20)
            rows.append({"judge": f"J{j:02d}", "t": t, "post": post, "x2": rng.normal(),
                         "a": post * (j == 0), "b": post * (j == 1), "y": rng.normal() + 0.5 * post * (j == 0)})
    return pd.DataFrame(rows)


def test_crv3_jackknife_failure_falls_back_to_crv1_with_a_warning():
    df = _one_judge_per_term()
    crv1 = M.did_dose(df, "y", "a", "post", "judge + t", "judge", extra_terms=["b"], controls=["x2"])
    # the message names the judge whose removal leaves a term inestimable (the fast jackknife, fixest.feols) or is
    # pyfixest's own (its refits, used for formulas the fast path does not take)
    with pytest.warns(UserWarning, match=r"jackknife \(CRV3\) failed \((could not broadcast|jackknife_draws: without "
                                         r"judge 'J00' a term .* is collinear)"):
        est = M.did_dose(df, "y", "a", "post", "judge + t", "judge", extra_terms=["b"], controls=["x2"],
                         vcov_type="CRV3")
    assert est["model"].eq("did_dose/feols, CRV1 (CRV3 failed)").all() and est.attrs["vcov_type"] == "CRV1 (CRV3 failed)"
    np.testing.assert_allclose(est["std_error"], crv1["std_error"])
    assert crv1.attrs["vcov_type"] == "CRV1" and crv1["model"].eq("did_dose/feols").all()
    # the same layout as an event study: dose 1 for J00 and J01, whose post rows fall in relative periods 0 and 1
    es_df = df.assign(d=df["judge"].isin(["J00", "J01"]).astype(float),
                      rel=np.where(df["post"] > 0, (df["judge"] == "J01").astype(int), -1))
    with pytest.warns(UserWarning, match=r"CRV3\) failed"):
        es = M.event_study(es_df, "y", "d", "rel", -1, "judge + t", "judge", controls=["x2"], vcov_type="CRV3")
    assert es.attrs["vcov_type"] == "CRV1 (CRV3 failed)" and es["model"].str.endswith("(CRV3 failed)").all()
    with pytest.raises(ModelInputError, match="only 2 cluster"):              # a real problem still raises
        M.did_dose(df[df["judge"].isin(["J00", "J01"])], "y", "a", "post", "t", "judge", vcov_type="CRV3")
