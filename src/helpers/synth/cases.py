"""The case flow, simulated month by month and vectorised over judges and proceedings.

Each month: judges arrive and leave (their pending cases are reassigned within the court), pending
cases may be reassigned away from judges (planted pressure effect), new charging documents and
recalendared cases arrive and are assigned quasi-randomly to the court's active judges, and every
hearing scheduled in the month is held, cancelled or adjourned. A judge closes ``N ~ Poisson(mu)``
proceedings a month, ``mu`` = capacity x productivity x exp(planted first-stage effect); which of the
month's hearings close is a weighted draw. Respondents ask for continuances, which the judge grants
with a probability that carries a planted effect; completed proceedings get an outcome (in absentia
removal with a planted effect; asylum grants with a planted effect; other outcomes by stage and
period). Rows are streamed to the raw files as they happen; the truth accumulators count only the rows
a correct loader keeps.
"""

from __future__ import annotations

import numpy as np

from helpers.synth import params as P_
from helpers.synth import rowspecs as R
from helpers.synth.effects import QUOTA_START_DAY, Effects
from helpers.synth.emit import Written
from helpers.synth.store import Store
from helpers.synth.truth import Truth, sigmoid
from helpers.synth.world import CUT_DAY, World, epoch_day, receipts_by_fy
from helpers.synth.writer import (Release, q_blank_key, q_byte_in_text, q_control_value, q_non_integer_key,
                                  q_short_row, q_tab_in_city, q_tab_in_datetime)

RSN_IDX = {c: i for i, c in enumerate(R.RSN_VOCAB)}
NEVER_IDX = np.array([c in R.NEVER_OCCURRED for c in R.RSN_VOCAB])
DEC_IDX = {c: i for i, c in enumerate(R.DEC_VOCAB)}
OC_IDX = {c: i for i, c in enumerate(R.OC_VOCAB)}
AD_IDX = {c: i for i, c in enumerate(R.APPL_DEC_VOCAB)}
MOT_IDX = {c: i for i, c in enumerate(R.MOTION_VOCAB)}
MED_IDX = {c: i for i, c in enumerate(P_.MEDIUM)}

# outcome kinds of a completion (internal)
OUTCOMES = ["absentia", "removal", "vd", "relief", "terminate", "dismiss", "withdraw", "other_dec", "cov",
            "transfer", "admin_close", "pd_close", "fail_prosecute", "other_oc", "tps", "zero_bond",
            "asy_grant", "asy_deny", "withholding", "cat", "review_affirm", "review_vacate", "deny_only"]
O = {k: i for i, k in enumerate(OUTCOMES)}

STAGE_MASTER0, STAGE_MASTER, STAGE_INDIV = 0, 1, 2
COMPACT_AT = 0.10      # drop finished proceedings/cases from the state once they are this share of it
#: Completion-selection weight of each stratum of hearings: reviews, detained merits, merits, detained
#: masters, masters of unrepresented respondents, other masters.
STRATUM_WEIGHT = np.array([0.0, P_.W_INDIV * P_.W_DETAINED, P_.W_INDIV, P_.W_MASTER_OTHER * P_.W_DETAINED,
                           P_.W_MASTER_UNREP_ND, P_.W_MASTER_OTHER])

PROC_FIELDS = {
    "pid": ("i4", -1), "cid": ("i4", -1), "crow": ("i4", -1), "judge": ("i2", -1), "court": ("i2", -1),
    "hloc": ("i2", -1), "ctype": ("i1", 0), "stage": ("i1", 0), "next_day": ("i4", -1), "sched_day": ("i4", -1),
    "n_hear": ("i2", 0), "n_granted": ("i1", 0), "first_day": ("i4", -1), "first_time": ("i2", -1),
    "osc_day": ("i4", -1), "input_day": ("i4", -1), "custody": ("i1", 0), "rep": ("?", False),
    "rep_day": ("i4", -1), "atty": ("i4", -1), "asy": ("i1", 0), "asy_day": ("i4", -1), "affirm": ("?", False),
    "app": ("i1", 0), "app_day": ("i4", -1), "gen": ("i1", 99), "trans_nbr": ("i1", 0), "prev_hloc": ("i2", -1),
    "prev_court": ("i2", -1), "prev_judge": ("i2", -1), "trans_in": ("i4", -1), "trans_status": ("i1", -1),
    "last_judge": ("i2", -1), "n_sched_ok": ("i2", 0), "n_motion_ok": ("i2", 0), "purge": ("?", False),
    "alive": ("?", False), "nat": ("i1", 0), "lang": ("i1", 0), "crim": ("?", False), "detain_day": ("i4", -1),
    "release_day": ("i4", -1), "uncal": ("?", False), "last_hloc": ("i2", -1),
}
CASE_FIELDS = {
    "cid": ("i4", -1), "nat": ("i1", 0), "lang": ("i1", 0), "sex": ("i1", -1), "birth": ("i4", -1),
    "entry_day": ("i4", -1), "lpr": ("i1", -1), "c_asy": ("i1", -1), "site": ("i1", -1), "court0": ("i2", 0),
    "zip": ("i4", 0), "city_var": ("i1", 0), "e28_day": ("i4", -1), "atty_count": ("i1", 0), "latest_day": ("i4", -1),
    "latest_time": ("i2", -1), "latest_cal": ("i1", -1), "cur_court": ("i2", 0), "custody": ("i1", 0),
    "det_day": ("i4", -1), "rel_day": ("i4", -1), "prio": ("i1", 0), "addr_day": ("i4", -1), "purge": ("?", False),
    "n_proc_ok": ("i2", 0), "n_reps_ok": ("i2", 0), "open_procs": ("i2", 0), "dormant_until": ("i4", -1),
    "dormant_kind": ("i1", 0), "done": ("?", False), "ctype": ("i1", 0), "crim": ("?", False), "n_procs": ("i1", 0),
    "latest_hloc": ("i2", -1),
}


def _draw(rng: np.random.Generator, groups: dict[str, float], n: int) -> np.ndarray:
    """``n`` codes from a weighted group, as indexes into ``RSN_VOCAB``."""
    codes = list(groups)
    p = np.array([groups[c] for c in codes], dtype=float)
    return np.array([RSN_IDX[c] for c in codes])[rng.choice(len(codes), size=n, p=p / p.sum())]


