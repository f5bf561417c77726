"""Child processes of the benchmark: the baselines and the headline-model fits, one per process.

    python benchmarks/workers.py duckdb-bare TABLE.csv OUT.parquet [--level 0..4]
    python benchmarks/workers.py pandas-whole TABLE.csv OUT.parquet
    python benchmarks/workers.py pandas-chunks TABLE.csv OUT.parquet [--chunksize N]
    python benchmarks/workers.py model DERIVED NAME              # NAME in MODELS
    python benchmarks/workers.py sm-subset DERIVED MAX_MB        # statsmodels dummies vs fast path, asylum DiD

Each prints one JSON line on stdout (what it did: rows, options, timings inside the process, estimates);
``run.py`` measures wall, CPU and memory from outside (``measure.run_child``).

Raw-format options shared by every baseline (the release's own format, docs/DATAFLOW.md §1): TAB
delimiter, no quoting, no escape character, a header line, latin-1 bytes (DuckDB: UTF-8 first, see
``DUCKDB_LEVELS``), every column read as text
(the same information as the raw file; the project's ingest types the columns instead).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

#: DuckDB read_csv options of the bare conversion: the raw format, no repair, no accounting.
DUCKDB_STRICT = "delim='\\t', quote='', escape='', header=true, all_varchar=true"
#: The ladder of options tried in turn until DuckDB reads the table (level 0 first): DuckDB's default UTF-8
#: (its fastest path; fails on a non-UTF-8 byte such as the release's stray 0xFF), the same padding short rows
#: with nulls and accepting rows with extra fields, then latin-1 (the release's byte encoding, as the ingest
#: decodes it) strict and lenient, then also skipping rows that still do not parse (rows lost).
_LENIENT = "null_padding=true, strict_mode=false"
DUCKDB_LEVELS = ("", _LENIENT, "encoding='latin-1'", f"encoding='latin-1', {_LENIENT}",
                 f"encoding='latin-1', {_LENIENT}, ignore_errors=true")

#: The headline models timed by the ``models`` stage (notebook calls, docs in each analyses module).
MODELS = ("first_stage", "asylum_did", "asylum_did_logit", "continuances", "absentia", "continuances_crv1",
          "absentia_crv1")
#: The notebooks' headline calls; the ``*_crv1`` variants are the same designs with CRV1 instead of the
#: leave-one-judge-out jackknife errors (to show what the jackknife refits cost).
HEADLINE = MODELS[:5]
FY_MIN, FY_MAX = 2012, 2024


def duckdb_bare(src: str, out: str, level: int = 0) -> dict:
    """``COPY (SELECT * FROM read_csv(src, <raw options>)) TO out (FORMAT parquet)``; rows written.

    ``level``: the raw options plus ``DUCKDB_LEVELS[level]``. A DuckDB error is returned as
    ``{"error": <its first line>}`` (the caller then tries the next level)."""
    import duckdb

    opts = DUCKDB_STRICT + (", " + DUCKDB_LEVELS[level] if DUCKDB_LEVELS[level] else "")
    con = duckdb.connect()
    con.execute("SET memory_limit='2GB'")
    q = src.replace("'", "''")
    o = out.replace("'", "''")
    try:
        con.execute(f"COPY (SELECT * FROM read_csv('{q}', {opts})) TO '{o}' (FORMAT parquet, COMPRESSION zstd)")
    except duckdb.Error as e:
        return {"error": str(e).strip().splitlines()[0], "options": opts}
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{o}')").fetchone()[0]
    return {"rows": int(rows), "options": opts}


def _pandas_kwargs() -> dict:
    import csv

    return dict(sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False, encoding="latin-1")


def pandas_whole(src: str, out: str) -> dict:
    """``pd.read_csv`` of the whole file (all text), then ``to_parquet``; rows and the frame's memory (MB).

    A file whose rows do not all have the header's number of fields (the release's ragged rows) stops pandas'
    strict read with a ``ParserError``; the naive user's next step, ``on_bad_lines="skip"`` (the bad rows are lost),
    is then timed instead, as the DuckDB baseline times its lenient level (the failed attempt is not counted;
    ``strict_error`` says it happened)."""
    import pandas as pd

    strict_error = None
    t0 = time.perf_counter()
    try:
        df = pd.read_csv(src, **_pandas_kwargs())
    except pd.errors.ParserError as err:
        strict_error = str(err).strip()[:160]
        t0 = time.perf_counter()
        df = pd.read_csv(src, on_bad_lines="skip", **_pandas_kwargs())
    read_s = time.perf_counter() - t0
    frame_mb = df.memory_usage(deep=True).sum() / 2**20
    df.to_parquet(out, compression="zstd")
    return {"rows": len(df), "read_s": round(read_s, 2), "frame_mb": round(frame_mb, 1), "strict_error": strict_error}


def pandas_chunks(src: str, out: str, chunksize: int = 1_000_000) -> dict:
    """``pd.read_csv(chunksize=...)`` (all text), each chunk appended with a pyarrow ``ParquetWriter``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, writer = 0, None
    try:
        for chunk in pd.read_csv(src, chunksize=chunksize, **_pandas_kwargs()):
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(out, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema))
            rows += len(chunk)
    finally:
        if writer is not None:
            writer.close()
    return {"rows": rows, "chunksize": chunksize}


