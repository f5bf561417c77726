"""Small helpers for notebooks: stacking tidy tables and putting planted (true) values beside estimates."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._core import TIDY_COLUMNS, TIDY_DTYPES, ModelInputError, check_tidy, require_columns


def stack_estimates(frames: Sequence[pd.DataFrame] | Mapping[str, pd.DataFrame], key: str = "spec") -> pd.DataFrame:
    """Stack tidy estimate frames into one, tidy columns first (dtypes kept), extra columns after.

    ``frames``: a list, or a dict whose keys are written to a ``key`` column (e.g. ``{"main": est1,
    "no covid": est2}``). Extra columns missing from some frames are left empty. Covariances in
    ``attrs`` are not carried over (they belong to one fit).
    """
    labelled = list(frames.items()) if isinstance(frames, Mapping) else [(None, f) for f in frames]
    if not labelled:
        raise ModelInputError("stack_estimates: nothing to stack")
    parts = []
    for i, (label, f) in enumerate(labelled):
        check_tidy(f, f"stack_estimates: frame {label if label is not None else i}")
        f = f.copy()
        f.attrs = {}
        if label is not None:
            f[key] = str(label)
        parts.append(f)
    out = pd.concat(parts, ignore_index=True, sort=False)
    out = out.astype({c: TIDY_DTYPES[c] for c in TIDY_COLUMNS})
    if isinstance(frames, Mapping):
        out[key] = out[key].astype("str")
    extra = [c for c in out.columns if c not in TIDY_COLUMNS]
    return out[TIDY_COLUMNS + extra]


def add_truth(
    est: pd.DataFrame, truth_table: pd.DataFrame, value: str | Mapping[str, str] = "truth",
    on: Sequence[str] = ("outcome", "term"),
) -> pd.DataFrame:
    """Add a ``truth`` column: the planted value for each estimate, matched by ``on`` (outcome and term).

    ``truth_table``: e.g. a synthetic release's ``truth/effects_truth.csv`` loaded as a frame. ``value``
    names its column to copy, or maps the estimate's ``scale`` to a column (e.g. ``{"log-odds":
    "log_odds", "probability": "ame"}``), so a logit row gets the planted log-odds coefficient and an LPM
    row the implied average marginal effect. Estimates with no planted value get NaN; the estimate rows
    are never dropped or duplicated (duplicate keys in ``truth_table`` raise).
    """
    on = list(on)
    check_tidy(est, "add_truth")
    require_columns(truth_table, on, "add_truth (truth table)")
    value_cols = sorted(set(value.values())) if isinstance(value, Mapping) else [value]
    require_columns(truth_table, value_cols, "add_truth (truth table)")
    dup = truth_table.duplicated(on)
    if dup.any():
        first = truth_table.loc[dup, on].iloc[0].to_dict()
        raise ModelInputError(f"add_truth: the truth table has duplicate keys {on}, e.g. {first}")
    tt = truth_table[on + value_cols].copy()
    for c in on:
        tt[c] = tt[c].astype("str")
    keys = est[on].astype("str")
    merged = keys.merge(tt, on=on, how="left", validate="many_to_one")
    out = est.copy()
    if isinstance(value, Mapping):
        if "scale" not in est.columns:
            raise ModelInputError("add_truth: value= maps scales to columns but the estimates have no 'scale' column")
        truth = np.full(len(est), np.nan)
        for scale, col in value.items():
            m = (est["scale"] == scale).to_numpy()
            truth[m] = pd.to_numeric(merged[col], errors="coerce").to_numpy(dtype="float64")[m]
    else:
        truth = pd.to_numeric(merged[value], errors="coerce").to_numpy(dtype="float64")
    out["truth"] = truth
    return out
