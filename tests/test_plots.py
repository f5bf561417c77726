"""helpers.plots: figures are produced, files written where promised, synthetic figures stamped."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.outputs import figure_dir  # noqa: E402


@pytest.fixture(autouse=True)
def _style_and_close():
    plots.set_style()
    yield
    plt.close("all")


def _series_frame():
    """A small frame shaped like helpers.published.series(..., allow_mixed=True)."""
    rows = [
        ("a1", 2016, 2016, 2016, "", 10.0, "V1"), ("a2", 2017, 2017, 2017, "", 12.0, "V1"),
        ("a3", 2019, 2019, 2019, "", 15.0, "V1"),  # V1 skips FY2018: the line must break there
        ("b1", 2018, 2018, 2018, "", 13.0, "V2"),
        ("c1", None, 2011, 2020, "", 11.0, "V3"),  # multi-year row
        ("d1", 2018, 2018, 2018, "2018-07", 9.0, "V4"),  # point in time
    ]
    df = pd.DataFrame(rows, columns=["row_id", "fiscal_year", "fy_start", "fy_end", "as_of", "value", "vintage"])
    df["fiscal_year"] = df["fiscal_year"].astype("Int64")
    return df


def test_fy_position_midpoint_convention():
    assert plots.fy_position("2018-10-01") == pytest.approx(2018.5)   # first day of FY2019
    assert plots.fy_position("2019-04-01") == pytest.approx(2019.0, abs=0.01)  # mid FY2019
    assert 2021.5 < plots.fy_position(pd.Timestamp("2021-10-19")) < 2021.6


def test_policy_lines_on_fiscal_and_date_axes():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    lines = plots.policy_lines(ax1, fiscal=True)
    xs = [ln.get_xdata()[0] for ln in lines]
    assert xs[1] == pytest.approx(2018.5) and xs[0] == pytest.approx(2018.0, abs=0.02)
    assert [ln.get_gid() for ln in lines] == ["policy-announced", "policy-start", "policy-covid", "policy-suspended"]
    assert len([t for t in ax1.texts if (t.get_gid() or "").startswith("policy-label")]) == 4
    # legend off by default: labels hidden from ax.legend()
    assert all(ln.get_label().startswith("_") for ln in lines)
    two = plots.policy_lines(ax2, which=("start", "suspended"), legend=True, text=False)
    assert mdates.num2date(two[0].get_xdata()[0]).date().isoformat() == "2018-10-01"
    assert mdates.num2date(two[1].get_xdata()[0]).date().isoformat() == "2021-10-19"
    assert "quota suspended (19 Oct 2021)" in [t.get_text() for t in ax2.legend().get_texts()]
    with pytest.raises(ValueError, match="unknown policy event"):
        plots.policy_lines(ax2, which=("elections",))


def test_save_figure_writes_png_and_svg_with_source(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([2018, 2019], [1, 2])
    plots.source_note(fig, "published", "Sources: EOIR table, row FY2019.")
    paths = plots.save_figure(fig, "completions", tmp_path, "01_national_caseload")
    expected_dir = figure_dir(tmp_path, "01_national_caseload")
    assert paths == [expected_dir / "completions.png", expected_dir / "completions.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[0].stat().st_size > 5000
    svg = paths[1].read_text(encoding="utf-8")
    assert "Data: published." in svg and "row FY2019" in svg
    assert "SYNTHETIC" not in svg
    assert not list(expected_dir.glob(".*tmp*"))  # no stray temporaries


def test_synthetic_figures_are_stamped(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    plots.source_note(fig, "synthetic:sample:20181001")
    gids = {t.get_gid() for t in fig.texts}
    assert {"synthetic-banner", "synthetic-stamp", "source-note"} <= gids
    (png, svg) = plots.save_figure(fig, "demo", tmp_path, "nb")
    text = svg.read_text(encoding="utf-8")
    assert plots.SYNTHETIC_STAMP in text and "synthetic:sample:20181001" in text


def test_save_figure_requires_a_source_note_and_a_safe_name(tmp_path):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="no data source note"):
        plots.save_figure(fig, "x", tmp_path, "nb")
    plots.source_note(fig, "published")
    with pytest.raises(ValueError, match="use letters, digits"):
        plots.save_figure(fig, "../escape", tmp_path, "nb")
    with pytest.raises(ValueError, match="needs a data_source"):
        plots.source_note(fig, "")


def test_save_figure_is_deterministic(tmp_path):
    def draw(out):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [3, 1, 2])
        plots.source_note(fig, "published")
        return plots.save_figure(fig, "same", out, "nb")[1].read_bytes()

    assert draw(tmp_path / "a") == draw(tmp_path / "b")


def test_plot_published_one_entry_per_vintage_and_gaps():
    fig, ax = plt.subplots()
    artists = plots.plot_published(ax, _series_frame())
    labels = [a.get_label() for a in artists if not a.get_label().startswith("_")]
    assert labels == ["V1", "V2", "V3", "V4"]
    v1 = artists[0]
    assert list(v1.get_xdata()) == [2016, 2017, 2018, 2019]
    assert np.isnan(v1.get_ydata()[2])  # FY2018 missing in V1: no bridge
    v4 = artists[-1]
    assert v4.get_xdata()[0] == pytest.approx(plots.fy_position("2018-07-15"))
    v3 = artists[2]
    segs = v3.get_segments()[0]
    assert segs[0][0] == pytest.approx(2010.55) and segs[1][0] == pytest.approx(2020.45)


def test_coef_plot_with_and_without_truth():
    est = pd.DataFrame({"term": ["a", "b"], "estimate": [0.5, -0.2], "ci_low": [0.3, -0.5], "ci_high": [0.7, 0.1]})
    ax = plots.coef_plot(est, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert not [ln for ln in ax.lines if ln.get_gid() == "coef-truth"]
    ax2 = plots.coef_plot(est.assign(truth=[0.5, 0.0]))
    truth = [ln for ln in ax2.lines if ln.get_gid() == "coef-truth"]
    assert len(truth) == 1 and list(truth[0].get_xdata()) == [0.5, 0.0]
    with pytest.raises(ValueError, match=r"lacks column\(s\) ci_high"):
        plots.coef_plot(est.drop(columns="ci_high"))


def test_event_study_plot_reference_and_truth():
    rel = np.array([-3, -2, 0, 1, 2], dtype="int64")
    est = pd.DataFrame({"term": [f"rel::{r}" for r in rel], "estimate": [0.0, 0.1, 1.0, 1.2, 1.1],
                        "ci_low": [-0.2, -0.1, 0.8, 1.0, 0.9], "ci_high": [0.2, 0.3, 1.2, 1.4, 1.3],
                        "rel_period": rel})
    ax = plots.event_study_plot(est, ref=-1, truth=pd.Series([0, 0, 1, 1, 1], index=rel, dtype=float))
    ref = [ln for ln in ax.lines if ln.get_gid() == "event-ref"][0]
    assert (ref.get_xdata()[0], ref.get_ydata()[0]) == (-1, 0.0)
    truth = [ln for ln in ax.lines if ln.get_gid() == "event-truth"][0]
    assert list(truth.get_ydata()) == [0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="reference period -2 is in the estimates"):
        plots.event_study_plot(est, ref=-2)
    with pytest.raises(ValueError, match="rel_period must be an integer"):
        plots.event_study_plot(est.assign(rel_period=est["rel_period"].astype(float)))


def test_event_study_plot_draws_the_reference_row_as_the_reference_point():
    """The frame as helpers.models.event_study returns it: the reference row (reference True, estimate 0, no
    interval) gives ref and is drawn as the hollow reference point, not as an estimate."""
    rel = pd.array([-3, -2, -1, 0, 1], dtype="Int64")
    est = pd.DataFrame({"term": [f"bite:q[{r}]" for r in rel], "estimate": [0.1, -0.1, 0.0, 1.0, 1.2],
                        "ci_low": [-0.2, -0.3, np.nan, 0.8, 1.0], "ci_high": [0.4, 0.1, np.nan, 1.2, 1.4],
                        "rel_period": rel, "reference": [False, False, True, False, False]})
    ax = plots.event_study_plot(est, truth=pd.Series([0.0, 0.0, 0.0, 1.0, 1.0], index=[-3, -2, -1, 0, 1]))
    ref = [ln for ln in ax.lines if ln.get_gid() == "event-ref"][0]
    assert (ref.get_xdata()[0], ref.get_ydata()[0]) == (-1, 0.0)
    line = [ln for ln in ax.lines if ln.get_gid() == "event-estimates"][0]
    assert list(line.get_xdata()) == [-3, -2, 0, 1]
    with pytest.raises(ValueError, match=r"mark period\(s\) \[-1\], not ref=-3"):
        plots.event_study_plot(est, ref=-3)
    with pytest.raises(ValueError, match="no reference row"):
        plots.event_study_plot(est[~est["reference"]])


def test_published_panels_layout():
    frame = _series_frame()
    fig, axes = plots.published_panels({"A": frame, "B": frame[frame.vintage == "V1"], "C": frame}, fy_min=2010,
                                       fy_max=2020, ncols=2, ylabel="cases", thousands=True)
    assert [ax.get_title() for ax in axes] == ["A", "B", "C"]
    assert len(fig.axes) == 4 and not fig.axes[3].get_visible()  # the unused fourth cell is hidden
    assert axes[0].get_xlim() == pytest.approx((2009.4, 2020.6))
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["V1"]
    assert len([ln for ln in axes[2].lines if (ln.get_gid() or "").startswith("policy-")]) == 4
