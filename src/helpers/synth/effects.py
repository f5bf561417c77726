"""Planted effects of quota pressure: the effects file, its validation and the policy calendar.

An effects file is TOML (see ``default_effects.toml``): a ``[timing]`` table and one table per
outcome with a ``bite`` and a ``gap_share`` coefficient, and optionally ``[docket_shift]`` with a ``bite``
coefficient (an assumption failure for the validation study: from 1 Oct 2018, new detained proceedings are
assigned to the court's judges with weight capacity x exp(docket_shift.bite x bite), so bite becomes correlated
with docket composition). ``none`` is the placebo (every coefficient zero). The policy calendar turns a date into the share of the effect that applies on that day:
``anticipation_share`` from the announcement (2018-03-30) to 2018-09-30, 1 during the quota
(2018-10-01 to 2021-10-18) and ``post_suspension_share`` from the suspension (2021-10-19) on.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from helpers import QUOTA_ANNOUNCED, QUOTA_START, QUOTA_SUSPENDED

#: Outcomes that take planted effects, with the scale of their coefficients.
OUTCOMES: dict[str, str] = {
    "completions": "log monthly completion rate",
    "asylum_grant": "log-odds of grant among asylum merits decisions",
    "continuance_grant": "log-odds that a respondent's continuance request is granted",
    "in_absentia": "log-odds that a completed proceeding is an in absentia removal order",
    "reassignment": "log-odds per pending case-month of reassignment away from the judge",
}
TERMS = ("bite", "gap_share")
TIMING_KEYS = ("anticipation_share", "post_suspension_share")

ANNOUNCED_DAY = int(np.datetime64(QUOTA_ANNOUNCED, "D").astype(np.int64))
QUOTA_START_DAY = int(np.datetime64(QUOTA_START, "D").astype(np.int64))
SUSPENDED_DAY = int(np.datetime64(QUOTA_SUSPENDED, "D").astype(np.int64))


class EffectsError(ValueError):
    """An effects file is missing, malformed or has unknown keys."""


@dataclass(frozen=True)
class Effects:
    """The planted parameters of one run."""

    name: str
    description: str
    anticipation_share: float
    post_suspension_share: float
    coef: dict[str, dict[str, float]] = field(default_factory=dict)   # outcome -> term -> coefficient
    docket_shift: float = 0.0   # log weight per unit bite for assigning new detained proceedings (quota period on)

    def get(self, outcome: str, term: str) -> float:
        return self.coef[outcome][term]

    def as_dict(self) -> dict:
        """JSON-ready form (for truth.json)."""
        return {
            "name": self.name,
            "description": self.description,
            "timing": {"anticipation_share": self.anticipation_share,
                       "post_suspension_share": self.post_suspension_share,
                       "announced": QUOTA_ANNOUNCED, "quota_start": QUOTA_START, "suspended": QUOTA_SUSPENDED},
            "scales": dict(OUTCOMES),
            "coefficients": {o: dict(t) for o, t in self.coef.items()},
            "docket_shift": {"bite": self.docket_shift,
                             "meaning": "log assignment weight per unit bite of new detained proceedings, "
                                        "from 1 Oct 2018 (0 = quasi-random assignment within the court)"},
        }

    def is_zero(self) -> bool:
        """True when no outcome coefficient is planted (a docket shift alone still counts as a placebo)."""
        return all(v == 0.0 for t in self.coef.values() for v in t.values())

    def share(self, days: np.ndarray | int) -> np.ndarray:
        """Share of the effect that applies on each day (epoch days): 0 before the announcement,
        ``anticipation_share`` until 30 Sep 2018, 1 in the quota period, ``post_suspension_share`` after."""
        d = np.asarray(days)
        out = np.zeros(d.shape, dtype=float)
        out[(d >= ANNOUNCED_DAY) & (d < QUOTA_START_DAY)] = self.anticipation_share
        out[(d >= QUOTA_START_DAY) & (d < SUSPENDED_DAY)] = 1.0
        out[d >= SUSPENDED_DAY] = self.post_suspension_share
        return out


def _from_mapping(data: dict, name: str, origin: str) -> Effects:
    allowed = {"name", "description", "timing", "docket_shift", *OUTCOMES}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise EffectsError(f"{origin}: unknown table(s) or key(s) {unknown}; allowed: {sorted(allowed)}")
    timing = data.get("timing", {})
    if not isinstance(timing, dict):
        raise EffectsError(f"{origin}: [timing] must be a table")
    bad = sorted(set(timing) - set(TIMING_KEYS))
    if bad:
        raise EffectsError(f"{origin}: unknown key(s) in [timing]: {bad}; allowed: {list(TIMING_KEYS)}")
    shares = {}
    for k in TIMING_KEYS:
        v = timing.get(k, 0.0)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0.0 <= float(v) <= 1.0:
            raise EffectsError(f"{origin}: [timing] {k} must be a number between 0 and 1, got {v!r}")
        shares[k] = float(v)
    coef: dict[str, dict[str, float]] = {}
    for outcome in OUTCOMES:
        table = data.get(outcome, {})
        if not isinstance(table, dict):
            raise EffectsError(f"{origin}: [{outcome}] must be a table")
        bad = sorted(set(table) - set(TERMS))
        if bad:
            raise EffectsError(f"{origin}: unknown key(s) in [{outcome}]: {bad}; allowed: {list(TERMS)}")
        coef[outcome] = {}
        for term in TERMS:
            v = table.get(term, 0.0)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or abs(v) > 10:
                raise EffectsError(f"{origin}: [{outcome}] {term} must be a finite number in [-10, 10], got {v!r}")
            coef[outcome][term] = float(v)
    shift = data.get("docket_shift", {})
    if not isinstance(shift, dict) or sorted(set(shift) - {"bite"}):
        raise EffectsError(f"{origin}: [docket_shift] must be a table whose only key is 'bite'")
    ds = shift.get("bite", 0.0)
    if not isinstance(ds, (int, float)) or isinstance(ds, bool) or not np.isfinite(ds) or abs(ds) > 10:
        raise EffectsError(f"{origin}: [docket_shift] bite must be a finite number in [-10, 10], got {ds!r}")
    return Effects(name=str(data.get("name", name)), description=str(data.get("description", "")),
                   anticipation_share=shares["anticipation_share"],
                   post_suspension_share=shares["post_suspension_share"], coef=coef, docket_shift=float(ds))


def load_effects(spec: str | Path = "default") -> Effects:
    """``default`` (the shipped file), ``none`` (all zero: placebo) or the path of a TOML file.

    The effects name recorded in truth.json is ``default``, ``none`` or the file's stem.
    """
    if str(spec) == "none":
        return _from_mapping({"description": "placebo: no planted effects"}, "none", "effects 'none'")
    if str(spec) == "default":
        text = resources.files(__package__).joinpath("default_effects.toml").read_text(encoding="utf-8")
        origin, name = "default_effects.toml", "default"
    else:
        path = Path(spec)
        if not path.is_file():
            raise EffectsError(f"effects file {str(path)!r} not found (use 'default', 'none' or a TOML file)")
        text, origin, name = path.read_text(encoding="utf-8"), str(path), path.stem
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise EffectsError(f"{origin}: not valid TOML: {e}") from None
    eff = _from_mapping(data, name, origin)
    # the recorded name is fixed by how the file was chosen, not by its content
    return Effects(name=name, description=eff.description, anticipation_share=eff.anticipation_share,
                   post_suspension_share=eff.post_suspension_share, coef=eff.coef, docket_shift=eff.docket_shift)
