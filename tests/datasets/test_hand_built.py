"""Derived datasets on a hand-built processed release: every value checked against a hand computation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from helpers import datasets

TS = pd.Timestamp


def _write(folder: Path, name: str, rows: list[dict], columns: list[str]) -> None:
    df = pd.DataFrame(rows, columns=columns)
    folder.mkdir(parents=True, exist_ok=True)
    df.to_parquet(folder / f"{name}.parquet", index=False)


PROC_COLS = ["idnproceeding", "idncase", "ij_code", "base_city_code", "hearing_loc_code", "case_type", "custody",
             "nat", "lang", "osc_date", "input_date", "comp_date", "dec_code", "other_comp", "absentia"]
SCHED_COLS = ["idnschedule", "idnproceeding", "idncase", "adj_date", "cal_type", "ij_code", "base_city_code",
              "hearing_loc_code", "adj_rsn", "adj_medium", "rec_type", "eoirattorneyid", "input_date"]


def proc(idn, case, judge, comp=None, dec=None, other=None, absentia=None, court="AAA", custody="N", osc="2016-01-04"):
    return dict(idnproceeding=idn, idncase=case, ij_code=judge, base_city_code=court, hearing_loc_code=court + "1",
                case_type="RMV", custody=custody, nat="XX", lang="SP", osc_date=TS(osc), input_date=TS(osc),
                comp_date=TS(comp) if comp else pd.NaT, dec_code=dec, other_comp=other, absentia=absentia)


def sched(idn, p, case, date, judge, rsn=None, medium="P", cal="M", court="AAA"):
    return dict(idnschedule=idn, idnproceeding=p, idncase=case, adj_date=TS(date), cal_type=cal, ij_code=judge,
                base_city_code=court, hearing_loc_code=court + "1", adj_rsn=rsn, adj_medium=medium, rec_type="X",
                eoirattorneyid=None, input_date=TS("2016-01-04"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    processed, derived = root / "processed", root / "derived"
    t, lk = processed / "tables", processed / "lookups"
    procs = [
        # judge JDA ("Doe, Jane"), also appearing under her temporary code JDT ("Doe, Jane (Temp)")
        # FY2017-FY2018 window: 10 completions between Oct 2016 and Sep 2018 -> pace 10/24*12 = 5
        *[proc(100 + k, 100 + k, "JDA", comp=f"2017-0{1 + k % 8}-15", dec="X") for k in range(9)],
        proc(109, 109, "JDT", comp="2018-09-10", dec="X"),
        # FY2019: October 2018 three completions (one under the temp code), November one
        proc(200, 200, "JDA", comp="2018-10-03", dec="X", absentia="Y"),
        proc(201, 201, "JDT", comp="2018-10-20", dec="V"),
        proc(202, 202, "JDA", comp="2018-10-31", dec="R"),
        proc(203, 203, "JDA", comp="2018-11-15", dec="X"),
        # a case with three proceedings: change of venue (administrative), removal (initial), reopened -> subsequent
        proc(300, 300, "JDA", comp="2018-11-01", other="C"),
        proc(301, 300, "JDA", comp="2018-11-20", dec="X", court="AAA"),
        proc(302, 300, "JDA", comp="2019-02-01", dec="T"),
        # judge KBB holds the first hearing of 400; the proceeding is reassigned to JDA in the same court
        proc(400, 400, "JDA", comp="2019-03-05", dec="X"),
        # pending proceeding and a pseudo-judge
        proc(500, 500, "KBB"),
        proc(501, 501, "AAA"),
    ]
    _write(t, "b_tblproceeding", procs, PROC_COLS)
    _write(t, "a_tblcase", [dict(idncase=p["idncase"], e_28_date=TS("2017-01-01") if p["idncase"] == 202 else pd.NaT,
                                 c_asy_type="E") for p in procs], ["idncase", "e_28_date", "c_asy_type"])
    scheds = [
        sched(1, 100, 100, "2016-10-05", "JDA"),                 # first activity month of JDA in the window
        sched(2, 109, 109, "2018-09-05", "JDA"),                 # last activity month in the window
        sched(10, 400, 400, "2018-12-03", "KBB", rsn="01"),      # respondent continuance
        sched(11, 400, 400, "2019-01-07", "JDA", rsn="03"),      # reassigned; DHS continuance
        sched(12, 400, 400, "2019-02-04", "JDA", rsn="17"),      # master -> merits: not a continuance
        sched(13, 400, 400, "2019-03-05", "JDA", cal="I"),       # merits hearing, completed
        sched(14, 203, 203, "2018-11-01", "JDA", rsn="ZZ"),      # unknown code -> unattributed
        sched(15, 203, 203, "2018-11-02", "JDA", medium="H"),    # hearing did not occur -> excluded
        sched(16, 500, 500, "2030-01-01", "KBB"),                # future -> excluded
    ]
    _write(t, "tbl_schedule", scheds, SCHED_COLS)
    appl = [  # FY2019 asylum decisions of JDA: G, D, D, A (abandoned), W (withdrawn)
        dict(idnproceedingappln=1, idnproceeding=200, idncase=200, appl_code="ASYL", appl_dec="G"),
        dict(idnproceedingappln=2, idnproceeding=201, idncase=201, appl_code="ASYL", appl_dec="D"),
        dict(idnproceedingappln=3, idnproceeding=202, idncase=202, appl_code="ASYL", appl_dec="D"),
        dict(idnproceedingappln=4, idnproceeding=203, idncase=203, appl_code="ASYL", appl_dec="A"),
        dict(idnproceedingappln=5, idnproceeding=301, idncase=300, appl_code="ASYL", appl_dec="W"),
        dict(idnproceedingappln=6, idnproceeding=202, idncase=202, appl_code="WCAT", appl_dec="G"),
        dict(idnproceedingappln=7, idnproceeding=500, idncase=500, appl_code="ASYL", appl_dec=None),
    ]
    _write(t, "tbl_court_appln", appl, ["idnproceedingappln", "idnproceeding", "idncase", "appl_code", "appl_dec"])
    mot_cols = ["idnmotion", "idnproceeding", "idncase", "rec_type", "ij_code", "base_city_code", "dec", "comp_date",
                "motion_recd_date", "strfilingparty", "strfilingmethod"]
    _write(t, "tbl_court_motions", [
        dict(idnmotion=1, idnproceeding=400, idncase=400, rec_type="CO", ij_code="JDA", base_city_code="AAA",
             dec="D", comp_date=TS("2019-01-10"), motion_recd_date=TS("2019-01-02"), strfilingparty="A",
             strfilingmethod="W"),
        dict(idnmotion=2, idnproceeding=400, idncase=400, rec_type="CO", ij_code="JDA", base_city_code="AAA",
             dec="G", comp_date=TS("2019-01-20"), motion_recd_date=TS("2019-01-15"), strfilingparty="I",
             strfilingmethod="W"),
        dict(idnmotion=3, idnproceeding=400, idncase=400, rec_type="O", ij_code="JDA", base_city_code="AAA",
             dec="G", comp_date=TS("2019-01-20"), motion_recd_date=TS("2019-01-15"), strfilingparty="A",
             strfilingmethod="W"),
    ], mot_cols)
    _write(t, "tbl_repsassigned", [dict(idncase=202, strattylevel="COURT", strattytype="ALIEN",
                                        e_28_date=TS("2018-01-01"))],
           ["idncase", "strattylevel", "strattytype", "e_28_date"])
    _write(lk, "tbllookupjudge", [dict(judge_code="JDA", judge_name="Doe, Jane"),
                                  dict(judge_code="JDT", judge_name="Doe, Jane (Temp)"),
                                  dict(judge_code="KBB", judge_name="Roe, Kim"),
                                  dict(judge_code="AAA", judge_name="<All Judges>")], ["judge_code", "judge_name"])
    dec_rows = [dict(strcasetype="RMV", strdeccode=c, strdecdescription=d, strdectype="C", blnactive=True)
                for c, d in [("X", "Remove"), ("V", "Voluntary Departure"), ("R", "Relief Granted"),
                             ("T", "Terminate")]]
    dec_rows += [dict(strcasetype="RMV", strdeccode="X", strdecdescription="OLD LABEL", strdectype="C", blnactive=False),
                 dict(strcasetype="RMV", strdeccode="C", strdecdescription="Change of Venue", strdectype="O",
                      blnactive=True)]
    _write(lk, "tbllookupcourtdecision", dec_rows,
           ["strcasetype", "strdeccode", "strdecdescription", "strdectype", "blnactive"])
    (processed / "ingest_report.json").write_text(json.dumps({"data_source": "synthetic:hand:1", "reconciled": True}))
    (processed / "truth.json").write_text(json.dumps({"data_source": "synthetic:hand:1", "release_date": "2024-12-31",
                                                      "seed": 1}))
    report = datasets.build(processed, derived, quiet=True)
    return derived, report


def test_judge_month_completions_and_gap(built):
    derived, _ = built
    jm = datasets.load(derived, "judge_month")
    assert jm.attrs["data_source"] == "synthetic:hand:1"
    row = lambda m: jm[(jm.ij_code == "JDA") & (jm.month == TS(m))].iloc[0]  # noqa: E731
    oct18, nov18 = row("2018-10-01"), row("2018-11-01")
    assert oct18.completions == 3            # incl. the one under the temporary code JDT
    assert oct18.fiscal_year == 2019 and oct18.fiscal_month == 1
    assert oct18.gap_cases == pytest.approx(700 / 12 - 3)
    assert oct18.gap_cases_lag == pytest.approx(0.0)
    # November: proceeding 203 (X), 300 (change of venue, counts as a completion) and 301 (X)
    assert nov18.completions == 3 and nov18.completions_dispositive == 2
    assert nov18.cum_completions_fy == 6
    assert nov18.gap_cases == pytest.approx(2 * 700 / 12 - 6)
    assert nov18.gap_cases_lag == pytest.approx(700 / 12 - 3)
    assert nov18.gap_share == pytest.approx((2 * 700 / 12 - 6) / 700)
    assert oct18.in_absentia_orders == 1 and oct18.completions_initial == 3
    assert oct18.in_absentia_rate == pytest.approx(1 / 3)
    assert "JDT" not in set(jm.ij_code) and "AAA" not in set(jm.ij_code)


def test_pace_and_bite(built):
    derived, _ = built
    judges = datasets.load(derived, "judges").set_index("ij_code")
    jda = judges.loc["JDA"]
    assert jda.pre_months == 24 and jda.pre_completions == 10
    assert jda.pace == pytest.approx(10 / 24 * 12)
    assert jda.bite == pytest.approx((700 - 5) / 700)
    assert jda.merged_codes == "JDT"
    jm = datasets.load(derived, "judge_month")
    assert jm.loc[jm.ij_code == "JDA", "bite"].iloc[0] == pytest.approx((700 - 5) / 700)
    assert pd.isna(judges.loc["KBB", "pace"])   # fewer than 6 months on the bench in the window


def test_asylum_rates_two_denominators(built):
    derived, _ = built
    a = datasets.load(derived, "asylum_decisions")
    assert len(a) == 5  # the undecided application is not a decision
    fy = a[(a.ij_code == "JDA") & (a.fiscal_year == 2019)]
    assert fy.granted.sum() == 1 and fy.denied.sum() == 2
    assert fy.granted.sum() / fy.trac_decided.sum() == pytest.approx(1 / 3)     # TRAC: G / (G + D)
    assert fy.granted.sum() / fy.eoir_decided.sum() == pytest.approx(1 / 5)     # EOIR: G / all decisions
    assert bool(a.set_index("idnproceedingappln").loc[3, "other_protection_granted"])  # WCAT granted
    assert bool(a.set_index("idnproceedingappln").loc[3, "represented"])


def test_adjournment_party_and_exclusions(built):
    derived, report = built
    h = datasets.load(derived, "hearings").set_index("idnschedule")
    assert h.loc[10, "party"] == "respondent" and bool(h.loc[10, "continued"])
    assert h.loc[11, "party"] == "dhs" and bool(h.loc[11, "continued"])
    assert not bool(h.loc[12, "continued"])                       # 17: master -> merits, not a continuance
    assert h.loc[13, "party"] == "none" and not bool(h.loc[13, "continued"])
    assert h.loc[14, "party"] == "unattributed" and pd.isna(h.loc[14, "continued"])  # unknown code: never guessed
    assert 15 not in h.index and 16 not in h.index
    ex = report["exclusions"]["hearings"]
    assert ex["excluded_future"] == 1 and ex["excluded_no_hearing_medium_H"] == 1


def test_continuance_motions(built):
    derived, _ = built
    m = datasets.load(derived, "continuance_motions").set_index("idnmotion")
    assert list(m.index) == [1, 2]
    assert bool(m.loc[1, "denied"]) and m.loc[1, "filing_party"] == "respondent"
    assert bool(m.loc[2, "granted"]) and m.loc[2, "filing_party"] == "dhs"
    jm = datasets.load(derived, "judge_month")
    jan = jm[(jm.ij_code == "JDA") & (jm.month == TS("2019-01-01"))].iloc[0]
    assert jan.continuance_motions_decided == 2 and jan.continuance_motions_denied == 1
    assert jan.continuance_motion_denial_rate == pytest.approx(0.5)


def test_reassignment(built):
    derived, _ = built
    r = datasets.load(derived, "reassignments")
    # proceeding 400: KBB (Dec 2018) -> JDA (Jan 2019); later rows stay with JDA; the future row of 500 is KBB only
    assert len(r) == 1
    row = r.iloc[0]
    assert (row.idnproceeding, row.from_judge, row.to_judge) == (400, "KBB", "JDA")
    assert row.reassign_date == TS("2019-01-07") and row.from_date == TS("2018-12-03")
    assert not row.after_data_cut
    jm = datasets.load(derived, "judge_month")
    assert jm[(jm.ij_code == "KBB") & (jm.month == TS("2019-01-01"))].reassigned_out.iloc[0] == 1
    assert jm[(jm.ij_code == "JDA") & (jm.month == TS("2019-01-01"))].reassigned_in.iloc[0] == 1


def test_completion_types_and_decision_classes(built):
    derived, _ = built
    p = datasets.load(derived, "proceedings").set_index("idnproceeding")
    assert p.loc[300, "completion_type"] == "administrative"
    assert p.loc[300, "decision_class"] == "change_of_venue_transfer"
    assert p.loc[301, "completion_type"] == "initial" and p.loc[302, "completion_type"] == "subsequent"
    assert p.loc[200, "decision_class"] == "in_absentia_removal"
    assert p.loc[200, "decision_label"] == "Remove"              # the active lookup row wins
    assert p.loc[201, "decision_class"] == "voluntary_departure"
    assert p.loc[202, "decision_class"] == "relief_granted"
    assert p.loc[201, "ij_code"] == "JDA" and p.loc[201, "ij_code_raw"] == "JDT"
    assert pd.isna(p.loc[501, "ij_code"])                         # pseudo-judge
    assert not bool(p.loc[500, "completed"])
    assert p.index.is_unique  # A_TblCase repeats case 300 three times: joins must not multiply proceedings
    c = datasets.load(derived, "completions")
    assert len(c) == len(p) - 2


def test_missing_table_and_column_are_named(tmp_path, built):
    derived, report = built
    processed = Path(report["processed"])
    import shutil
    broken = tmp_path / "broken"
    shutil.copytree(processed, broken)
    (broken / "tables" / "tbl_court_motions.parquet").unlink()
    df = pd.read_parquet(broken / "tables" / "tbl_schedule.parquet").drop(columns=["adj_rsn"])
    df.to_parquet(broken / "tables" / "tbl_schedule.parquet")
    with pytest.raises(datasets.MissingInputError) as err:
        datasets.build(broken, tmp_path / "out", quiet=True)
    msg = str(err.value)
    assert "continuance_motions" in msg and "tbl_court_motions" in msg
    assert "hearings" in msg and "adj_rsn" in msg


def test_codebook_documents_every_column(built):
    from helpers import codebook

    derived, _ = built
    for name in datasets.DATASETS:
        cols = list(pd.read_parquet(derived / f"{name}.parquet").columns)
        documented = codebook.columns(name)
        assert set(cols) == set(documented), (
            f"{name}: undocumented {sorted(set(cols) - set(documented))}; "
            f"documented but not built {sorted(set(documented) - set(cols))}")


def test_codebook_file_is_current():
    from helpers import codebook
    from helpers._util import repo_root

    assert (repo_root() / "data" / "CODEBOOK.md").read_text(encoding="utf-8") == codebook.to_markdown(), \
        "data/CODEBOOK.md is stale: run python -m helpers.codebook"
