"""Shared pytest fixtures. Tests never use the network; seeds are fixed."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HELPERS_QUIET", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def repo_root():
    from helpers._util import repo_root
    return repo_root()
