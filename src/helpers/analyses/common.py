"""What the research designs share: policy periods, event time, judge pressure, fixed-effect ids, design labels,
designs that may not fit small data, estimates in words, and the generator's truth.

Names follow the generator's truth (``truth/effects_truth.csv``) so estimates can be matched with planted values:
period dummies ``announce``, ``quota``, ``post_suspension``; pressure ``bite`` (pre-policy) and ``gap_share_lag``
(lagged within-year gap to the 700 path, as a share of 700); design terms ``bite:quota``, ``gap_share_lag:quota``...

* preparation: :func:`policy_dummies`, :func:`rel_quarter`, :func:`attach_pressure`, :func:`add_design_columns`,
  :func:`window`, :func:`periods_in`, :func:`period_terms`, :func:`label_design`;
* small data: :func:`try_design` runs a design and returns an empty frame with the reason when the data cannot
  support it (:func:`empty_estimates`, :func:`skipped_note`, :func:`stack_kept`);
* words: :func:`describe` (one estimate with its interval and planted value), :func:`estimate_row`,
  :func:`truth_of`, :func:`covers`;
* truth (synthetic releases only; None on real data): :func:`read_truth`, :func:`truth_table`, :func:`with_truth`,
  :func:`planted_values`, :func:`planted_event_path`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers import QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED
from helpers.pressure import policy_period

PERIODS = ("announce", "quota", "post_suspension")

#: planted values beside estimates: logit-scale rows get the planted coefficient, linear-probability rows the
#: implied average marginal effect over the treated observations (truth/effects_truth.csv columns)
TRUTH_BY_SCALE = {"log-odds": "planted_coefficient", "probability": "ame", "log-count": "planted_coefficient"}


def policy_dummies(dates: pd.Series) -> pd.DataFrame:
    """0/1 columns ``announce``, ``quota``, ``post_suspension`` and the label ``period`` for each date."""
    period = policy_period(dates)
    out = pd.DataFrame({p: (period == p).astype("float64").to_numpy() for p in PERIODS}, index=period.index)
    out["period"] = period.to_numpy()
    return out


def rel_quarter(dates: pd.Series, start: str = QUOTA_START) -> pd.Series:
    """Fiscal quarters relative to the quota's first quarter (FY2019 Q1 = 0; FY2018 Q4 = -1; ...)."""
    d = pd.to_datetime(pd.Series(dates))
    q = (d.dt.year * 12 + d.dt.month - 1) // 3          # calendar quarter index; fiscal quarters are aligned to it
    s = pd.Timestamp(start)
    q0 = (s.year * 12 + s.month - 1) // 3
    return (q - q0).astype("Int64")


def rel_fiscal_year(fiscal_year: pd.Series, first_quota_fy: int = 2019) -> pd.Series:
    """Fiscal years relative to FY2019 (FY2018 = -1)."""
    return (pd.Series(fiscal_year) - first_quota_fy).astype("Int64")


def match_rows(left: Sequence[pd.Series], right: Sequence[pd.Series], where: str = "match_rows",
               dates: Sequence[int] = ()) -> np.ndarray:
    """Position in ``right`` of each row of ``left`` matched on all key columns (-1 where there is none).

    A left join done on integer codes (what ``pd.merge(..., how="left", validate="many_to_one")`` gives, without
    copying the left frame): each key column is factorized once and only its distinct values are compared, so
    10 million rows cost a few integer arrays. Keys whose index is in ``dates`` are compared as
    ``pd.to_datetime`` values (a ``datetime.date`` and a timestamp at midnight match). Missing keys never match.
    Raises :class:`pandas.errors.MergeError` when ``right`` repeats a key combination.
    """
    n_left = len(left[0])
    lcomb = np.zeros(n_left, dtype="int64")
    rcomb = np.zeros(len(right[0]), dtype="int64")
    lbad = np.zeros(n_left, dtype=bool)
    rbad = np.zeros(len(right[0]), dtype=bool)
    for i, (lk, rk) in enumerate(zip(left, right)):
        rcodes, runiq = pd.factorize(rk)
        lcodes, luniq = pd.factorize(lk)
        if i in dates:
            runiq = pd.DatetimeIndex(pd.to_datetime(pd.Series(runiq, dtype=object))).as_unit("ns")
            luniq = pd.DatetimeIndex(pd.to_datetime(pd.Series(luniq, dtype=object))).as_unit("ns")
        m = pd.Index(runiq).get_indexer(pd.Index(luniq))
        lmap = np.where(lcodes >= 0, m[lcodes] if len(m) else -1, -1)
        size = max(len(runiq), 1)
        lbad |= lmap < 0
        rbad |= rcodes < 0
        lcomb = lcomb * size + np.where(lmap < 0, 0, lmap)
        rcomb = rcomb * size + np.where(rcodes < 0, 0, rcodes)
    rkeys = pd.Index(np.where(rbad, -1, rcomb))
    dup = rkeys.duplicated() & ~rbad
    if dup.any():
        raise pd.errors.MergeError(f"{where}: the right keys are not unique (validate many_to_one): "
                                   f"{int(dup.sum())} repeated key combination(s)")
    pos = rkeys.get_indexer(pd.Index(np.where(lbad, -2, lcomb)))
    pos[lbad] = -1
    return pos


