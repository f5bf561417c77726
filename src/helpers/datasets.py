"""Derived analysis datasets (``python -m helpers build --processed DIR --out DIR2``).

Builds, from the processed EOIR tables (docs/DATAFLOW.md §2), one Parquet file per dataset:

* ``proceedings``          every proceeding (completed or pending), with decision class and completion type
* ``completions``          the completed proceedings only (one row per completed proceeding)
* ``asylum_decisions``     one row per decided asylum (ASYL) application
* ``hearings``             one row per hearing held or scheduled in the past, with adjournment party
* ``continuance_motions``  motions for continuance (REC_TYPE ``CO``) with filing party and decision
* ``reassignments``        proceedings whose judge changed within the same proceeding (not a transfer/venue change)
* ``judge_month``          the judge × month panel: completions, pace, bite, gap to the 700 path, outcome counts/rates
* ``judges``               one row per judge: merged codes, home court, pre-policy pace, bite, stringency
* ``judge_code_map``       the table merging temporary/duplicate judge codes into one judge

plus ``build_report.json`` (row counts, exclusions, data source). Heavy joins run in DuckDB over the Parquet files
with a memory limit, so the build works at the size of the real release; the judge-level tables are small and
are finished in pandas. Every column is defined in ``data/CODEBOOK.md`` (generated from ``helpers.codebook``).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from helpers import QUOTA_TARGET, codes, pressure
from helpers._util import atomic_path, read_json, write_json

DATASETS = ("proceedings", "completions", "asylum_decisions", "hearings", "continuance_motions",
            "reassignments", "judge_month", "judges", "judge_code_map")

#: What each dataset needs from the processed folder: {dataset: {table: [columns]}} (lookups under "lookups/").
REQUIREMENTS: dict[str, dict[str, list[str]]] = {
    "proceedings": {
        "b_tblproceeding": ["idnproceeding", "idncase", "ij_code", "base_city_code", "hearing_loc_code", "case_type",
                            "custody", "nat", "lang", "osc_date", "input_date", "comp_date", "dec_code", "other_comp",
                            "absentia"],
        "a_tblcase": ["idncase", "e_28_date", "c_asy_type"],
        "lookups/tbllookupcourtdecision": ["strcasetype", "strdeccode", "strdecdescription", "strdectype", "blnactive"],
        "lookups/tbllookupjudge": ["judge_code", "judge_name"],
    },
    "asylum_decisions": {"tbl_court_appln": ["idnproceedingappln", "idnproceeding", "idncase", "appl_code", "appl_dec"]},
    "hearings": {"tbl_schedule": ["idnschedule", "idnproceeding", "idncase", "adj_date", "cal_type", "ij_code",
                                  "base_city_code", "hearing_loc_code", "adj_rsn", "adj_medium", "rec_type",
                                  "eoirattorneyid", "input_date"]},
    "continuance_motions": {"tbl_court_motions": ["idnmotion", "idnproceeding", "idncase", "rec_type", "ij_code",
                                                  "base_city_code", "dec", "comp_date", "motion_recd_date",
                                                  "strfilingparty", "strfilingmethod"]},
    "representation": {"tbl_repsassigned": ["idncase", "strattylevel", "strattytype", "e_28_date"]},
}

#: Motion type for a continuance: tblLookupMotionType 'CO' "Motion for Continuance" (SCHEMA.md §3.5).
CONTINUANCE_MOTION = "CO"
#: APPL_DEC codes outside EOIR's asylum-decision denominator: admin closure, change of venue/transfer, reserved.
EOIR_ASYLUM_NOT_COMPLETED = ("S", "T", "R")

#: decision_class from the code table's outcome_class (see helpers/codes/court_decisions.csv).
DECISION_CLASS = {
    "removal": "removal", "deportation": "removal", "exclusion": "removal",
    "voluntary_departure": "voluntary_departure",
    "relief_granted": "relief_granted", "protection": "relief_granted", "relief": "relief_granted",
    "termination": "termination_dismissal", "dismissal": "termination_dismissal",
    "termination_dismissal": "termination_dismissal", "failure_to_prosecute": "termination_dismissal",
    "admin_closure": "administrative_closure", "administrative_closure": "administrative_closure",
    "change_of_venue": "change_of_venue_transfer", "transfer": "change_of_venue_transfer",
    "change_of_venue_transfer": "change_of_venue_transfer",
}
NON_DISPOSITIVE = ("change_of_venue_transfer",)
ADMINISTRATIVE = ("administrative_closure", "change_of_venue_transfer")


class MissingInputError(ValueError):
    """The processed folder lacks a table or column a dataset needs (the message names both)."""


# --------------------------------------------------------------------------------------------------------------
# connection and inputs


def connect(processed: Path, memory_limit: str = "3GB", threads: int | None = None,
            temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per processed table (``tables/``) and lookup (``lookups/``)."""
    processed = Path(processed)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 2)}")
    if temp_dir:
        Path(temp_dir).mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = '{Path(temp_dir).as_posix()}'")
    con.execute("SET preserve_insertion_order = false")
    for sub in ("tables", "lookups"):
        for f in sorted((processed / sub).glob("*.parquet")):
            con.execute(f'CREATE VIEW "{f.stem}" AS SELECT * FROM read_parquet(\'{f.as_posix()}\')')
    return con


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str] | None:
    try:
        return {r[0] for r in con.execute(f'DESCRIBE "{view}"').fetchall()}
    except duckdb.Error:
        return None


