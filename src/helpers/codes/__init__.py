"""The project's own EOIR code tables (package data), written from the documented facts.

Each table is a small CSV in this folder; every row names its ``source`` and most carry a
``confidence`` (high / medium / low, or ``observed`` / ``inferred`` where a value was seen in the
real lookup or deduced from a description). They are research artifacts: other modules use them to
classify decisions, adjournments and motions, and the synthetic generator uses them to write its
lookup files. Codes are text and keep their leading zeros and internal padding.

Tables (``load(name)``):

* ``court_decisions``: DEC_CODE (``dec_type`` ``C``) by case type and OTHER_COMP (``dec_type`` ``O``,
  ``case_type`` ``ALL``) with an ``outcome_class``.
* ``adjournment_codes``: ADJ_RSN with ``regd_by`` (A/I/E), ``party``, ``counts_as_continuance`` and
  ``never_occurred``. Codes not in the table are unknown: consumers label them "unattributed".
* ``application_codes``, ``application_decisions`` (``class`` grant / deny / other / pending),
  ``motion_types``, ``filing_parties`` (``party``), ``filing_methods``, ``case_types``, ``cal_types``,
  ``schedule_types``, ``custody_codes``, ``nationalities``, ``languages``, ``charges``,
  ``case_priorities``, ``notice_codes``.
* ``judge_code_merges``: published judge-code merges (``from_code`` -> ``to_code``) for real data.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

#: Columns every table must have (besides its own), checked on load.
_REQUIRED = {
    "court_decisions": ["case_type", "dec_type", "code", "description", "outcome_class", "confidence", "source"],
    "adjournment_codes": ["code", "description", "regd_by", "asy_clk_stat", "party", "counts_as_continuance",
                          "never_occurred", "confidence", "source"],
    "application_codes": ["code", "description", "source"],
    "application_decisions": ["code", "description", "class", "source"],
    "motion_types": ["code", "description", "source"],
    "filing_parties": ["code", "description", "party", "source"],
    "filing_methods": ["code", "description", "source"],
    "case_types": ["code", "description", "source"],
    "cal_types": ["code", "description", "source"],
    "schedule_types": ["code", "description", "source"],
    "custody_codes": ["code", "description", "source"],
    "nationalities": ["code", "name", "source"],
    "languages": ["code", "name", "source"],
    "charges": ["code", "description", "source"],
    "case_priorities": ["code", "description", "source"],
    "notice_codes": ["code", "description", "source"],
    "judge_code_merges": ["from_code", "to_code", "source"],
}

#: Boolean columns stored as ``true``/``false`` text.
_BOOL_COLUMNS = {"counts_as_continuance", "never_occurred", "criminal", "detained_ever"}


def names() -> list[str]:
    """Names of the available code tables."""
    return sorted(_REQUIRED)


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    if name not in _REQUIRED:
        raise KeyError(f"unknown code table {name!r}; available: {', '.join(names())}")
    path = resources.files(__name__).joinpath(f"{name}.csv")
    with path.open("r", encoding="utf-8", newline="") as f:
        df = pd.read_csv(f, dtype=str, keep_default_na=False, na_filter=False)
    missing = [c for c in _REQUIRED[name] if c not in df.columns]
    if missing:
        raise ValueError(f"codes/{name}.csv: missing column(s) {missing}")
    for col in _BOOL_COLUMNS & set(df.columns):
        bad = ~df[col].isin(["true", "false"])
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise ValueError(f"codes/{name}.csv line {row}: column {col} must be true/false, got {df.at[row - 2, col]!r}")
        df[col] = df[col] == "true"
    key = ["case_type", "dec_type", "code"] if name == "court_decisions" else (
        ["from_code"] if name == "judge_code_merges" else ["code"])
    dup = df.duplicated(key, keep=False)
    if dup.any():
        row = int(dup.idxmax()) + 2
        raise ValueError(f"codes/{name}.csv line {row}: duplicate key {df.loc[dup.idxmax(), key].tolist()}")
    return df


def load(name: str) -> pd.DataFrame:
    """One code table as a DataFrame of text columns (boolean flag columns as ``bool``).

    A fresh copy is returned, so callers may modify it.
    """
    return _read(name).copy()
