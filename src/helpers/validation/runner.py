"""The study runner: replications in parallel, results appended as they finish, summary from the estimates CSV.

One replication = ``helpers.synth.generate`` (scenario effects file, seed) -> ``helpers.eoir.ingest`` ->
``helpers.datasets.build``, all in a temporary folder deleted afterwards, then
:func:`helpers.validation.designs.run_designs`. Seeds are ``base_seed + rep`` for rep = 0 .. reps − 1, the same in
every scenario (paired worlds). Three files (``--out`` names the first; the others sit beside it):

* ``<name>_estimates.csv`` (:data:`ESTIMATE_COLUMNS`): one row per replication × scenario × design × sample × term;
* ``<name>_runs.csv`` (:data:`RUN_COLUMNS`): one row per replication (status, data source, timings, checksums);
* ``<name>_summary.csv``: :func:`helpers.validation.summary.summarize` of the estimates file.

A replication's estimate rows are appended first and its run row last, so an interrupted study keeps every finished
replication; rerunning the same command skips those (rows of a replication without a run row are discarded), and a
changed effects file or generator version is refused rather than mixed in.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from helpers._util import atomic_path, progress
from helpers.validation import scenarios as sc
from helpers.validation.designs import DESIGN_COLUMNS
from helpers.validation.summary import summarize

#: Seeds are BASE_SEED + replication index (fresh worlds: the notebooks and tests use 20181001/20181002).
BASE_SEED = 7_000_000
SCALES = ("tiny", "sample", "medium")
RUN_KEYS = ["scenario", "scale", "seed"]
ESTIMATE_COLUMNS = ["scenario", "scale", "seed", "rep"] + DESIGN_COLUMNS
RUN_COLUMNS = RUN_KEYS + [
    "rep", "status", "error", "data_source", "effects_name", "effects_sha256", "generator_version", "code_sha256",
    "judges", "judges_with_bite", "generate_s", "ingest_s", "build_s", "designs_s", "total_s", "finished_utc",
]


class StudyError(ValueError):
    """A study that cannot start (bad arguments, a results file from a different study)."""


@dataclass(frozen=True)
class Task:
    """One replication: scenario, its effects file, release scale, seed, replication index and the design keys
    to run (empty: every design)."""

    scenario: str
    effects: str
    scale: str
    seed: int
    rep: int
    designs: tuple[str, ...] = ()


def output_paths(out: str | Path) -> dict[str, Path]:
    """``estimates``, ``runs`` and ``summary`` paths for ``--out``: ``x_estimates.csv`` gives ``x_runs.csv`` and
    ``x_summary.csv``; any other name ``<stem>.csv`` is the estimates file and gets ``<stem>_runs.csv`` and
    ``<stem>_summary.csv``."""
    out = Path(out)
    stem = out.stem.removesuffix("_estimates")
    return {"estimates": out, "runs": out.with_name(f"{stem}_runs.csv"),
            "summary": out.with_name(f"{stem}_summary.csv")}


# --------------------------------------------------------------------------------------------- one replication

def _worker_init() -> None:
    """Worker processes: one thread per numerical library (the pool provides the parallelism), no progress bars."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ["HELPERS_QUIET"] = "1"


