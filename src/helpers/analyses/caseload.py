"""Judges' caseloads against the 700 target, the first stage of the quota, and the pressure measures.

Design functions for notebooks ``02_caseloads_and_target`` and ``03_quota_pressure``. Every function takes and
returns DataFrames; estimates are tidy frames from :mod:`helpers.models` with an added ``design`` column.
Definitions (fiscal years, completions, pace, bite, the gap to the 700 path) are those of ``docs/DATAFLOW.md`` §3
and ``data/CODEBOOK.md``; this module adds only the sample rules below.

* **Months on the bench** of a judge: the calendar months from the judge's first to last month with at least one
  completion (inclusive). Months before a judge's first completion (stray schedule rows under a code that is
  not yet sitting) and after the last one (cases of a departed judge still being moved) are not judge-months
  of work; keeping them makes a judge with no pre-policy completions look like a judge who sped up.
* **Full-year judge**: on the bench in all 12 months of the fiscal year; otherwise **part-year**, compared with
  the target on its annualised count (completions ÷ months on the bench in the year × 12).
* A fiscal year is used only when the data cover all of it (through September).

Models (each cluster-robust by judge; see :func:`helpers.models.did_dose`):

* first stage (D2): ``completions_jm ~ bite_j×announce_m + bite_j×quota_m + bite_j×post_suspension_m | judge + month``,
  Poisson (``fepois``: log-count scale, the generator's ``completions`` coefficient) or linear (``feols``);
* event study (D4): ``bite_j × 1[FY = y]`` relative to a reference year, same effects;
* within-year gap (D3): ``completions_jm ~ gap_share_lag_jm × (1, announce, quota, post_suspension) | judge×FY + month``:
  the plain ``gap_share_lag`` term is the pre-quota (mechanical and seasonal) slope, ``gap_share_lag:quota`` the
  quota-specific change (a triple difference against pre-quota years).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers import QUOTA_NEEDS_IMPROVEMENT, QUOTA_TARGET
from helpers import models, pressure
from helpers.analyses import common
from helpers.models import ModelInputError, require_columns, tidy_frame

#: The dose × period terms of the first stage, named as in the generator's ``truth/effects_truth.csv``.
PERIOD_DUMMIES = ("quota", "announce", "post_suspension")
#: Fiscal years compared in the bunching figures (three pre-quota and the three quota years).
PERIODS_FY: dict[str, tuple[int, int]] = {"FY2016-FY2018": (2016, 2018), "FY2019-FY2021": (2019, 2021)}
#: COVID-19 months dropped in the robustness check (non-detained hearings postponed from mid-March 2020;
#: staggered reopening through June 2021: DESIGNS.md D3).
COVID_MONTHS = ("2020-03-01", "2021-06-01")
FIRST_QUOTA_FY = 2019


# --------------------------------------------------------------------------------------------- utilities

def _month_index(month: pd.Series) -> pd.Series:
    return pressure.month_index(pd.to_datetime(month))


def last_data_month(judge_month: pd.DataFrame) -> pd.Timestamp:
    """First day of the last month the data cover: the month of ``attrs["data_cut"]``, else the panel's last month."""
    cut = judge_month.attrs.get("data_cut")
    last = pd.to_datetime(judge_month["month"]).max()
    if cut:
        last = min(last, pd.Timestamp(cut).to_period("M").to_timestamp())
    return last


def complete_fiscal_years(judge_month: pd.DataFrame) -> list[int]:
    """Fiscal years whose 12 months are all covered by the panel (October through September, up to the data cut)."""
    months = pd.to_datetime(judge_month["month"])
    first, last = months.min(), last_data_month(judge_month)
    fy = range(int(judge_month["fiscal_year"].min()), int(judge_month["fiscal_year"].max()) + 1)
    return [y for y in fy if pd.Timestamp(year=y - 1, month=10, day=1) >= first
            and pd.Timestamp(year=y, month=9, day=1) <= last]


def bench_span(judge_month: pd.DataFrame, count: str = "completions") -> pd.DataFrame:
    """First and last month with at least one completion, per judge (``bench_first``, ``bench_last``)."""
    require_columns(judge_month, ["ij_code", "month", count], "bench_span")
    done = judge_month[judge_month[count] > 0]
    span = done.groupby("ij_code")["month"].agg(bench_first="min", bench_last="max")
    return span.reset_index()


def bench_in_window(judge_month: pd.DataFrame, window: tuple[int, int] = pressure.PRE_FY) -> pd.Series:
    """Months each judge was on the bench (first to last month with a completion) within the fiscal years of
    ``window`` (default the FY2017–FY2018 pace window), indexed by ``ij_code`` (0 when none).

    The codebook's pace counts months from the first to the last month with a *held* hearing or a completion
    (already undefined below six months). This stricter sample rule also requires six months between the first
    and last *completion* in the window, so a judge who only held master hearings there (e.g. newly arrived)
    does not enter the dose-response designs with pace near 0 and bite near 1.
    """
    span = bench_span(judge_month)
    lo = pd.Timestamp(year=window[0] - 1, month=10, day=1)
    hi = pd.Timestamp(year=window[1], month=9, day=1)
    a = _month_index(span["bench_first"].clip(lower=lo))
    b = _month_index(span["bench_last"].clip(upper=hi))
    months = (b - a + 1).clip(lower=0)
    out = pd.Series(months.to_numpy(), index=span["ij_code"].to_numpy(), name="bench_months_in_window")
    return out.reindex(judge_month["ij_code"].unique(), fill_value=0)


def on_bench(judge_month: pd.DataFrame) -> pd.DataFrame:
    """The judge-months on the bench (first to last month with a completion), up to the data cut.

    Adds ``bench_first``, ``bench_last``; keeps ``attrs``. Judges who never complete a case have no months.
    """
    out = judge_month.merge(bench_span(judge_month), on="ij_code", how="inner")
    m = pd.to_datetime(out["month"])
    keep = (m >= out["bench_first"]) & (m <= out["bench_last"]) & (m <= last_data_month(judge_month))
    out = out.loc[keep].reset_index(drop=True)
    out.attrs = dict(judge_month.attrs)
    return out


# --------------------------------------------------------------------------------------------- judge-years

def judge_years(judge_month: pd.DataFrame, fy_min: int | None = None, fy_max: int | None = None,
                court: str | list | None = None) -> pd.DataFrame:
    """One row per judge × complete fiscal year on the bench.

    Columns: ``ij_code, fiscal_year, court`` (the court of most of the judge's bench months that year),
    ``completions`` and ``completions_dispositive`` (codebook definitions; counts in the year),
    ``bench_months`` (months on the bench in the year, 1–12), ``full_year`` (= 12),
    ``completions_annualised`` / ``completions_dispositive_annualised`` (count ÷ bench_months × 12), and the
    judge's pre-policy ``pace``, ``bite``, ``pace_band``. ``court`` filters on that court.
    """
    require_columns(judge_month, ["ij_code", "month", "fiscal_year", "court", "completions", "completions_dispositive"],
             "judge_years")
    jm = on_bench(judge_month)
    jm = jm[jm["fiscal_year"].isin(complete_fiscal_years(judge_month))]
    g = jm.groupby(["ij_code", "fiscal_year"])
    out = g.agg(completions=("completions", "sum"), completions_dispositive=("completions_dispositive", "sum"),
                bench_months=("month", "size"),
                court=("court", lambda s: s.mode().iat[0] if s.notna().any() else pd.NA)).reset_index()
    out["full_year"] = out["bench_months"] == 12
    for c in ("completions", "completions_dispositive"):
        out[f"{c}_annualised"] = out[c] / out["bench_months"] * 12.0
    judge_cols = [c for c in ("pace", "bite", "pace_band") if c in judge_month.columns]
    if judge_cols:
        per_judge = judge_month.drop_duplicates("ij_code").set_index("ij_code")[judge_cols]
        out = out.join(per_judge, on="ij_code")
    out = common.window(out, fy_min, fy_max, court)
    out = out.sort_values(["fiscal_year", "ij_code"]).reset_index(drop=True)
    out.attrs = {k: v for k, v in judge_month.attrs.items() if k in ("data_source", "data_cut")}
    return out


def target_bands(count: pd.Series, target: float = QUOTA_TARGET,
                 needs_improvement: float = QUOTA_NEEDS_IMPROVEMENT) -> pd.Series:
    """``700_plus`` (satisfactory count), ``560_to_699`` (needs improvement), ``below_560`` (unsatisfactory)."""
    bands = np.select([count >= target, count >= needs_improvement], ["700_plus", "560_to_699"], "below_560")
    return pd.Series(bands, index=count.index, dtype="str")


def target_shares(judge_years_df: pd.DataFrame, measure: str = "completions") -> pd.DataFrame:
    """Share of judges meeting 700 and 560 by fiscal year, for full-year and part-year judges.

    Full-year judges are compared on their count, part-year judges on the annualised count
    (``<measure>_annualised``). For each fiscal year and group: ``judges`` (the denominator: judges of that
    group on the bench that year), ``share_700`` (count ≥ 700), ``share_560`` (count ≥ 560, i.e. at least
    "needs improvement"), ``share_below_560`` and the ``median`` count. ``measure`` is ``completions`` or
    ``completions_dispositive``.
    """
    require_columns(judge_years_df, [measure, f"{measure}_annualised", "full_year", "fiscal_year"], "target_shares")
    d = judge_years_df.assign(group=np.where(judge_years_df["full_year"], "full-year", "part-year (annualised)"))
    d["count"] = np.where(d["full_year"], d[measure], d[f"{measure}_annualised"])
    rows = []
    for (fy, grp), g in d.groupby(["fiscal_year", "group"], sort=True):
        c = g["count"]
        rows.append({"fiscal_year": int(fy), "group": grp, "measure": measure, "judges": len(g),
                     "share_700": float((c >= QUOTA_TARGET).mean()),
                     "share_560": float((c >= QUOTA_NEEDS_IMPROVEMENT).mean()),
                     "share_below_560": float((c < QUOTA_NEEDS_IMPROVEMENT).mean()),
                     "median": float(c.median())})
    return pd.DataFrame(rows)


def bunching(judge_years_df: pd.DataFrame, measure: str = "completions", cutoff: float = QUOTA_TARGET,
             h: float = 50.0, periods: Mapping[str, tuple[int, int]] = PERIODS_FY, n_boot: int = 999,
             seed: int = 20181001) -> pd.DataFrame:
    """Bunching just above the target: among full-year judge-years with a count within ``h`` of ``cutoff``, the
    share at or above it, by period, and the change between the two periods.

    With a density that is smooth near the cutoff the share is about 0.5 (a little less where the density
    falls); bunching at the target pushes it up. Rows (tidy): ``share_above_<cutoff>[<period>]`` for each period
    and ``share_above_<cutoff>:change`` (last period − first). Standard errors and 95% percentile intervals from
    ``n_boot`` bootstrap resamples of judges (all of a judge's years together; seed fixed); p-values: the
    period shares against 0.5, the change against 0 (two-sided bootstrap). ``n_obs`` = judge-years in the
    window, ``n_clusters`` = judges.
    """
    require_columns(judge_years_df, [measure, "full_year", "fiscal_year", "ij_code"], "bunching")
    d = judge_years_df[judge_years_df["full_year"]].copy()
    d["period"] = common.fiscal_year_label(d["fiscal_year"], periods)
    d = d[d["period"].notna() & ((d[measure] - cutoff).abs() < h)]
    names = list(periods)
    if len(names) != 2:
        raise ModelInputError(f"bunching: give exactly two periods, got {names}")
    counts = d.groupby("period").size().reindex(names, fill_value=0)
    if (counts < 5).any():
        raise ModelInputError(f"bunching: fewer than 5 full-year judge-years within {h:g} of {cutoff:g} in "
                              f"{', '.join(counts[counts < 5].index)}")
    judges = np.sort(d["ij_code"].unique())
    jid = np.searchsorted(judges, d["ij_code"].to_numpy())
    above = (d[measure].to_numpy() >= cutoff).astype(float)
    per = (d["period"].to_numpy()[:, None] == np.array(names)[None, :]).astype(float)

    def stats_of(w: np.ndarray) -> np.ndarray:
        n = (w[:, None] * per).sum(0)
        s = (w[:, None] * per * above[:, None]).sum(0) / np.where(n > 0, n, np.nan)
        return np.append(s, s[1] - s[0])

    point = stats_of(np.ones(len(d)))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(judges), size=(n_boot, len(judges)))
    boot = np.array([stats_of(np.bincount(b, minlength=len(judges))[jid].astype(float)) for b in draws])
    se = np.nanstd(boot, axis=0, ddof=1)
    lo, hi = np.nanpercentile(boot, 2.5, axis=0), np.nanpercentile(boot, 97.5, axis=0)
    null = np.array([0.5, 0.5, 0.0])
    centred = boot - point + null                      # bootstrap distribution under the null
    p = np.array([min(1.0, 2 * min(np.nanmean(centred[:, k] >= point[k]), np.nanmean(centred[:, k] <= point[k])))
                  for k in range(3)])
    c = f"{cutoff:g}"
    terms = [f"share_above_{c}[{names[0]}]", f"share_above_{c}[{names[1]}]", f"share_above_{c}:change"]
    out = tidy_frame(terms, point, se, n_obs=len(d), n_clusters=len(judges), model="bootstrap_judges",
                     outcome=measure, scale="share", ci=(lo, hi), p_value=p)
    out["design"] = f"bunching within {h:g} of {c}"
    return out


def histogram(judge_years_df: pd.DataFrame, measure: str = "completions", width: float = 50.0,
              periods: Mapping[str, tuple[int, int]] = PERIODS_FY) -> pd.DataFrame:
    """Full-year judge-year counts in bins of ``width`` cases, by period (share of the period's judge-years)."""
    d = judge_years_df[judge_years_df["full_year"]].copy()
    d["period"] = common.fiscal_year_label(d["fiscal_year"], periods)
    d = d[d["period"].notna()]
    d["bin_start"] = np.floor(d[measure] / width) * width
    out = d.groupby(["period", "bin_start"]).size().rename("judge_years").reset_index()
    out["share"] = out["judge_years"] / out.groupby("period")["judge_years"].transform("sum")
    return out


# --------------------------------------------------------------------------------------------- design panels

def design_panel(judge_month: pd.DataFrame, fy_min: int | None = None, fy_max: int | None = None,
                 court: str | list | None = None, require_bite: bool = True,
                 balanced: tuple[int, int] | None = None, drop_months: tuple[str, str] | None = None,
                 drop_fy: Sequence[int] = (), min_window_months: int = pressure.MIN_PRE_MONTHS) -> pd.DataFrame:
    """The judge-month panel for the first-stage and gap designs.

    Rows: months on the bench (see the module docstring) within ``fy_min``–``fy_max`` and ``court``; with
    ``require_bite`` only judges with a defined pre-policy bite (FY2017–FY2018 pace; the codebook) and at least
    ``min_window_months`` months on the bench in that window (:func:`bench_in_window`); with
    ``balanced=(a, b)`` only judges on the bench from the start of FY a to the end of FY b (no new or departing
    judges); ``drop_months=(first, last)`` removes those calendar months (e.g. :data:`COVID_MONTHS`);
    ``drop_fy`` removes fiscal years (e.g. the bite window 2017, 2018).
    Adds the policy dummies ``announce``, ``quota``, ``post_suspension`` (``helpers.analyses.common``), ``judge``,
    ``month_id`` (YYYY-MM), ``court_month``, ``judge_fy``, ``rel_fy`` (fiscal year − 2019) and ``rel_quarter``.
    """
    require_columns(judge_month, ["ij_code", "month", "fiscal_year", "court", "completions", "bite", "gap_share_lag"],
             "design_panel")
    d = on_bench(judge_month)
    if require_bite:
        ok = bench_in_window(judge_month) >= min_window_months
        d = d[d["bite"].notna() & d["ij_code"].map(ok).fillna(False).astype(bool)]
    if balanced is not None:
        a, b = balanced
        d = d[(d["bench_first"] <= pd.Timestamp(year=a - 1, month=10, day=1))
              & (d["bench_last"] >= pd.Timestamp(year=b, month=9, day=1))]
    d = common.window(d, fy_min, fy_max, court)
    if drop_months is not None:
        m = pd.to_datetime(d["month"])
        d = d[(m < pd.Timestamp(drop_months[0])) | (m > pd.Timestamp(drop_months[1]))]
    if len(drop_fy):
        d = d[~d["fiscal_year"].isin(list(drop_fy))]
    if d.empty:
        raise ModelInputError("design_panel: no judge-months left after the sample rules (fy "
                              f"{fy_min}-{fy_max}, court {court!r}, bite required {require_bite}, balanced {balanced})")
    d = common.add_design_columns(d.reset_index(drop=True), "month")
    d["judge"] = d["ij_code"].astype(str)
    d["month_id"] = pd.to_datetime(d["month"]).dt.strftime("%Y-%m")
    d["rel_fy"] = (d["fiscal_year"] - FIRST_QUOTA_FY).astype("int64")
    d.attrs = {k: v for k, v in judge_month.attrs.items() if k in ("data_source", "data_cut")}
    return d


def first_stage(panel: pd.DataFrame, outcome: str = "completions", method: str = "fepois", dose: str = "bite",
                fe: str = "judge + month_id", cluster: str = "judge",
                periods: Sequence[str] = PERIOD_DUMMIES, design: str | None = None) -> pd.DataFrame:
    """Dose-response DiD of monthly completions on pre-policy bite (D2): did pace rise after FY2019, more with bite?

    ``outcome_jm ~ dose_j × quota_m (+ dose_j × announce_m + dose_j × post_suspension_m) | fe``, clustered by
    judge. ``method="fepois"``: Poisson, coefficients are log rate ratios per unit of bite (bite 0 → 1), the
    scale of the generator's ``completions`` coefficient; ``"feols"``: completions per judge-month per unit of
    bite (an additive model; with multiplicative month shocks it is not the generator's ``ame``, so no planted
    value is shown for it). Periods without variation in the panel are left out.
    """
    present = common.periods_in(panel, periods)
    if "quota" not in present:
        raise ModelInputError("first_stage: the panel has no quota-period months (or only those); widen the window")
    others = [p for p in present if p != "quota"]
    est = models.did_dose(panel, outcome, dose, "quota", fe, cluster, extra_terms=common.period_terms(dose, others),
                          method=method)
    return common.label_design(est, design or f"D2 first stage ({'Poisson' if method == 'fepois' else 'linear'})")


def fit_on(fn: Callable[..., pd.DataFrame], judge_month: pd.DataFrame, panel: Mapping | None = None,
           **kwargs) -> pd.DataFrame:
    """``fn(design_panel(judge_month, **panel), **kwargs)``: a design on a robustness sample in one call
    (e.g. ``fit_on(first_stage, jm, {"balanced": (2017, 2020)})``), so ``common.try_design`` covers both steps."""
    return fn(design_panel(judge_month, **dict(panel or {})), **kwargs)


def first_stage_event(panel: pd.DataFrame, outcome: str = "completions", ref_fy: int = 2016, method: str = "fepois",
                      dose: str = "bite", fe: str = "judge + month_id", cluster: str = "judge") -> pd.DataFrame:
    """Event study by fiscal year (D4): ``dose_j × 1[FY = y]`` for every year but ``ref_fy``, judge and month effects.

    ``rel_period`` = fiscal year − 2019 (FY2019 = 0). The reference defaults to FY2016, the last year before the
    FY2017–FY2018 window that defines bite: in that window a slow year *is* a high bite, so its coefficients are
    mechanically negative and say nothing about trends. Pre-trend test: the years before ``ref_fy``.
    """
    est = models.event_study(panel, outcome, dose, "rel_fy", ref_fy - FIRST_QUOTA_FY, fe, cluster, method=method)
    est["fiscal_year"] = (est["rel_period"] + FIRST_QUOTA_FY).astype("Int64")
    return common.label_design(est, f"D4 event study by fiscal year ({'Poisson' if method == 'fepois' else 'linear'})")


def gap_design(panel: pd.DataFrame, outcome: str = "completions", method: str = "fepois",
               fe: str = "judge_fy + month_id", cluster: str = "judge",
               periods: Sequence[str] = PERIOD_DUMMIES, design: str | None = None) -> pd.DataFrame:
    """Within-year pressure (D3): this month's completions on last month's gap to the 700 path, judge×FY effects.

    ``outcome_jm ~ g + g × announce + g × quota + g × post_suspension | judge×FY + month``, g = ``gap_share_lag``
    (cases behind the pro-rata path at the end of the previous fiscal month ÷ 700; 0 in October). With
    judge×FY effects the plain ``g`` slope is positive even without any behaviour: a judge whose early months
    were fast has a smaller gap and, the year's level being fixed, slower later months. The pre-quota years
    estimate that mechanical slope; ``gap_share_lag:quota`` is the quota-specific change (the generator's
    ``completions`` gap coefficient on the log scale when ``method="fepois"``).

    Caveat (measured on the synthetic sample releases, ``tests/analyses/test_caseload.py``): the mechanical slope
    is not the same in every period. When completions react to the gap (and when months of closures open large
    gaps, as in FY2020–FY2021), the lagged gap feeds back into later months differently from pre-quota years,
    so the triple difference removes the mechanical slope only approximately; with the default planted effect
    (0.3) the quota term came out 0.36 and 0.50 on two seeds, above the planted value.
    """
    g = "gap_share_lag"
    present = common.periods_in(panel, periods)
    if "quota" not in present:
        raise ModelInputError("gap_design: the panel has no quota-period months (or only those)")
    others = [p for p in present if p != "quota"]
    est = models.did_dose(panel, outcome, g, "quota", fe, cluster, extra_terms=[g] + common.period_terms(g, others),
                          method=method)
    kind = "Poisson" if method == "fepois" else "linear"
    return common.label_design(est, design or f"D3 within-year gap ({kind}), judge x FY effects")


