"""Full-pipeline benchmark (issue 8): synth, ingest, build, headline models, report, and the baselines.

    python benchmarks/run.py [--scale tiny|sample|medium|full] [--stages synth,ingest,build,models,report,baselines]
                             [--seed N] [--cache DIR] [--results DIR] [--smoke]

Every stage runs as its own process (``measure.run_child``: wall, CPU of the whole child tree, peak RSS of
the largest process and sampled peak of the tree, load average before and after). Each result is appended
to ``results.csv`` and ``RESULTS.md`` as soon as it is measured. The release of a scale and seed is
generated once and cached under ``--cache`` (default ``benchmarks/cache/``, git-ignored); processed and
derived folders of the run go to ``--cache/work/<scale>-s<seed>/``.

Baselines (stage ``baselines``, on the same files in the same run): DuckDB's bare ``read_csv`` → Parquet of
every core table; pandas reading the largest table that fits in memory whole, and pandas in chunks on the
largest table, each against our ingest of that table alone; the asylum D2 model with plain statsmodels
dummies on a court subset against the fast path on the same subset and on all cases.

Everything measured here runs on **synthetic** releases (``helpers synth``): the rows are invented.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
import workers  # noqa: E402
from measure import Measurement, run_child  # noqa: E402
from results import Recorder, git_commit  # noqa: E402

REPO = HERE.parent
STAGES = ("synth", "ingest", "build", "models", "baselines", "report")
SCALES = ("tiny", "sample", "medium", "full")
SEED = 20181001
PY = sys.executable
GB = 1024  # MB

#: Targets of issue 8 (2 cores, 24 GB, full scale). Memory targets use the sampled tree peak.
TARGETS = {
    "ingest_vs_duckdb": 1.5,     # our ingest wall ÷ DuckDB bare wall, at most
    "ingest_mb": 3 * GB,
    "pandas_speedup": 5.0,       # pandas whole-file wall ÷ ours on the same table, at least
    "build_s": 600, "build_mb": 4 * GB,
    "model_s": 60, "model_mb": 4 * GB,
    "report_s": 1800,
}


# ------------------------------------------------------------------------------------------ helpers

def wait_for_quiet(max_wait_s: float, threshold: float = measure.CONTENDED_LOAD) -> float:
    """Wait (up to ``max_wait_s``) for the 1-minute load average to fall to ``threshold``; returns it."""
    t0 = time.monotonic()
    while os.getloadavg()[0] > threshold and time.monotonic() - t0 < max_wait_s:
        time.sleep(5)
    return os.getloadavg()[0]


def safety_cap_mb(share: float = 0.85) -> float:
    """Memory cap for our own stages (MB): ``share`` of the memory available now, so that a stage that
    outgrows the machine is stopped (``killed_at_cap``) instead of taking it down."""
    return share * measure.psutil.virtual_memory().available / 2**20


def dir_mb(path: Path, pattern: str = "*") -> float:
    """Total size (MB) of the files matching ``pattern`` under ``path`` (recursive)."""
    return sum(p.stat().st_size for p in Path(path).rglob(pattern) if p.is_file()) / 2**20


def release_folder(root: Path) -> Path | None:
    """The release's top folder inside the synth ``--out`` folder (``SYNTHETIC EOIR Case Data ...``)."""
    if not root.is_dir():
        return None
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith("SYNTHETIC EOIR Case Data")]
    if len(found) > 1:
        raise SystemExit(f"{root}: more than one release folder ({[p.name for p in found]}); delete the extra ones")
    return found[0] if found and (found[0] / "truth.json").exists() else None