class Engine:
    """One simulation run; ``run()`` streams every row to the release and fills the truth."""

    def __init__(self, world: World, effects: Effects, release: Release, truth: Truth, rng: np.random.Generator,
                 progress=None):
        self.w, self.eff, self.rel, self.truth, self.rng = world, effects, release, truth, rng
        self.cal = world.cal
        self.progress = progress
        jd = world.judges
        self.J = len(jd)
        self.j_court = jd.court.to_numpy().astype(np.int64)
        self.j_start = jd.start_day.to_numpy()
        self.j_end = jd.end_day.to_numpy()
        self.j_cap = jd.capacity.to_numpy().astype(float)
        self.j_temp_id = jd.temp_code_id.to_numpy()
        self.j_temp0, self.j_temp1 = jd.temp_start.to_numpy(), jd.temp_end.to_numpy()
        self.grant_re = jd.grant_re.to_numpy()
        self.cont_re = jd.cont_re.to_numpy()
        self.abs_re = jd.absentia_re.to_numpy()
        nc = len(world.courts)
        self.court_code = world.courts.code.to_numpy().astype(object)
        self.court_city = world.courts.city.to_numpy().astype(object)
        self.court_state = world.courts.state.to_numpy().astype(object)
        self.court_zip3 = world.courts.zip3.to_numpy()
        self.court_w = world.courts.weight.to_numpy()
        self.court_main = world.courts.hloc_main.to_numpy()
        self.court_det = world.courts.hloc_det.to_numpy()
        self.hloc_code = world.hlocs.code.to_numpy().astype(object)
        self.court_u = rng.normal(0.0, P_.GRANT_COURT_SD, nc)
        self.jfy_shock = rng.normal(0.0, P_.GRANT_JUDGE_FY_SD, (self.J, len(truth.fys)))
        self.att_court = world.attorneys.court.to_numpy()
        self.att_guid = world.attorneys.guid.to_numpy().astype(object)
        order = np.argsort(self.att_court, kind="stable")
        self.att_sorted = order
        self.att_off = np.searchsorted(self.att_court[order], np.arange(nc + 1))
        self.tail = np.zeros((self.J, 2))
        self.slots = np.maximum(0.3, np.stack([P_.SLOTS_MASTER * self.j_cap / 12, P_.SLOTS_INDIV * self.j_cap / 12], 1))
        self.bite_eff = np.full(self.J, np.nan)
        self.codes = np.asarray(world.codes, dtype=object)
        self.P = Store(PROC_FIELDS, 1 << 14)
        self.C = Store(CASE_FIELDS, 1 << 14)
        self.ids = {"case": 5_000_000, "proc": 7_000_000, "sched": 20_000_000, "appln": 1_500_000,
                    "motion": 3_000_000, "charge": 9_000_000, "reps": 11_000_000, "cust": 2_000_000}
        self.nat_p = {k: np.array(v) / np.sum(v) for k, v in P_.NAT_MIX.items()}
        self.nat_lang = [([P_.LANGS.index(l) for l, _ in P_.NAT_LANG[n]], np.array([p for _, p in P_.NAT_LANG[n]]))
                         for n in P_.NATS]
        self.nat_asy = np.array([P_.NAT_ASYLUM[n] for n in P_.NATS])
        self.nat_grant = np.array([P_.NAT_GRANT[n] for n in P_.NATS])
        self.nat_ab = np.array([n in P_.AB_NATS for n in P_.NATS])
        self.nat_aff = np.array([P_.AFFIRMATIVE_SHARE.get(n, P_.AFFIRMATIVE_DEFAULT) for n in P_.NATS])
        self.castro = epoch_day(P_.CASTRO_TUM)
        self.cruz = epoch_day(P_.CRUZ_VALDEZ)
        self.pd0, self.pd1 = epoch_day(P_.PD_INITIATIVE[0]), epoch_day(P_.PD_INITIATIVE[1])
        self.ab0, self.ab1 = epoch_day("2018-06-11"), epoch_day("2021-06-17")
        self.covid0, self.covid1 = epoch_day("2020-03-18"), epoch_day("2020-07-01")
        self.m_fy2012 = int(np.flatnonzero(self.cal.fy == 2012)[0]) if (self.cal.fy == 2012).any() else 0
        self._init_tables()
        self._receipt_base()

    # ---------------------------------------------------------------------------------------------
    def _init_tables(self) -> None:
        rel = self.rel
        self.t_case = rel.core("A_TblCase", [q_tab_in_city(8e-6, 2), q_tab_in_datetime("E_28_DATE", 2e-7, 1),
                                             q_byte_in_text("ALIEN_CITY", "\x00", "nul_byte", 1e-5, 1),
                                             q_byte_in_text("ALIEN_CITY", "\xff", "high_byte", 1e-6, 1)],
                               count_values={"LANG": ["SP "]})
        self.t_proc = rel.core("B_TblProceeding", [q_tab_in_datetime("OSC_DATE", 4e-6, 1),
                                                   q_non_integer_key("IDNPROCEEDING"),
                                                   q_blank_key("IDNCASE", 1e-7, 1),
                                                   q_control_value("APPEAL_RSVD", "\x1b", 2e-6, 1)],
                               count_values={"LANG": ["SP "]})
        self.t_sched = rel.core("tbl_schedule", [q_blank_key("IDNPROCEEDING", 2e-6, 1)],
                                count_values={"ADJ_MEDIUM": ["p"], "LANG": ["SP "]})
        self.t_appln = rel.core("tbl_Court_Appln", [q_tab_in_datetime("APPL_RECD_DATE", 1e-6, 1)])
        self.t_motion = rel.core("tbl_Court_Motions", [q_short_row(41, 0.002, 1), q_short_row(40, 0.0002, 1)])
        self.t_cust = rel.core("tbl_CustodyHistory")
        self.t_reps = rel.core("tbl_RepsAssigned", count_values={"PARENT_TABLE": list(R.PARENT_VOCAB)})
        self.t_charge = rel.core("B_TblProceedCharges", [q_control_value("CHG_STATUS", "\x06", 1e-6, 1)],
                                 count_values={"CHARGE": [c + "  " for c in R.CHARGES]})

    def _receipt_base(self) -> None:
        """Receipts per month: the national FY series scaled to this world's FY2012 capacity."""
        d = epoch_day("2011-10-01")
        on = (self.j_start <= d) & (self.j_end > d)
        self.cap2012 = float(self.j_cap[on].sum())
        self.receipts_fy2012 = P_.RECEIPT_RATIO * self.cap2012

    def _new_ids(self, kind: str, n: int) -> np.ndarray:
        """``n`` increasing ids with small random gaps (EOIR ids have gaps)."""
        steps = 1 + (self.rng.random(n) < 0.08) * self.rng.integers(1, 4, n)
        ids = self.ids[kind] + np.cumsum(steps)
        if n:
            self.ids[kind] = int(ids[-1])
        return ids

    # -- judges ------------------------------------------------------------------------------------
    def _active(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        d0, d1 = self.cal.month_start[m], self.cal.month_end[m]
        act = (self.j_start < d1) & (self.j_end >= d1)
        frac = np.where(act, (d1 - np.maximum(self.j_start, d0)) / (d1 - d0), 0.0)
        return act, frac

    def _court_pick(self, act: np.ndarray, courts: np.ndarray, exclude: np.ndarray | None = None,
                    weight: np.ndarray | None = None) -> np.ndarray:
        """A random active judge of each case's court (other than ``exclude``); -1 if none.

        New and reassigned cases go to the court's judges with probability proportional to their capacity
        (calendar time), independently of the case: quasi-random assignment within the court. ``weight``
        (per judge, replacing capacity; only without ``exclude``) is the docket-shift scenario's tilt.
        """
        aj = np.flatnonzero(act)
        order = aj[np.argsort(self.j_court[aj], kind="stable")]
        off = np.searchsorted(self.j_court[order], np.arange(len(self.court_w) + 1))
        cnt = off[courts + 1] - off[courts]
        out = np.full(len(courts), -1, dtype=np.int64)
        if exclude is None:
            ok = cnt > 0
            cum = np.cumsum((self.j_cap if weight is None else weight)[order])
            lo = np.where(off[:-1] > 0, cum[np.maximum(off[:-1] - 1, 0)], 0.0)
            lo[off[:-1] == 0] = 0.0
            hi = np.where(off[1:] > 0, cum[np.maximum(off[1:] - 1, 0)], 0.0)
            c = courts[ok]
            u = lo[c] + self.rng.random(ok.sum()) * (hi[c] - lo[c])
            k = np.searchsorted(cum, u, side="right")
            out[ok] = order[np.clip(k, off[c], off[c + 1] - 1)]
            return out
        pos = np.full(self.J, -1)
        for c in np.unique(courts):
            js = order[off[c]:off[c + 1]]
            pos[js] = np.arange(len(js))
        ok = cnt > 1
        k = (self.rng.random(ok.sum()) * (cnt[ok] - 1)).astype(np.int64)
        ex = pos[exclude[ok]]
        k = np.where((ex >= 0) & (k >= ex), k + 1, k)
        k = np.minimum(k, cnt[ok] - 1)
        out[ok] = order[off[courts[ok]] + k]
        return out

    def code_id(self, judge: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Judge code id written on a row dated ``day`` (the temporary code inside its window)."""
        j = np.asarray(judge, dtype=np.int64)
        d = np.asarray(day)
        tid = self.j_temp_id[j]
        use = (tid >= 0) & (d >= self.j_temp0[j]) & (d < self.j_temp1[j])
        return np.where(use, tid, j)

    def _staffing(self, m: int, act: np.ndarray, gap_share: np.ndarray) -> None:
        """Reassign cases of departed judges, give new judges a docket, and planted/background moves."""
        P = self.P
        alive = np.flatnonzero(P["alive"][: P.n])
        if len(alive) == 0:
            return
        judge = P["judge"][alive].astype(np.int64)
        courts = P["court"][alive].astype(np.int64)
        # 1. departed judges: all their cases go to a colleague
        gone = ~act[judge] & (self.j_end[judge] < self.cal.month_end[m])
        if gone.any():
            new = self._court_pick(act, courts[gone])
            ok = new >= 0
            idx = alive[gone][ok]
            self._reassign(idx, new[ok], m, "departure")
        # 2. judges starting this month take a share of the court's docket
        starting = act & (self.j_start >= self.cal.month_start[m]) & (self.j_start < self.cal.month_end[m])
        if starting.any():
            judge = P["judge"][alive].astype(np.int64)
            nact = np.bincount(self.j_court[act], minlength=len(self.court_w))
            share = np.where(nact[courts] > 0, np.bincount(self.j_court[starting], minlength=len(self.court_w))[courts]
                             / np.maximum(nact[courts], 1), 0.0)
            move = (self.rng.random(len(alive)) < share * 0.8) & ~starting[judge]
            if move.any():
                cand = self._court_pick(starting, courts[move])
                ok = cand >= 0
                self._reassign(alive[move][ok], cand[ok], m, "new_judge")
        # 3. background docket balancing + planted pressure reassignment (within court, quota period).
        #    The monthly probability depends only on the judge, so it is computed per judge.
        judge = P["judge"][alive]
        nact = np.bincount(self.j_court[act], minlength=len(self.court_w))
        j_elig = (nact[self.j_court] >= 2) & act
        d_mid = int((self.cal.month_start[m] + self.cal.month_end[m]) // 2)
        s = float(self.eff.share(d_mid))
        base = np.log(0.0015 / 0.9985)
        b = np.nan_to_num(self.bite_eff)
        bc, gc = self.eff.get("reassignment", "bite"), self.eff.get("reassignment", "gap_share")
        pj = sigmoid(base + s * (bc * b + gc * gap_share))
        p0 = float(sigmoid(np.array(base)))
        draw = self.rng.random(len(alive), dtype=np.float32)
        move = j_elig[judge] & (draw < pj[judge])
        if move.any():
            mi = np.flatnonzero(move)
            courts_m = P["court"][alive[mi]].astype(np.int64)
            jm_ = judge[mi].astype(np.int64)
            new = self._court_pick(act, courts_m, exclude=jm_)
            ok = new >= 0
            pressure = draw[mi] >= p0
            self._reassign(alive[mi][ok & ~pressure], new[ok & ~pressure], m, "background")
            self._reassign(alive[mi][ok & pressure], new[ok & pressure], m, "pressure")
        n_j = np.bincount(judge, minlength=self.J) * j_elig
        per = np.full(self.J, self._period_code(np.array([d_mid]))[0])
        hb = ~np.isnan(self.bite_eff)
        dp = pj * (1 - pj)
        # per-judge sums weighted by the number of pending cases (case-months)
        self.truth.add_ame("reassignment", "bite", per, bc * dp * s, pj - p0, mask=hb, weights=n_j)
        self.truth.add_ame("reassignment", "gap_share", per, gc * dp * s, None, weights=n_j)

    def _reassign(self, idx: np.ndarray, new: np.ndarray, m: int, reason: str) -> None:
        if len(idx) == 0:
            return
        old = self.P["judge"][idx].astype(np.int64)
        np.add.at(self.truth.reassign_dgp[reason], (old, np.full(len(idx), m)), 1)
        self.P["judge"][idx] = new

    @staticmethod
    def _period_code(days: np.ndarray) -> np.ndarray:
        from helpers.synth.effects import ANNOUNCED_DAY, QUOTA_START_DAY, SUSPENDED_DAY
        d = np.asarray(days)
        return np.select([d < ANNOUNCED_DAY, d < QUOTA_START_DAY, d < SUSPENDED_DAY], [0, 1, 2], 3)

    # -- arrivals ----------------------------------------------------------------------------------
    def _arrivals(self, m: int, act: np.ndarray) -> None:
        cal, rng = self.cal, self.rng
        fy = int(cal.fy[m])
        total = self.receipts_fy2012 * receipts_by_fy(fy) / receipts_by_fy(2012) * cal.receipts_share(m)
        n_court = rng.poisson(total * self.court_w)
        n = int(n_court.sum())
        d0, d1 = int(cal.month_start[m]), int(cal.month_end[m])
        if n:
            court = np.repeat(np.arange(len(self.court_w)), n_court)
            input_day = rng.integers(d0, d1, n)
            crow = self._new_cases(n, court, input_day, fy)
            self._new_proceedings(crow, court, input_day, m, act, kind="new")
        # recalendared / reopened dormant cases
        C = self.C
        dorm = np.flatnonzero((C["dormant_until"] >= d0) & (C["dormant_until"] < d1) & ~C["done"])
        if len(dorm):
            day = C["dormant_until"][dorm].astype(np.int64)
            kind = C["dormant_kind"][dorm].copy()
            C["dormant_until"][dorm] = -1
            court = C["cur_court"][dorm].astype(np.int64)
            pidx = self._new_proceedings(dorm, court, day, m, act, kind="reactivate")
            mt = np.where(kind == 2, MOT_IDX["MA"], MOT_IDX["C"])
            party = np.where(kind == 2, 0, 2)   # respondent (A) reopens; DHS (I) recalendars
            self._motions(pidx, mt, day - rng.integers(10, 60, len(pidx)), day, np.zeros(len(pidx), dtype=int), party)

    def _new_cases(self, n: int, court: np.ndarray, input_day: np.ndarray, fy: int) -> np.ndarray:
        rng, C = self.rng, self.C
        idx = C.add(n)
        C["cid"][idx] = self._new_ids("case", n)
        nat = rng.choice(len(P_.NATS), size=n, p=self.nat_p[P_.nat_era(fy)])
        C["nat"][idx] = nat
        lang = np.empty(n, dtype=np.int64)
        for k in np.unique(nat):
            sel = nat == k
            langs, p = self.nat_lang[k]
            lang[sel] = np.array(langs)[rng.choice(len(langs), size=sel.sum(), p=p)]
        C["lang"][idx] = lang
        C["sex"][idx] = np.where(rng.random(n) < 0.467, -1, np.where(rng.random(n) < 0.595, 0, 1))
        age = rng.integers(16, 60, n)
        year = (1970 + input_day // 365 - age)
        C["birth"][idx] = np.where(rng.random(n) < 0.467, -1, year * 100 + rng.integers(1, 13, n))
        C["entry_day"][idx] = np.where(rng.random(n) < 0.365, -1, input_day - rng.integers(5, 365 * 8, n)
                                       * (rng.random(n) < 0.5) - rng.integers(1, 60, n))
        C["lpr"][idx] = np.where(rng.random(n) < 0.926, -1, (rng.random(n) < 0.01).astype(int))
        C["site"][idx] = np.where(rng.random(n) < 0.53, -1, (rng.random(n) < 0.135).astype(int))
        C["court0"][idx] = court
        C["cur_court"][idx] = court
        C["zip"][idx] = self.court_zip3[court] * 100 + rng.integers(0, 100, n)
        C["city_var"][idx] = rng.integers(0, 3, n)
        C["addr_day"][idx] = np.where(rng.random(n) < 0.65, -1, input_day + rng.integers(30, 900, n))
        cust = rng.choice(3, size=n, p=P_.CUSTODY_AT_RECEIPT)
        C["custody"][idx] = cust
        C["det_day"][idx] = np.where(cust > 0, input_day - rng.integers(1, 30, n), -1)
        C["rel_day"][idx] = np.where(cust == 2, C["det_day"][idx] + rng.integers(1, 60, n), -1)
        C["purge"][idx] = rng.random(n) < 2e-5
        ct = rng.choice(len(P_.CASE_TYPES), size=n,
                        p=P_.PRE_1997_SHARES if fy <= 1997 else P_.CASE_TYPE_SHARES)
        ct = np.where(np.isin(ct, [P_.CFR, P_.RFR]) & (cust == 0), P_.RMV, ct)
        C["ctype"][idx] = ct
        C["crim"][idx] = rng.random(n) < np.where(cust == 1, 0.2, 0.04)
        prio = np.zeros(n, dtype=np.int64)
        if fy >= 2014:
            u = rng.random(n)
            prio = np.select([u < 0.05, (u < 0.10) & (fy <= 2019), (u < 0.115) & (fy >= 2019), u < 0.118],
                             [1, 2, 4, 5], 0)
        C["prio"][idx] = prio
        return idx

    def _new_proceedings(self, crow: np.ndarray, court: np.ndarray, day: np.ndarray, m: int, act: np.ndarray,
                         kind: str, prev: dict | None = None) -> np.ndarray:
        """Open one proceeding per case row ``crow`` at ``court``; schedules its first master hearing."""
        rng, P, C = self.rng, self.P, self.C
        n = len(crow)
        idx = P.add(n)
        P["pid"][idx] = self._new_ids("proc", n)
        P["cid"][idx] = C["cid"][crow]
        P["crow"][idx] = crow
        P["court"][idx] = court
        P["alive"][idx] = True
        P["purge"][idx] = rng.random(n) < 5e-4
        cust = C["custody"][crow].astype(np.int64)
        P["custody"][idx] = cust
        P["hloc"][idx] = np.where(cust == 1, self.court_det[court], self.court_main[court])
        P["ctype"][idx] = C["ctype"][crow]
        P["nat"][idx] = C["nat"][crow]
        P["lang"][idx] = C["lang"][crow]
        P["crim"][idx] = C["crim"][crow]
        P["detain_day"][idx] = np.where(cust > 0, C["det_day"][crow], -1)
        P["gen"][idx] = 99 - C["n_procs"][crow]
        C["n_procs"][crow] += 1
        C["open_procs"][crow] += 1
        C["cur_court"][crow] = court
        if kind == "new":
            P["osc_day"][idx] = day - rng.integers(0, 45, n)
            P["input_day"][idx] = np.where(rng.random(n) < 0.028, -1, day)
            nat = C["nat"][crow]
            asy = rng.random(n) < self.nat_asy[nat] * np.where(cust == 1, 0.6, 1.0)
            asy &= np.isin(C["ctype"][crow], [P_.RMV, P_.AOC, P_.DEP, P_.EXC])
            aff = asy & (rng.random(n) < self.nat_aff[nat]) & (cust != 1)
            P["asy"][idx] = np.where(aff, 2, asy.astype(int))
            P["asy_day"][idx] = np.where(aff, day - rng.integers(60, 700, n), -1)
            P["affirm"][idx] = aff
            C["c_asy"][crow] = np.where(aff, 0, np.where(asy, 1, -1))
            P["app"][idx] = np.where(asy, 0, rng.choice(5, size=n, p=P_.APP_DRAW))
            # representation: whether the respondent will have a representative in this proceeding (fixed at
            # filing, so the judge's speed never changes who is represented) and from which day (EOIR-28)
            p_rep = np.select([cust == 0, cust == 1], [P_.REP_EVENTUAL[0], P_.REP_EVENTUAL[1]],
                              P_.REP_EVENTUAL[2]) + 0.15 * aff
            rep = rng.random(n) < p_rep
            wait = rng.exponential(np.where(cust == 1, P_.REP_WAIT_DAYS["detained"], P_.REP_WAIT_DAYS["other"]))
            P["rep"][idx] = rep
            P["rep_day"][idx] = np.where(rep, day + np.where(rng.random(n) < P_.REP_AT_FILING, 0, wait.astype(np.int64)),
                                         -1)
            P["atty"][idx] = np.where(rep, self._pick_atty(court), -1)
            P["uncal"][idx] = (day > CUT_DAY - 45) & (rng.random(n) < 0.5)
        else:
            P["osc_day"][idx] = day - rng.integers(0, 20, n)
            P["input_day"][idx] = day
            if prev is not None:
                for k, v in prev.items():
                    P[k][idx] = v
            else:   # reactivated: keep the case's applications and representation
                P["rep"][idx] = C["e28_day"][crow] >= 0
                P["rep_day"][idx] = C["e28_day"][crow]
                P["atty"][idx] = np.where(P["rep"][idx], self._pick_atty(court), -1)
                nat = C["nat"][crow]
                asy = C["c_asy"][crow] >= 0
                P["asy"][idx] = asy.astype(int)
                P["app"][idx] = 0
        judge = self._court_pick(act, court)
        ds = self.eff.docket_shift
        if ds != 0.0 and self.cal.month_start[m] >= QUOTA_START_DAY:
            # assumption-failure scenario: new detained proceedings steered toward high-bite judges
            det = cust == 1
            w = self.j_cap * np.exp(ds * np.nan_to_num(self.bite_eff))
            judge[det] = self._court_pick(act, court[det], weight=w)
        judge = np.where(judge >= 0, judge, self._any_judge(court))
        P["judge"][idx] = judge
        P["stage"][idx] = STAGE_MASTER0
        sched = ~P["uncal"][idx]
        self._schedule(idx[sched], m, "master_first", day[sched])
        P["sched_day"][idx] = day
        return idx

    def _any_judge(self, court: np.ndarray) -> np.ndarray:
        """Fallback when a court has no active judge: the court's judge with the latest end day."""
        out = np.empty(len(court), dtype=np.int64)
        for c in np.unique(court):
            js = np.flatnonzero(self.j_court == c)
            out[court == c] = js[np.argmax(self.j_end[js])]
        return out

    def _pick_atty(self, court: np.ndarray) -> np.ndarray:
        cnt = self.att_off[court + 1] - self.att_off[court]
        k = (self.rng.random(len(court)) * cnt).astype(np.int64)
        return self.att_sorted[self.att_off[court] + k]

    # -- scheduling -------------------------------------------------------------------------------
    def _schedule(self, idx: np.ndarray, m: int, kind: str, today: np.ndarray) -> None:
        """Set the next hearing date: detained and review cases within weeks; others through the
        judge's calendar queue (so waits grow with the backlog)."""
        if len(idx) == 0:
            return
        P, rng, cal = self.P, self.rng, self.cal
        today = np.broadcast_to(np.asarray(today, dtype=np.int64), idx.shape).copy()
        fast = (P["custody"][idx] == 1) | np.isin(P["ctype"][idx], [P_.CFR, P_.RFR])
        q = 1 if kind == "indiv" else 0
        nd = np.empty(len(idx), dtype=np.int64)
        lo, hi = (7, 25) if q == 0 else (20, 60)
        nd[fast] = today[fast] + rng.integers(lo, hi, fast.sum())
        slow = ~fast
        if slow.any():
            si = idx[slow]
            j = P["judge"][si].astype(np.int64)
            order = np.argsort(j, kind="stable")
            js = j[order]
            first = np.r_[0, np.flatnonzero(np.diff(js)) + 1]
            counts = np.diff(np.r_[first, len(js)])
            rank = np.arange(len(js)) - np.repeat(first, counts)
            ujs = js[first]
            base = np.maximum(self.tail[ujs, q], m + P_.MIN_DELAY_MONTHS[kind])
            self.tail[ujs, q] = base + counts / self.slots[ujs, q]
            mf = np.repeat(base, counts) + (rank + rng.random(len(js))) / self.slots[js, q]
            mi = np.floor(mf).astype(np.int64)
            frac = mf - mi
            m0 = np.datetime64(int(cal.month_start[0]), "D").astype("datetime64[M]")
            s0 = (m0 + mi).astype("datetime64[D]").astype(np.int64)
            s1 = (m0 + mi + 1).astype("datetime64[D]").astype(np.int64)
            dd = s0 + (frac * (s1 - s0)).astype(np.int64)
            out = np.empty(len(si), dtype=np.int64)
            out[order] = dd
            nd[slow] = np.maximum(out, today[slow] + 14)
        wd = (nd + 3) % 7
        nd = nd + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))   # weekends -> Monday
        P["next_day"][idx] = nd
        P["sched_day"][idx] = today

    # -- the month -----------------------------------------------------------------------------------
    def run(self) -> None:
        self._init_stock()
        for m in range(self.cal.n_months):
            self._month(m)
            if self.progress is not None:
                self.progress.update(1)
            if int(self.cal.fy[m]) == 2018 and int(self.cal.fmonth[m]) == 5:
                self._provisional_bite(m)
            if int(self.cal.fy[m]) == 2018 and int(self.cal.fmonth[m]) == 12:
                self._final_bite(m)
            if self.P.n > 4096 and (~self.P["alive"]).mean() > COMPACT_AT:
                self._compact()
        self._finish()

    def _init_stock(self) -> None:
        """The pending stock at the start: STOCK_YEARS of capacity, filed over the previous years."""
        act, _ = self._active(0)
        cap = float(self.j_cap[act].sum())
        n = int(P_.STOCK_YEARS * cap)
        rng = self.rng
        if n == 0:
            return
        court = rng.choice(len(self.court_w), size=n, p=self.court_w)
        d0 = int(self.cal.month_start[0])
        age = np.minimum(rng.exponential(400, n), 3000).astype(np.int64) + 1
        input_day = d0 - age
        crow = self._new_cases(n, court, input_day, int(self.cal.fy[0]) - 1)
        legacy = rng.random(n) < (0.03 if self.cal.fy[0] >= 2000 else 0.0)
        self.C["ctype"][crow[legacy]] = np.where(rng.random(legacy.sum()) < 0.8, P_.DEP, P_.EXC)
        idx = self._new_proceedings(crow, court, input_day, 0, act, "new")
        P = self.P
        P["uncal"][idx] = False
        P["first_day"][idx] = input_day + rng.integers(20, 120, n)
        P["first_day"][idx] = np.minimum(P["first_day"][idx], d0 - 1)
        P["first_time"][idx] = rng.choice([510, 540, 780, 810], size=n)
        P["n_hear"][idx] = 1
        indiv = rng.random(n) < 0.5
        P["stage"][idx] = np.where(indiv, STAGE_INDIV, STAGE_MASTER)
        for k, sel in (("indiv", indiv), ("master_reset", ~indiv)):
            self._schedule(idx[sel], 0, k, np.full(sel.sum(), d0))
        ii = idx[indiv]
        filed = P["asy"][ii] >= 1
        aff = P["affirm"][ii]
        P["asy"][ii] = np.where(filed, 2, 0)
        P["asy_day"][ii] = np.where(filed & ~aff, P["first_day"][ii], P["asy_day"][ii])
        P["app_day"][ii] = np.where(P["app"][ii] > 0, P["first_day"][ii], -1)

    def _compact(self) -> None:
        """Drop finished proceedings, and cases that are done, from the state (bounded memory)."""
        self.P.compact(self.P["alive"])
        C = self.C
        if C.n > 4096 and C["done"].mean() > COMPACT_AT:
            mapping = C.compact(~C["done"])
            crow = self.P["crow"]
            crow[:] = mapping[crow]
            if (crow < 0).any():
                raise AssertionError("a pending proceeding points to a finished case")

    def _month(self, m: int) -> None:
        cal, rng, P = self.cal, self.rng, self.P
        d0, d1 = int(cal.month_start[m]), int(cal.month_end[m])
        act, frac = self._active(m)
        self._act = act
        gap = self.truth.gap_share_lag(m)
        self._staffing(m, act, gap)
        self._arrivals(m, act)
        # completion budget (first stage)
        days = np.arange(d0, d1)
        s = float(self.eff.share(days).mean())
        b = np.nan_to_num(self.bite_eff)
        base_mu = self.j_cap / 12.0 * cal.productivity(m) * frac
        eff = s * (self.eff.get("completions", "bite") * b + self.eff.get("completions", "gap_share") * gap)
        mu = base_mu * np.exp(eff)
        N = np.floor(mu + rng.random(self.J)).astype(np.int64) * act   # randomized rounding: E[N] = mu
        on = act & (frac > 0)
        self.truth.judge_months += int(on.sum())
        per = np.full(self.J, self._period_code(np.array([(d0 + d1) // 2]))[0])
        hb = ~np.isnan(self.bite_eff)
        self.truth.add_ame("completions", "bite", per, self.eff.get("completions", "bite") * s * mu, mu - base_mu,
                           mask=on & hb)
        self.truth.add_ame("completions", "gap_share", per, self.eff.get("completions", "gap_share") * s * mu, None,
                           mask=on)
        self._hearings(m, N, gap, act)

    # -- hearings ----------------------------------------------------------------------------------
    def _hearings(self, m: int, N: np.ndarray, gap: np.ndarray, act: np.ndarray) -> None:
        cal, rng, P = self.cal, self.rng, self.P
        d0, d1 = int(cal.month_start[m]), int(cal.month_end[m])
        n = P.n
        nd = P["next_day"][:n]
        E = np.flatnonzero(P["alive"][:n] & (nd >= d0) & (nd < d1))
        rows = _Rows()
        day = P["next_day"][E].astype(np.int64)
        judge = P["judge"][E].astype(np.int64)
        stage = P["stage"][E].astype(np.int64)
        cust = P["custody"][E].astype(np.int64)
        # 1. cancellations: COVID closure of non-detained dockets, docket management, absent judges
        covid = (day >= self.covid0) & (day < self.covid1) & (cust != 1) & (rng.random(len(E)) < 0.9)
        vacate = rng.random(len(E)) < P_.VACATE_RATE
        nojudge = ~act[judge]
        cancel = covid | vacate | nojudge
        rsn = np.full(len(E), -1, dtype=np.int64)
        rsn[vacate] = _draw(rng, R.RSN_GROUPS["vacate"], vacate.sum())
        rsn[nojudge] = RSN_IDX["34"]
        rsn[covid] = _draw(rng, R.RSN_GROUPS["covid"], covid.sum())
        ci = E[cancel]
        if len(ci):
            rows.add(self, ci, day[cancel], rsn[cancel], medium=np.full(len(ci), MED_IDX["H"]))
            self._reschedule(ci, m, day[cancel], stage[cancel], delay_extra=np.where(covid[cancel], 3, 0))
        live = ~cancel
        L = E[live]
        day, judge, stage, cust = day[live], judge[live], stage[live], cust[live]
        rep_type = P["rep"][L]                                 # will be represented in this proceeding
        rep = rep_type & (P["rep_day"][L] <= day)             # represented at this hearing
        fy = cal.fy[m]
        # 2. respondents' continuance requests (planted effect on the grant)
        first = P["n_hear"][L] == 0
        r = np.select([(stage < 2) & first & ~rep, (stage < 2) & ~rep, stage < 2],
                      [P_.REQ_FIRST_MASTER_UNREP, P_.REQ_MASTER_UNREP, P_.REQ_MASTER_REP], P_.REQ_INDIV)
        r = np.where(np.isin(P["ctype"][L], [P_.CFR, P_.RFR]), 0.0, r)
        req = rng.random(len(L)) < r
        share = self.eff.share(day)
        b = self.bite_eff[judge]
        hb = ~np.isnan(b)
        bcoef, gcoef = self.eff.get("continuance_grant", "bite"), self.eff.get("continuance_grant", "gap_share")
        eff = share * (bcoef * np.nan_to_num(b) + gcoef * gap[judge])
        lin0 = (P_.CONT_BASE + P_.CONT_REPEAT * P["n_granted"][L] + P_.CONT_INDIV * (stage == 2)
                + self.cont_re[judge] + P_.CONT_ERA.get(int(fy), 0.0))
        p = sigmoid(lin0 + eff)
        p0 = sigmoid(lin0)
        grant = req & (rng.random(len(L)) < p)
        per = self._period_code(day)
        dp = p * (1 - p)
        self.truth.add_ame("continuance_grant", "bite", per, bcoef * dp * share, p - p0, mask=req & hb)
        self.truth.add_ame("continuance_grant", "gap_share", per, gcoef * dp * share, None, mask=req)
        self.truth.add_ame("hearing_adjourned_respondent", "bite", per, r * bcoef * dp * share, r * (p - p0), mask=hb)
        self.truth.add_ame("hearing_adjourned_respondent", "gap_share", per, r * gcoef * dp * share, None)
        fyi = self.truth.fy_index(cal.fy[self.cal.month_of_day(day)])
        np.add.at(self.truth.c_req, (judge[req], fyi[req]), 1)
        np.add.at(self.truth.c_grant, (judge[grant], fyi[grant]), 1)
        np.add.at(self.truth.c_deny, (judge[req & ~grant], fyi[req & ~grant]), 1)
        np.add.at(self.truth.c_hear, (judge, fyi), 1)
        # recorded continuance motions (CO): a share of requests is entered, granted or denied
        rec = req & (rng.random(len(L)) < np.where(rep, P_.CO_RECORDED_REP, P_.CO_RECORDED_UNREP))
        if rec.any():
            ri = L[rec]
            party = np.where(rep[rec], 0, 1)
            method = np.where(rep[rec], 0, 1)
            recd = day[rec] - np.where(rep[rec], rng.integers(3, 30, rec.sum()), 0)
            w = self._motions(ri, np.full(len(ri), MOT_IDX["CO"]), recd, day[rec],
                              np.where(grant[rec], 0, 1), party, method=method)
            # counted as the data show them: kept rows with a judge, a decision and a filing party
            ok = w.loaded & ~w.blanked["IJ_CODE"] & ~w.blanked["DEC"] & ~w.blanked["STRFILINGPARTY"]
            jm = judge[rec][ok]
            fm = fyi[rec][ok]
            g = grant[rec][ok]
            np.add.at(self.truth.c_mot_g, (jm[g], fm[g]), 1)
            np.add.at(self.truth.c_mot_d, (jm[~g], fm[~g]), 1)
            d_ = dp[rec][ok]
            self.truth.add_ame("continuance_motion_granted", "bite", per[rec][ok], bcoef * d_ * share[rec][ok],
                               (p - p0)[rec][ok], mask=hb[rec][ok])
            self.truth.add_ame("continuance_motion_granted", "gap_share", per[rec][ok], gcoef * d_ * share[rec][ok],
                               None)
        # 3. DHS requests (most granted; a share entered as CO motions filed by DHS) and the rest
        dhs_req = ~grant & (rng.random(len(L)) < np.where(stage == 2, P_.DHS_REQ["indiv"], P_.DHS_REQ["master"]))
        dhs = dhs_req & (rng.random(len(L)) < P_.DHS_GRANT)
        drec = dhs_req & (rng.random(len(L)) < P_.CO_RECORDED_DHS)
        if drec.any():
            self._motions(L[drec], np.full(drec.sum(), MOT_IDX["CO"]), day[drec] - rng.integers(3, 20, drec.sum()),
                          day[drec], np.where(dhs[drec], 0, 1), np.full(drec.sum(), 2), method=np.zeros(drec.sum(), int))
        cand = ~grant & ~dhs
        # 4. which candidates close this month: the judge's budget N split over strata of hearings in fixed
        #    proportions (weight x count), so that a larger budget changes how many cases close, not which kind
        #    Targets are set from all the month's hearings (before requests), and filled with hearings that
        #    were not adjourned, so continuance decisions do not change the kind of cases that close.
        stratum = np.select([np.isin(P["ctype"][L], [P_.CFR, P_.RFR]), (stage == 2) & (cust == 1),
                             stage == 2, cust == 1, ~rep_type], [0, 1, 2, 3, 4], 5)
        chosen_all, short = self._allocate(judge, stratum, N, cand)
        ci = np.flatnonzero(cand)
        chosen = chosen_all[ci]
        self.truth.judge_months_capacity_short += int((short > 0).sum())
        comp_local = ci[chosen]
        # 5. adjournments of the hearings that did not close
        adj = np.zeros(len(L), dtype=bool)
        adj[ci[~chosen]] = True
        self._adjourn(m, L, day, stage, cust, rep, grant, dhs, adj, rows)
        # 6. completions at the hearing
        ki = L[comp_local]
        kd = day[comp_local]
        rows.add(self, ki, kd, np.where(rng.random(len(ki)) < P_.COMPLETION_8B, RSN_IDX["8B"], -1))
        pulled, pday = self._pull(m, short, act)
        unmet = short - np.bincount(P["judge"][pulled].astype(np.int64), minlength=self.J)
        self.truth.judge_months_unmet += int((unmet > 0).sum())
        self.truth.completions_unmet += int(unmet.sum())
        rows.add(self, pulled, P["next_day"][pulled], RSN_IDX["8A"], medium=np.full(len(pulled), MED_IDX["H"]))
        # 7. write this month's schedule rows (before the completed proceedings, which count their rows)
        self._emit_schedule(rows, m)
        self._complete(m, np.r_[ki, pulled], np.r_[kd, pday], gap, rows)

    def _allocate(self, judge: np.ndarray, stratum: np.ndarray, N: np.ndarray,
                  eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Choose which of a month's hearings close: judge j closes N_j of them. Fear reviews all close;
        the rest of the budget is split over the other strata with expected shares proportional to
        weight x number of hearings (multinomial, capped by availability, leftovers re-spread), and filled
        uniformly at random among the ``eligible`` hearings of a stratum. Returns (chosen mask, unmet budget)."""
        rng = self.rng
        S = len(STRATUM_WEIGHT)
        n_js = np.zeros((self.J, S), dtype=np.int64)
        np.add.at(n_js, (judge, stratum), 1)
        e_js = np.zeros((self.J, S), dtype=np.int64)
        np.add.at(e_js, (judge[eligible], stratum[eligible]), 1)
        want = np.zeros((self.J, S), dtype=np.int64)
        # fear reviews are decided at their hearing, inside the judge's budget
        want[:, 0] = e_js[:, 0]
        left = np.maximum(N.astype(np.int64) - e_js[:, 0], 0)
        n_js[:, 0] = e_js[:, 0]          # nothing left to allocate in this stratum
        for _ in range(4):
            cap = n_js - want
            mass = cap * STRATUM_WEIGHT[None, :]
            tot = mass.sum(axis=1)
            ok = (left > 0) & (tot > 0)
            if not ok.any():
                break
            p = np.zeros_like(mass, dtype=float)
            p[ok] = mass[ok] / tot[ok, None]
            draw = np.zeros_like(want)
            draw[ok] = rng.multinomial(left[ok], p[ok])
            draw = np.minimum(draw, np.maximum(cap, 0))
            want += draw
            left -= draw.sum(axis=1)
        # hearings adjourned on request leave their slot to another hearing of the same stratum if possible;
        # what is left is decided before hearing (see _pull)
        take = np.minimum(want, e_js)
        left += (want - take).sum(axis=1)
        want = take
        key = rng.random(len(judge)) + (~eligible) * 2.0
        order = np.lexsort((key, stratum, judge))
        g = judge[order] * S + stratum[order]
        first = np.r_[0, np.flatnonzero(np.diff(g)) + 1] if len(g) else np.zeros(0, dtype=np.int64)
        counts = np.diff(np.r_[first, len(g)]) if len(g) else np.zeros(0, dtype=np.int64)
        rank = np.arange(len(g)) - np.repeat(first, counts)
        chosen = np.zeros(len(judge), dtype=bool)
        chosen[order[rank < want.ravel()[g]]] = True
        return chosen, np.maximum(left, 0)

    def _pull(self, m: int, short: np.ndarray, act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Judges with budget left decide cases before their hearing ("IJ completion prior to hearing")."""
        P, rng = self.P, self.rng
        need = np.flatnonzero(short > 0)
        if len(need) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        d0, d1 = int(self.cal.month_start[m]), int(self.cal.month_end[m])
        n = P.n
        # cases not handled this month (a hearing adjourned this month is not decided again before the next one)
        mask = P["alive"][:n] & (P["next_day"][:n] >= d1) & (P["sched_day"][:n] < d0) & np.isin(P["judge"][:n], need)
        cand = np.flatnonzero(mask)
        if len(cand) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        jc = P["judge"][cand].astype(np.int64)
        order = np.lexsort((P["next_day"][cand] + rng.integers(0, 30, len(cand)), jc))
        js = jc[order]
        startpos = np.r_[0, np.flatnonzero(np.diff(js)) + 1]
        counts = np.diff(np.r_[startpos, len(js)])
        rank = np.arange(len(js)) - np.repeat(startpos, counts)
        take = cand[order[rank < short[js]]]
        return take, rng.integers(d0, d1, len(take))

    def _reschedule(self, idx: np.ndarray, m: int, day: np.ndarray, stage: np.ndarray,
                    delay_extra: np.ndarray | None = None) -> None:
        P = self.P
        P["n_hear"][idx] += 1
        indiv = stage == 2
        if delay_extra is not None and delay_extra.any():
            day = day + delay_extra * 30
        self._schedule(idx[indiv], m, "indiv", day[indiv])
        self._schedule(idx[~indiv], m, "master_reset", day[~indiv])
        P["stage"][idx[~indiv]] = STAGE_MASTER

    def _adjourn(self, m, L, day, stage, cust, rep, grant, dhs, adj, rows) -> None:
        """Adjourned hearings: granted respondent requests, DHS requests and hearings the budget did not reach."""
        rng, P = self.rng, self.P
        rsn = np.full(len(L), -1, dtype=np.int64)
        first = P["n_hear"][L] == 0
        g_first = grant & first & ~rep & (stage < 2)
        g_master = grant & ~g_first & (stage < 2)
        g_indiv = grant & (stage == 2)
        rsn[g_first] = _draw(rng, R.RSN_GROUPS["resp_first_unrep"], g_first.sum())
        rsn[g_master] = _draw(rng, R.RSN_GROUPS["resp_master"], g_master.sum())
        rsn[g_indiv] = _draw(rng, R.RSN_GROUPS["resp_indiv"], g_indiv.sum())
        rsn[dhs] = _draw(rng, R.RSN_GROUPS["dhs"], dhs.sum())
        # masters not closed: to the merits calendar (17) or reset; detained may be released (1B/16)
        am = adj & (stage < 2)
        ready = (P["n_hear"][L] >= 1) | rep | (P["asy"][L] > 0) | (P["app"][L] > 0)
        to_indiv = am & (rng.random(len(L)) < np.where(ready, P_.TO_MERITS["ready"], P_.TO_MERITS["not_ready"]))
        release = am & ~to_indiv & (cust == 1) & (rng.random(len(L)) < 0.25)
        other_m = am & ~to_indiv & ~release
        rsn[to_indiv] = RSN_IDX["17"]
        rsn[release] = _draw(rng, R.RSN_GROUPS["release"], release.sum())
        rsn[other_m] = _draw(rng, R.RSN_GROUPS["master_other"], other_m.sum())
        ai = adj & (stage == 2)
        rsn[ai] = _draw(rng, R.RSN_GROUPS["indiv_other"], ai.sum())
        sel = grant | dhs | adj
        idx = L[sel]
        med = np.where(NEVER_IDX[np.maximum(rsn[sel], 0)], MED_IDX["H"], -1)
        rows.add(self, idx, day[sel], rsn[sel], medium=med)
        # state updates
        P["n_granted"][L[grant]] += 1
        if release.any():
            ri = L[release]
            P["custody"][ri] = 2
            P["hloc"][ri] = self.court_main[P["court"][ri].astype(np.int64)]
            P["release_day"][ri] = day[release]
            crow = P["crow"][ri]
            self.C["custody"][crow] = 2
            self.C["rel_day"][crow] = day[release]
        ti = L[to_indiv]
        tday = day[to_indiv]
        P["stage"][ti] = STAGE_INDIV
        f = P["asy"][ti] == 1                      # defensive asylum application filed at this master
        P["asy"][ti[f]] = 2
        P["asy_day"][ti[f]] = tday[f]
        a = (P["app"][ti] > 0) & (P["app_day"][ti] < 0)
        P["app_day"][ti[a]] = tday[a]
        new_stage = P["stage"][idx].astype(np.int64)
        P["n_hear"][idx] += 1
        self._schedule(idx[new_stage == 2], m, "indiv", day[sel][new_stage == 2])
        self._schedule(idx[new_stage < 2], m, "master_reset", day[sel][new_stage < 2])
        P["stage"][idx[new_stage < 2]] = STAGE_MASTER

    # -- completions -------------------------------------------------------------------------------
    def _complete(self, m: int, idx: np.ndarray, day: np.ndarray, gap: np.ndarray, rows: "_Rows") -> None:
        """Give each closing proceeding its outcome, write it with its children, open follow-ons."""
        if len(idx) == 0:
            return
        rng, P, C, cal = self.rng, self.P, self.C, self.cal
        n = len(idx)
        judge = P["judge"][idx].astype(np.int64)
        stage = P["stage"][idx].astype(np.int64)
        cust = P["custody"][idx].astype(np.int64)
        rep = P["rep"][idx]
        ct = P["ctype"][idx].astype(np.int64)
        fy = cal.fy[cal.month_of_day(day)].astype(np.int64)
        share = self.eff.share(day)
        b = self.bite_eff[judge]
        hb = ~np.isnan(b)
        per = self._period_code(day)
        out = np.full(n, -1, dtype=np.int64)
        # in absentia (planted effect)
        base = np.select([cust == 1, (stage < 2) & ~rep, stage < 2, ~rep], [P_.ABS_DETAINED, P_.ABS_MASTER_UNREP,
                                                                             P_.ABS_MASTER_REP, P_.ABS_INDIV_UNREP],
                         P_.ABS_INDIV_REP)
        era = np.array([P_.ABS_ERA.get(int(f), 0.0) for f in fy])
        lin0 = base + era + self.abs_re[judge]
        bc, gc = self.eff.get("in_absentia", "bite"), self.eff.get("in_absentia", "gap_share")
        lin = lin0 + share * (bc * np.nan_to_num(b) + gc * gap[judge])
        review = np.isin(ct, [P_.CFR, P_.RFR])
        p = np.where(review, 0.0, sigmoid(lin))
        p0 = np.where(review, 0.0, sigmoid(lin0))
        absn = rng.random(n) < p
        out[absn] = O["absentia"]
        q = np.ones(n)      # P(outcome is dispositive | not in absentia): for the dispositive-denominator truth
        # non-absentia outcomes
        rest = ~absn
        rr = rest & review
        out[rr] = np.where(rng.random(rr.sum()) < 0.72, O["review_affirm"], O["review_vacate"])
        ms = ~review & (stage < 2)
        o_m, q[ms] = self._mix(P_.MASTER_MIX, day[ms], cust[ms], master=True)
        out[ms & rest] = o_m[rest[ms]]
        ind = ~review & (stage == 2)
        asy = ind & (P["asy"][idx] == 2) & (rng.random(n) < P_.ASYLUM_MERITS_SHARE)
        ind_o = ind & ~asy
        o_i, q_i = self._mix(P_.INDIV_MIX, day[ind_o], cust[ind_o], master=False)
        q[ind_o] = q_i
        out[ind_o & rest] = o_i[rest[ind_o]]
        asy &= rest
        self._abs_terms = (p, p0, bc, gc, share, per, hb, q)
        # asylum merits decisions (planted effect on the grant)
        gi = np.flatnonzero(asy)
        if len(gi):
            nat = P["nat"][idx[gi]].astype(np.int64)
            jj = judge[gi]
            d = day[gi]
            lin0 = (P_.GRANT_BASE + self.court_u[P["court"][idx[gi]].astype(np.int64)] + self.grant_re[jj]
                    + self.nat_grant[nat] + P_.GRANT_REP * rep[gi] + P_.GRANT_AFFIRMATIVE * P["affirm"][idx[gi]]
                    + P_.GRANT_DETAINED * (cust[gi] == 1)
                    + P_.GRANT_AB * (self.nat_ab[nat] & (d >= self.ab0) & (d < self.ab1))
                    + np.array([P_.GRANT_ERA.get(int(f), 0.0) for f in fy[gi]])
                    + self.jfy_shock[jj, self.truth.fy_index(fy[gi])])
            gb, gg = self.eff.get("asylum_grant", "bite"), self.eff.get("asylum_grant", "gap_share")
            lin = lin0 + share[gi] * (gb * np.nan_to_num(b[gi]) + gg * gap[jj])
            pg = sigmoid(lin)
            pg0 = sigmoid(lin0)
            g = rng.random(len(gi)) < pg
            u = rng.random(len(gi))
            deny_out = np.select([u < P_.WITHHOLDING_OF_DENIED, u < P_.WITHHOLDING_OF_DENIED + P_.CAT_OF_DENIED,
                                  u < P_.WITHHOLDING_OF_DENIED + P_.CAT_OF_DENIED + P_.VD_OF_DENIED],
                                 [O["withholding"], O["cat"], O["vd"]], O["asy_deny"])
            out[gi] = np.where(g, O["asy_grant"], deny_out)
            self._grant_terms = (gi, pg, pg0, gb, gg, share[gi], per[gi], hb[gi])
        else:
            self._grant_terms = None
        P["alive"][idx] = False
        self._finalize(m, idx, day, out, judge, rows)

    def _mix(self, mix: dict[str, float], day: np.ndarray, cust: np.ndarray,
             master: bool) -> tuple[np.ndarray, np.ndarray]:
        """Draw non-absentia outcomes from a stage mix adjusted by period (Castro-Tum, PD, dismissals).

        Also returns each row's probability that the outcome is dispositive (not a change of venue or transfer).
        """
        n = len(day)
        if n == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        keys = list(mix)
        wts = np.tile(np.array([mix[k] for k in keys]), (n, 1))
        k = {kk: i for i, kk in enumerate(keys)}
        fy = self.cal.fy[self.cal.month_of_day(day)]
        if "admin_close" in k:
            closed = (day >= self.castro) & (day < self.cruz)
            wts[closed, k["admin_close"]] *= 0.08
            wts[fy >= 2022, k["admin_close"]] *= 0.6
        if "pd_close" in k:
            wts[(day >= self.pd0) & (day < self.pd1), k["pd_close"]] = 0.09
            wts[fy >= 2022, k["pd_close"]] = 0.02
        if "dismiss" in k:
            wts[fy == 2021, k["dismiss"]] *= 3
            wts[fy >= 2022, k["dismiss"]] *= 14 if master else 6
        if "transfer" in k:
            wts[cust == 1, k["transfer"]] *= 2.5
        if "zero_bond" in k:
            wts[cust != 1, k["zero_bond"]] = 0.0
        wts = wts / wts.sum(axis=1, keepdims=True)
        u = self.rng.random(n)[:, None]
        pick = (u > np.cumsum(wts, axis=1)).sum(axis=1)
        q = 1.0 - sum(wts[:, k[kk]] for kk in ("cov", "transfer") if kk in k)
        return np.array([O[kk] for kk in keys])[np.minimum(pick, len(keys) - 1)], q

    def _finalize(self, m, idx, day, out, judge, rows) -> None:
        """Write completed proceedings (with applications, charges, reps, motions) and update the truth."""
        from helpers.synth.finalize import finalize_proceedings
        finalize_proceedings(self, m, idx, day, out, judge, rows)

    def _motions(self, pidx, mtype, recd_day, dec_day, dec, party, method=None) -> Written:
        from helpers.synth.finalize import write_motions
        return write_motions(self, pidx, mtype, recd_day, dec_day, dec, party, method)

    def _emit_schedule(self, rows: "_Rows", m: int) -> None:
        from helpers.synth.finalize import write_schedule
        write_schedule(self, rows, m)

    # -- pressure -----------------------------------------------------------------------------------
    def _provisional_bite(self, m: int) -> None:
        """Bite from Oct 2016 - Feb 2018 data, used by the anticipation effects (Mar - Sep 2018)."""
        first = int(np.flatnonzero((self.cal.fy == 2017) & (self.cal.fmonth == 1))[0])
        pace, bite, months, comp = self.truth.compute_pace(first, m)
        self.truth.prov_pace, self.truth.prov_bite = pace, bite
        self.bite_eff = bite.copy()

    def _final_bite(self, m: int) -> None:
        """Bite from FY2017-FY2018 (DATAFLOW.md s3), used from 1 Oct 2018 on."""
        first = int(np.flatnonzero((self.cal.fy == 2017) & (self.cal.fmonth == 1))[0])
        pace, bite, months, comp = self.truth.compute_pace(first, m)
        t = self.truth
        t.pace, t.bite, t.months_on_bench, t.fy1718 = pace, bite, months, comp
        self.bite_eff = bite.copy()

    def _finish(self) -> None:
        from helpers.synth.finalize import finish
        finish(self)


class _Rows:
    """Schedule rows collected during a month (values copied from the proceeding state)."""

    def __init__(self):
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, eng: Engine, idx: np.ndarray, day: np.ndarray, rsn: np.ndarray, medium: np.ndarray | None = None,
            rec_type: np.ndarray | None = None, cal: np.ndarray | None = None, sched: np.ndarray | None = None) -> None:
        if len(idx) == 0:
            return
        P = eng.P
        n = len(idx)
        stage = P["stage"][idx].astype(np.int64)
        self.parts.append({
            "pidx": np.asarray(idx, dtype=np.int64), "day": np.asarray(day, dtype=np.int64),
            "rsn": np.broadcast_to(np.asarray(rsn, dtype=np.int64), (n,)).copy(),
            "medium": np.full(n, -1, dtype=np.int64) if medium is None else np.asarray(medium, dtype=np.int64),
            "rec": np.zeros(n, dtype=np.int64) if rec_type is None else rec_type,
            "stage": stage, "judge": P["judge"][idx].astype(np.int64), "input": P["sched_day"][idx].astype(np.int64),
            "first": (P["n_hear"][idx] == 0), "cust": P["custody"][idx].astype(np.int64),
            "hloc": P["hloc"][idx].astype(np.int64), "court": P["court"][idx].astype(np.int64),
            "pid": P["pid"][idx].astype(np.int64), "cid": P["cid"][idx].astype(np.int64),
            "osc": P["osc_day"][idx].astype(np.int64), "gen": P["gen"][idx].astype(np.int64),
            "lang": P["lang"][idx].astype(np.int64), "rep": P["rep"][idx] & (P["rep_day"][idx] <= day),
            "atty": P["atty"][idx].astype(np.int64), "asy_day": np.where(P["asy"][idx] == 2, P["asy_day"][idx], -1),
            "asy": P["asy"][idx].astype(np.int64), "ctype": P["ctype"][idx].astype(np.int64),
            "purge": P["purge"][idx], "crow": P["crow"][idx].astype(np.int64),
        })

    def cat(self) -> dict[str, np.ndarray]:
        if not self.parts:
            return {}
        return {k: np.concatenate([p[k] for p in self.parts]) for k in self.parts[0]}
