"""Answers to the exercises of ``notebooks/teaching/measuring_independence.ipynb``, computed from the data.

Every exercise of the classroom notebook is checked with :func:`check` against a value returned here, computed
from the same release the students use (never typed in). Functions take the derived datasets (DataFrames) and
return a number, a boolean, or :class:`Unavailable` when the release cannot answer the exercise (e.g. a tiny
release with too few judges, or a real release that has no planted effects), with the reason.

Definitions are those of ``data/CODEBOOK.md`` and ``docs/DATAFLOW.md``; the exercise windows are parameters of
the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import teaching
from helpers.analyses import common
from helpers.analyses import disparity as dp

OUTCOME = dp.OUTCOME


@dataclass(frozen=True)
class Unavailable:
    """The release cannot answer an exercise; ``reason`` says why (shown instead of PASS/FAIL)."""

    reason: str

    def __repr__(self) -> str:
        return f"Unavailable({self.reason!r})"


def check(name: str, answer, expected, **kwargs) -> teaching.CheckResult:
    """``helpers.teaching.check`` that also handles an :class:`Unavailable` (or NaN) expected value.

    An unanswered exercise (``None`` or ``...``) always reports "not answered yet"; an exercise the release
    cannot answer reports FAIL with "cannot be checked on this release: <reason>".
    """
    if answer is None or answer is Ellipsis:
        return teaching.check(name, answer, 0, hint=kwargs.get("hint", ""))
    if isinstance(expected, float) and np.isnan(expected):
        expected = Unavailable("the expected value is undefined on this release")
    if isinstance(expected, Unavailable):
        return teaching.CheckResult(name, False, f"cannot be checked on this release: {expected.reason}")
    return teaching.check(name, answer, expected, **kwargs)


def scoreboard(results: list[teaching.CheckResult]) -> pd.DataFrame:
    """One row per check: ``exercise``, ``result`` (PASS/FAIL), ``message``; ``attrs["passed"]`` counts passes."""
    out = pd.DataFrame({"exercise": [r.name for r in results],
                        "result": ["PASS" if r.passed else "FAIL" for r in results],
                        "message": [r.message for r in results]})
    out.attrs["passed"] = int(sum(r.passed for r in results))
    return out


# --------------------------------------------------------------------------------------------- part 1: raw tables

def _nulled(per_column: dict) -> int:
    """Values set to null in one table: null tokens (``tokens``: token -> count), ``invalid`` and ``implausible``."""
    total = 0
    for v in (per_column or {}).values():
        if isinstance(v, dict):
            total += sum(int(n) for n in (v.get("tokens") or {}).values())
            total += int(v.get("invalid", 0) or 0) + int(v.get("implausible", 0) or 0)
        elif isinstance(v, (int, float)):
            total += int(v)
    return total


def ingest_summary(report: dict) -> pd.DataFrame:
    """Per core table of an ``ingest_report.json``: lines read, rows written, repaired, padded, quarantined, and
    values nulled (null tokens such as ``N/A`` or ``00``, invalid and implausible values).

    ``reconciled`` is lines_read == rows_written + rows_quarantined (nothing lost without a record).
    """
    rows = []
    for name, t in (report.get("tables") or {}).items():
        if not isinstance(t, dict) or "lines_read" not in t:
            continue
        rows.append({"table": name, "lines_read": t.get("lines_read", 0), "rows_written": t.get("rows_written", 0),
                     "rows_repaired": t.get("rows_repaired", 0), "rows_padded": t.get("rows_padded", 0),
                     "rows_quarantined": t.get("rows_quarantined", 0), "values_nulled": _nulled(t.get("values_nulled"))})
    out = pd.DataFrame(rows, columns=["table", "lines_read", "rows_written", "rows_repaired", "rows_padded",
                                      "rows_quarantined", "values_nulled"])
    out["reconciled"] = out["lines_read"] == out["rows_written"] + out["rows_quarantined"]
    return out


def quarantined_rows(processed: Path | str, n: int = 5) -> pd.DataFrame:
    """The first ``n`` quarantined rows of each table (``quarantine/<table>.csv``): file, line, reason, raw text."""
    files = sorted(Path(processed, "quarantine").glob("*.csv"))
    parts = [pd.read_csv(f, dtype=str, keep_default_na=False).head(n).assign(table=f.stem) for f in files]
    cols = ["table", "line_number", "reason", "detail", "raw_text"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def temp_code_count(judge_code_map: pd.DataFrame) -> int:
    """Exercise 1: judge codes in the release's judge lookup named '<name> (Temp)' (merged into the judge's code)."""
    return int((judge_code_map["rule"] == "temp_name").sum())


# --------------------------------------------------------------------------------------------- part 2: rates

def grant_rate(asylum: pd.DataFrame, fiscal_year: int, denominator: str = "trac") -> float | Unavailable:
    """Exercises 2–3: national asylum grant rate in a fiscal year (decision date), as a share.

    ``denominator="trac"``: grants ÷ (grants + denials) (``trac_decided``); ``"eoir"``: grants ÷ every decided
    application (``eoir_decided``: also abandoned, withdrawn, other).
    """
    col = {"trac": "trac_decided", "eoir": "eoir_decided"}[denominator]
    a = asylum[asylum["fiscal_year"] == fiscal_year]
    den = int(a[col].sum())
    if den == 0:
        return Unavailable(f"no {denominator.upper()}-denominator decisions in FY{fiscal_year}")
    return float(a.loc[a[col].astype(bool), "granted"].sum() / den)


def exercise_court(asylum: pd.DataFrame, fy_min: int, fy_max: int, min_decisions: int) -> str | None:
    """The court with the most judges having ``min_decisions`` merits decisions in FY fy_min–fy_max (ties: the
    first code); None when no court has two such judges."""
    spread = _window_spread(asylum, fy_min, fy_max, min_decisions)
    if spread.empty:
        return None
    return str(spread.sort_values(["judges", "court"], ascending=[False, True])["court"].iloc[0])


def _window_spread(asylum: pd.DataFrame, fy_min: int, fy_max: int, min_decisions: int) -> pd.DataFrame:
    d = dp.merits_decisions(asylum, fy_min, fy_max).assign(window=f"FY{fy_min}-FY{fy_max}")
    return dp.court_spread(dp.judge_rates(d, by=["window"]), min_decisions, by=["window"])


def court_range(asylum: pd.DataFrame, court: str | None, fy_min: int, fy_max: int,
                min_decisions: int) -> float | Unavailable:
    """Exercise 4: TRAC's within-court range of judges' grant rates (share) in ``court``, FY fy_min–fy_max."""
    spread = _window_spread(asylum, fy_min, fy_max, min_decisions)
    hit = spread[spread["court"] == court]
    if court is None or hit.empty:
        return Unavailable(f"no court has two judges with at least {min_decisions} merits decisions in "
                           f"FY{fy_min}-FY{fy_max}")
    return float(hit["range"].iloc[0])


# --------------------------------------------------------------------------------------------- part 3: pace and bite

def exercise_judge(judges: pd.DataFrame) -> str | None:
    """The judge with the largest bite (ties: the code first in order); None when no judge has a bite."""
    j = judges[judges["bite"].notna()]
    if j.empty:
        return None
    return str(j.sort_values(["bite", "ij_code"], ascending=[False, True])["ij_code"].iloc[0])


def judge_value(judges: pd.DataFrame, judge: str | None, column: str) -> float | Unavailable:
    """Exercises 5–6: the pipeline's value of ``column`` (``pace``: completions per year; ``bite``: share) for a judge."""
    row = judges[judges["ij_code"] == judge]
    if judge is None or row.empty or pd.isna(row[column].iloc[0]):
        return Unavailable(f"no judge with a defined {column} in this release")
    return float(row[column].iloc[0])


