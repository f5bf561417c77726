"""Shared pieces of ``helpers.models``: the tidy-table contract, input checks, formula parsing.

Every estimator in ``helpers.models`` returns a frame built by :func:`tidy_frame`, so the columns and
dtypes are defined once, here:

========== ========= ==============================================================================
column     dtype     meaning
========== ========= ==============================================================================
term       str       coefficient name
estimate   float64   point estimate, on the scale named in the ``scale`` column
std_error  float64   standard error (the type is stated in each estimator's docstring)
ci_low     float64   lower end of the 95% interval (t or normal, as stated per estimator)
ci_high    float64   upper end of the 95% interval
p_value    float64   two-sided p-value for estimate = 0
n_obs      int64     underlying observations (for aggregated cells: the sum of the cell counts)
n_clusters float64   clusters used for the standard errors; NaN when not clustered
model      str       which wrapper produced the row (e.g. ``"feols"``)
outcome    str       the dependent variable
scale      str       ``"log-odds"``, ``"probability"``, ``"linear"``, ``"log-count"``, ``"log-hazard"``
========== ========= ==============================================================================

Each frame also carries, in ``DataFrame.attrs``, ``vcov`` (the estimates' covariance matrix, a
DataFrame indexed by term, read it with ``attached(est, "vcov")``) and ``df_denom`` (degrees of freedom
of the t reference distribution, or ``None`` for normal-based inference), which
:func:`helpers.models.pretrend_test` uses. Filtering rows keeps attrs; stacking different fits drops them.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: Leading columns of every tidy estimates frame, in this order.
TIDY_COLUMNS = [
    "term", "estimate", "std_error", "ci_low", "ci_high", "p_value",
    "n_obs", "n_clusters", "model", "outcome",
]

#: dtypes of the leading columns (pandas 3: ``"str"`` is the default string dtype).
TIDY_DTYPES = {
    "term": "str", "estimate": "float64", "std_error": "float64", "ci_low": "float64",
    "ci_high": "float64", "p_value": "float64", "n_obs": "int64", "n_clusters": "float64",
    "model": "str", "outcome": "str",
}

#: Fewest clusters accepted for cluster-robust standard errors. Below this the CRV1 sandwich is
#: unreliable; the tiny synthetic release has about 15 judges, so 10 lets notebooks run on it.
MIN_CLUSTERS = 10

CI_LEVEL = 0.95


class ModelInputError(ValueError):
    """Bad input to a model wrapper (missing column, missing values, no variation, too few clusters...)."""


# --------------------------------------------------------------------------- input checks

def show(value: object) -> str:
    """``repr`` of a value for error messages, with numpy scalars shown as plain Python values."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def require_columns(df: pd.DataFrame, cols: Iterable[str], where: str) -> None:
    """Raise :class:`ModelInputError` naming every column of ``cols`` that ``df`` lacks."""
    if not isinstance(df, pd.DataFrame):
        raise ModelInputError(f"{where}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in dict.fromkeys(cols) if c not in df.columns]
    if missing:
        shown = ", ".join(map(str, list(df.columns)[:30]))
        raise ModelInputError(
            f"{where}: column(s) {', '.join(repr(c) for c in missing)} not found in the data "
            f"(columns: {shown}{' ...' if df.shape[1] > 30 else ''})"
        )


def require_complete(df: pd.DataFrame, cols: Iterable[str], where: str) -> None:
    """Raise if any of ``cols`` has missing values: nothing is dropped silently.

    The message names the column, how many rows are missing and the first row label, and says how
    to drop them explicitly.
    """
    cols = list(dict.fromkeys(cols))
    for c in cols:
        na = df[c].isna().to_numpy()
        if na.any():
            first = df.index[np.flatnonzero(na)[0]]
            raise ModelInputError(
                f"{where}: column {c!r} has {int(na.sum())} missing value(s) (first at row {show(first)}); "
                f"drop or fill them before fitting, e.g. df.dropna(subset={cols!r})"
            )


def require_variation(values: pd.Series, name: str, where: str) -> None:
    """Raise if ``values`` takes a single value (an outcome with no variation cannot be modelled)."""
    uniq = pd.unique(values.to_numpy())
    if len(uniq) < 2:
        shown = show(uniq[0]) if len(uniq) else "nothing (no rows)"
        raise ModelInputError(f"{where}: outcome {name!r} has no variation (every row is {shown})")


def require_binary(values: pd.Series, name: str, where: str) -> np.ndarray:
    """Return ``values`` as float 0/1, raising on anything else (naming the first bad row)."""
    v = values
    if pd.api.types.is_bool_dtype(v):
        return v.astype("float64").to_numpy()
    num = pd.to_numeric(v, errors="coerce")
    bad = ~num.isin([0, 1]).to_numpy()
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise ModelInputError(
            f"{where}: outcome {name!r} must be 0/1 (or boolean); row {show(values.index[i])} has {show(values.iloc[i])} "
            f"({int(bad.sum())} such row(s))"
        )
    return num.astype("float64").to_numpy()


def require_clusters(values: pd.Series, name: str, where: str, min_clusters: int = MIN_CLUSTERS) -> int:
    """Number of distinct clusters in ``values``; raise if it is below ``min_clusters``."""
    g = int(values.nunique(dropna=False))
    if g < min_clusters:
        raise ModelInputError(
            f"{where}: only {g} cluster(s) in {name!r}; cluster-robust standard errors need at least "
            f"{min_clusters} (pass min_clusters= to lower the bar knowingly, or cluster on a finer unit)"
        )
    return g


def aggregate_cells(
    df: pd.DataFrame, y: str, by: Sequence[str], values: Callable[[pd.DataFrame], pd.Series], stat: str,
    names: tuple[str, str], where: str,
) -> pd.DataFrame:
    """Cells for the aggregated fast paths: one row per distinct combination of ``by`` (sorted).

    Checks ``y`` and ``by`` (present, complete, ``y`` not a key), then returns the ``by`` columns,
    ``stat`` (``"sum"`` or ``"mean"``) of ``values(df)`` and the row count, named ``names``, with
    ``attrs["outcome"] = y``.
    """
    by = list(by)
    if not by:
        raise ModelInputError(f"{where}: give at least one 'by' column")
    if y in by:
        raise ModelInputError(f"{where}: the outcome {y!r} cannot also be a cell key")
    require_columns(df, [y] + by, where)
    require_complete(df, [y] + by, where)
    cells = (
        values(df).groupby([df[c] for c in by], observed=True, sort=True)
        .agg([stat, "size"])
        .rename(columns={stat: names[0], "size": names[1]})
        .reset_index()
    )
    cells[names[1]] = cells[names[1]].astype("int64")
    cells.attrs["outcome"] = y
    return cells


# --------------------------------------------------------------------------- formulas

_FORMULA_WORDS = {"True", "False", "None", "Sum", "Poly", "Helmert", "Diff", "Treatment"}  # + patsy contrasts


def formula_variables(formula: str) -> list[str]:
    """Names a statsmodels/pyfixest formula uses as data columns (in order of appearance).

    Quoted strings, function names (a name followed by ``(``) and keyword arguments (``ref=``) are
    skipped; everything else that looks like an identifier is taken as a column name. Used only to
    give a clear error for a missing column before the formula engine raises a cryptic one.
    """
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", formula)
    names = []
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_.]*", text):
        rest = text[m.end():].lstrip()
        if rest.startswith("(") or (rest.startswith("=") and not rest.startswith("==")):
            continue
        tok = m.group(0)
        if tok in _FORMULA_WORDS:
            continue
        names.append(tok)
    return list(dict.fromkeys(names))


