"""The classroom notebook and its expected values (helpers.analyses.classroom).

Hand-made frames for the expected-value functions, then the notebook itself, executed with papermill on the
sample release: the instructor version passes all nine checks, the student version (solutions stripped) runs and
reports every exercise as "not answered yet", and a wrong answer fails its check.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest

from helpers import datasets
from helpers.__main__ import main
from helpers.analyses import classroom, common

N_EXERCISES = 9


# ------------------------------------------------------------------------------------------- expected values

def test_check_handles_unanswered_unavailable_and_nan():
    assert "not answered yet" in classroom.check("e", ..., classroom.Unavailable("x")).message
    r = classroom.check("e", 3, classroom.Unavailable("too few judges"))
    assert not r and r.message == "cannot be checked on this release: too few judges"
    assert "cannot be checked" in classroom.check("e", 1.0, float("nan")).message
    assert classroom.check("e", 0.25, 0.25).passed and not classroom.check("e", 0.26, 0.25).passed
    board = classroom.scoreboard([classroom.check("a", 1, 1), classroom.check("b", 1, 2)])
    assert list(board["result"]) == ["PASS", "FAIL"] and board.attrs["passed"] == 1


def test_grant_rates_with_both_denominators():
    a = pd.DataFrame({"fiscal_year": [2018.0] * 5 + [2019.0],
                      "granted": [True, False, False, False, False, True],
                      "trac_decided": [True, True, False, False, False, True],
                      "eoir_decided": [True, True, True, True, False, True]})
    assert classroom.grant_rate(a, 2018, "trac") == pytest.approx(1 / 2)
    assert classroom.grant_rate(a, 2018, "eoir") == pytest.approx(1 / 4)
    assert isinstance(classroom.grant_rate(a, 2020, "trac"), classroom.Unavailable)


def test_court_range_and_exercise_court_follow_trac_rule():
    rows = []
    for judge, court, n, k in [("a", "X", 100, 10), ("b", "X", 120, 60), ("c", "X", 99, 99), ("d", "Y", 200, 20),
                               ("e", "Y", 150, 30), ("f", "Y", 100, 50)]:
        rows += [(judge, court, i < k) for i in range(n)]
    a = pd.DataFrame(rows, columns=["ij_code", "court", "granted"])
    a["denied"] = ~a["granted"]
    a["trac_decided"] = True
    a["fiscal_year"] = 2017.0
    a["decision_date"] = pd.Timestamp("2017-01-15")
    assert classroom.exercise_court(a, 2016, 2018, 100) == "Y"            # three qualifying judges
    assert classroom.court_range(a, "X", 2016, 2018, 100) == pytest.approx(0.5 - 0.1)   # c has 99 decisions
    assert classroom.court_range(a, "Y", 2016, 2018, 100) == pytest.approx(0.5 - 0.1)
    assert isinstance(classroom.court_range(a, "X", 2016, 2018, 200), classroom.Unavailable)
    assert classroom.exercise_court(a, 2016, 2018, 200) is None


def test_judge_choice_and_values():
    j = pd.DataFrame({"ij_code": ["a", "b", "c"], "pace": [500.0, 350.0, np.nan], "bite": [2 / 7, 0.5, np.nan]})
    assert classroom.exercise_judge(j) == "b"
    assert classroom.judge_value(j, "b", "pace") == 350.0
    assert isinstance(classroom.judge_value(j, "c", "bite"), classroom.Unavailable)
    assert classroom.exercise_judge(j.iloc[[2]]) is None


def test_effect_at_bite_and_coverage_of_the_planted_value():
    n = 2
    est = pd.DataFrame({"term": ["bite:quota", "bite:announce"], "estimate": [-0.15, -0.3], "std_error": [0.12] * n,
                        "ci_low": [-0.4, -0.6], "ci_high": [0.1, 0.0], "p_value": [0.2] * n, "n_obs": [100] * n,
                        "n_clusters": [20.0] * n, "model": ["did_dose/feols"] * n, "outcome": ["granted"] * n,
                        "scale": "probability"})
    assert classroom.effect_at_bite(est, 0.2) == pytest.approx(-3.0)
    truth = pd.DataFrame({"outcome": ["asylum_grant"] * 2, "term": ["bite:quota", "bite:announce"],
                          "ame": [-0.3, -0.07], "planted_coefficient": [-2.0, -0.5]})
    assert classroom.covers_planted(est, truth) is True                   # probability scale: the AME
    assert classroom.covers_planted(est.assign(ci_low=-0.2), truth) is False
    logit = est.assign(scale="log-odds", ci_low=-2.5, ci_high=-1.5)
    assert classroom.covers_planted(logit, truth) is True                 # log-odds: the planted coefficient
    assert classroom.covers_planted(logit.assign(ci_high=-2.1), truth) is False
    assert isinstance(classroom.covers_planted(est, None), classroom.Unavailable)
    assert isinstance(classroom.covers_planted(est.iloc[:0], truth), classroom.Unavailable)
    assert isinstance(classroom.effect_at_bite(est.iloc[[1]], 0.2), classroom.Unavailable)


def test_ingest_summary_counts_nulled_values_and_reconciles():
    report = {"tables": {
        "a": {"lines_read": 10, "rows_written": 9, "rows_quarantined": 1, "rows_repaired": 2,
              "values_nulled": {"x": {"tokens": {"00": 3, "N/A": 1}, "invalid": 1, "implausible": 0, "examples": []}}},
        "b": {"lines_read": 5, "rows_written": 4, "rows_quarantined": 0},
    }}
    s = classroom.ingest_summary(report).set_index("table")
    assert s.loc["a", "values_nulled"] == 5 and s.loc["a", "reconciled"]
    assert not s.loc["b", "reconciled"]


# ------------------------------------------------------------------------------------------- sample release

def test_the_pace_exercise_is_solvable_for_every_judge(sample_derived):
    """The instructor's solution (from judge_month) reproduces the pipeline's pace for every judge with one."""
    jm = datasets.load(sample_derived, "judge_month")
    judges = datasets.load(sample_derived, "judges")
    paced = judges[judges["pace"].notna()]
    assert len(paced) >= 20
    for code, pace in zip(paced["ij_code"], paced["pace"]):
        x = jm[(jm["ij_code"] == code) & jm["fiscal_year"].between(2017, 2018)]
        on = x.loc[x["active"], "month"]
        months = (on.max().to_period("M") - on.min().to_period("M")).n + 1
        assert x["completions"].sum() / months * 12 == pytest.approx(pace), code


def test_classroom_did_recovers_the_planted_effect(sample_derived, placebo_derived):
    """The models of exercises 7-8 on the sample and placebo releases.

    Logit (log-odds, the scale the effect is planted on): the 95% interval covers the planted coefficient on the
    sample. LPM: covers zero on the placebo and is negative on the sample; it is not compared with the planted
    average marginal effect, because an OLS coefficient on a judge-level dose weights judges by their leverage in
    bite rather than every decision equally, and the planted effect on the probability scale differs between judges
    (the notebook shows this comparison and discusses it).
    """
    truth = common.truth_table(sample_derived).set_index(["outcome", "term"])
    planted = truth.loc[("asylum_grant", "bite:quota"), "planted_coefficient"]
    a, j = datasets.load(sample_derived, "asylum_decisions"), datasets.load(sample_derived, "judges")
    logit = classroom.did_estimates(a, j, 2016, 2024, method="feglm_logit")
    row = logit.set_index("term").loc["bite:quota"]
    assert row["scale"] == "log-odds"
    assert row["ci_low"] <= planted <= row["ci_high"], (planted, row[["ci_low", "ci_high"]].tolist())
    assert classroom.covers_planted(logit, common.truth_table(sample_derived)) is True
    assert classroom.did_estimates(a, j, 2016, 2024).set_index("term").loc["bite:quota", "estimate"] < 0


@pytest.mark.parametrize("method", ["feols", "feglm_logit"])
@pytest.mark.xfail(strict=True, reason=(
    "known weakness, measured: on the placebo release (seed 20181002) the classroom DiD with CRV1 errors by judge "
    "and no case covariates rejects zero: LPM +0.24 (95% CI 0.02 to 0.47), logit about +1.3 log-odds (0.07 to "
    "2.46). Few judges carry high bite (7 above 0.2), their grant rates drifted up by chance, and CRV1 with few "
    "high-dose clusters is too narrow. Notebook 04's CRV3 (leave-one-judge-out) intervals cover zero on the same release; the "
    "validation study measures false-positive rates over many seeds."))
def test_classroom_did_covers_zero_on_the_placebo(placebo_derived, method):
    a, j = datasets.load(placebo_derived, "asylum_decisions"), datasets.load(placebo_derived, "judges")
    est = classroom.did_estimates(a, j, 2016, 2024, method=method)
    assert classroom.covers_planted(est, common.truth_table(placebo_derived)) is True


# ------------------------------------------------------------------------------------------- the notebook itself

CHECK_RE = re.compile(r"^(PASS|FAIL) Exercise (\d+)\b")


def _checks(path) -> dict[int, tuple[bool, str]]:
    """Exercise number -> (passed, the whole check line), from the text of the executed notebook's check outputs."""
    nb = nbformat.read(path, as_version=4)
    out: dict[int, tuple[bool, str]] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                raise AssertionError(f"{path.name}: {o['ename']}: {o['evalue']}")
            text = o.get("data", {}).get("text/plain", "") if "data" in o else ""
            for line in str(text).splitlines():
                m = CHECK_RE.match(line.strip())
                if m:
                    out[int(m.group(2))] = (m.group(1) == "PASS", line.strip())
    return out


