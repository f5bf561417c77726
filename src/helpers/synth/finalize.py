"""Writing rows for the simulation: hearings, motions, completed and pending proceedings, cases.

Every function writes through the release's raw tables and then updates the truth from the rows a
correct loader keeps (``Written.loaded``), so that the truth is what the data show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from helpers.synth import params as P_
from helpers.synth import rowspecs as R
from helpers.synth.emit import Written, write_rows
from helpers.synth.world import CUT_DAY

if TYPE_CHECKING:
    from helpers.synth.cases import Engine, _Rows

from helpers.synth.cases import MED_IDX, MOT_IDX, O

_PARTY = None


def _party_of_rsn() -> np.ndarray:
    """Party (index into the truth's party list) of every code in RSN_VOCAB, from codes/adjournment_codes.csv."""
    global _PARTY
    if _PARTY is None:
        from helpers import codes
        tab = codes.load("adjournment_codes").set_index("code")["party"]
        _PARTY = np.array([tab.get(c, "ambiguous") for c in R.RSN_VOCAB], dtype=object)
    return _PARTY


_NEVER = None


def _never_occurred() -> np.ndarray:
    """Whether each code in RSN_VOCAB marks a hearing that never took place (codes/adjournment_codes.csv)."""
    global _NEVER
    if _NEVER is None:
        from helpers import codes
        tab = codes.load("adjournment_codes").set_index("code")["never_occurred"]
        _NEVER = np.array([bool(tab.get(c, False)) for c in R.RSN_VOCAB], dtype=bool)
    return _NEVER


def _s(values) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def _codes(eng: "Engine", judge: np.ndarray, day: np.ndarray, blank_rate: float) -> tuple[pa.Array, np.ndarray]:
    """IJ_CODE text (temporary code inside its window) and whether it is blank."""
    cid = eng.code_id(judge, day)
    blank = eng.rng.random(len(judge)) < blank_rate
    txt = np.where(blank, None, eng.codes[cid])
    return _s(txt), blank


def _month_index(eng: "Engine", day: np.ndarray) -> np.ndarray:
    """Simulation month of each day, or -1 outside the simulated months."""
    cal = eng.cal
    mi = np.searchsorted(cal.month_start, day, side="right") - 1
    ok = (mi >= 0) & (day < cal.month_end[-1])
    return np.where(ok, mi, -1)


# --- schedule ---------------------------------------------------------------------------------------
def write_schedule(eng: "Engine", rows: "_Rows", m: int) -> None:
    r = rows.cat()
    if not r:
        return
    rng = eng.rng
    # custody (bond) hearing rows for detained respondents at their first master
    bond = r["first"] & (r["cust"] == 1) & (r["stage"] == 0) & (rng.random(len(r["day"])) < 0.35)
    if bond.any():
        extra = {k: v[bond] for k, v in r.items()}
        extra["rsn"] = np.full(bond.sum(), -1)
        extra["medium"] = np.full(bond.sum(), -1)
        extra["rec"] = np.full(bond.sum(), 2)
        r = {k: np.concatenate([r[k], extra[k]]) for k in r}
    n = len(r["day"])
    day = r["day"]
    past = day <= CUT_DAY
    stage, first, cust = r["stage"], r["first"], r["cust"]
    fy = eng.cal.fy[eng.cal.month_of_day(day)]
    # ADJ_MEDIUM of hearings that took place
    med = r["medium"].copy()
    draw = (med < 0) & past
    era = np.where(fy <= 2019, 0, np.where(fy <= 2021, 1, 2))
    for e, name in enumerate(("pre2020", "covid", "post")):
        sel = draw & (era == e)
        p = np.array(P_.MEDIUM_MIX[name], dtype=float)
        med[sel] = rng.choice(len(P_.MEDIUM), size=sel.sum(), p=p / p.sum())
    video = draw & (cust == 1) & (rng.random(n) < P_.MEDIUM_DETAINED_VIDEO)
    med[video] = MED_IDX["V"]
    med[~past | (draw & (rng.random(n) < 0.05))] = -1
    rec = r["rec"].copy()
    rsn = r["rsn"]
    resp_party = _party_of_rsn()[np.maximum(rsn, 0)]
    rec[(rec == 0) & (rsn >= 0) & (resp_party != "procedural") & (rng.random(n) < 0.03)] = 1
    cal_t = np.where(stage == 2, 1, 0)
    sched = np.select([(stage == 2) & (cust == 1), (stage == 2) & (r["asy"] == 2) & first,
                       (stage == 2) & first, stage == 2, (cust == 1) & first, cust == 1, first],
                      [7, 6, 4, 5, 2, 3, 0], 1)
    sched[rec == 2] = 8
    start = np.where(stage == 2, rng.choice([540, 780], size=n), rng.choice([510, 540, 780, 810], size=n))
    stop = start + np.where(stage == 2, rng.integers(60, 240, n), rng.integers(30, 180, n))
    stop[rng.random(n) < 0.114] = -1
    judge = r["judge"]
    ij, ij_blank = _codes(eng, judge, day, 2.5e-5)
    elap = np.where(r["asy_day"] >= 0, np.clip(day - r["asy_day"], 0, 9999), 0)
    elap_txt = np.char.zfill(elap.astype(str), 4).astype(object)
    elap_txt[rng.random(n) < 0.49] = None
    lang = np.where(r["lang"] == P_.LANGS.index("ENG"), -1, r["lang"])
    lang = np.where((lang == 0) & (rng.random(n) < 0.1), len(P_.LANGS), lang)   # 'SP ' with a trailing space
    session = (day - 10000) * 8192 + judge * 4 + (start >= 720)
    session = np.where(rng.random(n) < 0.222, -1, session)
    assign = np.where(first & (rng.random(n) < 0.3), 0, np.where(rng.random(n) < 0.04, 1,
                                                                  np.where(rng.random(n) < 0.003, 2, -1)))
    notice = np.where(first, 0, np.where(rng.random(n) < 0.3, 1, -1))
    atty = np.where(r["rep"] & (r["atty"] >= 0), eng.att_guid[np.maximum(r["atty"], 0)], None)
    inp = np.where(r["input"] >= 0, np.minimum(r["input"], day), day - 30)
    upd = np.where(past, day + rng.integers(0, 4, n), inp)
    ids = eng._new_ids("sched", n)
    data = {
        "IDNSCHEDULE": ids, "IDNPROCEEDING": r["pid"], "IDNCASE": r["cid"], "OSC_DATE": r["osc"],
        "GENERATION": r["gen"], "SUB_GENERATION": np.where(rng.random(n) < 0.053, 0, -1), "REC_TYPE": rec,
        "LANG": lang, "HEARING_LOC_CODE": _s(eng.hloc_code[r["hloc"]]), "BASE_CITY_CODE": _s(eng.court_code[r["court"]]),
        "IJ_CODE": ij, "INPUT_DATE": inp, "INPUT_TIME": rng.integers(480, 1020, n), "UPDATE_DATE": upd,
        "UPDATE_TIME": rng.integers(480, 1080, n), "ASSIGNMENT_PATH": assign, "CAL_TYPE": cal_t, "ADJ_DATE": day,
        "ADJ_TIME_START": start, "ADJ_TIME_STOP": stop, "ADJ_RSN": rsn, "ADJ_MEDIUM": med,
        "ADJ_ELAP_DAYS": _s(elap_txt), "LNGSESSNID": session, "SCHEDULE_TYPE": sched, "NOTICE_CODE": notice,
        "BLNCLOCKOVERRIDE": (rng.random(n) < 0.002).astype(int), "EOIRAttorneyID": _s(atty),
    }
    w = write_rows(eng.t_sched, R.SCHED_SPEC, data, n, track_blank=("IDNPROCEEDING",))
    ok = w.loaded & ~ij_blank
    t = eng.truth
    mi = _month_index(eng, day)
    jm = judge
    # a judge is on the bench in a month with a *held* hearing (not medium H, not a never-occurred reason, not
    # after the cut) or a completion: cancelled settings under a judge's code do not count (DATAFLOW.md s3)
    held = past & (med != MED_IDX["H"]) & ~((rsn >= 0) & _never_occurred()[np.maximum(rsn, 0)])
    sel = ok & (mi >= 0) & held
    t.active[jm[sel], mi[sel]] = True
    # adjournments by party (judge x FY of the hearing), hearings that took place or are past
    fyi = t.fy_index(fy)
    parties = np.where(rsn >= 0, _party_of_rsn()[np.maximum(rsn, 0)], "none")
    for pname, arr in t.adj_party.items():
        s = ok & past & (parties == pname) & (rec != 2)
        np.add.at(arr, (jm[s], fyi[s]), 1)
    # proceeding-level bookkeeping (not for rows whose IDNPROCEEDING was blanked)
    linked = w.loaded & ~w.blanked["IDNPROCEEDING"]
    pidx = r["pidx"]
    P = eng.P
    np.add.at(P["n_sched_ok"], pidx[linked], 1)
    # observable reassignments: consecutive loaded rows of a proceeding with different judges
    chain = np.flatnonzero(linked & ~ij_blank)
    if len(chain):
        order = chain[np.lexsort((ids[chain], day[chain], pidx[chain]))]
        pp, jj, mo = pidx[order], jm[order], mi[order]
        g_first = np.r_[True, pp[1:] != pp[:-1]]
        g_last = np.r_[pp[1:] != pp[:-1], True]
        prev = np.r_[-1, jj[:-1]]
        prev[g_first] = P["last_judge"][pp[g_first]]
        ch = (prev >= 0) & (prev != jj)
        inside = ch & (mo >= 0)
        np.add.at(t.reassign_obs, (prev[inside], mo[inside]), 1)
        for k in np.flatnonzero(ch & (mo < 0)):   # future hearings (after the data cut): few
            key = (int(prev[k]), str(np.datetime64(int(day[order[k]]), "D").astype("datetime64[M]")))
            t.reassign_future[key] = t.reassign_future.get(key, 0) + 1
        P["last_judge"][pp[g_last]] = jj[g_last]
    # first hearing (HEARING_DATE) and latest hearing of the case
    nof = P["first_day"][pidx] < 0
    P["first_day"][pidx[nof]] = day[nof]
    P["first_time"][pidx[nof]] = start[nof]
    P["last_hloc"][pidx] = r["hloc"]
    C = eng.C
    crow = r["crow"]
    later = day >= C["latest_day"][crow]
    C["latest_day"][crow[later]] = day[later]
    C["latest_time"][crow[later]] = start[later]
    C["latest_cal"][crow[later]] = cal_t[later]


# --- motions ------------------------------------------------------------------------------------------
def write_motions(eng: "Engine", pidx, mtype, recd_day, dec_day, dec, party, method=None) -> Written:
    """Motions of proceedings ``pidx`` (``dec``: index into MOTION_DEC_VOCAB, -1 = undecided)."""
    n = len(pidx)
    if n == 0:
        return Written(np.zeros(0, dtype=bool), {})
    rng, P = eng.rng, eng.P
    dec = np.asarray(dec)
    dec = np.where(rng.random(n) < 0.01, -1, dec)
    recd = np.asarray(recd_day, dtype=np.int64)
    decd = np.maximum(np.asarray(dec_day, dtype=np.int64), recd)
    judge = P["judge"][pidx].astype(np.int64)
    ij, ij_blank = _codes(eng, judge, decd, 0.04)
    if method is None:
        method = np.where(rng.random(n) < 0.885, 0, 1)
    method = np.where(rng.random(n) < 0.06, -1, method)
    party = np.where(rng.random(n) < 0.039, -1, party)
    data = {
        "IDNMOTION": eng._new_ids("motion", n), "IDNPROCEEDING": P["pid"][pidx], "IDNCASE": P["cid"][pidx],
        "OSC_DATE": P["osc_day"][pidx], "REC_TYPE": mtype, "GENERATION": P["gen"][pidx],
        "SUB_GENERATION": np.where(rng.random(n) < 0.04, 0, -1), "UPDATE_DATE": decd + rng.integers(0, 5, n),
        "UPDATE_TIME": rng.integers(480, 1080, n), "INPUT_DATE": recd, "INPUT_TIME": rng.integers(480, 1020, n),
        "BASE_CITY_CODE": _s(eng.court_code[P["court"][pidx].astype(np.int64)]),
        "HEARING_LOC_CODE": _s(eng.hloc_code[P["hloc"][pidx].astype(np.int64)]), "IJ_CODE": ij, "DEC": dec,
        "COMP_DATE": np.where(dec >= 0, decd, -1), "MOTION_RECD_DATE": np.where(rng.random(n) < 0.007, -1, recd),
        "DATMOTIONDUE": np.where(rng.random(n) < 0.06, recd + 10, -1),
        "APPEAL_RSVD": np.where(rng.random(n) < 0.012, rng.integers(0, 3, n), -1),
        "RESP_DUE_DATE": np.where(rng.random(n) < 0.95, recd + 10, -1),
        "JURISDICTION": np.where(rng.random(n) < 0.025, 0, -1),
        "DATE_APPEAL_DUE": np.where(rng.random(n) < 0.07, decd + 30, -1), "STRFILINGPARTY": party,
        "STRFILINGMETHOD": method,
        "STRCERTOFSERVICECODE": np.where(rng.random(n) < 0.18, -1,
                                         rng.choice(6, size=n, p=[.42, .28, .25, .04, .007, .003])),
        "E_28_DATE": np.where((rng.random(n) < 0.014) & (P["rep_day"][pidx] <= decd), P["rep_day"][pidx], -1),
        "O_CLOCK_OPTION": np.where(rng.random(n) < 0.011, rng.integers(0, 4, n), -1),
        "column41": np.where(rng.random(n) < 0.007, decd, -1),
    }
    w = write_rows(eng.t_motion, R.MOTION_SPEC, data, n, track_blank=("IDNPROCEEDING",))
    np.add.at(P["n_motion_ok"], pidx[w.loaded & ~w.blanked["IDNPROCEEDING"]], 1)
    w.blanked["IJ_CODE"] = ij_blank
    w.blanked["DEC"] = dec < 0
    w.blanked["STRFILINGPARTY"] = np.asarray(party) < 0
    return w


# --- proceedings --------------------------------------------------------------------------------------
_DEC_OF = {  # outcome -> DEC_CODE by case type group (RMV-like / DEP / EXC / AOC-WHO / review)
    "removal": ("X", "D", "E", "D"), "absentia": ("X", "D", "E", "D"), "vd": ("V", "V", "W", "D"),
    "relief": ("R", "R", "A", "G"), "terminate": ("T", "T", "T", "T"), "dismiss": ("U", "T", "T", "U"),
    "withdraw": ("W", "T", "W", "W"), "other_dec": ("O", "T", "W", "O"), "asy_grant": ("R", "R", "A", "G"),
    "asy_deny": ("X", "D", "E", "D"), "withholding": ("E", "D", "E", "E"), "cat": ("Z", "D", "E", "Z"),
    "review_affirm": ("A", "A", "A", "A"), "review_vacate": ("V", "V", "V", "V"),
}
_OC_OF = {"cov": "C", "transfer": "T", "admin_close": "A", "pd_close": "Y", "fail_prosecute": "F", "other_oc": "O",
          "tps": "P", "zero_bond": "X"}
_GROUP = np.array([0, 4, 4, 3, 3, 1, 2])   # case type index -> group in _DEC_OF (4 = review, uses col 0)


def _dec_oc(out: np.ndarray, ctype: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dec = np.full(len(out), -1, dtype=np.int64)
    oc = np.full(len(out), -1, dtype=np.int64)
    grp = np.minimum(_GROUP[ctype], 3)
    for name, codes in _DEC_OF.items():
        sel = out == O[name]
        if sel.any():
            dec[sel] = np.array([R.DEC_VOCAB.index(c) for c in codes])[grp[sel]]
    for name, code in _OC_OF.items():
        sel = out == O[name]
        oc[sel] = R.OC_VOCAB.index(code)
    pd_after = (out == O["pd_close"]) & (day >= np.datetime64("2021-10-01", "D").astype(np.int64))
    oc[pd_after] = R.OC_VOCAB.index("M")
    return dec, oc


def _asyl_decisions(out: np.ndarray, stage: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """APPL_DEC of the ASYL, ASYW and WCAT rows of each completed proceeding (-1 = undecided)."""
    a = R.APPL_DEC_VOCAB.index
    n = len(out)
    asyl = np.full(n, a("O"))
    asyw = np.full(n, a("O"))
    wcat = np.full(n, a("O"))
    g = out == O["asy_grant"]
    asyl[g] = rng.choice([a("G"), a("F"), a("C"), a("I")], size=g.sum(), p=[.9, .04, .04, .02])
    asyw[g] = a("M")
    wcat[g] = a("M")
    for name, (x, y, z) in {"asy_deny": ("D", "D", "D"), "withholding": ("D", "G", "M"), "cat": ("D", "D", "L"),
                            "absentia": ("A", "A", "A"), "cov": ("T", "T", "T"), "transfer": ("T", "T", "T"),
                            "admin_close": ("S", "S", "S"), "pd_close": ("S", "S", "S"), "removal": ("W", "W", "W"),
                            "relief": ("M", "M", "M"), "withdraw": ("W", "W", "W")}.items():
        sel = out == O[name]
        asyl[sel], asyw[sel], wcat[sel] = a(x), a(y), a(z)
    vd = out == O["vd"]
    asyl[vd] = np.where(stage[vd] == 2, a("D"), a("W"))
    asyw[vd] = np.where(stage[vd] == 2, a("D"), a("W"))
    wcat[vd] = np.where(stage[vd] == 2, a("D"), a("W"))
    term = np.isin(out, [O["terminate"], O["dismiss"]])
    asyl[term] = np.where(rng.random(term.sum()) < 0.5, a("O"), a("M"))
    asyw[term], wcat[term] = asyl[term], asyl[term]
    return asyl, asyw, wcat


def write_proceedings(eng: "Engine", idx: np.ndarray, day: np.ndarray | None, out: np.ndarray | None) -> dict:
    """Write B rows (+ applications, charges, reps, motions) for proceedings ``idx``.

    ``out``/``day`` are the outcomes and completion days, or None for proceedings still pending at the
    data cut. Returns per-row status arrays for the truth.
    """
    rng, P, C = eng.rng, eng.P, eng.C
    n = len(idx)
    pending = out is None
    if pending:
        out = np.full(n, -1, dtype=np.int64)
        day = np.full(n, -1, dtype=np.int64)
    ct = P["ctype"][idx].astype(np.int64)
    stage = P["stage"][idx].astype(np.int64)
    judge = P["judge"][idx].astype(np.int64)
    court = P["court"][idx].astype(np.int64)
    dec, oc = (np.full(n, -1), np.full(n, -1)) if pending else _dec_oc(out, ct, day)
    completed = ((dec >= 0) | (oc >= 0)) if not pending else np.zeros(n, dtype=bool)
    absn = out == O["absentia"]
    # -- applications
    asy_rows = np.flatnonzero(P["asy"][idx] == 2)
    a_dec = np.full((n, 3), -1, dtype=np.int64)
    if not pending:
        a1, a2, a3 = _asyl_decisions(out, stage, rng)
        a_dec = np.stack([a1, a2, a3], 1)
        a_dec[~completed] = -1
    else:
        a_dec[rng.random(n) < 0.01] = R.APPL_DEC_VOCAB.index("R")
    app_i = np.repeat(asy_rows, 3)
    app_code = np.tile(np.arange(3), len(asy_rows))
    app_dec = a_dec[app_i, app_code]
    app_day = P["asy_day"][idx][app_i]
    other = np.flatnonzero((P["app"][idx] > 0) & (P["app_day"][idx] >= 0))
    o_code = np.array([0, 3, 4, 5, 6])[P["app"][idx][other].astype(np.int64)]
    o_out = out[other]
    ad = R.APPL_DEC_VOCAB.index
    o_dec = np.select([o_out == O["relief"], (o_out == O["vd"]) & (o_code == 6), o_out == O["absentia"],
                       np.isin(o_out, [O["cov"], O["transfer"]]), np.isin(o_out, [O["admin_close"], O["pd_close"]]),
                       np.isin(o_out, [O["removal"], O["asy_deny"]]), o_out < 0],
                      [ad("G"), ad("G"), ad("A"), ad("T"), ad("S"), ad("D"), -1], ad("O"))
    o_dec = np.where(completed[other] | (o_out < 0), o_dec, -1)
    ai = np.r_[app_i, other]
    acode = np.r_[app_code, o_code]
    adec = np.r_[app_dec, o_dec]
    aday = np.r_[app_day, P["app_day"][idx][other]]
    appln_ok = np.zeros(n, dtype=np.int64)
    asyl_loaded = np.zeros(n, dtype=bool)
    if len(ai):
        pi = idx[ai]
        w = write_rows(eng.t_appln, R.APPLN_SPEC, {
            "IDNPROCEEDINGAPPLN": eng._new_ids("appln", len(ai)), "IDNPROCEEDING": P["pid"][pi],
            "IDNCASE": P["cid"][pi], "APPL_CODE": acode, "APPL_RECD_DATE": aday, "APPL_DEC": adec}, len(ai))
        np.add.at(appln_ok, ai[w.loaded], 1)
        asyl_loaded[ai[w.loaded & (acode == 0)]] = True
    # -- charges
    nchg = 1 + (rng.random(n) < 0.1)
    ci = np.repeat(np.arange(n), nchg)
    crim = P["crim"][idx][ci]
    code = np.where(crim, rng.choice([3, 6, 7, 8], size=len(ci), p=[.3, .25, .3, .15]),
                    rng.choice([0, 1, 4, 5, 2], size=len(ci), p=[.6, .15, .18, .04, .03]))
    code = np.where(rng.random(len(ci)) < 0.05, code + len(R.CHARGES), code)
    decided = (dec >= 0)[ci]
    status = np.where(decided, rng.choice([0, 1, 2, 3], size=len(ci), p=[.8, .12, .05, .03]),
                      np.where(rng.random(len(ci)) < np.where(completed[ci], 0.7, 0.6), np.where(completed[ci], 1, 0),
                               -1))
    wc = write_rows(eng.t_charge, R.CHARGE_SPEC, {
        "IDNPRCDCHG": eng._new_ids("charge", len(ci)), "IDNCASE": P["cid"][idx][ci], "IDNPROCEEDING": P["pid"][idx][ci],
        "CHARGE": code, "CHG_STATUS": status}, len(ci))
    charge_ok = np.bincount(ci[wc.loaded], minlength=n)
    # -- representatives: DHS trial attorney, the respondent's representative, BIA appeals
    ins = rng.random(n) < 0.85
    ref_day = np.where(day >= 0, day, CUT_DAY)
    rday = P["rep_day"][idx].astype(np.int64)
    alien = P["rep"][idx] & (rday >= 0) & (rday <= ref_day)        # a representative entered before the end
    crow_all = P["crow"][idx]
    np.maximum.at(C["e28_day"], crow_all[alien], rday[alien])
    C["atty_count"][crow_all[alien]] = np.minimum(C["atty_count"][crow_all[alien]] + 1, 3)
    appeal = np.full(n, -1)
    if not pending:
        merits = np.isin(out, [O["asy_grant"], O["asy_deny"], O["withholding"], O["cat"], O["removal"],
                               O["relief"]]) & (stage == 2)
        appeal = np.where(merits & (rng.random(n) < 0.55), rng.choice(4, size=n, p=[.7, .14, .09, .07]), -1)
    board = (appeal == 0) | (appeal == 2)
    board &= rng.random(n) < 0.5
    parts = []
    for sel, lvl, typ, ptab in ((ins, 0, 1, None), (alien, 0, 0, None), (board, 1, 0, "appeal")):
        k = np.flatnonzero(sel)
        if len(k):
            parts.append((k, lvl, typ, ptab))
    if parts:
        ri = np.concatenate([p[0] for p in parts])
        m_ = len(ri)
        lvl = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
        typ = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
        is_appeal = np.concatenate([np.full(len(p[0]), p[3] == "appeal") for p in parts])
        ptab = np.where(is_appeal, np.where(rng.random(m_) < 0.6, 5, 6), np.where(rng.random(m_) < 0.72, 3, 4))
        eng.ids["appeal"] = eng.ids.get("appeal", 4_000_000)
        parent = np.where(is_appeal, eng.ids["appeal"] + np.arange(m_), P["pid"][idx][ri])
        eng.ids["appeal"] += m_
        inp = P["input_day"][idx][ri]
        wr = write_rows(eng.t_reps, R.REPS_SPEC, {
            "IDNREPSASSIGNED": eng._new_ids("reps", m_), "IDNCASE": P["cid"][idx][ri], "STRATTYLEVEL": lvl,
            "STRATTYTYPE": typ, "PARENT_TABLE": ptab, "PARENT_IDN": parent,
            "BASE_CITY_CODE": _s(np.where(rng.random(m_) < 0.675, eng.court_code[court[ri]], None)),
            "INS_TA_DATE_ASSIGNED": np.where((rng.random(m_) < 0.65) & (inp >= 0), inp + rng.integers(0, 60, m_), -1),
            "E_27_DATE": np.where(is_appeal, np.maximum(day[ri], 0) + rng.integers(10, 30, m_), -1),
            "E_28_DATE": np.where((typ == 0) & ~is_appeal, P["rep_day"][idx][ri], -1),
            "BLNPRIMEATTY": (rng.random(m_) < 0.77).astype(int)}, m_)
        np.add.at(C["n_reps_ok"], P["crow"][idx][ri][wr.loaded], 1)
    # -- motions decided at completion
    _completion_motions(eng, idx, out, day, completed)
    # -- the proceeding rows
    deported = np.where(np.isin(dec, [R.DEC_VOCAB.index(c) for c in ("X", "V", "D", "E")]) & (oc < 0),
                        P["nat"][idx], -1)
    deported[rng.random(n) < 0.08] = -1
    dec_type = np.where(completed & ((dec >= 0) | (rng.random(n) < 0.4)),
                        rng.choice(4, size=n, p=[.52, .40, .07, .01]), -1)
    prev_j = P["prev_judge"][idx].astype(np.int64)
    ij, ij_blank = _codes(eng, judge, np.where(day >= 0, day, CUT_DAY), 5e-4)
    uncal = P["uncal"][idx]
    ij_blank |= uncal
    ij = pa.array(np.where(ij_blank, None, np.asarray(ij.to_pylist(), dtype=object)).tolist(), type=pa.string())
    cov_t = np.isin(oc, [R.OC_VOCAB.index("C"), R.OC_VOCAB.index("T")])
    tstat = np.where(oc == R.OC_VOCAB.index("C"), 0, np.where(oc == R.OC_VOCAB.index("T"), 1,
                                                              P["trans_status"][idx].astype(np.int64)))
    dest = getattr(eng, "_dest_hloc", {})
    to = np.array([dest.get(int(p), None) for p in P["pid"][idx]], dtype=object) if dest else np.full(n, None)
    absent = np.where(completed, absn.astype(int), -1)
    absent[completed & ~absn & (rng.random(n) < 0.04)] = -1     # ABSENTIA blank on some ordinary completions
    appeal_txt = appeal.copy()
    cust = P["custody"][idx].astype(np.int64)
    data = {
        "IDNPROCEEDING": P["pid"][idx], "IDNCASE": P["cid"][idx], "OSC_DATE": np.where(rng.random(n) < 0.005, -1,
                                                                                          P["osc_day"][idx]),
        "INPUT_DATE": P["input_day"][idx], "BASE_CITY_CODE": _s(eng.court_code[court]),
        "HEARING_LOC_CODE": _s(eng.hloc_code[P["hloc"][idx].astype(np.int64)]), "IJ_CODE": ij,
        "TRANS_IN_DATE": P["trans_in"][idx],
        "PREV_HEARING_LOC": _s(np.where(P["prev_hloc"][idx] >= 0, eng.hloc_code[np.maximum(P["prev_hloc"][idx], 0)],
                                        None)),
        "PREV_HEARING_BASE": _s(np.where(P["prev_court"][idx] >= 0,
                                         eng.court_code[np.maximum(P["prev_court"][idx], 0)], None)),
        "PREV_IJ_CODE": _s(np.where(prev_j >= 0, eng.codes[np.maximum(prev_j, 0)], None)),
        "TRANS_NBR": _s(np.where((P["trans_nbr"][idx] > 0) | (rng.random(n) < 0.2),
                                 P["trans_nbr"][idx].astype(str), None)),
        "HEARING_DATE": np.where(uncal, -1, P["first_day"][idx]), "HEARING_TIME": np.where(uncal, -1,
                                                                                           P["first_time"][idx]),
        "DEC_TYPE": dec_type, "DEC_CODE": dec, "DEPORTED_1": deported, "OTHER_COMP": oc,
        "APPEAL_RSVD": appeal_txt, "APPEAL_NOT_FILED": np.where(completed & (dec >= 0) & (appeal < 0)
                                                                & (rng.random(n) < 0.07), 0, -1),
        "COMP_DATE": np.where(completed, day, -1), "ABSENTIA": absent,
        "VENUE_CHG_GRANTED": np.where(oc == R.OC_VOCAB.index("C"), day, -1), "TRANSFER_TO": _s(to),
        "DATE_APPEAL_DUE_STATUS": np.where(completed & ((dec >= 0) | (rng.random(n) < 0.3)), day + 30, -1),
        "TRANSFER_STATUS": tstat, "CUSTODY": cust, "CASE_TYPE": ct, "NAT": np.where(rng.random(n) < 0.0035, -1,
                                                                                     P["nat"][idx]),
        "LANG": np.where((P["lang"][idx] == 0) & (rng.random(n) < 0.1), len(P_.LANGS), P["lang"][idx]),
        "SCHEDULED_HEAR_LOC": _s(np.where(np.full(n, pending) | (rng.random(n) < 0.1),
                                          eng.hloc_code[np.maximum(P["last_hloc"][idx], 0)], None)),
        "CORRECTIONAL_FAC": np.where(P["crim"][idx] & (cust == 1) & (rng.random(n) < 0.3),
                                     rng.integers(0, 4, n), -1),
        "CRIM_IND": np.where(rng.random(n) < 0.025, -1, P["crim"][idx].astype(int)),
        "IHP": np.where(P["crim"][idx] & (cust == 1) & (rng.random(n) < 0.1), rng.integers(0, 3, n), -1),
        "AGGRAVATE_FELON": np.where(rng.random(n) < 0.27, -1, 0), "DATE_DETAINED": P["detain_day"][idx],
        "DATE_RELEASED": P["release_day"][idx],
    }
    purge = P["purge"][idx]
    keep = np.flatnonzero(~purge)
    loaded = np.zeros(n, dtype=bool)
    blank_case = np.zeros(n, dtype=bool)
    if len(keep):
        sub = {k: (v.take(pa.array(keep)) if isinstance(v, pa.Array) else np.asarray(v)[keep]) for k, v in data.items()}
        w = write_rows(eng.t_proc, R.PROC_SPEC, sub, len(keep), track_blank=("IDNCASE",))
        loaded[keep] = w.loaded
        blank_case[keep] = w.blanked["IDNCASE"]
    crow = P["crow"][idx]
    np.add.at(C["n_proc_ok"], crow[loaded & ~blank_case], 1)
    # orphans: children of proceedings that a loader will not have
    missing = ~loaded
    t = eng.truth
    t.orphan("tbl_schedule->B_TblProceeding", int(P["n_sched_ok"][idx][missing].sum()))
    t.orphan("tbl_Court_Appln->B_TblProceeding", int(appln_ok[missing].sum()))
    t.orphan("tbl_Court_Motions->B_TblProceeding", int(P["n_motion_ok"][idx][missing].sum()))
    t.orphan("B_TblProceedCharges->B_TblProceeding", int(charge_ok[missing].sum()))
    return {"loaded": loaded, "ij_ok": loaded & ~ij_blank, "completed": completed, "dec": dec, "oc": oc,
            "absentia": absn, "asyl_loaded": asyl_loaded, "asyl_dec": a_dec[:, 0], "cov_t": cov_t}


def _completion_motions(eng: "Engine", idx, out, day, completed) -> None:
    """Motions decided with or around the completion (venue, termination, closure, bond, other)."""
    rng, P = eng.rng, eng.P
    n = len(idx)
    if n == 0:
        return
    mt = np.full(n, -1)
    party = np.zeros(n, dtype=np.int64)
    dec = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    cov = out == O["cov"]
    mt[cov & (u < 0.8)] = MOT_IDX["CV"]
    term = np.isin(out, [O["terminate"], O["dismiss"]]) & (u < 0.5)
    mt[term] = np.where(out[term] == O["dismiss"], MOT_IDX["U"], MOT_IDX["TP"])
    party[term] = np.where(out[term] == O["dismiss"], 2, 0)
    ac = np.isin(out, [O["admin_close"], O["pd_close"]]) & (u < 0.5)
    mt[ac] = MOT_IDX["AC"]
    party[ac] = np.where(rng.random(ac.sum()) < 0.5, 3, 0)
    sr = (out == O["removal"]) & (u < 0.15)
    mt[sr] = MOT_IDX["SR"]
    party[sr] = 3
    so = (out == O["vd"]) & (u < 0.1)
    mt[so] = MOT_IDX["SO"]
    sel = np.flatnonzero(mt >= 0)
    # motions independent of the outcome: bond, counsel, scheduling, other (any proceeding, decided or not)
    k = rng.random(n)
    misc = np.select([(P["custody"][idx] == 1) & (k < 0.3), k < 0.07, k < 0.13, k < 0.17, k < 0.20, k < 0.27,
                      k < 0.32, k < 0.35], [MOT_IDX["BD"], MOT_IDX["SC"], MOT_IDX["ET"], MOT_IDX["TA"],
                                            MOT_IDX["EH"], MOT_IDX["OT"], MOT_IDX["WC"], MOT_IDX["PS"]], -1)
    misc_i = np.flatnonzero(misc >= 0)
    mdec = rng.choice(6, size=len(misc_i), p=[.64, .10, .11, .10, .04, .01])
    d_ = np.where(day >= 0, day, np.maximum(P["next_day"][idx], P["input_day"][idx]))
    d_ = np.minimum(d_, CUT_DAY)
    all_i = np.r_[sel, misc_i]
    if len(all_i) == 0:
        return
    dec_all = np.r_[np.where(rng.random(len(sel)) < 0.92, 0, 1), mdec]
    party_all = np.r_[party[sel], rng.choice(6, size=len(misc_i), p=[.74, .09, .12, .04, .005, .005])]
    mt_all = np.r_[mt[sel], misc[misc_i]]
    lo = np.maximum(P["input_day"][idx][all_i], d_[all_i] - 400)
    recd = np.minimum(d_[all_i], lo + (rng.random(len(all_i)) * np.maximum(d_[all_i] - lo, 1)).astype(np.int64))
    decd = np.where(np.isin(all_i, sel) & (np.arange(len(all_i)) < len(sel)), d_[all_i], recd + rng.integers(0, 25,
                                                                                                           len(all_i)))
    decd = np.minimum(decd, CUT_DAY)
    write_motions(eng, idx[all_i], mt_all, recd, decd, dec_all, party_all)


def finalize_proceedings(eng: "Engine", m: int, idx: np.ndarray, day: np.ndarray, out: np.ndarray,
                         judge: np.ndarray, rows: "_Rows") -> None:
    """Completed proceedings: write them, count the truth, open follow-ons, close finished cases."""
    rng, P, C, t = eng.rng, eng.P, eng.C, eng.truth
    n = len(idx)
    ct = P["ctype"][idx].astype(np.int64)
    # destinations of changes of venue / transfers (needed on the B row)
    cov = out == O["cov"]
    tr = out == O["transfer"]
    court = P["court"][idx].astype(np.int64)
    nc = len(eng.court_w)
    new_court = np.full(n, -1)
    if nc > 1:
        k = rng.choice(nc, size=n, p=eng.court_w)
        k = np.where(k == court, (k + 1 + rng.integers(0, nc - 1, n)) % nc, k)
        new_court[cov | tr] = k[cov | tr]
    eng._dest_hloc = {int(P["pid"][i]): eng.hloc_code[eng.court_det[c] if P["custody"][i] == 1 else eng.court_main[c]]
                      for i, c in zip(idx[cov | tr], new_court[cov | tr])} if nc > 1 else {}
    # reopened in absentia orders (a new proceeding later); denied motions to reopen for some others,
    # written before the proceeding row so that orphan counts include them
    reopen = (out == O["absentia"]) & (rng.random(n) < P_.REOPEN_ABSENTIA)
    den = (out == O["absentia"]) & ~reopen & (rng.random(n) < 0.05)
    if den.any():
        dd = np.minimum(day[den] + rng.integers(20, 300, den.sum()), CUT_DAY)
        write_motions(eng, idx[den], np.full(den.sum(), MOT_IDX["MA"]), dd, dd + rng.integers(5, 40, den.sum()),
                      np.ones(den.sum(), dtype=int), np.zeros(den.sum(), dtype=int))
    st = write_proceedings(eng, idx, day, out)
    eng._dest_hloc = {}
    fy = eng.cal.fy[eng.cal.month_of_day(day)].astype(np.int64)
    fyi = t.fy_index(fy)
    ok = st["ij_ok"] & st["completed"]
    t.comp[judge[ok], m] += 0
    np.add.at(t.comp, (judge[ok], np.full(ok.sum(), m)), 1)
    disp = ok & ~st["cov_t"]
    np.add.at(t.comp_disp, (judge[disp], np.full(disp.sum(), m)), 1)
    t.active[judge[ok], m] = True
    np.add.at(t.abs_comp, (judge[ok], fyi[ok]), 1)
    np.add.at(t.abs_disp, (judge[disp], fyi[disp]), 1)
    abs_ok = ok & st["absentia"]
    np.add.at(t.abs_orders, (judge[abs_ok], fyi[abs_ok]), 1)
    dec_ok = ok & (st["dec"] >= 0)
    np.add.at(t.abs_dec, (judge[dec_ok], fyi[dec_ok]), 1)
    # in absentia planted-effect truth (observations: loaded completions with a judge)
    p, p0, bc, gc, share, per, hb, q = eng._abs_terms
    dp = p * (1 - p)
    t.add_ame("in_absentia", "bite", per, bc * dp * share, p - p0, mask=ok & hb)
    t.add_ame("in_absentia", "gap_share", per, gc * dp * share, None, mask=ok)
    # dispositive denominator: share = sum p / sum P(dispositive), P(dispositive) = p + (1 - p) q
    t.add_ratio("in_absentia_dispositive", "bite", per, bc * dp * share, p, p0, q, disp, mask=ok & hb)
    t.add_ratio("in_absentia_dispositive", "gap_share", per, gc * dp * share, p, p0, q, disp, mask=ok)
    # asylum decisions (ASYL rows a loader keeps, in proceedings it keeps, with a judge)
    aok = ok & st["asyl_loaded"]
    ad = st["asyl_dec"]
    gset = [R.APPL_DEC_VOCAB.index(c) for c in ("G", "F", "C", "I", "P")]
    g = aok & np.isin(ad, gset)
    d = aok & (ad == R.APPL_DEC_VOCAB.index("D"))
    o = aok & ~g & ~d & (ad >= 0)
    np.add.at(t.asy_grant, (judge[g], fyi[g]), 1)
    np.add.at(t.asy_deny, (judge[d], fyi[d]), 1)
    np.add.at(t.asy_other, (judge[o], fyi[o]), 1)
    # EOIR's denominator leaves out S, T, R (not completed decisions; helpers.datasets.EOIR_ASYLUM_NOT_COMPLETED)
    oe = o & ~np.isin(ad, [R.APPL_DEC_VOCAB.index(c) for c in ("S", "T", "R")])
    np.add.at(t.asy_other_eoir, (judge[oe], fyi[oe]), 1)
    merit = np.zeros(n, dtype=bool)
    if eng._grant_terms is not None:
        gi, pg, pg0, gb, gg, gshare, gper, ghb = eng._grant_terms
        merit[gi] = True
        dpg = pg * (1 - pg)
        m_ok = (g | d)[gi]
        t.add_ame("asylum_grant", "bite", gper, gb * dpg * gshare, pg - pg0, mask=m_ok & ghb)
        t.add_ame("asylum_grant", "gap_share", gper, gg * dpg * gshare, None, mask=m_ok)
        t.add_ame("asylum_grant_eoir", "bite", gper, gb * dpg * gshare, pg - pg0, mask=m_ok & ghb)
        t.add_ame("asylum_grant_eoir", "gap_share", gper, gg * dpg * gshare, None, mask=m_ok)
    # EOIR denominator: other asylum completions (not S, T, R) add observations with no effect
    oth = oe & ~merit
    per_all = eng._period_code(day)
    z = np.zeros(n)
    hbj = ~np.isnan(eng.bite_eff[judge])
    t.add_ame("asylum_grant_eoir", "bite", per_all, z, z, mask=oth & hbj)
    t.add_ame("asylum_grant_eoir", "gap_share", per_all, z, None, mask=oth)
    # follow-ons
    crow = P["crow"][idx]
    C["open_procs"][crow] -= 1
    fol = np.flatnonzero((cov | tr) & (new_court >= 0))
    if len(fol):
        fi = idx[fol]
        fd = day[fol] + rng.integers(5, 40, len(fol))
        prev = {"prev_hloc": P["hloc"][fi], "prev_court": P["court"][fi], "prev_judge": P["judge"][fi],
                "trans_in": fd, "trans_status": np.where(cov[fol], 0, 1), "trans_nbr": P["trans_nbr"][fi] + 1,
                "rep": P["rep"][fi], "rep_day": P["rep_day"][fi], "asy": P["asy"][fi], "asy_day": P["asy_day"][fi],
                "affirm": P["affirm"][fi], "app": P["app"][fi], "app_day": P["app_day"][fi],
                "release_day": P["release_day"][fi]}
        new = eng._new_proceedings(crow[fol], new_court[fol], np.minimum(fd, CUT_DAY), m, eng._act, "follow", prev)
        P["atty"][new] = np.where(P["rep"][new], eng._pick_atty(P["court"][new].astype(np.int64)), -1)
    dorm = np.isin(out, [O["admin_close"], O["pd_close"]])
    recal = np.full(n, -1)
    if dorm.any():
        k = dorm.sum()
        mo = 30.44
        t1 = day[dorm] + (rng.exponential(1 / P_.RECALENDAR_HAZARD, k) * mo).astype(np.int64)
        wave = (day[dorm] < eng.castro) & (rng.random(k) < P_.CASTRO_WAVE)
        t2 = eng.castro + 20 + (rng.random(k) * 24 * mo).astype(np.int64)
        recal[dorm] = np.where(wave, np.minimum(t1, t2), t1)
    recal[reopen] = day[reopen] + rng.integers(30, 400, reopen.sum())
    keep_dormant = (recal >= 0) & (recal <= CUT_DAY)
    C["dormant_until"][crow[keep_dormant]] = recal[keep_dormant]
    C["dormant_kind"][crow[keep_dormant]] = np.where(reopen[keep_dormant], 2, 1)
    # cases that are finished: no follow-on, not dormant
    done = ~((cov | tr) & (new_court >= 0)) & ~dorm & ~reopen
    dormant_forever = (dorm | reopen) & ~keep_dormant
    finish_cases(eng, np.unique(crow[(done | dormant_forever) & (C["open_procs"][crow] == 0)]))


# --- cases --------------------------------------------------------------------------------------------
def finish_cases(eng: "Engine", crow: np.ndarray) -> None:
    """Write A_TblCase rows (+ custody history and case-level representatives) for finished cases."""
    crow = np.asarray(crow, dtype=np.int64)
    crow = crow[~eng.C["done"][crow]]
    if len(crow) == 0:
        return
    rng, C, t = eng.rng, eng.C, eng.truth
    C["done"][crow] = True
    n = len(crow)
    cust = C["custody"][crow].astype(np.int64)
    # custody history
    rows_n = np.where(cust == 0, (rng.random(n) < 0.78).astype(int), 1)
    ci = np.repeat(np.arange(n), rows_n)
    if len(ci):
        c = cust[ci]
        det = C["det_day"][crow][ci]
        rel = C["rel_day"][crow][ci]
        wcu = write_rows(eng.t_cust, R.CUSTODY_SPEC, {
            "IDNCUSTODY": eng._new_ids("cust", len(ci)), "IDNCASE": C["cid"][crow][ci], "CUSTODY": c,
            "DATDETAINED": np.where((c > 0) & (rng.random(len(ci)) < 0.72), det, -1),
            "DATRELEASED": np.where((c == 2) & (rng.random(len(ci)) < 0.8) & (rel >= 0), rel, -1)}, len(ci))
        cust_ok = np.bincount(ci[wcu.loaded], minlength=n)
    else:
        cust_ok = np.zeros(n, dtype=np.int64)
    # case-level representatives
    rep = C["e28_day"][crow] >= 0
    k = np.flatnonzero(rep)
    k = np.r_[k, k[C["atty_count"][crow][k] >= 2]]
    if len(k):
        m_ = len(k)
        prime = np.r_[np.ones(rep.sum(), dtype=int), np.zeros(m_ - rep.sum(), dtype=int)]
        wr = write_rows(eng.t_reps, R.REPS_SPEC, {
            "IDNREPSASSIGNED": eng._new_ids("reps", m_), "IDNCASE": C["cid"][crow][k], "STRATTYLEVEL": np.zeros(m_, int),
            "STRATTYTYPE": np.zeros(m_, int), "PARENT_TABLE": rng.choice(3, size=m_, p=[.75, .19, .06]),
            "PARENT_IDN": C["cid"][crow][k],
            "BASE_CITY_CODE": _s(np.where(rng.random(m_) < 0.6, eng.court_code[C["cur_court"][crow][k]], None)),
            "E_28_DATE": C["e28_day"][crow][k], "BLNPRIMEATTY": prime}, m_)
        np.add.at(C["n_reps_ok"], crow[k][wr.loaded], 1)
    # the case rows
    court0 = C["court0"][crow].astype(np.int64)
    city = eng.court_city[court0].astype(str)
    var = C["city_var"][crow]
    city = np.where(var == 1, np.char.add(np.char.add(city.astype("<U20"), " "), "HEIGHTS").astype(object), city)
    city = np.array([c[:15] for c in city], dtype=object)
    city[rng.random(n) < 0.034] = None
    zips = np.char.zfill(C["zip"][crow].astype(str), 5).astype(object)
    zips[rng.random(n) < 0.018] = None
    state = eng.court_state[court0].copy()
    state[np.equal(city, None)] = None
    latest = C["latest_day"][crow]
    nolatest = rng.random(n) < 0.13
    rel_month = np.where(rng.random(n) < 0.22, np.where(rng.random(n) < 0.94, 0, rng.integers(1, 13, n)), -1)
    rel_year = np.where(rel_month == 0, "0000", np.where(rel_month > 0, (2005 + rng.integers(0, 19, n)).astype(str),
                                                         None)).astype(object)
    rel_year[rel_month < 0] = None
    birth = C["birth"][crow]
    birth_txt = np.where(birth >= 0, np.char.add(np.char.add((birth % 100).astype(str), "/"),
                                                   (birth // 100).astype(str)), None).astype(object)
    prio = C["prio"][crow]
    data = {
        "IDNCASE": C["cid"][crow], "ALIEN_CITY": _s(city), "ALIEN_STATE": _s(state), "ALIEN_ZIPCODE": _s(zips),
        "NAT": np.where(rng.random(n) < 0.0099, -1, C["nat"][crow]),
        "LANG": np.where(rng.random(n) < 0.012, -1, np.where((C["lang"][crow] == 0) & (rng.random(n) < 0.1),
                                                              len(P_.LANGS), C["lang"][crow])),
        "CUSTODY": np.where(rng.random(n) < 0.011, -1, cust), "SITE_TYPE": C["site"][crow], "E_28_DATE": C["e28_day"][crow],
        "ATTY_NBR": np.where(rep, np.minimum(C["atty_count"][crow], 3), np.where(rng.random(n) < 0.35, 0, -1)),
        "CASE_TYPE": C["ctype"][crow],
        "UPDATE_SITE": _s(np.where(rng.random(n) < 0.011, None, eng.court_code[C["cur_court"][crow]])),
        "LATEST_HEARING": np.where(nolatest, -1, latest), "LATEST_TIME": np.where(nolatest | (latest < 0), -1,
                                                                                 C["latest_time"][crow]),
        "LATEST_CAL_TYPE": np.where(nolatest | (latest < 0), -1, C["latest_cal"][crow]),
        "CORRECTIONAL_FAC": np.where(C["crim"][crow] & (rng.random(n) < 0.3), rng.integers(0, 4, n), -1),
        "RELEASE_MONTH": rel_month, "RELEASE_YEAR": _s(rel_year), "DATE_OF_ENTRY": C["entry_day"][crow],
        "C_ASY_TYPE": C["c_asy"][crow], "C_BIRTHDATE": _s(birth_txt),
        "C_RELEASE_DATE": np.where(C["crim"][crow] & (rng.random(n) < 0.2), C["rel_day"][crow], -1),
        "ADDRESS_CHANGEDON": np.minimum(C["addr_day"][crow], CUT_DAY),
        "ZBOND_MRG_FLAG": np.where(rng.random(n) < 0.0005, 0, -1), "Sex": C["sex"][crow],
        "DATE_DETAINED": np.where(cust > 0, C["det_day"][crow], -1),
        "DATE_RELEASED": np.where(cust == 2, C["rel_day"][crow], -1), "LPR": C["lpr"][crow],
        "CASEPRIORITY_CODE": prio,
    }
    keep = np.flatnonzero(~C["purge"][crow])
    loaded = np.zeros(n, dtype=bool)
    if len(keep):
        sub = {k: (v.take(pa.array(keep)) if isinstance(v, pa.Array) else np.asarray(v)[keep]) for k, v in data.items()}
        loaded[keep] = write_rows(eng.t_case, R.CASE_SPEC, sub, len(keep)).loaded
    missing = ~loaded
    t.orphan("B_TblProceeding->A_TblCase", int(C["n_proc_ok"][crow][missing].sum()))
    t.orphan("tbl_RepsAssigned->A_TblCase", int(C["n_reps_ok"][crow][missing].sum()))
    t.orphan("tbl_CustodyHistory->A_TblCase", int(cust_ok[missing].sum()))


# --- the end of the run -------------------------------------------------------------------------------
def finish(eng: "Engine") -> None:
    """At the data cut: future hearings, pending proceedings, open and dormant cases, attorneys."""
    from helpers.synth.cases import _Rows
    P, C = eng.P, eng.C
    alive = np.flatnonzero(P["alive"][: P.n])
    fut = alive[(P["next_day"][alive] > CUT_DAY) & ~P["uncal"][alive]]
    for a in range(0, len(fut), 100_000):      # chunks keep memory bounded at the full scale
        part = fut[a:a + 100_000]
        rows = _Rows()
        rows.add(eng, part, P["next_day"][part].astype(np.int64), -1)
        write_schedule(eng, rows, eng.cal.n_months - 1)
    for chunk in np.array_split(alive, max(1, len(alive) // 100_000 + 1)):
        if len(chunk):
            write_proceedings(eng, chunk, None, None)
    P["alive"][alive] = False
    left = np.flatnonzero(~C["done"][: C.n])
    for chunk in np.array_split(left, max(1, len(left) // 100_000 + 1)):
        if len(chunk):
            finish_cases(eng, chunk)
    att = eng.w.attorneys
    n = len(att)
    write_rows(eng.rel.core("tbl_EOIR_Attorney"), R.ATTORNEY_SPEC, {
        "EOIRAttorneyID": _s(att.guid), "OldAttorneyID": np.where(eng.rng.random(n) < 0.5,
                                                                 100000 + att.attorney.to_numpy(), -1),
        "BaseCityCode": _s(eng.court_code[att.court.to_numpy()]), "blnAttorneyActive": att.active.to_numpy(),
        "Source_Flag": _s(att.source_flag), "datCreatedOn": att.created_day.to_numpy(),
        "datModifiedOn": np.minimum(att.created_day.to_numpy() + 400, CUT_DAY)}, n)
