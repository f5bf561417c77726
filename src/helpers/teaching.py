"""Classroom support: self-checking exercises and the student version of a teaching notebook.

The instructor notebook holds the exercises with their solutions in cells tagged ``solution``. The student
version is written by

    python -m helpers strip-solutions notebooks/teaching/<name>.ipynb --out <student>.ipynb

which drops every ``solution`` cell and every output. Exercises check themselves with :func:`check`, which
compares a student's answer with the value the helpers compute from the same data (never a typed-in number),
and prints a clear PASS/FAIL message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"


@dataclass
class CheckResult:
    name: str
    passed: bool
    message: str

    def _repr_html_(self) -> str:  # shown as a coloured box in notebooks and the HTML report
        colour, mark = ("#1b7f3b", "PASS") if self.passed else ("#b30000", "FAIL")
        return (f'<div style="border-left:6px solid {colour};padding:0.3em 0.8em;background:#f7f7f7">'
                f"<b style='color:{colour}'>{mark}</b> {self.name}: {self.message}</div>")

    def __repr__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.message}"

    def __bool__(self) -> bool:
        return self.passed


def check(name: str, answer, expected, rel_tol: float = 1e-6, abs_tol: float = 1e-9, hint: str = "") -> CheckResult:
    """Compare ``answer`` with ``expected`` (numbers within tolerance; other values by equality).

    Returns a :class:`CheckResult` (truthy when passed) whose notebook display says PASS or FAIL and why.
    An answer left as ``None`` or ``...`` fails with "not answered yet".
    """
    if answer is None or answer is Ellipsis:
        return CheckResult(name, False, "not answered yet" + (f" — hint: {hint}" if hint else ""))
    try:
        a, e = float(answer), float(expected)
        ok = math.isclose(a, e, rel_tol=rel_tol, abs_tol=abs_tol)
        shown = f"your answer {a:.6g}"
    except (TypeError, ValueError):
        ok = answer == expected
        shown = f"your answer {answer!r}"
    if ok:
        return CheckResult(name, True, f"{shown} is right.")
    return CheckResult(name, False, f"{shown} is not right." + (f" Hint: {hint}" if hint else ""))


def strip_solutions(notebook: Path | str, out: Path | str) -> Path:
    """Write the student version: drop cells tagged ``solution``, clear outputs and execution counts."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    nb.metadata.setdefault("helpers", {})["student_version_of"] = Path(notebook).name
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out


def strip_solutions_cli(args) -> int:
    out = strip_solutions(args.notebook, args.out)
    print(f"student version written to {out}")
    return 0
