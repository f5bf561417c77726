"""Continuances under quota pressure (notebook 05): hearing-level adjournments (D7), the within-year gap and
fiscal-year-end timing (D3), and recorded motions for continuance.

Every design function takes a prepared frame, of rows (:func:`hearing_frame`, :func:`motion_frame`) or of cells
with a count ``n_cases`` and outcome shares (:func:`hearing_cells`, what notebook 05 uses: the same estimates from
about a tenth of the rows), and returns a tidy estimates frame
(:mod:`helpers.models` columns, plus ``design``) whose ``outcome`` and ``term`` names follow the
generator's truth (``truth/effects_truth.csv``): outcomes ``hearing_adjourned_respondent`` and
``continuance_motion_granted``, terms ``bite:quota``, ``gap_share_lag:quota``, ...

Definitions (``data/CODEBOOK.md``; ``docs/DATAFLOW.md`` §3):

* **Hearing rows**: the ``hearings`` dataset (held or adjourned; cancelled settings excluded), dated by
  ``adj_date``, of judges with a defined pre-policy ``bite``.
* ``hearing_adjourned_respondent`` = 1 if the hearing was continued (``continued``) for a reason attributed to
  the respondent (``party == "respondent"``) other than a no-show (``NO_SHOW_CODES``): a respondent's request
  that was granted. Denominator: all hearing rows. ``..._any`` keeps no-shows (every respondent-attributed
  continuance, the codebook's ``continuances_respondent``): when a judge completes more cases fewer hearings are
  left unreached and reset as no-shows, so that measure falls with the first stage even if no request is
  refused (on two realizations of the sample release it overstated the planted effect by 20% and 85%).
* ``adjourned_<party>`` = continued for a reason attributed to ``party`` (dhs, ij_court, operational).
* **Motion rows**: respondent-filed motions for continuance (``continuance_motions``, ``filing_party ==
  "respondent"``) that were decided (granted or denied), dated by ``decision_date``;
  ``continuance_motion_granted`` = granted ÷ decided.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers import QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED
from helpers.analyses import common
from helpers.models.logit_cells import feglm_logit_cells
from helpers.analyses.common import empty_estimates, label_design, period_terms, periods_in, stack_kept, try_design
from helpers.models import (
    MIN_CLUSTERS, Attached, ModelInputError, collapse_for_lpm, event_study, formula_variables,
    N_CASES, jackknife_draws, lpm_cells,
    outcome_scale, pretrend_test, stack_estimates,
)

#: The headline outcome names (as in the generator's effects_truth.csv).
OUTCOME = "hearing_adjourned_respondent"
MOTION_OUTCOME = "continuance_motion_granted"

#: Adjournment codes attributed to the respondent that are not requests: 11 "Other no-show by respondent/
#: respondent's attorney or rep." (helpers/codes/adjournment_codes.csv).
NO_SHOW_CODES = ("11",)

#: Parties whose adjournments are modelled separately as a check (codebook ``party`` values).
CHECK_PARTIES = ("dhs", "ij_court", "operational")

#: Dated legal changes that hit continuances (shared literature, DESIGNS.md D7 and the cross-cutting checklist).
OPPM_17_01 = "2017-07-31"   # OPPM 17-01, guidance on continuances
LABR = "2018-08-16"         # Matter of L-A-B-R-, the continuance standard for collateral relief
PM_21_13 = "2021-01-08"     # PM 21-13, rescinding earlier continuance guidance

#: Start and end (exclusive) of the COVID-19 stoppage window used by the robustness checks.
COVID_WINDOW = ("2020-03-16", "2021-07-01")

#: Columns of ``hearings`` that :func:`hearing_frame` needs (load only these: the dataset is large).
#: ``month`` and ``week`` are left out: :func:`hearing_frame` derives them from ``adj_date`` for the rows it keeps
#: (as the dataset defines them), which spares two columns of date objects over every hearing.
HEARING_COLUMNS = ["adj_date", "ij_code", "court", "fiscal_year", "party", "continued", "adj_rsn"]

#: Default fixed effects of the designs (pyfixest syntax over columns made by :func:`prepare_rows`).
FE_BITE = "judge + court_week"
FE_GAP = "judge_fy + court_month"
#: Fixed effects of the motions logit (court × fiscal year: court × month cells are too thin for a row logit).
FE_MOTION_LOGIT = "judge + court^fiscal_year"


# --------------------------------------------------------------------------------------------- preparation

def prepare_rows(df: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame, date_col: str, *,
                 fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
                 where: str = "prepare_rows", derive: Sequence[str] = (), weights: str | None = None) -> pd.DataFrame:
    """Rows of one dataset ready for the designs: window, judge pressure, policy dummies, fixed-effect ids.

    Keeps rows dated by ``date_col`` within the fiscal-year window (and court), with a judge, a defined
    pre-policy ``bite`` and a lagged gap for the judge-month; adds the columns of
    :func:`helpers.analyses.common.attach_pressure` and :func:`~helpers.analyses.common.add_design_columns`
    and ``judge`` (= ``ij_code``). Rows dropped at each step are counted in ``attrs["exclusions"]``
    (see :func:`exclusion_table`): nothing is dropped silently.

    Memory (the hearings have millions of rows): the steps are masks over ``df``, the pressure is looked up on
    integer codes (:func:`helpers.analyses.common.pressure_columns`), and the kept rows are copied once. The
    fixed-effect ids ``court_month``, ``court_quarter``, ``court_week``, ``judge_fy`` and ``judge`` are
    categoricals (sorted categories, the labels of ``add_design_columns``; group them with ``observed=True``).
    ``derive``: columns computed from ``date_col`` for the kept rows when ``df`` lacks them, ``"month"`` (first
    day of the month) and ``"week"`` (the Monday of the week: DuckDB's ``date_trunc('week', ...)``, as the
    ``hearings`` dataset), so callers need not load them. ``weights``: a column of case counts (rows of cells,
    e.g. :func:`hearing_cells`): the exclusion counts are then sums of it, i.e. cases, not rows.
    """
    unknown = [c for c in derive if c not in ("month", "week")]
    if unknown:
        raise ModelInputError(f"{where}: cannot derive column(s) {unknown} (only 'month' and 'week')")
    derive = [c for c in derive if c not in df.columns]
    need = ["ij_code", "court", "fiscal_year", *(["month"] if "month" not in derive else []), date_col]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ModelInputError(f"{where}: column(s) {missing} not found (columns: {list(df.columns)[:25]})")
    w_all = None if weights is None else df[weights].to_numpy(dtype="int64")

    def n(mask: np.ndarray, w: np.ndarray | None = w_all) -> int:
        return int(mask.sum()) if w is None else int(w[mask].sum())

    counts = {"rows_in": n(np.ones(len(df), dtype=bool))}
    has_date = df[date_col].notna().to_numpy()
    in_window = has_date & common.window_mask(df, fy_min, fy_max, court)
    has_judge = in_window & df["ij_code"].notna().to_numpy()
    counts["no_date"] = n(~has_date)
    counts["outside_window_or_court"] = n(has_date) - n(in_window)
    counts["no_judge"] = n(in_window) - n(has_judge)
    rows = np.flatnonzero(has_judge)
    w_rows = None if w_all is None else w_all[rows]
    made = {}
    dates = pd.Series(pd.to_datetime(df[date_col].iloc[rows]).to_numpy()) if derive else None
    if "month" in derive:
        made["month"] = pd.Series(dates.dt.to_period("M").dt.start_time.to_numpy())
    if "week" in derive:
        made["week"] = pd.Series((dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize().to_numpy())
    month = made["month"] if "month" in made else df["month"].iloc[rows]
    pressure = common.pressure_columns(df["ij_code"].iloc[rows], month, judges, judge_month)
    no_bite = pressure["bite"].isna().to_numpy()
    counts["judge_without_bite"] = n(no_bite, w_rows)
    no_gap = ~no_bite & pressure["gap_share_lag"].isna().to_numpy()
    counts["no_judge_month_gap"] = n(no_gap, w_rows)
    keep = ~(no_bite | no_gap)
    d = df.iloc[rows[keep]].reset_index(drop=True)
    for c, v in made.items():
        d[c] = v.to_numpy()[keep]
    for c, v in pressure.items():
        d[c] = v.array[keep] if isinstance(v.dtype, pd.api.extensions.ExtensionDtype) else v.to_numpy()[keep]
    del made, pressure, dates, month
    d = common.add_design_columns(d, date_col, ids="category")
    codes, uniq = pd.factorize(d["ij_code"])
    d["judge"] = common.sorted_categorical(codes, np.asarray(pd.Series(uniq).astype(str), dtype=object))
    counts["rows_used"] = int(len(d)) if weights is None else int(d[weights].sum())
    d.attrs = {"exclusions": counts}
    return d


def exclusion_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The row accounting of :func:`prepare_rows` as a table (step, rows)."""
    counts = frame.attrs.get("exclusions")
    if not counts:
        raise ModelInputError("exclusion_table: the frame has no attrs['exclusions'] (made by prepare_rows?)")
    return pd.DataFrame({"step": list(counts), "rows": [int(v) for v in counts.values()]})


