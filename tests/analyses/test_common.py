"""The helpers every design module shares (helpers.analyses.common): labels, designs that may not fit small data,
estimates in words, and the generator's truth. Hand-built frames and folders; values checked by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import models
from helpers.analyses import common
from helpers.models import TIDY_COLUMNS, Attached, ModelInputError, attached


def _est(terms, estimate=0.0, lo=-1.0, hi=1.0, outcome="y", design="D2 bite (LPM)", scale="probability"):
    n = len(terms)
    return pd.DataFrame({"term": pd.Series(terms, dtype="str"), "estimate": [estimate] * n, "std_error": [0.5] * n,
                         "ci_low": [lo] * n, "ci_high": [hi] * n, "p_value": [0.5] * n, "n_obs": [100] * n,
                         "n_clusters": [20.0] * n, "model": pd.Series(["m"] * n, dtype="str"),
                         "outcome": pd.Series([outcome] * n, dtype="str"),
                         "scale": pd.Series([scale] * n, dtype="str"), "design": [design] * n})


# --------------------------------------------------------------------------------------------- terms and labels

def test_periods_in_keeps_the_order_given_and_drops_constant_dummies():
    frame = pd.DataFrame({"announce": [0, 1, 0], "quota": [0, 0, 1], "post_suspension": [0, 0, 0]})
    assert common.periods_in(frame) == ["announce", "quota"]
    assert common.periods_in(frame, ("quota", "announce", "post_suspension")) == ["quota", "announce"]
    assert common.periods_in(frame.drop(columns="announce")) == ["quota"]
    assert common.period_terms("gap_share_lag") == ["gap_share_lag:announce", "gap_share_lag:quota",
                                                    "gap_share_lag:post_suspension"]


def test_label_design_sets_the_label_filters_terms_and_keeps_the_covariance():
    est = _est(["a", "b", "c"]).drop(columns="design")
    est.index = [5, 6, 7]
    est.attrs = {"vcov": Attached(pd.DataFrame(np.eye(3), index=list("abc"), columns=list("abc"))), "df_denom": 9.0}
    out = common.label_design(est, "D9", keep=["c", "a"])
    assert out["term"].tolist() == ["a", "c"] and out.index.tolist() == [0, 1] and (out["design"] == "D9").all()
    assert out.attrs["df_denom"] == 9.0 and attached(out, "vcov").shape == (3, 3)
    assert "design" not in est.columns                                       # the input is not modified
    assert common.label_design(est, "all")["term"].tolist() == ["a", "b", "c"]


def test_fiscal_year_label():
    fy = pd.Series([2015, 2016, 2018, 2019, 2021, 2022])
    two = {"FY2016-FY2018": (2016, 2018), "FY2019-FY2021": (2019, 2021)}
    lab = common.fiscal_year_label(fy, two)
    assert lab.iloc[1:5].tolist() == ["FY2016-FY2018", "FY2016-FY2018", "FY2019-FY2021", "FY2019-FY2021"]
    assert lab.iloc[[0, 5]].isna().all()
    assert common.fiscal_year_label(fy, two, other="other").iloc[[0, 5]].tolist() == ["other", "other"]


# --------------------------------------------------------------------------------------------- small data

def test_try_design_returns_the_result_or_an_empty_frame_with_the_reason():
    def design(n_judges: int, *, label: str = "x") -> pd.DataFrame:   # ``label`` is the design's own keyword
        if n_judges < 10:
            raise ModelInputError(f"only {n_judges} cluster(s)")
        return _est(["bite:quota"], design=label)

    ok = common.try_design("D2", design, 20, label="mine")
    assert ok["design"].iloc[0] == "mine" and "skipped" not in ok.attrs
    assert common.try_design("pair", lambda: (1, 2)) == (1, 2)             # any result passes through
    bad = common.try_design("D2 first stage", design, 6)
    assert bad.empty and list(bad.columns) == TIDY_COLUMNS + ["scale", "design"]
    assert bad.dtypes["estimate"] == "float64" and bad.dtypes["n_obs"] == "int64"
    assert bad.attrs["skipped"] == "D2 first stage: not estimated on these data: only 6 cluster(s)"
    with pytest.raises(ZeroDivisionError):                                  # other errors are not hidden
        common.try_design("broken", lambda: 1 / 0)
    note = common.skipped_note(ok, bad, (1, 2), pd.Series(dtype=float), common.empty_estimates("D3: too few"))
    assert note == "* D2 first stage: not estimated on these data: only 6 cluster(s)\n* D3: too few"
    assert common.skipped_note(ok) == ""


def test_stack_kept_stacks_what_was_estimated_and_keeps_the_reasons():
    a, b = _est(["bite:quota"], design="A"), _est(["bite:quota", "bite:announce"], design="B")
    skipped = common.empty_estimates("C: not estimated on these data: too few judges")
    out = common.stack_kept([a, skipped, b])
    assert out["design"].tolist() == ["A", "B", "B"] and list(out.columns[:10]) == TIDY_COLUMNS
    assert out.attrs["notes"] == ["C: not estimated on these data: too few judges"]
    none = common.stack_kept([skipped])
    assert none.empty and none.attrs["notes"] == [skipped.attrs["skipped"]]
    assert common.stack_kept([a]).attrs["notes"] == []


# --------------------------------------------------------------------------------------------- words

def test_describe_truth_of_and_covers():
    est = pd.concat([_est(["bite:quota"], -0.2521, -0.5004, -0.1, outcome="y", design="D2 bite (LPM)"),
                     _est(["bite:quota"], -2.1, -2.9, -1.3, outcome="y", design="D2 bite (logit)"),
                     _est(["bite:quota"], 0.01, -0.02, 0.04, outcome="z")], ignore_index=True)
    est["truth"] = [-0.3, -3.0, np.nan]
    assert common.describe(est, "bite:quota") == "-0.252 (95% CI -0.500 to -0.100); planted -0.300, inside the interval"
    assert common.describe(est, "bite:quota", design="logit", digits=1) == \
        "-2.1 (95% CI -2.9 to -1.3); planted -3.0, outside the interval"
    assert common.describe(est, "bite:quota", outcome="z") == "0.010 (95% CI -0.020 to 0.040)"
    assert common.describe(est, "bite:announce") == "not estimated on these data"
    assert common.describe(est.iloc[:0], "bite:quota") == "not estimated on these data"
    assert common.truth_of(est, "bite:quota", design="logit") == -3.0
    assert common.truth_of(est, "bite:quota", outcome="z") is None and common.truth_of(est, "x") is None
    assert common.estimate_row(est, "bite:quota", outcome="z")["estimate"] == 0.01
    assert common.covers(est).tolist() == [True, False, False]               # a missing truth is not covered
    assert common.covers(est, 0.0).tolist() == [False, False, True]


# --------------------------------------------------------------------------------------------- truth

def _release(tmp_path, data_source: str, tables: dict[str, str] | None = None):
    processed, derived = tmp_path / "processed", tmp_path / "derived"
    (processed / "truth").mkdir(parents=True)
    derived.mkdir()
    (processed / "ingest_report.json").write_text("{}")
    for name, text in (tables or {}).items():
        (processed / "truth" / f"{name}.csv").write_text(text)
    (derived / "build_report.json").write_text(json.dumps({"processed": str(processed), "data_source": data_source}))
    return derived


def test_read_truth_on_synthetic_and_real_sources(tmp_path):
    effects = "outcome,term,planted_coefficient,ame\ny,bite:quota,-2.0,-0.3\n"
    derived = _release(tmp_path, "synthetic:tiny:1", {"effects_truth": effects,
                                                     "judges": "judge_code,bite\nNAN,0.1\n007,\n"})
    t = common.truth_table(derived)
    assert t.to_dict("records") == [{"outcome": "y", "term": "bite:quota", "planted_coefficient": -2.0, "ame": -0.3}]
    judges = common.read_truth(derived, "judges")
    assert judges["judge_code"].tolist() == ["NAN", "007"] and np.isnan(judges["bite"].iloc[1])
    with pytest.raises(FileNotFoundError, match=r"asylum\.csv: no truth table 'asylum' .*effects_truth, judges"):
        common.read_truth(derived, "asylum")
    real = _release(tmp_path / "real", "eoir:2026-01-15")
    assert common.read_truth(real, "effects_truth") is None and common.truth_table(real) is None
    (tmp_path / "processed" / "ingest_report.json").unlink()
    with pytest.raises(FileNotFoundError, match="no longer exists"):
        common.processed_dir(derived)


TRUTH = pd.DataFrame({"outcome": ["completions"] * 3 + ["asylum_grant"] * 2,
                      "term": ["bite:announce", "bite:quota", "bite:post_suspension", "bite:announce", "bite:quota"],
                      "planted_coefficient": [0.25, 1.0, 0.0, -0.5, -2.0], "ame": [np.nan] * 3 + [-0.07, -0.3]})


def test_planted_values_by_period():
    v = common.planted_values(TRUTH, "completions", value="planted_coefficient")
    assert v == {"pre": 0.0, "announce": 0.25, "quota": 1.0, "post_suspension": 0.0}
    assert np.isnan(common.planted_values(TRUTH, "asylum_grant")["post_suspension"])   # no row: NaN


def test_planted_event_path_by_fiscal_year():
    """The planted coefficient averaged over each fiscal year's days, minus the reference year's value."""
    p = common.planted_event_path(TRUTH, "completions", range(-3, 5), ref=-3, unit="fiscal_year",
                                  value="planted_coefficient")
    assert p.loc[0] == pytest.approx(1.0) and p.loc[1] == pytest.approx(1.0) and p.loc[2] == pytest.approx(1.0)
    assert p.loc[-1] == pytest.approx(0.25 * 185 / 365)        # 30 Mar - 30 Sep 2018 (185 days) at a quarter
    assert p.loc[3] == pytest.approx(18 / 365)                 # 1-18 Oct 2021 still under the quota
    assert p.loc[4] == 0 and p.loc[-3] == 0 and p.loc[-2] == 0
    assert common.planted_event_path(None, "completions", range(3), ref=0) is None


def test_planted_event_path_by_quarter_is_relative_to_the_reference_quarter():
    p = common.planted_event_path(TRUTH, "asylum_grant", range(-4, 12), ref=-3)
    in_ref = 2 / 90 * -0.07                                     # 30-31 Mar 2018 of Jan-Mar 2018 are announced
    assert p.loc[-3] == 0 and p.loc[-4] == pytest.approx(-in_ref)
    assert p.loc[-2] == pytest.approx(-0.07 - in_ref) and p.loc[-1] == pytest.approx(-0.07 - in_ref)
    assert p.loc[0] == pytest.approx(-0.3 - in_ref) and p.loc[11] == pytest.approx(-0.3 - in_ref)
    assert np.isnan(common.planted_event_path(TRUTH, "asylum_grant", [12], ref=-3).loc[12])   # no post row
    with pytest.raises(ValueError, match="unit must be"):
        common.planted_event_path(TRUTH, "asylum_grant", [0], ref=-3, unit="month")


def test_with_truth_reads_the_planted_value_on_the_estimates_scale():
    est = pd.concat([_est(["bite:quota"], outcome="asylum_grant"),
                     _est(["bite:quota"], outcome="asylum_grant", scale="log-odds"),
                     _est(["bite:quota"], outcome="completions", scale="log-count")], ignore_index=True)
    assert common.with_truth(est, TRUTH)["truth"].tolist() == [-0.3, -2.0, 1.0]
    assert common.with_truth(est, None)["truth"].isna().all()
    assert models.check_tidy(common.with_truth(est, TRUTH)) is None


def test_attach_pressure_equals_the_merges_it_replaces():
    """attach_pressure looks values up on integer codes; the result is what the two many-to-one left merges give
    (row order, new index, dtypes, merge's _x/_y suffixes on a clash, date objects matching timestamps)."""
    import datetime

    judges = pd.DataFrame({"ij_code": ["A", "B", "C"], "bite": [0.1, 0.0, np.nan], "pace": [600.0, 800.0, np.nan],
                           "pace_band": pd.Series(["a", "b", None], dtype="str")})
    jm = pd.DataFrame({"ij_code": ["A", "A", "B"], "month": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-01-01"]),
                       "gap_share_lag": [0.1, 0.2, 0.3], "gap_cases_lag": [1.0, 2.0, 3.0]})
    months = [datetime.date(2019, m, 1) for m in (1, 1, 1, 2, 3, 2)]
    df = pd.DataFrame({"ij_code": ["A", "B", "Z", None, "C", "A"], "month": months, "pace": [1, 2, 3, 4, 5, 6]},
                      index=[5, 4, 3, 2, 1, 0])
    ref = df.merge(judges, on="ij_code", how="left", validate="many_to_one")
    ref = ref.assign(_m=pd.to_datetime(ref["month"])).merge(
        jm.rename(columns={"month": "_m"}), on=["ij_code", "_m"], how="left", validate="many_to_one").drop(columns="_m")
    pd.testing.assert_frame_equal(common.attach_pressure(df, judges, jm), ref)
    pd.testing.assert_frame_equal(common.attach_pressure(df.drop(columns="pace"), judges),
                                  df.drop(columns="pace").merge(judges, on="ij_code", how="left"))
    with pytest.raises(pd.errors.MergeError):
        common.attach_pressure(df, pd.concat([judges, judges]), jm)


def test_categorical_design_ids_carry_the_string_labels():
    """add_design_columns(ids="category"): the same labels as the string ids (missing court -> missing id), with
    sorted categories so that grouping orders cells as the strings would."""
    dates = ["2019-10-01", "2018-04-02", "2017-12-31", "2021-10-19", "2019-10-01"]
    d = pd.DataFrame({"adj_date": pd.to_datetime(dates),
                      "court": pd.Series(["X", "Y", None, "X", "Y"], dtype="str"), "ij_code": ["B", "A", "A", "B", "C"],
                      "fiscal_year": [2020, 2018, 2018, 2022, 2020]})
    d["week"] = d["adj_date"] - pd.to_timedelta(d["adj_date"].dt.day_of_week, unit="D")
    s = common.add_design_columns(d, "adj_date")
    c = common.add_design_columns(d.copy(), "adj_date", ids="category")
    for col in s.columns:
        if isinstance(c[col].dtype, pd.CategoricalDtype):
            assert list(c[col].cat.categories) == sorted(c[col].cat.categories)
            assert c[col].astype(str).fillna("<NA>").tolist() == s[col].fillna("<NA>").tolist(), col
        else:
            pd.testing.assert_series_equal(c[col], s[col], check_names=False)
