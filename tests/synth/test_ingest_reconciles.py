"""End to end: the project's loader (helpers.eoir) on a generated release reaches exactly the outcome that
truth.json promises (docs/DATAFLOW.md s2). Skipped if the loader is not importable."""

from __future__ import annotations

import pytest

from .conftest import truth_of

ORPHANS = {"proceedings->cases": "B_TblProceeding->A_TblCase", "schedule->proceedings": "tbl_schedule->B_TblProceeding",
           "applications->proceedings": "tbl_Court_Appln->B_TblProceeding",
           "motions->proceedings": "tbl_Court_Motions->B_TblProceeding",
           "charges->proceedings": "B_TblProceedCharges->B_TblProceeding",
           "representatives->cases": "tbl_RepsAssigned->A_TblCase", "custody->cases": "tbl_CustodyHistory->A_TblCase"}


def test_ingest_matches_truth(tiny, tmp_path):
    ingest = pytest.importorskip("helpers.eoir.ingest").ingest
    report = ingest(tiny, tmp_path / "processed", quiet=True)
    truth = truth_of(tiny)
    assert report["reconciled"] and report["data_source"] == truth["data_source"]
    assert (tmp_path / "processed" / "truth.json").is_file()
    tables = {**report["tables"], **report.get("lookups", {})}
    seen = set()
    for tab in tables.values():
        f = truth["files"][tab["source_file"]]
        seen.add(tab["source_file"])
        assert tab["lines_read"] == f["data_lines"], tab["source_file"]
        assert tab["rows_written"] == f["expected_rows_written"], tab["source_file"]
        assert tab["rows_repaired"] == f["expected_rows_repaired"], tab["source_file"]
        assert tab["rows_padded"] == f["expected_rows_padded"], tab["source_file"]
        assert tab["rows_quarantined"] == f["expected_rows_quarantined_total"], tab["source_file"]
        assert tab.get("quarantined_by_reason", {}) == f["expected_rows_quarantined"], tab["source_file"]
        blank = {k.lower(): v for k, v in f["blank_keys"].items() if v}
        assert {k: v for k, v in tab.get("blank_keys", {}).items() if v} == blank, tab["source_file"]
    assert seen == {k for k in truth["files"]}
    for name, rel in ORPHANS.items():
        assert report["orphans"][name]["orphan_rows"] == truth["orphans"].get(rel, 0), name
