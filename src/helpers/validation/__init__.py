"""The method-validation simulation study (issue 7, item 1): do the headline designs recover a known effect?

Many synthetic releases (``helpers.synth``; different seeds; planted effects of several sizes including zero, and
assumption failures) each go through the real pipeline (ingest, build) and every headline design
(:mod:`helpers.validation.designs`); :mod:`helpers.validation.summary` reports bias, RMSE, 95% interval coverage,
interval width and rejection rates (false-positive rate under zero effect, power otherwise) per scenario, design,
sample, outcome and term. Command line: ``python -m helpers validate`` (:func:`validate_cli`).

Everything here runs on generated data: the results describe how the methods behave on data like the generator's,
not anything about real judges or courts.
"""

from helpers.validation.designs import DESIGNS, SAMPLES, run_designs
from helpers.validation.runner import (
    BASE_SEED, ESTIMATE_COLUMNS, RUN_COLUMNS, StudyError, output_paths, plan, read_estimates, read_runs,
    run_replication, run_study, validate_cli,
)
from helpers.validation.scenarios import SCENARIOS, available
from helpers.validation.summary import SUMMARY_COLUMNS, summarize

__all__ = [
    "BASE_SEED", "DESIGNS", "ESTIMATE_COLUMNS", "RUN_COLUMNS", "SAMPLES", "SCENARIOS", "SUMMARY_COLUMNS", "StudyError",
    "available", "output_paths", "plan", "read_estimates", "read_runs", "run_designs", "run_replication", "run_study",
    "summarize", "validate_cli",
]
