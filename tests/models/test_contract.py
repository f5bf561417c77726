"""Every estimator returns the promised tidy columns and dtypes, and bad input fails with a clear message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helpers.models as M
from helpers.models import TIDY_COLUMNS, TIDY_DTYPES, ModelInputError


def _its_series() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    t = pd.date_range("2015-10-01", periods=72, freq="MS")
    return pd.DataFrame({"month": t, "rate": 0.4 + 0.001 * np.arange(72) + rng.normal(0, 0.01, 72)})


def _cox_df() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    n = 400
    x = rng.random(n)
    return pd.DataFrame({"dur": rng.exponential(1 / np.exp(0.5 * x)) + 0.01, "done": (rng.random(n) < 0.8).astype(int),
                         "x": x, "judge": rng.integers(0, 20, n), "court": rng.integers(0, 3, n)})


def _fits(panel, logit_df):
    """One call of each public estimator (small data) -> (name, frame)."""
    cells = M.collapse_cells(logit_df, "y", ["judge", "x", "post"])
    lpm = M.collapse_for_lpm(panel, "y", ["judge", "court", "month", "bite", "post"])
    return [
        ("its_hac", M.its_hac(_its_series(), "rate", "month", {"quota": "2018-10-01"})),
        ("logit_cluster", M.logit_cluster(logit_df, "y ~ x + post", "judge")),
        ("binomial_cells", M.binomial_cells(cells, "y ~ x + post", "judge")),
        ("feols", M.feols(panel, "y ~ bite:post | judge + court^month")),
        ("lpm_cells", M.lpm_cells(lpm, "y ~ bite:post | judge + court^month", "judge")),
        ("fepois", M.fepois(panel, "y ~ bite:post | judge + court^month")),
        ("feglm_logit", M.feglm_logit(panel, "y ~ bite:post | judge + month")),
        ("did_dose", M.did_dose(panel, "y", "bite", "post", "judge + court^month", "judge")),
        ("event_study", M.event_study(panel, "y", "bite", "rel_q", -1, "judge + court^month", "judge")),
        ("mixed_lpm", M.mixed_lpm(logit_df, "y", "x + post", "judge")),
        ("bayes_mixed_logit", M.bayes_mixed_logit(logit_df, "y ~ x + post", {"judge": "0 + C(judge)"})),
        ("cox", M.cox(_cox_df(), "dur", "done", "x", strata="court", cluster="judge")),
    ]


@pytest.fixture(scope="module")
def all_fits(panel, logit_df):
    return _fits(panel, logit_df)


def test_every_estimator_returns_the_tidy_contract(all_fits):
    assert len(all_fits) == 12
    for name, est in all_fits:
        assert list(est.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS, name
        assert {c: str(est[c].dtype) for c in TIDY_COLUMNS} == TIDY_DTYPES, name
        assert est.columns[len(TIDY_COLUMNS)] == "scale", name
        assert set(est["scale"]) <= {"log-odds", "probability", "linear", "log-count", "log-hazard"}, name
        assert len(est) > 0 and est["term"].is_unique, name
        assert (est["n_obs"] > 0).all() and est["outcome"].str.len().gt(0).all(), name
        assert est["model"].str.startswith(name).all(), name
        ok = est["std_error"].notna()
        assert (est.loc[ok, "ci_low"] < est.loc[ok, "estimate"]).all(), name
        assert (est.loc[ok, "estimate"] < est.loc[ok, "ci_high"]).all(), name
        assert est.loc[ok, "p_value"].between(0, 1).all(), name
        M.check_tidy(est)


def test_n_clusters_is_nan_exactly_when_not_clustered(all_fits):
    unclustered = {"its_hac", "mixed_lpm", "bayes_mixed_logit"}
    for name, est in all_fits:
        if name in unclustered:
            assert est["n_clusters"].isna().all(), name
        else:
            assert (est["n_clusters"] >= M.MIN_CLUSTERS).all(), name


def test_n_obs_counts_underlying_observations(all_fits, panel, logit_df):
    fits = dict(all_fits)
    assert fits["logit_cluster"]["n_obs"].iloc[0] == len(logit_df)
    assert fits["binomial_cells"]["n_obs"].iloc[0] == len(logit_df)  # sum of trials, not cells
    assert fits["feols"]["n_obs"].iloc[0] == len(panel)
    assert fits["lpm_cells"]["n_obs"].iloc[0] == len(panel)  # sum of cell counts
    assert fits["its_hac"]["n_obs"].iloc[0] == 72


def test_stacking_frames_with_covariances_works(all_fits):
    # attrs hold covariances; pandas compares attrs when concatenating, which must not fail
    frames = [f for _, f in all_fits]
    out = pd.concat(frames, ignore_index=True)
    assert len(out) == sum(len(f) for f in frames)
    st = M.stack_estimates(frames)
    assert {c: str(st[c].dtype) for c in TIDY_COLUMNS} == TIDY_DTYPES


# ---------------------------------------------------------------------- clear errors

def _call(name, df, col):
    calls = {
        "logit_cluster": lambda: M.logit_cluster(df, f"y ~ {col}", "judge"),
        "feols": lambda: M.feols(df, f"y ~ {col} | judge"),
        "feglm_logit": lambda: M.feglm_logit(df, f"y ~ {col} | judge"),
        "fepois": lambda: M.fepois(df, f"y ~ {col} | judge"),
        "did_dose": lambda: M.did_dose(df, "y", col, "post", "judge", "judge"),
        "event_study": lambda: M.event_study(df, "y", col, "rel_q", -1, "judge", "judge"),
        "mixed_lpm": lambda: M.mixed_lpm(df, "y", col, "judge"),
        "bayes_mixed_logit": lambda: M.bayes_mixed_logit(df, f"y ~ {col}", {"judge": "0 + C(judge)"}),
        "cox": lambda: M.cox(df.assign(dur=1.0 + df["month"]), "dur", "y", col, cluster="judge"),
        "collapse_cells": lambda: M.collapse_cells(df, "y", ["judge", col]),
        "collapse_for_lpm": lambda: M.collapse_for_lpm(df, "y", ["judge", col]),
    }
    return calls[name]()


NAMES = ["logit_cluster", "feols", "feglm_logit", "fepois", "did_dose", "event_study", "mixed_lpm",
         "bayes_mixed_logit", "cox", "collapse_cells", "collapse_for_lpm"]


@pytest.mark.parametrize("name", NAMES)
def test_missing_column_is_named(name, panel):
    with pytest.raises(ModelInputError, match=r"'bitee'"):
        _call(name, panel, "bitee")


@pytest.mark.parametrize("name", NAMES)
def test_missing_values_are_reported_not_dropped(name, panel):
    df = panel.copy()
    df.loc[df.index[7], "bite"] = np.nan
    with pytest.raises(ModelInputError, match=r"'bite' has 1 missing value.*row 7"):
        _call(name, df, "bite")


@pytest.mark.parametrize("name", ["logit_cluster", "feols", "feglm_logit", "fepois", "did_dose", "mixed_lpm",
                                  "bayes_mixed_logit"])
def test_outcome_without_variation(name, panel):
    df = panel.assign(y=0.0)
    with pytest.raises(ModelInputError, match="no variation"):
        _call(name, df, "bite")


@pytest.mark.parametrize("name", ["logit_cluster", "feols", "feglm_logit", "fepois", "did_dose", "event_study", "cox"])
def test_too_few_clusters(name, panel):
    df = panel[panel["judge"].isin(sorted(panel["judge"].unique())[:6])]
    with pytest.raises(ModelInputError, match=r"only 6 cluster\(s\) in 'judge'"):
        _call(name, df, "bite")


def test_too_few_clusters_can_be_lowered_knowingly(panel):
    df = panel[panel["judge"].isin(sorted(panel["judge"].unique())[:6])]
    est = M.feols(df, "y ~ bite:post | judge", min_clusters=5)
    assert est["n_clusters"].iloc[0] == 6


def test_non_binary_outcome_for_logit_names_the_row(logit_df):
    df = logit_df.copy()
    df.loc[df.index[3], "y"] = 2
    with pytest.raises(ModelInputError, match=r"'y' must be 0/1.*row 3 has 2"):
        M.logit_cluster(df, "y ~ x", "judge")
    with pytest.raises(ModelInputError, match=r"row 3"):
        M.collapse_cells(df, "y", ["judge"])


def test_formula_problems():
    df = pd.DataFrame({"y": [0.0, 1.0], "x": [1.0, 2.0]})
    with pytest.raises(ModelInputError, match="must look like 'y ~ x"):
        M.feols(df, "y x")
    with pytest.raises(ModelInputError, match="no '~'"):
        M.logit_cluster(df, "y x", None)
    with pytest.raises(ModelInputError, match="one model at a time"):
        M.feols(df, "y ~ sw(x, x)")


def test_collinear_main_term_is_an_error(panel):
    # post alone is absorbed by court^month effects: the DiD term must not vanish silently
    flat = panel.assign(bite=1.0)
    with pytest.raises(ModelInputError, match=r"\['bite:post'\] were dropped \(collinear"), \
            pytest.warns(UserWarning, match="dropped due to multicollinearity"):  # pyfixest's own notice
        M.did_dose(flat, "y", "bite", "post", "judge + court^month", "judge", controls=["detained"])
    with pytest.raises(ModelInputError, match="collinear with the fixed effects"):
        M.did_dose(flat, "y", "bite", "post", "judge + court^month", "judge")


def test_formula_variables_parsing():
    from helpers.models import formula_variables
    assert formula_variables("y ~ x + C(court, Treatment('A')) + np.log(z) | judge + court^month") == [
        "y", "x", "court", "z", "judge", "month"]
    assert formula_variables("y ~ i(rel, bite, ref=-3)") == ["y", "rel", "bite"]
