"""Real published national statistics (EOIR, TRAC, GAO, CRS, DHS ...) with their sources.

The shipped table ``data/published/national_statistics.csv`` holds one row per published number:
the value exactly as printed, its unit, what it counts (``definition``, including the denominator of
any rate), the release it comes from (``vintage``), the source (``source_id`` -> ``sources.csv``) and
where in that source the number stands (``location``). Figures that disagree are separate rows that
point at each other in ``conflicts_with``. ``data/published/README.md`` explains how it was compiled.

Rules this module enforces:

* ``load()`` validates every row and raises :class:`PublishedDataError` naming the file, the line and
  the problem (line numbers are physical lines of the CSV; the header is line 1).
* ``series()`` returns one value per fiscal year and refuses to mix vintages unless asked: EOIR
  revises its published series between releases, so values from two releases must never be spliced
  into one line.

Fiscal years follow ``helpers.fiscal``: FY y runs 1 Oct (y-1) to 30 Sep y.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from helpers._util import repo_root

#: The ``data_source`` string of everything computed from this table (docs/DATAFLOW.md).
DATA_SOURCE = "published"

COLUMNS = [
    "row_id", "fiscal_year", "fy_start", "fy_end", "as_of", "measure", "value", "unit", "qualifier",
    "definition", "vintage", "source_id", "location", "conflicts_with", "notes",
]
SOURCE_COLUMNS = ["source_id", "title", "publisher", "date", "url", "accessed_copy", "notes"]

#: Allowed units. Rates are in percent (0-100); every other unit is a count or a count ratio.
KNOWN_UNITS = {
    "cases": "immigration-court cases",
    "proceedings": "proceedings (a case can have several)",
    "matters": "proceedings + bond redeterminations + motions",
    "decisions": "immigration-judge decisions",
    "applications": "asylum applications",
    "orders": "removal orders",
    "motions": "motions",
    "continuances": "continuances",
    "judges": "immigration judges",
    "individuals": "persons",
    "cases_per_judge": "cases per immigration judge per year",
    "cases_per_judge_per_month": "cases per immigration judge per month",
    "percent": "percent (0-100); the definition names the denominator",
}
#: ``as_printed``: the number as the source prints it; ``approximate``: the source says about/approximately
#: or rounds it; ``lower_bound``: the source says "over"/"more than".
QUALIFIERS = ("as_printed", "approximate", "lower_bound")
#: Plausible fiscal years: EOIR was created in 1983; 2035 is the project's upper date bound.
FY_BOUNDS = (1983, 2035)

_MEASURE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ROW_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
_AS_OF_RE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_DATE_RE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")
_MAX_LISTED = 25


class PublishedDataError(ValueError):
    """The published-statistics table (or a request for a series from it) is invalid.

    ``problems`` lists every problem found, each naming the file and line.
    """

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:_MAX_LISTED]
        more = len(self.problems) - len(shown)
        msg = "\n".join(shown) + (f"\n... and {more} more problem(s)" if more > 0 else "")
        super().__init__(msg)


# --------------------------------------------------------------------------- reading and validation

def default_dir() -> Path:
    """``data/published`` in the repository."""
    return repo_root() / "data" / "published"


def _read_rows(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV as ``(line_number, {column: text})``; checks the header against ``required``."""
    if not path.exists():
        raise PublishedDataError(f"{path}: file not found")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise PublishedDataError(f"{path}: line 1: empty file (expected a header row)") from None
        header = [h.strip() for h in header]
        problems = []
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        unknown = [c for c in header if c not in required]
        if unknown:
            problems.append(f"{path}: line 1: unknown column(s) {', '.join(unknown)} "
                            f"(allowed: {', '.join(required)})")
        dup = sorted({c for c in header if header.count(c) > 1})
        if dup:
            problems.append(f"{path}: line 1: duplicated column(s) {', '.join(dup)}")
        if problems:
            raise PublishedDataError(problems)
        rows = []
        start = 2
        for rec in reader:
            line = start
            start = reader.line_num + 1
            if not rec or all(not x.strip() for x in rec):
                continue
            if len(rec) != len(header):
                raise PublishedDataError(
                    f"{path}: line {line}: {len(rec)} fields, expected {len(header)} (check quoting and commas)")
            rows.append((line, {k: v.strip() for k, v in zip(header, rec)}))
    return rows


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _validate_sources(path: Path) -> tuple[pd.DataFrame, list[str]]:
    rows = _read_rows(path, SOURCE_COLUMNS)
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, r in rows:
        where = f"{path}: line {line}"
        sid = r["source_id"]
        if not sid:
            problems.append(f"{where}: empty source_id")
        elif sid in seen:
            problems.append(f"{where}: source_id {sid!r} already defined on line {seen[sid]}")
        else:
            seen[sid] = line
        if not r["title"]:
            problems.append(f"{where}: source {sid!r} has no title")
        for col in ("url", "accessed_copy"):
            if not re.match(r"^https?://\S+$", r[col]):
                problems.append(f"{where}: source {sid!r} has no valid {col} (got {r[col]!r}; expected http(s)://...)")
        if not _DATE_RE.match(r["date"]):
            problems.append(f"{where}: source {sid!r} date {r['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    table = pd.DataFrame([r for _, r in rows], columns=SOURCE_COLUMNS)
    table.insert(0, "_line", [line for line, _ in rows])
    return table, problems


def sources(path: str | Path | None = None) -> pd.DataFrame:
    """The source list (``sources.csv``): one row per publication, with its URL and the copy read.

    Raises :class:`PublishedDataError` naming file, line and problem for an invalid file.
    """
    path = Path(path) if path is not None else default_dir() / "sources.csv"
    table, problems = _validate_sources(path)
    if problems:
        raise PublishedDataError(problems)
    return table.drop(columns="_line").reset_index(drop=True)


def _check_row(where: str, r: dict[str, str], source_ids: dict[str, bool]) -> tuple[list[str], dict]:
    """Validate one data row; return (problems, typed values). ``source_ids`` maps id -> has a URL."""
    p: list[str] = []
    rid = r["row_id"] or "?"
    where = f"{where} (row_id {rid})"
    if not r["row_id"]:
        p.append(f"{where}: empty row_id")
    elif not _ROW_ID_RE.match(r["row_id"]):
        p.append(f"{where}: row_id {r['row_id']!r} may hold only letters, digits, '_', '-', '.'")
    if not _MEASURE_RE.match(r["measure"]):
        p.append(f"{where}: measure {r['measure']!r} must be lower_snake_case")
    # value
    value = math.nan
    text = r["value"]
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        hint = " (write numbers without thousands separators or % signs)" if re.search(r"[0-9][,%]", text) else ""
        p.append(f"{where}: non-numeric value {text!r}{hint}")
        value = math.nan
    unit = r["unit"]
    if unit not in KNOWN_UNITS:
        p.append(f"{where}: unknown unit {unit!r} (known: {', '.join(KNOWN_UNITS)})")
    elif not math.isnan(value):
        if value < 0:
            p.append(f"{where}: negative value {text} for unit {unit!r}")
        if unit == "percent" and value > 100:
            p.append(f"{where}: percent value {text} is above 100")
    if r["qualifier"] not in QUALIFIERS:
        p.append(f"{where}: unknown qualifier {r['qualifier']!r} (known: {', '.join(QUALIFIERS)})")
    # fiscal years
    lo, hi = FY_BOUNDS
    fy_start, fy_end = _int_or_none(r["fy_start"]), _int_or_none(r["fy_end"])
    fy = _int_or_none(r["fiscal_year"]) if r["fiscal_year"] else None
    if r["fiscal_year"] and fy is None:
        p.append(f"{where}: fiscal_year {r['fiscal_year']!r} is not an integer")
    for name, v in (("fy_start", fy_start), ("fy_end", fy_end)):
        if v is None:
            p.append(f"{where}: {name} {r[name]!r} is not an integer")
        elif not lo <= v <= hi:
            p.append(f"{where}: {name} {v} outside the plausible range FY{lo}-FY{hi}")
    if fy is not None and not lo <= fy <= hi:
        p.append(f"{where}: fiscal_year {fy} outside the plausible range FY{lo}-FY{hi}")
    if fy_start is not None and fy_end is not None:
        if fy_start > fy_end:
            p.append(f"{where}: fy_start {fy_start} is after fy_end {fy_end}")
        if fy is not None and not fy_start == fy_end == fy:
            p.append(f"{where}: fiscal_year {fy} given but fy_start/fy_end are {fy_start}/{fy_end} "
                     "(a single-year row needs fy_start == fy_end == fiscal_year)")
        if not r["fiscal_year"] and fy_start == fy_end:
            p.append(f"{where}: fiscal_year is empty but the row covers one year (FY{fy_start}); fill fiscal_year")
    # as_of: a date inside the row's fiscal-year span
    as_of = r["as_of"]
    if as_of:
        if not _AS_OF_RE.match(as_of):
            p.append(f"{where}: as_of {as_of!r} is not YYYY-MM or YYYY-MM-DD")
        else:
            try:
                ts = as_of_timestamp(as_of)
            except ValueError:
                p.append(f"{where}: as_of {as_of!r} is not a calendar date")
            else:
                if fy_start is not None and fy_end is not None:
                    first = pd.Timestamp(year=fy_start - 1, month=10, day=1)
                    last = pd.Timestamp(year=fy_end, month=9, day=30)
                    if not first <= ts <= last:
                        p.append(f"{where}: as_of {as_of} lies outside FY{fy_start}-FY{fy_end} "
                                 f"({first.date()} to {last.date()})")
    for col in ("definition", "vintage", "location"):
        if not r[col]:
            p.append(f"{where}: empty {col}")
    sid = r["source_id"]
    if not sid:
        p.append(f"{where}: empty source_id")
    elif sid not in source_ids:
        near = difflib.get_close_matches(sid, sorted(source_ids), n=1)
        p.append(f"{where}: unknown source_id {sid!r} (not in sources.csv"
                 + (f"; did you mean {near[0]!r}?)" if near else ")"))
    elif not source_ids[sid]:
        p.append(f"{where}: source_id {sid!r} has no URL in sources.csv")
    typed = dict(r, value=value, fiscal_year=fy, fy_start=fy_start, fy_end=fy_end)
    return p, typed


def load(path: str | Path | None = None, sources_path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the published-statistics table.

    ``path`` defaults to the shipped ``data/published/national_statistics.csv``; ``sources_path`` to the
    ``sources.csv`` next to it. Checks: required columns; numeric, non-negative values (percent <= 100);
    known units and qualifiers; fiscal years in range and consistent (``fiscal_year`` filled exactly for
    single-year rows; multi-year rows use ``fy_start``/``fy_end``); ``as_of`` inside the row's years;
    every ``source_id`` in ``sources.csv`` with a URL; non-empty definition, vintage and location;
    one unit per measure; unique ``row_id``; no duplicated rows; ``conflicts_with`` ids exist.

    Returns a DataFrame with ``value`` as float, ``fiscal_year`` as nullable Int64 (NA for multi-year
    rows) and ``fy_start``/``fy_end`` as int64. Raises :class:`PublishedDataError` listing every problem
    as ``<file>: line <n> (row_id <id>): <problem>``.
    """
    path = Path(path) if path is not None else default_dir() / "national_statistics.csv"
    sources_path = Path(sources_path) if sources_path is not None else path.parent / "sources.csv"
    rows = _read_rows(path, COLUMNS)
    if not rows:
        raise PublishedDataError(f"{path}: no data rows")
    src, problems = _validate_sources(sources_path)
    ids_with_url = dict(zip(src["source_id"], src["url"].str.match(r"^https?://\S+$")))
    typed_rows, lines = [], []
    for line, r in rows:
        p, typed = _check_row(f"{path}: line {line}", r, ids_with_url)
        problems += p
        typed_rows.append(typed)
        lines.append(line)
    problems += _check_table(path, typed_rows, lines)
    if problems:
        raise PublishedDataError(problems)
    table = pd.DataFrame(typed_rows, columns=COLUMNS)
    table["fiscal_year"] = table["fiscal_year"].astype("Int64")
    table["fy_start"] = table["fy_start"].astype("int64")
    table["fy_end"] = table["fy_end"].astype("int64")
    table["value"] = table["value"].astype("float64")
    return table


def _check_table(path: Path, rows: list[dict], lines: list[int]) -> list[str]:
    """Checks across rows: unique ids, duplicates, one unit per measure, conflict references."""
    p: list[str] = []
    first_line: dict[str, int] = {}
    for r, line in zip(rows, lines):
        rid = r["row_id"]
        if rid and rid in first_line:
            p.append(f"{path}: line {line} (row_id {rid}): row_id already used on line {first_line[rid]}")
        elif rid:
            first_line[rid] = line
    key_cols = ("measure", "fy_start", "fy_end", "as_of", "value", "vintage", "source_id")
    seen: dict[tuple, tuple[int, str]] = {}
    for r, line in zip(rows, lines):
        key = tuple(r[c] for c in key_cols)
        if key in seen:
            l0, id0 = seen[key]
            p.append(f"{path}: line {line} (row_id {r['row_id']}): duplicated row: same measure, years, value, "
                     f"vintage and source as line {l0} (row_id {id0})")
        else:
            seen[key] = (line, r["row_id"])
    units: dict[str, tuple[str, int]] = {}
    for r, line in zip(rows, lines):
        m, u = r["measure"], r["unit"]
        if m in units and units[m][0] != u:
            p.append(f"{path}: line {line} (row_id {r['row_id']}): measure {m!r} has unit {u!r} here but "
                     f"{units[m][0]!r} on line {units[m][1]} (one unit per measure)")
        units.setdefault(m, (u, line))
    for r, line in zip(rows, lines):
        refs = [x.strip() for x in r["conflicts_with"].split(";") if x.strip()]
        for ref in refs:
            if ref == r["row_id"]:
                p.append(f"{path}: line {line} (row_id {ref}): conflicts_with names the row itself")
            elif ref not in first_line:
                p.append(f"{path}: line {line} (row_id {r['row_id']}): conflicts_with names unknown row_id {ref!r}")
    return p


def load_with_sources(path: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(load(path), sources(...))`` with ``sources.csv`` taken from the same folder as ``path``."""
    table = load(path)
    folder = Path(path).parent if path is not None else default_dir()
    return table, sources(folder / "sources.csv")


def as_of_timestamp(as_of: str) -> pd.Timestamp:
    """Date of an ``as_of`` value: ``YYYY-MM-DD`` as given; ``YYYY-MM`` (day not published) -> the 15th."""
    if len(as_of) == 7:
        as_of = as_of + "-15"
    return pd.Timestamp(as_of)


# --------------------------------------------------------------------------- queries

def _table(table: pd.DataFrame | None) -> pd.DataFrame:
    return load() if table is None else table


def _rows_for(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = table[table["measure"] == measure]
    if rows.empty:
        known = sorted(table["measure"].unique())
        near = difflib.get_close_matches(measure, known, n=3)
        raise PublishedDataError(f"no rows for measure {measure!r}"
                                 + (f"; did you mean {', '.join(map(repr, near))}?" if near else ""))
    return rows


def _vintage_order(rows: pd.DataFrame) -> list[str]:
    first = rows.groupby("vintage")["fy_start"].min()
    return sorted(first.index, key=lambda v: (first[v], v))


def vintages(measure: str, table: pd.DataFrame | None = None) -> list[str]:
    """The vintages (releases) that report ``measure``, ordered by the first fiscal year they cover."""
    return _vintage_order(_rows_for(_table(table), measure))


def measures(table: pd.DataFrame | None = None) -> list[str]:
    """All measure names in the table, sorted."""
    return sorted(_table(table)["measure"].unique())


SERIES_COLUMNS = ["row_id", "fiscal_year", "fy_start", "fy_end", "as_of", "value", "unit", "qualifier",
                  "vintage", "source_id", "location"]


def series(measure: str, vintage: str | Sequence[str] | None = None, *, table: pd.DataFrame | None = None,
           fy_min: int | None = None, fy_max: int | None = None, allow_mixed: bool = False) -> pd.DataFrame:
    """The values of one measure, one per fiscal year (or per ``as_of`` date), from one vintage.

    ``vintage``: one vintage name, a list of them, or ``None`` for all. More than one vintage raises
    :class:`PublishedDataError` listing them, unless ``allow_mixed=True`` (then the ``vintage`` column tells
    the rows apart; plot each vintage separately and never join them into one line). ``fy_min``/``fy_max``
    keep rows whose years overlap that range. Multi-year rows are kept (``fiscal_year`` NA,
    ``fy_start``/``fy_end`` give the span).

    Columns: ``SERIES_COLUMNS``; sorted by vintage order, then years and ``as_of``.
    Raises if one vintage reports two values for the same period.
    """
    tab = _table(table)
    rows = _rows_for(tab, measure)
    available = _vintage_order(rows)
    if vintage is None:
        chosen = available
    else:
        chosen = [vintage] if isinstance(vintage, str) else list(vintage)
        unknown = [v for v in chosen if v not in available]
        if unknown:
            raise PublishedDataError(f"measure {measure!r} has no vintage {', '.join(map(repr, unknown))}; "
                                     f"available: {', '.join(map(repr, available))}")
    if len(chosen) > 1 and not allow_mixed:
        raise PublishedDataError(
            f"measure {measure!r} mixes {len(chosen)} vintages: {'; '.join(chosen)}. Choose one with "
            "vintage=..., or pass allow_mixed=True and keep the vintages apart (never splice them into one series).")
    out = rows[rows["vintage"].isin(chosen)]
    if fy_min is not None:
        out = out[out["fy_end"] >= fy_min]
    if fy_max is not None:
        out = out[out["fy_start"] <= fy_max]
    _check_one_value_per_period(out, measure)
    order = {v: i for i, v in enumerate(chosen)}
    out = out.assign(_v=out["vintage"].map(order)).sort_values(["_v", "fy_start", "fy_end", "as_of"])
    return out[SERIES_COLUMNS].reset_index(drop=True)


def _check_one_value_per_period(rows: pd.DataFrame, measure: str) -> None:
    """Within a vintage, FY spans of FY-level rows must not overlap, and ``as_of`` dates must be unique."""
    for v, g in rows.groupby("vintage"):
        dated = g[g["as_of"] != ""]
        dup = dated[dated["as_of"].duplicated(keep=False)]
        if not dup.empty:
            raise PublishedDataError(f"measure {measure!r}, vintage {v!r}: two values for the same as_of date "
                                     f"({', '.join(dup['row_id'])})")
        spans = g[g["as_of"] == ""].sort_values("fy_start")
        prev = None
        for _, r in spans.iterrows():
            if prev is not None and r["fy_start"] <= prev["fy_end"]:
                raise PublishedDataError(
                    f"measure {measure!r}, vintage {v!r}: rows {prev['row_id']} (FY{prev['fy_start']}-FY{prev['fy_end']}) "
                    f"and {r['row_id']} (FY{r['fy_start']}-FY{r['fy_end']}) both cover the same fiscal year")
            prev = r


def stack_series(measures: dict[str, str], table: pd.DataFrame | None = None, fy_min: int | None = None,
                 fy_max: int | None = None) -> pd.DataFrame:
    """Rows of several measures for one figure panel, every vintage kept apart.

    ``measures`` maps measure -> a short suffix for the legend ('' for none); the ``label`` column is
    ``'<vintage>'`` or ``'<vintage> — <suffix>'``, so two measures from one report never share a line.
    """
    tab = _table(table)
    parts = []
    for m, suffix in measures.items():
        s = series(m, table=tab, fy_min=fy_min, fy_max=fy_max, allow_mixed=True)
        s.insert(0, "measure", m)
        s["label"] = s["vintage"] + (f" — {suffix}" if suffix else "")
        parts.append(s)
    return pd.concat(parts, ignore_index=True)


def lookup(measure: str, fiscal_year: int | None = None, vintage: str | None = None, *, as_of: str | None = None,
           table: pd.DataFrame | None = None) -> pd.Series:
    """The one row of ``measure`` for ``fiscal_year`` (and ``vintage``/``as_of`` if given); raises unless exactly one."""
    rows = _rows_for(_table(table), measure)
    if fiscal_year is not None:
        rows = rows[rows["fiscal_year"] == fiscal_year]
    if vintage is not None:
        rows = rows[rows["vintage"] == vintage]
    if as_of is not None:
        rows = rows[rows["as_of"] == as_of]
    if len(rows) != 1:
        what = f"measure {measure!r}, FY{fiscal_year}, vintage {vintage!r}" + (f", as_of {as_of}" if as_of else "")
        raise PublishedDataError(f"{what}: {len(rows)} matching rows ({', '.join(rows['row_id']) or 'none'}); need exactly 1")
    return rows.iloc[0]


def fmt_value(row: pd.Series) -> str:
    """A row's value as text: ``'276,970'``, ``'46%'``, ``'52.2'``; 'about'/'over' from the qualifier."""
    v = float(row["value"])
    text = (f"{v:g}%" if row["unit"] == "percent" else _fmt(v))
    prefix = {"approximate": "about ", "lower_bound": "over "}.get(row["qualifier"], "")
    return prefix + text


def citation_table(row_ids: Sequence[str], table: pd.DataFrame | None = None,
                   sources_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows ``row_ids`` with value, unit, vintage, source title, location and URL, for a 'numbers cited' table."""
    tab = _table(table).set_index("row_id")
    src = (sources() if sources_table is None else sources_table).set_index("source_id")
    ids = list(dict.fromkeys(row_ids))
    unknown = [i for i in ids if i not in tab.index]
    if unknown:
        raise PublishedDataError(f"unknown row_id(s): {', '.join(unknown)}")
    rows = tab.loc[ids]
    return pd.DataFrame({
        "row_id": ids, "measure": rows["measure"].to_numpy(),
        "years": [f"FY{a}" if a == b else f"FY{a}-FY{b}" for a, b in zip(rows["fy_start"], rows["fy_end"])],
        "value": [fmt_value(r) for _, r in rows.iterrows()], "unit": rows["unit"].to_numpy(),
        "vintage": rows["vintage"].to_numpy(), "source": src.loc[rows["source_id"], "title"].to_numpy(),
        "location": rows["location"].to_numpy(), "url": src.loc[rows["source_id"], "url"].to_numpy(),
    })


class Citations:
    """Quote published numbers in text with their ``row_id``, and list every quoted row at the end.

    ``cites.value("total_completions", 2019, "EOIR 2021-04-19")`` -> ``'276,970 [r238]'``;
    ``cites.change(...)`` describes a change between two years of one release; ``cites.table()`` is the
    :func:`citation_table` of everything quoted so far (source title, location, URL per row).
    """

    def __init__(self, table: pd.DataFrame | None = None, sources_table: pd.DataFrame | None = None):
        self.table_ = _table(table)
        self.sources_ = sources() if sources_table is None else sources_table
        self.row_ids: list[str] = []

    def value(self, measure: str, fiscal_year: int | None = None, vintage: str | None = None,
              as_of: str | None = None) -> str:
        row = lookup(measure, fiscal_year, vintage, as_of=as_of, table=self.table_)
        self.row_ids.append(row["row_id"])
        return f"{fmt_value(row)} [{row['row_id']}]"

    def change(self, measure: str, fy_from: int, fy_to: int, vintage: str) -> str:
        ids = [lookup(measure, fy, vintage, table=self.table_)["row_id"] for fy in (fy_from, fy_to)]
        self.row_ids.extend(ids)
        text = describe_change(series(measure, vintage, table=self.table_), fy_from, fy_to)
        return f"{text} [{', '.join(ids)}]"

    def table(self) -> pd.DataFrame:
        return citation_table(self.row_ids, self.table_, self.sources_)


def coverage(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per measure and vintage: unit, number of rows, first and last fiscal year, source ids."""
    tab = _table(table)
    g = tab.groupby(["measure", "vintage"], sort=False)
    out = g.agg(unit=("unit", "first"), rows=("row_id", "size"), fy_first=("fy_start", "min"),
                fy_last=("fy_end", "max"), sources=("source_id", lambda s: ", ".join(sorted(set(s)))))
    return out.reset_index().sort_values(["measure", "fy_first", "vintage"]).reset_index(drop=True)


def compare_vintages(measure: str, vintages: Sequence[str], table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Side-by-side values of ``measure`` in two vintages, for the fiscal years both report.

    Columns: ``fiscal_year``, one per vintage, ``difference`` (second minus first, in the measure's unit)
    and ``pct_difference`` (difference as a percent of the first vintage's value).
    """
    if len(vintages) != 2:
        raise ValueError("compare_vintages needs exactly two vintages")
    a, b = vintages
    s = series(measure, [a, b], table=table, allow_mixed=True)
    s = s[s["fiscal_year"].notna() & (s["as_of"] == "")]
    wide = s.pivot(index="fiscal_year", columns="vintage", values="value").dropna()
    if wide.empty:
        raise PublishedDataError(f"measure {measure!r}: vintages {a!r} and {b!r} share no fiscal year")
    out = pd.DataFrame({"fiscal_year": wide.index.astype("int64"), a: wide[a].to_numpy(), b: wide[b].to_numpy()})
    out["difference"] = out[b] - out[a]
    out["pct_difference"] = 100.0 * out["difference"] / out[a]
    return out.reset_index(drop=True)


def value(measure: str, fiscal_year: int, vintage: str, table: pd.DataFrame | None = None) -> float:
    """The single value of ``measure`` for ``fiscal_year`` in ``vintage`` (raises if absent)."""
    s = series(measure, vintage, table=table)
    hit = s[s["fiscal_year"] == fiscal_year]
    if len(hit) != 1:
        raise PublishedDataError(f"measure {measure!r}, vintage {vintage!r}: no value for FY{fiscal_year}")
    return float(hit["value"].iloc[0])


def describe_change(frame: pd.DataFrame, fy_from: int, fy_to: int) -> str:
    """Plain-language change between two fiscal years of one series (from ``series``), e.g.
    ``'195,123 in FY2018 to 276,970 in FY2019 (+41.9%)'``. Percent change is relative to ``fy_from``."""
    if frame["vintage"].nunique() != 1:
        raise PublishedDataError("describe_change needs a single-vintage series")
    vals = frame.dropna(subset=["fiscal_year"]).set_index("fiscal_year")["value"]
    missing = [fy for fy in (fy_from, fy_to) if fy not in vals.index]
    if missing:
        raise PublishedDataError(f"series has no value for FY{', FY'.join(map(str, missing))}")
    v0, v1 = float(vals[fy_from]), float(vals[fy_to])
    pct = 100.0 * (v1 - v0) / v0
    return f"{_fmt(v0)} in FY{fy_from} to {_fmt(v1)} in FY{fy_to} ({pct:+.1f}%)"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def _year_ranges(years: Sequence[int]) -> str:
    """``[2008, 2009, 2010, 2012]`` -> ``'FY2008-FY2010, FY2012'``."""
    ys = sorted(set(int(y) for y in years))
    parts, start = [], None
    for i, y in enumerate(ys):
        if start is None:
            start = y
        if i + 1 == len(ys) or ys[i + 1] != y + 1:
            parts.append(f"FY{start}" if start == y else f"FY{start}-FY{y}")
            start = None
    return ", ".join(parts)


def cite(rows: pd.DataFrame, sources_table: pd.DataFrame | None = None, urls: bool = True,
         short: bool = False) -> str:
    """Citation text for the rows shown in a figure or table.

    One entry per source (in order of first appearance): title, publisher, date, the places in the source
    (the part of ``location`` before ' -- ', i.e. the table or figure) and the fiscal years used, then the
    URL and, when different, the copy that was read. ``short=True`` gives only title and years (for the
    note printed under a figure; the caption carries the full form). ``rows`` needs ``source_id``,
    ``location``, ``fy_start`` and ``fy_end`` (``series()`` output or ``load()`` rows).
    """
    src = sources() if sources_table is None else sources_table
    src = src.set_index("source_id")
    entries = []
    for sid in dict.fromkeys(rows["source_id"]):
        g = rows[rows["source_id"] == sid]
        s = src.loc[sid]
        where = "; ".join(dict.fromkeys(loc.split(" -- ")[0] for loc in g["location"]))
        years = _year_ranges([y for a, b in zip(g["fy_start"], g["fy_end"]) for y in range(int(a), int(b) + 1)])
        date = f", {s['date']}" if s["date"] else ""
        if short:
            entries.append(f"{s['title']}, {years}")
            continue
        text = f"{s['title']} ({s['publisher']}{date}): {where}; {years}"
        if urls:
            text += f". {s['url']}"
            if s["accessed_copy"] != s["url"]:
                text += f" (copy read: {s['accessed_copy']})"
        entries.append(text)
    return "Sources: " + " | ".join(entries)


# --------------------------------------------------------------------------- segmented (interrupted) time series

ITS_TERMS_HELP = {
    "intercept": "level of the pre-policy trend line in the last pre-policy fiscal year",
    "trend": "pre-policy change per fiscal year",
    "level": "jump in the first fiscal year of the segment, relative to the extrapolated earlier line",
    "slope": "change in the per-year slope from that fiscal year on",
}


def its_design(fiscal_years: Sequence[int], breaks: Sequence[int], slope_change: bool = True) -> pd.DataFrame:
    """Design matrix of the annual segmented regression (docs: DESIGNS.md D1, annual form).

    With FY t, breaks b1 < b2 < ... and c = b1 - 1 (the last pre-policy year)::

        y_t = b0 + b1*(t - c) + sum_k [ L_k * 1(t >= b_k) + S_k * (t - b_k) * 1(t >= b_k) ] + e_t

    Columns: ``intercept``, ``trend``, ``level_FY<b>`` and (if ``slope_change``) ``slope_FY<b>``.
    """
    if not breaks:
        raise ValueError("its_design needs at least one break year")
    bs = sorted(int(b) for b in breaks)
    t = np.asarray(fiscal_years, dtype=float)
    cols = {"intercept": np.ones_like(t), "trend": t - (bs[0] - 1)}
    for b in bs:
        on = (t >= b).astype(float)
        cols[f"level_FY{b}"] = on
        if slope_change:
            cols[f"slope_FY{b}"] = (t - b) * on
    return pd.DataFrame(cols, index=pd.Index(np.asarray(fiscal_years, dtype="int64"), name="fiscal_year"))


def its_annual(frame: pd.DataFrame, breaks: Sequence[int], *, slope_change: bool = True, maxlags: int = 1,
               outcome: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Segmented (interrupted) time-series OLS on an annual series, with Newey-West (HAC) standard errors.

    ``frame`` is a single-vintage ``series()`` result (single-year rows only). Model: see
    :func:`its_design`; coefficients are in the series' unit (e.g. cases per fiscal year).
    The fit is :func:`helpers.models.its_hac` (statsmodels OLS ``cov_type="HAC"`` with ``maxlags``, Bartlett
    kernel, small-sample correction n/(n-k); t distribution with n-k degrees of freedom) with the trend
    measured from the last pre-policy year, so ``intercept`` is the level of the pre-policy line there.
    With about a dozen annual points these are rough: the HAC estimator is justified only for long series.
    Consecutive fiscal years are required (HAC weights lags by position).

    Requires at least 2 pre-break years, 1 year per segment (2 when ``slope_change``) and 2 residual
    degrees of freedom. Returns the tidy columns of ``helpers.models`` (term, estimate, std_error, ci_low,
    ci_high, p_value, n_obs, n_clusters, model, outcome) plus scale, vintage, fy_first, fy_last, maxlags,
    df_resid, ``std_error_ols`` (classical OLS standard error, for comparison), ``exact_fit_years``
    (years with leverage 1, e.g. a two-year segment with its own level and slope: HAC standard errors of
    the terms they identify are not credible) and ``meaning``.
    """
    from scipy import stats

    from helpers.models import ModelInputError, its_hac

    if frame.empty:
        raise PublishedDataError("its_annual: empty series")
    if frame["vintage"].nunique() != 1:
        raise PublishedDataError(f"its_annual: the series mixes vintages ({'; '.join(frame['vintage'].unique())}); "
                                 "fit one vintage at a time")
    if frame["fiscal_year"].isna().any() or (frame["as_of"] != "").any():
        raise PublishedDataError("its_annual: only single-fiscal-year rows can enter the regression")
    if frame["fiscal_year"].duplicated().any():
        raise PublishedDataError("its_annual: two values for the same fiscal year")
    d = frame.assign(fiscal_year=frame["fiscal_year"].astype("int64")).sort_values("fiscal_year")
    fys = d["fiscal_year"].to_numpy()
    bs = sorted(int(b) for b in breaks)
    where = f"its_annual ({d['vintage'].iloc[0]}, FY{fys.min()}-FY{fys.max()})"
    problems = []
    if (fys < bs[0]).sum() < 2:
        problems.append(f"fewer than 2 fiscal years before FY{bs[0]}")
    edges = bs + [int(fys.max()) + 1]
    need = 2 if slope_change else 1
    for b, nxt in zip(bs, edges[1:]):
        n_seg = int(((fys >= b) & (fys < nxt)).sum())
        if n_seg < need:
            problems.append(f"segment FY{b}-FY{nxt - 1} has {n_seg} year(s); "
                            + ("a slope change needs 2 (use slope_change=False)" if slope_change else "needs 1"))
    df_resid = len(fys) - (2 + len(bs) * (2 if slope_change else 1))
    if df_resid < 2:
        problems.append(f"{len(fys)} years for {len(fys) - df_resid} parameters leaves {df_resid} residual degree(s) "
                        "of freedom; need 2")
    if problems:
        raise PublishedDataError(f"{where}: " + "; ".join(problems))
    try:
        est = its_hac(d, "value", "fiscal_year", {f"FY{b}": b for b in bs}, maxlags=int(maxlags),
                      slope_change=slope_change, origin=bs[0] - 1)
    except ModelInputError as err:
        raise PublishedDataError(f"{where}: {err}") from err
    terms = [t.replace("Intercept", "intercept").replace(":", "_") for t in est["term"]]
    crit = stats.t.ppf(1 - alpha / 2, df_resid)
    unit = str(d["unit"].iloc[0])
    return pd.DataFrame({
        "term": terms, "estimate": est["estimate"], "std_error": est["std_error"],
        "ci_low": est["estimate"] - crit * est["std_error"], "ci_high": est["estimate"] + crit * est["std_error"],
        "p_value": est["p_value"], "n_obs": est["n_obs"], "n_clusters": np.nan, "model": "its_ols_hac_annual",
        "outcome": outcome or unit, "scale": unit, "vintage": d["vintage"].iloc[0], "fy_first": int(fys.min()),
        "fy_last": int(fys.max()), "maxlags": int(maxlags), "df_resid": int(df_resid),
        "std_error_ols": est["std_error_ols"],
        "exact_fit_years": ", ".join(f"FY{fy}" for fy in est.attrs["exact_fit_periods"]),
        "meaning": [ITS_TERMS_HELP[t.split("_FY")[0]] + (f" (FY{t.split('_FY')[1]})" if "_FY" in t else "")
                    for t in terms],
    })


def describe_shift(est: pd.DataFrame, term: str, unit: str = "cases a year") -> str:
    """One :func:`its_annual` coefficient in words: size, direction relative to the trend line, 95% CI,
    HAC and classical standard errors, number of years, and whether the interval includes zero."""
    hit = est[est["term"] == term]
    if len(hit) != 1:
        raise ValueError(f"describe_shift: {len(hit)} rows for term {term!r}; pass the estimates of one fit")
    r = hit.iloc[0]
    side = "above" if r["estimate"] >= 0 else "below"
    zero = "; the interval includes zero" if r["ci_low"] <= 0 <= r["ci_high"] else ""
    return (f"{abs(r['estimate']):,.0f} {unit} {side} the line (95% CI {r['ci_low']:+,.0f} to {r['ci_high']:+,.0f}; "
            f"HAC SE {r['std_error']:,.0f}, classical SE {r['std_error_ols']:,.0f}; {int(r['n_obs'])} years{zero})")


def its_predict(est: pd.DataFrame, fiscal_years: Sequence[int], breaks: Sequence[int],
                pre_trend_only: bool = False) -> pd.Series:
    """Fitted values of an :func:`its_annual` result at ``fiscal_years``.

    ``pre_trend_only=True`` gives the pre-policy line extended past the break (intercept + trend only):
    a descriptive extrapolation, not a counterfactual.
    """
    slope_change = any(t.startswith("slope_") for t in est["term"])
    X = its_design(fiscal_years, breaks, slope_change)
    beta = est.set_index("term")["estimate"]
    missing = [c for c in X.columns if c not in beta.index]
    if missing:
        raise ValueError(f"its_predict: estimates lack term(s) {', '.join(missing)} (breaks differ from the fit?)")
    if pre_trend_only:
        X = X[["intercept", "trend"]]
    return pd.Series(X.to_numpy() @ beta[X.columns].to_numpy(), index=X.index, name="fitted")
