"""The benchmark keeps working: a tiny smoke run of ``benchmarks/run.py`` and unit tests of its measuring code.

The smoke run generates a tiny SYNTHETIC release, ingests it and runs the DuckDB baseline (a few seconds);
results go to a temporary folder, never to the committed ``benchmarks/results.csv``.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import measure  # noqa: E402
import plot  # noqa: E402
import results  # noqa: E402
import run as bench_run  # noqa: E402


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--smoke", "--cache", str(root / "cache"),
                           "--results", str(root / "res"), "-q"], capture_output=True, text=True, timeout=300)
    return root, proc


def test_smoke_run_measures_synth_ingest_and_duckdb(smoke):
    root, proc = smoke
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((root / "res" / "results.csv").open()))
    assert list(rows[0]) == results.COLUMNS
    by = {(r["stage"], r["variant"], r["table"]): r for r in rows}
    synth, ingest = by[("synth", "ours", "")], by[("ingest", "ours", "")]
    assert synth["status"] == ingest["status"] == "ok"
    assert int(synth["rows"]) == int(ingest["rows"]) > 1000       # every core-table line generated is ingested
    assert "reconciled True" in ingest["note"]
    for r in (synth, ingest):
        assert float(r["wall_s"]) > 0 and float(r["cpu_s"]) > 0 and float(r["peak_rss_mb"]) > 50
    duck = [r for r in rows if r["variant"] == "duckdb-bare"]
    assert len(duck) == 19 and all(r["status"] == "ok" for r in duck)
    assert sum(int(r["rows"]) for r in duck) == int(ingest["rows"])
    total = by[("baselines", "duckdb-bare total", "")]
    # ratios are written with 2 decimals
    assert float(total["ratio_wall"]) == pytest.approx(float(ingest["wall_s"]) / float(total["wall_s"]), abs=0.006)
    md = (root / "res" / "RESULTS.md").read_text()
    assert "synthetic" in md and "| ingest | ours |" in md and "summary" in md
    # the release is cached: a second smoke run does not regenerate it and reports the cached measurement
    again = subprocess.run([sys.executable, str(BENCH / "run.py"), "--smoke", "--stages", "synth", "--cache",
                            str(root / "cache"), "--results", str(root / "res"), "-q"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    last = list(csv.DictReader((root / "res" / "results.csv").open()))[-1]
    assert last["stage"] == "synth" and last["note"].startswith("cached release") and last["wall_s"] == synth["wall_s"]


def test_run_child_measures_and_caps_memory():
    ok = measure.run_child("alloc", [sys.executable, "-c", "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    assert ok.status == "ok" and ok.peak_rss_mb > 150 and ok.wall_s > 0
    capped = measure.run_child("hog", [sys.executable, "-c", "import time; b = bytearray(400 * 2**20); "
                                       "b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"], cap_mb=200, sample_s=0.05)
    assert capped.status == "killed_at_cap" and capped.wall_s < 20
    bad = measure.run_child("fail", [sys.executable, "-c", "raise SystemExit('boom in child')"])
    assert bad.status == "failed" and "boom in child" in bad.error


def test_parse_time_v_and_its_errors():
    text = ("\tUser time (seconds): 480.10\n\tSystem time (seconds): 12.50\n"
            "\tElapsed (wall clock) time (h:mm:ss or m:ss): 12:36.20\n\tMaximum resident set size (kbytes): 1853440\n"
            "\tExit status: 0\n")
    m = measure.parse_time_v(text, "synth", 0.8)
    assert (m.wall_s, m.cpu_s, m.peak_rss_mb, m.status) == (756.2, 492.6, 1810.0, "ok")
    with pytest.raises(ValueError, match="rss"):
        measure.parse_time_v(text.replace("Maximum resident", "Max"), "synth")


def test_count_txt_errors_name_file_and_line(tmp_path):
    data = tmp_path / "EOIR Case Data"
    data.mkdir()
    (data / "A_TblCase.csv").write_text("IDNCASE\n1\n")
    (data / "Count.txt").write_text("A_TblCase\t1\nB_TblProceeding\tmany\n")
    with pytest.raises(SystemExit, match=r"Count.txt line 2"):
        bench_run.core_tables(tmp_path)
    (data / "Count.txt").write_text("A_TblCase\t1\n")
    assert bench_run.core_tables(tmp_path)["a_tblcase"][1] == 1


def test_scaling_table_takes_latest_ok_rows_and_sums_models():
    rows = []
    for scale, n, t in [("tiny", 100, 1.0), ("sample", 10_000, 10.0)]:
        for stage, variant, wall, status, date in [("synth", "ours", t, "ok", "1"), ("ingest", "ours", 9 * t, "failed", "2"),
                                                   ("ingest", "ours", t / 2, "ok", "3"), ("models", "first_stage", t, "ok", "4"),
                                                   ("models", "asylum_did", 2 * t, "ok", "4")]:
            rows.append({"run_id": "r", "date_utc": date, "scale": scale, "stage": stage, "variant": variant,
                         "rows": n, "wall_s": wall, "tree_peak_mb": 100 * t, "status": status})
    tab = plot.scaling_table(pd.DataFrame(rows)).set_index(["scale", "stage"])
    assert tab.loc[("sample", "ingest"), "wall_s"] == 5.0                 # the failed row is ignored
    assert tab.loc[("sample", "models (sum)"), "wall_s"] == 30.0           # models summed within the run
    assert tab.loc[("tiny", "synth"), "release_rows"] == 100


def test_summarise_targets_use_latest_ok_rows_and_both_ratios():
    import summarise

    base = {"run_id": "r1", "scale": "full", "status": "ok", "table": "", "rows": 1}

    def row(stage, variant, wall, cpu, mb, date="1", **kw):
        return {**base, "stage": stage, "variant": variant, "wall_s": wall, "cpu_s": cpu, "tree_peak_mb": mb,
                "date_utc": date, **kw}

    rows = [row("ingest", "ours", 100.0, 100.0, 2000), row("ingest", "ours", 500.0, 90.0, 1000, "0"),
            row("baselines", "duckdb-bare", 40.0, 60.0, 900, table="a"),
            row("baselines", "duckdb-bare", 40.0, 40.0, 900, table="b"),
            row("baselines", "duckdb-bare", 999.0, 1.0, 900, table="c", status="failed"),
            row("build", "ours", 700.0, 600.0, 3000), row("models", "continuances", 10.0, 9.0, 5000),
            row("models", "retired_variant", 99.0, 9.0, 5000)]
    lines = summarise.targets(pd.DataFrame(rows), "full")
    ingest = next(x for x in lines if x.startswith("| ingest <="))
    assert "2 tables" in ingest and "| 1.25 | 1.00 | yes |" in ingest   # the older 500 s row and the failed table are ignored
    assert "**NO**" in next(x for x in lines if x.startswith("| build"))   # 700 s > 10 min
    assert "**NO**" in next(x for x in lines if x.startswith("| model continuances"))  # 5000 MB > 4 GB
    assert not any("retired_variant" in x for x in lines)   # only the models the current code fits (workers.MODELS)
    assert next(x for x in lines if x.startswith("| report")).endswith("not measured | | | | |")
