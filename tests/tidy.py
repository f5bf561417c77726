"""A tidy estimates frame (the columns of ``helpers.models``) for tests of the truth-attaching rules."""

from __future__ import annotations

import pandas as pd


def tidy_rows(terms, scale: str = "probability", outcome: str = "asylum_grant", design: str = "D2") -> pd.DataFrame:
    """One row per term with estimate 0, std_error 1, interval (-1, 1), p 1, 10 observations and clusters."""
    n = len(terms)
    return pd.DataFrame({"term": terms, "estimate": [0.0] * n, "std_error": [1.0] * n, "ci_low": [-1.0] * n,
                         "ci_high": [1.0] * n, "p_value": [1.0] * n, "n_obs": [10] * n, "n_clusters": [10.0] * n,
                         "model": ["m"] * n, "outcome": [outcome] * n, "scale": [scale] * n, "design": [design] * n})
