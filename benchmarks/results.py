"""Append benchmark results to ``results.csv`` and ``RESULTS.md`` (never overwritten, so regressions show).

One CSV row per measured process (a stage of ours or a baseline). Units: seconds, MB (2**20 bytes),
rows per second = ``rows / wall_s``, MB per second = ``mb / wall_s`` where ``mb`` is the input size of
the stage (raw text for ingest and its baselines, Parquet for build; empty where it has no meaning).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import subprocess
from pathlib import Path

from measure import CONTENDED_LOAD, Measurement

COLUMNS = ["run_id", "date_utc", "commit", "scale", "seed", "stage", "variant", "table", "rows", "mb", "wall_s",
           "cpu_s", "peak_rss_mb", "tree_peak_mb", "rows_per_s", "mb_per_s", "load1_before", "load1_after",
           "contended", "status", "ratio_wall", "ratio_ref", "target", "target_met", "note"]


def git_commit(repo: Path) -> str:
    """``<short sha>`` of HEAD, with ``+dirty`` when tracked files differ from it; ``unknown`` outside git."""
    try:
        sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _fmt(x, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


class Recorder:
    """Appends rows for one run (``run_id``) to ``folder/results.csv`` and ``folder/RESULTS.md`` as they come."""

    def __init__(self, folder: Path, run_id: str, commit: str, scale: str, seed: int):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.csv = self.folder / "results.csv"
        self.md = self.folder / "RESULTS.md"
        self.run_id, self.commit, self.scale, self.seed = run_id, commit, scale, seed
        self.rows: list[dict] = []

    def header(self, command: str, machine: dict, disk_free_gb: float, stages: list[str]) -> None:
        """Start this run's section of RESULTS.md: machine, date, commit, command."""
        if not self.md.exists():
            self.md.write_text("# Benchmark results (appended by `python benchmarks/run.py`; never edited by hand "
                               "except the analysis sections)\n\nAll data are **synthetic** releases written by "
                               "`helpers synth` (not EOIR data); the numbers measure the software, not any finding.\n")
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with self.md.open("a") as f:
            f.write(f"\n## Run {self.run_id}: scale `{self.scale}`, seed {self.seed}\n\n"
                    f"* date: {now}; git commit: `{self.commit}`\n"
                    f"* command: `{command}`\n"
                    f"* machine: {machine['cores']} cores ({machine['cpu_model']}), {machine['mem_total_gb']} GB memory "
                    f"({machine['mem_available_gb']} GB available at start), {disk_free_gb} GB free disk, "
                    f"Linux {machine['kernel']}\n"
                    f"* stages: {', '.join(stages)}\n\n"
                    "| stage | variant | table | rows | input MB | wall s | CPU s | peak RSS MB (1 process) | "
                    "tree peak MB (sampled) | rows/s | MB/s | load before | status | note |\n"
                    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")

    def add(self, stage: str, variant: str, m: Measurement, *, rows: int | None = None, mb: float | None = None,
            table: str = "", note: str = "", target: str = "", target_met: bool | None = None,
            ratio_wall: float | None = None, ratio_ref: str = "") -> dict:
        """Append one measured process to both files now; returns the CSV row."""
        wall = m.wall_s
        row = {
            "run_id": self.run_id, "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
            "commit": self.commit, "scale": self.scale, "seed": self.seed, "stage": stage, "variant": variant,
            "table": table, "rows": rows if rows is not None else "", "mb": _fmt(mb, 1),
            "wall_s": _fmt(wall), "cpu_s": _fmt(m.cpu_s), "peak_rss_mb": _fmt(m.peak_rss_mb, 0),
            "tree_peak_mb": _fmt(m.tree_peak_mb, 0),
            "rows_per_s": _fmt(rows / wall, 0) if rows and wall else "",
            "mb_per_s": _fmt(mb / wall, 1) if mb and wall else "",
            "load1_before": _fmt(m.load1_before), "load1_after": _fmt(m.load1_after),
            "contended": m.load1_before > CONTENDED_LOAD, "status": m.status,
            "ratio_wall": _fmt(ratio_wall), "ratio_ref": ratio_ref, "target": target,
            "target_met": "" if target_met is None else ("yes" if target_met else "NO"),
            "note": (note + (f" | error: {m.error.splitlines()[-1]}" if m.error else "")).strip(" |"),
        }
        new = not self.csv.exists()
        with self.csv.open("a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=COLUMNS)
            if new:
                w.writeheader()
            w.writerow(row)
        load = row["load1_before"] + (" (contended)" if row["contended"] else "")
        md_note = "; ".join(x for x in [row["note"], f"{target}: {row['target_met']}" if target else "",
                                        f"wall ratio {row['ratio_wall']} ({ratio_ref})" if ratio_wall else ""] if x)
        with self.md.open("a") as f:
            f.write(f"| {stage} | {variant} | {table} | {row['rows']} | {row['mb']} | {row['wall_s']} | {row['cpu_s']} | "
                    f"{row['peak_rss_mb']} | {row['tree_peak_mb']} | {row['rows_per_s']} | {row['mb_per_s']} | {load} | "
                    f"{m.status} | {md_note.replace('|', '/')} |\n")
        self.rows.append(row)
        return row

    def text(self, body: str) -> None:
        """Append free text (ratios, target summary) to this run's section."""
        with self.md.open("a") as f:
            f.write("\n" + body.rstrip() + "\n")
