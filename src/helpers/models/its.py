"""Interrupted time series (design D1): segmented OLS with Newey–West (HAC) standard errors."""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ._core import (
    ModelInputError, outcome_scale, require_columns, require_complete, require_variation, tidy_frame,
)


def newey_west_lags(n: int) -> int:
    """Newey–West (1994) rule of thumb ``floor(4·(n/100)^(2/9))``, at least 1.

    13 annual points -> 2 lags; 144 monthly points -> 4 lags.
    """
    return max(1, int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0))))


def _time_values(time: pd.Series) -> tuple[np.ndarray, str]:
    """Time as numbers (calendar months for dates, else the values), and the unit."""
    if pd.api.types.is_datetime64_any_dtype(time):
        return (time.dt.year.to_numpy() * 12 + time.dt.month.to_numpy()).astype("float64"), "month"
    return pd.to_numeric(time, errors="raise").to_numpy(dtype="float64"), "time unit"


def _time_index(time: pd.Series, origin: object | None = None) -> tuple[np.ndarray, str]:
    """Numeric time index, 0 at ``origin`` (default: the first period), and its unit (``"month"`` for dates)."""
    t, unit = _time_values(time)
    if origin is None:
        return t - t.min(), unit
    o, _ = _time_values(pd.Series([pd.Timestamp(origin) if unit == "month" else origin]))
    return t - o[0], unit


def _break_items(breaks, time: pd.Series) -> list[tuple[str, object]]:
    items = list(breaks.items()) if isinstance(breaks, Mapping) else [(str(b), b) for b in breaks]
    if not items:
        raise ModelInputError("its: give at least one break (e.g. {'quota': '2018-10-01'})")
    out = []
    for label, b in items:
        value = pd.Timestamp(b) if pd.api.types.is_datetime64_any_dtype(time) else float(b)
        out.append((str(label), value))
    return out


def segmented_terms(df: pd.DataFrame, time: str, breaks: Mapping[str, object] | Sequence[object], *,
                    slope_change: bool = True, origin: object | None = None) -> pd.DataFrame:
    """The D1 regressors for each row: ``trend``, and per break *k* ``level:k`` and (``slope_change``) ``slope:k``.

    * ``trend`` = periods since ``origin`` (default the first period; months when ``time`` is a datetime
      column, otherwise the units of ``time``, e.g. fiscal years), so the intercept is the level at ``origin``;
    * ``level:k`` = 1 for periods with time >= break *k* (so a monthly row dated on the 1st of Oct 2021
      is *before* a 19 Oct 2021 break and Nov 2021 is the first period after it);
    * ``slope:k`` = (trend − trend of the first period at or after break *k*) × ``level:k``, so
      ``level:k`` is the jump at the first post-break period and ``slope:k`` the change in slope per period.

    Usable on a panel as well (e.g. judge × month rows, then :func:`helpers.models.feols`).
    Raises if fewer than two periods precede the first break, or a segment (from a break to the next) has
    fewer than two periods (one when ``slope_change=False``): its level and slope would not be identified.
    """
    require_columns(df, [time], "segmented_terms")
    require_complete(df, [time], "segmented_terms")
    tser = df[time]
    t, _ = _time_index(tser, origin)
    out = pd.DataFrame({"trend": t}, index=df.index)
    tvals = tser.to_numpy()
    items = _break_items(breaks, tser)
    after = {label: tvals >= (np.datetime64(b) if isinstance(b, pd.Timestamp) else b) for label, b in items}
    order = sorted(items, key=lambda item: item[1])
    need = 2 if slope_change else 1
    for i, (label, b) in enumerate(order):
        segment = after[label] & ~after[order[i + 1][0]] if i + 1 < len(order) else after[label]
        n_pre, n_seg = len(np.unique(t[~after[label]])), len(np.unique(t[segment]))
        if (i == 0 and n_pre < 2) or n_seg < need:
            raise ModelInputError(
                f"segmented_terms: break {label!r} ({b}) leaves {n_pre} period(s) before and {n_seg} after "
                f"(up to the next break); need at least 2 before the first break and {need} in each segment"
                + (" (a slope change needs 2; use slope_change=False)" if slope_change and n_seg == 1 else "")
            )
    for label, b in items:
        post = after[label]
        out[f"level:{label}"] = post.astype("float64")
        if slope_change:
            out[f"slope:{label}"] = np.where(post, t - t[post].min(), 0.0)
    return out


