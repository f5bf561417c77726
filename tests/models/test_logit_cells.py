"""helpers.models.feglm_logit_cells: the FE logit on (successes, trials) cells against pyfixest's logit on the rows.

The data are simulated here (fixed seeds): they test the estimator, they say nothing about real judges.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

import helpers.models as M
from helpers.models.fixest import ONE_STEP_CRV3
from helpers.models.glm import SUCCESSES, TRIALS
from helpers.models.logit_cells import ssc_k

from .test_logit_jackknife import FML, simulate_did_logit


def _rows(df: pd.DataFrame, fml: str, vcov) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return M.feglm_logit(df, fml, vcov).set_index("term")


def _cells(df: pd.DataFrame, fml: str, vcov) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return M.feglm_logit_cells(df, fml, vcov).set_index("term")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    df = simulate_did_logit(seed=5, judges=36, per_cell=12)
    # a handful of judges also sit in another court for some months (court x month no longer follows the judge)
    moved = df["judge"].isin(["J03", "J07", "J11"]) & df["court_month"].str.endswith(("-05", "-06", "-17"))
    df.loc[moved, "court_month"] = "C9-" + df.loc[moved, "court_month"].str[-2:]
    # and a court-month whose outcome never varies (dropped by both fits)
    df.loc[df["court_month"] == "C1-03", "y"] = 1.0
    return df


@pytest.mark.parametrize("kind", ["CRV1", "CRV3"])
def test_cells_reproduce_the_row_logit(data, kind):
    rows, cells = _rows(data, FML, {kind: "judge"}), _cells(data, FML, {kind: "judge"})
    cells = cells.loc[rows.index]
    np.testing.assert_allclose(cells["estimate"], rows["estimate"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(cells["std_error"], rows["std_error"], rtol=1e-5)
    np.testing.assert_allclose(cells["ci_low"], rows["ci_low"], rtol=1e-5, atol=1e-7)
    assert (cells["n_obs"] == rows["n_obs"]).all() and (cells["n_clusters"] == rows["n_clusters"]).all()
    assert cells.attrs["n_dropped"] > 0 and cells.attrs["n_dropped"] == rows.attrs["n_dropped"]
    assert cells.attrs["n_cells"] < len(data) / 5
    expect = "feglm_logit_cells" if kind == "CRV1" else f"feglm_logit_cells/{ONE_STEP_CRV3}"
    assert set(cells["model"]) == {expect} and set(cells["scale"]) == {"log-odds"}


def test_small_sample_k_is_pyfixests(data):
    """ssc_k counts what pyfixest's get_ssc counts: regressors, the non-nested effects' levels (one fewer per extra
    effect) and one for each effect nested in the cluster."""
    fit = pf.feols("y ~ bite:post + detained | judge + court_month", data, vcov={"CRV1": "judge"})
    cells = M.collapse_cells(data, "y", ["bite", "post", "detained", "judge", "court_month"])
    assert ssc_k(cells, ["judge", "court_month"], "judge", 2) == int(fit._df_k)
    assert ssc_k(cells, ["court_month"], "judge", 2) == 2 + data["court_month"].nunique()
    assert ssc_k(cells, [], "judge", 2) == 2


def test_no_fixed_effects_absorbs_an_intercept_as_statsmodels_estimates_it(data):
    import statsmodels.api as sm

    cells = _cells(data, "y ~ bite:post + detained", {"CRV1": "judge"})
    X = sm.add_constant(np.column_stack([data["bite"] * data["post"], data["detained"]]))
    sm_fit = sm.GLM(data["y"], X, family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(cells.loc[["bite:post", "detained"], "estimate"], sm_fit.params.to_numpy()[1:], rtol=1e-7)
    assert list(cells.index) == ["bite:post", "detained"]


def test_recovers_a_planted_coefficient():
    df = simulate_did_logit(seed=21, judges=60, per_cell=20, beta=0.8)
    est = _cells(df, FML, {"CRV3": "judge"})
    r = est.loc["bite:post"]
    assert r["ci_low"] <= 0.8 <= r["ci_high"]
    assert r["std_error"] < 0.4           # informative, not an interval that cannot miss


def test_dropping_constant_groups_of_cells_iterates(data):
    cells = M.collapse_cells(data, "y", ["judge", "court_month"])
    keep = M.drop_perfectly_predicted(cells, SUCCESSES, ["judge", "court_month"], trials=TRIALS)
    kept = cells[keep]
    for key in ("judge", "court_month"):
        s = kept.groupby(key, observed=True)[[SUCCESSES, TRIALS]].sum()
        assert ((s[SUCCESSES] > 0) & (s[SUCCESSES] < s[TRIALS])).all()
    assert not keep[(cells["court_month"] == "C1-03").to_numpy()].any()


def test_bad_input_is_named(data):
    with pytest.raises(M.ModelInputError, match="collinear"):
        _cells(data.assign(jb=data["judge"].str[1:].astype(float)), "y ~ jb + detained | judge", {"CRV1": "judge"})
    with pytest.raises(M.ModelInputError, match="vcov"):
        _cells(data, FML, "hetero")
    with pytest.raises(M.ModelInputError, match="0/1"):
        _cells(data.assign(y=data["y"] * 2), FML, {"CRV1": "judge"})
    with pytest.raises(M.ModelInputError, match="product of columns"):
        _cells(data, "y ~ np.log(bite) | judge", {"CRV1": "judge"})
