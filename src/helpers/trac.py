"""Read TRAC-style judge tables of asylum decisions supplied by the user.

TRAC (trac.syr.edu) publishes, for each immigration judge with at least 100 asylum decisions in a window, the
number of decisions and the percentages granted and denied; from its 2022 reports on, the denials are split into
"denied" and "granted other relief" (withholding, CAT or other relief while asylum was denied). A user who has
such a table (typed from TRAC's pages or exported from a spreadsheet) can read it here and compare it with the
judge-level rates built from the EOIR release.

Expected CSV columns (case and spacing in the header do not matter; common spellings are accepted):

* ``court``, ``judge``, ``decisions`` (a count), ``percent_granted``, ``percent_denied``
* optionally ``percent_other_relief`` (TRAC's "granted other relief", 2022 on), ``period`` (the window)

Percentages are 0–100. For every row ``percent_granted + percent_denied (+ percent_other_relief)`` must be 100
within ``tolerance`` points (TRAC rounds to one decimal). Errors name the file, the data line and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

REQUIRED = ("court", "judge", "decisions", "percent_granted", "percent_denied")
OPTIONAL = ("percent_other_relief", "period")

ALIASES = {
    "court": ("court", "immigration_court", "hearing_location"),
    "judge": ("judge", "immigration_judge", "judge_name", "ij"),
    "decisions": ("decisions", "asylum_decisions", "total_decisions", "n_decisions", "number_of_decisions", "cases"),
    "percent_granted": ("percent_granted", "pct_granted", "granted_percent", "granted", "percent_granted_asylum",
                        "granted_asylum"),
    "percent_denied": ("percent_denied", "pct_denied", "denied_percent", "denied", "denial_rate"),
    "percent_other_relief": ("percent_other_relief", "percent_granted_other_relief", "pct_other_relief",
                             "granted_other_relief", "other_relief"),
    "period": ("period", "window", "years", "fiscal_years"),
}


class TracTableError(ValueError):
    """A TRAC-style table is malformed (the message names file, line and problem)."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_").replace("percentage", "percent")


def read_trac_table(path: str | Path, tolerance: float = 0.6) -> pd.DataFrame:
    """Read and validate a TRAC-style judge table; return it with derived columns.

    Added columns: ``grants`` and ``denials`` (counts implied by the percentages, rounded), ``grant_rate`` =
    percent_granted / 100 (TRAC's grant share of decisions), ``denial_rate`` = percent_denied / 100, and
    ``layout`` = ``"2022+"`` when the other-relief column is present, else ``"pre-2022"``.
    """
    path = Path(path)
    if not path.exists():
        raise TracTableError(f"{path}: file not found")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    mapping: dict[str, str] = {}
    normed = {_norm(c): c for c in raw.columns}
    for canon, names in ALIASES.items():
        for n in names:
            if n in normed:
                mapping[normed[n]] = canon
                break
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise TracTableError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(raw.columns)} "
                             f"(expected {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)})")
    df = raw.rename(columns=mapping)[[c for c in (*REQUIRED, *OPTIONAL) if c in mapping.values()]].copy()
    has_other = "percent_other_relief" in df.columns
    problems: list[str] = []
    numeric = ["decisions", "percent_granted", "percent_denied"] + (["percent_other_relief"] if has_other else [])
    for col in numeric:
        cleaned = df[col].str.replace("%", "", regex=False).str.replace(",", "", regex=False).str.strip()
        values = pd.to_numeric(cleaned, errors="coerce")
        for i in values[values.isna()].index:
            problems.append(f"{path}, line {i + 2}: {col} is {df.at[i, col]!r}, not a number")
        df[col] = values
    for col in ("court", "judge"):
        for i in df.index[df[col].str.strip() == ""]:
            problems.append(f"{path}, line {i + 2}: {col} is empty")
    if not problems:
        for i, row in df.iterrows():
            pct = [row["percent_granted"], row["percent_denied"]] + ([row["percent_other_relief"]] if has_other else [])
            if any(p < 0 or p > 100 for p in pct):
                problems.append(f"{path}, line {i + 2}: a percentage is outside 0-100 ({pct})")
            total = sum(pct)
            if abs(total - 100) > tolerance:
                parts = "granted + denied" + (" + other relief" if has_other else "")
                problems.append(f"{path}, line {i + 2} ({row['judge']}): {parts} = {total:g}, not 100 "
                                f"(tolerance {tolerance})")
            if row["decisions"] < 0 or row["decisions"] != int(row["decisions"]):
                problems.append(f"{path}, line {i + 2}: decisions must be a whole number >= 0, got {row['decisions']}")
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise TracTableError("TRAC-style table has problems:\n  " + "\n  ".join(shown))
    df["decisions"] = df["decisions"].astype(int)
    df["grants"] = (df["decisions"] * df["percent_granted"] / 100).round().astype(int)
    df["denials"] = (df["decisions"] * df["percent_denied"] / 100).round().astype(int)
    df["grant_rate"] = df["percent_granted"] / 100
    df["denial_rate"] = df["percent_denied"] / 100
    df["layout"] = "2022+" if has_other else "pre-2022"
    return df


def within_court_spread(table: pd.DataFrame, rate: str = "grant_rate", min_decisions: int = 100) -> pd.DataFrame:
    """Per court: number of judges, lowest, highest and range of ``rate`` among judges with ``min_decisions``+.

    This is TRAC's disparity measure (judges with at least 100 decisions). Courts with fewer than two such
    judges are dropped.
    """
    t = table[table["decisions"] >= min_decisions]
    g = t.groupby("court")[rate].agg(judges="count", lowest="min", highest="max")
    g["range"] = g["highest"] - g["lowest"]
    return g[g["judges"] >= 2].reset_index()