def season_columns(dates: pd.Series, weeks: int = 4) -> pd.DataFrame:
    """0/1 ``fy_end`` (the last ``weeks`` weeks of September, the end of the fiscal year) and ``quarter_end``
    (the last ``weeks`` weeks of December, March and June) for each date."""
    d = pd.to_datetime(pd.Series(dates))
    month_end = d + pd.offsets.MonthEnd(0)
    late = (month_end - d).dt.days < 7 * weeks
    fy_end = (late & (d.dt.month == 9)).astype("float64")
    q_end = (late & d.dt.month.isin([12, 3, 6])).astype("float64")
    return pd.DataFrame({"fy_end": fy_end.to_numpy(), "quarter_end": q_end.to_numpy()}, index=d.index)


def law_change_columns(dates: pd.Series) -> pd.DataFrame:
    """0/1 windows of the legal changes that coincide with the policy periods.

    ``oppm_window``: OPPM 17-01 (31 Jul 2017) to the quota announcement (29 Mar 2018), inside ``pre``;
    ``labr_window``: *L-A-B-R-* (16 Aug 2018) to the quota start (30 Sep 2018), inside ``announce``;
    ``pm_21_13``: PM 21-13 (8 Jan 2021) to the suspension, inside ``quota``.
    """
    d = pd.to_datetime(pd.Series(dates))

    def between(lo: str, hi: str) -> np.ndarray:
        return ((d >= pd.Timestamp(lo)) & (d < pd.Timestamp(hi))).astype("float64").to_numpy()

    return pd.DataFrame({"oppm_window": between(OPPM_17_01, QUOTA_ANNOUNCED),
                         "labr_window": between(LABR, QUOTA_START),
                         "pm_21_13": between(PM_21_13, QUOTA_SUSPENDED)}, index=d.index)


def covid_rows(dates: pd.Series, window: tuple[str, str] = COVID_WINDOW) -> pd.Series:
    """True for dates in the COVID-19 stoppage window (``COVID_WINDOW``: 16 Mar 2020 to 30 Jun 2021)."""
    d = pd.to_datetime(pd.Series(dates))
    return (d >= pd.Timestamp(window[0])) & (d < pd.Timestamp(window[1]))


