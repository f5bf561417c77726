"""The scaling figure: wall time and peak memory of each stage against the release's rows (tiny → full).

    python benchmarks/plot.py [results.csv] [out_stem]      # writes out_stem.png and out_stem.svg

For each scale the latest successful measurement of each stage of ours is used (``variant`` ``ours`` for
synth, ingest, build, report; for ``models`` the sum over the headline models that succeeded in the
latest run, without the ``*_crv1``/``*_jackknife`` variants). The x axis is the number
of data lines in the release's 19 core tables (from the latest ``synth`` row of that scale). Memory is the
sampled peak of the process tree. All releases are synthetic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import CONTENDED_LOAD as CONTENDED  # noqa: E402
ORDER = ["synth", "ingest", "build", "models (sum)", "report"]
SCALES = ["tiny", "sample", "medium", "full"]


def scaling_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per scale × stage: ``release_rows``, ``wall_s``, ``tree_peak_mb`` (latest successful measurement)."""
    r = results[results["status"].isin(["ok", "cached"]) & results["stage"].isin(["synth", "ingest", "build", "models", "report"])]
    r = r[(r["variant"] == "ours") | ((r["stage"] == "models") & ~r["variant"].str.endswith(("_crv1", "_jackknife")))]
    r = r.sort_values("date_utc")
    rows = r[r["stage"] == "synth"].groupby("scale")["rows"].last()
    out = []
    for (scale, stage), g in r.groupby(["scale", "stage"]):
        if scale not in rows.index:
            continue
        if stage == "models":
            last = g[g["run_id"] == g["run_id"].iloc[-1]]
            latest = last.groupby("variant").last()
            wall, mem, name = latest["wall_s"].sum(), latest["tree_peak_mb"].max(), "models (sum)"
            busy = bool(latest["load1_before"].max() > CONTENDED) if "load1_before" in latest else False
        else:
            wall, mem, name = g["wall_s"].iloc[-1], g["tree_peak_mb"].iloc[-1], stage
            busy = bool(g["load1_before"].iloc[-1] > CONTENDED) if "load1_before" in g else False
        out.append({"scale": scale, "stage": name, "release_rows": float(rows[scale]), "wall_s": float(wall),
                    "tree_peak_mb": float(mem), "contended": busy})
    return pd.DataFrame(out, columns=["scale", "stage", "release_rows", "wall_s", "tree_peak_mb", "contended"])


def make_figure(results_csv: Path, out_stem: Path) -> pd.DataFrame:
    """Draw the figure from ``results_csv`` into ``out_stem``.png/.svg; returns the plotted table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tab = scaling_table(pd.read_csv(results_csv))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    for stage in ORDER:
        g = tab[tab["stage"] == stage].sort_values("release_rows")
        if g.empty:
            continue
        for ax, col in zip(axes, ["wall_s", "tree_peak_mb"]):
            line, = ax.plot(g["release_rows"], g[col], "-", label=stage)
            for busy, pts in g.groupby("contended"):
                ax.plot(pts["release_rows"], pts[col], "o", color=line.get_color(),
                        markerfacecolor="white" if busy else line.get_color())
            for _, row in g.iterrows():
                if stage == "ingest":
                    ax.annotate(row["scale"], (row["release_rows"], row[col]), textcoords="offset points",
                                xytext=(0, -12), ha="center", fontsize=7, color="#555555")
    axes[0].set_ylabel("wall time (s)")
    axes[1].set_ylabel("peak resident memory of the process tree (MB)")
    axes[1].axhline(4096, color="#b2182b", lw=0.8, ls="--", label="4 GB target (build, models)")
    axes[1].axhline(3072, color="#ef8a62", lw=0.8, ls=":", label="3 GB target (ingest)")
    axes[0].axhline(1800, color="#b2182b", lw=0.8, ls="--", label="30 min target (report)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows in the release's core tables")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("helpers pipeline scaling on SYNTHETIC releases (tiny → sample → medium → full), 2-core machine",
                 fontsize=10)
    fig.text(0.01, 0.01, f"Hollow markers: measured with a 1-minute load average above {CONTENDED} (shared machine; "
             "wall times are upper bounds). Data: benchmarks/results.csv; see RESULTS.md.", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    for ext in ("png", "svg"):
        fig.savefig(f"{out_stem}.{ext}", dpi=130)
    plt.close(fig)
    return tab


if __name__ == "__main__":
    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results.csv"
    stem = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "scaling"
    print(make_figure(csv_path, stem).to_string(index=False))
