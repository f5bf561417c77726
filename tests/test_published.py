"""helpers.published: the shipped table is valid; bad input is rejected naming file, line and problem.

Bad-input cases are small fixture CSVs written to tmp_path (the header is line 1, so the first data
row is line 2).
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest

from helpers import published as P
from helpers.published import PublishedDataError

SOURCES = [
    dict(source_id="src-a", title="Table A", publisher="Agency", date="2021-04-19",
         url="https://example.org/a", accessed_copy="https://example.org/copy-a", notes=""),
    dict(source_id="src-b", title="Report B", publisher="Office", date="2025",
         url="https://example.org/b", accessed_copy="https://example.org/b", notes="second vintage"),
]


def _row(row_id, fy, value, vintage="V1", source_id="src-a", measure="completions", unit="cases", **kw):
    r = dict(row_id=row_id, fiscal_year=str(fy), fy_start=str(fy), fy_end=str(fy), as_of="", measure=measure,
             value=str(value), unit=unit, qualifier="as_printed", definition="Cases completed in the FY.",
             vintage=vintage, source_id=source_id, location=f"Table A -- row {fy}", conflicts_with="", notes="")
    r.update({k: str(v) for k, v in kw.items()})
    return r


def good_rows():
    return [
        _row("r1", 2017, 100),
        _row("r2", 2018, 110),
        _row("r3", 2019, 150),
        _row("r4", 2018, 112, vintage="V2", source_id="src-b", conflicts_with="r2"),
        _row("r5", 2019, 151, vintage="V2", source_id="src-b"),
        _row("r6", "", 38, measure="absentia_rate", unit="percent", fy_start=2011, fy_end=2020,
             definition="In absentia orders as a percent of initial case completions."),
        _row("r7", 2018, 334, measure="judges_on_board", unit="judges", as_of="2018-04-18"),
    ]


def write(tmp_path, rows, sources=SOURCES, columns=None, name="stats.csv"):
    columns = columns or P.COLUMNS
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    src = tmp_path / "sources.csv"
    with open(src, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(sources[0].keys()) if sources else P.SOURCE_COLUMNS)
        w.writeheader()
        w.writerows(sources)
    return path


def rejected(path, *patterns):
    """Load must fail; the message must name the file and match every pattern."""
    with pytest.raises(PublishedDataError) as exc:
        P.load(path)
    msg = str(exc.value)
    assert str(path.name) in msg, msg
    for pat in patterns:
        assert re.search(pat, msg), f"{pat!r} not in:\n{msg}"
    return exc.value


# ----------------------------------------------------------------------------- good data

def test_fixture_table_loads_with_types(tmp_path):
    t = P.load(write(tmp_path, good_rows()))
    assert len(t) == 7
    assert t["value"].dtype == np.float64
    assert str(t["fiscal_year"].dtype) == "Int64"
    assert t.loc[t.row_id == "r6", "fiscal_year"].isna().all()
    assert t.loc[t.row_id == "r6", ["fy_start", "fy_end"]].to_numpy().tolist() == [[2011, 2020]]


def test_shipped_table_loads_and_every_row_is_sourced():
    t = P.load()
    src = P.sources()
    assert len(t) >= 200 and t["row_id"].is_unique
    merged = t.merge(src, on="source_id", how="left", validate="many_to_one")
    assert merged["url"].str.match(r"^https?://\S+$").all()
    assert merged["accessed_copy"].str.match(r"^https?://\S+$").all()
    for col in ("location", "vintage", "definition"):
        assert (t[col].str.len() > 10).all(), col
    assert set(t["unit"]) <= set(P.KNOWN_UNITS)
    # every source in sources.csv is used
    assert set(src["source_id"]) == set(t["source_id"])


def test_shipped_conflicts_are_symmetric_and_differ_in_value():
    t = P.load().set_index("row_id")
    for rid, refs in t["conflicts_with"].items():
        for ref in filter(None, refs.split(";")):
            assert rid in t.loc[ref, "conflicts_with"].split(";"), (rid, ref)
    # the April-2021 and July-2025 EOIR pending counts for FY2018 disagree and point at each other
    p = t[(t.measure == "pending_cases_end_fy") & (t.fiscal_year == 2018)]
    assert p["vintage"].nunique() == 2 and p["value"].nunique() == 2
    a, b = p.index
    assert b in t.loc[a, "conflicts_with"] and a in t.loc[b, "conflicts_with"]


def test_shipped_eoir_vintages_cover_their_years():
    s21 = P.series("total_completions", "EOIR 2021-04-19")
    s25 = P.series("total_completions", "EOIR 2025-07-31")
    assert s21["fiscal_year"].tolist() == list(range(2008, 2021))
    assert s25["fiscal_year"].tolist() == list(range(2015, 2025))
    for m in ("pending_cases_end_fy", "initial_receipts"):
        assert P.series(m, "EOIR 2021-04-19")["fiscal_year"].tolist() == list(range(2008, 2021))


def test_shipped_percentages_name_their_denominator():
    t = P.load()
    rates = t[t["unit"] == "percent"]
    assert len(rates) > 10
    # every rate definition says what it is a percent of
    assert rates["definition"].str.contains(r"percent of|Denominator", case=False).all()


# ----------------------------------------------------------------------------- bad data: the six required cases

def test_missing_column_rejected(tmp_path):
    cols = [c for c in P.COLUMNS if c != "location"]
    rejected(write(tmp_path, good_rows(), columns=cols), r"line 1", r"missing column\(s\) location")


def test_non_numeric_value_rejected(tmp_path):
    rows = good_rows()
    rows[1]["value"] = "1,234"
    e = rejected(write(tmp_path, rows), r"line 3 \(row_id r2\)", r"non-numeric value '1,234'", r"thousands separators")
    assert len(e.problems) == 1


def test_unknown_source_rejected(tmp_path):
    rows = good_rows()
    rows[2]["source_id"] = "src-c"
    rejected(write(tmp_path, rows), r"line 4 \(row_id r3\)", r"unknown source_id 'src-c'")


def test_source_without_url_rejected(tmp_path):
    sources = [dict(SOURCES[0]), dict(SOURCES[1], url="")]
    e = rejected(write(tmp_path, good_rows(), sources=sources), r"sources\.csv: line 3", r"no valid url",
                 r"line 5 \(row_id r4\): source_id 'src-b' has no URL")
    assert any("stats.csv" in p for p in e.problems)


def test_missing_location_rejected(tmp_path):
    rows = good_rows()
    rows[0]["location"] = "  "
    rejected(write(tmp_path, rows), r"line 2 \(row_id r1\): empty location")


def test_duplicated_row_rejected(tmp_path):
    rows = good_rows()
    rows.append(dict(rows[1], row_id="r8"))
    rejected(write(tmp_path, rows), r"line 9 \(row_id r8\): duplicated row", r"line 3 \(row_id r2\)")


def test_mixed_vintages_refused_with_list(tmp_path):
    t = P.load(write(tmp_path, good_rows()))
    with pytest.raises(PublishedDataError, match=r"'completions' mixes 2 vintages: V1; V2") as exc:
        P.series("completions", table=t)
    assert "allow_mixed=True" in str(exc.value)
    both = P.series("completions", table=t, allow_mixed=True)
    assert both["vintage"].tolist() == ["V1", "V1", "V1", "V2", "V2"]
    assert P.series("completions", "V2", table=t)["value"].tolist() == [112.0, 151.0]
    with pytest.raises(PublishedDataError, match=r"no vintage 'V9'; available: 'V1', 'V2'"):
        P.series("completions", "V9", table=t)


# ----------------------------------------------------------------------------- more bad input

@pytest.mark.parametrize("field, bad, pattern", [
    ("unit", "people", r"unknown unit 'people'"),
    ("fiscal_year", "1890", r"fiscal_year 1890 outside the plausible range"),
    ("fy_end", "2019", r"fiscal_year 2017 given but fy_start/fy_end are 2017/2019"),
    ("qualifier", "about", r"unknown qualifier 'about'"),
    ("value", "-5", r"negative value -5"),
    ("vintage", "", r"empty vintage"),
    ("definition", "", r"empty definition"),
    ("conflicts_with", "r99", r"conflicts_with names unknown row_id 'r99'"),
    ("measure", "Completions Total", r"must be lower_snake_case"),
    ("value", "nan", r"non-numeric value 'nan'"),
])
def test_bad_field_rejected(tmp_path, field, bad, pattern):
    rows = good_rows()
    rows[0][field] = bad
    rejected(write(tmp_path, rows), r"line 2 \(row_id r1\)", pattern)


def test_percent_above_100_and_as_of_outside_fy_rejected(tmp_path):
    rows = good_rows()
    rows[5]["value"] = "138"
    rows[6]["as_of"] = "2018-10-02"  # FY2019, but the row says FY2018
    e = rejected(write(tmp_path, rows), r"line 7 \(row_id r6\): percent value 138 is above 100",
                 r"line 8 \(row_id r7\): as_of 2018-10-02 lies outside FY2018-FY2018")
    assert len(e.problems) == 2


def test_duplicate_row_id_unit_clash_and_extra_column(tmp_path):
    rows = good_rows()
    rows[2]["row_id"] = "r1"
    rows[4]["unit"] = "decisions"
    rejected(write(tmp_path, rows), r"line 4 \(row_id r1\): row_id already used on line 2",
             r"line 6 \(row_id r5\): measure 'completions' has unit 'decisions' here but 'cases' on line 2")
    cols = P.COLUMNS + ["extra"]
    rejected(write(tmp_path, good_rows(), columns=cols, name="extra.csv"), r"line 1: unknown column\(s\) extra")


def test_missing_file_and_ragged_line(tmp_path):
    with pytest.raises(PublishedDataError, match=r"nope\.csv: file not found"):
        P.load(tmp_path / "nope.csv")
    path = write(tmp_path, good_rows())
    with open(path, "a", encoding="utf-8") as f:
        f.write("r9,2020,2020\n")
    rejected(path, r"line 9: 3 fields, expected 15")


def test_one_value_per_year_within_a_vintage(tmp_path):
    rows = good_rows()
    rows.append(_row("r8", 2015, 40, fy_start=2015, fy_end=2018, fiscal_year=""))  # overlaps r1/r2 in V1
    t = P.load(write(tmp_path, rows))
    with pytest.raises(PublishedDataError, match=r"rows r8 \(FY2015-FY2018\) and r1 \(FY2017-FY2017\) both cover"):
        P.series("completions", "V1", table=t)


def test_unknown_measure_suggests(tmp_path):
    t = P.load(write(tmp_path, good_rows()))
    with pytest.raises(PublishedDataError, match=r"no rows for measure 'completion'; did you mean 'completions'"):
        P.series("completion", table=t)


# ----------------------------------------------------------------------------- helpers the notebook uses

def test_vintages_coverage_compare_and_change(tmp_path):
    t = P.load(write(tmp_path, good_rows()))
    assert P.vintages("completions", table=t) == ["V1", "V2"]
    cov = P.coverage(t)
    row = cov[(cov.measure == "completions") & (cov.vintage == "V1")].iloc[0]
    assert (row.rows, row.fy_first, row.fy_last, row.unit) == (3, 2017, 2019, "cases")
    cmp = P.compare_vintages("completions", ["V1", "V2"], table=t)
    assert cmp["fiscal_year"].tolist() == [2018, 2019]
    assert cmp["difference"].tolist() == [2.0, 1.0]
    assert cmp["pct_difference"].iloc[0] == pytest.approx(100 * 2 / 110)
    s = P.series("completions", "V1", table=t)
    assert P.describe_change(s, 2018, 2019) == "110 in FY2018 to 150 in FY2019 (+36.4%)"
    assert P.value("completions", 2019, "V2", table=t) == 151.0


def test_cite_names_title_location_years_and_urls(tmp_path):
    path = write(tmp_path, good_rows())
    t = P.load(path)
    src = P.sources(tmp_path / "sources.csv")
    text = P.cite(P.series("completions", table=t, allow_mixed=True), src)
    assert text.startswith("Sources: Table A (Agency, 2021-04-19): Table A; FY2017-FY2019. https://example.org/a "
                           "(copy read: https://example.org/copy-a)")
    assert "Report B (Office, 2025): Table A; FY2018-FY2019. https://example.org/b |" not in text  # no trailing bar
    assert text.endswith("Report B (Office, 2025): Table A; FY2018-FY2019. https://example.org/b")
    no_url = P.cite(t[t.row_id == "r6"], src, urls=False)
    assert no_url == "Sources: Table A (Agency, 2021-04-19): Table A; FY2011-FY2020"
    assert P.cite(t[t.row_id.isin(["r1", "r4"])], src, short=True) == "Sources: Table A, FY2017 | Report B, FY2018"


def test_as_of_month_only_is_mid_month():
    assert P.as_of_timestamp("2018-07") == pd.Timestamp("2018-07-15")
    assert P.as_of_timestamp("2018-08-10") == pd.Timestamp("2018-08-10")


# ----------------------------------------------------------------------------- segmented time series

def _frame(years, values, vintage="V1"):
    n = len(years)
    return pd.DataFrame({"row_id": [f"x{i}" for i in range(n)], "fiscal_year": pd.array(years, dtype="Int64"),
                         "fy_start": years, "fy_end": years, "as_of": [""] * n, "value": np.asarray(values, float),
                         "unit": ["cases"] * n, "qualifier": ["as_printed"] * n, "vintage": [vintage] * n,
                         "source_id": ["s"] * n, "location": ["l"] * n})


def test_its_design_terms():
    X = P.its_design([2016, 2017, 2018, 2019, 2020, 2022], [2019, 2022])
    assert list(X.columns) == ["intercept", "trend", "level_FY2019", "slope_FY2019", "level_FY2022", "slope_FY2022"]
    assert X["trend"].tolist() == [-2, -1, 0, 1, 2, 4]
    assert X["level_FY2019"].tolist() == [0, 0, 0, 1, 1, 1]
    assert X["slope_FY2019"].tolist() == [0, 0, 0, 0, 1, 3]
    assert X["slope_FY2022"].tolist() == [0, 0, 0, 0, 0, 0]
    assert list(P.its_design([2018], [2019], slope_change=False).columns) == ["intercept", "trend", "level_FY2019"]


def test_its_recovers_planted_level_and_slope():
    rng = np.random.default_rng(20181001)
    years = np.arange(2008, 2025)
    truth = {"intercept": 200.0, "trend": 5.0, "level_FY2019": 60.0, "slope_FY2019": -8.0}
    X = P.its_design(years, [2019])
    y = X.to_numpy() @ np.array(list(truth.values()))
    exact = P.its_annual(_frame(years, y), [2019], outcome="completions")
    assert np.allclose(exact["estimate"], list(truth.values()), atol=1e-8)
    assert list(exact.columns[:10]) == ["term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_obs",
                                        "n_clusters", "model", "outcome"]
    assert (exact["n_obs"] == 17).all() and exact["n_clusters"].isna().all() and (exact["df_resid"] == 13).all()
    assert (exact["exact_fit_years"] == "").all()
    noisy = P.its_annual(_frame(years, y + rng.normal(0, 3, len(years))), [2019])
    inside = (noisy["ci_low"] <= list(truth.values())) & (list(truth.values()) <= noisy["ci_high"])
    assert inside.all(), noisy
    fitted = P.its_predict(exact, years, [2019])
    assert np.allclose(fitted.to_numpy(), y)
    pre = P.its_predict(exact, [2018, 2020], [2019], pre_trend_only=True)
    assert pre.tolist() == pytest.approx([200.0, 210.0])


def test_its_flags_years_fit_exactly():
    """A two-year segment with its own level and slope is fit exactly: flagged, and HAC SEs differ from OLS."""
    rng = np.random.default_rng(3)
    years = np.arange(2008, 2021)
    y = 100 + 4 * (years - 2018) + 30 * (years >= 2019) + rng.normal(0, 5, len(years))
    est = P.its_annual(_frame(years, y), [2019], slope_change=True)
    assert (est["exact_fit_years"] == "FY2019, FY2020").all()
    level_only = P.its_annual(_frame(years, y), [2019], slope_change=False)
    assert (level_only["exact_fit_years"] == "").all()
    assert (level_only["std_error_ols"] > 0).all()


def test_its_hac_with_zero_lags_equals_hc1():
    """maxlags=0 with the n/(n-k) correction is White's HC1: checks the HAC options reach statsmodels."""
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    years = np.arange(2008, 2021)
    y = 100 + 4 * (years - 2018) + 30 * (years >= 2019) + rng.normal(0, 5, len(years))
    est = P.its_annual(_frame(years, y), [2019], slope_change=False, maxlags=0)
    hc1 = sm.OLS(y, P.its_design(years, [2019], False).to_numpy()).fit(cov_type="HC1")
    assert np.allclose(est["std_error"], hc1.bse)
    lag1 = P.its_annual(_frame(years, y), [2019], slope_change=False, maxlags=1)
    assert np.allclose(lag1["estimate"], est["estimate"]) and not np.allclose(lag1["std_error"], est["std_error"])


