"""Self-check messages and the strip-solutions command."""

from __future__ import annotations

import nbformat

from helpers import teaching
from helpers.__main__ import main


def test_check_pass_fail_and_unanswered():
    assert teaching.check("ex", 0.5, 0.5).passed
    assert teaching.check("ex", 0.50000001, 0.5).passed
    r = teaching.check("ex", 0.6, 0.5, hint="divide by grants + denials")
    assert not r and "not right" in r.message and "grants + denials" in r.message
    assert "not answered yet" in teaching.check("ex", None, 3).message
    assert "not answered yet" in teaching.check("ex", ..., 3).message
    assert teaching.check("ex", "respondent", "respondent").passed
    assert "FAIL" in teaching.check("ex", 1, 2)._repr_html_()


def test_strip_solutions_cli(tmp_path):
    nb = nbformat.v4.new_notebook()
    sol = nbformat.v4.new_code_cell("answer = 42")
    sol.metadata["tags"] = ["solution"]
    keep = nbformat.v4.new_code_cell("answer = ...")
    keep.outputs = [nbformat.v4.new_output("stream", text="old output")]
    keep.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercise"), keep, sol]
    src, out = tmp_path / "inst.ipynb", tmp_path / "student" / "st.ipynb"
    nbformat.write(nb, src)
    assert main(["strip-solutions", str(src), "--out", str(out)]) == 0
    st = nbformat.read(out, as_version=4)
    assert [c.source for c in st.cells] == ["# Exercise", "answer = ..."]
    assert st.cells[1].outputs == [] and st.cells[1].execution_count is None
