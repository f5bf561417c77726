"""Every notebook executes through the report builder on the tiny synthetic release.

This is the collection's end-to-end check: papermill runs each notebook in a fresh kernel with its folder as
working directory and ``DATA`` pointing at the derived tiny release; the pages carry the synthetic banner; the
estimates CSVs have the promised columns and are labelled with their data source.
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import report
from helpers.outputs import ESTIMATE_COLUMNS
from helpers._util import repo_root

NOTEBOOKS = report.discover(repo_root() / "notebooks")


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory, tiny_derived):
    out = tmp_path_factory.mktemp("tiny_report")
    results = report.build_report(data=str(tiny_derived), out=out, quiet=True, timeout=600)
    return out, {r.name: r for r in results}


@pytest.mark.slow
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_tiny_release(tiny_report, nb):
    out, results = tiny_report
    res = results[nb.stem]
    assert res.status == "ok", f"{nb.name} failed on the tiny release: {res.error}"
    page = (out / f"{nb.stem}.html").read_text()
    uses_data = "DATA" in report.declared_parameters(nb)
    if uses_data:
        assert res.data_source.startswith("synthetic:tiny"), res.data_source
        assert 'id="synthetic-banner"' in page, f"{nb.name}: synthetic page without the banner"
        assert "synthetic-banner" in page.split('id="synthetic-banner"', 1)[1], \
            f"{nb.name}: the notebook itself must display helpers.outputs.banner(DATA_SOURCE)"
    for csv in (out / "tables").glob(f"{nb.stem}*.csv"):
        est = pd.read_csv(csv)
        assert list(est.columns[: len(ESTIMATE_COLUMNS)]) == ESTIMATE_COLUMNS, f"{csv.name}: columns"
        if uses_data:
            assert est["data_source"].astype(str).str.startswith("synthetic:tiny").all(), f"{csv.name}: data_source"


def test_index_lists_every_notebook(tiny_report):
    out, results = tiny_report
    index = (out / "index.html").read_text()
    for nb in NOTEBOOKS:
        assert f"{nb.stem}.html" in index
    if any(r.data_source.startswith("synthetic") for r in results.values()):
        assert 'id="synthetic-banner"' in index