def test_its_refuses_too_few_points_and_mixed_input():
    years = [2017, 2018, 2019, 2020]
    with pytest.raises(PublishedDataError, match=r"leaves 0 residual degree\(s\) of freedom"):
        P.its_annual(_frame(years, [1, 2, 3, 5]), [2019])
    with pytest.raises(PublishedDataError, match=r"segment FY2022-FY2022 has 1 year\(s\); a slope change needs 2"):
        P.its_annual(_frame(list(range(2010, 2023)), np.arange(13.0)), [2019, 2022])
    with pytest.raises(PublishedDataError, match=r"fewer than 2 fiscal years before FY2019"):
        P.its_annual(_frame(list(range(2018, 2026)), np.arange(8.0)), [2019], slope_change=False)
    mixed = pd.concat([_frame([2015, 2016], [1, 2]), _frame([2017, 2018], [3, 4], vintage="V2")])
    with pytest.raises(PublishedDataError, match=r"mixes vintages \(V1; V2\)"):
        P.its_annual(mixed, [2017], slope_change=False)


def test_citations_quote_values_and_list_them(tmp_path):
    path = write(tmp_path, good_rows())
    t = P.load(path)
    cites = P.Citations(t, P.sources(tmp_path / "sources.csv"))
    assert cites.value("completions", 2019, "V1") == "150 [r3]"
    assert cites.value("judges_on_board", 2018, as_of="2018-04-18") == "334 [r7]"
    assert cites.value("absentia_rate") == "38% [r6]"
    assert cites.change("completions", 2018, 2019, "V2") == "112 in FY2018 to 151 in FY2019 (+34.8%) [r4, r5]"
    tab = cites.table()
    assert tab["row_id"].tolist() == ["r3", "r7", "r6", "r4", "r5"]
    assert tab.loc[tab.row_id == "r4", "source"].item() == "Report B"
    assert tab.loc[tab.row_id == "r6", "years"].item() == "FY2011-FY2020"
    with pytest.raises(PublishedDataError, match=r"2 matching rows \(r2, r4\); need exactly 1"):
        cites.value("completions", 2018)


def test_describe_shift_words():
    years = np.arange(2008, 2021)
    y = 100 + 4 * (years - 2018) + 30 * (years >= 2019) + np.resize([2.0, -2.0], len(years))
    est = P.its_annual(_frame(years, y), [2019], slope_change=False)
    text = P.describe_shift(est, "level_FY2019")
    r = est.set_index("term").loc["level_FY2019"]
    assert text.startswith(f"{abs(r.estimate):,.0f} cases a year above the line (95% CI {r.ci_low:+,.0f} to")
    assert "13 years" in text and ("includes zero" in text) == (r.ci_low <= 0 <= r.ci_high)
    below = P.describe_shift(est.assign(estimate=-est["estimate"], ci_low=-5.0, ci_high=5.0), "trend")
    assert "below the line" in below and below.endswith("the interval includes zero)")
    with pytest.raises(ValueError, match="0 rows for term 'slope_FY2019'"):
        P.describe_shift(est, "slope_FY2019")
