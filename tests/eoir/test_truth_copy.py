"""A synthetic release's truth.json and truth/*.csv travel with the processed tables."""

from __future__ import annotations

import json


def test_truth_tables_are_copied(tiny_derived):
    processed, raw_root = tiny_derived.parent / "processed", tiny_derived.parent / "raw"
    truth = json.loads((processed / "truth.json").read_text())
    assert truth["data_source"].startswith("synthetic:tiny")
    for rel in truth["truth_tables"].values():
        copied = processed / "truth" / rel.split("/")[-1]
        assert copied.exists(), f"{rel} was not copied next to the processed tables"
        (original,) = list(raw_root.rglob(rel))
        assert copied.read_bytes() == original.read_bytes()