def core_tables(release: Path) -> dict[str, tuple[Path, int]]:
    """Core table name (lower case) -> (file, data lines from Count.txt), from ``<release>/EOIR Case Data/``."""
    data = release / "EOIR Case Data"
    counts: dict[str, int] = {}
    count_txt = data / "Count.txt"
    for n, line in enumerate(count_txt.read_text(encoding="latin-1").splitlines(), 1):
        parts = line.strip().split("\t")
        if len(parts) != 2 or not parts[1].strip().isdigit():
            raise SystemExit(f"{count_txt} line {n}: expected 'TableName<TAB>rowcount', got {line!r}")
        counts[parts[0].strip().lower()] = int(parts[1])
    out = {}
    for f in sorted(data.glob("*.csv")):
        name = f.stem.lower()
        if name not in counts:
            raise SystemExit(f"{count_txt}: no row count for {f.name}")
        out[name] = (f, counts[name])
    return out


def notebook_times(report_json: Path) -> list[dict]:
    """``name``, ``status``, ``seconds`` of each notebook from the report's ``report.json`` ([] if absent)."""
    if not report_json.exists():
        return []
    return [{"name": n["name"], "status": n["status"], "seconds": float(n.get("seconds") or 0)}
            for n in json.loads(report_json.read_text()).get("notebooks", [])]


