"""The collection's one figure style, and the plot helpers every notebook shares.

* :func:`set_style` — seaborn theme + rcParams (call once per notebook).
* :func:`source_note` — the data source under every figure; a visible stamp on synthetic data.
* :func:`save_figure` — PNG + SVG into ``helpers.outputs.figure_dir(output_dir, notebook)``.
* :func:`policy_lines` — the quota announcement, start, COVID and suspension on a date or fiscal-year axis.
* :func:`plot_published` — one published series per vintage (never joined across vintages).
* :func:`coef_plot`, :func:`event_study_plot` — tidy estimate frames of ``helpers.models``.

Fiscal-year axes put FY y's annual value at x = y, the middle of the fiscal year, so FY y spans
[y - 0.5, y + 0.5) and 1 Oct 2018 (start of FY2019) sits at x = 2018.5 (:func:`fy_position`).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import pandas as pd

import helpers
from helpers._util import atomic_path
from helpers.outputs import figure_dir, is_synthetic

SYNTHETIC_STAMP = "SYNTHETIC DATA — illustrates methods, not findings"
#: Colour-blind-safe palette used by ``set_style`` (seaborn "colorblind").
PALETTE = "colorblind"
FIGSIZE = (8.0, 4.5)
#: Marker and line-style cycles of ``plot_published`` (series stay distinguishable in grey scale).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h")
LINESTYLES = ("-", "--", "-.", ":")

#: key -> (date, short label, colour, line style). Dates come from ``helpers`` (LITERATURE.md §0).
POLICY_EVENTS: dict[str, tuple[str, str, str, str]] = {
    "announced": (helpers.QUOTA_ANNOUNCED, "quota announced", "#7f7f7f", ":"),
    "start": (helpers.QUOTA_START, "quota starts (FY2019)", "#b2182b", "-"),
    "covid": (helpers.COVID_START, "COVID-19 postponements", "#5e3c99", "-."),
    "suspended": (helpers.QUOTA_SUSPENDED, "quota suspended", "#2166ac", "--"),
}


def set_style() -> None:
    """Apply the collection's figure style (seaborn whitegrid, colour-blind palette, readable sizes).

    SVG text is kept as text (``svg.fonttype = none``) so captions and the synthetic stamp are
    searchable; the SVG hash salt is fixed so repeated runs write identical files.
    """
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.9)
    mpl.rcParams.update({
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "axes.labelsize": 9.5,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.constrained_layout.use": True,
        "svg.fonttype": "none",
        "svg.hashsalt": "helpers-plots",
    })


# --------------------------------------------------------------------------- fiscal-year axis

def fy_position(date) -> float:
    """Position of a date on a fiscal-year axis where FY y's annual value sits at x = y.

    FY y runs 1 Oct (y-1) to 30 Sep y and occupies [y - 0.5, y + 0.5): e.g. 1 Oct 2018 -> 2018.5,
    1 Apr 2018 -> about 2018.0.
    """
    d = pd.Timestamp(date)
    fy = d.year + (1 if d.month >= 10 else 0)
    start = pd.Timestamp(year=fy - 1, month=10, day=1)
    end = pd.Timestamp(year=fy, month=10, day=1)
    return fy - 0.5 + (d - start) / (end - start)


def fiscal_axis(ax, fy_min: int | None = None, fy_max: int | None = None, step: int = 2,
                label: str = "Fiscal year (Oct–Sep)") -> None:
    """Integer fiscal-year ticks (every ``step`` years) and x limits half a year beyond the ends."""
    if fy_min is not None and fy_max is not None:
        ax.set_xlim(fy_min - 0.6, fy_max + 0.6)
        ax.set_xticks(range(fy_min, fy_max + 1, step))
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.set_xlabel(label)


def thousands_axis(ax, axis: str = "y", scale: float = 1e3, suffix: str = "k") -> None:
    """Label an axis in thousands (``'250k'``) or, with ``scale=1e6, suffix='M'``, millions."""
    fmt = mpl.ticker.FuncFormatter(lambda v, _: f"{v / scale:,.{0 if scale == 1e3 else 1}f}{suffix}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def policy_lines(ax, which: Sequence[str] = ("announced", "start", "covid", "suspended"), fiscal: bool = False,
                 text: bool = True, legend: bool = False) -> list:
    """Vertical lines at the policy dates: 30 Mar 2018 announcement, 1 Oct 2018 start, Mar 2020 COVID,
    19 Oct 2021 suspension (``POLICY_EVENTS``).

    ``fiscal=True``: the axis is in fiscal years (annual values at x = FY, see :func:`fy_position`);
    otherwise it is a matplotlib date axis. ``text`` writes a small rotated label at the top of each line;
    ``legend=True`` labels the lines so ``ax.legend()`` lists them. Returns the Line2D objects.
    """
    unknown = [w for w in which if w not in POLICY_EVENTS]
    if unknown:
        raise ValueError(f"unknown policy event(s) {unknown}; choose from {list(POLICY_EVENTS)}")
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    lines = []
    for key in which:
        date, label, colour, style = POLICY_EVENTS[key]
        ts = pd.Timestamp(date)
        x = fy_position(ts) if fiscal else mdates.date2num(ts)
        full = f"{label} ({ts.day} {ts.strftime('%b %Y')})"
        line = ax.axvline(x, color=colour, linestyle=style, linewidth=1.1, zorder=1,
                          label=full if legend else "_" + full, gid=f"policy-{key}")
        lines.append(line)
        if text:
            ax.text(x, 0.99, " " + label, transform=trans, rotation=90, va="top", ha="right",
                    fontsize=7, color=colour, zorder=2, gid=f"policy-label-{key}")
    return lines


# --------------------------------------------------------------------------- labelling and saving

def source_note(fig, data_source: str, text: str = "", width: int = 150):
    """Write the data source (and ``text``, e.g. a citation) under the figure.

    When ``helpers.outputs.is_synthetic(data_source)``, also stamp the figure visibly with
    ``SYNTHETIC_STAMP`` (a banner above the axes and a large watermark across them). Returns the note's
    Text artist. :func:`save_figure` refuses figures without a note.
    """
    if not data_source:
        raise ValueError("source_note needs a data_source (e.g. 'published', 'eoir:2026-01-15', 'synthetic:...')")
    synthetic = is_synthetic(data_source)
    head = f"{SYNTHETIC_STAMP}. " if synthetic else ""
    body = f"{head}Data: {data_source}." + (f" {text}" if text else "")
    wrapped = "\n".join(textwrap.wrap(body, width=width, break_long_words=True, break_on_hyphens=False))
    note = fig.text(0.01, -0.005, wrapped, ha="left", va="top", fontsize=6.5, color="#333333",
                    gid="source-note", wrap=False)
    if synthetic:
        fig.text(0.5, 1.01, SYNTHETIC_STAMP, ha="center", va="bottom", fontsize=11, fontweight="bold",
                 color="#b30000", gid="synthetic-banner",
                 bbox=dict(facecolor="#fff0f0", edgecolor="#b30000", boxstyle="round,pad=0.3"))
        fig.text(0.5, 0.5, "SYNTHETIC DATA", ha="center", va="center", fontsize=40, fontweight="bold",
                 color="#b30000", alpha=0.18, rotation=20, zorder=1000, gid="synthetic-stamp")
    fig._helpers_data_source = data_source  # checked by save_figure
    return note


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def save_figure(fig, name: str, output_dir: str | Path, notebook: str,
                formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` in ``figure_dir(output_dir, notebook)``.

    Files are written atomically; metadata dates are dropped so reruns give identical SVGs. The figure
    must carry a :func:`source_note` (so synthetic figures are always stamped). Returns the paths.
    """
    if not _NAME_RE.match(name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '_', '-', '.' only")
    if not getattr(fig, "_helpers_data_source", None):
        raise ValueError(f"figure {name!r} has no data source note: call helpers.plots.source_note(fig, data_source) first")
    out_dir = figure_dir(output_dir, notebook)
    paths = []
    for fmt in formats:
        meta = {"Date": None} if fmt in ("svg", "pdf") else {}
        final = out_dir / f"{name}.{fmt}"
        with atomic_path(final, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=meta)
        paths.append(final)
    return paths


# --------------------------------------------------------------------------- published series

def plot_published(ax, frame: pd.DataFrame, *, label_fmt: str = "{vintage}", scale: float = 1.0,
                   line: bool = True, **kw) -> list:
    """Plot rows of ``helpers.published.series(..., allow_mixed=True)`` on a fiscal-year axis.

    Each vintage (or each ``label``, when the frame has that column, as from
    ``helpers.published.stack_series``) is drawn separately: single-year rows as one line with markers (the line breaks where
    the vintage skips a year; markers only when ``line=False``), multi-year rows as a horizontal bar across their years,
    and point-in-time rows (``as_of``) at :func:`fy_position` of their date (a count dated 30 Sept is an
    FY-end value and sits at its fiscal year). Values are divided by
    ``scale``. Extra keyword arguments go to matplotlib. Returns the artists (one legend entry per vintage).
    """
    from helpers.published import as_of_timestamp

    artists = []
    k0 = len(ax.get_legend_handles_labels()[0])  # continue the style cycle across calls on one axes
    key = "label" if "label" in frame.columns else "vintage"
    frame = frame.copy()
    fy_end_dated = frame["as_of"].fillna("") == frame["fy_end"].astype(str) + "-09-30"
    frame.loc[fy_end_dated, "as_of"] = ""  # a count dated on the last day of its FY is an annual value
    for k, (name, g) in enumerate(frame.groupby(key, sort=False), start=k0):
        label = label_fmt.format(vintage=name) if key == "vintage" else str(name)
        single = g[g["fiscal_year"].notna() & ((g["as_of"] == "") | g["as_of"].isna())]
        dated = g[(g["as_of"] != "") & g["as_of"].notna()]
        multi = g[g["fiscal_year"].isna() & ((g["as_of"] == "") | g["as_of"].isna())]
        style = dict(marker=MARKERS[k % len(MARKERS)], markersize=4.5, linewidth=1.6)
        style.update(kw)
        if "color" not in style:
            style["color"] = _next_colour(ax)
        if len(single):
            # reindex over every year so a line never bridges years the vintage does not report
            yrs = single["fiscal_year"].astype("int64")
            vals = pd.Series(single["value"].to_numpy(dtype=float), index=yrs.to_numpy())
            vals = vals.reindex(range(int(yrs.min()), int(yrs.max()) + 1))
            ls = LINESTYLES[k % len(LINESTYLES)] if line else "none"
            (a,) = ax.plot(vals.index.to_numpy(dtype=float), vals.to_numpy() / scale, linestyle=ls,
                           label=label, **style)
            artists.append(a)
            label = "_" + label
        if len(dated):
            xs = [fy_position(as_of_timestamp(s)) for s in dated["as_of"]]
            (a,) = ax.plot(xs, dated["value"] / scale, linestyle="none", label=label, **style)
            artists.append(a)
            label = "_" + label
        for _, r in multi.iterrows():
            a = ax.hlines(r["value"] / scale, r["fy_start"] - 0.45, r["fy_end"] + 0.45, colors=style["color"],
                          linewidth=2.5, label=label)
            artists.append(a)
            label = "_" + label
    return artists


def published_panels(panels: dict[str, pd.DataFrame], *, fy_min: int, fy_max: int, ncols: int = 1,
                     figsize: tuple[float, float] | None = None, ylabel: str = "", thousands: bool = False,
                     line: bool = True, sharey: bool = False, legend_fontsize: float = 7, tick_step: int = 2,
                     **kw):
    """One panel per entry of ``panels`` (title -> rows from ``helpers.published.stack_series``): each
    drawn with :func:`plot_published`, the policy lines, a legend and a fiscal-year axis.

    Returns ``(fig, axes)`` with ``axes`` a flat list in panel order. ``kw`` goes to :func:`plot_published`.
    """
    n = len(panels)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (5.6 * ncols, 3.7 * nrows), sharey=sharey,
                             squeeze=False)
    flat = list(axes.ravel())
    for ax, (title, rows) in zip(flat, panels.items()):
        plot_published(ax, rows, line=line, **kw)
        policy_lines(ax, fiscal=True)
        if thousands:
            thousands_axis(ax)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(loc="best", fontsize=legend_fontsize)
        fiscal_axis(ax, fy_min, fy_max, step=tick_step)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def segmented_fit_plot(ax, observed: pd.DataFrame, fitted: pd.Series, pre_trend: pd.Series,
                       breaks: Sequence[int], *, scale: float = 1.0, label: str = "published") -> None:
    """Observed annual values, the segmented-regression fit and the pre-policy trend extended past the
    first break (dashed; a descriptive extrapolation, not a counterfactual).

    ``observed`` has ``fiscal_year`` and ``value``; ``fitted``/``pre_trend`` are indexed by fiscal year
    (``helpers.published.its_predict``). Segments are drawn separately so the fit never bridges a break.
    """
    ax.plot(observed["fiscal_year"].astype(float), observed["value"] / scale, "o", color="#222222",
            markersize=4.5, label=label, zorder=3)
    edges = [int(fitted.index.min())] + sorted(int(b) for b in breaks) + [int(fitted.index.max()) + 1]
    for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        seg = fitted[(fitted.index >= a) & (fitted.index < b)]
        ax.plot(seg.index.astype(float), seg.to_numpy() / scale, "-", color="#b2182b", linewidth=1.8,
                label="segmented fit" if i == 0 else "_fit", zorder=2)
    ext = pre_trend[pre_trend.index >= min(breaks) - 1]
    ax.plot(ext.index.astype(float), ext.to_numpy() / scale, "--", color="#7f7f7f", linewidth=1.2,
            label="pre-policy trend extended (not a counterfactual)", zorder=1)


