"""Fixtures for the model-wrapper tests: simulated frames from :mod:`tests.models.sim` (fixed seeds)."""

from __future__ import annotations

import pandas as pd
import pytest

from .sim import simulate_logit, simulate_panel


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return simulate_panel()


@pytest.fixture(scope="session")
def panel_null() -> pd.DataFrame:
    return simulate_panel(seed=11, beta=0.0)


@pytest.fixture(scope="session")
def logit_df() -> pd.DataFrame:
    return simulate_logit()
