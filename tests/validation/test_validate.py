"""Tests of the validation study (helpers.validation): summary statistics by hand, scenario files against the
generator's defaults, truth rules, the designs on the tiny release, a two-replication study end to end (with
resume and failure accounting), determinism, and the committed results' internal consistency."""

from __future__ import annotations

import argparse
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.synth.effects import load_effects
from helpers.validation import designs as vd
from helpers.validation import runner, scenarios, summary
from tests.tidy import tidy_rows

# --------------------------------------------------------------------------------------------- summary by hand


def _rows(design: str, term: str, est, truth, lo, hi, p, *, null, status=None, scenario="full") -> pd.DataFrame:
    n = len(est)
    return pd.DataFrame({
        "scenario": scenario, "scale": "sample", "seed": range(n), "rep": range(n), "design": design,
        "sample": vd.ALL_MONTHS, "outcome": "y", "term": term, "estimate": est, "std_error": [0.5] * n,
        "ci_low": lo, "ci_high": hi, "p_value": p, "truth": truth, "null_true": pd.array([null] * n, dtype="boolean"),
        "status": status or ["estimated"] * n, "estimate_scale": "probability",
    })


def test_summary_statistics_by_hand():
    nan = np.nan
    power = _rows("d", "bite:quota", [1.0, 2.0, 3.0, 6.0, nan], [2.0] * 5, [0.0, 1.0, 2.5, 5.0, nan],
                  [2.0, 3.0, 3.5, 7.0, nan], [0.01, 0.2, 0.04, 0.001, nan], null=False,
                  status=["estimated"] * 4 + ["not estimated"])
    fpr = _rows("d", "bite:post_suspension", [0.1, -0.3, 0.2], [0.0] * 3, [-0.1, -0.5, 0.05], [0.3, -0.1, 0.35],
                [0.3, 0.01, 0.02], null=True)
    test = _rows("pre", "pretrend", [0.5, 3.0], [nan, nan], [nan, nan], [nan, nan], [0.6, 0.03], null=True,
                 status=["estimated", "error"])
    table = summary.summarize(pd.concat([power, fpr, test], ignore_index=True))
    assert list(table.columns) == summary.SUMMARY_COLUMNS and len(table) == 3
    s = table.set_index(["design", "term"])

    r = s.loc[("d", "bite:quota")]
    assert (r["replications"], r["estimated"], r["not_estimated"], r["errors"]) == (5, 4, 1, 0)
    assert r["bias"] == pytest.approx(1.0)                         # errors -1, 0, 1, 4
    assert r["rmse"] == pytest.approx(math.sqrt(18 / 4))
    sd = math.sqrt(14 / 3)                                         # estimates 1, 2, 3, 6: deviations -2, -1, 0, 3
    assert r["sd_estimate"] == pytest.approx(sd) and r["bias_mcse"] == pytest.approx(sd / 2)
    assert r["coverage"] == 0.5 and r["coverage_mcse"] == pytest.approx(math.sqrt(0.25 / 4))  # [2.5, 3.5], [5, 7] miss 2
    assert r["mean_ci_width"] == pytest.approx(1.75) and r["mean_std_error"] == 0.5
    assert r["se_ratio"] == pytest.approx(0.5 / sd)
    assert r["rejection_rate"] == 0.75 and r["rejection_is"] == "power"
    assert r["truth_mean"] == 2.0 and r["mean_estimate"] == 3.0

    f = s.loc[("d", "bite:post_suspension")]
    assert f["coverage"] == pytest.approx(1 / 3) and f["rejection_rate"] == pytest.approx(2 / 3)
    assert f["rejection_is"] == "false-positive rate" and f["bias"] == pytest.approx(0.0, abs=1e-12)

    t = s.loc[("pre", "pretrend")]                                  # a test: no truth, null true by construction
    assert (t["estimated"], t["errors"]) == (1, 1)
    assert np.isnan(t["bias"]) and np.isnan(t["coverage"]) and np.isnan(t["rmse"])
    assert t["rejection_rate"] == 0.0 and t["rejection_is"] == "false-positive rate"