def formula_outcome(formula: str, where: str) -> str:
    """The left-hand side of ``y ~ ...`` (must be a plain column name)."""
    if "~" not in formula:
        raise ModelInputError(f"{where}: formula {formula!r} has no '~' (expected 'y ~ x ...')")
    lhs = formula.split("~", 1)[0].strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", lhs):
        raise ModelInputError(f"{where}: the outcome {lhs!r} must be a plain column name")
    return lhs


def check_formula_data(df: pd.DataFrame, formula: str, where: str, extra: Sequence[str] = ()) -> list[str]:
    """Check that every column the formula (and ``extra``) uses exists and has no missing values.

    Returns the list of columns used (outcome first).
    """
    cols = formula_variables(formula) + [c for c in extra if c]
    require_columns(df, cols, where)
    require_complete(df, cols, where)
    return list(dict.fromkeys(cols))


def join_terms(terms: Iterable[str] | str | None) -> str:
    """``["judge", "court^month"]`` -> ``"judge + court^month"``; a string is returned as is."""
    if terms is None:
        return ""
    if isinstance(terms, str):
        return terms.strip()
    return " + ".join(t.strip() for t in terms if t and t.strip())


# --------------------------------------------------------------------------- output

def outcome_scale(values: pd.Series | np.ndarray) -> str:
    """``"probability"`` for a 0/1 outcome in a linear model, ``"linear"`` otherwise."""
    v = pd.Series(np.asarray(values)).dropna()
    if pd.api.types.is_bool_dtype(v) or (len(v) and set(pd.unique(v.astype("float64"))) <= {0.0, 1.0}):
        return "probability"
    return "linear"


def tidy_frame(
    terms: Sequence[str],
    estimate: Sequence[float],
    std_error: Sequence[float],
    *,
    n_obs: int,
    n_clusters: float | None,
    model: str,
    outcome: str,
    scale: str,
    df_t: float | None = None,
    ci: tuple[Sequence[float], Sequence[float]] | None = None,
    p_value: Sequence[float] | None = None,
    vcov: np.ndarray | None = None,
    extra: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """Build a tidy estimates frame with the promised columns and dtypes.

    95% intervals and two-sided p-values are computed from ``estimate`` and ``std_error`` with a t
    distribution on ``df_t`` degrees of freedom, or the normal when ``df_t`` is None, unless ``ci`` /
    ``p_value`` are given (e.g. taken from pyfixest, which uses the same rule).
    """
    est = np.asarray(estimate, dtype="float64")
    se = np.asarray(std_error, dtype="float64")
    crit = stats.t.ppf(0.5 + CI_LEVEL / 2, df_t) if df_t is not None else stats.norm.ppf(0.5 + CI_LEVEL / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(est / se)
        p = 2 * (stats.t.sf(z, df_t) if df_t is not None else stats.norm.sf(z))
    lo, hi = (est - crit * se, est + crit * se) if ci is None else (np.asarray(ci[0]), np.asarray(ci[1]))
    out = pd.DataFrame({
        "term": pd.Series([str(t) for t in terms], dtype="str"),
        "estimate": est,
        "std_error": se,
        "ci_low": np.asarray(lo, dtype="float64"),
        "ci_high": np.asarray(hi, dtype="float64"),
        "p_value": np.asarray(p if p_value is None else p_value, dtype="float64"),
        "n_obs": np.full(len(est), int(round(n_obs)), dtype="int64"),
        "n_clusters": np.full(len(est), np.nan if n_clusters is None else float(n_clusters)),
        "model": pd.Series([model] * len(est), dtype="str"),
        "outcome": pd.Series([outcome] * len(est), dtype="str"),
        "scale": pd.Series([scale] * len(est), dtype="str"),
    })
    for k, v in (extra or {}).items():
        out[k] = list(v) if not np.isscalar(v) else v
    if vcov is not None:
        names = [str(t) for t in terms]
        out.attrs["vcov"] = Attached(pd.DataFrame(np.asarray(vcov, dtype="float64"), index=names, columns=names))
    out.attrs["df_denom"] = df_t
    return out


class Attached:
    """A DataFrame kept in ``DataFrame.attrs``, wrapped so that pandas can compare attrs.

    ``pd.concat`` compares the inputs' attrs with ``==``; a bare DataFrame there raises "truth value
    of a DataFrame is ambiguous". This wrapper compares with ``DataFrame.equals``.
    """

    __slots__ = ("frame",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Attached) and self.frame.equals(other.frame)

    def __repr__(self) -> str:
        return f"Attached({self.frame.shape[0]}x{self.frame.shape[1]} frame)"


def attached(est: pd.DataFrame, key: str) -> pd.DataFrame | None:
    """The frame stored under ``est.attrs[key]`` (``"vcov"``, ``"variance_components"``), or None."""
    obj = est.attrs.get(key)
    return obj.frame if isinstance(obj, Attached) else obj


def check_tidy(est: pd.DataFrame, where: str = "tidy estimates") -> None:
    """Raise if ``est`` does not start with :data:`TIDY_COLUMNS` in the promised dtypes."""
    if not isinstance(est, pd.DataFrame):
        raise ModelInputError(f"{where}: expected a DataFrame, got {type(est).__name__}")
    lead = list(est.columns[: len(TIDY_COLUMNS)])
    if lead != TIDY_COLUMNS:
        raise ModelInputError(f"{where}: leading columns are {lead}, expected {TIDY_COLUMNS}")


@contextlib.contextmanager
def quiet_library_deprecations() -> Iterator[None]:
    """Hide pandas-3.1 ``inplace`` deprecation warnings that pyfixest 0.60 triggers on every fit.

    Only these messages are silenced; pyfixest's own warnings (dropped singletons, separation,
    collinearity) still show.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The inplace keyword")
        yield