def run_replication(task: Task, workdir: str | Path | None = None) -> tuple[pd.DataFrame, dict]:
    """Generate, ingest, build and analyse one release; returns (estimate rows, run row).

    Everything is written under a temporary folder (in ``workdir`` or the system's), removed afterwards. A failure
    of the pipeline is returned as a run row with ``status = "failed"`` and the error, not raised.
    """
    import warnings

    from helpers import datasets, synth
    from helpers.eoir.ingest import ingest
    from helpers.validation.designs import DESIGNS, get_design, run_designs

    warnings.filterwarnings("ignore", message=r".*singleton")
    run = {"scenario": task.scenario, "scale": task.scale, "seed": task.seed, "rep": task.rep, "status": "ok",
           "error": "", "effects_sha256": _sha256(task.effects) if Path(task.effects).is_file() else "",
           "generator_version": synth.GENERATOR_VERSION,
           "code_sha256": code_fingerprint()}
    times: dict[str, float] = {}
    est = pd.DataFrame(columns=ESTIMATE_COLUMNS)
    t_all = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f"validate-{task.scenario}-{task.seed}-", dir=workdir))
    try:
        t = time.perf_counter()
        raw = synth.generate(tmp / "raw", scale=task.scale, seed=task.seed, effects=task.effects, quiet=True)
        times["generate_s"] = time.perf_counter() - t
        t = time.perf_counter()
        report = ingest(raw, tmp / "processed", quiet=True)
        times["ingest_s"] = time.perf_counter() - t
        if not report.get("reconciled"):
            raise RuntimeError(f"ingest of {raw} did not reconcile (see its ingest_report.json)")
        shutil.rmtree(raw)                       # the raw release is the largest part; only processed is needed now
        t = time.perf_counter()
        build = datasets.build(tmp / "processed", tmp / "derived", quiet=True)
        times["build_s"] = time.perf_counter() - t
        t = time.perf_counter()
        rows = run_designs(tmp / "derived", tuple(get_design(k) for k in task.designs) if task.designs else DESIGNS)
        times["designs_s"] = time.perf_counter() - t
        truth = datasets.truth(tmp / "derived") or {}
        run.update(data_source=build.get("data_source", ""), effects_name=truth.get("effects_name", ""),
                   judges=rows.attrs.get("judges"), judges_with_bite=rows.attrs.get("judges_with_bite"))
        est = rows.assign(scenario=task.scenario, scale=task.scale, seed=task.seed, rep=task.rep)[ESTIMATE_COLUMNS]
    except Exception as err:  # noqa: BLE001 - recorded in the run row, the study goes on
        where = traceback.extract_tb(err.__traceback__)[-1]
        run.update(status="failed", error=f"{type(err).__name__}: {str(err)[:500]} (at {Path(where.filename).name}:"
                                          f"{where.lineno} in {where.name})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    run.update({k: round(v, 2) for k, v in times.items()})
    run["total_s"] = round(time.perf_counter() - t_all, 2)
    run["finished_utc"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return est, {c: run.get(c, "") for c in RUN_COLUMNS}


def _sha256(path: str | Path) -> str:
    import hashlib
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: The parts of ``helpers`` a replication runs (generator, ingest, datasets, designs, models, this package).
CODE_PARTS = ("synth", "eoir", "codes", "analyses", "models", "validation/designs.py", "validation/scenarios",
              "datasets.py", "pressure.py", "fiscal.py")


def code_fingerprint() -> str:
    """SHA-256 over the source files a replication runs (names and contents, sorted): recorded with every
    replication so that results can be matched with the code that produced them."""
    import hashlib

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for part in CODE_PARTS:
        base = root / part
        files = sorted(p for p in base.rglob("*") if p.suffix in (".py", ".toml", ".csv")) if base.is_dir() else [base]
        for f in files:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


# --------------------------------------------------------------------------------------------- files

def read_estimates(path: str | Path) -> pd.DataFrame:
    """The estimates CSV with its dtypes (``null_true`` nullable boolean, text columns as text)."""
    df = pd.read_csv(path, dtype={"note": "str", "truth_term": "str", "design_label": "str", "status": "str",
                                  "sample": "str", "term": "str", "outcome": "str"}, keep_default_na=True)
    missing = [c for c in ESTIMATE_COLUMNS if c not in df.columns]
    if missing:
        raise StudyError(f"{path}: not a validation estimates file (missing column(s) {missing})")
    df["null_true"] = df["null_true"].map({True: True, False: False, "True": True, "False": False}).astype("boolean")
    for c in ("note", "truth_term"):
        df[c] = df[c].fillna("")
    return df


def read_runs(path: str | Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"error": "str", "effects_sha256": "str", "generator_version": "str",
                                  "code_sha256": "str"})
    missing = [c for c in RUN_COLUMNS if c not in df.columns]
    if missing:
        raise StudyError(f"{path}: not a validation runs file (missing column(s) {missing})")
    df["error"] = df["error"].fillna("")
    return df


def _append(df: pd.DataFrame, path: Path, columns: list[str]) -> None:
    new = not path.exists() or path.stat().st_size == 0
    df[columns].to_csv(path, mode="a", header=new, index=False)


def _rewrite_sorted(paths: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sort both files by scenario order, scale, seed (and design order, sample, term) so that a finished study's
    files do not depend on which replication finished first; write them and the summary atomically."""
    from helpers.validation.designs import DESIGN_KEYS, SAMPLES

    runs = read_runs(paths["runs"]) if paths["runs"].exists() else pd.DataFrame(columns=RUN_COLUMNS)
    est = read_estimates(paths["estimates"]) if paths["estimates"].exists() else pd.DataFrame(columns=ESTIMATE_COLUMNS)
    s_order = {n: i for i, n in enumerate(sc.SCENARIOS)}
    runs = runs.sort_values(["scenario", "scale", "seed"], key=lambda c: c.map(s_order) if c.name == "scenario" else c,
                            kind="stable").reset_index(drop=True)
    if len(est):
        rank = {"scenario": s_order, "design": {k: i for i, k in enumerate(DESIGN_KEYS)},
                "sample": {k: i for i, k in enumerate(SAMPLES)}}
        est = est.assign(_row=range(len(est)))
        est = est.sort_values(["scenario", "scale", "seed", "design", "sample", "_row"],
                              key=lambda c: c.map(rank[c.name]) if c.name in rank else c, kind="stable")
        est = est.drop(columns="_row").reset_index(drop=True)
    with atomic_path(paths["runs"]) as tmp:
        runs[RUN_COLUMNS].to_csv(tmp, index=False)
    with atomic_path(paths["estimates"]) as tmp:
        est[ESTIMATE_COLUMNS].to_csv(tmp, index=False)
    summary = summarize(est) if len(est) else summarize(pd.DataFrame(columns=ESTIMATE_COLUMNS))
    with atomic_path(paths["summary"]) as tmp:
        summary.to_csv(tmp, index=False)
    return est, summary


def _resume(paths: dict[str, Path], tasks: list[Task]) -> set[tuple]:
    """Replications already finished (by run row); drops estimate rows of unfinished ones; refuses a results file
    made with other effects files or another generator version for the same scenario."""
    from helpers import synth

    if not paths["runs"].exists():
        if paths["estimates"].exists():
            read_estimates(paths["estimates"])   # refuses a file that is not a validation estimates file
            paths["estimates"].unlink()          # rows without any run row: an interrupted first replication
        return set()
    runs = read_runs(paths["runs"])
    want = {t.scenario: _sha256(t.effects) for t in tasks}
    for _, r in runs.iterrows():
        if r["scenario"] in want and str(r["effects_sha256"]) != want[r["scenario"]]:
            raise StudyError(f"{paths['runs']}: replications of scenario {r['scenario']!r} were made with a different "
                             f"effects file (sha256 {r['effects_sha256']}); write this study to another --out")
        if str(r["generator_version"]) != synth.GENERATOR_VERSION:
            raise StudyError(f"{paths['runs']}: made with generator {r['generator_version']}, this is "
                             f"{synth.GENERATOR_VERSION}; write this study to another --out")
    if len(runs) and set(runs["code_sha256"].astype(str)) != {code_fingerprint()}:
        print(f"validate: note: {paths['runs']} holds replications made with other code (code_sha256 differs); "
              "new replications are added to them", file=sys.stderr)
    done = {(r.scenario, r.scale, int(r.seed)) for r in runs.itertuples()}
    if paths["estimates"].exists():
        est = read_estimates(paths["estimates"])
        keys = list(zip(est["scenario"], est["scale"], est["seed"].astype(int)))
        keep = [k in done for k in keys]
        if not all(keep):
            with atomic_path(paths["estimates"]) as tmp:
                est[keep][ESTIMATE_COLUMNS].to_csv(tmp, index=False)
    return done


# --------------------------------------------------------------------------------------------- the study

def plan(scenario_names: list[str] | None, reps: int, scale: str, base_seed: int = BASE_SEED
         ) -> tuple[list[Task], dict[str, str]]:
    """The replications of a study (rep-major, seeds ``base_seed`` .. ``base_seed + reps − 1``) and the
    scenarios left out because the generator cannot run them (name -> reason)."""
    if scale not in SCALES:
        raise StudyError(f"scale must be one of {SCALES}, not {scale!r}")
    if reps < 1:
        raise StudyError(f"reps must be at least 1, not {reps}")
    try:
        chosen, skipped = sc.available(scenario_names)
    except ValueError as err:
        raise StudyError(str(err)) from None
    tasks = [Task(s.name, str(s.path), scale, base_seed + r, r) for r in range(reps) for s in chosen]
    return tasks, skipped


def run_study(out: str | Path, reps: int, scale: str = "sample", scenarios: list[str] | None = None,
              jobs: int | None = None, base_seed: int = BASE_SEED, quiet: bool = False,
              workdir: str | Path | None = None, designs: list[str] | None = None,
              ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Run (or resume) a study; returns (estimates, summary, scenarios left out with the reason).

    ``reps`` replications per scenario, ``jobs`` worker processes (default: all cores; 1 runs in this process).
    Replications are ordered rep-major (every scenario's first replication, then the second...), so a study
    stopped early has a balanced number of replications per scenario. ``designs``: keys of
    :data:`helpers.validation.designs.DESIGNS` to run (default all); give a study of a subset its own ``out``.
    """
    from dataclasses import replace

    from helpers.validation.designs import DESIGN_KEYS

    unknown = sorted(set(designs or ()) - set(DESIGN_KEYS))
    if unknown:
        raise StudyError(f"unknown design(s) {unknown}; choose from {', '.join(DESIGN_KEYS)}")
    tasks, skipped = plan(scenarios, reps, scale, base_seed)
    tasks = [replace(t, designs=tuple(designs or ())) for t in tasks]
    paths = output_paths(out)
    paths["estimates"].parent.mkdir(parents=True, exist_ok=True)
    done = _resume(paths, tasks)
    todo = [t for t in tasks if (t.scenario, t.scale, t.seed) not in done]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    bar = progress(total=len(tasks), desc=f"validate {scale}", unit="rep", quiet=quiet)
    bar.update(len(tasks) - len(todo))

    def record(est: pd.DataFrame, run: dict) -> None:
        if len(est):
            _append(est, paths["estimates"], ESTIMATE_COLUMNS)
        _append(pd.DataFrame([run]), paths["runs"], RUN_COLUMNS)
        bar.set_postfix_str(f"{run['scenario']} seed {run['seed']}: {run['status']} {run['total_s']}s")
        bar.update(1)

    try:
        if jobs == 1:
            for t in todo:
                record(*run_replication(t, workdir))
        else:
            import multiprocessing as mp
            # spawn: workers start clean (no inherited threads or imports); no max_tasks_per_child, which can
            # hang the pool on Python 3.11 when a worker is replaced (CPython gh-115634)
            with ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_worker_init) as pool:
                pending = {pool.submit(run_replication, t, workdir) for t in todo}
                try:
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for f in finished:
                            record(*f.result())
                except BaseException:
                    for f in pending:
                        f.cancel()
                    raise
    finally:
        bar.close()
    est, summary = _rewrite_sorted(paths)
    return est, summary, skipped


HEADLINE_TERMS = ("bite:quota", "gap_share_lag:quota", "level:quota", "pretrend (quarters -8 to -4)")


def headline_table(summary_df: pd.DataFrame, sample: str = "all months") -> pd.DataFrame:
    """Coverage (``cov``) and rejection rate (``rej``) of each design's headline term by scenario, for one sample:
    rows design × term, columns scenario × statistic (NaN where nothing was estimated)."""
    from helpers.validation.designs import DESIGN_KEYS

    s = summary_df[(summary_df["sample"] == sample) & summary_df["term"].isin(HEADLINE_TERMS)]
    if s.empty:
        return pd.DataFrame()
    wide = s.pivot_table(index=["design", "term"], columns="scenario", values=["coverage", "rejection_rate"],
                         aggfunc="first", dropna=False)
    wide = wide.rename(columns={"coverage": "cov", "rejection_rate": "rej"}, level=0).swaplevel(0, 1, axis=1)
    order = [n for n in sc.SCENARIOS if n in set(s["scenario"])]
    wide = wide.reindex(columns=[(n, k) for n in order for k in ("cov", "rej")])
    rank = {k: i for i, k in enumerate(DESIGN_KEYS)}
    return wide.iloc[sorted(range(len(wide)), key=lambda i: rank.get(wide.index[i][0], 99))]


def validate_cli(args) -> int:
    """``python -m helpers validate [--reps N] [--scale tiny|sample|medium] [--jobs J] [--out CSV] [--quiet]``.

    Optional attributes ``scenarios`` (list of names), ``designs`` (list of design keys) and ``seed`` (base seed)
    are honoured when present.
    """
    scenario_names = getattr(args, "scenarios", None)
    base_seed = getattr(args, "seed", None) or BASE_SEED
    t0 = time.perf_counter()
    try:
        est, summary, skipped = run_study(args.out, args.reps, args.scale, scenario_names, args.jobs,
                                          base_seed, quiet=args.quiet, designs=getattr(args, "designs", None))
    except StudyError as err:
        print(f"validate: error: {err}", file=sys.stderr)
        return 2
    paths = output_paths(args.out)
    runs = read_runs(paths["runs"])
    for name, reason in skipped.items():
        print(f"scenario {name!r} left out: the generator does not accept its effects file ({reason})")
    failed = runs[runs["status"] != "ok"]
    print(f"{len(runs)} replication(s) recorded ({len(failed)} failed) in {time.perf_counter() - t0:.0f} s")
    for _, r in failed.iterrows():
        print(f"  failed: {r['scenario']} seed {r['seed']}: {r['error']}")
    print(headline_table(summary).to_string(float_format=lambda v: f"{v:.2f}"))
    print(f"estimates: {paths['estimates']}\nruns:      {paths['runs']}\nsummary:   {paths['summary']}")
    return 0 if len(runs) and (runs["status"] == "ok").any() else 1


__all__ = ["BASE_SEED", "ESTIMATE_COLUMNS", "RUN_COLUMNS", "SCALES", "StudyError", "Task", "output_paths", "plan",
           "read_estimates", "read_runs", "run_replication", "run_study", "validate_cli"]
