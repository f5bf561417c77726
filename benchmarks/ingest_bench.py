"""Benchmark: our ingest vs DuckDB's bare CSV->Parquet copy vs a whole-file pandas read.

    python benchmarks/ingest_bench.py 5000000            # rows of a synthetic tbl_schedule-like table

Generates a SYNTHETIC tab-delimited table of N rows with tbl_schedule's 30 columns and raw value
formats (integer ids, ``YYYY-MM-DD HH:MM:SS.fff`` dates, ``HHMM`` times, codes with leading zeros
and trailing spaces, GUIDs, empty fields, a stray ``"`` every 997 rows), then times, each in its own
process:

(a) ``python -m helpers ingest DIR --out OUT --force --quiet`` (typed Parquet + report + checks);
(b) DuckDB: ``COPY (SELECT * FROM read_csv(..., delim='\\t', quote='', escape='', all_varchar=true)) TO ... (FORMAT parquet)``;
(c) pandas: ``read_csv`` of the whole file (all columns as strings, no quoting) then ``to_parquet``.

Wall time, CPU time (user + system) and peak RSS come from ``os.wait4`` (the child's own
``rusage``, the per-process form of ``resource.getrusage(RUSAGE_CHILDREN)``). Ratios are
against DuckDB. Timings depend on what else the machine is doing; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

GENERATE = r"""
COPY (
  SELECT
    1000 + i * 3                                                        AS IDNSCHEDULE,
    500 + i // 3                                                        AS IDNPROCEEDING,
    100 + i // 4                                                        AS IDNCASE,
    strftime(DATE '1995-01-01' + CAST(h(i, 11000) AS INTEGER), '%Y-%m-%d') || ' 00:00:00.000' AS OSC_DATE,
    ['99', '98', '97'][1 + h(i + 1, 3)]                             AS GENERATION,
    CASE WHEN h(i + 2, 20) = 0 THEN '99' END                        AS SUB_GENERATION,
    ['X', 'X', 'X', 'B', 'A'][1 + h(i + 3, 5)]                      AS REC_TYPE,
    ['SP ', 'ENG', 'AR', 'POR', 'MAM'][1 + h(i + 4, 5)]             AS LANG,
    ['NYC', 'LOS', 'SFR', 'HOU', 'SAN "YSIDRO'][1 + CASE WHEN i % 997 = 0 THEN 4 ELSE h(i + 5, 4) END]
                                                                        AS HEARING_LOC_CODE,
    ['NYC', 'LOS', 'SFR', 'HOU'][1 + h(i + 5, 4)]                   AS BASE_CITY_CODE,
    ['ABM', '001', 'JDP', 'X7Z', 'VDA'][1 + h(i + 6, 5)]            AS IJ_CODE,
    NULL                                                                AS INTERPRETER_CODE,
    strftime(DATE '2010-01-01' + CAST(h(i + 7, 5000) AS INTEGER), '%Y-%m-%d') || ' 00:00:00.000' AS INPUT_DATE,
    lpad(CAST(h(i + 8, 24) AS VARCHAR), 2, '0') || lpad(CAST(h(i + 9, 60) AS VARCHAR), 2, '0') AS INPUT_TIME,
    strftime(TIMESTAMP '2010-01-01' + to_milliseconds(h(i + 10, 500000000000)),
             '%Y-%m-%d %H:%M:%S.%g')                                    AS UPDATE_DATE,
    '1531'                                                              AS UPDATE_TIME,
    CASE WHEN h(i + 11, 7) = 0 THEN 'W' END                         AS ASSIGNMENT_PATH,
    ['M', 'M', 'M', 'I'][1 + h(i + 12, 4)]                          AS CAL_TYPE,
    strftime(DATE '2012-01-01' + CAST(h(i + 13, 5000) AS INTEGER), '%Y-%m-%d') || ' 00:00:00.000' AS ADJ_DATE,
    ['0900', '0830', '1300', '1000'][1 + h(i + 14, 4)]              AS ADJ_TIME_START,
    CASE WHEN h(i + 15, 9) <> 0 THEN '1000' END                     AS ADJ_TIME_STOP,
    CASE WHEN h(i + 16, 6) <> 0 THEN ['01', '17', '02', '9A', '32'][1 + h(i + 17, 5)] END AS ADJ_RSN,
    ['P', 'H', 'V', 'p', 'A'][1 + h(i + 18, 5)]                     AS ADJ_MEDIUM,
    NULL                                                                AS ADJ_MSG,
    CASE WHEN h(i + 19, 2) = 0 THEN '0000' ELSE lpad(CAST(h(i + 19, 900) AS VARCHAR), 4, '0') END
                                                                        AS ADJ_ELAP_DAYS,
    CASE WHEN h(i + 20, 5) <> 0 THEN 7000000 + i // 20 END          AS LNGSESSNID,
    ['MR', 'MM', 'II', 'IR'][1 + h(i + 21, 4)]                      AS SCHEDULE_TYPE,
    CASE WHEN h(i + 22, 2) = 0 THEN 'U7' END                        AS NOTICE_CODE,
    CASE WHEN h(i + 23, 500) = 0 THEN '1' ELSE '0' END              AS BLNCLOCKOVERRIDE,
    CASE WHEN h(i + 24, 5) < 2 THEN upper(CAST(uuid() AS VARCHAR)) END AS EOIRAttorneyID
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT csv, DELIMITER '\t', HEADER true, QUOTE '', ESCAPE '', NULLSTR '')
"""

DUCKDB_COPY = r"""
import duckdb, sys
con = duckdb.connect()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', delim='\t', quote='', escape='', header=true, "
            f"all_varchar=true)) TO '{sys.argv[2]}' (FORMAT parquet, COMPRESSION zstd)")
