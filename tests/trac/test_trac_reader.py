"""The TRAC-style judge table reader, on fixture tables written here (fictional judges)."""

from __future__ import annotations

import pytest

from helpers.trac import TracTableError, read_trac_table, within_court_spread

GOOD_2022 = """Court,Judge,Decisions,Percent Granted,Percent Denied,Percent Granted Other Relief
Riverton,"Alpha, A.",120,10.0,85.0,5.0
Riverton,"Beta, B.",200,60.5,39.5,0
Riverton,"Gamma, C.",90,50,50,0
Lakeside,"Delta, D.",150,5%,94.9%,0.1%
"""

GOOD_OLD = """court,judge,decisions,percent_granted,percent_denied
Riverton,"Alpha, A.","1,204",12.3,87.7
"""


def write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reads_2022_layout_with_derived_columns(tmp_path):
    t = read_trac_table(write(tmp_path, GOOD_2022))
    assert list(t["judge"]) == ["Alpha, A.", "Beta, B.", "Gamma, C.", "Delta, D."]
    assert t["layout"].unique().tolist() == ["2022+"]
    alpha = t.iloc[0]
    assert alpha.grants == 12 and alpha.denials == 102 and alpha.grant_rate == pytest.approx(0.10)
    assert t.iloc[3].percent_denied == pytest.approx(94.9)


def test_reads_pre_2022_layout_and_thousands_separator(tmp_path):
    t = read_trac_table(write(tmp_path, GOOD_OLD))
    assert t.iloc[0].decisions == 1204 and t.iloc[0].layout == "pre-2022"


def test_within_court_spread_uses_judges_with_100_decisions(tmp_path):
    s = within_court_spread(read_trac_table(write(tmp_path, GOOD_2022))).set_index("court")
    assert list(s.index) == ["Riverton"]          # Lakeside has one judge; Gamma has 90 decisions
    assert s.loc["Riverton", "judges"] == 2
    assert s.loc["Riverton", "range"] == pytest.approx(0.505)


def test_missing_column_is_named(tmp_path):
    p = write(tmp_path, "court,judge,decisions,percent_granted\nRiverton,A,100,50\n")
    with pytest.raises(TracTableError, match=r"t\.csv: missing column\(s\) percent_denied"):
        read_trac_table(p)


def test_percentages_that_do_not_add_up_name_the_line(tmp_path):
    p = write(tmp_path, GOOD_2022.replace("60.5,39.5,0", "60.5,30.0,0"))
    with pytest.raises(TracTableError) as err:
        read_trac_table(p)
    msg = str(err.value)
    assert "t.csv, line 3" in msg and "Beta, B." in msg and "= 90.5, not 100" in msg


def test_non_numeric_and_empty_values(tmp_path):
    p = write(tmp_path, GOOD_OLD.replace("12.3", "n/a") + ",\"Zeta\",100,50,50\n")
    with pytest.raises(TracTableError) as err:
        read_trac_table(p)
    msg = str(err.value)
    assert "line 2: percent_granted is 'n/a', not a number" in msg
    assert "line 3: court is empty" in msg


def test_missing_file(tmp_path):
    with pytest.raises(TracTableError, match="file not found"):
        read_trac_table(tmp_path / "nope.csv")
