"""Scenarios of the validation study: which planted effects each simulated release gets, and why.

Each scenario is an effects file for the generator (``helpers.synth``; format in docs/SYNTH.md "Planted effects")
kept in ``helpers/validation/scenarios/<name>.toml``. Every scenario uses the same seeds, so replication *r* of
every scenario is the same simulated world (courts, judges, capacities, arrivals) with different planted effects:
differences between scenarios are paired comparisons.

The COVID-19 assumption failure is not a scenario: every design that can be is estimated on each release twice,
with and without the March 2020 - June 2021 months (``helpers.validation.designs.SAMPLES``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Scenario:
    """One scenario: ``name`` (= the TOML file's stem and the generator's recorded effects name), a short ``label``
    for tables and figures, and ``purpose`` (what the scenario tests)."""

    name: str
    label: str
    purpose: str

    @property
    def path(self) -> Path:
        """The effects file shipped in ``helpers/validation/scenarios/``."""
        return Path(str(resources.files(__package__).joinpath("scenarios", f"{self.name}.toml")))

    def sha256(self) -> str:
        """Checksum of the effects file (recorded with every replication, checked when a run is resumed)."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


#: The scenarios in the order tables and figures show them.
SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("none", "zero effect", "no planted effect: rejection rates are false-positive rates"),
    Scenario("half", "0.5 x default", "half the default effects: power and coverage at a smaller effect"),
    Scenario("full", "1 x default", "the generator's default effects: bias, coverage, power"),
    Scenario("anticipation", "anticipation",
             "default effects, fully in force from the 30 Mar 2018 announcement: FY2018 paces, and so bite, already "
             "contain part of the response"),
    Scenario("no_reversal", "no reversal",
             "default effects that stay after the 19 Oct 2021 suspension: the reversal test should find none"),
    Scenario("docket_shift", "docket shift",
             "default effects, and new detained cases steered toward high-bite judges from FY2019: bite correlated "
             "with docket changes (the generator's [docket_shift] table)"),
)}


def get(name: str) -> Scenario:
    """The scenario called ``name``; a ValueError listing the choices otherwise."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    return SCENARIOS[name]


def unavailable_reason(scenario: Scenario) -> str | None:
    """None if the generator accepts the scenario's effects file, else the generator's error message.

    A scenario whose file the generator rejects (e.g. a table an older generator does not know) is left out of a
    study, and the study says so, rather than run with part of the file ignored.
    """
    from helpers.synth.effects import EffectsError, load_effects

    try:
        load_effects(scenario.path)
    except EffectsError as err:
        return str(err)
    return None


def available(names: list[str] | None = None) -> tuple[list[Scenario], dict[str, str]]:
    """The scenarios that can run (in :data:`SCENARIOS` order) and, for the others, why not.

    ``names``: a subset (default: all). Unknown names raise ValueError.
    """
    chosen = [get(n) for n in names] if names else list(SCENARIOS.values())
    ok, skipped = [], {}
    for s in chosen:
        reason = unavailable_reason(s)
        if reason is None:
            ok.append(s)
        else:
            skipped[s.name] = reason
    return ok, skipped


__all__ = ["Scenario", "SCENARIOS", "get", "available", "unavailable_reason"]