def _next_colour(ax) -> str:
    """The next colour of the axes' property cycle (falls back to counting drawn lines)."""
    getter = getattr(getattr(ax, "_get_lines", None), "get_next_color", None)
    if getter is not None:
        return getter()
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return cycle[len(ax.lines) % len(cycle)]


# --------------------------------------------------------------------------- estimates

def _require(est: pd.DataFrame, cols: Sequence[str], fn: str) -> None:
    missing = [c for c in cols if c not in est.columns]
    if missing:
        raise ValueError(f"{fn}: estimate frame lacks column(s) {', '.join(missing)} (have: {', '.join(est.columns)})")
    if est.empty:
        raise ValueError(f"{fn}: empty estimate frame")


def _truth_values(est: pd.DataFrame, truth, key: str) -> pd.Series | None:
    """Planted values aligned with ``est[key]``: from ``truth`` (Series indexed by key) or est['truth']."""
    if truth is None:
        if "truth" in est.columns and est["truth"].notna().any():
            return pd.Series(est["truth"].to_numpy(dtype=float), index=est[key])
        return None
    if isinstance(truth, pd.Series):
        return truth.reindex(est[key].to_numpy()).astype(float)
    raise TypeError("truth must be None (use the 'truth' column) or a Series indexed by the term/rel_period")


