"""Simulated frames with known coefficients for the model-wrapper tests (fixed seeds, no files, no network).

All data here are generated: they test the estimators, they say nothing about real judges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_panel(seed: int = 1, judges: int = 60, courts: int = 6, months: int = 36, per_cell: int = 8,
                   beta: float = 0.10, theta_pre: float = 0.0, event: dict[int, float] | None = None) -> pd.DataFrame:
    """Case-level judge × month panel with a planted dose-response effect (linear probability model).

    P(y = 1) = 0.35 + a_judge + g_court,month + beta·bite·post [+ event[k]·bite in quarter k]; judges are
    nested in courts; ``post`` = month >= months/2; ``bite`` in [0, 0.8] per judge; ``rel_q`` = quarter
    relative to the first post quarter. Probabilities stay inside (0.05, 0.95) so the LPM is exact.
    """
    rng = np.random.default_rng(seed)
    judge = np.arange(judges)
    court = judge % courts
    bite = rng.uniform(0, 0.8, judges)
    a = rng.uniform(-0.08, 0.08, judges)
    g = rng.uniform(-0.05, 0.05, (courts, months))
    j = np.repeat(judge, months * per_cell)
    m = np.tile(np.repeat(np.arange(months), per_cell), judges)
    post = (m >= months // 2).astype(float)
    rel_q = (m // 3 - (months // 2) // 3).astype(int)
    eff = beta * bite[j] * post + theta_pre * bite[j] * (1 - post)
    if event:
        eff = eff + np.array([event.get(int(k), 0.0) for k in rel_q]) * bite[j]
    p = 0.35 + a[j] + g[court[j], m] + eff
    assert (p > 0.05).all() and (p < 0.95).all()
    y = (rng.random(len(j)) < p).astype(float)
    detained = (rng.random(len(j)) < 0.3).astype(float)
    return pd.DataFrame({
        "y": y, "judge": pd.Series([f"J{v:03d}" for v in j], dtype="str"),
        "court": pd.Series([f"C{v:02d}" for v in court[j]], dtype="str"),
        "month": m, "court_month": pd.Series([f"C{c:02d}-{mm:02d}" for c, mm in zip(court[j], m)], dtype="str"),
        "post": post, "bite": bite[j], "rel_q": rel_q, "detained": detained,
    })


def simulate_logit(seed: int = 2, judges: int = 40, n: int = 6000, beta_x: float = 0.6, beta_post: float = -0.4,
                   sd_judge: float = 0.7) -> pd.DataFrame:
    """Case-level logit with a binary case covariate ``x``, a period dummy ``post`` and judge intercepts."""
    rng = np.random.default_rng(seed)
    j = rng.integers(0, judges, n)
    a = rng.normal(0, sd_judge, judges)
    court = j % 5
    x = (rng.random(n) < 0.4).astype(float)
    post = (rng.random(n) < 0.5).astype(float)
    eta = -0.3 + a[j] + beta_x * x + beta_post * post
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return pd.DataFrame({
        "y": y, "x": x, "post": post, "judge": pd.Series([f"J{v:03d}" for v in j], dtype="str"),
        "court": pd.Series([f"C{v}" for v in court], dtype="str"),
    })