# --------------------------------------------------------------------------------------------- part 4: the model

def did_data(asylum: pd.DataFrame, judges: pd.DataFrame, fy_min: int, fy_max: int) -> pd.DataFrame:
    """Merits decisions of judges with a defined bite, FY fy_min–fy_max, with the design columns of
    ``helpers.analyses.common`` (``quota``, ``announce``, ``post_suspension``, ``rel_quarter``, ``court_month``,
    ``court_quarter``) and ``granted`` as a 0/1 float."""
    d = asylum[asylum["trac_decided"].astype(bool) & asylum["ij_code"].notna()]
    d = common.window(d, fy_min, fy_max)
    d = common.attach_pressure(d, judges)
    d = d[d["bite"].notna()]
    d = common.add_design_columns(d, "decision_date")
    return d.assign(granted=d["granted"].astype("float64"))


def enough_judges(df: pd.DataFrame, minimum: int | None = None) -> bool:
    """True when ``df`` has at least ``minimum`` judges (``helpers.models.MIN_CLUSTERS`` by default) to cluster on."""
    from helpers.models import MIN_CLUSTERS

    return df["ij_code"].nunique() >= (MIN_CLUSTERS if minimum is None else minimum)


def did_estimates(asylum: pd.DataFrame, judges: pd.DataFrame, fy_min: int, fy_max: int,
                  method: str = "feols") -> pd.DataFrame:
    """The classroom's difference-in-differences (D2), fitted independently of the notebook:

    granted ~ bite:quota + bite:announce + bite:post_suspension | judge + court×month, clustered by judge.
    ``method="feols"``: linear probability model (probability scale); ``"feglm_logit"``: logit (log-odds).
    Empty frame when there are too few judges. Outcome named ``asylum_grant`` (the generator's truth).
    """
    from helpers.models import did_dose

    d = did_data(asylum, judges, fy_min, fy_max)
    if not enough_judges(d):
        return pd.DataFrame(columns=["term", "estimate", "ci_low", "ci_high", "scale"])
    est = did_dose(d, "granted", "bite", "quota", "ij_code + court_month", "ij_code",
                   extra_terms=["bite:announce", "bite:post_suspension"], method=method)
    est["outcome"] = OUTCOME
    return est