"""

PANDAS_READ = r"""
import csv, sys
import pandas as pd
df = pd.read_csv(sys.argv[1], sep='\t', quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)
df.to_parquet(sys.argv[2], compression='zstd')
"""


def generate(rows: int, folder: Path) -> Path:
    """Write the synthetic table as ``folder/tbl_schedule.csv`` (a one-table release folder)."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tbl_schedule.csv"
    con = duckdb.connect()
    con.execute("CREATE MACRO h(x, n) AS CAST(hash(x) % n AS BIGINT)")     # deterministic pseudo-random
    con.execute(GENERATE.format(rows=int(rows), path=str(path).replace("'", "''")))
    con.close()
    return path


def run(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds and peak RSS (MB) of that child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, HELPERS_QUIET="1"))
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {code}:\n{err}")
    return {"wall_s": round(wall, 2), "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
            "peak_rss_mb": round(ru.ru_maxrss / 1024, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", type=int, nargs="?", default=2_000_000, help="rows of the synthetic table")
    ap.add_argument("--workdir", type=Path, default=HERE / "cache" / "ingest")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args(argv)

    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    src = generate(args.rows, work / "release")
    gen_s = time.perf_counter() - t0
    size = src.stat().st_size
    py = sys.executable
    results = {
        "ingest (helpers)": run([py, "-m", "helpers", "ingest", str(src.parent), "--out", str(work / "processed"),
                                 "--force", "--quiet"]),
        "duckdb read_csv->parquet": run([py, "-c", DUCKDB_COPY, str(src), str(work / "duckdb.parquet")]),
        "pandas read_csv+to_parquet": run([py, "-c", PANDAS_READ, str(src), str(work / "pandas.parquet")]),
    }
    rep = json.loads((work / "processed" / "ingest_report.json").read_text())
    assert rep["tables"]["tbl_schedule"]["rows_written"] == args.rows, "ingest lost rows"
    base = results["duckdb read_csv->parquet"]
    print(f"SYNTHETIC input: {args.rows:,} rows x 30 columns, {size / 1e6:,.0f} MB (generated in {gen_s:.1f} s); "
          f"{os.cpu_count()} CPUs")
    print(f"{'tool':28s} {'wall s':>8s} {'cpu s':>8s} {'peak RSS MB':>12s} {'wall/duckdb':>12s} {'rss/duckdb':>11s}")
    for name, r in results.items():
        print(f"{name:28s} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} {r['peak_rss_mb']:>12.0f} "
              f"{r['wall_s'] / base['wall_s']:>12.2f} {r['peak_rss_mb'] / base['peak_rss_mb']:>11.2f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": args.rows, "bytes": size, "results": results}, indent=2) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
