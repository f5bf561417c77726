"""Size presets of the generated world.

The size of a world is set by its number of courts and of judges at the start of FY2012; everything
else (receipts, hearings, applications, ...) follows from the judges' capacity, so that judges' paces
stay realistic (median about 700 completions a year) at every scale except ``tiny``. The pending
backlog grows as in the published national series, so a world has about 35 proceedings per
judge-year of FY2012 capacity (see docs/SYNTH.md, "Scales").

``tiny`` is a plumbing fixture for unit tests: its judges work at ``capacity_factor`` = 5% of a real
judge's pace, so it has a few thousand proceedings, but its paces (and therefore bite) are not
realistic. Use ``sample`` or larger for anything that reads pace, bite or the gap to the 700 path.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """Parameters of one preset (all counts are for the whole world)."""

    name: str
    n_courts: int            # immigration courts (fictional)
    judges_fy2012: int       # judges on the bench on 1 Oct 2011 (the national path scales it)
    start_fy: int            # first simulated fiscal year (a pending stock exists at its start)
    capacity_factor: float   # multiplies every judge's completion capacity (1.0 = real paces)
    detention_share: float   # share of courts with a detention hearing location


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", n_courts=3, judges_fy2012=5, start_fy=2012, capacity_factor=0.05, detention_share=0.67),
    "sample": Scale("sample", n_courts=10, judges_fy2012=22, start_fy=2012, capacity_factor=1.0, detention_share=0.5),
    "medium": Scale("medium", n_courts=24, judges_fy2012=58, start_fy=2012, capacity_factor=1.0, detention_share=0.45),
    "full": Scale("full", n_courts=60, judges_fy2012=270, start_fy=1978, capacity_factor=1.0, detention_share=0.4),
}


def get_scale(name: str) -> Scale:
    """The preset called ``name`` (``tiny``, ``sample``, ``medium`` or ``full``)."""
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; choose one of {', '.join(SCALES)}") from None
