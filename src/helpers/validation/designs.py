"""Every headline design on one derived release, each estimate beside its planted value.

:func:`run_designs` is one replication's analysis step of the validation study. Each design is called through its
own module's public function with the notebooks' default windows (nothing is re-implemented here):

============================ ===================================================== =================================
design key                   function                                              compared with (truth)
============================ ===================================================== =================================
first_stage_poisson          ``caseload.first_stage`` (Poisson) on ``design_panel`` planted coefficient (log count)
caseload_gap_poisson         ``caseload.gap_design`` (Poisson)                      planted coefficient
asylum_did_lpm_crv3 / _crv1  ``asylum.did`` (LPM) + ``asylum.reversal_test``        planted AME
asylum_did_logit             ``asylum.did(method="feglm_logit")`` + reversal        planted coefficient (log-odds)
asylum_pretrend_crv1 / _crv3 ``asylum.event_study`` + ``models.pretrend_test``      none planted before 30 Mar 2018
asylum_placebo_dates         ``asylum.placebo_dates``                               0
asylum_gap_lpm_crv3          ``asylum.gap_design``                                  planted AME; 0 before the announcement
asylum_its                   ``asylum.its`` on ``asylum.monthly_series``            ``asylum.its_benchmark`` (mean effect)
hearing_did_jackknife / crv1 ``continuances.bite_did`` (hearings)                   planted AME
hearing_gap_jackknife        ``continuances.gap_design`` (hearings)                 planted AME
motion_did_lpm_jackknife     ``continuances.motion_designs`` (LPM rows)             planted AME
motion_did_logit             ``continuances.motion_designs`` (logit rows)           planted coefficient
absentia_did_lpm_jackknife   ``absentia.absentia_designs`` (LPM rows)               planted AME
absentia_did_logit           ``absentia.absentia_designs`` (logit rows)             planted coefficient
absentia_gap_jackknife       ``absentia.absentia_designs`` (gap rows)               planted AME
asylum_did_logit_crv3        ``asylum.did(method="feglm_logit", vcov_type="CRV3")`` planted coefficient (log-odds)
motion_did_logit_jackknife   ``continuances.bite_did`` (motions, logit, jackknife)   planted coefficient
absentia_did_logit_jackknife ``continuances.bite_did`` (completions, logit, jk.)    planted coefficient
============================ ===================================================== =================================

The last three are the logits with the one-step leave-one-judge-out jackknife
(``helpers.models.fixest.one_step_jackknife``), added after the first 20-seed study; they were run as a separate
study (``data/validation/README.md``), so ``--designs`` selects designs.

Truth (``truth/effects_truth.csv`` of the release): logit and Poisson rows get the planted coefficient, linear
probability rows the planted average marginal effect (``helpers.analyses.common.with_truth``; the asylum rows
through ``asylum.attach_truth``, which adds the ITS benchmark and the zero truths of pre-announcement terms). A model
*without* a gap term loads part of the planted gap effect on bite, so for those designs ``bite:quota`` is compared
with the ``bite_total:quota`` row (docs/SYNTH.md); ``truth_term`` says which row was used.

COVID-19: every design marked ``covid`` is also estimated without the months March 2020 - June 2021
(:data:`COVID_MONTHS`), sample ``"without Mar 2020-Jun 2021"``; the truth stays the release's (an AME averaged over
all quota months, so it is the target only approximately for that sample).

A design the data cannot support (too few judges, no variation) gives rows with ``status = "not estimated"`` and
the reason in ``note``; any other exception gives ``status = "error"`` with its message. Nothing is dropped.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

BITE_TERMS = ("bite:quota", "bite:announce", "bite:post_suspension")
REVERSAL = "bite:post_suspension - bite:quota"
GAP_TERMS = ("gap_share_lag:quota", "gap_share_lag", "gap_share_lag:announce", "gap_share_lag:post_suspension")
PLACEBO_STARTS = ("2015-10-01", "2016-10-01")
PLACEBO_TERMS = tuple(f"bite:placebo[{s}]" for s in PLACEBO_STARTS)
ITS_TERMS = ("level:quota", "slope:quota", "level:post_suspension", "slope:post_suspension", "announce")
PRETREND = "pretrend (quarters -8 to -4)"

#: The two samples of each design: all months, and without the COVID-19 months.
ALL_MONTHS = "all months"
NO_COVID = "without Mar 2020-Jun 2021"
SAMPLES = (ALL_MONTHS, NO_COVID)
#: COVID-19 months left out in the ``NO_COVID`` sample: [first day, end) = calendar months March 2020 - June 2021
#: (non-detained hearings postponed from mid-March 2020, staggered reopening through June 2021: DESIGNS.md D3).
COVID_MONTHS = ("2020-03-01", "2021-07-01")

#: Fiscal-year windows: the notebooks' parameter defaults (02/04: FY2012-FY2024; 05/06: FY2014-FY2024).
FY_CASELOAD = (2012, 2024)
FY_ASYLUM = (2012, 2024)
FY_HEARINGS = (2014, 2024)

#: Columns of the per-design rows returned by :func:`run_designs` (the replication columns are added by the runner).
DESIGN_COLUMNS = [
    "design", "sample", "outcome", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value", "truth",
    "truth_term", "null_true", "estimate_scale", "n_obs", "n_clusters", "status", "note", "design_label", "runtime",
]

TRUTH_BY_SCALE = {"log-odds": "planted_coefficient", "probability": "ame", "log-count": "planted_coefficient"}


class Inputs:
    """The analysis frames of one derived release, built once and shared by the designs.

    Frames are built on first use; building one can raise :class:`helpers.models.ModelInputError` (e.g. no
    asylum decision left in a tiny release), which marks every design that needs it as not estimated.
    """

    def __init__(self, derived) -> None:
        from helpers import datasets
        from helpers.analyses import common

        self.derived = derived
        self.judges = datasets.load(derived, "judges")
        self.judge_month = datasets.load(derived, "judge_month")
        self.truth = common.truth_table(derived)
        self.truth_json = datasets.truth(derived)
        self._cache: dict = {}

    def _memo(self, key, build: Callable[[], object]):
        """``build()`` once per key; a ModelInputError is cached too and raised again for every caller."""
        if key not in self._cache:
            t0 = time.perf_counter()
            try:
                value, err = build(), None
            except Exception as e:  # noqa: BLE001 - re-raised below, to every caller
                value, err = None, e
            self._cache[key] = (value, err, time.perf_counter() - t0)
        value, err, _ = self._cache[key]
        if err is not None:
            raise err
        return value

    def seconds(self, key) -> float:
        """Time spent building ``key`` (0 if never built)."""
        return self._cache.get(key, (None, None, 0.0))[2]

    # ---------------------------------------------------------------- judge-month panels (notebook 02)
    def panel(self, no_covid: bool, require_bite: bool = True) -> pd.DataFrame:
        from helpers.analyses import caseload as cl

        drop = (COVID_MONTHS[0], _last_month(COVID_MONTHS[1])) if no_covid else None
        return self._memo(("panel", no_covid, require_bite), lambda: cl.design_panel(
            self.judge_month, FY_CASELOAD[0], FY_CASELOAD[1], require_bite=require_bite, drop_months=drop))

    # ---------------------------------------------------------------- asylum decisions (notebook 04)
    def asylum(self, kind: str = "bite", no_covid: bool = False) -> pd.DataFrame:
        """``kind`` ``bite``: judges with a bite (D1, D2, D4, placebo); ``gap``: all judges with a known gap (D3)."""
        from helpers import datasets
        from helpers.analyses import asylum

        def build() -> pd.DataFrame:
            dec = self._memo("asylum_decisions", lambda: datasets.load(self.derived, "asylum_decisions"))
            kw = dict(fy_min=FY_ASYLUM[0], fy_max=FY_ASYLUM[1])
            if kind == "gap":
                kw.update(require_bite=False, require_gap=True)
            return asylum.build_sample(dec, self.judges, self.judge_month, **kw)[0]

        cases = self._memo(("asylum", kind), build)
        return drop_covid(cases, "decision_date") if no_covid else cases

    # ---------------------------------------------------------------- hearings and motions (notebook 05)
    def hearings(self, no_covid: bool = False) -> pd.DataFrame:
        from helpers import datasets
        from helpers.analyses import continuances as cont

        h = self._memo("hearings", lambda: cont.hearing_frame(
            datasets.load(self.derived, "hearings", columns=cont.HEARING_COLUMNS), self.judges, self.judge_month,
            fy_min=FY_HEARINGS[0], fy_max=FY_HEARINGS[1]))
        return drop_covid(h, "adj_date") if no_covid else h

    def motions(self, no_covid: bool = False) -> pd.DataFrame:
        from helpers import datasets
        from helpers.analyses import continuances as cont

        m = self._memo("motions", lambda: cont.motion_frame(
            datasets.load(self.derived, "continuance_motions"), self.judges, self.judge_month,
            fy_min=FY_HEARINGS[0], fy_max=FY_HEARINGS[1]))
        return drop_covid(m, "decision_date") if no_covid else m

    def motion_fit(self, no_covid: bool) -> pd.DataFrame:
        from helpers.analyses import continuances as cont

        return self._memo(("motion_fit", no_covid),
                          lambda: cont.motion_designs(self.motions(no_covid), logit_se="crv1"))

    # ---------------------------------------------------------------- completions (notebook 06)
    def completions(self, no_covid: bool = False) -> pd.DataFrame:
        from helpers import datasets
        from helpers.analyses import absentia as ab

        c = self._memo("completions", lambda: ab.completion_frame(
            datasets.load(self.derived, "completions", columns=ab.COMPLETION_COLUMNS), self.judges, self.judge_month,
            denominator="all", fy_min=FY_HEARINGS[0], fy_max=FY_HEARINGS[1]))
        return drop_covid(c, "comp_date") if no_covid else c

    def absentia_fit(self, no_covid: bool) -> pd.DataFrame:
        from helpers.analyses import absentia as ab

        return self._memo(("absentia_fit", no_covid),
                          lambda: ab.absentia_designs(self.completions(no_covid), "in_absentia", logit_se="crv1"))


def _last_month(end_exclusive: str) -> str:
    """First day of the month before ``end_exclusive`` (``design_panel`` takes inclusive months)."""
    return str((pd.Timestamp(end_exclusive) - pd.offsets.MonthBegin(1)).date())


def drop_covid(frame: pd.DataFrame, date_col: str, months: tuple[str, str] = COVID_MONTHS) -> pd.DataFrame:
    """Rows dated outside [``months[0]``, ``months[1]``) (default: March 2020 - June 2021 left out)."""
    d = pd.to_datetime(frame[date_col])
    out = frame.loc[(d < pd.Timestamp(months[0])) | (d >= pd.Timestamp(months[1])).to_numpy()]
    out.attrs = dict(frame.attrs)
    return out


# --------------------------------------------------------------------------------------------- design table

@dataclass(frozen=True)
class Design:
    """One headline design: its key in the results, outcome, estimate scale, the terms kept, whether the model
    has a gap term (if not, ``bite:quota`` is compared with ``bite_total:quota``), whether it is also estimated
    without the COVID months, whether its null holds by construction in every scenario (tests of pre-policy
    periods), and ``fit(inputs, no_covid)`` returning the tidy rows (or raising ModelInputError)."""

    key: str
    label: str
    outcome: str
    scale: str
    terms: tuple[str, ...]
    fit: Callable[[Inputs, bool], pd.DataFrame] = field(repr=False)
    gap_term: bool = False
    covid: bool = True
    null_by_design: bool = False
    truth_rule: str = "common"          # "asylum": helpers.analyses.asylum.attach_truth


def _asylum_did(vcov: str, method: str = "feols") -> Callable[[Inputs, bool], pd.DataFrame]:
    def fit(inp: Inputs, no_covid: bool) -> pd.DataFrame:
        from helpers.analyses import asylum

        est = asylum.did(inp.asylum("bite", no_covid), method=method, vcov_type=vcov)
        return pd.concat([est, asylum.reversal_test(est)], ignore_index=True)
    return fit


def _pretrend(vcov: str) -> Callable[[Inputs, bool], pd.DataFrame]:
    def fit(inp: Inputs, no_covid: bool) -> pd.DataFrame:
        from helpers import models
        from helpers.analyses import asylum

        es = asylum.event_study(inp.asylum("bite"), vcov_type=vcov)
        t = models.pretrend_test(es, before=asylum.EVENT_REF)
        row = es.iloc[[0]].reset_index(drop=True)
        return pd.DataFrame({
            "term": [PRETREND], "estimate": t["statistic"].to_numpy(), "std_error": np.nan, "ci_low": np.nan,
            "ci_high": np.nan, "p_value": t["p_value"].to_numpy(), "n_obs": row["n_obs"].to_numpy(),
            "n_clusters": row["n_clusters"].to_numpy(), "model": "pretrend_test", "outcome": row["outcome"].to_numpy(),
            "scale": "F statistic", "design": row["design"].to_numpy(),
        })
    return fit


def _rows(getter: Callable[[Inputs, bool], pd.DataFrame], keep: Callable[[pd.DataFrame], pd.Series],
          note_prefix: str) -> Callable[[Inputs, bool], pd.DataFrame]:
    """Rows of a shared fit (several designs in one call) selected by ``keep``; if none, the call's note says why."""
    def fit(inp: Inputs, no_covid: bool) -> pd.DataFrame:
        from helpers.models import ModelInputError

        est = getter(inp, no_covid)
        out = est[keep(est)] if len(est) else est
        if out.empty:
            notes = [n for n in est.attrs.get("notes", []) if n.startswith(note_prefix)]
            raise ModelInputError(notes[0] if notes else f"{note_prefix}: no rows in the fit")
        return out
    return fit