def coef_plot(est: pd.DataFrame, ax=None, *, title: str | None = None, xlabel: str = "estimate (95% CI)",
              truth: pd.Series | None = None, zero: bool = True):
    """Point estimates with 95% intervals, one row per ``term`` (top to bottom in frame order).

    ``est``: tidy frame with term, estimate, ci_low, ci_high (``helpers.models``). Planted values are
    drawn as red crosses when ``truth`` (Series indexed by term) is given or ``est['truth']`` is filled
    (synthetic data only). Returns the Axes.
    """
    _require(est, ["term", "estimate", "ci_low", "ci_high"], "coef_plot")
    if ax is None:
        _, ax = plt.subplots(figsize=(FIGSIZE[0], 0.45 * len(est) + 1.2))
    y = np.arange(len(est))[::-1]
    e = est["estimate"].to_numpy(dtype=float)
    err = np.vstack([e - est["ci_low"].to_numpy(dtype=float), est["ci_high"].to_numpy(dtype=float) - e])
    ax.errorbar(e, y, xerr=err, fmt="o", color="#222222", ecolor="#555555", capsize=3, label="estimate, 95% CI",
                gid="coef-estimates")
    tv = _truth_values(est, truth, "term")
    if tv is not None:
        ax.plot(tv.to_numpy(), y, "x", color="#b30000", markersize=8, mew=2, label="planted truth", gid="coef-truth")
    if zero:
        ax.axvline(0, color="#999999", linewidth=0.8, zorder=0)
    ax.set_yticks(y)
    ax.set_yticklabels(est["term"].astype(str))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    if tv is not None:
        ax.legend(loc="best")
    return ax


