"""Shared pytest fixtures. Tests never use the network; seeds are fixed."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")  # figures drawn in tests are never shown

os.environ.setdefault("HELPERS_QUIET", "1")


@pytest.fixture(scope="session")
def repo_root():
    from helpers._util import repo_root
    return repo_root()