def _motion_logit_jackknife(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import continuances as cont
    return cont.bite_did(inp.motions(no_covid), cont.MOTION_OUTCOME, fe=cont.FE_MOTION_LOGIT, method="feglm_logit",
                         se="jackknife")


def _absentia_logit_jackknife(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import absentia as ab, continuances as cont
    return cont.bite_did(inp.completions(no_covid), "in_absentia", fe="judge + court_month", method="feglm_logit",
                         controls=list(ab.CONTROLS), se="jackknife")


def _cl_first_stage(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import caseload as cl
    return cl.first_stage(inp.panel(no_covid), "completions", "fepois")


def _cl_gap(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import caseload as cl
    return cl.gap_design(inp.panel(no_covid, require_bite=False), "completions", "fepois")


def _asylum_placebo(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import asylum
    return asylum.placebo_dates(inp.asylum("bite"), starts=PLACEBO_STARTS, vcov_type="CRV3")


def _asylum_gap(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import asylum
    return asylum.gap_design(inp.asylum("gap", no_covid), vcov_type="CRV3")


def _asylum_its(inp: Inputs, no_covid: bool) -> pd.DataFrame:
    from helpers.analyses import asylum
    return asylum.its(asylum.monthly_series(inp.asylum("bite")))


def _hearing(fn: str, se: str) -> Callable[[Inputs, bool], pd.DataFrame]:
    def fit(inp: Inputs, no_covid: bool) -> pd.DataFrame:
        from helpers.analyses import continuances as cont
        if fn == "bite":
            return cont.bite_did(inp.hearings(no_covid), cont.OUTCOME, fe=cont.FE_BITE, se=se)
        return cont.gap_design(inp.hearings(no_covid), cont.OUTCOME, fe=cont.FE_GAP, se=se)
    return fit


def _is_gap(e: pd.DataFrame) -> pd.Series:
    return e["term"].astype(str).str.startswith("gap_share_lag")


DESIGNS: tuple[Design, ...] = (
    Design("first_stage_poisson", "D2 first stage, completions (Poisson, CRV1)", "completions", "log-count",
           BITE_TERMS, _cl_first_stage),
    Design("caseload_gap_poisson", "D3 within-year gap, completions (Poisson, CRV1)", "completions", "log-count",
           GAP_TERMS, _cl_gap, gap_term=True),
    Design("asylum_did_lpm_crv3", "D2 asylum grants (LPM, CRV3)", "asylum_grant", "probability",
           BITE_TERMS + (REVERSAL,), _asylum_did("CRV3"), truth_rule="asylum"),
    Design("asylum_did_lpm_crv1", "D2 asylum grants (LPM, CRV1)", "asylum_grant", "probability",
           BITE_TERMS + (REVERSAL,), _asylum_did("CRV1"), truth_rule="asylum"),
    Design("asylum_did_logit", "D2 asylum grants (logit, CRV1)", "asylum_grant", "log-odds",
           BITE_TERMS + (REVERSAL,), _asylum_did("CRV1", "feglm_logit"), truth_rule="asylum"),
    Design("asylum_pretrend_crv1", "D4 asylum event study, pre-trend F test (CRV1)", "asylum_grant", "F statistic",
           (PRETREND,), _pretrend("CRV1"), covid=False, null_by_design=True),
    Design("asylum_pretrend_crv3", "D4 asylum event study, pre-trend F test (CRV3)", "asylum_grant", "F statistic",
           (PRETREND,), _pretrend("CRV3"), covid=False, null_by_design=True),
    Design("asylum_placebo_dates", "placebo policy starts, asylum (LPM, CRV3)", "asylum_grant", "probability",
           PLACEBO_TERMS, _asylum_placebo, covid=False, null_by_design=True, truth_rule="asylum"),
    Design("asylum_gap_lpm_crv3", "D3 within-year gap, asylum grants (LPM, CRV3)", "asylum_grant", "probability",
           GAP_TERMS, _asylum_gap, gap_term=True, truth_rule="asylum"),
    Design("asylum_its", "D1 ITS, monthly rate", "asylum_grant_rate", "linear", ITS_TERMS, _asylum_its,
           covid=False, truth_rule="asylum"),
    Design("hearing_did_jackknife", "D2 continuances, hearings (LPM, jackknife)", "hearing_adjourned_respondent",
           "probability", BITE_TERMS, _hearing("bite", "jackknife")),
    Design("hearing_did_crv1", "D2 continuances, hearings (LPM, CRV1)", "hearing_adjourned_respondent",
           "probability", BITE_TERMS, _hearing("bite", "crv1")),
    Design("hearing_gap_jackknife", "D3 within-year gap, hearings (LPM, jackknife)", "hearing_adjourned_respondent",
           "probability", GAP_TERMS, _hearing("gap", "jackknife"), gap_term=True),
    Design("motion_did_lpm_jackknife", "D2 continuance motions (LPM, jackknife)", "continuance_motion_granted",
           "probability", BITE_TERMS, _rows(lambda i, c: i.motion_fit(c), lambda e: e["scale"] == "probability",
                                            "motions")),
    Design("motion_did_logit", "D2 continuance motions (logit, CRV1)", "continuance_motion_granted", "log-odds",
           BITE_TERMS, _rows(lambda i, c: i.motion_fit(c), lambda e: e["scale"] == "log-odds", "motions")),
    Design("absentia_did_lpm_jackknife", "D2 in absentia orders (LPM, jackknife)", "in_absentia", "probability",
           BITE_TERMS, _rows(lambda i, c: i.absentia_fit(c), lambda e: (e["scale"] == "probability") & ~_is_gap(e),
                             "bite DiD (LPM)")),
    Design("absentia_did_logit", "D2 in absentia orders (logit, CRV1)", "in_absentia", "log-odds",
           BITE_TERMS, _rows(lambda i, c: i.absentia_fit(c), lambda e: e["scale"] == "log-odds", "bite DiD (logit)")),
    Design("absentia_gap_jackknife", "D3 within-year gap, in absentia orders (LPM, jackknife)", "in_absentia",
           "probability", GAP_TERMS, _rows(lambda i, c: i.absentia_fit(c), _is_gap, "lagged gap (LPM)"),
           gap_term=True),
    Design("asylum_did_logit_crv3", "D2 asylum grants (logit, one-step jackknife)", "asylum_grant", "log-odds",
           BITE_TERMS + (REVERSAL,), _asylum_did("CRV3", "feglm_logit"), truth_rule="asylum"),
    Design("motion_did_logit_jackknife", "D2 continuance motions (logit, one-step jackknife)",
           "continuance_motion_granted", "log-odds", BITE_TERMS, _motion_logit_jackknife),
    Design("absentia_did_logit_jackknife", "D2 in absentia orders (logit, one-step jackknife)", "in_absentia",
           "log-odds", BITE_TERMS, _absentia_logit_jackknife),
)
DESIGN_KEYS = tuple(d.key for d in DESIGNS)


def get_design(key: str) -> Design:
    for d in DESIGNS:
        if d.key == key:
            return d
    raise ValueError(f"unknown design {key!r}; choose from {', '.join(DESIGN_KEYS)}")


# --------------------------------------------------------------------------------------------- truth

def attach_truth(est: pd.DataFrame, design: Design, truth: pd.DataFrame | None,
                 truth_json: dict | None) -> pd.DataFrame:
    """Add ``truth``, ``truth_term`` (the truth-table row used) and ``null_true`` to a design's tidy rows.

    Rules (module docstring): the module's own truth function; then, for a design without a gap term,
    ``bite:quota`` takes the ``bite_total:quota`` value (AME or planted coefficient by scale) and the reversal
    difference is recomputed from the rows it differs. ``null_true`` is True where the planted value is 0 or the
    design tests a period with no effect by construction, False where it is not 0, NA where no truth exists.
    """
    from helpers.analyses import asylum, common

    out = est.copy()
    if truth is None:
        out["truth"] = np.nan
    elif design.truth_rule == "asylum":
        out = asylum.attach_truth(out, truth, truth_json)
    else:
        out = common.with_truth(out, truth)
    terms = out["term"].astype(str)
    src = np.where(out["truth"].notna(), terms, "")
    if design.key == "asylum_its":
        src = np.where(out["truth"].notna(), "its_benchmark:" + terms, "")
    elif design.truth_rule == "asylum":
        zero = terms.str.startswith("bite:placebo[") | (terms == "gap_share_lag")
        src = np.where(zero & out["truth"].notna(), "0: no effect before the announcement", src)
    out["truth_term"] = pd.Series(src, index=out.index, dtype="str")
    if truth is not None and not design.gap_term:
        col = TRUTH_BY_SCALE.get(design.scale)
        tot = truth[(truth["outcome"] == design.outcome) & (truth["term"] == "bite_total:quota")]
        if col is not None and len(tot) == 1 and pd.notna(tot[col].iloc[0]):
            m = terms == "bite:quota"
            out.loc[m, "truth"] = float(tot[col].iloc[0])
            out.loc[m, "truth_term"] = "bite_total:quota"
            diff = terms == REVERSAL
            if diff.any():
                by_term = out.set_index(terms)["truth"]
                if {"bite:quota", "bite:post_suspension"} <= set(by_term.index):
                    out.loc[diff, "truth"] = by_term["bite:post_suspension"] - by_term["bite:quota"]
                    out.loc[diff, "truth_term"] = "bite:post_suspension - bite_total:quota"
    null = pd.array([pd.NA] * len(out), dtype="boolean")
    has = out["truth"].notna().to_numpy()
    null[has] = (out["truth"].to_numpy()[has] == 0.0)
    if design.null_by_design:
        null[:] = True
    out["null_true"] = null
    return out


# --------------------------------------------------------------------------------------------- running

def _placeholder(design: Design, sample: str, status: str, note: str) -> pd.DataFrame:
    """Rows for every term of a design that produced no estimate, with the reason."""
    from helpers.models import TIDY_COLUMNS, TIDY_DTYPES

    n = len(design.terms)
    d = {c: pd.Series([np.nan] * n, dtype=TIDY_DTYPES[c]) if TIDY_DTYPES[c] == "float64" else None
         for c in TIDY_COLUMNS}
    d.update(term=pd.Series(design.terms, dtype="str"), n_obs=pd.Series([0] * n, dtype="int64"),
             model=pd.Series([""] * n, dtype="str"), outcome=pd.Series([design.outcome] * n, dtype="str"))
    out = pd.DataFrame(d)[TIDY_COLUMNS]
    out["scale"] = design.scale
    out["design"] = design.label
    return out


def _clean_note(messages: list[str], limit: int = 400) -> str:
    keep = [m for m in dict.fromkeys(messages) if "singleton" not in m and "always 0 or always 1" not in m]
    text = " | ".join(keep)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run_design(design: Design, inputs: Inputs, sample: str) -> pd.DataFrame:
    """One design on one sample: the kept terms with truth, status, note and runtime (seconds)."""
    from helpers.models import ModelInputError

    no_covid = sample == NO_COVID
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est = design.fit(inputs, no_covid)
            status, note = "estimated", ""
        except ModelInputError as err:
            est, status, note = None, "not estimated", f"{type(err).__name__}: {err}"
        except Exception as err:  # noqa: BLE001 - recorded with its message, never dropped
            est, status, note = None, "error", f"{type(err).__name__}: {err}"
    runtime = time.perf_counter() - t0
    warned = [str(w.message) for w in caught]
    if est is not None:
        est = est[est["term"].astype(str).isin(design.terms)]
        missing = [t for t in design.terms if t not in set(est["term"].astype(str))]
        if est.empty:
            est, status, note = None, "not estimated", f"no row for the design's terms {list(design.terms)}"
        elif missing:
            warned.append(f"term(s) {missing} not estimated")
            est = pd.concat([est, _placeholder(design, sample, status, "").loc[lambda p: p["term"].isin(missing)]],
                            ignore_index=True)
    if est is None:
        est = _placeholder(design, sample, status, note)
    else:
        note = _clean_note(warned)
    out = attach_truth(est.reset_index(drop=True), design, inputs.truth, inputs.truth_json)
    est_missing = out["estimate"].isna()
    out["status"] = np.where(est_missing & (status == "estimated"), "not estimated", status)
    out["note"] = note
    out["design_label"] = out["design"].astype(str)
    out["design"] = design.key
    out["sample"] = sample
    out["estimate_scale"] = out["scale"].astype(str)
    out["runtime"] = round(runtime, 3)
    order = {t: i for i, t in enumerate(design.terms)}
    out = out.iloc[np.argsort([order[t] for t in out["term"]], kind="stable")].reset_index(drop=True)
    return out[DESIGN_COLUMNS]


def run_designs(derived, designs: tuple[Design, ...] = DESIGNS, samples: tuple[str, ...] = SAMPLES) -> pd.DataFrame:
    """Every design on the derived release ``derived``, on each sample it supports (columns :data:`DESIGN_COLUMNS`).

    Rows: one per design × sample × term, estimated or not (``status``), in the order of ``designs``.
    ``attrs["judges"]``: judges with a defined bite and all judges in the asylum samples (for the run log).
    """
    inputs = Inputs(derived)
    parts = []
    for design in designs:
        for sample in samples:
            if sample == NO_COVID and not design.covid:
                continue
            parts.append(run_design(design, inputs, sample))
    out = pd.concat(parts, ignore_index=True)
    judges = inputs.judges
    out.attrs["judges"] = int(judges["ij_code"].nunique())
    out.attrs["judges_with_bite"] = int(judges["bite"].notna().sum())
    return out


__all__ = [
    "ALL_MONTHS", "BITE_TERMS", "COVID_MONTHS", "DESIGNS", "DESIGN_COLUMNS", "DESIGN_KEYS", "Design", "GAP_TERMS",
    "ITS_TERMS", "Inputs", "NO_COVID", "PLACEBO_TERMS", "PRETREND", "REVERSAL", "SAMPLES", "attach_truth",
    "drop_covid", "get_design", "run_design", "run_designs",
]
