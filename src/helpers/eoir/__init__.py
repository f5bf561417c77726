"""Reading EOIR's public case-data release ("EOIR Case Data.zip").

* ``python -m helpers ingest SRC --out DIR`` / :func:`helpers.eoir.ingest.ingest`: stream a release
  (zip with Deflate or Deflate64 members, or an unpacked folder) into typed Parquet tables with a
  per-table accounting report (docs/INGEST.md, docs/DATAFLOW.md section 2).
* :func:`open`: lazy DuckDB access to the processed tables, with decoded labels.

Modules: ``source`` (zip/folder streams, zip safety), ``layout`` (finding tables, Count.txt,
data_source), ``rawformat`` (bytes and blocks), ``schema``/``tables`` (column specs), ``values``
(checking one value), ``repair`` (malformed lines), ``convert`` (typed columns), ``tableio`` (one
table to Parquet), ``checks`` (DuckDB duplicate-key and orphan checks), ``ingest`` (the run, report
and CLI), ``release`` (open).
"""

from __future__ import annotations

from .release import Release, open  # noqa: A004 - helpers.eoir.open is the documented entry point

__all__ = ["Release", "open"]
