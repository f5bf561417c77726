"""helpers.analyses.absentia: denominators and outcomes, the Kitagawa decomposition, Cox episodes (entry, exit,
splitting, exclusions) on hand-built data, and, on the sample and placebo releases, recovery of the planted in
absentia effect and the sign of the Cox quota coefficient.

Tolerances as in ``test_continuances``: the LPM (jackknife errors) is compared with the planted average marginal
effect by its 95% interval, the logit (CRV1 errors, too narrow with few judges carrying the bite) with the planted
log-odds coefficient by the 99% interval from its reported error.

Durations: the generator plants no effect on time to completion itself. It plants a rise in high-bite judges'
monthly completions (the first stage, ``completions`` in effects_truth.csv) and in their in absentia orders, so the
Cox coefficient on bite x quota should be positive for any completion and for in absentia exits; its size has no
planted counterpart. Measured on the sample: the placebo release gives positive point estimates of similar size for
any completion (mean reversion of FY2017-FY2018 pace), so the sign check on the planted release is weak evidence;
the placebo test asks that the interval covers zero.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import datasets
from helpers.analyses import absentia as ab
from helpers.analyses import common
from helpers.analyses import continuances as cont
from helpers.models import ModelInputError, cox

from .test_continuances import _judge_month, _judges, covers, effects_truth, one


# --------------------------------------------------------------------------------------------- definitions

def _completions() -> pd.DataFrame:
    d = pd.to_datetime(["2017-01-10", "2019-02-14", "2019-03-05", "2019-09-20", "2019-11-04", "2019-11-05"])
    c = pd.DataFrame({
        "idnproceeding": range(1, 7), "comp_date": d, "ij_code": ["A", "A", "B", "B", "A", "C"], "court": "X",
        "decision_class": ["in_absentia_removal", "removal", "change_of_venue_transfer", "relief_granted",
                           "in_absentia_removal", "removal"],
        "dispositive": [True, True, False, True, True, True],
        "completion_type": ["initial", "initial", "administrative", "initial", "subsequent", "initial"],
        "detained": [False, True, False, False, False, False], "represented": [False, True, True, True, False, True],
        "has_asylum_app": [False, False, True, True, False, False],
    })
    c["fiscal_year"] = c["comp_date"].dt.year + (c["comp_date"].dt.month >= 10)
    c["month"] = c["comp_date"].dt.to_period("M").dt.start_time
    return c


def test_completion_frame_denominators_and_outcomes():
    c = _completions()
    all_ = ab.completion_frame(c, _judges(), _judge_month()).set_index("idnproceeding")
    assert list(all_.index) == [1, 2, 3, 4, 5]                   # judge C has no bite
    assert all_["in_absentia"].tolist() == [1, 0, 0, 0, 1]
    assert all_["removal_order"].tolist() == [1, 1, 0, 0, 1]
    assert all_["merits_removal"].tolist() == [0, 1, 0, 0, 0]
    assert all_["detained"].tolist() == [0, 1, 0, 0, 0]
    disp = ab.completion_frame(c, _judges(), _judge_month(), denominator="dispositive")
    assert disp["idnproceeding"].tolist() == [1, 2, 4, 5] and "in_absentia_dispositive" in disp
    ini = ab.completion_frame(c, _judges(), _judge_month(), denominator="initial")
    assert ini["idnproceeding"].tolist() == [1, 2, 4]
    assert ini["in_absentia_initial"].tolist() == [1, 0, 0]
    assert dict(zip(*cont.exclusion_table(ini).T.values))["not_in_denominator_initial"] == 2
    with pytest.raises(ModelInputError, match="unknown denominator"):
        ab.completion_frame(c, _judges(), _judge_month(), denominator="ICC")


def test_completion_frame_refuses_missing_covariates():
    c = _completions()
    c["represented"] = c["represented"].astype("object")
    c.loc[1, "represented"] = None
    with pytest.raises(ModelInputError, match="'represented' is missing for 1 completion"):
        ab.completion_frame(c, _judges(), _judge_month())


def test_kitagawa_parts_add_up_and_match_hand_computation():
    # type a: share 0.5 -> 0.25, rate 0.2 -> 0.4; type b: share 0.5 -> 0.75, rate 0.6 -> 0.6
    rows = ([("before", "a", 1)] * 1 + [("before", "a", 0)] * 4 + [("before", "b", 1)] * 3 + [("before", "b", 0)] * 2
            + [("after", "a", 1)] * 2 + [("after", "a", 0)] * 3 + [("after", "b", 1)] * 9 + [("after", "b", 0)] * 6)
    df = pd.DataFrame(rows, columns=["period", "kind", "y"])
    out = ab.kitagawa(df, "y", ["kind"], "period", "before", "after").set_index("component")["change"]
    total = (2 + 9) / 20 - (1 + 3) / 10
    mix = (0.25 - 0.5) * (0.2 + 0.4) / 2 + (0.75 - 0.5) * (0.6 + 0.6) / 2
    within = (0.4 - 0.2) * (0.5 + 0.25) / 2 + 0.0
    assert out["total"] == pytest.approx(total)
    assert out["mix"] == pytest.approx(mix) and out["within"] == pytest.approx(within)
    assert out["mix"] + out["within"] == pytest.approx(out["total"])


def test_kitagawa_type_in_one_period_only_counts_as_mix():
    df = pd.DataFrame({"period": ["before"] * 4 + ["after"] * 4, "kind": ["a"] * 4 + ["a", "a", "c", "c"],
                       "y": [0, 0, 1, 1, 0, 1, 1, 1]})
    out = ab.kitagawa(df, "y", ["kind"], "period", "before", "after").set_index("component")["change"]
    assert out["mix"] + out["within"] == pytest.approx(out["total"]) == pytest.approx(0.25)
    with pytest.raises(ModelInputError, match="no rows in period"):
        ab.kitagawa(df[df["period"] == "before"], "y", ["kind"], "period", "before", "after")


def test_decomposition_periods_label_fiscal_years():
    fy = pd.Series([2015, 2016, 2018, 2019, 2021, 2022])
    lab = common.fiscal_year_label(fy, {"before": (2016, 2018), "after": (2019, 2021)}, other="other")
    assert lab.tolist() == ["other", "before", "before", "after", "after", "other"]


# --------------------------------------------------------------------------------------------- Cox episodes

def _proceedings() -> pd.DataFrame:
    return pd.DataFrame({
        "idnproceeding": [1, 2, 3, 4, 5, 6, 7],
        "ij_code": ["A", "A", "B", "A", "C", "B", "A"],
        "court": "X",
        "osc_date": pd.to_datetime(["2018-01-01", "2010-01-04", "2012-01-02", "2019-01-07", "2018-01-01",
                                    "2018-01-01", None]),
        "input_date": pd.to_datetime(["2018-01-01", "2010-01-04", "2012-01-02", "2019-03-04", "2018-01-01",
                                      "2018-06-01", "2018-01-01"]),
        "comp_date": pd.to_datetime(["2019-01-10", None, "2013-01-01", "2019-03-04", "2019-01-01", "2018-05-01",
                                     "2019-01-01"]),
        "completed": [True, False, True, True, True, True, True],
        "decision_class": ["in_absentia_removal", None, "removal", "voluntary_departure", "removal", "removal",
                           "removal"],
        "detained": [False, True, False, False, False, False, False],
    })


def test_cox_spells_entry_exit_splitting_and_exclusions():
    s = ab.cox_spells(_proceedings(), _judges(), window_start="2013-10-01", data_cut="2024-12-31", unit_days=7)
    ex = s.attrs["exclusions"]
    assert ex["no_judge_or_no_bite"] == 1            # judge C
    assert ex["no_charging_document_date"] == 1      # proceeding 7
    assert ex["completed_before_window"] == 1        # proceeding 3
    assert ex["completion_before_start"] == 1        # proceeding 6: completed before it was opened
    assert ex["proceedings_used"] == 2 + 1 and set(s["idnproceeding"]) == {1, 2, 4}
    p1 = s[s["idnproceeding"] == 1].sort_values("start")
    # osc 1 Jan 2018 (a Monday): announcement 30 Mar 2018 is day 88 (week 12), quota start 1 Oct 2018 day 273 (week 39);
    # completion 10 Jan 2019 is day 374 (week 53), so the spell ends at the end of week 53
    assert p1["period"].tolist() == ["pre", "announce", "quota"]
    assert p1["start"].tolist() == [0, 12, 39] and p1["stop"].tolist() == [12, 39, 54]
    assert p1["event"].tolist() == [0, 0, 1] and p1["event_in_absentia"].tolist() == [0, 0, 1]
    assert p1["quota"].tolist() == [0, 0, 1] and p1["announce"].tolist() == [0, 1, 0]
    # proceeding 2: filed in 2010, enters at the window start (delayed entry), pending: censored at the cut
    p2 = s[s["idnproceeding"] == 2].sort_values("start")
    assert p2["start"].iloc[0] == np.floor((pd.Timestamp("2013-10-01") - pd.Timestamp("2010-01-04")).days / 7)
    assert p2["stop"].iloc[-1] == np.floor((pd.Timestamp("2024-12-31") - pd.Timestamp("2010-01-04")).days / 7) + 1
    assert p2["event"].sum() == 0 and p2["period"].tolist() == list(ab.SPLIT_PERIODS)
    assert p2["covid"].tolist() == [0, 0, 0, 1, 0] and p2["quota"].tolist() == [0, 0, 1, 1, 0]
    # proceeding 4: completed the day it was opened, 8 weeks after the charging document: a one-week spell
    p4 = s[s["idnproceeding"] == 4]
    assert p4[["start", "stop", "event", "event_merits"]].values.tolist() == [[8, 9, 1, 1]]
    # episodes of a proceeding tile its spell without gaps or overlaps
    for _, g in s.groupby("idnproceeding"):
        g = g.sort_values("start")
        assert (g["start"].to_numpy()[1:] == g["stop"].to_numpy()[:-1]).all()


def test_cox_spells_cap_the_sample_at_max_proceedings():
    n = 4000
    p = pd.DataFrame({"idnproceeding": range(n), "ij_code": "A", "court": "X",
                      "osc_date": pd.Timestamp("2016-01-04"), "input_date": pd.Timestamp("2016-01-04"),
                      "comp_date": pd.Timestamp("2019-05-06"), "completed": True, "decision_class": "removal",
                      "detained": False})
    judges = pd.DataFrame({"ij_code": ["A"], "bite": [0.1]})
    kw = dict(window_start="2013-10-01", data_cut="2024-12-31")
    capped = ab.cox_spells(p, judges, sample_share=0.5, max_proceedings=400, **kw)
    used = capped.attrs["exclusions"]["proceedings_used"]
    assert capped.attrs["sample_share_used"] == pytest.approx(0.1) and 300 < used < 500
    assert used + capped.attrs["exclusions"]["not_in_random_sample"] == n        # every proceeding accounted for
    share = ab.cox_spells(p, judges, sample_share=0.5, max_proceedings=10_000, **kw)     # the share is smaller
    assert share.attrs["sample_share_used"] == 0.5 and 1800 < share.attrs["exclusions"]["proceedings_used"] < 2200
    with pytest.raises(ModelInputError, match="max_proceedings"):
        ab.cox_spells(p, judges, max_proceedings=0, **kw)


def test_cox_on_split_episodes_equals_cox_on_whole_spells():
    """Splitting a spell at calendar dates leaves a Cox fit with time-fixed covariates unchanged."""
    rng = np.random.default_rng(3)
    n = 1500
    osc = pd.Timestamp("2015-01-05") + pd.to_timedelta(rng.integers(0, 1800, n), unit="D")
    det = rng.random(n) < 0.5
    days = np.ceil(rng.exponential(400 / np.exp(0.8 * det))).astype(int)
    comp = osc + pd.to_timedelta(days, unit="D")
    cut = pd.Timestamp("2022-06-30")
    p = pd.DataFrame({"idnproceeding": range(n), "ij_code": np.where(det, "A", "B"), "court": "X",
                      "osc_date": osc, "input_date": osc, "comp_date": comp.where(comp <= cut),
                      "completed": (comp <= cut), "decision_class": "removal", "detained": det})
    judges = pd.DataFrame({"ij_code": ["A", "B"], "bite": [0.1, 0.0]})
    split = ab.cox_spells(p, judges, window_start="2013-10-01", data_cut=str(cut.date()), unit_days=7)
    whole = ab.cox_spells(p, judges, window_start="2013-10-01", data_cut=str(cut.date()), unit_days=7,
                          split_dates=("2030-01-01", "2030-02-01", "2030-03-01", "2030-04-01"))
    assert len(split) > len(whole) == n
    a = cox(split, "stop", "event", "detained", entry="entry").set_index("term")
    b = cox(whole, "stop", "event", "detained", entry="entry").set_index("term")
    shared = cox(split, "stop", "event", "detained", entry="start").set_index("term")   # entry <= u: overlaps
    assert a.loc["detained", "estimate"] == pytest.approx(b.loc["detained", "estimate"], abs=1e-10)
    assert a.loc["detained", "std_error"] == pytest.approx(b.loc["detained", "std_error"], rel=1e-8)
    assert 0.6 < a.loc["detained", "estimate"] < 1.0      # planted 0.8 (days; grouping into weeks makes ties)
    assert abs(shared.loc["detained", "estimate"] - b.loc["detained", "estimate"]) > 1e-6   # why entry = start + 0.5


# --------------------------------------------------------------------------------------------- recovery

def _completion_estimates(derived):
    judges = datasets.load(derived, "judges")
    comp = ab.completion_frame(datasets.load(derived, "completions"), judges, datasets.load(derived, "judge_month"),
                               fy_min=2014, fy_max=2024)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ab.absentia_designs(comp, "in_absentia")


def _spells(derived):
    p = datasets.load(derived, "proceedings")
    return ab.cox_spells(p, datasets.load(derived, "judges"), window_start="2013-10-01", data_cut=p.attrs["data_cut"],
                         sample_share=0.25, seed=20181001)


def test_sample_in_absentia_recovers_ame_and_coefficient(sample_derived):
    est = common.with_truth(_completion_estimates(sample_derived), effects_truth(sample_derived))
    assert est.attrs.get("notes", []) == []
    lpm = one(est, "bite:quota", "in_absentia", "LPM")
    logit = one(est, "bite:quota", "in_absentia", "logit")
    gap = one(est, "gap_share_lag:quota", "in_absentia")
    assert lpm["scale"] == "probability" and logit["scale"] == "log-odds"
    assert logit["truth"] == 1.5
    assert logit["model"] == "feglm_logit_cells/CRV3 (one-step)"
    for r, level in ((lpm, None), (logit, None), (gap, None)):
        assert covers(r, r["truth"], level), r[["design", "estimate", "ci_low", "ci_high", "truth"]].to_dict()


def test_placebo_in_absentia_intervals_cover_zero(placebo_derived):
    est = _completion_estimates(placebo_derived)
    r = one(est, "bite:quota", "in_absentia", "LPM")
    assert covers(r, 0.0), r[["estimate", "ci_low", "ci_high"]].to_dict()
    assert covers(one(est, "gap_share_lag:quota", "in_absentia"), 0.0)


def test_placebo_in_absentia_logit_jackknife_covers_zero(placebo_derived):
    """The notebook's logit (one-step leave-one-judge-out jackknife, the default) covers zero at 99%; at 95% it
    does not on this seed (p = 0.03, +0.70 log-odds, SE 0.30). One seed is one
    draw: the false-positive rate over many seeds is the validation study's (logit_jackknife_*.csv)."""
    r = one(_completion_estimates(placebo_derived), "bite:quota", "in_absentia", "logit")
    assert r["model"] == "feglm_logit_cells/CRV3 (one-step)"
    assert covers(r, 0.0, 0.99), r[["estimate", "ci_low", "ci_high"]].to_dict()