# --------------------------------------------------------------------------------------------- threats

def placebo_bite(judge_month: pd.DataFrame, window: tuple[int, int] = (2015, 2016)) -> pd.DataFrame:
    """Pace and bite computed as in the codebook but on an earlier two-year ``window`` (default FY2015–FY2016).

    Months on the bench in the window are those with any activity (``active``: a scheduled hearing or a
    completion), as for the real pace. Returns ``ij_code, pace_placebo, bite_placebo``.
    """
    require_columns(judge_month, ["ij_code", "month", "completions", "active"], "placebo_bite")
    jm = judge_month.assign(month=pd.to_datetime(judge_month["month"]))
    act = jm.loc[jm["active"], ["ij_code", "month"]]
    pace = pressure.pre_policy_pace(jm[["ij_code", "month", "completions"]], act, pre_fy=window)
    pace = pace.rename(columns={"pace": "pace_placebo", "bite": "bite_placebo"})
    return pace[["ij_code", "pace_placebo", "bite_placebo"]]


def placebo_first_stage(judge_month: pd.DataFrame, window: tuple[int, int] = (2015, 2016),
                        test: tuple[str, str] = ("2016-10-01", "2018-03-01"), fy_min: int | None = None,
                        court: str | list | None = None, method: str = "fepois",
                        fe: str = "judge + month_id") -> pd.DataFrame:
    """Mean-reversion placebo: bite from FY2015–FY2016 'tested' on Oct 2016 – Mar 2018, before any quota news.

    Sample: months on the bench before the announcement month's end (to ``test[1]``), of judges with a defined
    placebo bite. ``completions ~ bite_placebo × placebo_post | judge + month``, placebo_post = 1 from
    ``test[0]``. A positive coefficient is what slow years followed by normal ones (mean reversion, new
    judges' ramp-up) produce without any policy — the bias the real design would inherit.
    """
    pb = placebo_bite(judge_month, window)
    jm = judge_month.drop(columns=[c for c in ("bite_placebo", "pace_placebo") if c in judge_month.columns])
    jm = jm.merge(pb, on="ij_code", how="left")
    jm.attrs = dict(judge_month.attrs)
    d = on_bench(jm)
    m = pd.to_datetime(d["month"])
    d = d[d["bite_placebo"].notna() & (m <= pd.Timestamp(test[1]))]
    d = common.window(d, fy_min, None, court)
    if d.empty:
        raise ModelInputError("placebo_first_stage: no judge-months with a placebo bite before the announcement")
    d = d.assign(placebo_post=(pd.to_datetime(d["month"]) >= pd.Timestamp(test[0])).astype("float64"),
                 judge=d["ij_code"].astype(str), month_id=pd.to_datetime(d["month"]).dt.strftime("%Y-%m"))
    est = models.did_dose(d, "completions", "bite_placebo", "placebo_post", fe, "judge", method=method)
    return common.label_design(est, f"placebo: FY{window[0]}-FY{window[1]} bite, {test[0][:7]} to {test[1][:7]}")


def docket_shift(panel: pd.DataFrame, shares: Sequence[str] = ("detained_share", "asylum_share"),
                 fe: str = "judge + month_id") -> pd.DataFrame:
    """Did high-bite judges' dockets change after FY2019? ``share_jm ~ bite × periods | judge + month`` (linear).

    ``detained_share`` = detained completions ÷ completions, ``asylum_share`` = completions with an asylum
    application ÷ completions (codebook); months with no completions have no share and are left out. A
    non-zero ``bite:quota`` here means the first stage partly measures docket switches (e.g. to faster dockets).
    """
    out = []
    for s in shares:
        d = panel[panel[s].notna()]
        present = [p for p in common.periods_in(d) if p != "quota"]
        est = models.did_dose(d, s, "bite", "quota", fe, "judge", extra_terms=common.period_terms("bite", present))
        out.append(common.label_design(est, "docket composition (linear)"))
    return models.stack_estimates(out)


# --------------------------------------------------------------------------------------------- pressure measures (nb 03)

