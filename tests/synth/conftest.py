"""Fixtures: generated releases, made once per test session (fixed seeds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.synth import generate

TINY_SEED = 20181001


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    """A tiny release with the default planted effects."""
    return generate(tmp_path_factory.mktemp("tiny"), scale="tiny", seed=TINY_SEED, quiet=True)


@pytest.fixture(scope="session")
def tiny_none(tmp_path_factory) -> Path:
    """A tiny release with no planted effects (placebo), another seed."""
    return generate(tmp_path_factory.mktemp("tiny_none"), scale="tiny", seed=7, effects="none", quiet=True)


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """The default sample release (the one test of this folder at a realistic scale)."""
    return generate(tmp_path_factory.mktemp("sample"), scale="sample", seed=TINY_SEED, quiet=True)


def truth_of(root: Path) -> dict:
    return json.loads((root / "truth.json").read_text(encoding="utf-8"))