def check_inputs(con: duckdb.DuckDBPyConnection, processed: Path, datasets=DATASETS) -> None:
    """Raise MissingInputError naming every missing table/column and the dataset that needs it."""
    problems = []
    needs = dict(REQUIREMENTS)
    for ds, tables in needs.items():
        if ds not in datasets and ds != "representation":
            continue
        for table, cols in tables.items():
            view = table.split("/")[-1]
            have = _columns(con, view)
            where = Path(processed) / (table if "/" in table else f"tables/{table}")
            if have is None:
                problems.append(f"dataset '{ds}' needs table {view} ({where}.parquet), which is missing")
                continue
            missing = [c for c in cols if c not in have]
            if missing:
                problems.append(f"dataset '{ds}' needs column(s) {', '.join(missing)} of {view} "
                                f"({where}.parquet), which are missing")
    if problems:
        raise MissingInputError("processed folder is incomplete:\n  " + "\n  ".join(problems))


def release_facts(processed: Path, con: duckdb.DuckDBPyConnection) -> dict:
    """data_source, seed, input checksum and data cut (release date) of a processed folder."""
    processed = Path(processed)
    rep = read_json(processed / "ingest_report.json") if (processed / "ingest_report.json").exists() else {}
    truth = read_json(processed / "truth.json") if (processed / "truth.json").exists() else {}
    data_source = rep.get("data_source") or truth.get("data_source") or "unknown"
    cut = truth.get("release_date")
    if not cut:
        m = re.match(r"eoir:(\d{4}-\d{2}-\d{2})", data_source)
        cut = m.group(1) if m else None
    if not cut:  # fall back to the latest record-creation date in the data
        cut = con.execute("SELECT greatest(max(input_date), (SELECT max(input_date) FROM tbl_schedule)) "
                          "FROM b_tblproceeding").fetchone()[0]
    return {
        "data_source": data_source,
        "seed": truth.get("seed"),
        "effects_name": truth.get("effects_name"),
        "input_checksum": (rep.get("source") or {}).get("checksum"),
        "data_cut": str(pd.Timestamp(cut).date()) if cut is not None else None,
    }


# --------------------------------------------------------------------------------------------------------------
# judge codes


def judge_code_map(judges_lookup: pd.DataFrame, synthetic: bool) -> pd.DataFrame:
    """Map temporary/duplicate judge codes to one judge.

    Rules, in order: (1) a lookup row whose name ends in "(Temp)" maps to the code whose name is the same without
    the suffix (e.g. "Brown, Alison M. (Temp)" → the code of "Brown, Alison M."); (2) for real releases, the
    published merge list of Chen, Moskowitz & Shue (``helpers/codes/judge_code_merges.csv``) where both codes occur
    in the lookup. Pseudo-judges (names in angle brackets, e.g. "<All Judges>") are listed with ``to_code`` null.
    Columns: ``from_code, to_code, rule, from_name, to_name``.
    """
    lk = judges_lookup[["judge_code", "judge_name"]].dropna(subset=["judge_code"]).copy()
    lk["judge_code"] = lk["judge_code"].astype(str).str.strip()
    lk["judge_name"] = lk["judge_name"].astype("string").str.strip()
    lk = lk.drop_duplicates("judge_code")
    temp = lk["judge_name"].str.contains(r"\(\s*temp\s*\)\s*$", case=False, regex=True, na=False)
    base_names = lk["judge_name"].str.replace(r"\s*\(\s*temp\s*\)\s*$", "", case=False, regex=True)
    regular = lk[~temp].drop_duplicates("judge_name").set_index("judge_name")["judge_code"]
    rows = []
    for code, name, base in zip(lk.loc[temp, "judge_code"], lk.loc[temp, "judge_name"], base_names[temp]):
        target = regular.get(base)
        if target is not None and target != code:
            rows.append((code, target, "temp_name", name, base))
    if not synthetic:
        published = codes.load("judge_code_merges")
        names = lk.set_index("judge_code")["judge_name"]
        for f, t in zip(published["from_code"], published["to_code"]):
            if f in names.index and t in names.index and f not in {r[0] for r in rows}:
                rows.append((f, t, "published_merge", names[f], names[t]))
    pseudo = lk[lk["judge_name"].str.match(r"^\s*<.*>\s*$", na=False)]
    for code, name in zip(pseudo["judge_code"], pseudo["judge_name"]):
        rows.append((code, None, "pseudo_judge", name, None))
    return pd.DataFrame(rows, columns=["from_code", "to_code", "rule", "from_name", "to_name"])


# --------------------------------------------------------------------------------------------------------------
# SQL stages


def _register_code_tables(con: duckdb.DuckDBPyConnection, jmap: pd.DataFrame) -> dict:
    """Load the project's code tables and the judge map into DuckDB; return the unknown-class report."""
    cd = codes.load("court_decisions").copy()
    cd["decision_class"] = cd["outcome_class"].map(DECISION_CLASS).fillna("other")
    con.register("code_court_decisions", cd[["case_type", "dec_type", "code", "outcome_class", "decision_class"]])
    adj = codes.load("adjournment_codes")
    con.register("code_adjournment", adj)
    ad = codes.load("application_decisions")
    con.register("code_appl_dec", ad)
    fp = codes.load("filing_parties")
    con.register("code_filing_party", fp)
    jm = jmap.copy()
    con.register("judge_map", jm)
    return {"unmapped_outcome_classes": sorted(set(cd.loc[~cd["outcome_class"].isin(DECISION_CLASS), "outcome_class"]))}


def _judge_expr(col: str) -> str:
    """SQL for the merged judge code of ``col`` (pseudo-judges become NULL)."""
    return (f"CASE WHEN {col} IN (SELECT from_code FROM judge_map WHERE to_code IS NULL) THEN NULL "
            f"ELSE coalesce((SELECT to_code FROM judge_map WHERE from_code = {col}), {col}) END")


