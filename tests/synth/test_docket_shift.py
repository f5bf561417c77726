"""The ``[docket_shift]`` assumption failure: from FY2019, new detained proceedings go to high-bite judges."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import synth
from helpers.synth.cases import Engine
from helpers.synth.effects import EffectsError, load_effects


def test_docket_shift_table_is_parsed_and_checked(tmp_path):
    good = tmp_path / "shift.toml"
    good.write_text("[docket_shift]\nbite = 3.0\n")
    e = load_effects(good)
    assert e.docket_shift == 3.0 and e.is_zero() and e.as_dict()["docket_shift"]["bite"] == 3.0
    assert load_effects("default").docket_shift == 0.0
    bad = tmp_path / "bad.toml"
    bad.write_text("[docket_shift]\ngap_share = 1.0\n")
    with pytest.raises(EffectsError, match=r"\[docket_shift\] must be a table whose only key is 'bite'"):
        load_effects(bad)
    bad.write_text("[docket_shift]\nbite = 40\n")
    with pytest.raises(EffectsError, match=r"bite must be a finite number"):
        load_effects(bad)


def test_weighted_court_pick_follows_the_tilt():
    """The engine's within-court draw with the docket-shift weights: judge 1 (bite 0.5) of court 0 gets
    exp(3 x 0.5) times judge 0's share at equal capacity; court 1's only judge gets all of court 1's cases."""
    fake = SimpleNamespace(j_court=np.array([0, 0, 1]), court_w=np.ones(2), j_cap=np.ones(3),
                           rng=np.random.default_rng(5), J=3)
    bite = np.array([0.0, 0.5, 0.2])
    w = fake.j_cap * np.exp(3.0 * bite)
    courts = np.array([0] * 40_000 + [1] * 100)
    got = Engine._court_pick(fake, np.ones(3, dtype=bool), courts, weight=w)
    share1 = (got[:40_000] == 1).mean()
    assert share1 == pytest.approx(np.exp(1.5) / (1 + np.exp(1.5)), abs=0.01)
    assert (got[40_000:] == 2).all()
    plain = Engine._court_pick(fake, np.ones(3, dtype=bool), courts)
    assert (plain[:40_000] == 1).mean() == pytest.approx(0.5, abs=0.01)


def test_docket_shift_release_records_the_tilt(tmp_path):
    """A release generated with the tilt runs through and says so in truth.json (tiny: all judges have nearly the
    same bite there, so the tilt's size is checked above and by the validation study at the sample scale)."""
    tilt = tmp_path / "tilt.toml"
    tilt.write_text("[docket_shift]\nbite = 3.0\n")
    raw = synth.generate(tmp_path / "raw", scale="tiny", seed=11, effects=tilt, zip=False, quiet=True)
    truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))
    assert truth["effects"]["docket_shift"]["bite"] == 3.0
