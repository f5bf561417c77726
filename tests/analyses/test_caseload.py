"""Caseloads, the 700 target, the first stage and the pressure measures (helpers.analyses.caseload).

Unit tests use small hand-built panels (values checked by hand) and simulated Poisson panels with known
coefficients (fixed seeds). The last tests run the headline designs on the sample-scale synthetic releases
(``sample_derived``: default planted effects; ``placebo_derived``: none) and compare them with the generator's
``truth/effects_truth.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import datasets, pressure
from helpers.analyses import caseload as cl
from helpers.analyses import common
from helpers.models import ModelInputError
from helpers.synth.effects import load_effects

# --------------------------------------------------------------------------------------------- hand-built panels


def _panel(rows: dict[str, tuple[str, str, int]], court: str = "AAA", cut: str | None = None) -> pd.DataFrame:
    """A judge-month panel: judge -> (first month, last month, completions a month); zeros outside are not added."""
    parts = []
    for j, (lo, hi, n) in rows.items():
        months = pd.date_range(lo, hi, freq="MS")
        parts.append(pd.DataFrame({"ij_code": j, "month": months, "completions": n}))
    d = pd.concat(parts, ignore_index=True)
    d["completions_dispositive"] = d["completions"] - 1
    d["fiscal_year"] = d["month"].dt.year + (d["month"].dt.month >= 10)
    d["fiscal_month"] = ((d["month"].dt.month + 2) % 12) + 1
    d["court"] = court
    d["active"] = True
    d = pressure.gap_to_path(d)
    if cut:
        d.attrs["data_cut"] = cut
    return d.reset_index(drop=True)


def test_complete_fiscal_years_uses_the_data_cut():
    d = _panel({"A": ("2015-10-01", "2018-03-01", 10)}, cut="2017-12-31")
    assert cl.complete_fiscal_years(d) == [2016, 2017]
    d2 = _panel({"A": ("2015-11-01", "2018-09-01", 10)})
    assert cl.complete_fiscal_years(d2) == [2017, 2018]  # FY2016 starts in October 2015: not covered


def test_on_bench_drops_months_before_the_first_and_after_the_last_completion():
    d = _panel({"A": ("2016-01-01", "2016-12-01", 5)})
    d.loc[d["month"] < "2016-03-01", "completions"] = 0
    d.loc[d["month"] > "2016-10-01", "completions"] = 0
    d.loc[d["month"] == "2016-06-01", "completions"] = 0        # a month without completions inside the span stays
    out = cl.on_bench(d)
    assert out["month"].min() == pd.Timestamp("2016-03-01") and out["month"].max() == pd.Timestamp("2016-10-01")
    assert len(out) == 8
    assert (out["bench_first"] == pd.Timestamp("2016-03-01")).all()


def test_bench_in_window_counts_months_on_the_bench_in_fy2017_fy2018():
    d = _panel({"A": ("2015-10-01", "2019-09-01", 5), "B": ("2018-04-01", "2019-09-01", 5),
                "C": ("2019-01-01", "2019-09-01", 5)})
    got = cl.bench_in_window(d)
    assert got["A"] == 24 and got["B"] == 6 and got["C"] == 0


def test_judge_years_counts_and_annualises():
    d = _panel({"A": ("2015-10-01", "2016-09-01", 60), "B": ("2016-04-01", "2016-09-01", 50)}, cut="2016-09-30")
    jy = cl.judge_years(d).set_index("ij_code")
    assert jy.loc["A", "completions"] == 720 and bool(jy.loc["A", "full_year"]) and jy.loc["A", "bench_months"] == 12
    assert jy.loc["A", "completions_dispositive"] == 12 * 59
    assert jy.loc["B", "completions"] == 300 and not bool(jy.loc["B", "full_year"])
    assert jy.loc["B", "completions_annualised"] == pytest.approx(600.0)
    assert jy.loc["B", "bench_months"] == 6


def test_target_shares_by_hand():
    jy = pd.DataFrame({
        "ij_code": list("ABCDE"), "fiscal_year": 2019, "full_year": [True, True, True, True, False],
        "completions": [750, 700, 600, 500, 300], "completions_annualised": [750, 700, 600, 500, 720]})
    s = cl.target_shares(jy).set_index("group")
    full = s.loc["full-year"]
    assert full["judges"] == 4 and full["share_700"] == 0.5 and full["share_560"] == 0.75
    assert full["share_below_560"] == 0.25 and full["median"] == 650
    part = s.loc["part-year (annualised)"]
    assert part["judges"] == 1 and part["share_700"] == 1.0
    assert list(cl.target_bands(pd.Series([699.9, 700, 560, 559]))) == ["560_to_699", "700_plus", "560_to_699", "below_560"]


def _bunching_years() -> pd.DataFrame:
    rows = []
    # period 1 (FY2016-18): 3 above 700 and 5 below among judge-years within 50; period 2: 6 above, 2 below
    values = {2017: [710, 720, 730, 660, 670, 680, 690, 699, 900], 2020: [700, 705, 710, 720, 730, 740, 680, 690, 400]}
    for fy, vals in values.items():
        for k, v in enumerate(vals):
            rows.append({"ij_code": f"J{k}", "fiscal_year": fy, "full_year": True, "completions": v})
    return pd.DataFrame(rows)


def test_bunching_point_estimates_by_hand_and_bootstrap_is_seeded():
    b = cl.bunching(_bunching_years(), n_boot=199, seed=3).set_index("term")
    assert b.loc["share_above_700[FY2016-FY2018]", "estimate"] == pytest.approx(3 / 8)
    assert b.loc["share_above_700[FY2019-FY2021]", "estimate"] == pytest.approx(6 / 8)
    assert b.loc["share_above_700:change", "estimate"] == pytest.approx(6 / 8 - 3 / 8)
    assert (b["ci_low"] <= b["estimate"]).all() and (b["estimate"] <= b["ci_high"]).all()
    assert b["n_obs"].iat[0] == 16 and b["n_clusters"].iat[0] == 8
    again = cl.bunching(_bunching_years(), n_boot=199, seed=3)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), b.reset_index())  # same seed, same answer


def test_bunching_refuses_too_few_judge_years():
    jy = _bunching_years()
    with pytest.raises(ModelInputError, match="fewer than 5"):
        cl.bunching(jy[jy["fiscal_year"] == 2020])


def test_histogram_shares_sum_to_one_per_period():
    h = cl.histogram(_bunching_years())
    assert h.groupby("period")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


# --------------------------------------------------------------------------------------------- simulated panels

def _sim_first_stage(beta: float, seed: int, n_judges: int = 40) -> pd.DataFrame:
    """Judge-month Poisson panel FY2014-FY2024 with multiplicative month shocks and a planted bite effect."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2013-10-01", "2024-09-01", freq="MS")
    bite = np.clip(rng.uniform(-0.3, 0.4, n_judges), 0, None)
    level = np.log(rng.uniform(35, 80, n_judges))
    shock = rng.normal(0, 0.15, len(months))
    pol = common.policy_dummies(pd.Series(months))
    eta = (level[:, None] + shock[None, :] + beta * bite[:, None] * pol["quota"].to_numpy()[None, :]
           + 0.25 * beta * bite[:, None] * pol["announce"].to_numpy()[None, :])
    y = rng.poisson(np.exp(eta))
    d = pd.DataFrame({"ij_code": np.repeat([f"J{k:02d}" for k in range(n_judges)], len(months)),
                      "month": np.tile(months, n_judges), "completions": y.ravel(),
                      "bite": np.repeat(bite, len(months)), "court": np.repeat(["A", "B"] * (n_judges // 2), len(months))})
    d["completions_dispositive"] = d["completions"]
    d["fiscal_year"] = d["month"].dt.year + (d["month"].dt.month >= 10)
    d["fiscal_month"] = ((d["month"].dt.month + 2) % 12) + 1
    d["active"] = True
    return pressure.gap_to_path(d)


def test_first_stage_recovers_a_planted_poisson_effect():
    est = cl.first_stage(cl.design_panel(_sim_first_stage(0.8, seed=1))).set_index("term")
    assert est.loc["bite:quota", "ci_low"] <= 0.8 <= est.loc["bite:quota", "ci_high"]
    assert est.loc["bite:quota", "p_value"] < 0.01
    assert est["scale"].iat[0] == "log-count" and est["design"].iat[0].startswith("D2 first stage")


def test_first_stage_finds_nothing_when_nothing_is_planted():
    est = cl.first_stage(cl.design_panel(_sim_first_stage(0.0, seed=2))).set_index("term")
    for t in ("bite:quota", "bite:announce", "bite:post_suspension"):
        assert est.loc[t, "ci_low"] <= 0 <= est.loc[t, "ci_high"], t


def test_design_panel_sample_rules_and_errors():
    d = _sim_first_stage(0.0, seed=3, n_judges=12)
    p = cl.design_panel(d, fy_min=2016, fy_max=2020, court="A")
    assert p["fiscal_year"].between(2016, 2020).all() and (p["court"] == "A").all()
    assert {"announce", "quota", "post_suspension", "judge", "month_id", "court_month", "judge_fy", "rel_fy"} <= set(p)
    covid = cl.design_panel(d, drop_months=cl.COVID_MONTHS)
    assert not covid["month"].between("2020-03-01", "2021-06-01").any()
    with pytest.raises(ModelInputError, match="no judge-months left"):
        cl.design_panel(d, court="nowhere")
    tiny = common.try_design("first stage", cl.first_stage, cl.design_panel(d, court="A"))   # 6 judges: too few
    assert tiny.empty and "not estimated" in tiny.attrs["skipped"] and "cluster" in tiny.attrs["skipped"]
    assert common.skipped_note(tiny).startswith("* first stage: not estimated")


def _sim_gap(delta_q: float, seed: int, n_judges: int = 60) -> pd.DataFrame:
    """Completions that react to last month's gap only in the quota years (the gap itself follows the draws)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range("2013-10-01", "2022-09-01", freq="MS")
    level = rng.uniform(45, 75, n_judges)
    fm = ((months.month + 2) % 12) + 1
    quota = common.policy_dummies(pd.Series(months))["quota"].to_numpy()
    cum = np.zeros(n_judges)
    y = np.zeros((n_judges, len(months)), dtype=int)
    lag = np.zeros((n_judges, len(months)))
    for k, m in enumerate(months):
        if fm[k] == 1:
            cum[:] = 0
        g = (700 * (fm[k] - 1) / 12 - cum) / 700
        lag[:, k] = g
        y[:, k] = rng.poisson(level * np.exp(delta_q * g * quota[k]))
        cum += y[:, k]
    d = pd.DataFrame({"ij_code": np.repeat([f"J{k:02d}" for k in range(n_judges)], len(months)),
                      "month": np.tile(months, n_judges), "completions": y.ravel(), "bite": 0.0, "court": "A"})
    d["fiscal_year"] = d["month"].dt.year + (d["month"].dt.month >= 10)
    d["fiscal_month"] = ((d["month"].dt.month + 2) % 12) + 1
    d["completions_dispositive"] = d["completions"]
    out = pressure.gap_to_path(d)
    np.testing.assert_allclose(out.sort_values(["ij_code", "month"])["gap_share_lag"].to_numpy(), lag.ravel())
    return out


def test_gap_design_mechanical_slope_and_quota_change():
    est = cl.gap_design(cl.design_panel(_sim_gap(0.6, seed=4), require_bite=False)).set_index("term")
    q = est.loc["gap_share_lag:quota"]
    assert q["ci_low"] <= 0.6 <= q["ci_high"]
    # no behavioural response before the quota, yet the within-judge-year slope is positive: the mechanical bias
    assert est.loc["gap_share_lag", "estimate"] > 0 and est.loc["gap_share_lag", "ci_low"] > 0
    null = cl.gap_design(cl.design_panel(_sim_gap(0.0, seed=5), require_bite=False)).set_index("term")
    assert null.loc["gap_share_lag:quota", "ci_low"] <= 0 <= null.loc["gap_share_lag:quota", "ci_high"]


def test_placebo_bite_is_the_codebook_pace_on_another_window():
    d = _panel({"A": ("2014-10-01", "2016-09-01", 50), "B": ("2015-10-01", "2016-09-01", 40)})
    pb = cl.placebo_bite(d, (2015, 2016)).set_index("ij_code")
    assert pb.loc["A", "pace_placebo"] == pytest.approx(600.0) and pb.loc["A", "bite_placebo"] == pytest.approx(100 / 700)
    assert pb.loc["B", "pace_placebo"] == pytest.approx(480.0)


# --------------------------------------------------------------------------------------------- pressure measures

def test_bite_by_and_terciles():
    judges = pd.DataFrame({"ij_code": list("ABCDEF"), "pace": [900, 800, 700, 650, 500, 400],
                           "bite": [0, 0, 0, 50 / 700, 200 / 700, 300 / 700], "pace_band": ["700_plus"] * 3
                           + ["560_to_699", "below_560", "below_560"], "home_court": list("XXXYYY")})
    by = cl.bite_by(judges, "home_court").set_index("home_court")
    assert by.loc["X", "share_with_bite"] == 0 and by.loc["Y", "share_with_bite"] == 1
    assert by.loc["Y", "mean_pace"] == pytest.approx((650 + 500 + 400) / 3)
    t = cl.bite_terciles(judges)
    assert t["A"] == "T1 low bite" and t["F"] == "T3 high bite" and t["D"] == "T2"


def test_residualised_pace_removes_the_docket_gradient():
    rng = np.random.default_rng(6)
    n = 60
    det = rng.uniform(0, 0.6, n)
    asy = rng.uniform(0, 0.5, n)
    pace = 900 - 500 * det - 300 * asy + rng.normal(0, 20, n)
    prof = pd.DataFrame({"ij_code": [f"J{k}" for k in range(n)], "pace": pace, "bite": np.maximum(0, 700 - pace) / 700,
                         "detained_share_pre": det, "asylum_share_pre": asy})
    out, est = cl.residualised_pace(prof)
    b = est.set_index("term")["estimate"]
    assert b["detained_share_pre"] == pytest.approx(-500, abs=60) and b["asylum_share_pre"] == pytest.approx(-300, abs=60)
    assert abs(np.corrcoef(out["pace_resid"], det)[0, 1]) < 1e-8
    assert out["pace_resid"].mean() == pytest.approx(pace.mean())
    np.testing.assert_allclose(out["bite_resid"], np.maximum(0, 700 - out["pace_resid"]) / 700)
    r = cl.docket_correlations(prof).set_index(["measure", "docket_share"])["correlation"]
    assert r[("pace", "detained_share_pre")] < -0.5


def test_gap_paths_average_by_fiscal_month():
    d = _panel({"A": ("2014-10-01", "2015-09-01", 50), "B": ("2014-10-01", "2015-09-01", 70)})
    p = cl.gap_paths(d, fy_groups={"FY2015": (2015, 2015)})
    sept = p[p["fiscal_month"] == 12].iloc[0]
    assert sept["mean_gap_share"] == pytest.approx(((700 - 600) + (700 - 840)) / 2 / 700)
    assert sept["share_behind"] == 0.5 and sept["judge_years"] == 2
    ex = cl.example_path(d, "A", 2015)
    assert ex["gap_cases"].iloc[-1] == pytest.approx(100) and ex["gap_cases_lag"].iloc[0] == 0
    assert cl.pick_example_judge(cl.judge_years(d), 2015) in {"A", "B"}


# --------------------------------------------------------------------------------------------- synthetic releases

def _planted(derived, outcome: str, term: str) -> float:
    """Planted coefficient (coefficient × the share of the effect in force in the period), truth/effects_truth.csv."""
    table = common.truth_table(derived).set_index(["outcome", "term"])["planted_coefficient"]
    return float(table[(outcome, term)])


@pytest.fixture(scope="module")
def sample_jm(sample_derived):
    return datasets.load(sample_derived, "judge_month")


@pytest.fixture(scope="module")
def placebo_jm(placebo_derived):
    return datasets.load(placebo_derived, "judge_month")


def test_first_stage_recovers_the_planted_completions_effect(sample_derived, sample_jm):
    """Poisson first stage: the 95% interval of bite:quota covers the planted log-count coefficient (1.0 by default).

    Tolerance: none beyond the interval. The planted coefficient acts on each judge's monthly completion budget;
    completions also depend on the docket (budgets not filled), which can only pull the estimate towards zero.
    """
    est = cl.first_stage(cl.design_panel(sample_jm)).set_index("term")
    truth = _planted(sample_derived, "completions", "bite:quota")
    assert truth > 0
    assert est.loc["bite:quota", "ci_low"] <= truth <= est.loc["bite:quota", "ci_high"]
    es = cl.first_stage_event(cl.design_panel(sample_jm)).set_index("rel_period")
    for k in (0, 1, 2):                                     # FY2019-FY2021, fully under the quota
        assert es.loc[k, "ci_low"] <= truth <= es.loc[k, "ci_high"], k


def test_gap_design_on_the_sample_release(sample_derived, sample_jm):
    """D3 quota term against the planted gap coefficient (0.3 by default), with a stated tolerance.

    Tolerance: |estimate - planted| < 0.25 on the log scale, and the interval above zero, instead of interval
    coverage. The design's placebo (the pre-quota slope on the lagged gap) removes the mechanical within-year
    slope only approximately once completions react to the gap: the lagged gap then feeds back into later months
    differently from pre-quota years (a dynamic-panel bias that differs by period), and the COVID-19 months open
    large gaps. Measured on two seeds of the default sample release: 0.36 and 0.50 for a planted 0.30.
    """
    est = cl.gap_design(cl.design_panel(sample_jm, require_bite=False)).set_index("term")
    truth = _planted(sample_derived, "completions", "gap_share_lag:quota")
    q = est.loc["gap_share_lag:quota"]
    assert q["ci_low"] > 0
    assert abs(q["estimate"] - truth) < 0.25


def test_placebo_release_shows_no_first_stage(placebo_derived, placebo_jm):
    assert _planted(placebo_derived, "completions", "bite:quota") == 0
    est = cl.first_stage(cl.design_panel(placebo_jm)).set_index("term")
    for t in ("bite:quota", "bite:announce", "bite:post_suspension"):
        assert est.loc[t, "ci_low"] <= 0 <= est.loc[t, "ci_high"], t


def test_placebo_gap_design_is_small_next_to_the_planted_effect(placebo_jm):
    """The lagged-gap first stage on the placebo release is a small fraction of the default planted coefficient
    (0.3 on log completions; measured on the placebo: 0.04): judges behind the path catch up a little by mean
    reversion alone."""
    gap = cl.gap_design(cl.design_panel(placebo_jm, require_bite=False)).set_index("term")
    est = gap.loc["gap_share_lag:quota", "estimate"]
    assert abs(est) < 0.25 * load_effects("default").get("completions", "gap_share"), est


@pytest.mark.xfail(strict=True, reason=(
    "known weakness, measured: the lagged gap is built from the judge's own past completions, so on the placebo "
    "release (seed 20181002) mean reversion gives a small positive coefficient (about 0.04 on log "
    "completions) whose clustered interval excludes zero. The validation study measures it over many seeds."))
def test_placebo_gap_interval_covers_zero(placebo_jm):
    gap = cl.gap_design(cl.design_panel(placebo_jm, require_bite=False)).set_index("term")
    assert gap.loc["gap_share_lag:quota", "ci_low"] <= 0 <= gap.loc["gap_share_lag:quota", "ci_high"]


@pytest.mark.parametrize("which", ["sample", "placebo"])
def test_mean_reversion_placebo_covers_zero(which, sample_jm, placebo_jm):
    est = cl.placebo_first_stage(sample_jm if which == "sample" else placebo_jm)
    assert est["ci_low"].iat[0] <= 0 <= est["ci_high"].iat[0]


def test_judge_years_on_the_sample_release(sample_jm):
    jy = cl.judge_years(sample_jm)
    assert jy["fiscal_year"].max() == 2024                    # data cut 31 Dec 2024: FY2025 is incomplete
    assert (jy["bench_months"].between(1, 12)).all() and jy["full_year"].any()
    shares = cl.target_shares(jy)
    assert shares[["share_700", "share_560"]].stack().between(0, 1).all()
    assert (shares["share_560"] >= shares["share_700"]).all()
