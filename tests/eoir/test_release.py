"""``helpers.eoir.open``: lazy DuckDB views and decoding through the release's own lookups."""

from __future__ import annotations

import pytest

import helpers.eoir as eoir
from helpers.eoir.ingest import ingest

from .builder import quirks_release


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    base = tmp_path_factory.mktemp("rel")
    out = base / "out"
    ingest(quirks_release().folder(base / "src"), out, quiet=True)
    r = eoir.open(out)
    yield r
    r.close()


def test_views_and_basic_access(release):
    assert "b_tblproceeding" in release.tables and "tbllookupjudge" in release.lookups
    assert release.without_columns == ["tbllookupempty"]
    assert release.data_source == "eoir:2026-04-01" and release.synthetic is False
    assert release.report["reconciled"] is True
    assert release.table("A_TblCase").aggregate("count(*)").fetchall() == [(6,)]
    assert release.df("SELECT count(*) AS n FROM tbl_schedule").n.iloc[0] == 3
    assert release.lookup("tblLookupJudge.csv").aggregate("count(*)").fetchall() == [(2,)]
    limit = release.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert limit.endswith("GiB") or limit.endswith("GB")
    with pytest.raises(KeyError):
        release.table("nope")


def test_proceeding_decisions_decoded_with_case_type_active_row_wins(release):
    rows = release.sql("SELECT idnproceeding, dec_code_label, other_comp_label "
                       "FROM b_tblproceeding_decoded ORDER BY idnproceeding").fetchall()
    got = {r[0]: (r[1], r[2]) for r in rows}
    assert got[1] == ("Remove", None)                    # RMV/X: active row beats the inactive "Remove (old)"
    assert got[3] == ("Deported", None)                  # DEP/X: same letter, other case type
    assert got[4] == (None, "Change of Venue")           # two active rows: the latest datModifiedOn wins
    assert got[5] == (None, None)                        # unknown code: null label, row kept
    assert len(rows) == 4
    assert release.proceedings_decoded().aggregate("count(*)").fetchall() == [(4,)]


def test_generic_decode(release):
    j = release.decode("tbl_schedule", "IJ_CODE", "tblLookupJudge", "JUDGE_CODE", "JUDGE_NAME").df()
    assert sorted(j.ij_code_label.dropna()) == ["Smith, Alison"]
    a = release.decode("tbl_schedule", "adj_rsn", "tbladjournmentcodes", "strcode", "strdesciption",
                       label_name="reason").df().sort_values("idnschedule")
    assert list(a.reason.fillna("-")) == ["Respondent to seek representation", "-", "-"]


def test_parent_table_lower_cased_when_decoded(release):
    raw = [r[0] for r in release.sql("SELECT parent_table FROM tbl_repsassigned ORDER BY idnrepsassigned").fetchall()]
    dec = [r[0] for r in release.sql("SELECT parent_table FROM tbl_repsassigned_decoded "
                                     "ORDER BY idnrepsassigned").fetchall()]
    assert raw == ["a_tblcase", "A_Tblcase", "A_TblCase", "b_tblproceeding", "tblAppeal"]
    assert dec == ["a_tblcase", "a_tblcase", "a_tblcase", "b_tblproceeding", "tblappeal"]


def test_open_requires_a_processed_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no ingest_report.json"):
        eoir.open(tmp_path)