def bite_by(judges: pd.DataFrame, by: str = "pace_band") -> pd.DataFrame:
    """Judges with a defined bite, by ``by`` (``pace_band`` or ``home_court``): how many, mean and median pace and
    bite, and the share with any bite (pace below 700). Bite is a share of the 700 target (codebook)."""
    require_columns(judges, ["ij_code", "pace", "bite", by], "bite_by")
    d = judges[judges["bite"].notna()]
    out = d.groupby(by, observed=True).agg(judges=("ij_code", "size"), mean_pace=("pace", "mean"),
                                           median_pace=("pace", "median"), mean_bite=("bite", "mean"),
                                           median_bite=("bite", "median"),
                                           share_with_bite=("bite", lambda b: float((b > 0).mean())))
    return out.reset_index()


def bite_terciles(judges: pd.DataFrame) -> pd.Series:
    """Bite terciles of the judges with a defined bite, formed on pace (bite = max(0, 700 − pace)/700 is a
    decreasing function of pace but is 0 for every judge above 700, so terciles of bite itself are not
    defined when a third of judges have none): ``T1 low bite`` (fastest third) … ``T3 high bite`` (slowest)."""
    d = judges.loc[judges["bite"].notna()].set_index("ij_code")["pace"]
    if d.nunique() < 3:
        raise ModelInputError(f"bite_terciles: need at least 3 distinct paces, found {d.nunique()}")
    t = pd.qcut(-d, 3, labels=["T1 low bite", "T2", "T3 high bite"])
    return t.astype("str").rename("bite_tercile")