def _fy_cols(date: str, prefix: str = "") -> str:
    return (f"CAST(year({date}) + CASE WHEN month({date}) >= 10 THEN 1 ELSE 0 END AS INTEGER) AS {prefix}fiscal_year, "
            f"CAST(((month({date}) + 2) % 12) + 1 AS INTEGER) AS {prefix}fiscal_month, "
            f"CAST(date_trunc('month', {date}) AS DATE) AS {prefix}month")


def _build_proceedings(con, data_cut: str, has_reps: bool) -> None:
    reps = ("SELECT idncase, min(e_28_date) AS first_e28 FROM tbl_repsassigned "
            "WHERE upper(strattytype) = 'ALIEN' AND upper(strattylevel) = 'COURT' AND e_28_date IS NOT NULL "
            "GROUP BY idncase") if has_reps else "SELECT NULL::BIGINT AS idncase, NULL::TIMESTAMP AS first_e28 WHERE false"
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE dec_lookup AS
    SELECT strcasetype AS case_type, strdeccode AS code, strdectype AS dec_type, strdecdescription AS label FROM (
      SELECT *, row_number() OVER (PARTITION BY strcasetype, strdeccode, strdectype
                                   ORDER BY blnactive DESC NULLS LAST) AS rn
      FROM tbllookupcourtdecision) WHERE rn = 1;

    CREATE OR REPLACE TEMP VIEW proc AS
    WITH reps AS ({reps}),
    asy AS (SELECT idnproceeding, bool_or(appl_code = 'ASYL') AS has_asylum_app
            FROM tbl_court_appln GROUP BY idnproceeding),
    cases AS (SELECT idncase, max(e_28_date) AS e_28_date, max(c_asy_type) AS c_asy_type
              FROM a_tblcase GROUP BY idncase),
    dedup AS (SELECT * FROM b_tblproceeding WHERE idnproceeding IS NOT NULL
              QUALIFY row_number() OVER (PARTITION BY idnproceeding ORDER BY comp_date DESC NULLS LAST) = 1),
    base AS (
      SELECT p.*, {_judge_expr('p.ij_code')} AS judge,
             p.comp_date IS NOT NULL AND (p.dec_code IS NOT NULL OR p.other_comp IS NOT NULL) AS completed
      FROM dedup p)
    SELECT b.idnproceeding, b.idncase, b.judge AS ij_code, b.ij_code AS ij_code_raw,
           b.base_city_code AS court, b.hearing_loc_code, b.case_type, b.custody, b.custody = 'D' AS detained,
           b.nat, b.lang, b.osc_date, b.input_date, b.comp_date, b.completed, b.dec_code, b.other_comp,
           coalesce(b.absentia = 'Y', false) AS absentia,
           CASE WHEN b.dec_code IS NOT NULL THEN coalesce(dl.label, dl2.label) ELSE coalesce(ol.label, ol2.label) END
             AS decision_label,
           CASE WHEN NOT b.completed THEN NULL
                WHEN b.dec_code IS NOT NULL THEN coalesce(cd.outcome_class, 'unclassified')
                ELSE coalesce(co.outcome_class, 'unclassified') END AS outcome_class,
           CASE WHEN NOT b.completed THEN NULL
                WHEN coalesce(cd.decision_class, co.decision_class, 'other') = 'removal' AND b.absentia = 'Y'
                  THEN 'in_absentia_removal'
                ELSE coalesce(CASE WHEN b.dec_code IS NOT NULL THEN cd.decision_class ELSE co.decision_class END, 'other')
           END AS decision_class,
           coalesce(c.e_28_date IS NOT NULL, false) AS represented_e28,
           coalesce(r.first_e28 <= coalesce(b.comp_date, DATE '{data_cut}'), false) AS represented,
           CASE c.c_asy_type WHEN 'I' THEN 'affirmative' WHEN 'E' THEN 'defensive' END AS asylum_filing,
           coalesce(asy.has_asylum_app, false) AS has_asylum_app,
           date_diff('day', b.osc_date, b.comp_date) AS days_to_completion
    FROM base b
    LEFT JOIN cases c ON c.idncase = b.idncase
    LEFT JOIN reps r ON r.idncase = b.idncase
    LEFT JOIN asy ON asy.idnproceeding = b.idnproceeding
    LEFT JOIN dec_lookup dl ON dl.dec_type = 'C' AND dl.case_type = b.case_type AND dl.code = b.dec_code
    LEFT JOIN (SELECT code, any_value(label) AS label FROM dec_lookup WHERE dec_type = 'C' GROUP BY code) dl2
           ON dl.label IS NULL AND dl2.code = b.dec_code
    LEFT JOIN dec_lookup ol ON ol.dec_type = 'O' AND ol.case_type = b.case_type AND ol.code = b.other_comp
    LEFT JOIN (SELECT code, any_value(label) AS label FROM dec_lookup WHERE dec_type = 'O' GROUP BY code) ol2
           ON ol.label IS NULL AND ol2.code = b.other_comp
    LEFT JOIN code_court_decisions cd ON cd.dec_type = 'C' AND cd.case_type = b.case_type AND cd.code = b.dec_code
    LEFT JOIN (SELECT code, any_value(outcome_class) AS outcome_class, any_value(decision_class) AS decision_class
               FROM code_court_decisions WHERE dec_type = 'O' GROUP BY code) co ON co.code = b.other_comp;

    CREATE OR REPLACE TEMP VIEW proceedings AS
    SELECT *,
      {_fy_cols('comp_date')},
      CASE WHEN NOT completed THEN NULL
           WHEN decision_class IN {ADMINISTRATIVE} THEN 'administrative'
           WHEN row_number() OVER (PARTITION BY idncase, completed AND decision_class NOT IN {ADMINISTRATIVE}
                                   ORDER BY comp_date, idnproceeding) = 1 THEN 'initial'
           ELSE 'subsequent' END AS completion_type,
      completed AND decision_class NOT IN {NON_DISPOSITIVE} AS dispositive
    FROM proc;
    """)


def _build_asylum(con) -> None:
    con.execute(f"""
    CREATE OR REPLACE TEMP VIEW asylum_decisions AS
    WITH other_prot AS (
      SELECT a.idnproceeding,
             bool_or(a.appl_code = 'ASYW') AS has_asyw, bool_or(a.appl_code = 'WCAT') AS has_wcat,
             bool_or(a.appl_code = 'ASYW' AND d.class = 'grant') AS asyw_granted,
             bool_or(a.appl_code = 'WCAT' AND d.class = 'grant') AS wcat_granted
      FROM tbl_court_appln a LEFT JOIN code_appl_dec d ON d.code = a.appl_dec
      WHERE a.appl_code IN ('ASYW', 'WCAT') GROUP BY a.idnproceeding)
    SELECT a.idnproceedingappln, a.idnproceeding, a.idncase, a.appl_dec,
           coalesce(d.class, 'unclassified') AS decision,
           coalesce(d.class = 'grant', false) AS granted, coalesce(d.class = 'deny', false) AS denied,
           coalesce(d.class IN ('grant', 'deny'), false) AS trac_decided,
           a.appl_dec NOT IN {EOIR_ASYLUM_NOT_COMPLETED} AS eoir_decided,
           coalesce(o.has_asyw, false) AS has_asyw, coalesce(o.has_wcat, false) AS has_wcat,
           coalesce(o.asyw_granted, false) OR coalesce(o.wcat_granted, false) AS other_protection_granted,
           p.ij_code, p.court, p.hearing_loc_code, p.case_type, p.nat, p.lang, p.detained, p.represented,
           p.asylum_filing, p.asylum_filing = 'affirmative' AS affirmative, p.comp_date AS decision_date,
           p.fiscal_year, p.fiscal_month, p.month, p.completion_type
    FROM tbl_court_appln a
    JOIN proceedings p ON p.idnproceeding = a.idnproceeding
    LEFT JOIN code_appl_dec d ON d.code = a.appl_dec
    LEFT JOIN other_prot o ON o.idnproceeding = a.idnproceeding
    WHERE a.appl_code = 'ASYL' AND a.appl_dec IS NOT NULL;
    """)


def _build_hearings(con, data_cut: str, scratch: Path) -> dict:
    """Views ``sched`` (every dated schedule row, written once to ``scratch``: it is read three times) and
    ``hearings`` (held hearings); return the exclusion counts."""
    sched = (Path(scratch) / "sched.parquet").as_posix()
    con.execute(f"""
    COPY (SELECT s.idnschedule, s.idnproceeding, s.idncase, s.adj_date, s.cal_type, s.rec_type, s.adj_medium,
           {_judge_expr('s.ij_code')} AS ij_code, s.ij_code AS ij_code_raw, s.base_city_code AS court,
           s.hearing_loc_code, s.adj_rsn, s.eoirattorneyid IS NOT NULL AS attorney_at_hearing,
           s.adj_date > DATE '{data_cut}' AS future,
           coalesce(upper(s.adj_medium) = 'H', false) AS no_hearing,
           coalesce(ac.never_occurred, false) AS never_occurred
    FROM tbl_schedule s LEFT JOIN code_adjournment ac ON ac.code = s.adj_rsn
    WHERE s.adj_date IS NOT NULL) TO '{sched}' (FORMAT parquet);
    CREATE OR REPLACE TEMP VIEW sched AS SELECT * FROM read_parquet('{sched}');

    CREATE OR REPLACE TEMP VIEW hearings AS
    SELECT s.idnschedule, s.idnproceeding, s.idncase, s.adj_date, {_fy_cols('s.adj_date')},
           CAST(date_trunc('week', s.adj_date) AS DATE) AS week,
           s.cal_type, s.cal_type = 'I' AS individual, s.rec_type, s.adj_medium, s.ij_code, s.ij_code_raw, s.court,
           s.hearing_loc_code, s.adj_rsn, ac.description AS adj_reason,
           s.adj_rsn IS NOT NULL AS adjourned,
           CASE WHEN s.adj_rsn IS NULL THEN 'none' ELSE coalesce(ac.party, 'unattributed') END AS party,
           CASE WHEN s.adj_rsn IS NULL THEN false ELSE ac.counts_as_continuance END AS continued,
           s.attorney_at_hearing, p.detained, p.represented, p.nat, p.lang, p.case_type, p.asylum_filing,
           p.has_asylum_app
    FROM sched s
    LEFT JOIN code_adjournment ac ON ac.code = s.adj_rsn
    LEFT JOIN proceedings p ON p.idnproceeding = s.idnproceeding
    WHERE NOT s.future AND NOT s.no_hearing AND NOT s.never_occurred;
    """)
    # unattributed = a held hearing whose adjournment code has no party in the project table (hearings.party)
    row = con.execute("""
        SELECT count(*), sum(s.future::INT), sum((NOT s.future AND s.no_hearing)::INT),
               sum((NOT s.future AND NOT s.no_hearing AND s.never_occurred)::INT),
               sum((NOT s.future AND NOT s.no_hearing AND NOT s.never_occurred AND s.adj_rsn IS NOT NULL
                    AND ac.party IS NULL)::INT)
        FROM sched s LEFT JOIN code_adjournment ac ON ac.code = s.adj_rsn""").fetchone()
    return {"schedule_rows": row[0], "excluded_future": row[1] or 0, "excluded_no_hearing_medium_H": row[2] or 0,
            "excluded_never_occurred_code": row[3] or 0, "unattributed_adjournment_codes": row[4] or 0}


def _build_motions(con) -> None:
    con.execute(f"""
    CREATE OR REPLACE TEMP VIEW continuance_motions AS
    SELECT m.idnmotion, m.idnproceeding, m.idncase, coalesce({_judge_expr('m.ij_code')}, p.ij_code) AS ij_code,
           coalesce(m.base_city_code, p.court) AS court, m.motion_recd_date, m.comp_date AS decision_date,
           {_fy_cols('coalesce(m.comp_date, m.motion_recd_date)')},
           m.dec, m.dec = 'G' AS granted, m.dec = 'D' AS denied, coalesce(m.dec IN ('G', 'D'), false) AS decided,
           m.strfilingparty AS filing_party_code, coalesce(fp.party, 'unattributed') AS filing_party,
           m.strfilingmethod AS filing_method, p.detained, p.represented, p.nat, p.case_type
    FROM tbl_court_motions m
    LEFT JOIN proceedings p ON p.idnproceeding = m.idnproceeding
    LEFT JOIN code_filing_party fp ON fp.code = m.strfilingparty
    WHERE m.rec_type = '{CONTINUANCE_MOTION}' AND m.idnmotion IS NOT NULL;
    """)


def _build_reassignments(con) -> None:
    """One row per change of judge between consecutive schedule rows of a proceeding (not a transfer/venue change).

    All schedule rows of the proceeding count (held, cancelled or still in the future: the judge on a row is the
    judge the case was assigned to for that setting), ordered by ADJ_DATE then IDNSCHEDULE; rows without a
    (real) judge are skipped. Both rows must be in the same court — a transfer or change of venue starts a new
    proceeding, so it never counts. The change is dated by the later row and counted for the earlier judge.
    """
    con.execute("""
    CREATE OR REPLACE TEMP VIEW reassignments AS
    WITH ordered AS (
      SELECT idnproceeding, idncase, idnschedule, ij_code, court, adj_date, future,
             lag(ij_code) OVER w AS prev_judge, lag(court) OVER w AS prev_court, lag(adj_date) OVER w AS prev_date
      FROM sched WHERE ij_code IS NOT NULL AND idnproceeding IS NOT NULL
      WINDOW w AS (PARTITION BY idnproceeding ORDER BY adj_date, idnschedule))
    SELECT o.idnproceeding, o.idncase, o.court, o.prev_judge AS from_judge, o.ij_code AS to_judge,
           o.prev_date AS from_date, o.adj_date AS reassign_date,
           CAST(year(o.adj_date) + CASE WHEN month(o.adj_date) >= 10 THEN 1 ELSE 0 END AS INTEGER) AS fiscal_year,
           CAST(date_trunc('month', o.adj_date) AS DATE) AS month, o.future AS after_data_cut,
           p.completed, p.detained, p.case_type
    FROM ordered o LEFT JOIN proceedings p ON p.idnproceeding = o.idnproceeding
    WHERE o.prev_judge IS NOT NULL AND o.prev_judge <> o.ij_code AND o.prev_court = o.court;
    """)


# --------------------------------------------------------------------------------------------------------------
# judge-level tables (pandas)


def judge_month_panel(con: duckdb.DuckDBPyConnection, data_source: str, data_cut: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The judge × month panel and the judge table (see the codebook for every column)."""
    # completions by judge and month, counted in SQL (a full release has ~15 million completed proceedings)
    cj = con.execute("""
        SELECT ij_code, month, count(*) AS completions,
               sum(coalesce(dispositive, false)::BIGINT) AS completions_dispositive,
               sum(coalesce(completion_type = 'initial', false)::BIGINT) AS completions_initial,
               sum(coalesce(decision_class = 'in_absentia_removal', false)::BIGINT) AS in_absentia_orders,
               sum(coalesce(decision_class IN ('removal', 'in_absentia_removal'), false)::BIGINT) AS removal_orders,
               sum(coalesce(decision_class = 'voluntary_departure', false)::BIGINT) AS voluntary_departures,
               sum(coalesce(decision_class = 'relief_granted', false)::BIGINT) AS relief_grants,
               sum(coalesce(decision_class = 'termination_dismissal', false)::BIGINT) AS terminations,
               sum(coalesce(decision_class = 'administrative_closure', false)::BIGINT) AS admin_closures,
               sum(coalesce(decision_class = 'change_of_venue_transfer', false)::BIGINT) AS venue_transfers,
               sum(coalesce(detained, false)::BIGINT) AS detained_completions,
               sum(coalesce(has_asylum_app, false)::BIGINT) AS asylum_case_completions
        FROM proceedings WHERE completed AND ij_code IS NOT NULL AND month IS NOT NULL
        GROUP BY ij_code, month ORDER BY ij_code, month""").df()
    cj[cj.columns[2:]] = cj[cj.columns[2:]].astype("int64")        # DuckDB sums are HUGEINT (float in pandas)
    # the court where a judge's completions were recorded, per month and overall: the most frequent court,
    # ties to the first in sort order (as pandas' Series.mode().iat[0])
    court_counts = """SELECT ij_code, {keys} court, count(*) AS n FROM proceedings
                      WHERE completed AND ij_code IS NOT NULL AND court IS NOT NULL GROUP BY ALL"""
    cc = con.execute(f"""SELECT ij_code, month, court AS completion_court FROM ({court_counts.format(keys='month,')})
                         WHERE month IS NOT NULL
                         QUALIFY row_number() OVER (PARTITION BY ij_code, month ORDER BY n DESC, court) = 1""").df()
    home = con.execute(f"""SELECT ij_code, court AS home_court FROM ({court_counts.format(keys='')})
                           QUALIFY row_number() OVER (PARTITION BY ij_code ORDER BY n DESC, court) = 1""").df()
    home = home.set_index("ij_code")["home_court"]
    # activity: every month with a held hearing (the `hearings` dataset: not future, not ADJ_MEDIUM H, not a
    # never-occurred reason) or a completion; settings cancelled under a judge's code do not put them on the bench
    act_h = con.execute("""SELECT DISTINCT ij_code, month, court FROM hearings WHERE ij_code IS NOT NULL""").df()
    act = pd.concat([act_h[["ij_code", "month"]], cj[["ij_code", "month"]]]).drop_duplicates()
    act["month"] = pd.to_datetime(act["month"])
    cj["month"] = pd.to_datetime(cj["month"])

    pace = pressure.pre_policy_pace(cj[["ij_code", "month", "completions"]], act)

    # hearings and continuances by hearing month
    h = con.execute("""
        SELECT ij_code, month, count(*) AS hearings_held,
               sum(CASE WHEN continued THEN 1 ELSE 0 END) AS continuances,
               sum(CASE WHEN continued AND party = 'respondent' THEN 1 ELSE 0 END) AS continuances_respondent,
               sum(CASE WHEN continued AND party = 'dhs' THEN 1 ELSE 0 END) AS continuances_dhs,
               sum(CASE WHEN continued AND party = 'ij_court' THEN 1 ELSE 0 END) AS continuances_ij_court,
               sum(CASE WHEN continued AND party = 'operational' THEN 1 ELSE 0 END) AS continuances_operational,
               sum(CASE WHEN adjourned AND party = 'unattributed' THEN 1 ELSE 0 END) AS adjournments_unattributed,
               sum(CASE WHEN individual THEN 1 ELSE 0 END) AS individual_hearings_held,
               mode(court) AS hearing_court
        FROM hearings WHERE ij_code IS NOT NULL GROUP BY ij_code, month""").df()
    a = con.execute("""
        SELECT ij_code, month, sum(granted::INT) AS asylum_grants, sum(denied::INT) AS asylum_denials,
               sum((eoir_decided AND NOT granted AND NOT denied)::INT) AS asylum_other_decisions
        FROM asylum_decisions WHERE ij_code IS NOT NULL AND month IS NOT NULL GROUP BY ij_code, month""").df()
    m = con.execute("""
        SELECT ij_code, month, sum(decided::INT) AS continuance_motions_decided,
               sum(denied::INT) AS continuance_motions_denied,
               sum((denied AND filing_party = 'respondent')::INT) AS continuance_motions_denied_respondent
        FROM continuance_motions WHERE ij_code IS NOT NULL AND decision_date IS NOT NULL GROUP BY ij_code, month""").df()
    r_out = con.execute("SELECT from_judge AS ij_code, month, count(*) AS reassigned_out FROM reassignments "
                        "WHERE NOT after_data_cut GROUP BY 1, 2").df()
    r_in = con.execute("SELECT to_judge AS ij_code, month, count(*) AS reassigned_in FROM reassignments "
                       "WHERE NOT after_data_cut GROUP BY 1, 2").df()
    extras = (h, a, m, r_out, r_in)
    for extra in extras:
        extra["month"] = pd.to_datetime(extra["month"])

    # full monthly grid from each judge's first to last month with any activity or recorded event
    events = pd.concat([act] + [e[["ij_code", "month"]] for e in extras])
    span = events.groupby("ij_code")["month"].agg(["min", "max"])
    grid = [pd.DataFrame({"ij_code": j, "month": pd.date_range(lo, hi, freq="MS")}) for j, (lo, hi) in span.iterrows()]
    panel = pd.concat(grid, ignore_index=True) if grid else pd.DataFrame(columns=["ij_code", "month"])
    panel = panel.merge(cj, on=["ij_code", "month"], how="left")
    count_cols = [c for c in cj.columns if c not in ("ij_code", "month")]
    panel[count_cols] = panel[count_cols].fillna(0).astype("int64")
    panel["fiscal_year"] = (panel["month"].dt.year + (panel["month"].dt.month >= 10)).astype("int64")
    panel["fiscal_month"] = (((panel["month"].dt.month + 2) % 12) + 1).astype("int64")
    panel["active"] = panel.set_index(["ij_code", "month"]).index.isin(act.set_index(["ij_code", "month"]).index)
    for extra in extras:
        panel = panel.merge(extra, on=["ij_code", "month"], how="left")
    fill = [c for c in panel.columns if c.startswith(("hearings_", "continuance", "adjournments_", "individual_",
                                                       "asylum_", "reassigned_"))]
    panel[fill] = panel[fill].fillna(0).astype("int64")

    # court of the judge-month: where the judge held hearings, else where completions were recorded
    cc["month"] = pd.to_datetime(cc["month"])
    panel = panel.merge(cc, on=["ij_code", "month"], how="left")
    panel["court"] = panel["hearing_court"].fillna(panel["completion_court"])
    panel["court"] = panel.groupby("ij_code")["court"].transform(lambda s: s.ffill().bfill())
    panel = panel.drop(columns=["hearing_court", "completion_court"])
    panel = panel.merge(home, left_on="ij_code", right_index=True, how="left")
    panel["home_court"] = panel["home_court"].fillna(panel["court"])
    panel["away_from_home_court"] = panel["court"] != panel["home_court"]

    panel = pressure.gap_to_path(panel)
    first = span["min"].rename("first_month")
    last = span["max"].rename("last_month")
    panel = panel.merge(first, left_on="ij_code", right_index=True).merge(last, left_on="ij_code", right_index=True)
    panel["tenure_months"] = ((panel["month"].dt.year - panel["first_month"].dt.year) * 12
                              + panel["month"].dt.month - panel["first_month"].dt.month).astype("int64")
    fy_first = pd.to_datetime((panel["fiscal_year"] - 1).astype(str) + "-10-01")
    fy_last = pd.to_datetime(panel["fiscal_year"].astype(str) + "-09-01")
    cut_month = pd.Timestamp(data_cut).to_period("M").to_timestamp()
    panel["part_year"] = (panel["first_month"] > fy_first) | ((panel["last_month"] < fy_last) & (fy_last <= cut_month))
    panel = panel.drop(columns=["first_month", "last_month"])

    panel = panel.merge(pace[["ij_code", "pace", "bite", "bite_cases", "pace_band"]], on="ij_code", how="left")
    panel["period"] = pressure.policy_period(panel["month"])
    panel["detained_share"] = _ratio(panel["detained_completions"], panel["completions"])
    panel["asylum_share"] = _ratio(panel["asylum_case_completions"], panel["completions"])
    panel["in_absentia_rate"] = _ratio(panel["in_absentia_orders"], panel["completions_initial"])
    panel["removal_rate"] = _ratio(panel["removal_orders"], panel["completions_initial"])
    panel["asylum_grant_rate_trac"] = _ratio(panel["asylum_grants"], panel["asylum_grants"] + panel["asylum_denials"])
    panel["asylum_grant_rate_eoir"] = _ratio(panel["asylum_grants"], panel["asylum_grants"] + panel["asylum_denials"]
                                             + panel["asylum_other_decisions"])
    panel["continuance_rate"] = _ratio(panel["continuances"], panel["hearings_held"])
    panel["respondent_continuance_rate"] = _ratio(panel["continuances_respondent"], panel["hearings_held"])
    panel["continuance_motion_denial_rate"] = _ratio(panel["continuance_motions_denied"],
                                                     panel["continuance_motions_decided"])
    panel["data_source"] = data_source
    panel = panel.sort_values(["ij_code", "month"]).reset_index(drop=True)

    asy = con.execute("SELECT ij_code, court, fiscal_year, granted, denied FROM asylum_decisions "
                      "WHERE ij_code IS NOT NULL AND fiscal_year IS NOT NULL").df()
    strin = pressure.stringency(asy)
    judges = span.rename(columns={"min": "first_month", "max": "last_month"}).reset_index()
    judges = judges.merge(home, left_on="ij_code", right_index=True, how="left")
    judges = judges.merge(pace, on="ij_code", how="left")
    judges = judges.merge(strin.drop(columns=["court"]), on="ij_code", how="left")
    tot = panel.groupby("ij_code")[["completions"]].sum().rename(columns={"completions": "total_completions"})
    judges = judges.merge(tot, left_on="ij_code", right_index=True, how="left")
    judges["data_source"] = data_source
    return panel, judges


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype("float64")