def _inject_wrong_answer(src, dst, exercise: int = 2) -> None:
    nb = nbformat.read(src, as_version=4)
    sol = [c for c in nb.cells if "solution" in c.metadata.get("tags", []) and f"answer_{exercise} =" in c.source]
    assert len(sol) == 1
    sol[0].source += f"\nanswer_{exercise} = answer_{exercise} + 0.05   # a wrong answer"
    nbformat.write(nb, dst)


@pytest.fixture(scope="module")
def executed(tmp_path_factory, sample_derived, repo_root):
    """Instructor, student and wrong-answer versions, executed in parallel (separate papermill processes)."""
    tmp = tmp_path_factory.mktemp("classroom")
    instructor = repo_root / "notebooks" / "teaching" / "measuring_independence.ipynb"
    student = tmp / "student" / "measuring_independence.ipynb"
    assert main(["strip-solutions", str(instructor), "--out", str(student)]) == 0     # the documented command
    wrong = tmp / "wrong.ipynb"
    _inject_wrong_answer(instructor, wrong)
    runs = {"instructor": instructor, "student": student, "wrong": wrong}
    procs = {}
    for name, nb in runs.items():
        out = tmp / f"{name}_out.ipynb"
        cmd = [sys.executable, "-m", "papermill", str(nb), str(out), "-p", "DATA", str(sample_derived),
               "-p", "OUTPUT_DIR", str(tmp / f"reports_{name}"), "--log-level", "ERROR", "--no-progress-bar"]
        procs[name] = (subprocess.Popen(cmd, cwd=instructor.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True), out)
    results = {}
    for name, (proc, out) in procs.items():
        log, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name} version failed:\n{log[-3000:]}"
        results[name] = out
    results["student_source"] = student
    results["tmp"] = tmp
    return results


def test_instructor_version_passes_every_check(executed):
    checks = _checks(executed["instructor"])
    assert sorted(checks) == list(range(1, N_EXERCISES + 1))
    failed = {k: msg for k, (ok, msg) in checks.items() if not ok}
    assert not failed, failed
    est = pd.read_csv(executed["tmp"] / "reports_instructor" / "tables" / "measuring_independence_estimates.csv")
    assert "bite:quota" in set(est["term"]) and est["truth"].notna().all()


def test_student_version_has_no_solutions_and_reports_not_answered(executed):
    nb = nbformat.read(executed["student_source"], as_version=4)
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
    assert sum("answer_" in c.source and "= ..." in c.source for c in nb.cells if c.cell_type == "code") >= 5
    checks = _checks(executed["student"])
    assert sorted(checks) == list(range(1, N_EXERCISES + 1))
    assert all(not ok and "not answered yet" in msg for ok, msg in checks.values()), checks


def test_a_wrong_answer_fails_its_check_only(executed):
    checks = _checks(executed["wrong"])
    assert checks[2][0] is False and "is not right" in checks[2][1] and "grants" in checks[2][1]
    assert all(ok for k, (ok, _) in checks.items() if k != 2), checks
