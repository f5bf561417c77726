"""Profile one benchmark stage with py-spy (sampling, the whole process tree) and summarise where time goes.

    python benchmarks/profile_stage.py --scale full --stage ingest|build|report|model:<name> [--rate 20]

Needs ``py-spy`` (``pip install py-spy``: a profiling tool only, not a project dependency) and the cached
folders of ``run.py`` for that scale (release, processed, derived). Writes the collapsed stacks to
``benchmarks/cache/profiles/`` and a summary (top functions by own samples, and the project's functions by
inclusive samples) to ``benchmarks/profiles/<scale>-<stage>.md``. Samples are wall-clock samples of every
thread, idle ones excluded (``py-spy record`` without ``--idle``): a function's share is its share of the
samples in which some thread was running Python or waiting in native code called from it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import PY, REPO, SEED, release_folder, worker_cmd  # noqa: E402

_LINE = re.compile(r":\d+\)$")


def frame_name(frame: str) -> str:
    """``"read (helpers/eoir/ingest.py:123)"`` -> ``"read (helpers/eoir/ingest.py)"`` (line number dropped)."""
    frame = frame.strip()
    return _LINE.sub(")", frame)


def summarise(collapsed: str, top: int = 20, package: str = "helpers/") -> tuple[int, list, list]:
    """(total samples, [(own samples, function)], [(inclusive samples, function in ``package``)]) from py-spy raw
    output (one ``frame;frame;...;leaf count`` line per stack). Process and thread frames are skipped."""
    own, incl = Counter(), Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";")
                  if f and not f.startswith(("process ", "thread ")) and "(" in f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            if package in f:
                incl[f] += n
    return total, own.most_common(top), incl.most_common(top)


def save_markdown(name: str, lines: list[str]) -> Path:
    """Write ``lines`` to ``benchmarks/profiles/<name>`` (committed with the results) and print them."""
    dest = HERE / "profiles" / name
    dest.parent.mkdir(exist_ok=True)
    dest.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return dest


def stage_command(stage: str, scale: str, seed: int, cache: Path, out: Path) -> list[str]:
    key = f"{scale}-s{seed}"
    rel = release_folder(cache / "releases" / key)
    work = cache / "work" / key
    if stage == "ingest":
        if rel is None:
            raise SystemExit(f"no cached release for {key}; run benchmarks/run.py --scale {scale} --stages synth first")
        return [PY, "-m", "helpers", "ingest", str(rel), "--out", str(out), "--force", "--quiet"]
    if stage == "build":
        return [PY, "-m", "helpers", "build", "--processed", str(work / "processed"), "--out", str(out), "--quiet"]
    if stage == "report":
        return [PY, "-m", "helpers", "report", "--data", str(work / "derived"), "--out", str(out), "--quiet"]
    if stage.startswith("model:"):
        return worker_cmd("model", str(work / "derived"), stage.split(":", 1)[1])
    raise SystemExit(f"unknown stage {stage!r}: ingest, build, report or model:<name>")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="medium")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--stage", required=True)
    p.add_argument("--rate", type=int, default=20, help="samples per second")
    p.add_argument("--native", action="store_true", help="also sample native frames (slower)")
    p.add_argument("--cache", type=Path, default=HERE / "cache")
    a = p.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(PY).parent / "py-spy")
    if not Path(spy).exists():
        raise SystemExit("py-spy not found: pip install py-spy (profiling only)")
    tag = f"{a.scale}-{a.stage.replace(':', '-')}"
    prof_dir = a.cache / "profiles"
    prof_dir.mkdir(parents=True, exist_ok=True)
    out = prof_dir / f"{tag}-output"
    shutil.rmtree(out, ignore_errors=True)
    raw = prof_dir / f"{tag}.collapsed.txt"
    cmd = stage_command(a.stage, a.scale, a.seed, a.cache, out)
    spy_cmd = [spy, "record", "-r", str(a.rate), "-f", "raw", "-o", str(raw), "--subprocesses", "--nonblocking"]
    spy_cmd += (["--native"] if a.native else []) + ["--", *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(spy_cmd, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not raw.exists():
        raise SystemExit(f"py-spy failed ({proc.returncode}): {proc.stderr[-800:]}")
    total, own, incl = summarise(raw.read_text(errors="replace"))
    shutil.rmtree(out, ignore_errors=True)
    lines = [f"# Profile: `{a.stage}` at scale `{a.scale}` (synthetic release, seed {a.seed})", "",
             f"* command: `{' '.join(spy_cmd)}`",
             f"* date: {time.strftime('%Y-%m-%d %H:%M')}; wall under py-spy {wall:.0f} s; {total:,} samples at {a.rate}/s "
             "(all threads and child processes; idle threads excluded)", "",
             "## Functions by own samples (where the time is spent)", "", "| samples | share | function |", "|---|---|---|"]
    lines += [f"| {n:,} | {n / total:.1%} | `{f}` |" for f, n in own]
    lines += ["", "## Project functions by inclusive samples", "", "| samples | share | function |", "|---|---|---|"]
    lines += [f"| {n:,} | {n / total:.1%} | `{f}` |" for f, n in incl]
    save_markdown(f"{tag}.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
