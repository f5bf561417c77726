"""Helpers for the EOIR quota notebooks.

One module per job, following the data flow

    raw release --ingest--> processed Parquet --build--> derived datasets --notebooks/report--> HTML

* ``helpers.eoir``      reading the EOIR FOIA release (raw format, quirks, ingest, accounting)
* ``helpers.synth``     generating synthetic releases in the same raw format, with planted effects
* ``helpers.datasets``  deriving analysis datasets from processed tables
* ``helpers.pressure``  quota-pressure measures (pace, bite, gap to the 700 path)
* ``helpers.models``    statistical models returning tidy estimate tables
* ``helpers.plots``     the collection's figure style and plot helpers
* ``helpers.published`` real published national statistics with their sources
* ``helpers.report``    executing notebooks and rendering the HTML report
"""

from __future__ import annotations

__version__ = "0.1.0"

# Policy dates used throughout the collection (sources: shared literature, LITERATURE.md section 0).
QUOTA_ANNOUNCED = "2018-03-30"   # revised IJ performance work plans announced
QUOTA_START = "2018-10-01"       # 700 completions a year, counted from FY2019
QUOTA_SUSPENDED = "2021-10-19"   # Chief IJ email suspending the quota
COVID_START = "2020-03-16"       # non-detained hearings postponed nationwide (16-18 Mar 2020)
QUOTA_TARGET = 700               # completions per fiscal year for a "satisfactory" rating
QUOTA_NEEDS_IMPROVEMENT = 560    # 560-699 completions: "needs improvement"; below 560: unsatisfactory
