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


def _release_chain(root, scale: str, seed: int, effects: str):
    """Generate a synthetic release, ingest it and build the derived datasets (all under ``root``)."""
    from helpers import datasets, synth
    from helpers.eoir.ingest import ingest

    raw = synth.generate(root / "raw", scale=scale, seed=seed, effects=effects, zip=False, quiet=True)
    report = ingest(raw, root / "processed", quiet=True)
    assert report["reconciled"], "ingest of a generated release must reconcile"
    datasets.build(root / "processed", root / "derived", quiet=True)
    return root / "derived"


@pytest.fixture(scope="session")
def tiny_derived(tmp_path_factory):
    """Derived datasets of a tiny synthetic release (default planted effects). Plumbing only: paces are not realistic."""
    return _release_chain(tmp_path_factory.mktemp("tiny"), "tiny", 20181001, "default")


@pytest.fixture(scope="session")
def sample_derived(tmp_path_factory):
    """Derived datasets of the sample-scale synthetic release with the default planted effects."""
    return _release_chain(tmp_path_factory.mktemp("sample"), "sample", 20181001, "default")


@pytest.fixture(scope="session")
def placebo_derived(tmp_path_factory):
    """Derived datasets of a sample-scale synthetic release with zero planted effects (``--effects none``)."""
    return _release_chain(tmp_path_factory.mktemp("placebo"), "sample", 20181002, "none")
