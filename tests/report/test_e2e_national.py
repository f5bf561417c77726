"""End to end: the report for the national notebook (real published data), opened in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import report
from helpers._util import repo_root

from . import browser

ARTIFACTS = repo_root() / "test-artifacts"


@pytest.fixture(scope="module")
def national_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    results = report.build_report(out=out, only="01_national", quiet=True, timeout=600)
    return out, results


def test_national_notebook_renders(national_report):
    out, results = national_report
    (res,) = results
    assert res.status == "ok", res.error
    assert res.data_source == "published"
    page = (out / "01_national_caseload.html").read_text()
    assert "synthetic-banner" not in page, "published data must not carry the synthetic banner"
    assert page.count("data:image/png;base64") >= 3, "the national notebook draws several figures"
    figs = list((out / "figures" / "01_national_caseload").glob("*.png"))
    assert figs and all(f.with_suffix(".svg").exists() for f in figs), "figures are saved as PNG and SVG"
    est = pd.read_csv(out / "tables" / "01_national_caseload_estimates.csv")
    for col in ("notebook", "design", "outcome", "term", "estimate", "std_error", "ci_low", "ci_high",
                "p_value", "n_obs", "n_clusters", "data_source", "truth"):
        assert col in est.columns
    assert (est["data_source"] == "published").all() and est["truth"].isna().all()
    index = (out / "index.html").read_text()
    assert "01_national_caseload.html" in index and ">ok<" in index


@pytest.mark.browser
@pytest.mark.skipif(not browser.available(), reason="Debian's chromium and chromium-driver are not installed")
def test_report_pages_load_offline_in_chromium(national_report):
    out, _ = national_report
    for page, shot in (("index.html", "report-index.png"), ("01_national_caseload.html", "report-national.png")):
        res = browser.open_page(out / page, screenshot=ARTIFACTS / shot)
        assert res["errors"] == [], f"{page}: console errors {res['errors']}"
        assert res["external"] == [], f"{page}: requested network resources {res['external']}"
        broken = [i for i in res["images"] if not (i["complete"] and i["width"] > 0)]
        assert not broken, f"{page}: images that did not load: {broken}"
        if page != "index.html":
            assert len(res["images"]) >= 3
        assert re.search(r"Provenance", res["text"])
        assert (ARTIFACTS / shot).stat().st_size > 10_000