def test_summarize_names_missing_columns_and_handles_empty():
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['truth'"):
        summary.summarize(_rows("d", "t", [1.0], [1.0], [0.0], [2.0], [0.1], null=False).drop(columns="truth"))
    empty = summary.summarize(_rows("d", "t", [1.0], [1.0], [0.0], [2.0], [0.1], null=False).iloc[:0])
    assert empty.empty and list(empty.columns) == summary.SUMMARY_COLUMNS


# --------------------------------------------------------------------------------------------- scenarios


def test_scenario_files_follow_the_generator_defaults():
    """The study's inputs live in helpers/validation/scenarios/; they must stay what their names say relative to the
    generator's default effects (if the defaults change, update the files and rerun the study)."""
    default = load_effects("default")
    expect = {
        "none": (0.0, default.anticipation_share, default.post_suspension_share),
        "half": (0.5, default.anticipation_share, default.post_suspension_share),
        "full": (1.0, default.anticipation_share, default.post_suspension_share),
        "anticipation": (1.0, 1.0, default.post_suspension_share),
        "no_reversal": (1.0, default.anticipation_share, 1.0),
    }
    for name, (factor, ant, post) in expect.items():
        eff = load_effects(scenarios.get(name).path)
        assert eff.name == name
        assert (eff.anticipation_share, eff.post_suspension_share) == (ant, post), name
        for outcome, terms in default.coef.items():
            for term, value in terms.items():
                assert eff.coef[outcome][term] == pytest.approx(factor * value), (name, outcome, term)


def test_every_scenario_runs_and_an_unsupported_one_is_left_out_with_the_reason(tmp_path, monkeypatch):
    ok, skipped = scenarios.available()
    assert [s.name for s in ok] == ["none", "half", "full", "anticipation", "no_reversal", "docket_shift"]
    assert skipped == {} and load_effects(scenarios.get("docket_shift").path).docket_shift > 0
    broken = scenarios.Scenario("broken", "broken", "a table the generator does not know")
    monkeypatch.setattr(scenarios.Scenario, "path", property(lambda self: tmp_path / f"{self.name}.toml"))
    (tmp_path / "broken.toml").write_text("[docket_drift]\nbite = 1.0\n")
    monkeypatch.setitem(scenarios.SCENARIOS, "broken", broken)
    ok, skipped = scenarios.available(["broken"])
    assert ok == [] and "docket_drift" in skipped["broken"]
    with pytest.raises(ValueError, match="unknown scenario 'big'"):
        scenarios.get("big")


def test_plan_orders_replications_rep_major_with_fixed_seeds():
    tasks, _ = runner.plan(["none", "full"], 2, "tiny", base_seed=100)
    assert [(t.scenario, t.seed, t.rep) for t in tasks] == [("none", 100, 0), ("full", 100, 0), ("none", 101, 1),
                                                            ("full", 101, 1)]
    with pytest.raises(runner.StudyError, match="scale must be one of"):
        runner.plan(None, 1, "full")
    with pytest.raises(runner.StudyError, match="reps must be at least 1"):
        runner.plan(None, 0, "tiny")
    with pytest.raises(runner.StudyError, match="unknown scenario"):
        runner.plan(["nope"], 1, "tiny")
    p = runner.output_paths("x/validation_estimates.csv")
    assert (p["runs"].name, p["summary"].name) == ("validation_runs.csv", "validation_summary.csv")
    assert runner.output_paths("x/study.csv")["summary"].name == "study_summary.csv"


# --------------------------------------------------------------------------------------------- truth rules

TRUTH = pd.DataFrame({
    "outcome": ["asylum_grant"] * 5,
    "term": ["bite:quota", "bite:announce", "bite:post_suspension", "gap_share_lag:quota", "bite_total:quota"],
    "planted_coefficient": [-2.0, -0.5, 0.0, -0.5, -2.1],
    "ame": [-0.30, -0.08, 0.0, -0.07, -0.31],
    "mean_effect": [-0.02, -0.003, 0.0, np.nan, np.nan],
})
TRUTH_JSON = {"effects": {"timing": {"announced": "2018-03-30"},
                          "coefficients": {"asylum_grant": {"bite": -2.0, "gap_share": -0.5}}}}


def _tidy(terms, scale="probability", outcome="asylum_grant", design="D2 dose-response DiD (LPM, CRV1)"):
    return tidy_rows(terms, scale, outcome, design)


def test_truth_uses_bite_total_for_designs_without_a_gap_term():
    lpm = vd.attach_truth(_tidy(list(vd.BITE_TERMS) + [vd.REVERSAL]), vd.get_design("asylum_did_lpm_crv1"),
                          TRUTH, TRUTH_JSON).set_index("term")
    assert lpm.loc["bite:quota", "truth"] == -0.31 and lpm.loc["bite:quota", "truth_term"] == "bite_total:quota"
    assert lpm.loc["bite:announce", "truth"] == -0.08 and lpm.loc["bite:post_suspension", "truth"] == 0.0
    assert lpm.loc[vd.REVERSAL, "truth"] == pytest.approx(0.31)     # 0 - (-0.31), recomputed after the swap
    assert lpm["null_true"].tolist() == [False, False, True, False]
    logit = vd.attach_truth(_tidy(["bite:quota"], scale="log-odds"), vd.get_design("asylum_did_logit"), TRUTH,
                            TRUTH_JSON)
    assert logit["truth"].iloc[0] == -2.1
    gap = vd.attach_truth(_tidy(["gap_share_lag:quota", "gap_share_lag"], design="D3 gap"),
                          vd.get_design("asylum_gap_lpm_crv3"), TRUTH, TRUTH_JSON).set_index("term")
    assert gap.loc["gap_share_lag:quota", "truth"] == -0.07 and gap.loc["gap_share_lag", "truth"] == 0.0
    assert gap.loc["gap_share_lag", "truth_term"].startswith("0: no effect")
    real = vd.attach_truth(_tidy(["bite:quota"]), vd.get_design("asylum_did_lpm_crv1"), None, None)
    assert np.isnan(real["truth"].iloc[0]) and real["null_true"].isna().all()


def test_truth_of_tests_and_its():
    pre = vd.attach_truth(_tidy([vd.PRETREND], scale="F statistic"), vd.get_design("asylum_pretrend_crv1"),
                          TRUTH, TRUTH_JSON)
    assert np.isnan(pre["truth"].iloc[0]) and bool(pre["null_true"].iloc[0])
    its = vd.attach_truth(_tidy(list(vd.ITS_TERMS), scale="linear", outcome="asylum_grant_rate",
                                design="D1 ITS, monthly rate"), vd.get_design("asylum_its"), TRUTH, TRUTH_JSON)
    assert its.set_index("term").loc["level:quota", "truth"] == -0.02
    assert its["truth_term"].str.startswith("its_benchmark:").all()


def test_drop_covid_removes_march_2020_to_june_2021():
    d = pd.DataFrame({"date": pd.to_datetime(["2020-02-29", "2020-03-01", "2021-06-30", "2021-07-01"])})
    assert vd.drop_covid(d, "date")["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-02-29", "2021-07-01"]


# --------------------------------------------------------------------------------------------- on generated data

STATUSES = {"estimated", "not estimated", "error"}


def test_run_designs_on_tiny_release_records_every_design(tiny_derived):
    out = vd.run_designs(tiny_derived)
    assert list(out.columns) == vd.DESIGN_COLUMNS
    expected = {(d.key, s) for d in vd.DESIGNS for s in vd.SAMPLES if d.covid or s == vd.ALL_MONTHS}
    assert set(zip(out["design"], out["sample"])) == expected
    for d in vd.DESIGNS:                                          # every term of every design has a row
        rows = out[(out["design"] == d.key) & (out["sample"] == vd.ALL_MONTHS)]
        assert rows["term"].tolist() == list(d.terms), d.key
    assert set(out["status"]) <= STATUSES and "error" not in set(out["status"]), out.loc[out.status == "error", "note"]
    missing = out[out["status"] != "estimated"]
    assert missing["estimate"].isna().all() and (missing["note"].str.len() > 0).all()
    est = out[out["status"] == "estimated"]
    assert est["estimate"].notna().all() and (est["runtime"] >= 0).all()


@pytest.fixture(scope="module")
def tiny_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("study") / "v_estimates.csv"
    est, summ, skipped = runner.run_study(out, reps=1, scale="tiny", scenarios=["none", "full"], jobs=2, quiet=True,
                                          base_seed=4242)
    return out, est, summ


def test_study_on_tiny_has_the_promised_columns_and_sane_values(tiny_study):
    out, est, summ = tiny_study
    runs = runner.read_runs(runner.output_paths(out)["runs"])
    assert list(runs.columns) == runner.RUN_COLUMNS and len(runs) == 2 and (runs["status"] == "ok").all()
    assert set(runs["data_source"]) == {"synthetic:tiny:4242"} and set(runs["effects_name"]) == {"none", "full"}
    assert list(est.columns) == runner.ESTIMATE_COLUMNS
    assert list(pd.read_csv(out).columns) == runner.ESTIMATE_COLUMNS
    for c in ("estimate", "std_error", "ci_low", "ci_high", "truth", "scenario", "seed", "scale", "design", "outcome",
              "term", "runtime"):
        assert c in est.columns
    assert set(est["scenario"]) == {"none", "full"} and set(est["seed"]) == {4242} and set(est["scale"]) == {"tiny"}
    assert list(summ.columns) == summary.SUMMARY_COLUMNS
    assert len(summ) == len(est.drop_duplicates(summary.KEYS))
    for c in ("coverage", "rejection_rate"):
        v = summ[c].dropna()
        assert ((v >= 0) & (v <= 1)).all(), c
    assert (summ["rmse"].dropna() >= 0).all() and (summ["mean_ci_width"].dropna() >= 0).all()
    assert (summ["estimated"] + summ["not_estimated"] + summ["errors"] == summ["replications"]).all()
    # planted values: present for every estimated row of a planted term; zero throughout the placebo scenario
    done = est[est["status"] == "estimated"]
    assert len(done) > 0, "no design could be estimated on the tiny release"
    planted = done[done["term"].isin(["bite:quota", "gap_share_lag:quota"])]
    assert planted["truth"].notna().all()
    assert (est.loc[est["scenario"] == "none", "truth"].dropna() == 0).all()
    assert (est.loc[(est["scenario"] == "full") & (est["term"] == "gap_share_lag:quota") & est["truth"].notna(),
                    "truth"] != 0).all()


def test_rerun_resumes_without_repeating_and_drops_unfinished_rows(tiny_study, capsys):
    out, est, _ = tiny_study
    paths = runner.output_paths(out)
    before = paths["runs"].read_text()
    args = argparse.Namespace(reps=1, scale="tiny", jobs=1, out=out, quiet=True, seed=4242, scenarios=["none", "full"])
    assert runner.validate_cli(args) == 0
    assert paths["runs"].read_text() == before                   # nothing re-run
    assert "2 replication(s) recorded (0 failed)" in capsys.readouterr().out
    # an interrupted replication: estimate rows without a run row are discarded on resume
    orphan = est.iloc[:3].assign(seed=999)
    orphan.to_csv(out, mode="a", header=False, index=False)
    tasks, _ = runner.plan(["none", "full"], 1, "tiny", base_seed=4242)
    assert runner._resume(paths, tasks) == {("none", "tiny", 4242), ("full", "tiny", 4242)}
    assert 999 not in set(runner.read_estimates(out)["seed"])
    # a different effects file for the same scenario is refused
    runs = runner.read_runs(paths["runs"])
    runs.loc[0, "effects_sha256"] = "0" * 64
    other = out.with_name("w_estimates.csv")
    runs.to_csv(runner.output_paths(other)["runs"], index=False)
    with pytest.raises(runner.StudyError, match="different effects file"):
        runner.run_study(other, reps=1, scale="tiny", scenarios=["none", "full"], jobs=1, base_seed=4242, quiet=True)


def test_failed_replication_is_recorded_not_raised(tmp_path):
    est, run = runner.run_replication(runner.Task("full", str(tmp_path / "missing.toml"), "tiny", 1, 0))
    assert est.empty and run["status"] == "failed" and "missing.toml" in run["error"]
    assert list(run) == runner.RUN_COLUMNS


def test_replication_is_deterministic():
    task = runner.plan(["full"], 1, "tiny", base_seed=31)[0][0]
    a, _ = runner.run_replication(task)
    b, _ = runner.run_replication(task)
    pd.testing.assert_frame_equal(a.drop(columns="runtime"), b.drop(columns="runtime"))


# --------------------------------------------------------------------------------------------- committed results


@pytest.mark.parametrize("study", ["validation", "logit_jackknife"])
def test_committed_results_are_consistent(repo_root, study):
    """data/validation/: the summary is what summarize() gives on the committed estimates, every replication of the
    runs file has estimate rows, and every scenario has the same number of replications."""
    folder = repo_root / "data" / "validation"
    paths = runner.output_paths(folder / f"{study}_estimates.csv")
    if not paths["estimates"].exists():
        pytest.skip(f"no committed {study} results yet")
    est = runner.read_estimates(paths["estimates"])
    runs = runner.read_runs(paths["runs"])
    committed = pd.read_csv(paths["summary"])
    again = summary.summarize(est)
    assert list(committed.columns) == summary.SUMMARY_COLUMNS and len(committed) == len(again)
    num = [c for c in summary.SUMMARY_COLUMNS if pd.api.types.is_numeric_dtype(again[c])]
    np.testing.assert_allclose(committed[num].to_numpy(float), again[num].to_numpy(float), rtol=1e-9, atol=1e-12)
    ok = runs[runs["status"] == "ok"]
    assert set(zip(ok["scenario"], ok["seed"])) == set(zip(est["scenario"], est["seed"]))
    assert ok.groupby("scenario").size().nunique() == 1, ok.groupby("scenario").size()
    assert (folder / "README.md").exists()


# --------------------------------------------------------------------------------------------- notebook 07's tables


def test_present_tables_agree_with_the_summary(tiny_study, tmp_path):
    from helpers.validation import present

    out, est, summ = tiny_study
    e, runs, s = present.load_results(out)
    pd.testing.assert_frame_equal(s, summ)
    ov = present.study_overview(runs)
    assert ov["scenario"].tolist() == ["none", "full"] and ov["ok"].tolist() == [1, 1]
    table = present.headline(s)
    assert set(table["term"]) <= set(present.HEADLINE.values())
    assert (table["term"] == table["design"].map(present.HEADLINE)).all()
    w = present.wide(table, "coverage")
    assert list(w.columns) == ["none", "full"]
    row = table.iloc[0]
    got = w.loc[row["label"], row["scenario"]]
    assert got == row["coverage"] or (np.isnan(got) and np.isnan(row["coverage"]))
    assert len(present.design_table()) == len(vd.DESIGNS) and len(present.scenario_table()) == 6
    ax = present.rate_plot(table[table["coverage"].notna()], "coverage", nominal=0.95)
    assert len(ax.get_yticklabels()) == table.loc[table["coverage"].notna(), "label"].nunique()
    with pytest.raises(FileNotFoundError, match="python -m helpers validate"):
        present.load_results(tmp_path / "nothing_estimates.csv")


def test_load_studies_stacks_a_supplementary_study(tiny_study, tmp_path):
    from helpers.validation import present

    out, _, _ = tiny_study
    paths = runner.output_paths(out)
    every = pd.read_csv(paths["estimates"])
    jk = every["design"].str.contains("logit") & ~every["design"].isin(["asylum_did_logit", "motion_did_logit",
                                                                          "absentia_did_logit"])
    est, sup = every[~jk], every[jk]                      # the main study without, the supplement with them
    out = tmp_path / "v_estimates.csv"
    est.to_csv(out, index=False)
    extra = tmp_path / "sup_estimates.csv"
    sup.to_csv(extra, index=False)
    for name in ("v_runs.csv", "sup_runs.csv"):
        shutil.copy(paths["runs"], tmp_path / name)
    e, runs, s, missing = present.load_studies(out, [extra, tmp_path / "absent_estimates.csv"])
    assert len(sup) and len(e) == len(every) and set(e["study"]) == {"v", "sup"}
    assert len(missing) == 1 and "absent_estimates.csv not found" in missing[0]
    assert set(s["design"]) == set(every["design"])
    ov = present.study_overview(runs)
    assert ov["study"].tolist() == ["v", "v", "sup", "sup"] and ov["scenario"].tolist() == ["none", "full"] * 2
    cmp = present.logit_comparison(present.headline(s))
    assert {"D2 asylum grants (logit, CRV1)", "D2 asylum grants (logit, one-step jackknife)"} <= set(cmp.index)
    assert list(cmp.columns) == ["false-positive rate (none)", "replications (none)", "coverage (full)",
                                 "replications (full)"]
    every.to_csv(tmp_path / "dup_estimates.csv", index=False)
    shutil.copy(paths["runs"], tmp_path / "dup_runs.csv")
    with pytest.raises(ValueError, match="already in another study"):
        present.load_studies(out, [tmp_path / "dup_estimates.csv"])


def test_study_of_a_design_subset(tmp_path):
    out = tmp_path / "s_estimates.csv"
    est, _, _ = runner.run_study(out, reps=1, scale="tiny", scenarios=["none"], jobs=1, quiet=True, base_seed=4243,
                                 designs=["absentia_did_logit_jackknife", "first_stage_poisson"])
    assert set(est["design"]) == {"absentia_did_logit_jackknife", "first_stage_poisson"}
    with pytest.raises(runner.StudyError, match="unknown design"):
        runner.run_study(out, reps=1, scale="tiny", designs=["no_such_design"], quiet=True)


def test_flagged_names_designs_off_their_nominal_rates():
    from helpers.validation import present

    table = pd.DataFrame({
        "label": ["A", "A", "B", "B"], "scenario": ["none", "full", "none", "full"], "estimated": [20] * 4,
        "rejection_is": ["false-positive rate", "power", "false-positive rate", "power"],
        "rejection_rate": [0.30, 1.0, 0.05, 0.9], "coverage": [0.70, 0.95, 0.95, 0.60],
    })
    # 2 MC s.e. at n = 20: rejection 0.05 + 0.097, coverage 0.95 - 0.097
    assert present.flagged(table) == {"over_rejecting": ["A (none)"], "under_covering": ["A (none)", "B (full)"]}
    assert present.flagged(table.assign(estimated=0)) == {"over_rejecting": [], "under_covering": []}


def test_read_off_and_estimates_table():
    from helpers.validation import present

    table = pd.DataFrame({
        "design": ["d1", "d1"], "term": ["bite:quota"] * 2, "label": ["A", "A"], "scenario": ["none", "full"],
        "outcome": ["y", "y"], "estimated": [4, 0], "mean_estimate": [0.5, np.nan], "sd_estimate": [2.0, np.nan],
        "truth_mean": [0.0, 1.0], "rejection_is": ["false-positive rate", "power"], "rejection_rate": [0.75, np.nan],
        "coverage": [0.25, np.nan],
    })
    text = present.read_off(table)
    assert "reject a true null too often: A (none)." in text and "too rarely: A (none)." in text
    assert "too often: none." in present.read_off(table.assign(rejection_rate=0.0, coverage=1.0))
    out = present.estimates_table(table)
    assert out["term"].tolist() == ["d1: bite:quota"] * 2 and out["design"].tolist() == ["A [none]", "A [full]"]
    assert out["std_error"].iloc[0] == 1.0 and np.isnan(out["std_error"].iloc[1])      # 2 / sqrt(4); none estimated
    assert out["truth"].tolist() == [0.0, 1.0] and out["n_obs"].tolist() == [4, 0]
