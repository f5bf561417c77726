"""logit_cluster and its fast path binomial_cells: truth recovery, identical estimates and SEs, CRV1 by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from .sim import simulate_logit

import helpers.models as M
from helpers.models import ModelInputError, attached

RHS = "x + post + C(judge)"
BY = ["judge", "x", "post"]


@pytest.fixture(scope="module")
def case_fit(logit_df):
    return M.logit_cluster(logit_df, f"y ~ {RHS}", "judge")


def test_planted_log_odds_are_inside_the_intervals(case_fit):
    est = case_fit.set_index("term")
    for term, truth in {"x": 0.6, "post": -0.4}.items():
        assert est.loc[term, "ci_low"] < truth < est.loc[term, "ci_high"], term
    assert (case_fit["scale"] == "log-odds").all()


def test_zero_effect_interval_covers_zero():
    df = simulate_logit(seed=21, beta_post=0.0)
    r = M.logit_cluster(df, f"y ~ {RHS}", "judge").set_index("term").loc["post"]
    assert r["ci_low"] < 0 < r["ci_high"]


def test_cells_give_the_case_level_estimates_and_clustered_errors(logit_df, case_fit):
    cells = M.collapse_cells(logit_df, "y", BY)
    assert len(cells) < len(logit_df) / 30
    assert cells["trials"].sum() == len(logit_df) and cells["successes"].sum() == logit_df["y"].sum()
    fast = M.binomial_cells(cells, f"y ~ {RHS}", "judge")
    assert list(fast["term"]) == list(case_fit["term"])
    np.testing.assert_allclose(fast["estimate"], case_fit["estimate"], rtol=0, atol=1e-8)
    # same small-sample factor G/(G-1)(N-1)/(N-K) with N = cases, so equal, not merely close
    np.testing.assert_allclose(fast["std_error"], case_fit["std_error"], rtol=1e-8)
    assert fast["n_obs"].iloc[0] == case_fit["n_obs"].iloc[0] == len(logit_df)
    assert fast["n_clusters"].iloc[0] == case_fit["n_clusters"].iloc[0] == logit_df["judge"].nunique()


def test_cells_without_clusters_give_the_model_based_errors(logit_df):
    slow = M.logit_cluster(logit_df, "y ~ x + post", None)
    fast = M.binomial_cells(M.collapse_cells(logit_df, "y", ["x", "post"]), "~ x + post")
    np.testing.assert_allclose(fast["estimate"], slow["estimate"], atol=1e-8)
    np.testing.assert_allclose(fast["std_error"], slow["std_error"], rtol=1e-8)
    assert fast["outcome"].iloc[0] == "y"  # taken from the cells' attrs
    assert fast["n_clusters"].isna().all() and fast["n_obs"].iloc[0] == len(logit_df)


def test_without_the_ssc_correction_cells_would_differ(logit_df, case_fit):
    """Guard that the N used in the correction matters: with N = cells the SEs would be off."""
    cells = M.collapse_cells(logit_df, "y", BY)
    fast = M.binomial_cells(cells, f"y ~ {RHS}", "judge")
    k, n, c = len(fast), len(logit_df), len(cells)
    wrong = fast["std_error"] * np.sqrt(((c - 1) / (c - k)) / ((n - 1) / (n - k)))
    assert not np.allclose(wrong, case_fit["std_error"], rtol=1e-3)


def test_cluster_robust_errors_match_the_sandwich_by_hand(logit_df):
    est = M.logit_cluster(logit_df, "y ~ x + post", "judge")
    X = np.column_stack([np.ones(len(logit_df)), logit_df["x"], logit_df["post"]])
    y = logit_df["y"].to_numpy()
    b = est["estimate"].to_numpy()
    p = 1 / (1 + np.exp(-X @ b))
    bread = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    s = pd.DataFrame(X * (y - p)[:, None]).groupby(logit_df["judge"].to_numpy()).sum().to_numpy()
    g, n, k = len(s), len(y), X.shape[1]
    V = bread @ (s.T @ s) @ bread * g / (g - 1) * (n - 1) / (n - k)
    np.testing.assert_allclose(est["std_error"], np.sqrt(np.diag(V)), rtol=1e-6)
    np.testing.assert_allclose(attached(est, "vcov").to_numpy(), V, rtol=1e-6, atol=1e-12)


def test_cell_input_errors(logit_df):
    cells = M.collapse_cells(logit_df, "y", ["x", "post"])
    with pytest.raises(ModelInputError, match="'judge'"):  # cluster must be a cell key
        M.binomial_cells(cells, "y ~ x + post", "judge")
    bad = cells.copy()
    bad.loc[bad.index[1], "successes"] = bad.loc[bad.index[1], "trials"] + 1
    with pytest.raises(ModelInputError, match=r"row 1 has successes="):
        M.binomial_cells(bad, "y ~ x + post")
    with pytest.raises(ModelInputError, match="no variation"):
        M.binomial_cells(cells.assign(successes=0), "y ~ x + post")
    with pytest.raises(ModelInputError, match="at least one 'by'"):
        M.collapse_cells(logit_df, "y", [])
