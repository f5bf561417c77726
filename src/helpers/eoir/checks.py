"""Checks over the written Parquet with DuckDB: duplicate primary keys and orphans between tables.

DuckDB runs with a memory limit, a spill folder and a bounded thread count, so the checks stay
within the ingest's memory budget however large the tables are.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

#: (name, child table, child column, parent table, parent column): child rows whose (non-null)
#: key has no row in the parent table.
ORPHAN_CHECKS = [
    ("proceedings->cases", "b_tblproceeding", "idncase", "a_tblcase", "idncase"),
    ("schedule->proceedings", "tbl_schedule", "idnproceeding", "b_tblproceeding", "idnproceeding"),
    ("applications->proceedings", "tbl_court_appln", "idnproceeding", "b_tblproceeding", "idnproceeding"),
    ("motions->proceedings", "tbl_court_motions", "idnproceeding", "b_tblproceeding", "idnproceeding"),
    ("charges->proceedings", "b_tblproceedcharges", "idnproceeding", "b_tblproceeding", "idnproceeding"),
    ("representatives->cases", "tbl_repsassigned", "idncase", "a_tblcase", "idncase"),
    ("custody->cases", "tbl_custodyhistory", "idncase", "a_tblcase", "idncase"),
    ("bonds->cases", "d_tblassociatedbond", "idncase", "a_tblcase", "idncase"),
]


def connect(temp_dir: Path | str | None = None, memory_limit: str = "2GB", threads: int | None = None,
            database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory (spilling to ``temp_dir``) and threads."""
    con = duckdb.connect(database)
    temp_dir = Path(temp_dir) if temp_dir else Path(tempfile.gettempdir()) / "helpers-duckdb"
    temp_dir.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{_sql_str(str(temp_dir))}'")
    con.execute(f"SET threads = {int(threads or max(1, min(4, os.cpu_count() or 1)))}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


def _src(path: Path) -> str:
    return f"read_parquet('{_sql_str(str(path))}')"


def duplicate_keys(con: duckdb.DuckDBPyConnection, parquet: Path, key: str, examples: int = 5) -> dict:
    """Primary-key values that occur more than once (counted, never dropped)."""
    q = f"""
        SELECT "{key}" AS k, count(*) AS n FROM {_src(parquet)}
        WHERE "{key}" IS NOT NULL GROUP BY 1 HAVING count(*) > 1
    """
    keys, rows = con.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM ({q})").fetchall()[0]
    ex = con.execute(f"SELECT k, n FROM ({q}) ORDER BY n DESC, k LIMIT {int(examples)}").fetchall()
    return {"key": key, "keys_duplicated": int(keys), "rows_with_duplicated_key": int(rows),
            "examples": [{"value": k, "rows": int(n)} for k, n in ex]}


def orphan_counts(con: duckdb.DuckDBPyConnection, tables_dir: Path) -> dict:
    """For each relation in :data:`ORPHAN_CHECKS` whose two tables exist: child rows without a parent."""
    out = {}
    for name, child, ccol, parent, pcol in ORPHAN_CHECKS:
        cp, pp = tables_dir / f"{child}.parquet", tables_dir / f"{parent}.parquet"
        if not (cp.exists() and pp.exists()):
            out[name] = {"skipped": "table missing"}
            continue
        n_rows, n_keys = con.execute(f"""
            SELECT count(*), count(DISTINCT c."{ccol}") FROM {_src(cp)} c
            WHERE c."{ccol}" IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {_src(pp)} p WHERE p."{pcol}" = c."{ccol}")
        """).fetchall()[0]
        out[name] = {"child": f"{child}.{ccol}", "parent": f"{parent}.{pcol}",
                     "orphan_rows": int(n_rows), "orphan_keys": int(n_keys)}
    return out