def take_matched(values: pd.Series, pos: np.ndarray) -> pd.Series:
    """``values`` at positions ``pos`` (from :func:`match_rows`), missing where ``pos`` is -1 (new RangeIndex)."""
    return pd.Series(pd.api.extensions.take(values.array if isinstance(values.dtype, pd.api.extensions.ExtensionDtype)
                                            else values.to_numpy(), pos, allow_fill=True), name=values.name)


#: Judge-level columns :func:`attach_pressure` adds (those present in ``judges``), then the judge-month ones.
JUDGE_PRESSURE = ("bite", "bite_cases", "pace", "pace_band", "denial_rate_pre", "stringency_rel")
MONTH_PRESSURE = ("gap_share_lag", "gap_cases_lag")


def pressure_columns(ij_code: pd.Series, month: pd.Series | None, judges: pd.DataFrame,
                     judge_month: pd.DataFrame | None = None) -> dict[str, pd.Series]:
    """The columns :func:`attach_pressure` adds, for rows with these judge codes (and months), in its order.

    Values are looked up on integer codes (:func:`match_rows`), not merged into the frame; rows without a
    match get NaN. ``month`` is needed only with ``judge_month``.
    """
    cols = [c for c in JUDGE_PRESSURE if c in judges.columns]
    ij_code = ij_code.reset_index(drop=True)
    jpos = match_rows([ij_code], [judges["ij_code"]], "attach_pressure")
    out = {c: take_matched(judges[c], jpos) for c in cols}
    if judge_month is not None:
        mpos = match_rows([ij_code, pd.Series(month).reset_index(drop=True)],
                          [judge_month["ij_code"], judge_month["month"]], "attach_pressure", dates=(1,))
        out.update({c: take_matched(judge_month[c], mpos) for c in MONTH_PRESSURE})
    return out


def attach_pressure(df: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame | None = None,
                    month_col: str = "month") -> pd.DataFrame:
    """Add the judge's pre-policy pressure and, given the panel, the lagged within-year gap of that month.

    Adds ``bite``, ``bite_cases``, ``pace``, ``pace_band``, ``denial_rate_pre``, ``stringency_rel`` (from
    ``judges``) and ``gap_share_lag``, ``gap_cases_lag`` (from ``judge_month`` by judge and month). Rows of
    judges without a defined bite (new judges, short tenure) keep NaN: designs must drop or handle them.
    The result has a new RangeIndex (as a merge); the values are looked up (:func:`pressure_columns`), so the
    frame is not copied through a merge.
    """
    if judge_month is not None and month_col not in df.columns:
        raise KeyError(f"attach_pressure: the frame has no {month_col!r} column to match the judge-month panel")
    month = df[month_col] if judge_month is not None else None
    new = pressure_columns(df["ij_code"], month, judges, judge_month)
    out = df.reset_index(drop=True)
    for stage in (JUDGE_PRESSURE, MONTH_PRESSURE):   # a name already in the frame gets merge's _x / _y suffixes
        clash = [c for c in stage if c in new and c in out.columns]
        out = out.rename(columns={c: f"{c}_x" for c in clash})
        for c in stage:
            if c in new:
                v = new[c]
                out[f"{c}_y" if c in clash else c] = (v.array if isinstance(v.dtype, pd.api.extensions.ExtensionDtype)
                                                      else v.to_numpy())
    return out


