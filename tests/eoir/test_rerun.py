"""Reruns: unchanged input is skipped, --force re-ingests, an interrupted run leaves outputs intact."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from helpers.eoir import tableio
from helpers.eoir.ingest import ingest

from .builder import CORE_HEADERS, TOP, encode_lines, filler, standard_release


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _replace(src: Path, table: str, data: bytes) -> None:
    (src / TOP / "EOIR Case Data" / f"{table}.csv").write_bytes(data)


def _ingested(tmp_path: Path) -> tuple[Path, Path, str]:
    """A standard release ingested once: (release folder, output folder, digest of tbl_schedule.parquet)."""
    src = standard_release().folder(tmp_path / "rel")
    out = tmp_path / "out"
    ingest(src, out, quiet=True)
    return src, out, _digest(out / "tables" / "tbl_schedule.parquet")


def test_rerun_without_changes_does_nothing_and_force_redoes(tmp_path):
    src, out, _ = _ingested(tmp_path)
    first = json.loads((out / "ingest_report.json").read_text())
    assert not any("skipped" in e for e in first["tables"].values())
    pq_path = out / "tables" / "a_tblcase.parquet"
    stamp = pq_path.stat().st_mtime_ns
    second = ingest(src, out, quiet=True)
    assert all("skipped" in e for s in ("tables", "lookups") for e in second[s].values())
    assert pq_path.stat().st_mtime_ns == stamp
    assert second["tables"]["a_tblcase"]["rows_written"] == 2 and second["reconciled"]
    # change one table: only that one is read again
    _replace(src, "A_TblCase", encode_lines(CORE_HEADERS["A_TblCase"], [filler("A_TblCase", i) for i in range(1, 4)]))
    third = ingest(src, out, quiet=True)
    assert "skipped" not in third["tables"]["a_tblcase"] and third["tables"]["a_tblcase"]["rows_written"] == 3
    assert "skipped" in third["tables"]["b_tblproceeding"]
    forced = ingest(src, out, force=True, quiet=True)
    assert not any("skipped" in e for e in forced["tables"].values())


def test_exception_mid_table_keeps_previous_output_and_rerun_completes(tmp_path, monkeypatch):
    src, out, before = _ingested(tmp_path)
    _replace(src, "tbl_schedule", encode_lines(CORE_HEADERS["tbl_schedule"],
                                               [filler("tbl_schedule", i) for i in range(1, 400)]))

    calls = {"n": 0}
    real = tableio.process_block

    def dying(block, plan):
        calls["n"] += 1
        if plan.table.name == "tbl_schedule" and calls["n"] > 3:
            raise KeyboardInterrupt("simulated interruption")
        return real(block, plan)

    monkeypatch.setattr(tableio, "BLOCK_BYTES", 2000)
    monkeypatch.setattr(tableio, "process_block", dying)
    with pytest.raises(KeyboardInterrupt):
        ingest(src, out, quiet=True, tables=["tbl_schedule"])
    assert _digest(out / "tables" / "tbl_schedule.parquet") == before
    assert not list((out / "tables").glob(".*.tmp-*"))
    monkeypatch.setattr(tableio, "process_block", real)
    rep = ingest(src, out, quiet=True)
    assert rep["tables"]["tbl_schedule"]["rows_written"] == 399 and rep["reconciled"]


def test_kill_9_mid_table_then_rerun(tmp_path):
    """A real ``kill -9`` while the table is being written: old output intact, the rerun completes."""
    src, out, before = _ingested(tmp_path)
    report_before = (out / "ingest_report.json").read_text()
    line = "\t".join(filler("tbl_schedule", 7)).encode() + b"\r\n"
    _replace(src, "tbl_schedule", encode_lines(CORE_HEADERS["tbl_schedule"], []) + line * 400_000)   # ~50 MB

    env = dict(os.environ, HELPERS_QUIET="1")
    proc = subprocess.Popen([sys.executable, "-m", "helpers", "ingest", str(src), "--out", str(out), "--quiet",
                             "--tables", "tbl_schedule"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list((out / "tables").glob(".tbl_schedule.parquet.tmp-*")):
        time.sleep(0.01)
    assert list((out / "tables").glob(".tbl_schedule.parquet.tmp-*")), "the ingest never started writing"
    os.kill(proc.pid, signal.SIGKILL)        # within ~10 ms of the temporary file appearing
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _digest(out / "tables" / "tbl_schedule.parquet") == before
    assert (out / "ingest_report.json").read_text() == report_before
    rep = ingest(src, out, quiet=True)
    assert rep["reconciled"] and rep["tables"]["tbl_schedule"]["rows_written"] == 400_000
    assert "skipped" in rep["tables"]["a_tblcase"]
    assert not list((out / "tables").glob(".*.tmp-*"))
    assert pq.read_metadata(out / "tables" / "tbl_schedule.parquet").num_rows == 400_000


def test_table_left_from_an_earlier_release_is_marked_stale(tmp_path):
    src, out, _ = _ingested(tmp_path)
    (src / TOP / "EOIR Case Data" / "tblAppeal2.csv").unlink()
    rep = ingest(src, out, quiet=True)
    assert rep["tables"]["tblappeal2"]["stale"].startswith("not in the current release")
    assert any(w.startswith("tblappeal2: not in the current release") for w in rep["warnings"])
    assert "stale" not in rep["tables"]["a_tblcase"]
