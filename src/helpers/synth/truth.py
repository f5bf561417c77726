"""What a correct pipeline must recover from a generated release: counts and planted effects.

Everything here is counted from the rows a correct loader keeps (quarantined rows and rows without a
judge code do not count), with a judge's temporary codes merged into the judge, exactly as
docs/DATAFLOW.md s3 defines completions, pace, bite and the gap to the 700 path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import QUOTA_TARGET
from helpers.synth.world import World

#: Classes of tbl_Court_Appln.APPL_DEC for asylum decisions (SCHEMA.md s5.3 / s6.1; codes/application_decisions.csv).
GRANT_DECS = ("F", "G", "C", "I", "P")
DENY_DECS = ("D",)

PERIODS = ("announce", "quota", "post_suspension")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class _Ame:
    """Running sums for the average marginal effect of one term of one outcome in one period."""

    deriv: float = 0.0     # sum over observations of d P / d term (per unit of the term, coefficient included)
    dprob: float = 0.0     # sum over observations of P(with effects) - P(without effects)
    n: int = 0


class Truth:
    """Accumulators filled by the simulation and the writers, turned into truth.json and truth/*.csv."""

    def __init__(self, world: World):
        self.world = world
        J, M = world.n_judges, world.cal.n_months
        self.J, self.M = J, M
        self.comp = np.zeros((J, M), dtype=np.int32)          # recorded completions by judge, month
        self.comp_disp = np.zeros((J, M), dtype=np.int32)     # ... excluding change of venue / transfer
        self.active = np.zeros((J, M), dtype=bool)             # any loaded held hearing or completion
        self.gap_lag = np.zeros((J, M), dtype=np.float64)      # lagged gap (cases) used by the simulation
        self.bite = np.full(J, np.nan)                         # final bite (from FY2017-FY2018)
        self.pace = np.full(J, np.nan)
        self.months_on_bench = np.zeros(J, dtype=np.int32)
        self.fy1718 = np.zeros(J, dtype=np.int32)
        self.prov_bite = np.full(J, np.nan)                    # provisional bite (Oct 2016 - Feb 2018)
        self.prov_pace = np.full(J, np.nan)
        self.fys = np.arange(world.cal.fy.min(), world.cal.fy.max() + 1)
        F = len(self.fys)
        z = lambda: np.zeros((J, F), dtype=np.int64)  # noqa: E731
        self.asy_grant, self.asy_deny, self.asy_other, self.asy_other_eoir = z(), z(), z(), z()
        self.abs_orders, self.abs_comp, self.abs_disp, self.abs_dec = z(), z(), z(), z()
        self.c_req, self.c_grant, self.c_deny = z(), z(), z()
        self.c_mot_g, self.c_mot_d = z(), z()
        self.c_hear = z()
        self.adj_party = {p: z() for p in ("respondent", "dhs", "ij_court", "operational", "joint",
                                           "third_party", "procedural", "advancement", "ambiguous", "none")}
        self.reassign_obs = np.zeros((J, M), dtype=np.int32)
        self.reassign_future: dict[tuple[int, str], int] = {}   # (judge, "YYYY-MM") after the data cut
        self.reassign_dgp = {r: np.zeros((J, M), dtype=np.int32) for r in ("departure", "new_judge", "background",
                                                                           "pressure")}
        self.ame: dict[tuple[str, str, str], _Ame] = {}
        self.ratios: dict[tuple[str, str, str], np.ndarray] = {}
        self.judge_months_capacity_short = 0     # budget larger than the month's hearings: decided before hearing
        self.judge_months_unmet = 0              # ... and not met even then (docket too small)
        self.completions_unmet = 0
        self.judge_months = 0
        self.orphans: dict[str, int] = {}
        self.notes: list[str] = []

    # -- helpers ----------------------------------------------------------------------------------
    def fy_index(self, fy: np.ndarray) -> np.ndarray:
        return np.asarray(fy) - self.fys[0]

    def add_ame(self, outcome: str, term: str, period: np.ndarray, deriv: np.ndarray, dprob: np.ndarray | None,
                mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> None:
        """Accumulate observations (``period`` holds 0 none / 1 announce / 2 quota / 3 post); ``weights``
        counts how many observations each entry stands for (default 1)."""
        w = np.ones(len(period)) if weights is None else np.asarray(weights, dtype=float)
        for k, name in enumerate(PERIODS, start=1):
            sel = period == k
            if mask is not None:
                sel &= mask
            if not sel.any() or w[sel].sum() == 0:
                continue
            a = self.ame.setdefault((outcome, term, name), _Ame())
            a.deriv += float((deriv[sel] * w[sel]).sum())
            if dprob is not None:
                a.dprob += float((dprob[sel] * w[sel]).sum())
            a.n += int(w[sel].sum())

    def add_ratio(self, outcome: str, term: str, period: np.ndarray, dp: np.ndarray, p: np.ndarray, p0: np.ndarray,
                  q: np.ndarray, observed: np.ndarray, mask: np.ndarray) -> None:
        """Accumulate the sums for an effect on a share among a selected subset: the share of in absentia orders
        among dispositive completions, sum(p) / sum(p + (1 - p) q), where q is each completion's chance of a
        dispositive outcome when not in absentia. ``dp`` = d p / d term."""
        for k, name in enumerate(PERIODS, start=1):
            sel = (period == k) & mask
            if not sel.any():
                continue
            a = self.ratios.setdefault((outcome, term, name), np.zeros(7))
            a += [dp[sel].sum(), (dp[sel] * (1 - q[sel])).sum(), p[sel].sum(), (p[sel] + (1 - p[sel]) * q[sel]).sum(),
                  p0[sel].sum(), (p0[sel] + (1 - p0[sel]) * q[sel]).sum(), (observed & sel).sum()]

    def orphan(self, relation: str, n: int) -> None:
        if n:
            self.orphans[relation] = self.orphans.get(relation, 0) + int(n)

    # -- pressure measures (DATAFLOW.md s3) -------------------------------------------------------
    def gap_share_lag(self, m: int) -> np.ndarray:
        """Lagged gap to the 700 path / 700 for every judge in month ``m`` (0 in October)."""
        cal = self.world.cal
        fm = int(cal.fmonth[m])
        if fm == 1:
            g = np.zeros(self.J)
        else:
            first = m - (fm - 1)
            cum = self.comp[:, first:m].sum(axis=1)
            g = QUOTA_TARGET * (fm - 1) / 12.0 - cum
        self.gap_lag[:, m] = g
        return g / QUOTA_TARGET

    def compute_pace(self, first_m: int, last_m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pace (completions x 12 / months on the bench) over months ``first_m..last_m`` and bite.

        Months on the bench run from the judge's first to last month in the window with a loaded held
        hearing or completion (inclusive); pace and bite are NaN below 6 months.
        """
        act = self.active[:, first_m:last_m + 1]
        comp = self.comp[:, first_m:last_m + 1].sum(axis=1)
        any_ = act.any(axis=1)
        firsts = np.where(any_, act.argmax(axis=1), 0)
        lasts = np.where(any_, act.shape[1] - 1 - act[:, ::-1].argmax(axis=1), -1)
        months = np.where(any_, lasts - firsts + 1, 0)
        pace = np.where(months >= 6, comp * 12.0 / np.maximum(months, 1), np.nan)
        bite = np.maximum(0.0, QUOTA_TARGET - pace) / QUOTA_TARGET
        return pace, bite, months, comp

    # -- outputs ------------------------------------------------------------------------------------
    def judge_code(self) -> np.ndarray:
        return self.world.judges.code.to_numpy()

    # -- tables -------------------------------------------------------------------------------------
    def tables(self, effects) -> dict[str, pd.DataFrame]:
        """The truth tables written to ``truth/*.csv`` (see docs/SYNTH.md for every column)."""
        w = self.world
        cal = w.cal
        code = self.judge_code()
        jd = w.judges
        day = lambda d: np.where(d < 0, None, np.asarray(d).astype("datetime64[D]").astype(str))  # noqa: E731
        judges = pd.DataFrame({
            "judge_code": code, "temp_codes": jd.temp_code.to_numpy(), "judge_name": jd.name.to_numpy(),
            "court": w.courts.code.to_numpy()[jd.court.to_numpy()],
            "start_date": day(jd.start_day.to_numpy()), "end_date": day(np.where(jd.end_day > 40000, -1, jd.end_day)),
            "capacity_per_year": jd.capacity.to_numpy(), "grant_propensity": jd.grant_re.to_numpy(),
            "continuance_propensity": jd.cont_re.to_numpy(), "absentia_propensity": jd.absentia_re.to_numpy(),
            "completions_fy2017_fy2018": self.fy1718, "months_on_bench_fy2017_fy2018": self.months_on_bench,
            "pace": np.round(self.pace, 6), "bite": np.round(self.bite, 8),
            "bite_cases": np.round(np.maximum(0.0, QUOTA_TARGET - self.pace), 6),
            "provisional_pace": np.round(self.prov_pace, 6), "provisional_bite": np.round(self.prov_bite, 8),
        })
        # judge-months on the roster (or with completions)
        J, M = self.J, self.M
        ms, me = cal.month_start, cal.month_end
        roster = (jd.start_day.to_numpy()[:, None] < me[None, :]) & (jd.end_day.to_numpy()[:, None] >= ms[None, :])
        keep = roster | (self.comp > 0)
        jj, mm = np.nonzero(keep)
        fm = cal.fmonth[mm].astype(int)
        cum = np.zeros((J, M), dtype=np.int64)
        for fy in np.unique(cal.fy):
            cols = np.flatnonzero(cal.fy == fy)
            cum[:, cols] = np.cumsum(self.comp[:, cols], axis=1)
        completions = pd.DataFrame({
            "judge_code": code[jj], "fiscal_year": cal.fy[mm], "fiscal_month": fm,
            "month": np.asarray(ms[mm]).astype("datetime64[D]").astype("datetime64[M]").astype(str),
            "completions": self.comp[jj, mm], "completions_dispositive": self.comp_disp[jj, mm],
            "cum_completions_fy": cum[jj, mm], "gap_end": QUOTA_TARGET * fm / 12.0 - cum[jj, mm],
            "gap_lag": self.gap_lag[jj, mm], "gap_share_lag": self.gap_lag[jj, mm] / QUOTA_TARGET,
        })
        fys = self.fys

        def by_fy(cols: dict[str, np.ndarray]) -> pd.DataFrame:
            anyv = np.zeros((J, len(fys)), dtype=bool)
            for v in cols.values():
                anyv |= v != 0
            a, b = np.nonzero(anyv)
            df = pd.DataFrame({"judge_code": code[a], "fiscal_year": fys[b]})
            for k, v in cols.items():
                df[k] = v[a, b]
            return df

        asylum = by_fy({"grants": self.asy_grant, "denials": self.asy_deny, "other": self.asy_other,
                        "other_eoir": self.asy_other_eoir})
        asylum["decisions_trac"] = asylum.grants + asylum.denials
        asylum["completions_eoir"] = asylum.decisions_trac + asylum.other_eoir
        asylum["grant_rate_trac"] = asylum.grants / asylum.decisions_trac.where(asylum.decisions_trac > 0)
        asylum["grant_rate_eoir"] = asylum.grants / asylum.completions_eoir.where(asylum.completions_eoir > 0)
        absentia = by_fy({"in_absentia": self.abs_orders, "completions": self.abs_comp,
                          "completions_dispositive": self.abs_disp, "decisions": self.abs_dec})
        cont = {"requests": self.c_req, "granted": self.c_grant, "denied": self.c_deny,
                "motions_co_respondent_granted": self.c_mot_g, "motions_co_respondent_denied": self.c_mot_d,
                "hearings": self.c_hear}
        cont.update({f"adjourned_{p}": v for p, v in self.adj_party.items() if p != "none"})
        continuances = by_fy(cont)
        continuances["denied_unrecorded"] = continuances.denied - continuances.motions_co_respondent_denied
        obs = self.reassign_obs
        dgp = self.reassign_dgp
        anym = (obs > 0) | np.any([v > 0 for v in dgp.values()], axis=0)
        a, b = np.nonzero(anym)
        reassign = pd.DataFrame({"judge_code": code[a], "fiscal_year": cal.fy[b], "fiscal_month": cal.fmonth[b],
                                 "month": np.asarray(cal.month_start[b]).astype("datetime64[D]")
                                 .astype("datetime64[M]").astype(str), "reassigned_observed": obs[a, b]})
        for k, v in dgp.items():
            reassign[f"dgp_{k}"] = v[a, b]
        if self.reassign_future:
            fut = pd.DataFrame([(code[j], mo, n) for (j, mo), n in sorted(self.reassign_future.items())],
                               columns=["judge_code", "month", "reassigned_observed"])
            mo = pd.to_datetime(fut.month)
            fut.insert(1, "fiscal_year", mo.dt.year + (mo.dt.month >= 10))
            fut.insert(2, "fiscal_month", (mo.dt.month - 10) % 12 + 1)
            for k in dgp:
                fut[f"dgp_{k}"] = 0
            reassign = pd.concat([reassign, fut], ignore_index=True)
        return {"judges": judges, "completions": completions, "asylum": asylum, "absentia": absentia,
                "continuances": continuances, "reassignments": reassign, "effects_truth": self.effects_table(effects)}

    def effects_table(self, effects) -> pd.DataFrame:
        """Planted coefficient and implied average marginal effect for each outcome, term and period."""
        scale = {"completions": "log completions per judge-month",
                 "in_absentia_dispositive": "log-odds (planted on all completions)",
                 "asylum_grant_eoir": "log-odds (planted on merits decisions)",
                 "continuance_motion_granted": "log-odds (planted on all requests)",
                 "hearing_adjourned_respondent": "log-odds (planted on the grant of requests)"}
        obs = {"completions": "judge-months on the bench (judges with a defined bite for the bite term)",
               "asylum_grant": "asylum merits decisions (ASYL granted or denied; TRAC denominator)",
               "asylum_grant_eoir": "decided ASYL applications (EOIR denominator: grants, denials and other decisions except S, T, R)",
               "continuance_grant": "respondent continuance requests (recorded or not)",
               "continuance_motion_granted": "recorded continuance motions (CO) filed by the respondent, decided G/D",
               "hearing_adjourned_respondent": "hearings held or adjourned (not cancelled)",
               "in_absentia": "completed proceedings (EOIR count: includes changes of venue and transfers)",
               "in_absentia_dispositive": "dispositive completions (excluding changes of venue and transfers)",
               "reassignment": "pending case-months in courts with two or more judges"}
        planted_of = {"asylum_grant_eoir": "asylum_grant", "continuance_motion_granted": "continuance_grant",
                      "hearing_adjourned_respondent": "continuance_grant", "in_absentia_dispositive": "in_absentia"}
        shares = {"announce": effects.anticipation_share, "quota": 1.0,
                  "post_suspension": effects.post_suspension_share}
        kappa = self.gap_on_bite()
        rows = []
        for outcome in obs:
            base = planted_of.get(outcome, outcome)
            for term, tname in (("bite", "bite"), ("gap_share", "gap_share_lag")):
                for period in PERIODS:
                    a = self._ame_of(outcome, term, period)
                    coef = effects.get(base, term) * shares[period]
                    rows.append({
                        "outcome": outcome, "term": f"{tname}:{period}", "scale": scale.get(outcome, "log-odds"),
                        "planted_coefficient": coef,
                        "ame": (a.deriv / a.n) if a.n else (0.0 if coef == 0 else np.nan),
                        "mean_effect": (a.dprob / a.n) if (a.n and term == "bite") else np.nan,
                        "n_obs": a.n, "observations": obs[outcome],
                        "ame_unit": ("completions per judge-month per unit" if outcome == "completions"
                                     else "probability per unit"),
                    })
            # total effect of bite in the quota period, including the part through the within-year gap
            # (what a bite x post regression without a gap term recovers; kappa: see gap_on_bite)
            a_b = self._ame_of(outcome, "bite", "quota")
            a_g = self._ame_of(outcome, "gap_share", "quota")
            coef = effects.get(base, "bite") + effects.get(base, "gap_share") * kappa
            ame = ((a_b.deriv / a_b.n if a_b.n else 0.0) + (a_g.deriv / a_g.n if a_g.n else 0.0) * kappa)
            rows.append({"outcome": outcome, "term": "bite_total:quota", "scale": scale.get(outcome, "log-odds"),
                         "planted_coefficient": coef, "ame": ame if (a_b.n or coef == 0) else np.nan,
                         "mean_effect": np.nan, "n_obs": a_b.n,
                         "observations": obs[outcome] + f"; gap_share_lag:quota on bite:quota slope kappa={kappa:.4f}",
                         "ame_unit": ("completions per judge-month per unit" if outcome == "completions"
                                      else "probability per unit")})
        return pd.DataFrame(rows)

    def _ame_of(self, outcome: str, term: str, period: str) -> _Ame:
        """Sums for one row of the effects table (per-observation sums, or the ratio form for shares among a
        selected subset: d(A/D) = (dA - (A/D) dD) / D, reported per observation as an _Ame)."""
        if (outcome, term, period) in self.ratios:
            s1, s2, a, d, a0, d0, n_obs = self.ratios[(outcome, term, period)]
            if d <= 0 or n_obs == 0:
                return _Ame()
            ame = (s1 - a / d * s2) / d
            return _Ame(deriv=ame * n_obs, dprob=(a / d - a0 / d0) * n_obs, n=int(n_obs))
        return self.ame.get((outcome, term, period), _Ame())

    def gap_on_bite(self) -> float:
        """Slope kappa of (gap_share_lag x quota) on (bite x quota) across judge-months on the bench, with judge
        and court-by-month fixed effects (judges with a defined bite; FY2014 on): how much of the gap term a
        bite x post regression without the gap attributes to bite."""
        cal = self.world.cal
        jd = self.world.judges
        ms, me = cal.month_start, cal.month_end
        roster = (jd.start_day.to_numpy()[:, None] < me[None, :]) & (jd.end_day.to_numpy()[:, None] >= ms[None, :])
        jj, mm = np.nonzero(roster & ~np.isnan(self.bite)[:, None] & (cal.fy >= 2014)[None, :])
        if len(jj) < 10:
            return 0.0
        from helpers.synth.effects import QUOTA_START_DAY, SUSPENDED_DAY
        q = ((ms[mm] >= QUOTA_START_DAY) & (me[mm] <= SUSPENDED_DAY)).astype(float)
        x = self.bite[jj] * q
        y = self.gap_lag[jj, mm] / QUOTA_TARGET * q
        cm = jd.court.to_numpy()[jj] * self.M + mm
        _, cmi = np.unique(cm, return_inverse=True)
        _, jj = np.unique(jj, return_inverse=True)
        xr, yr = x.copy(), y.copy()
        for _ in range(200):
            for g in (jj, cmi):
                for v in (xr, yr):
                    v -= (np.bincount(g, weights=v) / np.bincount(g))[g]
        den = float(xr @ xr)
        return float(xr @ yr / den) if den > 1e-12 else 0.0