@pytest.mark.xfail(strict=True, reason=(
    "known weakness, measured: on the placebo release (seed 20181002) the in absentia share of completions rose "
    "more for the few high-bite judges (7 judges with bite > 0.2, whose detained share also rose), and the logit's "
    "CRV1 interval by judge (about +0.70, SE 0.17, log-odds) excludes zero even at 99% while the one-step "
    "jackknife's (SE 0.30) covers it. CRV1 with few high-dose clusters is too narrow; see the validation study."))
def test_placebo_in_absentia_logit_crv1_covers_zero(placebo_derived):
    judges = datasets.load(placebo_derived, "judges")
    comp = ab.completion_frame(datasets.load(placebo_derived, "completions"), judges,
                               datasets.load(placebo_derived, "judge_month"), fy_min=2014, fy_max=2024)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = ab.absentia_designs(comp, "in_absentia", logit_se="crv1")
    r = one(est, "bite:quota", "in_absentia", "logit")
    assert r["model"] == "feglm_logit_cells"
    assert covers(r, 0.0, 0.99), r[["estimate", "ci_low", "ci_high"]].to_dict()


def test_cox_quota_coefficient_is_positive_on_the_planted_release(sample_derived):
    s = _spells(sample_derived)
    est = ab.cox_quota(s).set_index("term")
    assert est.loc["bite:quota", "estimate"] > 0
    assert est["n_events"].iloc[0] == int(s["event"].sum()) and est["n_obs"].iloc[0] == len(s)
    assert np.isfinite(est["std_error"]).all() and (est["n_clusters"] >= 10).all()
    cs = ab.cause_specific(s, causes=("in_absentia",)).set_index("term")
    assert cs.loc["bite:quota", "estimate"] > 0