def exact_fit(X: np.ndarray, tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Rows an OLS fit reproduces exactly whatever their outcome (leverage 1), and the coefficients they move.

    Returns (boolean per row: leverage h_ii = x_i'(X'X)⁻¹x_i ≥ 1 − ``tol``; boolean per column: the coefficient
    changes with the outcome of such a row, i.e. (X'X)⁻¹x_i is non-zero there). A row with leverage 1 has a
    residual of 0 by construction, so no residual measures the noise in the coefficients it identifies: their
    HAC (and robust) standard errors leave that noise out. Typical case: a two-period segment with its own
    level and slope.
    """
    xtx_inv = np.linalg.pinv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
    rows = leverage >= 1 - tol
    influence = X[rows] @ xtx_inv                               # row i: d(beta)/d(y_i) for leverage-1 rows
    scale = np.abs(influence).max() if influence.size else 0.0
    cols = (np.abs(influence) > tol * max(scale, 1.0)).any(axis=0) if influence.size else np.zeros(X.shape[1], bool)
    return rows, cols


def its_hac(
    df: pd.DataFrame,
    y: str,
    time: str,
    breaks: Mapping[str, object] | Sequence[object],
    maxlags: int | None = None,
    controls: Sequence[str] | None = None,
    seasonal: str | None = None,
    *,
    slope_change: bool = True,
    origin: object | None = None,
) -> pd.DataFrame:
    """Segmented regression of one time series with level (and slope) changes at each break (D1).

    Model: ``y_t = a + b1·trend_t + Σ_k [c_k·level:k_t + d_k·slope:k_t] + seasonal FE + controls + e_t``
    (see :func:`segmented_terms` for the regressors). Estimand: the change in level (``level:k``) and in
    slope per period (``slope:k``) at break *k* relative to the extrapolated pre-break trend; descriptive,
    because it attributes to the break everything that changed at that date. ``slope_change=False`` fits
    level shifts only (``d_k`` = 0: parallel segments), which needs one period per segment instead of two.
    ``origin``: the period where ``trend`` = 0, so the ``Intercept`` is the level of the pre-break line there
    (default the first period; e.g. the last pre-policy year).

    * ``df`` has one row per period (``time`` unique): a national or court series, monthly (``time`` a
      datetime; date each month by its first day) or annual (``time`` a number such as the fiscal year).
      Periods must be equally spaced (consecutive months or years) because HAC weights lags by position.
    * ``seasonal``: a column whose categories get dummies (e.g. ``"fiscal_month"``); ``controls``: numeric
      columns entered linearly.
    * Standard errors: Newey–West HAC with a Bartlett kernel, ``maxlags`` lags (default
      :func:`newey_west_lags`: 2 for 13 annual points, 4 for 144 months; DESIGNS.md suggests 12 for
      monthly series — pass it explicitly), with the n/(n−k) small-sample factor; intervals and
      p-values use a t distribution on n − k degrees of freedom. ``std_error_ols`` is the classical
      (homoskedastic, no autocorrelation) OLS standard error, for comparison.
    * ``exact_fit`` (per term): the term is identified by a period that the model fits exactly (leverage 1,
      :func:`exact_fit`; e.g. a two-period segment with its own level and slope). That period's residual is
      0 by construction, so its HAC standard error leaves out the noise of that period: not credible. The
      periods are listed in ``attrs["exact_fit_periods"]``.
    * Known weakness, measured in ``tests/models/test_its.py``: Newey–West intervals are too narrow in
      series this short. On 144 simulated months with AR(1) errors (ρ = 0.4) the 95% interval for a level
      change covered the truth 84% of the time with the default 4 lags and 75% with 12 lags (94% with iid
      errors and no lags). More lags do not help. With ~13 annual points the HAC variance is noisier still.
      Treat ITS intervals as optimistic; the panel designs (D2/D4) are the ones to lean on.

    Scale of the coefficients: the units of ``y`` per period (``"probability"`` if ``y`` is 0/1,
    otherwise ``"linear"`` — a rate in [0, 1] is ``"linear"``, read as a change in the rate).
    """
    where = "its_hac"
    controls = list(controls or [])
    cols = [y, time] + controls + ([seasonal] if seasonal else [])
    require_columns(df, cols, where)
    require_complete(df, cols, where)
    if df[time].duplicated().any():
        dup = df.loc[df[time].duplicated(), time].iloc[0]
        raise ModelInputError(
            f"{where}: time value {dup!r} appears more than once; its_hac fits one series "
            "(for a panel use segmented_terms() with feols)"
        )
    d = df.sort_values(time)
    require_variation(d[y], y, where)
    t, _unit = _time_index(d[time])
    steps = np.unique(np.diff(t))
    if len(steps) > 1:
        gaps = d[time].to_numpy()[1:][np.diff(t) != steps.min()]
        raise ModelInputError(
            f"{where}: periods are not equally spaced (gap before {gaps[0]!r}); HAC needs consecutive periods"
        )
    X = segmented_terms(d, time, breaks, slope_change=slope_change, origin=origin)
    for c in controls:
        X[c] = pd.to_numeric(d[c], errors="raise").astype("float64")
    if seasonal:
        dummies = pd.get_dummies(d[seasonal].astype("str"), prefix=seasonal, prefix_sep="=", drop_first=True, dtype="float64")
        X = pd.concat([X, dummies], axis=1)
    X = sm.add_constant(X, has_constant="add").rename(columns={"const": "Intercept"})
    n, k = X.shape
    if n - k < 2:
        raise ModelInputError(f"{where}: {n} periods for {k} parameters; need at least k + 2 periods")
    lags = newey_west_lags(n) if maxlags is None else int(maxlags)
    if lags < 0 or lags >= n:
        raise ModelInputError(f"{where}: maxlags={lags} must be between 0 and n-1 ({n - 1})")
    yv, Xv = d[y].astype("float64").to_numpy(), X.to_numpy()
    fit = sm.OLS(yv, Xv).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    classical = sm.OLS(yv, Xv).fit()
    rows, flagged = exact_fit(Xv)
    df_t = float(n - k)
    out = tidy_frame(
        list(X.columns), fit.params, fit.bse, n_obs=n, n_clusters=None, model="its_hac", outcome=y,
        scale=outcome_scale(d[y]), df_t=df_t, vcov=fit.cov_params(),
        extra={"hac_maxlags": [lags] * k, "std_error_ols": classical.bse, "exact_fit": flagged},
    )
    out.attrs["exact_fit_periods"] = list(d[time].to_numpy()[rows])
    return out
