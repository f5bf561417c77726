"""Tables and figures of the validation study for notebook 07 (read from the committed results, never recomputed).

Every number here describes how the designs behave on *generated* releases (``helpers.synth``), not anything about
real judges or courts. Definitions of the statistics: :mod:`helpers.validation.summary`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.validation import scenarios as sc
from helpers.validation.designs import ALL_MONTHS, DESIGNS, NO_COVID
from helpers.validation.runner import output_paths, read_estimates, read_runs
from helpers.validation.summary import summarize

#: The term each design is judged on (its headline estimand).
HEADLINE = {d.key: ("pretrend (quarters -8 to -4)" if "pretrend" in d.key else
                    "bite:placebo[2016-10-01]" if d.key == "asylum_placebo_dates" else
                    "level:quota" if d.key == "asylum_its" else
                    "gap_share_lag:quota" if d.gap_term else "bite:quota") for d in DESIGNS}
LABELS = {d.key: d.label for d in DESIGNS}


def load_results(estimates_csv: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The study's estimates, runs and summary (the summary recomputed from the estimates, so they agree).

    Raises FileNotFoundError naming the missing file (run ``python -m helpers validate`` to make it)."""
    paths = output_paths(estimates_csv)
    for key in ("estimates", "runs"):
        if not paths[key].exists():
            raise FileNotFoundError(f"{paths[key]} not found: run `python -m helpers validate --out {paths['estimates']}`")
    est = read_estimates(paths["estimates"])
    runs = read_runs(paths["runs"])
    return est, runs, summarize(est)


def load_studies(main_csv: str | Path, extra_csvs=()) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """The main study plus supplementary studies of other designs (e.g. ``logit_jackknife_estimates.csv``, run with
    ``validate --designs``): estimates and runs stacked with a ``study`` column (the file's stem), the summary of all
    estimates, and a note for each supplementary file that does not exist (skipped, not an error).

    A supplementary study must not repeat a design of the main one (an error says which), since the summary is per
    design and scenario."""
    est, runs, _ = load_results(main_csv)

    def stem(path) -> str:
        return Path(path).stem.removesuffix("_estimates")
    est, runs = est.assign(study=stem(main_csv)), runs.assign(study=stem(main_csv))
    parts_e, parts_r, missing = [est], [runs], []
    for path in extra_csvs:
        if not Path(path).exists():
            missing.append(f"{path} not found (run `python -m helpers validate --designs ... --out {path}`)")
            continue
        e, r, _ = load_results(path)
        again = sorted(set(e["design"]) & set(pd.concat(parts_e)["design"]))
        if again:
            raise ValueError(f"{path}: design(s) {again} are already in another study; give each study its own designs")
        parts_e.append(e.assign(study=stem(path)))
        parts_r.append(r.assign(study=stem(path)))
    est_all = pd.concat(parts_e, ignore_index=True)
    return est_all, pd.concat(parts_r, ignore_index=True), summarize(est_all.drop(columns="study")), missing