def effect_at_bite(est: pd.DataFrame, bite: float) -> float | Unavailable:
    """Exercise 7: change in the grant probability during the quota, in percentage points, for a judge with
    ``bite`` relative to a judge with bite 0: 100 × bite × β(bite:quota) of the linear probability model."""
    row = est[est["term"] == "bite:quota"]
    if row.empty:
        return Unavailable("the difference-in-differences could not be fitted (too few judges with a bite)")
    return float(100 * bite * row["estimate"].iloc[0])


def covers_planted(est: pd.DataFrame, truth: pd.DataFrame | None, term: str = "bite:quota") -> bool | Unavailable:
    """Exercise 8: does the 95% interval of ``term`` contain the planted value? The planted value is read on the
    estimate's scale (``helpers.analyses.common.with_truth``): the planted coefficient for a logit (log-odds),
    the implied average marginal effect (``ame``) for a linear probability model."""
    if truth is None:
        return Unavailable("a real release has no planted effects")
    rows = common.with_truth(est.assign(outcome=OUTCOME), truth)
    rows = rows[(rows["term"] == term) & rows["truth"].notna()]
    if rows.empty:
        return Unavailable(f"no estimate or no planted value for {term}")
    return bool(common.covers(rows).iloc[0])


def event_study_estimates(asylum: pd.DataFrame, judges: pd.DataFrame, fy_min: int, fy_max: int,
                          ref: int = -3) -> pd.DataFrame:
    """The classroom's event study (D4): granted ~ Σ_k bite·1[rel_quarter = k] | judge + court×quarter, clustered
    by judge, reference quarter ``ref`` (−3 = Jan–Mar 2018, before the announcement). Empty when too few judges."""
    from helpers.models import event_study

    d = did_data(asylum, judges, fy_min, fy_max)
    if not enough_judges(d) or ref not in set(d["rel_quarter"].dropna().astype(int)):
        return pd.DataFrame(columns=["term", "estimate", "ci_low", "ci_high", "rel_period", "reference"])
    est = event_study(d, "granted", "bite", "rel_quarter", ref, "ij_code + court_quarter", "ij_code")
    est["outcome"] = OUTCOME
    return est


def pretrend_p_value(es: pd.DataFrame, ref: int = -3) -> float | Unavailable:
    """Exercise 9: p-value of the joint test that all event-study coefficients before ``ref`` are zero."""
    from helpers.models import pretrend_test

    if es.empty or not (es["rel_period"].astype("float64") < ref).any():
        return Unavailable("the event study could not be fitted (too few judges or no quarters before the reference)")
    return float(pretrend_test(es, before=ref)["p_value"].iloc[0])


__all__ = [
    "Unavailable", "check", "scoreboard", "ingest_summary", "quarantined_rows", "temp_code_count",
    "grant_rate", "exercise_court", "court_range", "exercise_judge", "judge_value", "did_data", "enough_judges",
    "did_estimates", "effect_at_bite", "covers_planted", "event_study_estimates", "pretrend_p_value",
]
