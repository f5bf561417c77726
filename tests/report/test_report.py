"""The report builder: failures are reported without stopping the others; provenance; index."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from helpers import report


def _nb(path, cells, params="OUTPUT_DIR = '../reports'"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    pcell = nbformat.v4.new_code_cell(params)
    pcell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(cells[0]), pcell] + [nbformat.v4.new_code_cell(c) for c in cells[1:]]
    nbformat.write(nb, path)


@pytest.fixture()
def two_notebooks(tmp_path):
    d = tmp_path / "notebooks"
    d.mkdir()
    _nb(d / "01_good.ipynb", ["# A good notebook\n\n**Question:** does it run?",
                              "import pathlib\nprint('cwd', pathlib.Path.cwd().name)",
                              "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4]); plt.show()"])
    _nb(d / "02_bad.ipynb", ["# A broken notebook\n\n**Question:** what happens when a cell raises?",
                             "raise RuntimeError('planted failure for the test')"])
    _nb(d / "03_after.ipynb", ["# Runs after the broken one", "x = 1 + 1\nprint(x)"])
    return d


def test_failure_is_reported_and_others_render(tmp_path, two_notebooks):
    out = tmp_path / "reports"
    results = report.build_report(data="sample", out=out, quiet=True, notebook_dir=two_notebooks, timeout=120)
    status = {r.name: r.status for r in results}
    assert status == {"01_good": "ok", "02_bad": "failed", "03_after": "ok"}
    bad = next(r for r in results if r.name == "02_bad")
    assert "planted failure for the test" in bad.error
    # every notebook has a page, the broken one shows its traceback
    for name in status:
        assert (out / f"{name}.html").exists()
    assert "planted failure for the test" in (out / "02_bad.html").read_text()
    # the notebook ran with its own folder as working directory
    assert "cwd notebooks" in (out / "01_good.html").read_text()
    # the index lists every notebook with title, question, status and run time
    index = (out / "index.html").read_text()
    for title in ("A good notebook", "A broken notebook", "Runs after the broken one"):
        assert title in index
    assert "does it run?" in index
    assert index.count(">failed<") == 1 and index.count(">ok<") == 2
    assert re.search(r"\d+\.\d&nbsp;s", index)
    data = json.loads((out / "report.json").read_text())
    assert [n["name"] for n in data["notebooks"]] == ["01_good", "02_bad", "03_after"]


def test_pages_carry_provenance_and_no_cdn_scripts(tmp_path, two_notebooks):
    out = tmp_path / "reports"
    report.build_report(out=out, quiet=True, notebook_dir=two_notebooks, only="01_", timeout=120)
    page = (out / "01_good.html").read_text()
    assert 'id="provenance"' in page
    for field in ("Data source", "Git commit", "Python", "Key packages", "pandas", "statsmodels"):
        assert field in page
    assert not re.search(r'<script[^>]*src="https?://', page), "pages must not load scripts from a CDN"
    assert "data:image/png;base64" in page, "figures are embedded in the page"
    frozen = (out / "requirements-frozen.txt").read_text()
    assert re.search(r"^pandas==\d", frozen, re.M)
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["python"].startswith("3.")


def test_only_filter_and_cli_exit_code(tmp_path, two_notebooks, monkeypatch, capsys):
    assert [p.name for p in report.discover(two_notebooks, "02")] == ["02_bad.ipynb"]
    assert [p.name for p in report.discover(two_notebooks, "0[13]_*")] == ["01_good.ipynb", "03_after.ipynb"]
    monkeypatch.setattr(report, "repo_root", lambda: two_notebooks.parent)

    class Args:
        data, out, only, hide_code, timeout, quiet = "sample", tmp_path / "r", "02", True, 120, True

    assert report.report_cli(Args) == 1
    assert "02_bad" in capsys.readouterr().err


def test_parameters_are_injected_only_when_declared(tmp_path):
    d = tmp_path / "nbs"
    d.mkdir()
    _nb(d / "p.ipynb", ["# P", "print('OUT=' + OUTPUT_DIR)"], params="OUTPUT_DIR = 'unset'\nTHRESHOLD: int = 3")
    assert report.declared_parameters(d / "p.ipynb") == {"OUTPUT_DIR", "THRESHOLD"}
    out = tmp_path / "rep"
    (res,) = report.build_report(out=out, quiet=True, notebook_dir=d, timeout=120)
    assert res.status == "ok"
    assert f"OUT={out}" in (out / "p.html").read_text()


def test_hide_code(tmp_path, two_notebooks):
    out = tmp_path / "reports"
    report.build_report(out=out, quiet=True, notebook_dir=two_notebooks, only="03_", hide_code=True, timeout=120)
    page = (out / "03_after.html").read_text()
    assert "x = 1 + 1" not in page and ">2<" in page.replace("\n", "")
