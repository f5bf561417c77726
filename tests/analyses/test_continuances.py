"""helpers.analyses.continuances: definitions on hand-built frames, the cell-level LPM against row-level OLS, and
recovery of the generator's planted effects on the sample release (none on the placebo release).

Tolerances. An LPM with fixed effects estimates a variance-weighted average of the observation-level slopes, not
exactly the average marginal effect (AME) the generator reports, and the logit leaves out covariates of the planted
model (the request's stage, earlier grants), which attenuates it a little (non-collapsibility); both gaps are small
next to the standard errors at sample scale.

Intervals. The LPM designs report leave-one-judge-out (jackknife) errors, and the tests check that their 95%
interval covers the planted AME. The logits report the one-step leave-one-judge-out jackknife
(``helpers.models.fixest.one_step_jackknife``) and the tests check their own 95% interval too. CRV1 errors were too
narrow here: 37 judges have a defined bite on the sample release, about half of them bite > 0, a handful carrying
most of it (the jackknife errors are about twice the CRV1 ones, and the models' own simulation measured 90% CRV1
coverage at 40 judges); with CRV1 a 95% logit check failed on one realization of the generator (motion logit -0.88,
CRV1 SE 0.53, planted -2). Such checks still reject a wrong estimand: counting respondent no-shows as requests gave
-0.152 (SE 0.022) against a planted -0.082 on an earlier realization. The tests do not ask for power.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import datasets
from helpers.analyses import common
from helpers.analyses import continuances as cont
from helpers.models import ModelInputError, feols
from helpers.synth.effects import load_effects


# --------------------------------------------------------------------------------------------- helpers

def effects_truth(derived: Path) -> pd.DataFrame:
    """The planted effects of a fixture release (``truth/effects_truth.csv``, copied into the processed folder)."""
    t = common.truth_table(derived)
    assert t is not None, f"{derived}: a synthetic release without its truth tables"
    return t


def one(est: pd.DataFrame, term: str, outcome: str, design: str | None = None) -> pd.Series:
    sel = (est["term"] == term) & (est["outcome"] == outcome)
    if design:
        sel &= est["design"].str.contains(design, regex=False)
    assert sel.sum() == 1, f"expected one row for {term} / {outcome} / {design}, got {int(sel.sum())}"
    return est[sel].iloc[0]


def covers(r: pd.Series, value: float, level: float | None = None) -> bool:
    """``value`` lies within the reported 95% interval (``level=None``) or within the ``level`` interval built
    from the reported standard error (normal quantiles: used for the logits, see the module docstring)."""
    if level is None:
        return bool(r["ci_low"] <= value <= r["ci_high"])
    return bool(abs(r["estimate"] - value) <= stats.norm.ppf(0.5 + level / 2) * r["std_error"])


def _judges() -> pd.DataFrame:
    return pd.DataFrame({"ij_code": ["A", "B", "C"], "bite": [0.2, 0.0, np.nan], "bite_cases": [140.0, 0.0, np.nan],
                         "pace": [560.0, 800.0, np.nan], "pace_band": ["560_to_699", "700_plus", None],
                         "denial_rate_pre": [0.5, 0.6, np.nan], "stringency_rel": [0.0, 0.1, np.nan],
                         "pre_months": [24, 24, 3]})


def _judge_month() -> pd.DataFrame:
    months = pd.date_range("2016-10-01", "2020-09-01", freq="MS")
    rows = [{"ij_code": j, "month": m, "gap_share_lag": 0.01 * i, "gap_cases_lag": 7.0 * i}
            for j in ("A", "B", "C") for i, m in enumerate(months)]
    return pd.DataFrame(rows)


def _hearings() -> pd.DataFrame:
    d = pd.to_datetime(["2017-01-10", "2017-02-14", "2019-03-05", "2019-09-20", "2019-11-04", "2019-11-05",
                        "2019-11-06", "2012-05-01", "2019-11-07"])
    h = pd.DataFrame({
        "idnschedule": range(1, 10), "adj_date": d,
        "ij_code": ["A", "A", "A", "B", "B", "C", None, "A", "B"],
        "court": ["X"] * 9,
        "party": ["respondent", "respondent", "dhs", "ij_court", "operational", "respondent", "respondent",
                  "respondent", "unattributed"],
        "continued": [True, True, True, True, True, True, True, True, None],
        "adj_rsn": ["02", "11", "03", "13", "18", "02", "02", "02", "ZZ"],
    })
    h["fiscal_year"] = h["adj_date"].dt.year + (h["adj_date"].dt.month >= 10)
    h["month"] = h["adj_date"].dt.to_period("M").dt.start_time
    h["week"] = (h["adj_date"] - pd.to_timedelta(h["adj_date"].dt.day_of_week, unit="D")).dt.normalize()
    return h


# --------------------------------------------------------------------------------------------- definitions

def test_season_columns_mark_the_last_weeks_of_september_and_of_quarters():
    dates = pd.Series(pd.to_datetime(["2019-09-03", "2019-09-02", "2019-12-31", "2019-12-02", "2020-03-15",
                                      "2019-10-31", "2020-06-30"]))
    s = cont.season_columns(dates, weeks=4)
    # 3 Sep is 27 days before the month's end (< 28): inside; 2 Sep is 28 days before: outside
    assert s["fy_end"].tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert s["quarter_end"].tolist() == [0, 0, 1, 0, 1, 0, 1]
    assert cont.season_columns(dates, weeks=1)["quarter_end"].tolist() == [0, 0, 1, 0, 0, 0, 1]


def test_law_change_windows_follow_the_dates():
    d = pd.Series(pd.to_datetime(["2017-07-30", "2017-07-31", "2018-03-29", "2018-03-30", "2018-08-16",
                                  "2018-09-30", "2018-10-01", "2021-01-08", "2021-10-19"]))
    w = cont.law_change_columns(d)
    assert w["oppm_window"].tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert w["labr_window"].tolist() == [0, 0, 0, 0, 1, 1, 0, 0, 0]
    assert w["pm_21_13"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert cont.covid_rows(pd.Series(pd.to_datetime(["2020-03-15", "2020-03-16", "2021-06-30", "2021-07-01"]))).tolist() \
        == [False, True, True, False]


def test_hearing_frame_outcomes_and_row_accounting():
    h = cont.hearing_frame(_hearings(), _judges(), _judge_month(), fy_min=2014, fy_max=2024)
    ex = dict(zip(*cont.exclusion_table(h).T.values))
    assert ex == {"rows_in": 9, "no_date": 0, "outside_window_or_court": 1, "no_judge": 1, "judge_without_bite": 1,
                  "no_judge_month_gap": 0, "rows_used": 6, "unattributed_codes_kept_as_0": 1}
    h = h.set_index("idnschedule")
    assert h[cont.OUTCOME].to_dict() == {1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 0.0, 9: 0.0}   # 11 = no-show
    assert h[f"{cont.OUTCOME}_any"].to_dict() == {1: 1.0, 2: 1.0, 3: 0.0, 4: 0.0, 5: 0.0, 9: 0.0}
    assert h["adjourned_dhs"].sum() == 1 and h.loc[3, "adjourned_dhs"] == 1
    assert h.loc[4, "adjourned_ij_court"] == 1 and h.loc[5, "adjourned_operational"] == 1
    assert h.loc[4, "fy_end"] == 1 and h.loc[4, "quota"] == 1 and h.loc[1, "quota"] == 0
    # the lagged gap of the hearing's judge-month, and the judge's bite
    assert h.loc[3, "gap_share_lag"] == pytest.approx(0.01 * 29)   # Mar 2019 is month 29 after Oct 2016
    assert h.loc[1, "bite"] == 0.2 and h.loc[4, "bite"] == 0.0
    assert (h["judge"] == h["ij_code"]).all()


def test_hearing_cells_sum_the_rows_of_each_judge_court_day():
    rows = _hearings()
    rows = pd.concat([rows, rows.iloc[[0, 3]].assign(idnschedule=[10, 11], party="dhs", adj_rsn="03")],
                     ignore_index=True)          # two days with two hearings each
    h = cont.hearing_frame(rows, _judges(), _judge_month(), fy_min=2014, fy_max=2024)
    c = cont.hearing_cells(rows, _judges(), _judge_month(), fy_min=2014, fy_max=2024)
    assert c.attrs["exclusions"] == h.attrs["exclusions"]
    assert len(c) == len(h) - 2 and cont.n_cases(c) == len(h) == cont.n_cases(h)
    outcomes = [cont.OUTCOME, f"{cont.OUTCOME}_any", *(f"adjourned_{p}" for p in cont.CHECK_PARTIES)]
    by_day = h.groupby(["ij_code", "adj_date"])[outcomes].mean()
    got = c.set_index(["ij_code", "adj_date"])[outcomes]
    pd.testing.assert_frame_equal(got.sort_index(), by_day.sort_index(), check_dtype=False)
    assert c.set_index(["ij_code", "adj_date"]).loc[("A", pd.Timestamp("2017-01-10")), cont.OUTCOME] == 0.5
    for col in ("fy_end", "quota", "covid", "bite", "gap_share_lag", "court_week", "judge_fy"):
        left = c.set_index(["ij_code", "adj_date"])[col].astype(str).sort_index()
        right = h.groupby(["ij_code", "adj_date"])[col].first().astype(str).sort_index()
        assert (left.to_numpy() == right.to_numpy()).all(), col
    one_court = cont.hearing_cells(rows, _judges(), _judge_month(), court="Y")
    assert one_court.attrs["exclusions"]["outside_window_or_court"] == len(rows) and len(one_court) == 0
    with pytest.raises(ModelInputError, match="adj_rsn"):
        cont.hearing_cells(rows.drop(columns="adj_rsn"), _judges(), _judge_month())


def test_se_auto_is_the_jackknife_below_100_judges():
    few = pd.DataFrame({"judge": [f"J{i}" for i in range(99)]})
    many = pd.DataFrame({"judge": [f"J{i}" for i in range(100)]})
    assert cont.resolve_se("auto", few) == "jackknife" and cont.resolve_se("auto", many) == "crv1"
    assert cont.resolve_se("jackknife", many) == "jackknife" and cont.resolve_se("crv1", few) == "crv1"
    with pytest.raises(ModelInputError, match="se must be"):
        cont.resolve_se("CRV3", few)


def test_hearing_frame_names_missing_columns():
    with pytest.raises(ModelInputError, match="adj_rsn"):
        cont.hearing_frame(_hearings().drop(columns="adj_rsn"), _judges(), _judge_month())


def test_motion_frame_keeps_decided_respondent_motions():
    d = pd.to_datetime(["2019-01-10", "2019-02-10", "2019-03-10", "2019-04-10", "2019-05-10"])
    m = pd.DataFrame({"idnmotion": range(5), "ij_code": ["A", "A", "B", "A", "C"], "court": "X",
                      "decision_date": d, "filing_party": ["respondent", "respondent", "dhs", "respondent", "respondent"],
                      "decided": [True, True, True, False, True], "granted": [True, False, True, None, True]})
    m["fiscal_year"] = (d.year + (d.month >= 10)).astype("float64")
    m["month"] = d.to_period("M").start_time
    f = cont.motion_frame(m, _judges(), _judge_month())
    assert f["idnmotion"].tolist() == [0, 1]
    assert f[cont.MOTION_OUTCOME].tolist() == [1.0, 0.0]
    ex = dict(zip(*cont.exclusion_table(f).T.values))
    assert ex["filed_by_other_or_unknown_than_respondent"] == 1 and ex["undecided"] == 1
    assert ex["judge_without_bite"] == 1 and ex["rows_used"] == 2


def test_bite_groups_bands():
    g = cont.bite_groups(pd.Series([0.0, 0.05, 0.1, 0.11]))
    assert g.tolist() == ["bite 0", "bite 0–0.1", "bite 0–0.1", "bite > 0.1"]


# --------------------------------------------------------------------------------------------- estimation

def _simulated(seed: int = 7, judges: int = 30, effect: float = -0.1) -> pd.DataFrame:
    """Hearings of ``judges`` judges in 3 courts over FY2015-FY2022, with a planted bite x quota effect."""
    rng = np.random.default_rng(seed)
    bite = np.where(rng.random(judges) < 0.5, 0.0, rng.uniform(0, 0.4, judges))
    court = rng.integers(0, 3, judges)
    weeks = pd.date_range("2014-10-06", "2022-09-26", freq="W-MON")
    j = rng.integers(0, judges, 40_000)
    w = weeks[rng.integers(0, len(weeks), 40_000)]
    df = pd.DataFrame({"ij_code": [f"J{k}" for k in j], "court": [f"C{court[k]}" for k in j], "bite": bite[j],
                       "adj_date": w, "week": w})
    df = pd.concat([df, common.policy_dummies(df["adj_date"]).drop(columns="period")], axis=1)
    df["fiscal_year"] = df["adj_date"].dt.year + (df["adj_date"].dt.month >= 10)
    df["rel_quarter"] = common.rel_quarter(df["adj_date"]).astype("int64")
    p = 0.25 + 0.05 * rng.standard_normal(judges)[j] + effect * df["bite"] * df["quota"]
    df["y"] = (rng.random(len(df)) < p).astype("float64")
    df["judge"] = df["ij_code"]
    df["court_week"] = df["court"] + "_" + df["week"].dt.strftime("%Y-%m-%d")
    df["court_quarter"] = df["court"] + "_" + df["adj_date"].dt.to_period("Q-SEP").astype(str)
    return df


def test_cell_lpm_equals_row_level_ols():
    df = _simulated()
    terms = ["bite:quota", "bite:announce", "bite:post_suspension"]
    cells = cont.lpm(df, "y", terms, "judge + court_week")
    rows = feols(df, f"y ~ {' + '.join(terms)} | judge + court_week", {"CRV1": "judge"}, fixef_rm="none")
    m = cells.set_index("term").loc[terms]
    r = rows.set_index("term").loc[terms]
    np.testing.assert_allclose(m["estimate"], r["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(m["std_error"], r["std_error"], rtol=1e-7)
    assert (m["n_obs"] == len(df)).all() and (m["scale"] == "probability").all()
    assert covers(m.loc["bite:quota"], -0.1)


def test_cell_jackknife_equals_leave_one_judge_out_on_rows():
    df = _simulated(judges=15)
    terms = ["bite:quota", "bite:announce", "bite:post_suspension"]
    jk = cont.lpm(df, "y", terms, "judge + court_week", se="jackknife").set_index("term").loc[terms]
    judges = sorted(df["judge"].unique())
    draws = np.vstack([feols(df[df["judge"] != j], f"y ~ {' + '.join(terms)} | judge + court_week", "iid",
                             fixef_rm="none", min_clusters=1).set_index("term").loc[terms, "estimate"].to_numpy()
                       for j in judges])
    g = len(judges)
    se = np.sqrt((g - 1) / g * ((draws - draws.mean(axis=0)) ** 2).sum(axis=0))
    np.testing.assert_allclose(jk["std_error"], se, rtol=1e-8)
    crv1 = cont.lpm(df, "y", terms, "judge + court_week").set_index("term").loc[terms]
    np.testing.assert_allclose(jk["estimate"], crv1["estimate"], atol=1e-12)
    assert (jk["model"] == "lpm_cells/jackknife").all()
    half = stats.t.ppf(0.975, g - 1) * jk["std_error"]
    np.testing.assert_allclose(jk["ci_high"] - jk["estimate"], half, rtol=1e-10)
    with pytest.raises(ModelInputError, match="se must be"):
        cont.lpm(df, "y", terms, "judge + court_week", se="bootstrap")


def test_event_study_has_reference_row_and_a_testable_covariance():
    df = _simulated(effect=0.0)
    es = cont.quarter_event_study(df, "y", ref=-3, lo=-8, hi=8)
    assert es["reference"].sum() == 1 and es.loc[es["reference"], "estimate"].iloc[0] == 0.0
    assert es.loc[es["reference"], "rel_period"].iloc[0] == -3
    assert es["rel_period"].tolist() == sorted(es["rel_period"].tolist()) == list(range(-8, 9))
    assert es.loc[~es["reference"], "term"].str.fullmatch(r"bite:rel_q\[-?\d+\]").all()
    pre = cont.event_pretrend(es, -3)
    assert int(pre["df"].iloc[0]) == 5            # quarters -8 .. -4
    assert 0.0 <= pre["p_value"].iloc[0] <= 1.0
    with pytest.raises(ModelInputError, match="reference quarter"):
        cont.quarter_event_study(df, "y", ref=-30, lo=-8, hi=8)


def test_try_design_reports_instead_of_raising():
    df = _simulated(judges=6)
    est = common.try_design("small", cont.bite_did, df, "y", fe="judge + court_week")
    assert est.empty and "only 6 cluster" in est.attrs["skipped"]
    assert est.attrs["skipped"].startswith("small: not estimated on these data: ")
    assert list(est.columns[:10]) == ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs",
                                      "n_clusters", "model", "outcome"]
    assert common.describe(est, "bite:quota") == "not estimated on these data"


def test_describe_builds_the_sentence_from_the_row():
    est = pd.DataFrame({"term": ["bite:quota"], "outcome": ["y"], "estimate": [-0.0843], "ci_low": [-0.1144],
                        "ci_high": [-0.0543], "truth": [-0.0813], "design": ["D2"]})
    assert common.describe(est, "bite:quota", outcome="y") == \
        "-0.084 (95% CI -0.114 to -0.054); planted -0.081, inside the interval"
    assert common.truth_of(est, "bite:quota", outcome="y") == pytest.approx(-0.0813)


def test_observed_vs_true_from_hand_counts():
    t = pd.DataFrame({"judge_code": ["A", "A", "B"], "fiscal_year": [2019, 2019, 2019],
                      "requests": [10, 0, 20], "granted": [6, 0, 18], "denied": [4, 0, 2],
                      "motions_co_respondent_granted": [2, 0, 1], "motions_co_respondent_denied": [1, 0, 0],
                      "hearings": [50, 0, 100], "adjourned_respondent": [8, 0, 20], "denied_unrecorded": [3, 0, 2]})
    t = t.iloc[[0, 2]]
    out = cont.observed_vs_true(t, _judges()).set_index("bite_group")
    a, b = out.loc["bite > 0.1"], out.loc["bite 0"]
    assert a["true_grant_rate"] == pytest.approx(0.6) and a["motion_grant_rate"] == pytest.approx(2 / 3)
    assert a["recorded_share"] == pytest.approx(0.3) and a["denials_unrecorded_share"] == pytest.approx(0.75)
    assert b["denials_unrecorded_share"] == pytest.approx(1.0) and b["adjourned_respondent_per_hearing"] == pytest.approx(0.2)


# --------------------------------------------------------------------------------------------- recovery

def _frames(derived, cells: bool = True):
    """Hearings as the notebook builds them (judge-court-day cells from DuckDB, ``cells=True``) or as hearing rows,
    and the decided respondent motions."""
    judges = datasets.load(derived, "judges")
    jm = datasets.load(derived, "judge_month")
    if cells:
        h = cont.hearing_cells(derived, judges, jm, fy_min=2014, fy_max=2024)
    else:
        h = cont.hearing_frame(datasets.load(derived, "hearings", columns=cont.HEARING_COLUMNS), judges, jm,
                               fy_min=2014, fy_max=2024)
    m = cont.motion_frame(datasets.load(derived, "continuance_motions"), judges, jm, fy_min=2014, fy_max=2024)
    return h, m


@pytest.fixture(scope="module")
def sample_estimates(sample_derived):
    h, m = _frames(sample_derived)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cont.headline_designs(h, m)
    return common.with_truth(est, effects_truth(sample_derived)), est.attrs["notes"]


@pytest.fixture(scope="module")
def placebo_estimates(placebo_derived):
    h, m = _frames(placebo_derived)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cont.headline_designs(h, m)


def test_sample_hearing_design_recovers_the_planted_ame(sample_estimates):
    est, notes = sample_estimates
    assert notes == []
    r = one(est, "bite:quota", cont.OUTCOME, "D2")
    assert r["scale"] == "probability" and not np.isnan(r["truth"])
    assert covers(r, r["truth"]), r[["estimate", "ci_low", "ci_high", "truth"]].to_dict()


def test_sample_gap_design_covers_the_planted_ame(sample_estimates):
    est, _ = sample_estimates
    r = one(est, "gap_share_lag:quota", cont.OUTCOME)
    assert covers(r, r["truth"]), r[["estimate", "ci_low", "ci_high", "truth"]].to_dict()


def test_sample_motion_designs_recover_ame_and_coefficient(sample_estimates):
    est, _ = sample_estimates
    lpm = one(est, "bite:quota", cont.MOTION_OUTCOME, "LPM")
    logit = one(est, "bite:quota", cont.MOTION_OUTCOME, "logit")
    assert lpm["scale"] == "probability" and logit["scale"] == "log-odds"
    assert covers(lpm, lpm["truth"]), lpm[["estimate", "ci_low", "ci_high", "truth"]].to_dict()
    assert logit["truth"] == load_effects("default").get("continuance_grant", "bite")   # the sample release's
    assert logit["model"] == "feglm_logit_cells/CRV3 (one-step)"
    assert covers(logit, logit["truth"]), logit[["estimate", "ci_low", "ci_high", "truth"]].to_dict()


def test_placebo_intervals_cover_zero(placebo_estimates):
    est = placebo_estimates
    for outcome, design, level in ((cont.OUTCOME, "D2", None), (cont.MOTION_OUTCOME, "LPM", None),
                                   (cont.MOTION_OUTCOME, "logit", None)):
        r = one(est, "bite:quota", outcome, design)
        assert covers(r, 0.0, level), (outcome, design, r[["estimate", "ci_low", "ci_high"]].to_dict())


@pytest.mark.xfail(strict=True, reason=(
    "known weakness, measured: on the placebo release (seed 20181002) the lagged-gap design rejects zero for "
    "respondent adjournments: a judge who adjourned more fell behind the 700 path, and the adjournment rate reverts "
    "(the gap is built from the judge's own past output). The validation study measures its false-positive rate "
    "over many seeds; notebook 05 presents the gap design as secondary for this reason."))
def test_placebo_gap_interval_covers_zero(placebo_estimates):
    assert covers(one(placebo_estimates, "gap_share_lag:quota", cont.OUTCOME), 0.0)


def test_tiny_release_says_what_cannot_be_estimated(tiny_derived):
    h, m = _frames(tiny_derived)
    est = cont.headline_designs(h, m)
    assert est.empty or set(est["outcome"]) <= {cont.OUTCOME, cont.MOTION_OUTCOME}
    assert all("not estimated on these data" in n for n in est.attrs["notes"])
    rob = cont.robustness_designs(h, datasets.load(tiny_derived, "judges"))
    assert rob.empty or (rob["term"] == "bite:quota").all()


def test_window_without_a_period_drops_its_terms_instead_of_failing():
    df = _simulated()
    short = df[df["fiscal_year"] <= 2021]
    short = short[short["adj_date"] < "2021-10-19"]
    assert common.periods_in(short) == ["announce", "quota"]
    est = cont.bite_did(short, "y", fe="judge + court_week")
    assert est["term"].tolist() == ["bite:quota", "bite:announce"]
    short = short.assign(fy_end=cont.season_columns(short["adj_date"])["fy_end"].to_numpy(),
                         quarter_end=cont.season_columns(short["adj_date"])["quarter_end"].to_numpy(),
                         judge_fy=short["judge"] + "_" + short["fiscal_year"].astype(str))
    assert "fy_end:post_suspension" not in set(cont.season_design(short, "y")["term"])


# --------------------------------------------------------------------------------------------- regression: lean frames

def reference_rows(df, judges, judge_month, date_col, fy_min, fy_max):
    """The straightforward preparation the lean :func:`cont.prepare_rows` must reproduce: boolean filters, pandas
    merges of the judge and judge-month pressure, string fixed-effect ids (``add_design_columns``' default)."""
    d = df[df[date_col].notna() & df["fiscal_year"].between(fy_min, fy_max) & df["ij_code"].notna()]
    if "month" not in d.columns:
        d = d.assign(month=pd.to_datetime(d[date_col]).dt.to_period("M").dt.start_time)
    if "week" not in d.columns and date_col == "adj_date":
        dd = pd.to_datetime(d[date_col])
        d = d.assign(week=(dd - pd.to_timedelta(dd.dt.day_of_week, unit="D")).dt.normalize())
    cols = [c for c in ("ij_code", "bite", "bite_cases", "pace", "pace_band", "denial_rate_pre", "stringency_rel")
            if c in judges.columns]
    d = d.merge(judges[cols], on="ij_code", how="left", validate="many_to_one")
    jm = judge_month[["ij_code", "month", "gap_share_lag", "gap_cases_lag"]].assign(
        month=pd.to_datetime(judge_month["month"]))
    d = d.assign(_m=pd.to_datetime(d["month"])).merge(jm.rename(columns={"month": "_m"}), on=["ij_code", "_m"],
                                                      how="left", validate="many_to_one").drop(columns="_m")
    d = d[d["bite"].notna() & d["gap_share_lag"].notna()].reset_index(drop=True)
    d = common.add_design_columns(d, date_col)
    d["judge"] = d["ij_code"].astype(str)
    return d


def reference_lpm(frame, outcome, terms, fe):
    """Row-level-equivalent LPM on string-keyed cells and its leave-one-judge-out jackknife, written out plainly:
    (estimates, jackknife standard errors) of ``terms``."""
    from helpers.models import collapse_for_lpm, lpm_cells

    fml = f"{outcome} ~ {' + '.join(terms)} | {fe}"
    by = list(dict.fromkeys([v for t in terms for v in t.split(":")] + [f.strip() for f in fe.split("+")] + ["judge"]))
    cells = collapse_for_lpm(frame, outcome, by)
    est = lpm_cells(cells, fml, "judge").set_index("term").loc[terms, "estimate"].to_numpy()
    judges = sorted(cells["judge"].unique())
    draws = np.vstack([lpm_cells(cells[cells["judge"] != g], fml, "judge").set_index("term").loc[terms, "estimate"]
                       for g in judges])
    dev = draws - draws.mean(axis=0)
    return est, np.sqrt(np.diag((len(judges) - 1) / len(judges) * dev.T @ dev))


def compare_lpm_designs(est, frame, outcome, fes):
    """Every LPM design of ``est`` (by its fixed effects in ``fes``) equals :func:`reference_lpm` on ``frame``."""
    for fe in fes:
        rows = est[(est["outcome"] == outcome) & est["design"].str.contains("LPM", regex=False)
                   & est["design"].str.contains(fe, regex=False)]
        assert len(rows), (outcome, fe)
        b, se = reference_lpm(frame, outcome, list(rows["term"]), fe)
        np.testing.assert_allclose(rows["estimate"].to_numpy(), b, rtol=0, atol=1e-10)
        # the reference refits with pyfixest per judge; lpm's draws demean once per judge (jackknife_draws): both
        # stop at a demeaning tolerance of ~1e-8, so the errors agree to ~1e-8 relative, not to the last digit
        np.testing.assert_allclose(rows["std_error"].to_numpy(), se, rtol=1e-7, atol=0)


def test_lean_hearing_frames_reproduce_the_reference_path(sample_derived, sample_estimates):
    """prepare_rows' masks, code lookups and categorical ids give the reference frames' rows and labels, and
    headline_designs the reference estimates (to 1e-10) and jackknife errors (to 1e-7 relative)."""
    judges, jm = datasets.load(sample_derived, "judges"), datasets.load(sample_derived, "judge_month")
    hearings = datasets.load(sample_derived, "hearings", columns=cont.HEARING_COLUMNS + ["month", "week"])
    ref = reference_rows(hearings, judges, jm, "adj_date", 2014, 2024)
    h, m = _frames(sample_derived, cells=False)
    assert len(h) == len(ref)
    for c in ("judge", "court_week", "court_month", "court_quarter", "judge_fy", "bite", "gap_share_lag", "quota",
              "announce", "post_suspension", "period", "rel_quarter"):
        assert (h[c].astype(str).to_numpy() == ref[c].astype(str).to_numpy()).all(), c
    assert (pd.to_datetime(h["week"]) == pd.to_datetime(ref["week"])).all()
    est, _ = sample_estimates
    cont_ = ref["continued"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ref[cont.OUTCOME] = (cont_ & (ref["party"] == "respondent").to_numpy()
                         & ~ref["adj_rsn"].isin(cont.NO_SHOW_CODES).to_numpy()).astype("float64")
    assert (h[cont.OUTCOME].to_numpy() == ref[cont.OUTCOME].to_numpy()).all()
    compare_lpm_designs(est, ref, cont.OUTCOME, [cont.FE_BITE, cont.FE_GAP])
    mref = reference_rows(datasets.load(sample_derived, "continuance_motions").pipe(
        lambda x: x[(x["filing_party"] == "respondent") & x["decided"].astype("boolean").fillna(False)]),
        judges, jm, "decision_date", 2014, 2024)
    mref[cont.MOTION_OUTCOME] = mref["granted"].astype("boolean").astype("float64")
    assert len(m) == len(mref)
    compare_lpm_designs(est, mref, cont.MOTION_OUTCOME, ["judge + court_month"])


def test_hearing_cells_give_the_hearing_rows_estimates(sample_derived):
    """Every design of notebook 05 on judge-court-day cells equals the same design on the hearing rows (the LPMs'
    normal equations and cluster scores are sums over hearings), and so do the shares by quarter."""
    (h, m), (c, _) = _frames(sample_derived, cells=False), _frames(sample_derived)
    assert c.attrs["exclusions"] == h.attrs["exclusions"] and cont.n_cases(c) == len(h) and len(c) < len(h) / 5
    judges = datasets.load(sample_derived, "judges")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {
            "headline": lambda f: cont.headline_designs(f, m, se="crv1"),
            "bite jackknife": lambda f: cont.bite_did(f, se="jackknife"),
            "event study": lambda f: cont.quarter_event_study(f, cont.OUTCOME),
            "season x bite": lambda f: cont.season_design(f, dose="bite"),
            "robustness": lambda f: cont.robustness_designs(f, judges),
            "parties": lambda f: cont.party_breakdown(f),
        }
        for name, fit in fits.items():
            a, b = fit(h), fit(c)
            assert len(a) == len(b) > 0, name
            np.testing.assert_allclose(b["estimate"], a["estimate"], rtol=0, atol=1e-10, err_msg=name)
            np.testing.assert_allclose(b["std_error"], a["std_error"], rtol=1e-7, err_msg=name)
            assert (b["n_obs"].to_numpy() == a["n_obs"].to_numpy()).all(), name
            assert (b["scale"].to_numpy() == a["scale"].to_numpy()).all(), name
    hb, cb = (f.assign(bite_group=cont.bite_groups(f["bite"])) for f in (h, c))
    ra, rb = (cont.rate_by_quarter(f, [cont.OUTCOME, "adjourned_dhs"]) for f in (hb, cb))
    np.testing.assert_allclose(rb[[cont.OUTCOME, "adjourned_dhs"]], ra[[cont.OUTCOME, "adjourned_dhs"]], atol=1e-12)
    assert (ra["n"] == rb["n"]).all()
