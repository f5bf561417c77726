"""The project's code tables (helpers.codes)."""

from __future__ import annotations

import pytest

from helpers import codes

PARTIES = {"respondent", "dhs", "ij_court", "operational", "joint", "third_party", "procedural", "advancement",
           "ambiguous"}


def test_every_table_loads_with_source_column():
    for name in codes.names():
        df = codes.load(name)
        assert len(df) > 0, name
        assert "source" in df.columns and (df.source.str.len() > 0).all(), name


def test_unknown_table_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown code table"):
        codes.load("no_such_table")


def test_adjournment_codes_party_and_continuance_flags():
    ac = codes.load("adjournment_codes").set_index("code")
    assert set(ac.party) <= PARTIES
    assert set(ac.regd_by) <= {"A", "I", "E"}
    # observed Regd_By in the real table (SCHEMA.md s5.4)
    assert ac.loc[["01", "02", "05", "06", "11"], "regd_by"].eq("A").all()
    assert ac.loc[["03", "04", "07", "09", "10"], "regd_by"].eq("I").all()
    assert ac.loc["08", "regd_by"] == "E"
    # scheduling/decision codes and advancements are not continuances (SCHEMA.md s6.2)
    for code in ["17", "31", "1A", "1B", "8A", "8B", "96", "97", "98", "99", "5A", "5D", "55", "9B"]:
        assert not ac.loc[code, "counts_as_continuance"], code
    for code in ["01", "02", "03", "13", "18", "45", "SR"]:
        assert ac.loc[code, "counts_as_continuance"], code
    assert ac.loc["01", "party"] == "respondent" and ac.loc["03", "party"] == "dhs"
    assert ac.loc["13", "party"] == "ij_court" and ac.loc["18", "party"] == "operational"
    assert ac.loc[["59", "9V", "34", "4A", "4E", "99", "9C", "9B", "25", "5A"], "never_occurred"].all()
    assert len(ac) == 115


def test_court_decisions_classes():
    cd = codes.load("court_decisions")
    key = cd.set_index(["case_type", "dec_type", "code"]).outcome_class
    assert key[("RMV", "C", "X")] == "removal"
    assert key[("RMV", "C", "V")] == "voluntary_departure"
    assert key[("RMV", "C", "R")] == "relief_granted"
    assert key[("RMV", "C", "U")] == "termination"
    assert key[("ALL", "O", "C")] == "change_of_venue"
    assert key[("ALL", "O", "T")] == "transfer"
    assert key[("ALL", "O", "A")] == "admin_closure"
    assert set(cd.dec_type) == {"C", "O"}
    assert set(cd.confidence) <= {"high", "medium", "low"}


def test_application_decision_classes_and_other_tables():
    ad = codes.load("application_decisions").set_index("code")["class"]
    assert set(ad[ad == "grant"].index) == {"F", "G", "C", "I", "P"}
    assert list(ad[ad == "deny"].index) == ["D"]
    fp = codes.load("filing_parties").set_index("code").party
    assert fp["A"] == fp["R"] == "respondent" and fp["I"] == "dhs"
    assert "CO" in set(codes.load("motion_types").code)
    assert {"ASYL", "ASYW", "WCAT", "42B"} <= set(codes.load("application_codes").code)
    m = codes.load("judge_code_merges")
    assert m.from_code.is_unique and ("ABT", "ABM") in set(zip(m.from_code, m.to_code))


def test_load_returns_a_copy():
    a = codes.load("case_types")
    a.loc[0, "code"] = "ZZZ"
    assert "ZZZ" not in set(codes.load("case_types").code)