# ------------------------------------------------------------------------------------------ models

def _load(derived: str, name: str, columns=None):
    from helpers import datasets

    return datasets.load(derived, name, columns=columns)


def _asylum_cases(derived: str):
    from helpers.analyses import asylum

    cases, _ = asylum.build_sample(_load(derived, "asylum_decisions"), _load(derived, "judges"),
                                   _load(derived, "judge_month"), fy_min=FY_MIN, fy_max=FY_MAX)
    return cases


def _prepare(derived: str, name: str):
    """The model's input frame, built as its notebook builds it."""
    from helpers.analyses import absentia as ab
    from helpers.analyses import caseload as cl
    from helpers.analyses import continuances as cont

    if name == "first_stage":
        return cl.design_panel(_load(derived, "judge_month"), FY_MIN, FY_MAX)
    if name in ("asylum_did", "asylum_did_logit"):
        return _asylum_cases(derived)
    judges, jm = _load(derived, "judges"), _load(derived, "judge_month")
    if name.startswith("continuances"):
        hearings = cont.hearing_cells(derived, judges, jm, fy_min=FY_MIN, fy_max=FY_MAX)
        motions = cont.motion_frame(_load(derived, "continuance_motions"), judges, jm, fy_min=FY_MIN, fy_max=FY_MAX)
        return hearings, motions
    if name.startswith("absentia"):
        return ab.completion_frame(_load(derived, "completions", columns=ab.COMPLETION_COLUMNS), judges, jm, denominator="all",
                                   fy_min=FY_MIN, fy_max=FY_MAX)
    raise SystemExit(f"unknown model {name!r}; choose from {MODELS}")


def _fit(name: str, data):
    """Fit the headline model ``name`` exactly as its notebook does (estimates frame)."""
    from helpers.analyses import absentia as ab
    from helpers.analyses import asylum
    from helpers.analyses import caseload as cl
    from helpers.analyses import continuances as cont

    if name == "first_stage":
        return cl.first_stage(data, "completions", "fepois")
    if name == "asylum_did":
        return asylum.did(data, vcov_type="auto")
    if name == "asylum_did_logit":
        return asylum.did(data, method="feglm_logit")
    se = "crv1" if name.endswith("_crv1") else "jackknife"
    if name.startswith("continuances"):
        return cont.headline_designs(*data, fe_bite="judge + court_week", fe_gap="judge_fy + court_month", se=se)
    if name.startswith("absentia"):
        return ab.absentia_designs(data, ab.outcome_name("in_absentia", "all"), fe_lpm="judge + court_month",
                                   fe_logit="judge + court_month", fe_gap="judge_fy + court_month", se=se)
    raise SystemExit(f"unknown model {name!r}; choose from {MODELS}")


def _n_rows(data) -> int:
    """Cases behind the model's frames (cells count their ``n_cases``)."""
    from helpers.analyses.continuances import n_cases

    return sum(n_cases(d) for d in data) if isinstance(data, tuple) else n_cases(data)


def model(derived: str, name: str) -> dict:
    """Load + prepare the model's frame, then fit; seconds of each part, rows, the first estimate."""
    import warnings

    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    data = _prepare(derived, name)
    prep_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    est = _fit(name, data)
    fit_s = time.perf_counter() - t1
    first = est.iloc[0] if len(est) else None
    return {"model": name, "rows": _n_rows(data), "prep_s": round(prep_s, 2), "fit_s": round(fit_s, 2),
            "n_estimates": len(est), "designs": sorted(set(est["design"])) if "design" in est else [],
            "term": None if first is None else str(first["term"]),
            "estimate": None if first is None else float(first["estimate"]),
            "std_error": None if first is None else float(first["std_error"]),
            "notes": list(est.attrs.get("notes", []))}


SM_TERMS = ["bite:quota", "bite:post_suspension", "bite:announce"]