def sorted_categorical(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """A categorical from codes into ``labels`` (distinct strings; code -1 = missing), categories sorted."""
    labels = np.asarray(labels, dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    new = np.where(codes >= 0, rank[np.where(codes >= 0, codes, 0)] if len(rank) else -1, -1)
    return pd.Categorical.from_codes(new, categories=pd.Index(labels[order], dtype="str"))


def _cell_labels(parts: Sequence[tuple[np.ndarray, Sequence[str]]]) -> pd.Categorical:
    """``"<a>_<b>"`` labels of combinations of factorized parts (codes, their labels), built from the distinct
    combinations only: a categorical with sorted categories (missing where any part is missing)."""
    comb = np.zeros(len(parts[0][0]), dtype="int64")
    bad = np.zeros(len(parts[0][0]), dtype=bool)
    for codes, labels in parts:
        bad |= codes < 0
        comb = comb * max(len(labels), 1) + np.where(codes < 0, 0, codes)
    comb[bad] = -1
    codes, uniq = pd.factorize(comb)
    keep = uniq >= 0
    uniq_ok = uniq[keep]
    remap = np.full(len(uniq), -1, dtype="int64")
    remap[keep] = np.arange(keep.sum())
    codes = np.where(codes >= 0, remap[codes] if len(remap) else -1, -1)
    pieces = []
    rest = uniq_ok.copy()
    for _, labels in reversed(parts):
        k = max(len(labels), 1)
        pieces.append(np.asarray(labels, dtype=object)[rest % k] if len(labels) else np.array([], dtype=object))
        rest = rest // k
    pieces = pieces[::-1]
    text = pieces[0].astype(object)
    for p in pieces[1:]:
        text = text + "_" + p
    return sorted_categorical(codes, text)


def _factor_text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and the ``astype(str)`` text of the distinct values (code -1 = missing)."""
    codes, uniq = pd.factorize(values)
    return codes, np.asarray(pd.Series(uniq).astype(str), dtype=object)


def _date_text(dates: pd.Series, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    codes, uniq = pd.factorize(dates)
    return codes, np.asarray(pd.DatetimeIndex(uniq).strftime(fmt), dtype=object)


def _day_text(dcodes: np.ndarray, days: pd.Series, freq: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes and text of the ``freq`` period (``"M"``, ``"Q-SEP"``) of each row, from its day's code ``dcodes``
    into the distinct ``days`` (the text of ``Series.dt.to_period(freq).astype(str)``)."""
    text = np.asarray(days.dt.to_period(freq).astype(str), dtype=object)
    pcodes, ptext = pd.factorize(text)
    codes = np.where(dcodes >= 0, pcodes[np.where(dcodes >= 0, dcodes, 0)] if len(pcodes) else -1, -1)
    return codes, np.asarray(ptext, dtype=object)


def add_design_columns(df: pd.DataFrame, date_col: str, *, ids: str = "str") -> pd.DataFrame:
    """Add policy dummies, event time and fixed-effect ids for a row-level frame dated by ``date_col``.

    Adds ``announce``, ``quota``, ``post_suspension``, ``period``, ``rel_quarter``, ``court_month``,
    ``court_quarter``, ``court_week`` (if ``week`` exists), ``judge_fy`` and, when ``bite`` is present, the
    interactions ``bite:quota`` etc. are left to the formulas (pyfixest builds them).

    ``ids="category"`` gives the fixed-effect ids as categoricals with sorted categories (the same labels as
    the default ``"str"``, a few bytes a row instead of a string each; group them with ``observed=True``) and
    adds the columns to ``df`` itself (no copy of the frame): what :func:`helpers.analyses.continuances.prepare_rows`
    uses for millions of rows.
    """
    if ids not in ("str", "category"):
        raise ValueError(f"add_design_columns: ids must be 'str' or 'category', not {ids!r}")
    if ids == "category":
        return _add_design_categories(df, date_col)
    out = df.copy()
    d = pd.to_datetime(out[date_col])
    out = pd.concat([out, policy_dummies(d).set_index(out.index)], axis=1)
    out["rel_quarter"] = rel_quarter(d).to_numpy()
    m = d.dt.to_period("M").astype(str)
    q = d.dt.to_period("Q-SEP").astype(str)
    court = out["court"].astype(str) if "court" in out.columns else ""
    out["court_month"] = court + "_" + m
    out["court_quarter"] = court + "_" + q
    if "week" in out.columns:
        out["court_week"] = court + "_" + pd.to_datetime(out["week"]).dt.strftime("%Y-%m-%d")
    if "fiscal_year" in out.columns and "ij_code" in out.columns:
        out["judge_fy"] = out["ij_code"].astype(str) + "_" + out["fiscal_year"].astype(str)
    return out


def _add_design_categories(out: pd.DataFrame, date_col: str) -> pd.DataFrame:
    """:func:`add_design_columns` with categorical ids, built from distinct values, added in place."""
    d = pd.Series(pd.to_datetime(out[date_col]).to_numpy(), index=out.index)
    dcodes, days = pd.factorize(d)
    day_dummies = policy_dummies(pd.Series(days))
    for c in day_dummies.columns:
        out[c] = take_matched(day_dummies[c], dcodes).array
    out["rel_quarter"] = take_matched(rel_quarter(pd.Series(days)), dcodes).to_numpy()   # as the "str" path
    if "court" in out.columns:
        court = _factor_text(out["court"])
    else:
        court = (np.zeros(len(out), dtype="int64"), np.array([""], dtype=object))
    days = pd.Series(days)
    out["court_month"] = _cell_labels([court, _day_text(dcodes, days, "M")])
    out["court_quarter"] = _cell_labels([court, _day_text(dcodes, days, "Q-SEP")])
    if "week" in out.columns:
        out["court_week"] = _cell_labels([court, _date_text(pd.Series(pd.to_datetime(out["week"]).to_numpy()),
                                                            "%Y-%m-%d")])
    if "fiscal_year" in out.columns and "ij_code" in out.columns:
        out["judge_fy"] = _cell_labels([_factor_text(out["ij_code"]), _factor_text(out["fiscal_year"])])
    return out


def window_mask(df: pd.DataFrame, fy_min: int | None = None, fy_max: int | None = None,
                court: str | list | None = None, fy_col: str = "fiscal_year") -> np.ndarray:
    """Boolean array: the rows :func:`window` keeps."""
    keep = np.ones(len(df), dtype=bool)
    if fy_min is not None:
        keep &= (df[fy_col] >= fy_min).to_numpy(dtype=bool, na_value=False)
    if fy_max is not None:
        keep &= (df[fy_col] <= fy_max).to_numpy(dtype=bool, na_value=False)
    if court:
        courts = [court] if isinstance(court, str) else list(court)
        keep &= df["court"].isin(courts).to_numpy(dtype=bool)
    return keep


def window(df: pd.DataFrame, fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
           fy_col: str = "fiscal_year") -> pd.DataFrame:
    """Rows within the fiscal-year window and (optionally) one court or a list of courts (the notebooks' parameters)."""
    if fy_min is None and fy_max is None and not court:
        return df
    return df[window_mask(df, fy_min, fy_max, court, fy_col)]


def fiscal_year_label(fiscal_year: pd.Series, periods: Mapping[str, tuple[int, int]], other=pd.NA) -> pd.Series:
    """Label of the named fiscal-year range each year falls in (``{"before": (2016, 2018), "after": (2019, 2021)}``;
    inclusive ranges, the first that matches wins), ``other`` (default NA) outside every range."""
    fy = pd.to_numeric(fiscal_year, errors="raise")
    out = pd.Series(other, index=fiscal_year.index, dtype="str")
    for name, (lo, hi) in reversed(list(periods.items())):
        out[fy.between(lo, hi)] = name
    return out


# --------------------------------------------------------------------------------------------- design terms and labels

def periods_in(frame: pd.DataFrame, periods: Sequence[str] = PERIODS) -> list[str]:
    """The period dummies of ``periods`` that vary in ``frame``, in the order given.

    A window that ends before 19 Oct 2021 has no ``post_suspension`` rows (and one inside the quota has only
    ``quota`` rows): such a dummy cannot be estimated, so designs leave its terms out instead of failing.
    """
    return [p for p in periods if p in frame.columns and frame[p].nunique() > 1]


def period_terms(var: str, periods: Sequence[str] = PERIODS) -> list[str]:
    """``["bite:announce", "bite:quota", "bite:post_suspension"]`` for ``var="bite"``."""
    return [f"{var}:{p}" for p in periods]


def label_design(est: pd.DataFrame, design: str, keep: Sequence[str] | None = None) -> pd.DataFrame:
    """A copy of ``est`` with the ``design`` column set (and only the terms in ``keep``, if given), row index reset.

    ``attrs`` (the fit's covariance ``vcov`` and ``df_denom``, read by ``helpers.models.pretrend_test``) are kept.
    """
    attrs = dict(est.attrs)
    out = est[est["term"].isin(list(keep))] if keep is not None else est
    out = out.reset_index(drop=True)
    out["design"] = design
    out.attrs = attrs
    return out


# --------------------------------------------------------------------------------------------- designs that may not fit

def empty_estimates(reason: str = "") -> pd.DataFrame:
    """An estimates frame with no rows (the ``helpers.models`` tidy columns in their dtypes, ``scale``, ``design``);
    ``reason`` (why nothing was estimated) goes to ``attrs["skipped"]``."""
    from helpers.models import TIDY_COLUMNS, TIDY_DTYPES

    out = pd.DataFrame({c: pd.Series(dtype=TIDY_DTYPES[c]) for c in TIDY_COLUMNS})
    out["scale"] = pd.Series(dtype="str")
    out["design"] = pd.Series(dtype="str")
    out.attrs["skipped"] = reason
    return out


def try_design(label: str, fn: Callable[..., Any], /, *args, **kwargs) -> Any:
    """``fn(*args, **kwargs)``; if the data cannot support it, an empty estimates frame that says why.

    A design raises :class:`helpers.models.ModelInputError` when the data given cannot support it (too few judges
    to cluster on, no variation, a period missing, a term dropped as collinear). ``try_design`` returns
    :func:`empty_estimates` with ``attrs["skipped"]`` = ``"<label>: not estimated on these data: <reason>"``, so a
    notebook run on a small release prints the reason (:func:`skipped_note`) instead of stopping. Whatever ``fn``
    returns on success (a frame, a tuple, a Series) is passed through unchanged; any other error propagates.
    """
    from helpers.models import ModelInputError

    try:
        return fn(*args, **kwargs)
    except ModelInputError as err:
        return empty_estimates(f"{label}: not estimated on these data: {err}")


def skipped_note(*results: Any) -> str:
    """The reasons of the designs :func:`try_design` could not estimate, one Markdown bullet per line (``""`` when
    every design was estimated). Accepts any results of :func:`try_design` (frames, tuples...)."""
    notes = [getattr(r, "attrs", {}).get("skipped") for r in results if isinstance(r, pd.DataFrame)]
    return "\n".join(f"* {n}" for n in notes if isinstance(n, str) and n)


def stack_kept(fits: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack the estimated frames of ``fits`` (``helpers.models.stack_estimates``); the reasons of the empty ones
    (:func:`try_design`) go to ``attrs["notes"]`` (a list; the stacked frame is empty when nothing was estimated)."""
    from helpers.models import stack_estimates

    notes = [f.attrs.get("skipped") or "" for f in fits if f.empty]
    kept = [f for f in fits if not f.empty]
    out = stack_estimates(kept) if kept else empty_estimates("; ".join(notes))
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------------------------- estimates in words

def estimate_row(est: pd.DataFrame, term: str, *, outcome: str | None = None,
                 design: str | None = None) -> pd.Series | None:
    """The first row of ``est`` with this ``term`` (and ``outcome``; and a ``design`` label containing the
    text ``design``), or None when there is none."""
    if est.empty or "term" not in est.columns:
        return None
    sel = est["term"].astype(str) == term
    if outcome is not None:
        sel &= est["outcome"].astype(str) == outcome
    if design is not None and "design" in est.columns:
        sel &= est["design"].astype(str).str.contains(design, regex=False)
    return est[sel].iloc[0] if sel.any() else None


def describe(est: pd.DataFrame, term: str, *, outcome: str | None = None, design: str | None = None,
             digits: int = 3) -> str:
    """One estimate in words, for sentences built from the numbers:
    ``"-0.282 (95% CI -0.514 to -0.050); planted -0.299, inside the interval"``.

    The planted part appears when the frame has a filled ``truth`` (synthetic data, :func:`with_truth`).
    ``"not estimated on these data"`` when no row matches (:func:`estimate_row` selects the row).
    """
    r = estimate_row(est, term, outcome=outcome, design=design)
    if r is None:
        return "not estimated on these data"
    f = f"{{:.{digits}f}}"
    text = f"{f.format(r['estimate'])} (95% CI {f.format(r['ci_low'])} to {f.format(r['ci_high'])})"
    t = r.get("truth", np.nan)
    if pd.notna(t):
        inside = r["ci_low"] <= t <= r["ci_high"]
        text += f"; planted {f.format(t)}, {'inside' if inside else 'outside'} the interval"
    return text


def truth_of(est: pd.DataFrame, term: str, *, outcome: str | None = None, design: str | None = None) -> float | None:
    """The planted value (``truth`` column) beside one estimate (:func:`estimate_row`), or None when there is no
    such row or nothing is planted (real data)."""
    r = estimate_row(est, term, outcome=outcome, design=design)
    if r is None or pd.isna(r.get("truth", np.nan)):
        return None
    return float(r["truth"])


def covers(est: pd.DataFrame, value: float | str = "truth") -> pd.Series:
    """Whether each row's 95% interval contains ``value`` (a number, or the name of a column such as ``truth``).
    A missing value or interval counts as not covered."""
    v = est[value] if isinstance(value, str) else value
    return ((est["ci_low"] <= v) & (v <= est["ci_high"])).fillna(False).astype(bool)


# --------------------------------------------------------------------------------------------- the generator's truth

def processed_dir(data) -> Path:
    """The processed folder (typed raw tables, ``truth/`` of a synthetic release) the derived datasets of ``data``
    were built from (``build_report.json`` → ``processed``). Raises if that folder no longer exists."""
    from helpers._util import read_json
    from helpers.datasets import derived_dir

    d = derived_dir(data)
    p = Path(read_json(d / "build_report.json").get("processed", ""))
    if not (p / "ingest_report.json").exists():
        raise FileNotFoundError(f"{d / 'build_report.json'} names the processed folder {str(p)!r}, which no longer "
                                "exists: rerun `python -m helpers prepare --data ...`")
    return p


def read_truth(data, name: str) -> pd.DataFrame | None:
    """One of the generator's truth tables, ``<processed>/truth/<name>.csv`` (``effects_truth``, ``judges``,
    ``asylum``, ``continuances``, ``reassignments``, ...), for a synthetic source; None on real data.

    Whether the source is synthetic is read from its ``data_source`` (``build_report.json``), not guessed from
    the files present. The ingest copies ``truth.json`` and ``truth/*.csv`` of a synthetic release into the
    processed folder, so a synthetic source without the table raises :class:`FileNotFoundError` naming the path
    (an older processed folder: rerun the ingest) instead of passing for real data. Code columns (names ending
    in ``_code`` or ``_codes``) are read as text, only an empty field counting as missing: a judge code such as
    ``NAN`` or ``007`` stays as written.
    """
    from helpers.datasets import data_source
    from helpers.outputs import is_synthetic

    if not is_synthetic(data_source(data)):
        return None
    folder = processed_dir(data) / "truth"
    path = folder / f"{name}.csv"
    if not path.exists():
        have = sorted(f.stem for f in folder.glob("*.csv")) if folder.is_dir() else []
        raise FileNotFoundError(f"{path}: no truth table {name!r} for this synthetic release (tables here: "
                                f"{', '.join(have) or 'none'}); rerun the ingest, which copies truth/*.csv")
    out = pd.read_csv(path)
    codes = [c for c in out.columns if str(c).endswith(("_code", "_codes"))]
    if codes:
        out[codes] = pd.read_csv(path, usecols=codes, dtype="str", keep_default_na=False, na_values=[""])[codes]
    return out


def truth_table(data) -> pd.DataFrame | None:
    """The generator's planted effects (``truth/effects_truth.csv``: outcome, term, scale, planted_coefficient,
    ame, mean_effect, ...) for a synthetic source, else None (:func:`read_truth`)."""
    return read_truth(data, "effects_truth")


def with_truth(est: pd.DataFrame, truth: pd.DataFrame | None) -> pd.DataFrame:
    """Put the planted value beside each estimate (NaN when none is planted, or on real data)."""
    from helpers.models import add_truth

    if truth is None or est.empty:
        out = est.copy()
        out["truth"] = np.nan
        return out
    t = truth.copy()
    if "term" in t.columns:
        t["term"] = t["term"].astype(str)
    return add_truth(est, t, value=TRUTH_BY_SCALE)


def planted_values(truth: pd.DataFrame, outcome: str, term: str = "bite", value: str = "ame") -> dict[str, float]:
    """The planted ``value`` column (``ame``, ``planted_coefficient`` or ``mean_effect``) of ``<term>:<period>`` for
    each policy period of ``outcome``, with ``pre`` = 0 (the generator applies no effect before the announcement).
    A period without a row in the truth table gets NaN."""
    t = truth[truth["outcome"] == outcome].set_index("term")[value]
    out = {"pre": 0.0}
    out.update({p: float(t.get(f"{term}:{p}", np.nan)) for p in PERIODS})
    return out


def planted_event_path(truth: pd.DataFrame | None, outcome: str, rel_periods: Iterable[int], *, ref: int,
                       term: str = "bite", unit: str = "quarter", value: str = "ame") -> pd.Series | None:
    """The planted value of each event-study coefficient (synthetic data), indexed by ``rel_period``; None on
    real data (``truth`` None).

    Relative period k is the fiscal quarter k quarters from FY2019 Q1 (``unit="quarter"``, as
    :func:`rel_quarter`) or fiscal year 2019 + k (``unit="fiscal_year"``). Its planted value is the average over
    its days of the planted ``value`` of ``<term>:<period>`` in force that day (:func:`planted_values`: 0 before
    30 Mar 2018; e.g. 2 of the 90 days of FY2018 Q2 fall in the announcement period), minus the same for the
    reference period ``ref``, because event-study coefficients are differences from the reference. Use
    ``value="ame"`` for linear probability models and ``"planted_coefficient"`` for logit or Poisson (log) scales;
    for a log model the average of a coefficient over a period is an approximation.
    """
    if truth is None:
        return None
    if unit not in ("quarter", "fiscal_year"):
        raise ValueError(f"planted_event_path: unit must be 'quarter' or 'fiscal_year', not {unit!r}")
    planted = planted_values(truth, outcome, term, value)
    start = pd.Timestamp(QUOTA_START)
    months = 3 if unit == "quarter" else 12

    def average(k: int) -> float:
        first = start + pd.DateOffset(months=months * k)
        days = pd.date_range(first, first + pd.DateOffset(months=months) - pd.Timedelta(days=1), freq="D")
        return float(policy_period(pd.Series(days)).map(planted).astype("float64").mean(skipna=False))

    ks = sorted({int(k) for k in rel_periods} | {int(ref)})
    base = average(int(ref))
    vals = [average(k) - base for k in ks]
    return pd.Series(vals, index=pd.Index(ks, name="rel_period"), name="planted", dtype="float64")


__all__ = [
    "PERIODS", "TRUTH_BY_SCALE", "policy_dummies", "rel_quarter", "rel_fiscal_year", "attach_pressure",
    "match_rows", "take_matched", "pressure_columns", "sorted_categorical", "add_design_columns", "window",
    "window_mask", "fiscal_year_label", "periods_in", "period_terms", "label_design",
    "empty_estimates", "try_design", "skipped_note", "stack_kept", "estimate_row", "describe", "truth_of", "covers",
    "processed_dir", "read_truth", "truth_table", "with_truth", "planted_values", "planted_event_path",
    "QUOTA_ANNOUNCED", "QUOTA_SUSPENDED",
]
