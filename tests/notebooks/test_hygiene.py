"""Committed notebooks: no outputs, kernel python3, one ``parameters`` cell, a title and a question."""

from __future__ import annotations

import nbformat
import pytest

from helpers._util import repo_root

NOTEBOOKS = sorted((repo_root() / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {i} has outputs (strip them: nbstripout {path.name})"
            assert cell.execution_count is None, f"{path.name}: cell {i} has an execution count"
    params = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name}: needs exactly one cell tagged 'parameters', found {len(params)}"
    assert "OUTPUT_DIR" in params[0].source, f"{path.name}: the parameters cell must define OUTPUT_DIR"
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert md.lstrip().startswith("# "), f"{path.name}: must open with a '# Title' markdown heading"
    assert "**Question" in md, f"{path.name}: needs a '**Question:**' line (shown in the report index)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_cells_stay_thin(path):
    """Logic belongs in src/helpers: no code cell longer than 25 lines, no function or class definitions."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(lines) <= 25, f"{path.name}: code cell {i} has {len(lines)} lines; move logic into helpers"
        assert not any(ln.startswith(("def ", "class ")) for ln in lines), f"{path.name}: cell {i} defines a function/class"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_papermill_reads_every_parameter(path):
    """papermill's parameter inspection (``papermill --help-notebook``, and the report) skips a line with more than
    one '=', so a comment such as '# None = all courts' hides the parameter: every parameter must be readable."""
    from papermill.translators import PythonTranslator

    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    assigned = [ln.split("=", 1)[0].strip() for ln in cell.source.splitlines()
                if ln.strip() and not ln.strip().startswith("#") and "=" in ln.split("#", 1)[0]]
    found = [p.name for p in PythonTranslator.inspect(cell)]
    assert found == assigned, f"{path.name}: papermill reads {found}, the cell assigns {assigned}"
