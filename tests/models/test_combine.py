"""stack_estimates and add_truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helpers.models as M
from helpers.models import TIDY_COLUMNS, TIDY_DTYPES, ModelInputError


@pytest.fixture(scope="module")
def two(panel):
    lpm = M.did_dose(panel, "y", "bite", "post", "judge + court^month", "judge")
    logit = M.did_dose(panel, "y", "bite", "post", "judge + month", "judge", method="feglm_logit")
    return lpm, logit


def test_stack_keeps_contract_and_labels(two, panel):
    es = M.event_study(panel, "y", "bite", "rel_q", -1, "judge + court^month", "judge")
    st = M.stack_estimates({"lpm": two[0], "logit": two[1], "event": es})
    assert list(st.columns[:10]) == TIDY_COLUMNS
    assert {c: str(st[c].dtype) for c in TIDY_COLUMNS} == TIDY_DTYPES
    assert st["spec"].tolist() == ["lpm", "logit"] + ["event"] * len(es)
    assert st["rel_period"].iloc[:2].isna().all() and st["rel_period"].iloc[2:].notna().all()
    assert st.attrs == {}
    plain = M.stack_estimates([two[0], two[1]])
    assert "spec" not in plain.columns and len(plain) == 2


def test_stack_rejects_non_tidy_frames(two):
    with pytest.raises(ModelInputError, match="leading columns"):
        M.stack_estimates([two[0], pd.DataFrame({"term": ["x"], "estimate": [1.0]})])
    with pytest.raises(ModelInputError, match="nothing to stack"):
        M.stack_estimates([])


def test_add_truth_matches_by_outcome_and_term(two):
    est = M.stack_estimates([two[0], two[1]])
    truth = pd.DataFrame({"outcome": ["y", "y", "grant"], "term": ["bite:post", "bite:off", "bite:post"],
                          "log_odds": [0.8, -0.8, 0.5], "ame": [0.10, -0.1, 0.05]})
    out = M.add_truth(est, truth, value={"probability": "ame", "log-odds": "log_odds"})
    assert out["truth"].tolist() == [0.10, 0.8]  # LPM row gets the AME, logit row the log-odds
    assert len(out) == len(est) and (out.drop(columns="truth") == est).all().all()
    single = M.add_truth(est, truth, value="ame")
    assert single["truth"].tolist() == [0.10, 0.10]
    none = M.add_truth(est.assign(outcome="continuance"), truth, value="ame")
    assert none["truth"].isna().all()  # no planted value: NaN, rows kept


def test_add_truth_errors(two):
    est = two[0]
    dup = pd.DataFrame({"outcome": ["y", "y"], "term": ["bite:post"] * 2, "truth": [1.0, 2.0]})
    with pytest.raises(ModelInputError, match="duplicate keys"):
        M.add_truth(est, dup)
    with pytest.raises(ModelInputError, match="'ame'"):
        M.add_truth(est, dup.drop_duplicates("term"), value="ame")
    no_scale = est.drop(columns="scale")
    with pytest.raises(ModelInputError, match="no 'scale' column"):
        M.add_truth(no_scale, dup.drop_duplicates("term"), value={"probability": "truth"})


def test_add_truth_output_feeds_save_estimates(two, tmp_path):
    from helpers.outputs import ESTIMATE_COLUMNS, save_estimates
    truth = pd.DataFrame({"outcome": ["y"], "term": ["bite:post"], "ame": [0.10]})
    est = M.add_truth(two[0], truth, value="ame")
    path = save_estimates(est, tmp_path, "nb_test", "synthetic:tiny:1", design="D2")
    back = pd.read_csv(path)
    assert list(back.columns[: len(ESTIMATE_COLUMNS)]) == ESTIMATE_COLUMNS
    assert back["truth"].iloc[0] == pytest.approx(0.10) and np.isfinite(back["n_obs"].iloc[0])