def test_cox_quota_interval_covers_zero_on_the_placebo(placebo_derived):
    est = ab.cox_quota(_spells(placebo_derived)).set_index("term")
    assert covers(est.loc["bite:quota"], 0.0), est.loc["bite:quota", ["estimate", "ci_low", "ci_high"]].to_dict()


def test_tiny_release_designs_do_not_raise(tiny_derived):
    est = _completion_estimates(tiny_derived)
    assert est.empty or "in_absentia" in set(est["outcome"])
    assert all("not estimated on these data" in n for n in est.attrs["notes"])
    cs = ab.cause_specific(_spells(tiny_derived))
    assert all("not estimated on these data" in n for n in cs.attrs["notes"])


# --------------------------------------------------------------------------------------------- regression: lean frames

def test_lean_completion_frame_reproduces_the_reference_path(sample_derived):
    """completion_frame (masks, code lookups, categorical ids) against the plain merge-based preparation: the
    same rows and labels, and absentia_designs' LPM estimates (to 1e-10), jackknife errors (1e-7 relative) and the
    logit (1e-10)."""
    from .test_continuances import compare_lpm_designs, reference_rows

    judges, jm = datasets.load(sample_derived, "judges"), datasets.load(sample_derived, "judge_month")
    completions = datasets.load(sample_derived, "completions")
    comp = ab.completion_frame(completions, judges, jm, fy_min=2014, fy_max=2024)
    ref = reference_rows(completions, judges, jm, "comp_date", 2014, 2024)
    assert len(comp) == len(ref)
    for c in ("judge", "court_month", "judge_fy", "bite", "gap_share_lag", "quota", "period"):
        assert (comp[c].astype(str).to_numpy() == ref[c].astype(str).to_numpy()).all(), c
    ref["in_absentia"] = (ref["decision_class"] == "in_absentia_removal").astype("float64")
    for c in ab.CONTROLS:
        ref[c] = ref[c].astype("float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = ab.absentia_designs(comp, "in_absentia")
        logit = cont.bite_did(ref, "in_absentia", fe="judge + court_month", method="feglm_logit",
                              controls=list(ab.CONTROLS), se="jackknife")
    compare_lpm_designs(est, ref, "in_absentia", ["judge + court_month", "judge_fy + court_month"])
    got = est[est["design"].str.contains("logit", regex=False)].set_index("term").loc[logit["term"]]
    np.testing.assert_allclose(got["estimate"].to_numpy(), logit["estimate"].to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(got["std_error"].to_numpy(), logit["std_error"].to_numpy(), rtol=0, atol=1e-10)