def logit_comparison(table: pd.DataFrame) -> pd.DataFrame:
    """The logit designs' headline rows side by side, CRV1 against the one-step jackknife: rows design label,
    columns false-positive rate under ``none`` and coverage under ``full`` (with the replications estimated)."""
    t = table[table["design"].str.contains("logit") & table["scenario"].isin(["none", "full"])]
    if t.empty:
        return pd.DataFrame()
    rows = {}
    for label, g in t.groupby("label", sort=False):
        g = g.set_index("scenario")
        rows[label] = {
            "false-positive rate (none)": g["rejection_rate"].get("none", np.nan),
            "replications (none)": g["estimated"].get("none", np.nan),
            "coverage (full)": g["coverage"].get("full", np.nan),
            "replications (full)": g["estimated"].get("full", np.nan),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def scenario_table() -> pd.DataFrame:
    """The scenarios: name, label and what each tests."""
    return pd.DataFrame([{"scenario": s.name, "label": s.label, "what it tests": s.purpose}
                         for s in sc.SCENARIOS.values()])


def design_table() -> pd.DataFrame:
    """The designs: key, label, outcome, the scale of the estimate and the headline term."""
    return pd.DataFrame([{"design": d.key, "label": d.label, "outcome": d.outcome, "scale": d.scale,
                          "headline term": HEADLINE[d.key]} for d in DESIGNS])


def study_overview(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario (and study, with a ``study`` column from :func:`load_studies`): replications (ok, failed), seeds,
    scale, median and total run time (seconds of one process)."""
    if "study" in runs.columns:
        return pd.concat([study_overview(r.drop(columns="study")).assign(study=s)
                          for s, r in runs.groupby("study", sort=False)], ignore_index=True)
    g = runs.groupby("scenario", sort=False)
    out = pd.DataFrame({
        "replications": g.size(), "ok": g["status"].apply(lambda s: int((s == "ok").sum())),
        "seeds": g["seed"].apply(lambda s: f"{s.min()}-{s.max()}"), "scale": g["scale"].first(),
        "median_s": g["total_s"].median().round(0), "total_s": g["total_s"].sum().round(0),
        "judges_with_bite": g["judges_with_bite"].median(),
    })
    order = [n for n in sc.SCENARIOS if n in out.index]
    return out.loc[order].reset_index()


def headline(summary: pd.DataFrame, sample: str = ALL_MONTHS) -> pd.DataFrame:
    """One row per design × scenario: the headline term's statistics in ``sample`` (design order, scenario order)."""
    keep = summary[(summary["sample"] == sample)
                   & (summary["term"] == summary["design"].map(HEADLINE))].copy()
    keep["label"] = keep["design"].map(LABELS)
    rank_d = {k: i for i, k in enumerate(HEADLINE)}
    rank_s = {k: i for i, k in enumerate(sc.SCENARIOS)}
    keep = keep.sort_values(["design", "scenario"], key=lambda c: c.map(rank_d if c.name == "design" else rank_s))
    return keep.reset_index(drop=True)


def wide(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """``headline`` rows as design (rows) × scenario (columns) of one statistic."""
    w = table.pivot_table(index="label", columns="scenario", values=value, aggfunc="first", sort=False, dropna=False)
    return w.reindex(columns=[s for s in sc.SCENARIOS if s in w.columns])


def covid_comparison(summary: pd.DataFrame, scenario: str = "full") -> pd.DataFrame:
    """Bias and coverage of each design's headline term with and without the COVID-19 months (one scenario)."""
    rows = []
    for sample in (ALL_MONTHS, NO_COVID):
        h = headline(summary, sample)
        h = h[h["scenario"] == scenario].set_index("label")[["bias", "rmse", "coverage"]]
        rows.append(h.add_suffix(f" ({'all' if sample == ALL_MONTHS else 'no COVID'})"))
    return pd.concat(rows, axis=1).dropna(how="all")


def flagged(table: pd.DataFrame, nominal_coverage: float = 0.95, alpha: float = 0.05) -> dict[str, list[str]]:
    """Designs whose headline rates are off by more than two Monte Carlo standard errors of the nominal rate:
    ``over_rejecting`` (rejection rate above alpha where the null holds by construction, e.g. scenario ``none``)
    and ``under_covering`` (coverage below the nominal level in any scenario). Labels with their scenarios."""
    out: dict[str, list[str]] = {"over_rejecting": [], "under_covering": []}
    t = table[table["estimated"] > 0]
    se_rej = 2 * np.sqrt(alpha * (1 - alpha) / t["estimated"])
    se_cov = 2 * np.sqrt(nominal_coverage * (1 - nominal_coverage) / t["estimated"])
    fp = t[(t["rejection_is"] == "false-positive rate") & (t["rejection_rate"] > alpha + se_rej)]
    low = t[t["coverage"] < nominal_coverage - se_cov]
    for key, rows in (("over_rejecting", fp), ("under_covering", low)):
        for label, g in rows.groupby("label", sort=False):
            out[key].append(f"{label} ({', '.join(g['scenario'])})")
    return out


def read_off(table: pd.DataFrame) -> str:
    """One paragraph (Markdown) naming the designs :func:`flagged` finds off their nominal rates."""
    flags = flagged(table)
    say = "; ".join
    return ("**Read off the study** (rates more than two Monte Carlo standard errors from their nominal level, at "
            "this number of replications). Designs that reject a true null too often: "
            f"{say(flags['over_rejecting']) or 'none'}. Designs whose 95% intervals cover the planted value too "
            f"rarely: {say(flags['under_covering']) or 'none'}. Everything else is within Monte Carlo error of its "
            "nominal rate, which with few replications is a weak claim.")


def estimates_table(table: pd.DataFrame) -> pd.DataFrame:
    """The headline rows (:func:`headline`) as a tidy estimates frame for ``helpers.outputs.save_estimates``:
    ``estimate`` = mean estimate across replications, ``std_error`` = its Monte Carlo standard error (sd across
    replications ÷ √n estimated), ``truth`` = mean planted value, ``n_obs`` = replications estimated; ``term`` is
    ``design key: term`` and ``design`` the design's label with the scenario in brackets. No p-values (summaries,
    not tests)."""
    return pd.DataFrame({
        "term": table["design"] + ": " + table["term"],
        "estimate": table["mean_estimate"],
        "std_error": table["sd_estimate"] / np.sqrt(table["estimated"].where(table["estimated"] > 0)),
        "n_obs": table["estimated"], "outcome": table["outcome"], "model": "validation summary",
        "design": table["label"] + " [" + table["scenario"] + "]", "truth": table["truth_mean"],
    })


def rate_plot(table: pd.DataFrame, value: str, *, nominal: float, ax=None, xlabel: str = ""):
    """Dots per design (rows) and scenario (colours) of ``value`` (coverage or rejection rate), with the nominal
    level as a dashed line and ±2 Monte Carlo standard errors of a rate at that level as a grey band."""
    labels = list(dict.fromkeys(table["label"]))
    scen = [s for s in sc.SCENARIOS if s in set(table["scenario"])]
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 0.42 * len(labels) + 1.6))
    y0 = np.arange(len(labels))[::-1]
    n = table["estimated"].median() if len(table) else 0
    if n:
        half = 2 * np.sqrt(nominal * (1 - nominal) / n)
        ax.axvspan(max(0, nominal - half), min(1, nominal + half), color="#dddddd", zorder=0,
                   label=f"±2 MC s.e. at {n:.0f} replications")
    ax.axvline(nominal, color="#555555", linestyle="--", linewidth=1, label=f"nominal {nominal:.2f}")
    for k, s in enumerate(scen):
        part = table[table["scenario"] == s].set_index("label").reindex(labels)
        off = (k - (len(scen) - 1) / 2) * 0.12
        ax.plot(part[value].to_numpy(float), y0 + off, "o", label=s, markersize=5)
    ax.set_yticks(y0)
    ax.set_yticklabels(labels)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(xlabel or value)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return ax


def bias_plot(table: pd.DataFrame, *, ax=None):
    """Relative bias (bias ÷ |mean planted value|) ± 2 Monte Carlo s.e. per design, for scenarios with a non-zero
    planted value; designs whose planted value is zero are left out (their bias is on the estimate's own scale)."""
    t = table[(table["truth_mean"].abs() > 0) & table["bias"].notna()].copy()
    t["rel"] = t["bias"] / t["truth_mean"].abs()
    t["rel_se"] = t["bias_mcse"] / t["truth_mean"].abs()
    labels = list(dict.fromkeys(t["label"]))
    scen = [s for s in sc.SCENARIOS if s in set(t["scenario"])]
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 0.42 * max(len(labels), 1) + 1.6))
    y0 = np.arange(len(labels))[::-1]
    ax.axvline(0, color="#555555", linewidth=1)
    for k, s in enumerate(scen):
        part = t[t["scenario"] == s].set_index("label").reindex(labels)
        off = (k - (len(scen) - 1) / 2) * 0.12
        ax.errorbar(part["rel"].to_numpy(float), y0 + off, xerr=2 * part["rel_se"].to_numpy(float), fmt="o",
                    markersize=4, capsize=2, label=s)
    ax.set_yticks(y0)
    ax.set_yticklabels(labels)
    ax.set_xlabel("bias ÷ |planted value| (±2 Monte Carlo s.e.)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return ax


__all__ = ["HEADLINE", "LABELS", "bias_plot", "estimates_table", "flagged", "read_off", "covid_comparison", "design_table", "headline", "load_results",
           "rate_plot", "scenario_table", "study_overview", "wide"]
