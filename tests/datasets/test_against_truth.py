"""The derived datasets agree exactly with what the generator says it wrote (tiny release, through the raw format,
the ingest and the build): asylum grants, denials and both denominators by judge and fiscal year, and every judge's
FY2017-FY2018 pace and bite."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import datasets
from helpers.analyses.common import read_truth


def test_asylum_counts_match_the_generator_under_both_denominators(tiny_derived):
    truth = read_truth(tiny_derived, "asylum").rename(columns={"judge_code": "ij_code"})
    a = datasets.load(tiny_derived, "asylum_decisions")
    got = a.groupby(["ij_code", "fiscal_year"]).agg(grants=("granted", "sum"), denials=("denied", "sum"),
                                                    decisions_trac=("trac_decided", "sum"),
                                                    completions_eoir=("eoir_decided", "sum")).reset_index()
    cols = ["grants", "denials", "decisions_trac", "completions_eoir"]
    m = truth.merge(got, on=["ij_code", "fiscal_year"], how="outer", suffixes=("_truth", ""), indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head()
    for c in cols:
        assert (m[c].astype(int) == m[f"{c}_truth"].astype(int)).all(), (c, m.loc[m[c] != m[f"{c}_truth"]].head())
    assert int(m["completions_eoir"].sum()) > int(m["decisions_trac"].sum())     # the broader denominator is broader


def test_pace_and_bite_match_the_generator(tiny_derived):
    truth = read_truth(tiny_derived, "judges").rename(columns={"judge_code": "ij_code"})
    j = datasets.load(tiny_derived, "judges")[["ij_code", "pace", "bite"]]
    m = truth[["ij_code", "pace", "bite"]].merge(j, on="ij_code", suffixes=("_truth", ""))
    assert len(m) == len(truth.dropna(subset=["ij_code"]))
    np.testing.assert_allclose(m["pace"].to_numpy(float), m["pace_truth"].to_numpy(float), rtol=1e-6, equal_nan=True)   # truth CSV: 6 decimals
    np.testing.assert_allclose(m["bite"].to_numpy(float), m["bite_truth"].to_numpy(float), rtol=1e-6, equal_nan=True)   # truth CSV: 6 decimals
    assert m["bite"].notna().sum() > 0
