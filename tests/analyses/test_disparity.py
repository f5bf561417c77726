"""Judge disparity (helpers.analyses.disparity): hand-computed frames, then the sample and placebo releases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import datasets
from helpers.analyses import common
from helpers.analyses import disparity as dp
from helpers.trac import read_trac_table


# ------------------------------------------------------------------------------------------- hand-made frames

def _asylum(rows):
    """rows: (ij_code, court, decision, date, other_protection_granted)."""
    df = pd.DataFrame(rows, columns=["ij_code", "court", "decision", "decision_date", "other_protection_granted"])
    df["decision_date"] = pd.to_datetime(df["decision_date"])
    df["granted"] = df["decision"] == "grant"
    df["denied"] = df["decision"] == "deny"
    df["trac_decided"] = df["granted"] | df["denied"]
    d = df["decision_date"]
    df["fiscal_year"] = (d.dt.year + (d.dt.month >= 10)).astype("float64")
    df["month"] = d.dt.to_period("M").dt.to_timestamp()
    return df


def test_merits_decisions_keeps_merits_labels_periods_and_counts_judgeless_rows():
    a = _asylum([
        ("J1", "C1", "grant", "2017-05-01", False),
        ("J1", "C1", "deny", "2018-05-01", True),        # announce; denied but withholding granted
        ("J1", "C1", "other", "2019-01-10", False),      # not a merits decision
        ("J2", "C1", "deny", "2019-01-10", False),       # quota
        (None, "C1", "grant", "2019-02-10", False),      # no judge: counted, not used
        ("J2", "C1", "grant", "2021-10-19", False),      # first day after the suspension
        ("J2", "C1", "grant", "2015-01-01", False),      # before FY_MIN
    ])
    d = dp.merits_decisions(a, fy_min=2016, fy_max=2024)
    assert len(d) == 4 and d.attrs["without_judge"] == 1
    assert list(d["period"]) == ["pre", "announce", "quota", "post_suspension"]
    assert list(d["other_relief"]) == [0.0, 1.0, 0.0, 0.0]
    assert list(d["grant"]) == [1.0, 0.0, 0.0, 1.0]


def test_merits_decisions_names_missing_columns():
    with pytest.raises(dp.DisparityInputError, match="missing column.*trac_decided"):
        dp.merits_decisions(pd.DataFrame({"ij_code": [], "court": [], "granted": [], "denied": []}))


def test_judge_rates_counts_and_rates_by_hand():
    a = _asylum([("J1", "C1", "grant", "2019-01-01", False), ("J1", "C1", "deny", "2019-02-01", True),
                 ("J1", "C1", "deny", "2019-03-01", False), ("J1", "C2", "grant", "2019-03-01", False)])
    r = dp.judge_rates(dp.merits_decisions(a)).set_index(["court", "ij_code"])
    j1 = r.loc[("C1", "J1")]
    assert (j1.decisions, j1.grants, j1.denials, j1.other_relief) == (3, 1, 2, 1)
    assert j1.grant_rate == pytest.approx(1 / 3) and j1.other_relief_rate == pytest.approx(1 / 3)
    assert r.loc[("C2", "J1"), "decisions"] == 1          # a judge's decisions in another court stay separate


def _rates(rows, by="period"):
    """rows: (by value, court, judge, decisions, grant_rate)."""
    df = pd.DataFrame(rows, columns=[by, "court", "ij_code", "decisions", "grant_rate"])
    df["grants"] = (df["decisions"] * df["grant_rate"]).round().astype(int)
    return df


def test_court_spread_is_trac_range_plus_iqr_and_noise_corrected_sd():
    rates = _rates([
        ("quota", "A", "j1", 120, 0.10), ("quota", "A", "j2", 200, 0.50), ("quota", "A", "j3", 150, 0.30),
        ("quota", "A", "j4", 90, 0.90),                      # under 100 decisions: not counted
        ("quota", "B", "j5", 300, 0.40),                     # the only qualifying judge of B: court dropped
        ("pre", "A", "j1", 100, 0.20), ("pre", "A", "j2", 100, 0.60),
    ])
    s = dp.court_spread(rates, 100)
    assert list(s["period"]) == ["pre", "quota"]          # time order, not alphabetical
    q = s[s["period"] == "quota"].iloc[0]
    assert q.court == "A" and q.judges == 3
    assert (q.lowest, q.highest, q["range"]) == pytest.approx((0.10, 0.50, 0.40))
    assert (q.q25, q["median"], q.q75, q.iqr) == pytest.approx((0.20, 0.30, 0.40, 0.20))
    assert q.sd_raw == pytest.approx(0.2)
    p = (12 + 100 + 45) / 470
    noise = np.mean([p * (1 - p) / n for n in (120, 200, 150)])
    assert q.sd_noise == pytest.approx(np.sqrt(noise))
    assert q.sd_signal == pytest.approx(np.sqrt(0.04 - noise))
    summ = dp.spread_summary(s).set_index("period")
    assert summ.loc["quota", "median_range"] == pytest.approx(0.40) and summ.loc["pre", "judges"] == 2


def test_court_spread_yearly_threshold_and_empty_result():
    rates = _rates([(2019, "A", "j1", 25, 0.2), (2019, "A", "j2", 24, 0.9), (2019, "A", "j3", 30, 0.6)],
                   by="fiscal_year")
    s = dp.court_spread(rates, 25, by=["fiscal_year"])
    assert s.iloc[0]["judges"] == 2 and s.iloc[0]["range"] == pytest.approx(0.4)
    empty = dp.court_spread(rates, 100, by=["fiscal_year"])
    assert empty.empty and "range" in empty.columns
    assert dp.spread_summary(empty, by=["fiscal_year"]).empty


def test_stayers_need_enough_decisions_in_every_period():
    rates = _rates([("pre", "A", "j1", 100, 0.1), ("quota", "A", "j1", 60, 0.1), ("quota", "B", "j1", 40, 0.1),
                    ("pre", "A", "j2", 150, 0.1), ("quota", "A", "j2", 99, 0.1), ("quota", "A", "j3", 500, 0.1)])
    assert dp.stayers(rates, ("pre", "quota"), 100) == ["j1"]      # j1's quota decisions summed over two courts


def test_shrink_rates_by_hand():
    rates = _rates([("q", "A", "j1", 100, 0.20), ("q", "A", "j2", 100, 0.40), ("q", "A", "j3", 20, 0.90),
                    ("q", "B", "j4", 50, 0.50), ("q", "B", "j5", 50, 0.70)])
    out = dp.shrink_rates(rates).set_index("ij_code")
    m_a = (20 + 40 + 18) / 220
    m_b = 0.6
    assert out.loc["j1", "prior_mean"] == pytest.approx(m_a) and out.loc["j4", "prior_mean"] == pytest.approx(m_b)
    s2 = np.array([m_a * (1 - m_a) / 100, m_a * (1 - m_a) / 100, m_a * (1 - m_a) / 20, 0.24 / 50, 0.24 / 50])
    dev2 = np.array([(0.2 - m_a) ** 2, (0.4 - m_a) ** 2, (0.9 - m_a) ** 2, 0.01, 0.01])
    tau2 = dev2.sum() / (5 - 2) - s2.mean()
    assert out["tau2"].iloc[0] == pytest.approx(tau2)
    w3 = tau2 / (tau2 + s2[2])
    assert out.loc["j3", "weight"] == pytest.approx(w3)
    assert out.loc["j3", "rate_eb"] == pytest.approx(m_a + w3 * (0.9 - m_a))
    assert out.loc["j3", "weight"] < out.loc["j1", "weight"]        # fewer decisions, more shrinkage


def test_shrinkage_check_beats_raw_rates_on_simulated_judges():
    rng = np.random.default_rng(7)
    true = np.clip(rng.normal(0.4, 0.12, 60), 0.02, 0.98)
    n = rng.integers(150, 400, 60)
    k = rng.binomial(n, true)
    rates = pd.DataFrame({"court": np.repeat(["A", "B", "C"], 20), "ij_code": [f"j{i}" for i in range(60)],
                          "decisions": n, "grants": k, "grant_rate": k / n})
    chk = dp.shrinkage_check(rates, n_small=(5, 50), reps=300, seed=1).set_index(["n_small", "estimator"])
    assert chk.loc[(5, "empirical_bayes"), "mse"] < 0.8 * chk.loc[(5, "raw"), "mse"]
    gain5 = chk.loc[(5, "raw"), "mse"] - chk.loc[(5, "empirical_bayes"), "mse"]
    gain50 = chk.loc[(50, "raw"), "mse"] - chk.loc[(50, "empirical_bayes"), "mse"]
    assert gain5 > gain50                                   # shrinkage matters most for the fewest decisions
    assert chk["judges"].iloc[0] == 60 and chk["reps"].iloc[0] == 300


def test_loo_stringency_leaves_the_case_out():
    d = pd.DataFrame({"ij_code": ["a", "a", "a", "b"], "denial": [1.0, 0.0, 1.0, 1.0], "period": "quota"})
    out = dp.loo_stringency(d, min_decisions=2)
    assert list(out["stringency_loo"]) == [0.5, 1.0, 0.5]
    assert out.attrs["dropped_low_volume"] == 1


def test_planted_judge_sd_decomposition_by_hand():
    planted = pd.DataFrame({"judge_code": ["a", "b", "c", "d"], "grant_propensity": [0.0, 1.0, 2.0, 3.0],
                            "bite": [0.0, 0.5, np.nan, 0.5]})
    truth = {"effects": {"coefficients": {"asylum_grant": {"bite": -2.0}},
                         "timing": {"anticipation_share": 0.25, "post_suspension_share": 0.0}}}
    jc = pd.DataFrame({"period": ["pre"] * 4 + ["quota"] * 4, "court": "X", "ij_code": list("abcd") * 2})
    out = dp.planted_judge_sd(planted, truth, jc).set_index("period")
    assert out.loc["pre", "planted_sd"] == pytest.approx(np.sqrt(5 / 3))        # sd of 0, 1, 2, 3
    # quota: e = a - 2*bite (missing bite = no effect) = 0, 0, 2, 2
    assert out.loc["quota", "planted_sd"] == pytest.approx(np.sqrt(4 / 3))
    q = out.loc["quota"]
    assert q.var_propensity + q.var_bite_term + q.cov_term == pytest.approx(q.planted_sd ** 2)
    with pytest.raises(dp.DisparityInputError, match="not in the truth table"):
        dp.planted_judge_sd(planted, truth, jc.assign(ij_code="zz"))


def test_name_key_and_trac_comparison_by_hand():
    keys = dp.name_key(pd.Series(["Smith, John A.", "John A. Smith", "Judge Mary O'Neil", "Madonna", None]))
    assert list(keys) == ["smith j", "smith j", "o'neil m", None, None]
    trac = pd.DataFrame({"court": ["New City", "New City", "Old Town"], "judge": ["Smith, John", "Doe, Jane", "Roe, R."],
                         "decisions": [200, 150, 120], "grant_rate": [0.30, 0.60, 0.10]})
    release = pd.DataFrame({"court": ["NYC", "NYC", "NYC", "OLD"], "judge": ["John Smith", "Doe, Jane", "Doe, Jim", "Lee, K."],
                            "decisions": [190, 150, 130, 300], "percent_granted": [32.0, 60.0, 10.0, 40.0]})
    c = dp.compare_with_trac(trac, release).set_index("judge_trac", drop=False)
    assert c.loc["Smith, John", "status"] == "matched"
    assert c.loc["Smith, John", "grant_rate_difference"] == pytest.approx(-0.02)
    assert c.loc["Smith, John", "decisions_difference"] == 10
    assert c.loc["Doe, Jane", "status"] == "ambiguous"       # 'doe j' is held by two release judges
    assert c.loc["Roe, R.", "status"] == "only_in_trac"
    assert (c["status"] == "only_in_release").sum() == 1


def test_fictional_example_is_labelled_and_readable(repo_root):
    path = repo_root / "data" / "examples" / "trac_judges_example.csv"
    raw = pd.read_csv(path)
    assert raw["Note"].str.contains("FICTIONAL").all()
    t = read_trac_table(path)
    assert t["layout"].iloc[0] == "2022+" and len(t) >= 10
    assert (t["decisions"] < dp.TRAC_MIN_WINDOW).any()        # shows the 100-decision rule at work


# ------------------------------------------------------------------------------------------- generated releases

@pytest.fixture(scope="module")
def sample(sample_derived):
    asylum = datasets.load(sample_derived, "asylum_decisions")
    dec = dp.case_controls(dp.merits_decisions(asylum))
    return {"asylum": asylum, "decisions": dec, "rates": dp.judge_rates(dec),
            "judges": datasets.load(sample_derived, "judges")}


def test_judge_year_counts_equal_the_generators_truth(sample_derived, sample):
    """Grants and denials by judge and fiscal year match truth/asylum.csv exactly (no window, all years)."""
    d = dp.merits_decisions(sample["asylum"], fy_min=None, fy_max=None)
    mine = dp.judge_rates(d, by=["fiscal_year"]).groupby(["ij_code", "fiscal_year"])[["grants", "denials"]].sum()
    t = common.read_truth(sample_derived, "asylum").rename(columns={"judge_code": "ij_code"})
    t = t[t["grants"] + t["denials"] > 0].set_index(["ij_code", "fiscal_year"])[["grants", "denials"]]
    joined = mine.join(t.rename(columns=lambda c: f"{c}_truth"), how="outer")
    assert len(mine) == len(t) > 100
    assert (joined["grants"] == joined["grants_truth"]).all() and (joined["denials"] == joined["denials_truth"]).all()


def test_variance_components_positive_and_near_the_planted_judge_sd(sample_derived, sample):
    dec, rates = sample["decisions"], sample["rates"]
    lpm = dp.judge_variance(dec, method="lpm")
    assert set(lpm["period"]) == set(dp.PERIODS)
    assert (lpm["sd"] > 0.05).all() and (lpm["sd"] < 0.4).all()          # probability scale
    stay = dp.stayers(rates)
    assert len(stay) >= 10
    vb = dp.judge_variance(dec, periods=("pre", "quota"), judges=stay)
    assert (vb["sd_low"] > 0).all() and ((vb["sd_low"] < vb["sd"]) & (vb["sd"] < vb["sd_high"])).all()
    jc = rates[rates["ij_code"].isin(stay) & rates["period"].isin(["pre", "quota"])][["period", "court", "ij_code"]]
    planted = dp.planted_judge_sd(dp.planted_judges(sample_derived), datasets.truth(sample_derived), jc)
    est = dp.variance_estimates(vb, planted)
    assert est["truth"].notna().all()
    # Variational Bayes shrinks judge SDs (helpers.models.bayes_mixed_logit): measured here at 0.71 of the
    # planted SD; we require the estimate to be below the planted SD but no more than 40% below it.
    ratio = est["estimate"] / est["truth"]
    assert ((ratio > 0.6) & (ratio < 1.0)).all(), ratio.tolist()


def test_release_table_round_trips_through_the_trac_reader(tmp_path, sample):
    rates = sample["rates"]
    table = dp.release_trac_table(rates[rates["period"] == "quota"], sample["judges"], period_label="quota")
    assert len(table) >= 10 and (table["decisions"] >= 100).all()
    path = tmp_path / "release.csv"
    table.to_csv(path, index=False)
    back = read_trac_table(path)
    cmp = dp.compare_with_trac(back, table)
    assert set(cmp["status"]) <= {"matched", "ambiguous"}       # every judge found (or flagged as ambiguous)
    matched = cmp[cmp["status"] == "matched"]
    assert len(matched) >= 0.9 * len(table)
    assert matched["grant_rate_difference"].abs().max() <= 0.0005 + 1e-12      # percentages rounded to 0.1
    assert (matched["decisions_difference"] == 0).all()


def test_shrinkage_helps_on_the_sample(sample):
    rates = sample["rates"]
    chk = dp.shrinkage_check(rates[rates["period"] == "quota"], n_small=(5, 10)).set_index(["n_small", "estimator"])
    for n in (5, 10):
        assert chk.loc[(n, "empirical_bayes"), "mse"] < chk.loc[(n, "raw"), "mse"]


@pytest.fixture(scope="module")
def placebo_pre(placebo_derived):
    dec = dp.case_controls(dp.merits_decisions(datasets.load(placebo_derived, "asylum_decisions")))
    return dec[dec["period"] == "pre"]


def test_balance_holds_under_random_assignment_and_fails_when_cases_are_steered(placebo_pre):
    part, covariates = dp.balance_covariates(dp.loo_stringency(placebo_pre))
    assert covariates[:4] == list(dp.BASE_COVARIATES) and len(covariates) == 9
    coefs, test = dp.balance_check(part, covariates)
    perm = dp.balance_permutation_test(part, covariates, reps=199, seed=3)
    assert test["test"].iloc[0] == "balance" and test["df"].iloc[0] == len(coefs) == 9
    # the generator assigns cases at random within court: neither joint test should reject at 1%
    assert test["p_value"].iloc[0] > 0.01 and perm["p_value"].iloc[0] > 0.01
    assert perm["statistic"].iloc[0] == pytest.approx(test["statistic"].iloc[0], rel=0.5)   # same F, other errors
    # steer every detained case of a court to the court's most stringent judge: both tests must see it
    strict = (placebo_pre.groupby(["court", "ij_code"])["denial"].mean().reset_index()
              .sort_values("denial").groupby("court").tail(1).set_index("court")["ij_code"])
    steered = placebo_pre.copy()
    det = steered["detained"] == 1
    steered.loc[det, "ij_code"] = steered.loc[det, "court"].map(strict)
    part2, covariates2 = dp.balance_covariates(dp.loo_stringency(steered))
    coefs2, test2 = dp.balance_check(part2, covariates2)
    assert test2["p_value"].iloc[0] < 0.001
    det_row = coefs2.set_index("term").loc["detained"]
    assert det_row["estimate"] > 0 and det_row["p_value"] < 0.001
    assert dp.balance_permutation_test(part2, covariates2, reps=199, seed=3)["p_value"].iloc[0] == 1 / 200


def test_permutation_test_is_calibrated_on_simulated_random_assignment():
    """Cases dealt at random to judges of different stringency: p-values of the permutation test are uniform."""
    rng = np.random.default_rng(11)
    pvals = []
    for rep in range(40):
        n = 1500
        d = pd.DataFrame({"court": rng.choice(["A", "B"], n), "month": pd.to_datetime("2019-01-01")
                          + pd.to_timedelta(rng.integers(0, 4, n) * 31, unit="D"),
                          "detained": rng.integers(0, 2, n).astype(float), "represented": rng.integers(0, 2, n).astype(float)})
        d["month"] = d["month"].dt.to_period("M").dt.to_timestamp()
        d["ij_code"] = d["court"] + rng.integers(0, 6, n).astype(str)
        strict = pd.Series(rng.uniform(0.2, 0.8, 12), index=[f"{c}{i}" for c in "AB" for i in range(6)])
        d["denial"] = (rng.random(n) < d["ij_code"].map(strict) - 0.1 * d["represented"]).astype(float)
        pvals.append(dp.balance_permutation_test(d, ["detained", "represented"], reps=99, seed=rep)["p_value"].iloc[0])
    pvals = np.array(pvals)
    assert 0.02 <= (pvals < 0.1).mean() <= 0.25 and 0.3 <= np.median(pvals) <= 0.7


def test_small_release_gives_empty_results_not_errors(tiny_derived):
    dec = dp.case_controls(dp.merits_decisions(datasets.load(tiny_derived, "asylum_decisions")))
    rates = dp.judge_rates(dec)
    assert dp.court_spread(rates, 100).empty
    vc = dp.judge_variance(dec, judges=dp.stayers(rates))
    assert vc.empty and set(vc.attrs["skipped"]) == set(dp.PERIODS)
    assert dp.shrinkage_check(rates[rates["period"] == "quota"]).empty
    assert dp.variance_estimates(vc).empty


def test_planted_judges_reads_the_truth_table_beside_the_processed_release(tmp_path):
    import json

    processed, derived = tmp_path / "processed", tmp_path / "derived"
    (processed / "truth").mkdir(parents=True)
    derived.mkdir()
    (processed / "ingest_report.json").write_text("{}")
    (processed / "truth" / "judges.csv").write_text("judge_code,grant_propensity,bite\nNAN,0.5,0.1\n")
    report = {"processed": str(processed), "data_source": "synthetic:tiny:1"}
    (derived / "build_report.json").write_text(json.dumps(report))
    t = dp.planted_judges(derived)
    assert list(t["judge_code"]) == ["NAN"]                                 # a code, not a missing value
    assert t["grant_propensity"].iloc[0] == 0.5
    (derived / "build_report.json").write_text(json.dumps({**report, "data_source": "eoir:2026-01-01"}))
    assert dp.planted_judges(derived) is None                               # real data: no truth