def stdout_json(m: Measurement) -> dict:
    """The JSON line a worker printed last (empty when it failed)."""
    lines = [x for x in m.stdout.strip().splitlines() if x.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def worker_cmd(*args: str) -> list[str]:
    return [PY, str(HERE / "workers.py"), *args]


class Bench:
    """One benchmark run: paths, the recorder, and the facts later stages need from earlier ones."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.scale, self.seed = args.scale, args.seed
        key = f"{self.scale}-s{self.seed}"
        self.rel_root = args.cache / "releases" / key
        self.work = args.cache / "work" / key
        self.processed, self.derived = self.work / "processed", self.work / "derived"
        self.run_id = time.strftime("%Y%m%dT%H%M%S") + f"-{self.scale}-p{os.getpid()}"
        self.rec = Recorder(args.results, self.run_id, git_commit(REPO), self.scale, self.seed)
        self.facts: dict = {}
        self.summary: list[str] = []

    def run(self, label: str, cmd: list[str], **kw) -> Measurement:
        load = os.getloadavg()[0]
        if not self.args.quiet_flag:
            print(f"[{time.strftime('%H:%M:%S')}] {label} (load {load:.2f}) ...", flush=True)
        m = run_child(label, cmd, cwd=REPO, **kw)
        if not self.args.quiet_flag:
            print(f"    {m.status}: wall {m.wall_s:.1f} s, CPU {m.cpu_s:.1f} s, peak RSS {m.peak_rss_mb:.0f} MB, "
                  f"tree {m.tree_peak_mb:.0f} MB" + (f"\n    {m.error}" if m.error else ""), flush=True)
        return m

    # -------------------------------------------------------------------------------------- release
    @property
    def release(self) -> Path:
        rel = release_folder(self.rel_root)
        if rel is None:
            raise SystemExit(f"no release for scale {self.scale} seed {self.seed} under {self.rel_root}; "
                             "run the 'synth' stage first")
        return rel

    def release_size(self) -> tuple[int, float]:
        """(data lines of all core tables, MB of the core table files)."""
        tables = core_tables(self.release)
        return sum(n for _, n in tables.values()), sum(f.stat().st_size for f, _ in tables.values()) / 2**20

    def stage_synth(self) -> None:
        saved = self.rel_root / "synth_measure.json"
        rel = release_folder(self.rel_root)
        if rel is not None and saved.exists():
            m = Measurement(**{k: v for k, v in json.loads(saved.read_text()).items() if k != "contended"})
            note = f"cached release; measurement from its generation ({m.extra.get('measured', '?')})"
        elif rel is not None and (self.rel_root / "time_v.txt").exists():
            # generated by hand under /usr/bin/time -v (e.g. started before run.py existed)
            load = self.rel_root / "load_before.txt"
            lb = float(load.read_text().split("load average:")[1].split(",")[0]) if load.exists() else float("nan")
            m = measure.parse_time_v((self.rel_root / "time_v.txt").read_text(), "synth", lb)
            m.extra["measured"] = "by hand with /usr/bin/time -v (no tree sampling)"
            saved.write_text(json.dumps(m.as_dict(), indent=1))
            note = "release generated under /usr/bin/time -v; tree peak = largest process"
        elif rel is not None:
            raise SystemExit(f"{rel} exists but has no measurement; delete {self.rel_root} to regenerate it")
        else:
            shutil.rmtree(self.rel_root, ignore_errors=True)
            self.rel_root.mkdir(parents=True)
            m = self.run("synth", [PY, "-m", "helpers", "synth", "--out", str(self.rel_root), "--scale", self.scale,
                                   "--seed", str(self.seed), "--quiet"])
            if m.status != "ok":
                self.rec.add("synth", "ours", m, note="generation failed")
                raise SystemExit(f"synth failed: {m.error}")
            m.extra["measured"] = time.strftime("%Y-%m-%d %H:%M")
            saved.write_text(json.dumps(m.as_dict(), indent=1))
            note = "generated now"
        rows, mb = self.release_size()
        self.facts["release_rows"], self.facts["release_mb"] = rows, mb
        self.rec.add("synth", "ours", m, rows=rows, mb=mb, note=note + "; rows = data lines of the 19 core tables, "
                     "MB = their size (generation rate)")

    # -------------------------------------------------------------------------------------- ingest
    def stage_ingest(self) -> None:
        rows, mb = self.release_size()
        shutil.rmtree(self.processed, ignore_errors=True)
        m = self.run("ingest", [PY, "-m", "helpers", "ingest", str(self.release), "--out", str(self.processed),
                                "--force", "--quiet"], cap_mb=safety_cap_mb())
        note = ""
        if (self.processed / "ingest_report.json").exists():
            rep = json.loads((self.processed / "ingest_report.json").read_text())
            core = rep["tables"]
            lines = sum(t.get("lines_read", 0) for t in core.values())
            note = (f"lines read {lines:,} (core {rows:,}); reconciled {rep.get('reconciled')}; "
                    f"Parquet {dir_mb(self.processed / 'tables'):.0f} MB")
        mem_ok = m.tree_peak_mb < TARGETS["ingest_mb"]
        self.facts["ingest"] = m
        self.rec.add("ingest", "ours", m, rows=rows, mb=mb, note=note, target="tree peak < 3 GB",
                     target_met=mem_ok if m.status == "ok" else False)
        if m.status != "ok":
            raise SystemExit(f"ingest failed: {m.error}")

    # -------------------------------------------------------------------------------------- build
    def stage_build(self) -> None:
        if not (self.processed / "ingest_report.json").exists():
            raise SystemExit(f"{self.processed} has no ingest_report.json; run the 'ingest' stage first")
        rows = self.facts.get("release_rows") or self.release_size()[0]
        mb = dir_mb(self.processed / "tables", "*.parquet")
        shutil.rmtree(self.derived, ignore_errors=True)
        m = self.run("build", [PY, "-m", "helpers", "build", "--processed", str(self.processed), "--out",
                               str(self.derived), "--quiet"], cap_mb=safety_cap_mb())
        ok = m.status == "ok" and m.wall_s < TARGETS["build_s"] and m.tree_peak_mb < TARGETS["build_mb"]
        note = "rows = release rows; MB = processed Parquet read"
        if (self.derived / "build_report.json").exists():
            rep = json.loads((self.derived / "build_report.json").read_text())
            note += f"; datasets {sum(rep['rows'].values()):,} rows"
        self.rec.add("build", "ours", m, rows=rows, mb=mb, note=note, target="< 10 min and < 4 GB", target_met=ok)
        if m.status != "ok":
            raise SystemExit(f"build failed: {m.error}")

    def _need_derived(self) -> None:
        if not (self.derived / "build_report.json").exists():
            raise SystemExit(f"{self.derived} has no build_report.json; run the 'build' stage first")

    # -------------------------------------------------------------------------------------- models
    def stage_models(self) -> None:
        self._need_derived()
        for name in self.args.models:
            m = self.run(f"model {name}", worker_cmd("model", str(self.derived), name),
                         timeout_s=self.args.model_timeout, cap_mb=safety_cap_mb())
            info = stdout_json(m)
            ok = (m.wall_s < TARGETS["model_s"] and m.tree_peak_mb < TARGETS["model_mb"]) if m.status == "ok" else None
            note = (f"prep {info.get('prep_s')} s + fit {info.get('fit_s')} s inside the process; "
                    f"{info.get('n_estimates')} estimates; {info.get('term')} = {info.get('estimate')}") if info else ""
            if info and not info.get("n_estimates"):
                note += "; NO design estimable on these data: " + " / ".join(info.get("notes", []))[:300]
            if m.status == "failed" and "ModelInputError" in m.error:
                note = "not estimable on these data (target not assessed)"
            elif m.status in ("timeout", "killed_at_cap"):
                ok = False
                note = (f"stopped after {self.args.model_timeout:.0f} s (timeout)" if m.status == "timeout"
                        else "stopped at the memory cap (85% of available memory)")
            self.rec.add("models", name, m, rows=info.get("rows"), note=note,
                         target="< 60 s and < 4 GB (whole process)", target_met=ok)

    # -------------------------------------------------------------------------------------- report
    def stage_report(self) -> None:
        self._need_derived()
        out = self.work / "report"
        shutil.rmtree(out, ignore_errors=True)
        only = ["--only", self.args.report_only] if self.args.report_only else []
        m = self.run("report", [PY, "-m", "helpers", "report", "--data", str(self.derived), "--out", str(out),
                                "--quiet", *only], timeout_s=self.args.report_timeout, cap_mb=safety_cap_mb())
        ok = m.status == "ok" and m.wall_s < TARGETS["report_s"]
        pages = len(list(out.rglob("*.html"))) if out.exists() else 0
        nbs = notebook_times(out / "report.json")
        bad = [n for n in nbs if n["status"] != "ok"]
        self.rec.add("report", f"ours (only {self.args.report_only})" if self.args.report_only else "ours", m, rows=self.facts.get("release_rows") or self.release_size()[0],
                     note=f"{pages} HTML pages; {len(nbs)} notebooks, {len(bad)} not ok"
                          f"{' (' + ', '.join(n['name'] for n in bad) + ')' if bad else ''}; "
                          "papermill kernels included in CPU and tree peak",
                     target="< 30 min", target_met=ok)
        if nbs:
            self.summary.append("report, seconds per notebook: " + ", ".join(
                f"{n['name']} {n['seconds']:.0f} s ({n['status']})" for n in nbs))

    # -------------------------------------------------------------------------------------- baselines
    def stage_baselines(self) -> None:
        groups = set(self.args.baselines)
        if "duckdb" in groups:
            self.baseline_duckdb()
        if groups & {"pandas", "pandas-whole"}:
            self.baseline_pandas(chunks="pandas" in groups)
        if "models" in groups:
            if (self.derived / "build_report.json").exists():
                self.baseline_models()
            else:
                print("models baseline skipped: no derived folder (run build first)")

    def _ours_ingest_s(self) -> tuple[float | None, str]:
        """Our ingest wall time for the ratio: from this run, else the latest successful ingest row of the same
        scale and seed in results.csv (same cached release); (seconds, where it comes from)."""
        m = self.facts.get("ingest")
        if m is not None and m.status == "ok":
            return m.wall_s, "this run"
        if self.rec.csv.exists():
            import csv

            rows = [r for r in csv.DictReader(self.rec.csv.open()) if r["stage"] == "ingest" and r["status"] == "ok"
                    and r["scale"] == self.scale and r["seed"] == str(self.seed)]
            if rows:
                return float(rows[-1]["wall_s"]), f"run {rows[-1]['run_id']}"
        return None, ""

    def baseline_duckdb(self) -> None:
        tables = core_tables(self.release)
        if self.args.tables:
            tables = {k: v for k, v in tables.items() if k in self.args.tables}
        out = self.work / "baselines" / "duckdb"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        total = Measurement("duckdb total", 0, 0, 0, 0, os.getloadavg()[0], 0)
        rows_all = 0
        self.facts["duckdb_s"] = {}
        for name, (f, n) in sorted(tables.items(), key=lambda kv: -kv[1][0].stat().st_size):
            mb = f.stat().st_size / 2**20
            notes = []
            for level in range(len(workers.DUCKDB_LEVELS)):
                m = self.run(f"duckdb bare {name} (level {level})",
                             worker_cmd("duckdb-bare", str(f), str(out / f"{name}.parquet"), "--level", str(level)))
                err = stdout_json(m).get("error", "").replace(str(f), f.name)
                if m.status == "ok" or not err:
                    break
                notes.append(f"level {level} FAILED: {err[:120]}")
            used = stdout_json(m).get("options", "?")       # what the worker actually ran
            note = "; ".join(notes + [f"read with {used}" + ("" if level else " (strict, DuckDB's default UTF-8)")])
            info = stdout_json(m)
            fix = self._ingest_fixes(name)
            if fix:
                note += f"; {fix}"
            if info.get("rows") is not None and info["rows"] != n:
                note += f"; wrote {info.get('rows'):,} rows of {n:,} (rows lost or split)"
            if m.status != "ok":
                note += "; DuckDB could not read this table with any option (left out of the total)"
            self.rec.add("baselines", "duckdb-bare", m, rows=n, mb=mb, table=name, note=note)
            (out / f"{name}.parquet").unlink(missing_ok=True)
            if m.status != "ok":
                self.summary.append(f"DuckDB bare could not read {name}")
                continue
            self.facts["duckdb_s"][name] = m.wall_s
            total.wall_s += m.wall_s
            total.cpu_s += m.cpu_s
            total.peak_rss_mb = max(total.peak_rss_mb, m.peak_rss_mb)
            total.tree_peak_mb = max(total.tree_peak_mb, m.tree_peak_mb)
            total.load1_after = m.load1_after
            rows_all += n
        total.wall_s, total.cpu_s = round(total.wall_s, 2), round(total.cpu_s, 2)
        ours, origin = self._ours_ingest_s()
        ratio = ours / total.wall_s if ours and total.wall_s and not self.args.tables else None
        met = None if ratio is None else (ratio <= TARGETS["ingest_vs_duckdb"])
        self.rec.add("baselines", "duckdb-bare total", total, rows=rows_all, mb=self.release_size()[1],
                     note="sum of the per-table processes that succeeded (one process per table, ~0.2 s start-up "
                          "each; failed strict attempts not counted); our ingest also reads the lookup tables, "
                          "types every column and writes the report",
                     target="ours <= 1.5x DuckDB bare", target_met=met, ratio_wall=ratio,
                     ratio_ref=f"ours ingest wall ({origin}) / duckdb wall")
        if ratio is not None:
            self.summary.append(f"ingest vs DuckDB bare: {ratio:.2f}x ({ours:.1f} s vs {total.wall_s:.1f} s)")

    def _ingest_fixes(self, name: str) -> str:
        """What our ingest repaired, padded or quarantined in table ``name`` (rows DuckDB writes as they are)."""
        rep = self.processed / "ingest_report.json"
        if not rep.exists():
            return ""
        t = json.loads(rep.read_text())["tables"].get(name, {})
        parts = [f"{t[k]:,} {k.split('_')[1]}" for k in ("rows_repaired", "rows_padded", "rows_quarantined") if t.get(k)]
        return ("our ingest: " + ", ".join(parts) + " rows (DuckDB keeps them unrepaired)") if parts else ""

    def _ours_one(self, name: str, f: Path) -> Measurement:
        """Our ingest of one table (its own process), for the comparison with pandas on the same table."""
        dest = self.work / "baselines" / f"ours_{name}"
        shutil.rmtree(dest, ignore_errors=True)
        m = self.run(f"ours {name}", [PY, "-m", "helpers", "ingest", str(self.release), "--out", str(dest),
                                      "--tables", f.stem, "--force", "--quiet"])
        shutil.rmtree(dest, ignore_errors=True)
        return m

    def baseline_pandas(self, chunks: bool = True) -> None:
        """pandas whole-file on the largest table that fits, and (``chunks``) pandas in chunks on the largest."""
        tables = core_tables(self.release)
        by_size = sorted(tables.items(), key=lambda kv: -kv[1][0].stat().st_size)
        avail = measure.psutil.virtual_memory().available / 2**20
        factor = self.args.pandas_factor
        fits = [(n, v) for n, v in by_size if v[0].stat().st_size / 2**20 * factor < 0.6 * avail]
        big_name, (big_f, big_n) = by_size[0]
        out = self.work / "baselines"
        out.mkdir(parents=True, exist_ok=True)
        ours_cache: dict[str, Measurement] = {}

        def ours(name: str, f: Path, n: int) -> Measurement:
            if name not in ours_cache:
                ours_cache[name] = m = self._ours_one(name, f)
                self.rec.add("baselines", "ours one table", m, rows=n, mb=f.stat().st_size / 2**20, table=name,
                             note="helpers ingest --tables (typed Parquet, report, checks)")
            return ours_cache[name]

        if fits:
            name, (f, n) = fits[0]
            mb = f.stat().st_size / 2**20
            mo = ours(name, f, n)
            m = self.run(f"pandas whole {name}", worker_cmd("pandas-whole", str(f), str(out / "pandas_whole.parquet")),
                         cap_mb=0.8 * avail)
            (out / "pandas_whole.parquet").unlink(missing_ok=True)
            ratio = m.wall_s / mo.wall_s if m.status == "ok" and mo.status == "ok" else None
            per_gb = m.tree_peak_mb / (mb / 1024)
            big_mb = big_f.stat().st_size / 2**20
            note = (f"largest table whose estimated footprint ({factor}x file) fits 60% of the {avail / 1024:.1f} GB "
                    f"available; measured {per_gb / 1024:.2f} GB of memory per GB of file")
            info = stdout_json(m)
            if info.get("strict_error"):
                note += (f"; the strict read failed ({info['strict_error'][:90]}), so this is the read with "
                         f"on_bad_lines='skip' ({info.get('rows', 0):,} of {n:,} rows kept; the failed attempt "
                         "is not counted, as for DuckDB)")
            if name != big_name:
                note += (f"; EXTRAPOLATION (not measured): {big_name} ({big_mb / 1024:.1f} GB) would need about "
                         f"{per_gb * big_mb / 1024 / 1024:.0f} GB")
            self.rec.add("baselines", "pandas-whole", m, rows=n, mb=mb, table=name, note=note,
                         target="ours >= 5x faster", target_met=None if ratio is None else ratio >= TARGETS["pandas_speedup"],
                         ratio_wall=ratio, ratio_ref="pandas wall / ours on the same table")
            if ratio is not None:
                self.summary.append(f"pandas whole-file on {name}: {ratio:.2f}x our time; peak {m.tree_peak_mb:.0f} MB "
                                    f"({per_gb / 1024:.2f} GB per GB of file)")
        else:
            print(f"pandas whole-file skipped: no table fits ({factor}x file size) in 60% of {avail:.0f} MB available")
        if not chunks:
            return
        mo = ours(big_name, big_f, big_n)
        m = self.run(f"pandas chunks {big_name}", worker_cmd("pandas-chunks", str(big_f), str(out / "pandas_chunks.parquet")),
                     cap_mb=0.8 * avail)
        (out / "pandas_chunks.parquet").unlink(missing_ok=True)
        ratio = m.wall_s / mo.wall_s if m.status == "ok" and mo.status == "ok" else None
        self.rec.add("baselines", "pandas-chunks", m, rows=big_n, mb=big_f.stat().st_size / 2**20, table=big_name,
                     note="chunksize 1,000,000, all columns as text, ParquetWriter", ratio_wall=ratio,
                     ratio_ref="pandas wall / ours on the same table")
        d = self.facts.get("duckdb_s", {}).get(big_name)
        if d and mo.status == "ok":
            self.summary.append(f"ours on {big_name} alone: {mo.wall_s:.1f} s = {mo.wall_s / d:.2f}x DuckDB bare "
                                f"({d:.1f} s); pandas chunks {ratio:.2f}x ours" if ratio else "")

    def baseline_models(self) -> None:
        avail = measure.psutil.virtual_memory().available / 2**20
        max_mb = min(self.args.sm_max_mb, 0.4 * avail)
        res = {}
        for which in ("statsmodels", "fast"):
            m = self.run(f"asylum D2 subset {which}", worker_cmd("sm-subset", str(self.derived), str(max_mb), which),
                         cap_mb=0.8 * avail, timeout_s=self.args.model_timeout)
            info = stdout_json(m)
            res[which] = (m, info)
            ratio = None
            if which == "fast" and res["statsmodels"][0].status == "ok" and m.status == "ok":
                ratio = res["statsmodels"][0].wall_s / m.wall_s
            note = (f"{info.get('courts')} courts, {info.get('judges')} judges, {info.get('court_months')} court-months; "
                    f"fit {info.get('fit_s')} s; bite:quota {info.get('estimate')} (SE {info.get('std_error')}); "
                    f"n_obs {info.get('n_obs')}") if info else ""
            self.rec.add("baselines", f"asylum D2 subset: {which}", m, rows=info.get("rows"), note=note,
                         ratio_wall=ratio, ratio_ref="statsmodels wall / fast wall (same subset)" if ratio else "")
        m = self.run("asylum D2 full fast", worker_cmd("fast-full", str(self.derived)), timeout_s=self.args.model_timeout)
        info = stdout_json(m)
        self.rec.add("baselines", "asylum D2 all cases: fast", m, rows=info.get("rows"),
                     note=f"fit {info.get('fit_s')} s; bite:quota {info.get('estimate')} (SE {info.get('std_error')})"
                     if info else "")
        (sm, si), (fa, fi) = res["statsmodels"], res["fast"]
        if sm.status == "ok" and fa.status == "ok" and si and fi:
            self.summary.append(
                f"asylum D2 on a {si['rows']:,}-case subset: statsmodels dummies {sm.wall_s:.1f} s / {sm.tree_peak_mb:.0f} MB "
                f"vs fast path {fa.wall_s:.1f} s / {fa.tree_peak_mb:.0f} MB ({sm.wall_s / fa.wall_s:.1f}x); "
                f"|diff bite:quota| {abs(si['estimate'] - fi['estimate']):.1e}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", choices=SCALES, default="medium")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--stages", default=None,
                   help=f"comma-separated, run in this order: {','.join(STAGES)} (default: all; with --smoke: "
                        "synth,ingest,baselines)")
    p.add_argument("--cache", type=Path, default=HERE / "cache", help="releases and work folders (git-ignored)")
    p.add_argument("--results", type=Path, default=HERE, help="folder of results.csv, RESULTS.md and the figure")
    p.add_argument("--models", default=",".join(workers.MODELS),
                   help=f"models of the 'models' stage (default all: {','.join(workers.MODELS)})")
    p.add_argument("--smoke", action="store_true",
                   help="CI check: tiny scale, synth + ingest + the DuckDB baseline, no waiting, no figure")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="seconds to wait before each stage for the load average to fall below 1.5")
    p.add_argument("--model-timeout", type=float, default=1800.0)
    p.add_argument("--report-timeout", type=float, default=3 * 3600.0)
    p.add_argument("--pandas-factor", type=float, default=4.0,
                   help="estimated pandas whole-file memory as a multiple of the file size (to choose a table that fits)")
    p.add_argument("--sm-max-mb", type=float, default=3000.0, help="memory budget of the statsmodels dummy fit")
    p.add_argument("--baselines", default="duckdb,pandas,models",
                   help="baseline groups of the 'baselines' stage: duckdb, pandas (whole-file and chunks), pandas-whole "
                        "(whole-file only), models (with --smoke: duckdb)")
    p.add_argument("--tables", default=None,
                   help="only these core tables (lower-case base names, comma-separated) in the DuckDB baseline; "
                        "no ratio to the whole ingest is computed then")
    p.add_argument("--report-only", default=None,
                   help="time only the notebooks matching this pattern (passed to 'helpers report --only')")
    p.add_argument("--no-figure", action="store_true")
    p.add_argument("-q", "--quiet", dest="quiet_flag", action="store_true")
    a = p.parse_args(argv)
    if a.smoke:
        a.scale, a.quiet_wait, a.no_figure = "tiny", 0.0, True
        a.stages = a.stages or "synth,ingest,baselines"
        a.baselines = "duckdb"
    a.stages = a.stages or ",".join(STAGES)
    a.stages = [s.strip() for s in a.stages.split(",") if s.strip()]
    bad = [s for s in a.stages if s not in STAGES]
    if bad:
        p.error(f"unknown stage(s) {bad}; choose from {','.join(STAGES)}")
    a.stages = [s for s in STAGES if s in a.stages]
    a.baselines = [b.strip() for b in a.baselines.split(",") if b.strip()]
    known = {"duckdb", "pandas", "pandas-whole", "models"}
    if set(a.baselines) - known:
        p.error(f"unknown baseline group(s) {sorted(set(a.baselines) - known)}; choose from {sorted(known)}")
    a.tables = [t.strip().lower() for t in a.tables.split(",")] if a.tables else None
    a.models = [m.strip() for m in a.models.split(",") if m.strip()]
    bad = [m for m in a.models if m not in workers.MODELS]
    if bad:
        p.error(f"unknown model(s) {bad}; choose from {','.join(workers.MODELS)}")
    a.cache, a.results = a.cache.resolve(), a.results.resolve()
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    bench = Bench(args)
    command = "python benchmarks/run.py " + " ".join(shlex.quote(x) for x in (argv if argv is not None else sys.argv[1:]))
    bench.rec.header(command, measure.machine(), measure.disk_free_gb(args.cache), args.stages)
    t0 = time.perf_counter()
    failed = None
    try:
        for stage in args.stages:
            if stage != "synth" or release_folder(bench.rel_root) is None:
                wait_for_quiet(args.quiet_wait)
            getattr(bench, f"stage_{stage}")()
    except SystemExit as e:
        failed = str(e)
        print(f"stopped: {failed}", file=sys.stderr)
    total = time.perf_counter() - t0
    lines = [f"**Run {bench.run_id} summary** (wall clock of the whole run: {total / 60:.1f} min"
             + (f"; STOPPED: {failed}" if failed else "") + ")"]
    lines += [f"* {s}" for s in bench.summary if s]
    missed = [r for r in bench.rec.rows if r["target_met"] == "NO"]
    contended = [r for r in bench.rec.rows if r["contended"]]
    lines.append(f"* targets missed: {', '.join(r['stage'] + '/' + r['variant'] for r in missed) or 'none'}"
                 + (" (targets are stated for full scale)" if args.scale != "full" else ""))
    if contended:
        names = dict.fromkeys(f"{r['stage']}/{r['variant']}" for r in contended)
        lines.append(f"* {len(contended)} of {len(bench.rec.rows)} measurements contended (load average > "
                     f"{measure.CONTENDED_LOAD} before the process; max "
                     f"{max(float(r['load1_before']) for r in contended):.2f}): " + ", ".join(names))
    bench.rec.text("\n".join(lines))
    print("\n".join(lines))
    if not args.no_figure:
        import plot

        plot.make_figure(args.results / "results.csv", args.results / "scaling")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
