"""Lazy access to a processed release: ``helpers.eoir.open(DIR)``.

Nothing is loaded into memory when the release is opened: every processed Parquet file becomes a
DuckDB view named as in docs/DATAFLOW.md section 2 (``b_tblproceeding``, ``tbllookupjudge``, ...),
and queries run out of core with a memory limit.

Decoding uses the lookup tables shipped with the release (nothing is hard-coded). Where a lookup
repeats a code (active and inactive rows), the active row wins, then the latest ``datModifiedOn``,
then the highest id. Code comparisons trim surrounding spaces and are case-sensitive (EOIR codes
such as ``212c`` and ``212C`` differ); table names in ``PARENT_TABLE`` are lower-cased.

Views with decoded labels:

* ``b_tblproceeding_decoded``: every proceeding column plus ``dec_code_label`` (DEC_CODE read
  together with CASE_TYPE through tblLookupCourtDecision rows with strDecType ``C``) and
  ``other_comp_label`` (OTHER_COMP through rows with strDecType ``O``, by case type, else a row
  without case type); case types are compared in upper case;
* ``tbl_repsassigned_decoded``: ``parent_table`` in lower case.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from helpers._util import read_json
from helpers.outputs import is_synthetic

from .checks import connect


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Release:
    """A processed release opened for reading (see module docstring)."""

    def __init__(self, processed_dir: Path | str, memory_limit: str = "2GB", threads: int | None = None,
                 temp_dir: Path | str | None = None):
        self.path = Path(processed_dir)
        rp = self.path / "ingest_report.json"
        if not rp.exists():
            raise FileNotFoundError(f"{self.path}: not a processed release (no ingest_report.json); "
                                    "run `python -m helpers ingest SRC --out DIR` first")
        self.report: dict = read_json(rp)
        self.data_source: str = self.report.get("data_source", "unknown")
        self.con: duckdb.DuckDBPyConnection = connect(temp_dir, memory_limit, threads)
        self.without_columns: list[str] = []
        self.tables: list[str] = self._views("tables")
        self.lookups: list[str] = self._views("lookups")
        self.decoded: list[str] = []
        self._decoded_views()

    # -- set-up -------------------------------------------------------------------------------------
    def _views(self, sub: str) -> list[str]:
        names = []
        for p in sorted((self.path / sub).glob("*.parquet")):
            name = p.stem
            if pq.read_metadata(p).num_columns == 0:      # an empty file without a header: nothing to query
                self.without_columns.append(name)
                continue
            path = str(p.resolve()).replace("'", "''")
            self.con.execute(f"CREATE OR REPLACE VIEW {_q(name)} AS SELECT * FROM read_parquet('{path}')")
            names.append(name)
        return names

    def columns(self, name: str) -> list[str]:
        """Column names of a view."""
        return [r[0] for r in self.con.execute(f"DESCRIBE {_q(name)}").fetchall()]

    def _ranked(self, lookup: str, keys: dict[str, str], extra: list[str]) -> str:
        """SQL selecting one row per key of ``lookup``: active first, then latest modified, then highest id.

        ``keys`` maps output names to SQL expressions over the lookup's columns.
        """
        cols = self.columns(lookup)
        order = []
        if "blnactive" in cols:
            order.append("blnactive DESC NULLS LAST")
        if "datmodifiedon" in cols:
            order.append("datmodifiedon DESC NULLS LAST")
        order.append(f"{_q(cols[0])} DESC NULLS LAST")
        select = [f"{expr} AS {name}" for name, expr in keys.items()] + extra
        return (f"SELECT {', '.join(select)} FROM {_q(lookup)} "
                f"QUALIFY row_number() OVER (PARTITION BY {', '.join(keys.values())} ORDER BY {', '.join(order)}) = 1")

    def _decoded_views(self) -> None:
        need = {"strcasetype", "strdeccode", "strdectype", "strdecdescription"}
        if "b_tblproceeding" in self.tables and "tbllookupcourtdecision" in self.lookups \
                and need <= set(self.columns("tbllookupcourtdecision")):
            cd = self._ranked("tbllookupcourtdecision",
                              {"case_type": "upper(trim(coalesce(strcasetype, '')))", "code": "trim(strdeccode)",
                               "dec_type": "upper(trim(strdectype))"},
                              ["strdecdescription AS label"])
            self.con.execute(f"""
                CREATE OR REPLACE VIEW b_tblproceeding_decoded AS
                WITH cd AS ({cd})
                SELECT p.*, dc.label AS dec_code_label, coalesce(oc.label, oa.label) AS other_comp_label
                FROM b_tblproceeding p
                LEFT JOIN cd dc ON dc.dec_type = 'C' AND dc.case_type = upper(trim(p.case_type))
                                AND dc.code = trim(p.dec_code)
                LEFT JOIN cd oc ON oc.dec_type = 'O' AND oc.case_type = upper(trim(p.case_type))
                                AND oc.code = trim(p.other_comp)
                LEFT JOIN cd oa ON oa.dec_type = 'O' AND oa.case_type = '' AND oa.code = trim(p.other_comp)
            """)
            self.decoded.append("b_tblproceeding_decoded")
        if "tbl_repsassigned" in self.tables and "parent_table" in self.columns("tbl_repsassigned"):
            self.con.execute("CREATE OR REPLACE VIEW tbl_repsassigned_decoded AS "
                             "SELECT * REPLACE (lower(trim(parent_table)) AS parent_table) FROM tbl_repsassigned")
            self.decoded.append("tbl_repsassigned_decoded")

    # -- access -------------------------------------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        """True for releases written by the generator: their numbers are not findings."""
        return is_synthetic(self.data_source)

    @property
    def views(self) -> list[str]:
        """Every view: core tables, lookups and decoded views."""
        return self.tables + self.lookups + self.decoded

    def table(self, name: str) -> duckdb.DuckDBPyRelation:
        """A lazy DuckDB relation over a processed table, lookup or decoded view."""
        name = Path(name).stem.lower()
        if name not in self.views:
            raise KeyError(f"{self.path}: no table {name!r}; have {', '.join(self.tables + self.decoded)}")
        return self.con.table(name)

    def lookup(self, name: str) -> duckdb.DuckDBPyRelation:
        """A lookup table (file base name, any case)."""
        name = Path(name).stem.lower()
        if name not in self.lookups:
            raise KeyError(f"{self.path}: no lookup {name!r}")
        return self.con.table(name)

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        """A lazy relation for ``query`` (views are named as the processed files)."""
        return self.con.sql(query)

    def df(self, query: str, params: list | None = None) -> pd.DataFrame:
        """Run ``query`` and return a pandas DataFrame."""
        rel = self.con.sql(query, params=params) if params else self.con.sql(query)
        return rel.df()

    def decode(self, table: str, column: str, lookup: str, code_col: str, label_col: str,
               label_name: str | None = None) -> duckdb.DuckDBPyRelation:
        """``table`` with ``<column>_label``: ``column`` looked up in ``lookup.code_col`` -> ``label_col``.

        Codes are compared after trimming spaces; when the lookup repeats a code the active row
        wins, then the latest datModifiedOn. Unmatched codes get a null label (left join).
        """
        table, lookup = table.lower(), Path(lookup).stem.lower()
        column, code_col, label_col = column.lower(), code_col.lower(), label_col.lower()
        for t, c in ((table, column), (lookup, code_col), (lookup, label_col)):
            if c not in self.columns(t):
                raise KeyError(f"{t} has no column {c!r}")
        lk = self._ranked(lookup, {"code": f"trim(CAST({_q(code_col)} AS VARCHAR))"}, [f"{_q(label_col)} AS label"])
        label = label_name or f"{column}_label"
        return self.con.sql(f"""
            WITH lk AS ({lk})
            SELECT t.*, lk.label AS {_q(label)} FROM {_q(table)} t
            LEFT JOIN lk ON lk.code = trim(CAST(t.{_q(column)} AS VARCHAR))
        """)

    def proceedings_decoded(self) -> duckdb.DuckDBPyRelation:
        """Proceedings with ``dec_code_label`` and ``other_comp_label`` (see module docstring)."""
        return self.table("b_tblproceeding_decoded")

    # -- lifecycle ----------------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Release":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Release({str(self.path)!r}, data_source={self.data_source!r}, "
                f"{len(self.tables)} tables, {len(self.lookups)} lookups)")


def open(processed_dir: Path | str, **kwargs) -> Release:  # noqa: A001 - the documented name
    """Open a processed release folder for lazy DuckDB access (see :class:`Release`)."""
    return Release(processed_dir, **kwargs)