def hearing_frame(hearings: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame, *,
                  fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
                  season_weeks: int = 4) -> pd.DataFrame:
    """Hearing rows with the adjournment outcomes (0/1 floats), season and law-change columns.

    Outcomes (denominator: every hearing row kept): ``hearing_adjourned_respondent`` (continued for a
    respondent reason other than a no-show, ``NO_SHOW_CODES``: a granted request), ``hearing_adjourned_respondent_any``
    (every respondent-attributed continuance, no-shows included), ``adjourned_<party>`` for ``CHECK_PARTIES``. Hearings whose code the project table does not know
    (``party == "unattributed"``, ``continued`` null) count as not continued by any of these parties and are
    counted in ``attrs["exclusions"]["unattributed_codes_kept_as_0"]``.
    """
    need = ["party", "continued", "adj_rsn", "adj_date"]
    missing = [c for c in need if c not in hearings.columns]
    if missing:
        raise ModelInputError(f"hearing_frame: hearings lack column(s) {missing}")
    d = prepare_rows(hearings, judges, judge_month, "adj_date", fy_min=fy_min, fy_max=fy_max, court=court,
                     where="hearing_frame", derive=("month", "week"))
    counts = dict(d.attrs["exclusions"])
    cont = d["continued"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    party = d["party"]

    def is_party(p: str) -> np.ndarray:
        return party.eq(p).fillna(False).to_numpy(dtype=bool)

    counts["unattributed_codes_kept_as_0"] = int(is_party("unattributed").sum())
    resp = cont & is_party("respondent")
    no_show = d["adj_rsn"].astype(str).isin(NO_SHOW_CODES).to_numpy()
    d[OUTCOME] = (resp & ~no_show).astype("float64")
    d[f"{OUTCOME}_any"] = resp.astype("float64")
    for p in CHECK_PARTIES:
        d[f"adjourned_{p}"] = (cont & is_party(p)).astype("float64")
    _add_day_columns(d, season_weeks)
    d.attrs = {"exclusions": counts}
    return d


def _add_day_columns(d: pd.DataFrame, season_weeks: int) -> None:
    """Season, law-change and ``covid`` columns of ``adj_date``, computed once per distinct day (in place)."""
    codes, days = pd.factorize(d["adj_date"])
    days = pd.Series(days)
    extra = pd.concat([season_columns(days, season_weeks), law_change_columns(days)], axis=1)
    for c in extra.columns:
        d[c] = extra[c].to_numpy()[codes]
    d["covid"] = covid_rows(days).to_numpy()[codes]


#: The outcomes of :func:`hearing_frame`, as counts of hearings in SQL (for :func:`hearing_cells`); the column
#: names and definitions are those of :func:`hearing_frame`, and ``tests/analyses/test_continuances.py`` checks that
#: both give the same estimates.
def _hearing_sums_sql() -> dict[str, str]:
    cont_ = "coalesce(continued, false)"
    resp = f"{cont_} AND coalesce(party = 'respondent', false)"
    no_show = "coalesce(CAST(adj_rsn AS VARCHAR) IN (" + ", ".join(f"'{c}'" for c in NO_SHOW_CODES) + "), false)"
    sums = {OUTCOME: f"{resp} AND NOT {no_show}", f"{OUTCOME}_any": resp,
            **{f"adjourned_{p}": f"{cont_} AND coalesce(party = '{p}', false)" for p in CHECK_PARTIES},
            "_unattributed": "coalesce(party = 'unattributed', false)"}
    return {k: f"CAST(count(*) FILTER (WHERE {v}) AS BIGINT)" for k, v in sums.items()}


def hearing_cells(source: "pd.DataFrame | str | Path", judges: pd.DataFrame, judge_month: pd.DataFrame, *,
                  fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
                  season_weeks: int = 4) -> pd.DataFrame:
    """:func:`hearing_frame`'s columns on one row per judge × court × day, with ``n_cases`` = hearings in the cell.

    The outcomes are the shares of the cell's hearings (``hearing_adjourned_respondent`` = continued for a
    respondent reason other than a no-show ÷ hearings, and so on, as :func:`hearing_frame`); every regressor,
    fixed effect and cluster of the designs is constant within a judge-court-day, so the LPMs on these cells (weighted
    by ``n_cases``, see :func:`lpm`) give exactly the hearing-level estimates and errors. ``attrs["exclusions"]``
    counts hearings, as :func:`hearing_frame` does. The cells are summed by DuckDB straight from the ``hearings``
    Parquet file of ``source`` (a derived folder or any source :func:`helpers.datasets.load` accepts), or from a
    DataFrame of hearing rows: at full scale 14.8 million hearings of FY2014-FY2024 become 1.4 million cells, and
    the hearing rows are never held in pandas.
    """
    import duckdb

    from helpers import datasets

    need = ["ij_code", "court", "fiscal_year", "adj_date", "party", "continued", "adj_rsn"]
    con = duckdb.connect()
    try:
        if isinstance(source, pd.DataFrame):
            missing = [c for c in need if c not in source.columns]
            if missing:
                raise ModelInputError(f"hearing_cells: hearings lack column(s) {missing}")
            con.register("hearing_rows", source[need])
            rel = "hearing_rows"
        else:
            path = datasets.derived_dir(source) / "hearings.parquet"
            if not path.exists():
                raise FileNotFoundError(f"{path} does not exist: rebuild with 'python -m helpers build'")
            rel = "read_parquet('" + str(path).replace("'", "''") + "')"
            cols = set(con.execute(f"SELECT * FROM {rel} LIMIT 0").df().columns)
            missing = [c for c in need if c not in cols]
            if missing:
                raise ModelInputError(f"hearing_cells: {path} lacks column(s) {missing}")
        conds, params = [], []
        if fy_min is not None:
            conds.append("fiscal_year >= ?"), params.append(int(fy_min))
        if fy_max is not None:
            conds.append("fiscal_year <= ?"), params.append(int(fy_max))
        if court:
            courts = [court] if isinstance(court, str) else list(court)
            conds.append("court IN (" + ", ".join("?" * len(courts)) + ")"), params.extend(courts)
        inside = " AND ".join(conds) or "true"
        total, dated, kept = con.execute(
            f"SELECT count(*), count(adj_date), count(*) FILTER (WHERE adj_date IS NOT NULL AND coalesce({inside}, false)) "
            f"FROM {rel}", params).fetchone()
        sums = ", ".join(f"{v} AS {k}" for k, v in _hearing_sums_sql().items())
        cells = con.execute(
            f"SELECT ij_code, court, fiscal_year, adj_date, CAST(count(*) AS BIGINT) AS {N_CASES}, {sums} FROM {rel} "
            f"WHERE adj_date IS NOT NULL AND coalesce({inside}, false) GROUP BY ALL ORDER BY ALL", params).df()
    finally:
        con.close()
    d = prepare_rows(cells, judges, judge_month, "adj_date", where="hearing_cells", derive=("month", "week"),
                     weights=N_CASES)
    del cells
    counts = {"rows_in": int(total), "no_date": int(total - dated), "outside_window_or_court": int(dated - kept)}
    counts.update({k: v for k, v in d.attrs["exclusions"].items() if k not in counts})
    counts["unattributed_codes_kept_as_0"] = int(d.pop("_unattributed").sum())
    hearings_in_cell = d[N_CASES].to_numpy(dtype="float64")
    for c in [OUTCOME, f"{OUTCOME}_any", *(f"adjourned_{p}" for p in CHECK_PARTIES)]:
        d[c] = d[c].to_numpy(dtype="float64") / hearings_in_cell
    _add_day_columns(d, season_weeks)
    d.attrs = {"exclusions": counts}
    return d


def n_cases(frame: pd.DataFrame) -> int:
    """Cases behind a frame: the sum of ``n_cases`` for cells (:func:`hearing_cells`), else its rows."""
    return int(frame[N_CASES].sum()) if N_CASES in frame.columns else int(len(frame))


def outcome_scale_of(frame: pd.DataFrame, outcome: str) -> str:
    """Scale of ``outcome`` in ``frame``: ``"probability"`` for 0/1 rows and for cells (whose outcomes are shares
    of 0/1 events), else as :func:`helpers.models.outcome_scale`."""
    return "probability" if N_CASES in frame.columns else outcome_scale(frame[outcome])


def motion_frame(motions: pd.DataFrame, judges: pd.DataFrame, judge_month: pd.DataFrame, *,
                 fy_min: int | None = None, fy_max: int | None = None, court: str | list | None = None,
                 party: str = "respondent") -> pd.DataFrame:
    """Decided motions for continuance filed by ``party``, dated by their decision, with
    ``continuance_motion_granted`` (1 granted, 0 denied). Motions of other or unknown filers and undecided
    motions are counted in ``attrs["exclusions"]``."""
    need = ["filing_party", "decided", "granted", "decision_date"]
    missing = [c for c in need if c not in motions.columns]
    if missing:
        raise ModelInputError(f"motion_frame: continuance_motions lack column(s) {missing}")
    by_party = motions["filing_party"] == party
    decided = motions["decided"].astype("boolean").fillna(False)
    keep = by_party & decided
    m = motions[keep.to_numpy()].copy()
    m["fiscal_year"] = m["fiscal_year"].astype("int64")
    d = prepare_rows(m, judges, judge_month, "decision_date", fy_min=fy_min, fy_max=fy_max, court=court,
                     where="motion_frame")
    counts = {"motions_in": int(len(motions)), f"filed_by_other_or_unknown_than_{party}": int((~by_party).sum()),
              "undecided": int((by_party & ~decided).sum())}
    counts.update(d.attrs["exclusions"])
    d[MOTION_OUTCOME] = d["granted"].astype("boolean").astype("float64")
    d.attrs = {"exclusions": counts}
    return d


# --------------------------------------------------------------------------------------------- designs

def _kind(method: str, se: str) -> str:
    return ("LPM" if method == "feols" else "logit") + (", jackknife SE" if se == "jackknife" else "")


#: Standard errors of the LPM designs: ``"crv1"`` (judge-clustered sandwich, pyfixest's default small-sample
#: factor) or ``"jackknife"`` (leave one judge out). The notebooks report the jackknife for their headline LPMs:
#: with 37 judges with a defined bite on the sample release, half of them bite 0 and a handful carrying most of
#: the rest, the jackknife errors came out about twice the CRV1 ones, and the models' own simulation measured
#: CRV1 coverage of 90% at 40 judges (``helpers.models.did_dose``), which recommends CRV3 for final tables.
#: ``"auto"`` chooses the jackknife below :data:`JACKKNIFE_BELOW` judges and CRV1 from there on (the rule of
#: ``asylum.resolve_vcov``). The designs here default to the jackknife at every size: on the full-size synthetic
#: release (407 judges with a defined bite) the jackknife errors were still 1.20-1.31 times the CRV1 ones, and the
#: jackknife costs about 30 s there (``benchmarks/RESULTS.md``).
SE_TYPES = ("crv1", "jackknife", "auto")

#: Below this many judge clusters ``se="auto"`` means the jackknife (asylum.CRV3_BELOW, the same rule).
JACKKNIFE_BELOW = 100


def resolve_se(se: str, frame: pd.DataFrame, cluster: str = "judge") -> str:
    """``"crv1"`` or ``"jackknife"``; ``"auto"`` = the jackknife with fewer than :data:`JACKKNIFE_BELOW` clusters."""
    if se not in SE_TYPES:
        raise ModelInputError(f"se must be one of {SE_TYPES}, not {se!r}")
    if se != "auto":
        return se
    if cluster not in frame.columns:
        raise ModelInputError(f"resolve_se: cluster column {cluster!r} not found")
    return "jackknife" if frame[cluster].nunique() < JACKKNIFE_BELOW else "crv1"


def lpm(frame: pd.DataFrame, outcome: str, terms: Sequence[str], fe: str | None, *, cluster: str = "judge",
        require_terms: Sequence[str] | None = None, min_clusters: int = MIN_CLUSTERS,
        se: str = "crv1") -> pd.DataFrame:
    """Linear probability model ``outcome ~ terms | fe`` fitted on cell means, errors clustered by ``cluster``.

    Every regressor, fixed effect and the cluster are constant within the cells of the columns they use, so
    :func:`helpers.models.lpm_cells` on :func:`~helpers.models.collapse_for_lpm` cells gives exactly the row-level
    OLS estimates and CRV1 errors (singleton groups kept) from far fewer rows (hearings: ~670,000 rows -> ~20,000
    judge × court-weeks). ``se="jackknife"`` replaces the CRV1 covariance by the leave-one-cluster-out one,
    V = (G−1)/G · Σ_g (b_(−g) − b̄)(b_(−g) − b̄)ᵀ over G refits on the same cells
    (:func:`helpers.models.jackknife_draws`), with t(G−1) intervals
    (``model`` = ``"lpm_cells/jackknife"``); a cluster whose removal makes a term inestimable raises.
    ``scale`` is that of the row-level outcome (probability for 0/1).
    """
    se = resolve_se(se, frame, cluster)
    fml = f"{outcome} ~ {' + '.join(terms)}" + (f" | {fe}" if fe else "")
    by = [c for c in formula_variables(fml) if c != outcome] + [cluster]
    cells = collapse_for_lpm(frame, outcome, list(dict.fromkeys(by)))
    need = list(require_terms or terms[:1])
    est = lpm_cells(cells, fml, cluster, require_terms=need, min_clusters=min_clusters)
    if se == "jackknife":
        names = list(est["term"])
        draws = jackknife_draws(cells, fml, cluster, names)
        g = len(draws)
        dev = draws - draws.mean(axis=0)
        vcov = (g - 1) / g * dev.T @ dev
        sd = np.sqrt(np.diag(vcov))
        crit = stats.t.ppf(0.975, g - 1)
        est = est.assign(std_error=sd, ci_low=est["estimate"] - crit * sd, ci_high=est["estimate"] + crit * sd,
                         p_value=2 * stats.t.sf(np.abs(est["estimate"] / sd), g - 1), model="lpm_cells/jackknife")
        est.attrs = {"vcov": Attached(pd.DataFrame(vcov, index=names, columns=names)), "df_denom": float(g - 1)}
    est["scale"] = outcome_scale_of(frame, outcome)
    return est


def fit_terms(frame: pd.DataFrame, outcome: str, terms: Sequence[str], fe: str, *, method: str = "feols",
              cluster: str = "judge", controls: Sequence[str] = (), se: str = "crv1") -> pd.DataFrame:
    """``outcome ~ terms + controls | fe``: :func:`lpm` (cells; ``se`` crv1 or jackknife) for ``method="feols"``,
    the FE logit for ``"feglm_logit"``, fitted on (successes, trials) cells of the rows
    (:func:`helpers.models.logit_cells.feglm_logit_cells`: the case-level logit's estimates and errors), with CRV1
    errors (``se="crv1"``) or the one-step leave-one-judge-out jackknife (``se="jackknife"``); ``se="auto"``: see
    :func:`resolve_se`. Every ``terms`` entry must be estimated."""
    rhs = list(terms) + list(controls)
    se = resolve_se(se, frame, cluster)
    if method == "feols":
        return lpm(frame, outcome, rhs, fe, cluster=cluster, require_terms=terms, se=se)
    if method == "feglm_logit":
        if N_CASES in frame.columns:
            raise ModelInputError("fit_terms: the logit needs case rows, not a frame of cells (it has 'n_cases')")
        fml = f"{outcome} ~ {' + '.join(rhs)}" + (f" | {fe}" if fe else "")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*(always 0 or always 1|singleton)")
            return feglm_logit_cells(frame, fml, {"CRV1" if se == "crv1" else "CRV3": cluster}, require_terms=terms)
    raise ModelInputError(f"unknown method {method!r}; choose 'feols' (LPM) or 'feglm_logit'")


def bite_did(frame: pd.DataFrame, outcome: str = OUTCOME, *, fe: str = FE_BITE, method: str = "feols",
             extra_terms: Sequence[str] = (), controls: Sequence[str] = (), cluster: str = "judge",
             se: str = "crv1", design: str | None = None) -> pd.DataFrame:
    """Dose-response DiD (D2/D7): ``y = α_judge + γ_fe + Σ_p β_p·bite·1[period p] + ε``, p ∈ announce, quota,
    post_suspension (pre, before 30 Mar 2018, is the reference).

    β_quota (term ``bite:quota``) is the change in the outcome during the quota, relative to before the
    announcement, per unit of bite (bite 1 = a judge with no pre-policy completions; bite 0.1 = 70
    completions a year short of 700), compared with judges of lower bite in the same court and week.
    Scale: probability (``method="feols"``, the linear probability model, fitted on cells by :func:`lpm`)
    or log-odds (``"feglm_logit"``, row level; fixed-effect groups whose outcome never varies are dropped).
    Standard errors clustered by judge: CRV1 (t(G−1) intervals for the LPM, normal for the logit) or
    ``se="jackknife"``, leave one judge out with t(G−1) intervals (the LPM refits, see :func:`lpm`; the logit's
    one-step version, :func:`helpers.models.fixest.one_step_jackknife`). ``controls`` (e.g. ``["detained", "represented"]``, 0/1 columns) enter linearly and are reported too.
    """
    se = resolve_se(se, frame, cluster)
    terms = ["bite:quota"] + [t for t in period_terms("bite", periods_in(frame)) if t != "bite:quota"]
    terms += list(extra_terms)
    est = fit_terms(frame, outcome, terms, fe, method=method, cluster=cluster, controls=controls, se=se)
    return label_design(est, design or f"D2 bite x period ({_kind(method, se)}; {fe})")


def gap_design(frame: pd.DataFrame, outcome: str = OUTCOME, *, fe: str = FE_GAP, method: str = "feols",
               controls: Sequence[str] = (), cluster: str = "judge", se: str = "crv1",
               design: str | None = None) -> pd.DataFrame:
    """Within-year pressure (D3a): ``y = α_judge×FY + γ_fe + β·gap + Σ_p β_p·gap·1[period p] + ε``.

    ``gap`` = ``gap_share_lag``, the judge's distance behind the pro-rata 700 path at the end of the previous
    fiscal month, as a share of 700 (0.1 = 70 cases behind). Term ``gap_share_lag`` is the pre-policy slope
    (a "700 path" with no consequence: the placebo); ``gap_share_lag:quota`` the extra slope during the
    quota. Judge × fiscal-year effects absorb each judge's annual level (and bite); identification comes
    from month-to-month movements in the gap within a judge-year. Scale and errors as :func:`bite_did`.
    """
    se = resolve_se(se, frame, cluster)
    terms = ["gap_share_lag:quota", "gap_share_lag"] + [t for t in period_terms("gap_share_lag", periods_in(frame))
                                                         if t != "gap_share_lag:quota"]
    est = fit_terms(frame, outcome, terms, fe, method=method, cluster=cluster, controls=controls, se=se)
    return label_design(est, design or f"D3 lagged gap x period ({_kind(method, se)}; {fe})")


def season_design(frame: pd.DataFrame, outcome: str = OUTCOME, *, dose: str | None = None,
                  fe: str | None = None, cluster: str = "judge", design: str | None = None) -> pd.DataFrame:
    """Fiscal-year-end and quarter-end timing against pre-quota years (D3b, a triple difference).

    Without ``dose``: ``y = α_judge×FY + Σ_s [β_s·s + β_s^Q·s·quota + β_s^S·s·post_suspension] + ε`` with
    s ∈ {``fy_end``, ``quarter_end``} (columns of :func:`season_columns`). β_s is the end-of-period difference
    in pre-quota years (the placebo: a September with no quota); β_s^Q (``fy_end:quota``) how much the
    September difference changed under the quota: (Sept − rest of the judge's year) × (quota − pre years).
    With ``dose="bite"``: every term is multiplied by bite and court × month effects absorb the common
    September effect (a comparison of judges of different bite in the same court and month). LPM on cells,
    probability scale, errors clustered by judge.
    """
    base = [f"{dose}:{s}" if dose else s for s in ("fy_end", "quarter_end")]
    later = ["post_suspension"] if "post_suspension" in periods_in(frame) else []
    terms = [t for b in base for t in (f"{b}:quota", b, *(f"{b}:{p}" for p in later))]
    fe = fe or ("judge_fy + court_month" if dose else "judge_fy")
    est = lpm(frame, outcome, terms, fe, cluster=cluster, require_terms=terms[:1])
    lab = design or (f"D3 FY-end x quota x {dose} ({fe})" if dose else f"D3 FY-end x quota ({fe})")
    return label_design(est, lab)


def rel_quarter_binned(frame: pd.DataFrame, lo: int = -12, hi: int = 12, col: str = "rel_quarter") -> pd.Series:
    """Fiscal quarters relative to FY2019 Q1, with the ends binned (``lo`` = that quarter or earlier)."""
    return frame[col].astype("int64").clip(lo, hi)


def quarter_event_study(frame: pd.DataFrame, outcome: str = OUTCOME, *, dose: str = "bite", ref: int = -3,
                        lo: int = -12, hi: int = 12, fe: str = "judge + court_quarter", cluster: str = "judge",
                        design: str | None = None) -> pd.DataFrame:
    """Event study by fiscal quarter (D4): ``y = α_judge + γ_court×quarter + Σ_{k≠ref} β_k·bite·1[quarter k]``.

    k = fiscal quarters relative to FY2019 Q1 (``rel_quarter``), binned at ``lo`` and ``hi``; ``ref = -3`` is
    FY2018 Q2 (Jan–Mar 2018), the last quarter before the announcement. :func:`helpers.models.event_study` on
    cells (:func:`~helpers.models.collapse_for_lpm` over the dose, the quarter, the fixed effects and the cluster,
    weighted by their rows as frequency weights, singletons kept): the row-level LPM's estimates and CRV1 errors
    from far fewer rows. Probability scale, errors clustered by judge. Output as
    :func:`helpers.models.event_study`: terms ``"<dose>:rel_q[k]"``, an integer ``rel_period``, a reference row
    (estimate 0), the covariance in attrs (so :func:`helpers.models.pretrend_test` applies).
    """
    d = frame.assign(rel_q=rel_quarter_binned(frame, lo, hi))
    periods = sorted(int(k) for k in d["rel_q"].unique())
    if ref not in periods:
        raise ModelInputError(f"quarter_event_study: reference quarter {ref} not among the data's quarters {periods}")
    fe_cols = [c for c in formula_variables(f"y ~ 1 | {fe}") if c not in ("y", "1")]
    cells = collapse_for_lpm(d, outcome, list(dict.fromkeys([dose, "rel_q", *fe_cols, cluster])))
    est = event_study(cells, outcome, dose, "rel_q", ref, fe, cluster, weights="n_cases", weights_type="fweights",
                      fixef_rm="none")
    est = est.assign(scale=outcome_scale_of(frame, outcome), model="event_study/lpm_cells")
    return label_design(est, design or f"D4 event study by fiscal quarter ({fe})")


def event_pretrend(est: pd.DataFrame, ref: int = -3) -> pd.DataFrame:
    """Joint test that the event-study coefficients before the reference quarter (k < ref) are zero."""
    return pretrend_test(est, before=ref)


def motion_designs(frame: pd.DataFrame, *, fe_lpm: str = "judge + court_month",
                   fe_logit: str = FE_MOTION_LOGIT, se: str = "jackknife",
                   logit_se: str | None = None) -> pd.DataFrame:
    """Recorded motions: the bite DiD as an LPM (compare with the planted AME) and as a logit with judge and
    court × fiscal-year effects (compare with the planted log-odds coefficient). Outcome
    ``continuance_motion_granted``; denominator: respondent motions for continuance granted or denied. Errors:
    ``se`` for the LPM (default the jackknife, see :func:`lpm`; ``"auto"``: :func:`resolve_se`), ``logit_se`` for the logit (default: as ``se``; the logit's jackknife is the one-step version)."""
    logit_se = resolve_se(logit_se or se, frame)
    se = resolve_se(se, frame)
    lpm = bite_did(frame, MOTION_OUTCOME, fe=fe_lpm, se=se,
                   design=f"motions: D2 bite x period ({_kind('feols', se)}; {fe_lpm})")
    logit = bite_did(frame, MOTION_OUTCOME, fe=fe_logit, method="feglm_logit", se=logit_se,
                     design=f"motions: D2 bite x period ({_kind('feglm_logit', logit_se)}; {fe_logit})")
    return stack_estimates([lpm, logit])


def party_breakdown(frame: pd.DataFrame, parties: Sequence[str] = CHECK_PARTIES, *, fe: str = FE_BITE) -> pd.DataFrame:
    """The bite DiD for adjournments attributed to each other party (a check: the quota should move
    respondent requests, not DHS or operational resets; court/IJ resets may fall with a faster docket)."""
    fits = {p: try_design(f"adjourned_{p}", bite_did, frame, f"adjourned_{p}", fe=fe,
                          design=f"check: D2 bite x period, {p} adjournments") for p in parties}
    fits = {p: f for p, f in fits.items() if not f.empty}
    if not fits:
        return empty_estimates("party breakdown: no party could be estimated on these data")
    return stack_estimates(fits, key="party")


def headline_designs(hearings: pd.DataFrame, motions: pd.DataFrame, *, fe_bite: str = FE_BITE,
                     fe_gap: str = FE_GAP, se: str = "jackknife") -> pd.DataFrame:
    """The notebook's headline estimates, stacked: hearing-level bite DiD and lagged-gap design for
    ``hearing_adjourned_respondent`` (LPMs with ``se`` errors, default the jackknife; ``"auto"``:
    :func:`resolve_se`), and the bite DiD for
    ``continuance_motion_granted`` (LPM and logit, :func:`motion_designs`). Designs the data cannot support are
    left out; their reasons are in ``attrs["notes"]``."""
    fits = [try_design("hearings: bite DiD", bite_did, hearings, OUTCOME, fe=fe_bite, se=se),
            try_design("hearings: lagged gap", gap_design, hearings, OUTCOME, fe=fe_gap, se=se),
            try_design("motions: bite DiD", motion_designs, motions, se=se)]
    return stack_kept(fits)


def robustness_designs(hearings: pd.DataFrame, judges: pd.DataFrame, *, fe_bite: str = FE_BITE) -> pd.DataFrame:
    """``bite:quota`` of the hearing-level DiD under alternative choices, one row each (column ``check``):

    * ``no-shows counted``: every respondent-attributed continuance, no-shows (``NO_SHOW_CODES``) included;
    * ``law-change windows``: adds bite × the OPPM 17-01, *L-A-B-R-* and PM 21-13 windows;
    * ``court x month effects`` instead of court × week;
    * ``without the COVID window`` (hearings 16 Mar 2020 – 30 Jun 2021 dropped);
    * ``full-tenure judges``: judges on the bench for all 24 months of FY2017–FY2018 (pace not from a partial
      year, e.g. a new judge's docket still filling up);
    Every row uses CRV1 errors (fast; the main row with CRV1 errors sits beside the headline's jackknife one).
    """
    full = set(judges.loc[judges["pre_months"] >= 24, "ij_code"].astype(str))
    checks = {
        "main (CRV1 errors)": (hearings, OUTCOME, fe_bite, ()),
        "no-shows counted as respondent continuances": (hearings, f"{OUTCOME}_any", fe_bite, ()),
        "law-change windows": (hearings, OUTCOME, fe_bite, ("bite:oppm_window", "bite:labr_window", "bite:pm_21_13")),
        "court x month effects": (hearings, OUTCOME, "judge + court_month", ()),
        "without the COVID window": (hearings[~hearings["covid"]], OUTCOME, fe_bite, ()),
        "full-tenure judges": (hearings[hearings["judge"].isin(full)], OUTCOME, fe_bite, ()),
    }
    rows = []
    for name, (frame, y, fe, extra) in checks.items():
        est = try_design(name, bite_did, frame, y, fe=fe, extra_terms=extra, design=f"robustness: {name}")
        if est.empty:
            continue
        rows.append(est[est["term"] == "bite:quota"].assign(check=name))
    if not rows:
        return empty_estimates("robustness: no check could be estimated on these data")
    return stack_estimates(rows)


# --------------------------------------------------------------------------------------------- description

def bite_groups(bite: pd.Series, edges: Sequence[float] = (0.0, 0.1)) -> pd.Series:
    """Bite bands: ``"bite 0"`` (pace ≥ 700), ``"bite 0–0.1"``, ``"bite > 0.1"`` (pace below 630) by default."""
    b = pd.to_numeric(bite, errors="raise")
    labels = np.select([b <= edges[0], b <= edges[1]], [f"bite {edges[0]:g}", f"bite {edges[0]:g}–{edges[1]:g}"],
                       f"bite > {edges[1]:g}")
    return pd.Series(labels, index=bite.index, dtype="str")


def rate_by_quarter(frame: pd.DataFrame, outcomes: Sequence[str], by: str | None = "bite_group",
                    date_col: str = "adj_date") -> pd.DataFrame:
    """Mean of each 0/1 outcome by fiscal quarter of ``date_col`` (and ``by``): the share of rows, with ``n``
    (for cells, :func:`hearing_cells`: the share of their cases, weighted by ``n_cases``, and ``n`` = cases).

    ``quarter`` is the first day of the fiscal quarter. Add ``bite_group`` with :func:`bite_groups`.
    """
    d = frame.assign(quarter=pd.to_datetime(frame[date_col]).dt.to_period("Q-SEP").dt.start_time)
    keys = ["quarter"] + ([by] if by else [])
    if N_CASES in d.columns:     # cells: shares weighted by their cases
        w = d[N_CASES].to_numpy(dtype="float64")
        parts = d[keys].assign(**{c: d[c].to_numpy(dtype="float64") * w for c in outcomes}, n=w)
        out = parts.groupby(keys, observed=True).sum()
        out[list(outcomes)] = out[list(outcomes)].div(out["n"], axis=0)
        out["n"] = out["n"].astype("int64")
        return out.reset_index()
    g = d.groupby(keys, observed=True)
    out = g[list(outcomes)].mean()
    out["n"] = g.size()
    return out.reset_index()


def observed_vs_true(truth_cont: pd.DataFrame, judges: pd.DataFrame, fy_min: int | None = None,
                     fy_max: int | None = None) -> pd.DataFrame:
    """SYNTHETIC DATA ONLY: the generator's true continuance grant rate next to what the data record, by
    fiscal year and bite group.

    From ``truth/continuances.csv`` (judge × FY counts): ``true_grant_rate`` = granted ÷ all respondent
    requests (recorded or not); ``motion_grant_rate`` = recorded motions granted ÷ recorded motions decided
    (what ``continuance_motions`` shows); ``recorded_share`` = recorded motions ÷ requests;
    ``denials_unrecorded_share`` = denials with no motion ÷ all denials (oral denials: no trace in a release);
    ``requests_per_hearing`` and ``adjourned_respondent_per_hearing`` (the observable hearing measure).
    """
    need = ["judge_code", "fiscal_year", "requests", "granted", "denied", "motions_co_respondent_granted",
            "motions_co_respondent_denied", "hearings", "adjourned_respondent", "denied_unrecorded"]
    missing = [c for c in need if c not in truth_cont.columns]
    if missing:
        raise ModelInputError(f"observed_vs_true: truth/continuances.csv lacks column(s) {missing}")
    t = truth_cont.merge(judges[["ij_code", "bite"]].rename(columns={"ij_code": "judge_code"}), on="judge_code",
                         how="left", validate="many_to_one")
    t = t[t["bite"].notna()]
    if fy_min is not None:
        t = t[t["fiscal_year"] >= fy_min]
    if fy_max is not None:
        t = t[t["fiscal_year"] <= fy_max]
    t = t.assign(bite_group=bite_groups(t["bite"]))
    s = t.groupby(["fiscal_year", "bite_group"])[need[2:]].sum()
    motions = s["motions_co_respondent_granted"] + s["motions_co_respondent_denied"]
    out = pd.DataFrame({
        "requests": s["requests"], "true_grant_rate": s["granted"] / s["requests"],
        "motion_grant_rate": s["motions_co_respondent_granted"] / motions.where(motions > 0),
        "recorded_share": motions / s["requests"],
        "denials_unrecorded_share": s["denied_unrecorded"] / s["denied"].where(s["denied"] > 0),
        "requests_per_hearing": s["requests"] / s["hearings"],
        "adjourned_respondent_per_hearing": s["adjourned_respondent"] / s["hearings"],
    }).reset_index()
    return out


__all__ = [
    "OUTCOME", "MOTION_OUTCOME", "NO_SHOW_CODES", "CHECK_PARTIES", "OPPM_17_01", "LABR", "PM_21_13", "COVID_WINDOW",
    "FE_BITE", "FE_GAP", "FE_MOTION_LOGIT", "HEARING_COLUMNS", "JACKKNIFE_BELOW", "resolve_se", "prepare_rows", "exclusion_table", "season_columns",
    "law_change_columns",
    "covid_rows", "hearing_frame", "hearing_cells", "n_cases", "outcome_scale_of", "motion_frame", "SE_TYPES", "lpm", "fit_terms", "bite_did", "gap_design",
    "season_design", "rel_quarter_binned", "quarter_event_study", "event_pretrend", "motion_designs",
    "party_breakdown", "headline_designs", "robustness_designs", "bite_groups", "rate_by_quarter", "observed_vs_true",
]