def event_study_plot(est: pd.DataFrame, ref: int | None = None, truth: pd.Series | None = None, ax=None, *,
                     title: str | None = None, xlabel: str = "period relative to the quota start",
                     ylabel: str = "estimate (95% CI)"):
    """Event-study coefficients by relative period, with the omitted reference period drawn at 0.

    ``est``: tidy frame with term, estimate, ci_low, ci_high and an integer ``rel_period`` column, as
    ``helpers.models.event_study`` returns it: its reference row (``reference`` True, estimate 0) is drawn
    as the reference point (a hollow point at 0) and gives ``ref``. For a frame without a reference row,
    pass ``ref``, the omitted period. Rows without a ``rel_period`` (controls) are left out. A dashed line
    separates pre- from post-periods at ``ref + 0.5``. Planted values (``truth`` Series indexed by
    rel_period, or ``est['truth']``) are drawn as a red line. Returns the Axes.
    """
    _require(est, ["term", "estimate", "ci_low", "ci_high", "rel_period"], "event_study_plot")
    if not pd.api.types.is_integer_dtype(est["rel_period"]):
        raise ValueError("event_study_plot: rel_period must be an integer column")
    est = est[est["rel_period"].notna()]
    is_ref = (est["reference"].fillna(False).astype(bool) if "reference" in est.columns
              else pd.Series(False, index=est.index))
    if is_ref.any():
        marked = sorted(int(k) for k in est.loc[is_ref, "rel_period"].unique())
        if len(marked) != 1 or (ref is not None and ref != marked[0]):
            raise ValueError(f"event_study_plot: the reference row(s) mark period(s) {marked}"
                             + (f", not ref={ref}" if ref is not None else ""))
        ref = marked[0]
        est = est[~is_ref]
    elif ref is None:
        raise ValueError("event_study_plot: no reference row (column 'reference'); pass ref=, the omitted period")
    if (est["rel_period"] == ref).any():
        raise ValueError(f"event_study_plot: the reference period {ref} is in the estimates; it must be omitted "
                         "or marked by the 'reference' column")
    d = est.sort_values("rel_period")
    if ax is None:
        _, ax = plt.subplots(figsize=FIGSIZE)
    x = d["rel_period"].to_numpy()
    e = d["estimate"].to_numpy(dtype=float)
    ax.fill_between(x, d["ci_low"].to_numpy(dtype=float), d["ci_high"].to_numpy(dtype=float),
                    color="#1f77b4", alpha=0.18, linewidth=0, label="95% CI")
    ax.plot(x, e, "o-", color="#1f77b4", markersize=4, label="estimate", gid="event-estimates")
    ax.plot([ref], [0.0], "o", mfc="white", mec="#1f77b4", markersize=6, label=f"reference ({ref})", gid="event-ref")
    tv = _truth_values(d, truth, "rel_period")
    if tv is not None:
        ax.plot(x, tv.to_numpy(), "-", color="#b30000", linewidth=1.5, label="planted truth", gid="event-truth")
    ax.axhline(0, color="#999999", linewidth=0.8, zorder=0)
    ax.axvline(ref + 0.5, color="#b2182b", linestyle="--", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax
