"""cox: strata, delayed entry and judge-clustered sandwich against statsmodels PHReg; truth recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg

import helpers.models as M
from helpers.models import ModelInputError, attached
from helpers.models.survival import score_residuals

TRUTH = {"post": 0.5, "x": -0.3}


def simulate_durations(seed: int = 1, n: int = 4000, truncate: bool = True) -> pd.DataFrame:
    """Exponential times, a different baseline rate per court, left truncation at ``entry`` and censoring."""
    rng = np.random.default_rng(seed)
    m = int(n * 1.6)
    court = rng.integers(0, 4, m)
    judge = court * 10 + rng.integers(0, 10, m)  # judges nested in courts
    post = (rng.random(m) < 0.5).astype(float)
    x = rng.normal(size=m)
    rate = np.array([0.5, 1.0, 2.0, 4.0])[court] * np.exp(TRUTH["post"] * post + TRUTH["x"] * x)
    t = np.ceil(rng.exponential(1 / rate) * 250) / 250  # whole "days" (1/250 of a unit): ties, as in real data
    entry = np.floor(rng.uniform(0, 0.4, m) * 250) / 250 if truncate else np.zeros(m)
    c = entry + np.ceil(rng.exponential(2.0, m) * 250) / 250
    keep = t > entry  # cases that ended before entering the window are never seen
    df = pd.DataFrame({"dur": np.minimum(t, c), "done": (t <= c).astype(int), "entry": entry, "post": post,
                       "x": x, "court": [f"C{v}" for v in court], "judge": [f"J{v:02d}" for v in judge]})
    return df[keep].head(n).reset_index(drop=True)


@pytest.fixture(scope="module")
def dur() -> pd.DataFrame:
    return simulate_durations()


@pytest.fixture(scope="module")
def fit(dur) -> pd.DataFrame:
    return M.cox(dur, "dur", "done", "post + x", strata="court", cluster="judge", entry="entry")


def test_cox_recovers_the_planted_log_hazard_ratios(fit):
    e = fit.set_index("term")
    for term, truth in TRUTH.items():
        assert e.loc[term, "ci_low"] < truth < e.loc[term, "ci_high"], term
    np.testing.assert_allclose(fit["hr"], np.exp(fit["estimate"]))
    assert (fit["hr_low"] < fit["hr"]).all() and fit["scale"].eq("log-hazard").all()
    assert fit["n_clusters"].iloc[0] == 40


def _phreg(df: pd.DataFrame) -> PHReg:
    return PHReg.from_formula("dur ~ post + x", df, status=df["done"].to_numpy(), entry=df["entry"].to_numpy(),
                              strata=pd.factorize(df["court"], sort=True)[0])


def _never_at_risk(df: pd.DataFrame) -> np.ndarray:
    """Spells with no failure of their court in [entry, exit]: they are in no risk set (brute force)."""
    out = np.zeros(len(df), dtype=bool)
    for _, g in df.groupby("court"):
        fails = np.sort(g.loc[g["done"] == 1, "dur"].to_numpy())
        lo = np.searchsorted(fails, g["entry"].to_numpy(), "left")
        hi = np.searchsorted(fails, g["dur"].to_numpy(), "right")
        out[df.index.get_indexer(g.index)] = hi == lo
    return out


def test_score_residuals_equal_statsmodels_where_statsmodels_is_right(dur):
    model = _phreg(dur)
    params = model.fit().params
    theirs = model.score_residuals(params)
    ours = score_residuals(model, params)
    idle = _never_at_risk(dur)
    assert idle.sum() == 5 and (dur.loc[idle, "done"] == 0).all()
    np.testing.assert_allclose(ours[~idle], theirs[~idle], rtol=0, atol=1e-10)
    assert (ours[idle] == 0).all()
    # statsmodels 0.15 returns NaN for 2 of these spells and non-zero values for the other 3 (its backward
    # loop never takes a spell out of the risk set if no failure falls in its window); the score must sum to
    # zero at the MLE, which holds for ours and fails for statsmodels'
    assert np.isnan(theirs[idle]).any(axis=1).sum() == 2
    assert (np.abs(np.nan_to_num(theirs[idle])) > 0).any(axis=1).sum() == 3
    np.testing.assert_allclose(ours.sum(axis=0), 0, atol=1e-8)
    assert np.abs(np.nansum(theirs, axis=0)).max() > 1e-3


def test_score_residuals_with_tied_times_and_no_entry():
    df = simulate_durations(seed=4, n=2000, truncate=False)
    df["dur"] = np.ceil(df["dur"] * 10) / 10  # many ties, as with durations in whole days
    model = PHReg.from_formula("dur ~ post + x", df, status=df["done"].to_numpy())
    params = model.fit().params
    np.testing.assert_allclose(score_residuals(model, params), model.score_residuals(params), atol=1e-10)


def test_cox_equals_phreg_with_strata_entry_and_groups(dur, fit):
    ref = _phreg(dur).fit(groups=dur["judge"].to_numpy())
    np.testing.assert_allclose(fit["estimate"], ref.params, rtol=1e-10)
    assert np.isnan(ref.bse).all()  # statsmodels' own clustered SEs are NaN on these data (see above)
    # spells that are never at risk do not enter the likelihood: dropping them leaves the fit unchanged, and
    # there statsmodels' clustered covariance is right and equals ours divided by G/(G-1)
    clean = dur[~_never_at_risk(dur)].reset_index(drop=True)
    ref2 = _phreg(clean).fit(groups=clean["judge"].to_numpy())
    np.testing.assert_allclose(ref2.params, ref.params, rtol=1e-10)
    g = dur["judge"].nunique()
    np.testing.assert_allclose(attached(fit, "vcov").to_numpy(), np.asarray(ref2.cov_params()) * g / (g - 1),
                               rtol=1e-8)
    assert fit["n_events"].iloc[0] == dur["done"].sum() and fit["n_obs"].iloc[0] == len(dur)


def test_ignoring_delayed_entry_biases_the_estimates(dur, fit):
    """Left truncation matters here: without entry= the strata baselines are misestimated and β moves."""
    naive = M.cox(dur, "dur", "done", "post + x", strata="court", cluster="judge")
    assert not np.allclose(naive["estimate"], fit["estimate"], atol=1e-3)


def test_strata_matter(dur, fit):
    pooled = M.cox(dur, "dur", "done", "post + x", cluster="judge", entry="entry")
    assert not np.allclose(pooled["estimate"], fit["estimate"], atol=1e-3)


def test_zero_effect_covers_zero():
    df = simulate_durations(seed=9)
    df["placebo"] = np.random.default_rng(0).random(len(df)) < 0.5
    df["placebo"] = df["placebo"].astype(float)
    r = M.cox(df, "dur", "done", "post + x + placebo", strata="court", cluster="judge", entry="entry")
    r = r.set_index("term").loc["placebo"]
    assert r["ci_low"] < 0 < r["ci_high"]


def test_unclustered_errors_are_the_information_matrix(dur):
    est = M.cox(dur, "dur", "done", "post + x", strata="court", entry="entry")
    ref = _phreg(dur).fit()
    np.testing.assert_allclose(est["std_error"], ref.bse, rtol=1e-8)
    assert est["n_clusters"].isna().all()


def test_cox_errors(dur):
    bad = dur.copy()
    bad.loc[5, "entry"] = bad.loc[5, "dur"] + 1
    with pytest.raises(ModelInputError, match=r"0 <= entry < 'dur'; row 5"):
        M.cox(bad, "dur", "done", "post", entry="entry")
    bad = dur.copy()
    bad.loc[3, "dur"] = 0.0
    with pytest.raises(ModelInputError, match="'dur' must be positive; row 3"):
        M.cox(bad, "dur", "done", "post")
    with pytest.raises(ModelInputError, match="no events"):
        M.cox(dur.assign(done=0), "dur", "done", "post")
    with pytest.raises(ModelInputError, match="'courtt'"):
        M.cox(dur, "dur", "done", "post", strata="courtt")
