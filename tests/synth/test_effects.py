"""Effects files: defaults, placebo, validation and the policy calendar."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.synth.effects import OUTCOMES, EffectsError, load_effects


def test_default_effects_are_nonzero_and_documented():
    e = load_effects("default")
    assert e.name == "default" and not e.is_zero()
    assert set(e.coef) == set(OUTCOMES)
    assert e.get("asylum_grant", "bite") < 0 and e.get("completions", "bite") > 0
    assert e.get("in_absentia", "bite") > 0 and e.get("continuance_grant", "bite") < 0


def test_none_is_all_zero():
    e = load_effects("none")
    assert e.name == "none" and e.is_zero()
    assert e.anticipation_share == 0 and e.post_suspension_share == 0


def test_policy_calendar_shares():
    e = load_effects("default")
    day = lambda s: int(np.datetime64(s, "D").astype(np.int64))  # noqa: E731
    got = e.share(np.array([day("2018-03-29"), day("2018-03-30"), day("2018-09-30"), day("2018-10-01"),
                            day("2021-10-18"), day("2021-10-19")]))
    assert got.tolist() == [0.0, e.anticipation_share, e.anticipation_share, 1.0, 1.0, e.post_suspension_share]


def test_custom_file_and_name(tmp_path):
    p = tmp_path / "strong.toml"
    p.write_text("[asylum_grant]\nbite = -3.5\n[timing]\npost_suspension_share = 0.5\n")
    e = load_effects(p)
    assert e.name == "strong" and e.get("asylum_grant", "bite") == -3.5 and e.get("completions", "bite") == 0.0
    assert e.post_suspension_share == 0.5


@pytest.mark.parametrize("text, message", [
    ("[asylum_grant]\nbite = 'x'\n", "must be a finite number"),
    ("[asylum_grnt]\nbite = 1\n", "unknown table"),
    ("[asylum_grant]\nbit = 1\n", "unknown key"),
    ("[timing]\nanticipation_share = 2\n", "between 0 and 1"),
    ("[asylum_grant\n", "not valid TOML"),
])
def test_bad_files_give_clear_errors(tmp_path, text, message):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(EffectsError, match=message) as ei:
        load_effects(p)
    assert str(p) in str(ei.value)


def test_missing_file():
    with pytest.raises(EffectsError, match="not found"):
        load_effects("/nonexistent/effects.toml")