def subset_courts(cases, max_mb: float, factor: float = 4.5):
    """The largest prefix of courts (sorted by code) whose dummy design fits ``max_mb``.

    Estimated statsmodels peak = rows × (regressors + dummies) × 8 bytes × ``factor`` (TOOLING.md §3.4
    measured about 4.4× the design matrix). Returns (subset, courts, estimated MB).
    """
    courts = sorted(cases["court"].dropna().unique())
    best = None
    for k in range(1, len(courts) + 1):
        sub = cases[cases["court"].isin(courts[:k])]
        cols = 3 + 3 + sub["ij_code"].nunique() + sub["court_month"].nunique() + sub["nat"].nunique()
        est_mb = len(sub) * cols * 8 * factor / 2**20
        if est_mb > max_mb:
            break
        best = (sub, courts[:k], est_mb)
    if best is None:
        raise SystemExit(f"no court's asylum sample fits a statsmodels dummy design in {max_mb:.0f} MB")
    return best


def sm_subset(derived: str, max_mb: float, which: str) -> dict:
    """The asylum D2 LPM on a court subset: ``which="statsmodels"`` (OLS with C() dummies, CRV1 by judge) or
    ``"fast"`` (``helpers.analyses.asylum.did``, pyfixest absorbed effects, CRV1) on the same rows."""
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore")
    cases = _asylum_cases(derived)
    sub, courts, est_mb = subset_courts(cases, max_mb)
    y = "asylum_grant"
    t0 = time.perf_counter()
    if which == "statsmodels":
        import statsmodels.formula.api as smf

        fml = f"{y} ~ {' + '.join(SM_TERMS)} + detained + represented + affirmative + C(ij_code) + C(court_month) + C(nat)"
        res = smf.ols(fml, sub).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(sub["ij_code"])[0]})
        estimate, se, n = float(res.params["bite:quota"]), float(res.bse["bite:quota"]), int(res.nobs)
    else:
        from helpers.analyses import asylum

        est = asylum.did(sub, vcov_type="CRV1").set_index("term").loc["bite:quota"]
        estimate, se, n = float(est["estimate"]), float(est["std_error"]), int(est["n_obs"])
    return {"which": which, "rows": len(sub), "n_obs": n, "courts": len(courts), "estimated_sm_mb": round(est_mb),
            "fit_s": round(time.perf_counter() - t0, 2), "estimate": estimate, "std_error": se,
            "judges": int(sub["ij_code"].nunique()), "court_months": int(sub["court_month"].nunique())}


def full_fast(derived: str) -> dict:
    """The asylum D2 LPM on every case with CRV1 errors (the fast path on the full data)."""
    import warnings

    from helpers.analyses import asylum

    warnings.filterwarnings("ignore")
    cases = _asylum_cases(derived)
    t0 = time.perf_counter()
    est = asylum.did(cases, vcov_type="CRV1").set_index("term").loc["bite:quota"]
    return {"which": "fast_full", "rows": len(cases), "n_obs": int(est["n_obs"]), "fit_s": round(time.perf_counter() - t0, 2),
            "estimate": float(est["estimate"]), "std_error": float(est["std_error"])}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="kind", required=True)
    s = sub.add_parser("duckdb-bare")
    s.add_argument("src")
    s.add_argument("out")
    s.add_argument("--level", type=int, default=0, choices=range(len(DUCKDB_LEVELS)))
    for kind in ("pandas-whole", "pandas-chunks"):
        s = sub.add_parser(kind)
        s.add_argument("src")
        s.add_argument("out")
        s.add_argument("--chunksize", type=int, default=1_000_000)
    s = sub.add_parser("model")
    s.add_argument("derived")
    s.add_argument("name", choices=MODELS)
    s = sub.add_parser("sm-subset")
    s.add_argument("derived")
    s.add_argument("max_mb", type=float)
    s.add_argument("which", choices=["statsmodels", "fast"])
    s = sub.add_parser("fast-full")
    s.add_argument("derived")
    a = p.parse_args(argv)
    if a.kind == "duckdb-bare":
        res = duckdb_bare(a.src, a.out, a.level)
    elif a.kind == "pandas-whole":
        res = pandas_whole(a.src, a.out)
    elif a.kind == "pandas-chunks":
        res = pandas_chunks(a.src, a.out, a.chunksize)
    elif a.kind == "model":
        res = model(a.derived, a.name)
    elif a.kind == "sm-subset":
        res = sm_subset(a.derived, a.max_mb, a.which)
    else:
        res = full_fast(a.derived)
    print(json.dumps(res))
    return 3 if "error" in res else 0


if __name__ == "__main__":
    sys.exit(main())
