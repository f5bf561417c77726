"""Memory profile of a stage: resident memory over time, attributed to the step the stage reports.

    python benchmarks/memtrace.py --scale full build        # the build's steps from its progress bar

Runs ``python -m helpers build`` (progress bar on) for the cached processed folder of that scale, samples
the resident memory of the process tree every 0.5 s (psutil) and reads the progress bar's step names
(``proceedings``, ``asylum_decisions``, ``hearings``, ``continuance_motions``, ``reassignments``,
``judge_month``) from stderr as they appear. Prints and writes ``benchmarks/profiles/<scale>-build-memory.md``:
per step, its seconds and peak MB (a sampled lower bound), i.e. where the peak memory of the build comes from.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import _TreeSampler  # noqa: E402
from profile_stage import save_markdown  # noqa: E402
from run import PY, REPO, SEED  # noqa: E402

BUILD_STEPS = ("proceedings", "asylum_decisions", "hearings", "continuance_motions", "reassignments", "judge_month")


class _Trace(_TreeSampler):
    """A tree sampler that also keeps the time series ``(seconds since start, MB)``."""

    def __init__(self, pid: int, interval: float):
        super().__init__(pid, interval, None)
        self.t0 = time.perf_counter()
        self.series: list[tuple[float, float]] = []

    def tree_rss_mb(self) -> float:
        rss = super().tree_rss_mb()
        self.series.append((time.perf_counter() - self.t0, rss))
        return rss


def step_table(series: list[tuple[float, float]], marks: list[tuple[float, str]], end: float) -> list[dict]:
    """Per step (from its first mark to the next step's first mark): seconds and peak MB of the samples."""
    out = []
    for i, (t, name) in enumerate(marks):
        t_next = marks[i + 1][0] if i + 1 < len(marks) else end
        inside = [mb for ts, mb in series if t <= ts < t_next]
        out.append({"step": name, "start_s": round(t, 1), "seconds": round(t_next - t, 1),
                    "peak_mb": round(max(inside), 0) if inside else float("nan")})
    return out


def trace_build(processed: Path, out: Path, interval: float = 0.5) -> tuple[list[dict], float, float]:
    """Run the build with its progress bar and trace memory by step; (steps, wall s, peak MB)."""
    env = dict(os.environ)
    env.pop("HELPERS_QUIET", None)
    proc = subprocess.Popen([PY, "-m", "helpers", "build", "--processed", str(processed), "--out", str(out)],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    trace = _Trace(proc.pid, interval)
    trace.start()
    marks: list[tuple[float, str]] = [(0.0, "start-up (imports, views, judge map)")]
    seen: set[str] = set()

    def read() -> None:
        buf = ""
        while True:
            chunk = proc.stderr.read1(4096).decode(errors="replace") if proc.stderr else ""
            if not chunk:
                return
            buf = (buf + chunk)[-400:]
            for s in BUILD_STEPS:
                if s not in seen and s in buf:
                    seen.add(s)
                    marks.append((time.perf_counter() - trace.t0, s))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc.wait()
    end = time.perf_counter() - trace.t0
    trace.stop()
    trace.join()
    reader.join(timeout=5)
    if proc.returncode != 0:
        raise SystemExit(f"build failed with exit code {proc.returncode}")
    marks.sort()
    return step_table(trace.series, marks, end), end, trace.peak_mb


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("stage", choices=["build"])
    p.add_argument("--scale", default="medium")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--cache", type=Path, default=HERE / "cache")
    a = p.parse_args(argv)
    work = a.cache / "work" / f"{a.scale}-s{a.seed}"
    if not (work / "processed" / "ingest_report.json").exists():
        raise SystemExit(f"no processed folder for {a.scale}; run benchmarks/run.py --scale {a.scale} --stages synth,ingest")
    out = a.cache / "profiles" / f"{a.scale}-build-memtrace"
    shutil.rmtree(out, ignore_errors=True)
    steps, wall, peak = trace_build(work / "processed", out)
    shutil.rmtree(out, ignore_errors=True)
    lines = [f"# Memory trace: `build` at scale `{a.scale}` (synthetic release, seed {a.seed})", "",
             f"* date: {time.strftime('%Y-%m-%d %H:%M')}; wall {wall:.0f} s; sampled tree peak {peak:.0f} MB "
             f"(samples every 0.5 s: a lower bound); load average at the end {os.getloadavg()[0]:.2f}",
             "* a step runs from the moment its name appears on the progress bar to the next step's", "",
             "| step | starts at s | seconds | peak MB |", "|---|---|---|---|"]
    lines += [f"| {s['step']} | {s['start_s']} | {s['seconds']} | {s['peak_mb']:.0f} |" for s in steps]
    save_markdown(f"{a.scale}-build-memory.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