# --------------------------------------------------------------------------------------------------------------
# orchestration


def _write_sql(con, view: str, path: Path, data_source: str) -> int:
    """Stream the view ``view`` to ``path`` (with a ``data_source`` column), then re-point the view at the file.

    Every dataset is a view computed once, here: later steps read the Parquet file instead of recomputing the
    query or holding an in-memory table (which kept the full-scale build at 7.2 GB, benchmarks/RESULTS.md)."""
    with atomic_path(path, suffix=".parquet") as tmp:
        con.execute(f"COPY (SELECT *, '{data_source}' AS data_source FROM {view}) TO '{tmp.as_posix()}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * EXCLUDE (data_source) "
                f"FROM read_parquet('{Path(path).as_posix()}')")
    return con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]


def _write_df(df: pd.DataFrame, path: Path) -> int:
    with atomic_path(path, suffix=".parquet") as tmp:
        df.to_parquet(tmp, index=False, compression="zstd")
    return len(df)


def build(processed: Path | str, out: Path | str, quiet: bool = False) -> dict:
    """Build every dataset from ``processed`` into ``out``; return (and write) ``build_report.json``."""
    from helpers._util import progress

    processed, out = Path(processed), Path(out)
    if not (processed / "tables").is_dir():
        raise MissingInputError(f"{processed} is not a processed folder (no tables/ inside); run 'python -m helpers "
                                "ingest' first")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    con = connect(processed, temp_dir=out / ".duckdb_tmp")
    check_inputs(con, processed)
    facts = release_facts(processed, con)
    ds, cut = facts["data_source"], facts["data_cut"]
    synthetic = ds.startswith("synthetic")
    jmap = con.execute("SELECT judge_code, judge_name FROM tbllookupjudge").df()
    jmap = judge_code_map(jmap, synthetic=synthetic)
    notes = _register_code_tables(con, jmap)
    has_reps = _columns(con, "tbl_repsassigned") is not None

    rows: dict[str, int] = {}
    steps = ["proceedings", "asylum_decisions", "hearings", "continuance_motions", "reassignments", "judge_month"]
    bar = progress(steps, desc="build", unit="dataset", quiet=quiet)
    exclusions: dict = {}
    for step in bar:
        bar.set_postfix_str(step)
        if step == "proceedings":
            _build_proceedings(con, cut, has_reps)
            rows["proceedings"] = _write_sql(con, "proceedings", out / "proceedings.parquet", ds)
            con.execute("CREATE OR REPLACE TEMP VIEW completions AS SELECT * FROM proceedings WHERE completed")
            rows["completions"] = _write_sql(con, "completions", out / "completions.parquet", ds)
        elif step == "asylum_decisions":
            _build_asylum(con)
            rows[step] = _write_sql(con, step, out / f"{step}.parquet", ds)
        elif step == "hearings":
            exclusions["hearings"] = _build_hearings(con, cut, out / ".duckdb_tmp")
            rows[step] = _write_sql(con, step, out / f"{step}.parquet", ds)
        elif step == "continuance_motions":
            _build_motions(con)
            rows[step] = _write_sql(con, step, out / f"{step}.parquet", ds)
        elif step == "reassignments":
            _build_reassignments(con)
            rows[step] = _write_sql(con, step, out / f"{step}.parquet", ds)
        elif step == "judge_month":
            panel, judges = judge_month_panel(con, ds, cut)
            rows["judge_month"] = _write_df(panel, out / "judge_month.parquet")
            names = con.execute("SELECT judge_code AS ij_code, any_value(judge_name) AS judge_name FROM tbllookupjudge "
                                "GROUP BY 1").df()
            judges = judges.merge(names, on="ij_code", how="left")
            merged = jmap.dropna(subset=["to_code"]).groupby("to_code")["from_code"].agg(lambda s: " ".join(sorted(s)))
            judges["merged_codes"] = judges["ij_code"].map(merged).astype("string")
            rows["judges"] = _write_df(judges, out / "judges.parquet")
            jm = jmap.assign(data_source=ds)
            rows["judge_code_map"] = _write_df(jm, out / "judge_code_map.parquet")
    dup_rows = con.execute("SELECT count(*) - count(DISTINCT idnproceeding) FROM b_tblproceeding "
                           "WHERE idnproceeding IS NOT NULL").fetchone()[0]
    comp_stats = con.execute("""
        SELECT sum((comp_date IS NOT NULL AND NOT completed)::INT),
               sum((comp_date IS NULL AND (dec_code IS NOT NULL OR other_comp IS NOT NULL))::INT),
               sum((completed AND outcome_class = 'unclassified')::INT),
               sum((ij_code IS NULL)::INT)
        FROM proceedings""").fetchone()
    exclusions["proceedings"] = {
        "comp_date_without_decision_code": int(comp_stats[0] or 0),
        "decision_code_without_comp_date": int(comp_stats[1] or 0),
        "completed_with_unclassified_decision": int(comp_stats[2] or 0),
        "without_judge_or_pseudo_judge": int(comp_stats[3] or 0),
        "duplicate_idnproceeding_rows_dropped": int(dup_rows),
    }
    con.close()
    import shutil
    shutil.rmtree(out / ".duckdb_tmp", ignore_errors=True)
    report = {
        **facts,
        "processed": str(processed.resolve()),
        "rows": rows,
        "exclusions": exclusions,
        "judge_code_map": {"rows": len(jmap), "by_rule": jmap["rule"].value_counts().to_dict()},
        "notes": notes,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    write_json(out / "build_report.json", report)
    return report


def build_cli(args) -> int:
    report = build(args.processed, args.out, quiet=args.quiet)
    print(f"data source: {report['data_source']}  (data cut {report['data_cut']})")
    for name, n in report["rows"].items():
        print(f"  {name:<22} {n:>12,} rows  -> {Path(args.out) / (name + '.parquet')}")
    print(f"build_report.json written; {report['seconds']} s")
    return 0


# --------------------------------------------------------------------------------------------------------------
# loading (notebooks)


def derived_dir(data: str | Path = "sample") -> Path:
    """The derived folder for a data source ('sample', raw, processed or derived; earlier stages run as needed)."""
    p = Path(str(data))
    if str(data) != "sample" and (p / "build_report.json").exists():
        return p
    from helpers.sources import resolve

    return resolve(data).derived_dir


def load(data: str | Path, name: str, columns: list[str] | None = None, filters=None) -> pd.DataFrame:
    """Load one derived dataset as a DataFrame; ``df.attrs['data_source']`` says where it came from.

    ``data`` is a derived folder (as injected by the report) or any source ``helpers.sources.resolve`` accepts.
    ``filters`` is passed to ``pandas.read_parquet`` (pyarrow filters, e.g. ``[("fiscal_year", ">=", 2016)]``).
    """
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    d = derived_dir(data)
    path = d / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: rebuild with 'python -m helpers build'")
    df = pd.read_parquet(path, columns=columns, filters=filters)
    # pyarrow's allocator keeps the buffers freed by the conversion to pandas; give them back before the caller
    # builds its frames (at full scale this was several GB held through the model fits: benchmarks/RESULTS.md)
    pa.default_memory_pool().release_unused()
    rep = read_json(d / "build_report.json")
    df.attrs["data_source"] = rep.get("data_source", "unknown")
    df.attrs["data_cut"] = rep.get("data_cut")
    return df


def data_source(data: str | Path) -> str:
    """The ``data_source`` string of a derived folder (or of any resolvable source)."""
    return read_json(derived_dir(data) / "build_report.json").get("data_source", "unknown")


def truth(data: str | Path) -> dict | None:
    """The generator's truth.json for a synthetic source (None for real data)."""
    rep = read_json(derived_dir(data) / "build_report.json")
    p = Path(rep.get("processed", "")) / "truth.json"
    return read_json(p) if p.exists() else None


__all__ = ["build", "load", "data_source", "truth", "judge_code_map", "MissingInputError", "DATASETS", "np"]