def gap_paths(judge_month: pd.DataFrame, groups: pd.Series | None = None,
              fy_groups: Mapping[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Average end-of-month gap to the 700 path through the fiscal year (full-year judges on the bench).

    For each fiscal-year group (default: pre-quota FY2014–FY2018, quota FY2019–FY2021, after FY2022–FY2024),
    optional judge ``groups`` (a Series indexed by ``ij_code``, e.g. :func:`bite_terciles`) and fiscal month
    (1 = October): ``mean_gap_share`` (gap ÷ 700; positive = behind), its 10th and 90th percentiles,
    ``share_behind`` and ``judge_years``. Complete fiscal years only.
    """
    fy_groups = fy_groups or {"pre-quota FY2014-FY2018": (2014, 2018), "quota FY2019-FY2021": (2019, 2021),
                              "after FY2022-FY2024": (2022, 2024)}
    jm = on_bench(judge_month)
    jm = jm[jm["fiscal_year"].isin(complete_fiscal_years(judge_month))]
    full = jm.groupby(["ij_code", "fiscal_year"])["month"].transform("size") == 12
    jm = jm[full].copy()
    jm["fy_group"] = common.fiscal_year_label(jm["fiscal_year"], fy_groups)
    jm = jm[jm["fy_group"].notna()]
    keys = ["fy_group"]
    if groups is not None:
        jm = jm.merge(groups.rename("group"), left_on="ij_code", right_index=True, how="inner")
        keys.append("group")
    out = jm.groupby(keys + ["fiscal_month"]).agg(
        mean_gap_share=("gap_share", "mean"), p10_gap_share=("gap_share", lambda s: s.quantile(0.1)),
        p90_gap_share=("gap_share", lambda s: s.quantile(0.9)), share_behind=("behind", "mean"),
        judge_years=("gap_share", "size")).reset_index()
    rank = out["fy_group"].map({name: k for k, name in enumerate(fy_groups)})
    out = out.assign(_rank=rank).sort_values(["_rank"] + keys[1:] + ["fiscal_month"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def example_path(judge_month: pd.DataFrame, ij_code: str, fiscal_year: int) -> pd.DataFrame:
    """One judge-year month by month: completions, cumulative completions, the 700 path, the gap and its lag."""
    cols = ["month", "fiscal_month", "completions", "cum_completions_fy", "path_700", "gap_cases", "gap_share",
            "gap_cases_lag", "gap_share_lag"]
    d = judge_month[(judge_month["ij_code"] == ij_code) & (judge_month["fiscal_year"] == fiscal_year)]
    if d.empty:
        raise ModelInputError(f"example_path: judge {ij_code!r} has no months in FY{fiscal_year}")
    out = d[cols].sort_values("fiscal_month").reset_index(drop=True)
    out["month"] = pd.to_datetime(out["month"]).dt.strftime("%Y-%m")
    return out


def pick_example_judge(judge_years_df: pd.DataFrame, fiscal_year: int = 2019) -> str | None:
    """A full-year judge in ``fiscal_year`` whose count is closest to 700 (for the worked example); None if none."""
    d = judge_years_df[(judge_years_df["fiscal_year"] == fiscal_year) & judge_years_df["full_year"]]
    if d.empty:
        return None
    return str(d.loc[(d["completions"] - QUOTA_TARGET).abs().idxmin(), "ij_code"])


def docket_profile(judge_month: pd.DataFrame, judges: pd.DataFrame,
                   window: tuple[int, int] = pressure.PRE_FY) -> pd.DataFrame:
    """Each judge's docket in the pace window: ``detained_share_pre`` (detained completions ÷ completions) and
    ``asylum_share_pre`` (completions with an asylum application ÷ completions), FY2017–FY2018 by default,
    with ``pace``, ``bite``, ``pace_band``, ``home_court``; judges with a defined bite only."""
    require_columns(judge_month, ["ij_code", "fiscal_year", "completions", "detained_completions",
                           "asylum_case_completions"], "docket_profile")
    w = judge_month[(judge_month["fiscal_year"] >= window[0]) & (judge_month["fiscal_year"] <= window[1])]
    s = w.groupby("ij_code")[["completions", "detained_completions", "asylum_case_completions"]].sum()
    s = s[s["completions"] > 0]
    prof = pd.DataFrame({"detained_share_pre": s["detained_completions"] / s["completions"],
                         "asylum_share_pre": s["asylum_case_completions"] / s["completions"]})
    cols = [c for c in ("ij_code", "pace", "bite", "pace_band", "home_court") if c in judges.columns]
    out = judges.loc[judges["bite"].notna(), cols].merge(prof, left_on="ij_code", right_index=True, how="inner")
    return out.reset_index(drop=True)


def docket_correlations(profile: pd.DataFrame, shares: Sequence[str] = ("detained_share_pre", "asylum_share_pre")
                        ) -> pd.DataFrame:
    """Pearson correlations of pace and bite with the docket shares, across judges (with the number of judges)."""
    rows = []
    for s in shares:
        for m in ("pace", "bite"):
            d = profile[[s, m]].dropna()
            r = float(d[s].corr(d[m])) if len(d) > 2 and d[s].std() > 0 and d[m].std() > 0 else np.nan
            rows.append({"measure": m, "docket_share": s, "correlation": r, "judges": len(d)})
    return pd.DataFrame(rows)


def residualised_pace(profile: pd.DataFrame, covariates: Sequence[str] = ("detained_share_pre", "asylum_share_pre"),
                      court_effects: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pace net of docket type: OLS of pace on the docket shares (and court effects if asked), across judges.

    Returns (profile with ``pace_resid`` = mean pace + residual and ``bite_resid`` = max(0, 700 − pace_resid)/700,
    the tidy OLS estimates with heteroskedasticity-robust errors). The residualised bite compares judges with the
    same docket mix, as DESIGNS.md (D2, docket type) recommends; it removes only what the shares measure.
    """
    fml = f"pace ~ {' + '.join(covariates)}" + (" | home_court" if court_effects else "")
    d = profile.dropna(subset=["pace", *covariates]).reset_index(drop=True)
    est = models.feols(d, fml, vcov="hetero")
    x = d[list(covariates)].to_numpy(dtype=float)
    b = est.set_index("term").loc[list(covariates), "estimate"].to_numpy()
    centred = x - x.mean(axis=0)
    if court_effects:
        centred = x - d.groupby("home_court")[list(covariates)].transform("mean").to_numpy()
        pace_c = d["pace"] - d.groupby("home_court")["pace"].transform("mean") + d["pace"].mean()
    else:
        pace_c = d["pace"]
    d["pace_resid"] = pace_c - centred @ b
    d["bite_resid"] = np.maximum(0.0, QUOTA_TARGET - d["pace_resid"]) / QUOTA_TARGET
    est["design"] = "pace on docket shares (OLS, judges)"
    return d, est


__all__ = [
    "PERIOD_DUMMIES", "PERIODS_FY", "COVID_MONTHS", "FIRST_QUOTA_FY", "last_data_month", "complete_fiscal_years",
    "bench_span", "bench_in_window", "on_bench", "judge_years", "target_bands", "target_shares",
    "bunching", "histogram", "design_panel", "first_stage", "fit_on", "first_stage_event", "gap_design", "placebo_bite",
    "placebo_first_stage", "docket_shift", "bite_by", "bite_terciles", "gap_paths", "example_path",
    "pick_example_judge", "docket_profile", "docket_correlations", "residualised_pace",
]
