"""The generated world: calendar, national series, fictional courts and judges, attorneys.

Everything here is fixed before the case flow starts (the roster of judges with hiring waves and
attrition, their latent propensities and capacities). Courts, hearing locations and judges are
fictional: invented names and codes (no real judge or court names).

Units: days are integer "epoch days" (days since 1970-01-01); months are indices into
``Calendar.month_start`` (month 0 is October of the year before ``start_fy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.synth.scales import Scale

#: The data cut of every generated release (the release covers FY2012-FY2024 and Oct-Dec 2024).
RELEASE_DATE = "2024-12-31"
CUT_DAY = int(np.datetime64(RELEASE_DATE, "D").astype(np.int64))

# --- national series ----------------------------------------------------------------------------
#: Initial receipts by fiscal year. Sources: EOIR Adjudication Statistics "Pending Cases, New Cases,
#: and Total Completions", April-2021 vintage (FY2008-FY2020) and July-2025 vintage (FY2021-FY2024),
#: as listed in shared/literature/published_stats.md. Before FY2008: assumed flat at the FY2008 level.
#: FY2025 (Oct-Dec 2024 only): assumed equal to FY2024.
RECEIPTS_BY_FY = {
    2008: 225871, 2009: 255035, 2010: 247187, 2011: 238157, 2012: 212935, 2013: 196623, 2014: 230178,
    2015: 192997, 2016: 228448, 2017: 295245, 2018: 316106, 2019: 546248, 2020: 368746, 2021: 244261,
    2022: 707527, 2023: 1206107, 2024: 1783915, 2025: 1783915,
}

#: Judges on the bench on 1 October opening each FY, relative to FY2012 (= about 250 judges).
#: Anchors (published_stats.csv): 259 (Nov 2010), 238 (late 2012), 289 (FY2016), 306 (20 Jan 2017),
#: 334 (18 Apr 2018), 351 (10 Aug 2018), 442 on 30 Sep 2019 (92 hired in FY2019), 543 (FY2021 Q3),
#: 576 (Dec 2021), 649 (FY2023 Q2), 734 at end of FY2023. Before FY2009: assumed 0.92.
JUDGE_PATH = {
    2009: 0.95, 2010: 1.0, 2011: 1.02, 2012: 1.0, 2013: 0.96, 2014: 0.96, 2015: 1.0, 2016: 1.08,
    2017: 1.2, 2018: 1.32, 2019: 1.54, 2020: 1.77, 2021: 2.08, 2022: 2.3, 2023: 2.55, 2024: 2.94, 2025: 2.94,
    2026: 2.94,
}

#: Annual judge attrition hazard by FY. TRAC report 617: 20 (FY2017), 27 (FY2018) and a record 35
#: (FY2019) separations out of roughly 300-440 judges; other years assumed 4-6%.
ATTRITION = {2017: 0.06, 2018: 0.075, 2019: 0.085}
ATTRITION_DEFAULT = 0.045

#: Within-FY receipts profile (share of the FY's receipts in fiscal months 1..12). Flat except FY2020,
#: where receipts fell from March 2020 (COVID) - FY2020's total (368,746) is well below FY2019's.
RECEIPT_PROFILE = {2020: [0.125, 0.115, 0.11, 0.12, 0.12, 0.07, 0.05, 0.05, 0.055, 0.06, 0.06, 0.065]}

#: Completion productivity by FY (multiplies capacity): COVID (FY2020 from March, FY2021), recovery
#: FY2022, and the FY2024 rise (about 960 completions per judge: 704,514 / ~734 judges).
PRODUCTIVITY = {2021: 0.42, 2022: 0.8, 2023: 1.0, 2024: 1.15, 2025: 1.15}
#: Calendar-month multipliers in FY2020 (COVID: non-detained hearings postponed 16-18 Mar 2020).
COVID_FY2020 = {3: 0.8, 4: 0.3, 5: 0.3, 6: 0.45, 7: 0.55, 8: 0.6, 9: 0.62}
#: Seasonality by fiscal month (holidays in Nov/Dec, summer leave); mean 1.
SEASON = np.array([1.02, 0.97, 0.86, 1.02, 1.02, 1.06, 1.02, 1.02, 1.03, 0.97, 0.93, 1.08])
SEASON = SEASON / SEASON.mean()


def epoch_day(date: str) -> int:
    """Epoch day of an ISO date string."""
    return int(np.datetime64(date, "D").astype(np.int64))


@dataclass
class Calendar:
    """Months of the simulation and their days."""

    start_fy: int
    month_start: np.ndarray     # epoch day of the first day of each month
    month_end: np.ndarray       # epoch day of the first day of the next month
    fy: np.ndarray              # fiscal year of each month
    fmonth: np.ndarray          # fiscal month 1..12

    @classmethod
    def build(cls, start_fy: int, cut_day: int = CUT_DAY) -> "Calendar":
        first = np.datetime64(f"{start_fy - 1}-10", "M")
        last = np.datetime64(cut_day, "D").astype("datetime64[M]")
        months = np.arange(first, last + 1, dtype="datetime64[M]")
        starts = months.astype("datetime64[D]").astype(np.int64)
        ends = (months + 1).astype("datetime64[D]").astype(np.int64)
        cal_month = months.astype(int) % 12 + 1
        year = months.astype(int) // 12 + 1970
        fy = year + (cal_month >= 10)
        fmonth = (cal_month - 10) % 12 + 1
        return cls(start_fy, starts, ends, fy.astype(np.int32), fmonth.astype(np.int8))

    @property
    def n_months(self) -> int:
        return len(self.month_start)

    def month_of_day(self, days: np.ndarray) -> np.ndarray:
        """Month index of each epoch day (clipped to the simulated range)."""
        return np.clip(np.searchsorted(self.month_start, days, side="right") - 1, 0, self.n_months - 1)

    def business_days(self, m: int) -> np.ndarray:
        d = np.arange(self.month_start[m], self.month_end[m])
        return d[((d + 3) % 7) < 5]     # epoch day 0 was a Thursday; Monday = 0

    def receipts_share(self, m: int) -> float:
        """Share of its fiscal year's receipts that month ``m`` gets."""
        fy, fm = int(self.fy[m]), int(self.fmonth[m])
        prof = RECEIPT_PROFILE.get(fy)
        return prof[fm - 1] if prof else 1.0 / 12

    def productivity(self, m: int) -> float:
        """Capacity multiplier of month ``m`` (period productivity x COVID x season)."""
        fy, fm = int(self.fy[m]), int(self.fmonth[m])
        p = PRODUCTIVITY.get(fy, 1.0)
        cal_month = (fm + 8) % 12 + 1
        if fy == 2020:
            p *= COVID_FY2020.get(cal_month, 1.0)
        return p * SEASON[fm - 1]


def receipts_by_fy(fy: int) -> float:
    return float(RECEIPTS_BY_FY.get(fy, RECEIPTS_BY_FY[2008] if fy < 2008 else RECEIPTS_BY_FY[2025]))


def judge_path(fy: int) -> float:
    return JUDGE_PATH.get(fy, 0.92 if fy < 2009 else JUDGE_PATH[2026])


# --- fictional names ----------------------------------------------------------------------------
_SYL1 = ["Abr", "Bram", "Cal", "Dorv", "Ebb", "Falk", "Garv", "Hask", "Ilv", "Jesk", "Kalv", "Lamb", "Morv",
         "Nadd", "Oskr", "Pemb", "Quil", "Ravn", "Solv", "Tamb", "Ulv", "Vesk", "Wexl", "Yorv", "Zann", "Brel",
         "Cren", "Drav", "Fenw", "Glim", "Horv", "Jask", "Korb", "Lusk", "Mirv", "Nolb", "Pask", "Rusk"]
_SYL2 = ["acre", "brin", "combe", "dell", "essy", "fane", "garth", "holme", "ington", "kirrow", "lode", "mere",
         "nock", "orrin", "quist", "rith", "stowe", "thorne", "ual", "vane", "wold", "yard", "zell", "anby",
         "ecott", "idge", "oway", "usk"]
_FIRST = ["Alicia", "Benedict", "Carmen", "Dmitri", "Eleanor", "Farid", "Gloria", "Hector", "Ingrid", "Jonah",
          "Keiko", "Lionel", "Marisol", "Nathaniel", "Odette", "Priya", "Quentin", "Rosalind", "Samuel", "Tamsin",
          "Ulrich", "Vivian", "Walter", "Xiomara", "Yusuf", "Zora", "Adrian", "Beatrix", "Cyrus", "Delphine",
          "Emmett", "Fiona", "Gideon", "Harriet", "Isaac", "Juliet", "Kwame", "Leona", "Marcus", "Noor"]
_CITY1 = ["ARDEN", "BRACKEN", "CASTOR", "DELMAR", "EASTWYN", "FERNHOL", "GALLOW", "HOLLIN", "IVORY", "JUNIPER",
          "KESTREL", "LARKS", "MARROW", "NORWEAL", "OSPREY", "PELLIN", "QUARRY", "ROOK", "SILVER", "TANNER",
          "UMBER", "VERDAN", "WILLOW", "YARROW", "ZEPHYR"]
_CITY2 = ["HOLM", "MOOR", "VALE", "MARCH", "DALE", "PORT", "MERE", "GATE", "CROSS", "HAVEN", "TON", "FIELD"]
_STATES = ["TX", "CA", "NY", "FL", "IL", "NJ", "GA", "VA", "AZ", "WA", "MA", "PA", "NC", "CO", "MI", "LA", "NV",
           "MD", "OH", "UT", "OR", "TN", "MN", "MO", "CT", "NM", "KY", "NE", "OK", "IN"]
#: Base-city codes of real EOIR courts (tblLookupBaseCity, SCHEMA.md s4): never used for a fictional court.
REAL_COURT_CODES = frozenset(
    "AGA ATL BAL BDC BIA BLM BOS BUF CHI CIJ DAL DEN DET ELO ELP ELZ HAR HDQ HLG HON HOU IMP KRO LAN LOS LVG "
    "MEM MIA NEW NOL NYC NYD OAK ORL PHI PHO PIS POO SAJ SEA SFR SNA SND SPD TUC ULS WAS YOR SLC CLE FLO TAC "
    "CHL KAN OMA SAI SDC HOD ADL PSD AUR BTV ELC EPD OTM OTO JNA LAD LOU CIC FTW NYV NYB SMO OIT FCI ATD VNS "
    "HSG NLA OIN RIC SIN HGP SNC LRO HYA STE LOW CCC WLA".split())


def _fictional_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct invented names in EOIR's ``Last, First M.`` form (surnames may repeat)."""
    pool = sorted({a + b for a in _SYL1 for b in _SYL2})
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = f"{pool[int(rng.integers(len(pool)))]}, {_FIRST[int(rng.integers(len(_FIRST)))]} " \
               f"{'ABCDEFGHJKLMNPRSTVW'[int(rng.integers(19))]}."
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _court_names(rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
    """(code, city) pairs: invented cities and 3-letter codes that are not real EOIR court codes."""
    cities = [a + b for a in _CITY1 for b in _CITY2]
    out, used = [], set()
    for i in rng.permutation(len(cities)):
        city = cities[i]
        letters = [c for c in city if c.isalpha()]
        for code in (city[:3], city[0] + city[2] + city[4], city[0] + letters[-2] + letters[-1], city[0] + city[3] + city[-1]):
            if code not in REAL_COURT_CODES and code not in used:
                used.add(code)
                out.append((code, city))
                break
        if len(out) == n:
            return out
    raise ValueError(f"cannot invent {n} court codes")


# --- the world ----------------------------------------------------------------------------------
@dataclass
class World:
    """Courts, hearing locations, judges (with temporary codes) and attorneys of one run."""

    scale: Scale
    cal: Calendar
    courts: pd.DataFrame      # court, code, city, state, zip3, region, weight, hloc_main, hloc_det
    hlocs: pd.DataFrame       # hloc, code, name, court, detained
    judges: pd.DataFrame      # judge, code, name, court, start_day, end_day, capacity, grant_re, cont_re, absentia_re, temp_code, temp_start, temp_end, created_day
    attorneys: pd.DataFrame   # attorney, guid, court, created_day, active, source_flag
    codes: np.ndarray         # every judge code written to the data, index = code id
    code_judge: np.ndarray    # judge index of each code id (temporary codes map to their judge)

    @property
    def n_judges(self) -> int:
        return len(self.judges)


def _hire_days(rng: np.random.Generator, cal: Calendar, fy: int, n: int) -> np.ndarray:
    """Hiring dates in fiscal year ``fy``: investiture cohorts in a few months of the year (waves)."""
    ms = np.flatnonzero(cal.fy == fy)
    if n == 0 or len(ms) == 0:
        return np.zeros(0, dtype=np.int64)
    cohort_months = rng.choice(ms, size=min(3, len(ms)), replace=False)
    m = rng.choice(cohort_months, size=n)
    return cal.month_start[m] + rng.integers(0, 20, size=n)


def build_world(scale: Scale, rng: np.random.Generator, cal: Calendar | None = None) -> World:
    """Generate the fictional courts, hearing locations, judge roster and attorney pool."""
    cal = cal or Calendar.build(scale.start_fy)
    n_c = scale.n_courts
    names = _court_names(rng, n_c)
    w = np.sort(rng.lognormal(0.0, 0.55, n_c))[::-1]
    w = w / w.sum()
    states = rng.choice(_STATES, size=n_c, replace=n_c > len(_STATES))
    det = np.zeros(n_c, dtype=bool)
    det[rng.permutation(n_c)[: max(1, int(round(scale.detention_share * n_c)))]] = True
    courts = pd.DataFrame({
        "court": np.arange(n_c), "code": [c for c, _ in names], "city": [c for _, c in names],
        "state": states, "zip3": rng.integers(100, 999, n_c), "weight": w,
        "region": rng.choice(["Eastern", "Central", "Western"], size=n_c), "detention": det,
    })
    hl = []
    for r in courts.itertuples():
        hl.append((len(hl), r.code, f"{r.city} IMMIGRATION COURT (SYNTHETIC)", r.court, False))
        if r.detention:
            dcode = r.code[0] + "D" + r.code[2]
            while dcode in {h[1] for h in hl} or dcode in REAL_COURT_CODES:
                dcode = r.code[0] + "D" + chr(65 + int(rng.integers(0, 26)))
            hl.append((len(hl), dcode, f"{r.city} DETENTION CENTER (SYNTHETIC)", r.court, True))
    hlocs = pd.DataFrame(hl, columns=["hloc", "code", "name", "court", "detained"])
    courts["hloc_main"] = [int(hlocs[(hlocs.court == c) & ~hlocs.detained].hloc.iloc[0]) for c in range(n_c)]
    courts["hloc_det"] = [int(hlocs[(hlocs.court == c) & hlocs.detained].hloc.iloc[0]) if det[c] else
                          int(courts.hloc_main[c]) for c in range(n_c)]

    judges = _roster(scale, cal, courts, rng)
    codes, code_judge = _judge_codes(judges, rng)
    judges["code"] = [codes[i] for i in range(len(judges))]
    judges["temp_code"] = [codes[int(t)] if t >= 0 else "" for t in judges.temp_code_id]
    judges["name"] = _fictional_names(rng, len(judges))
    attorneys = _attorneys(scale, courts, judges, rng)
    return World(scale, cal, courts, hlocs, judges, attorneys, np.array(codes, dtype=object), code_judge)


def _roster(scale: Scale, cal: Calendar, courts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Judges with start/end days: the FY2012-scaled national path per court, attrition and hiring waves."""
    j0 = scale.judges_fy2012
    rows = []  # court, start_day, end_day
    first_day = int(cal.month_start[0])
    big = epoch_day("2099-12-31")
    fys = list(range(scale.start_fy, 2026))
    for c in courts.itertuples():
        def target(fy: int) -> int:
            return max(1, int(round(c.weight * j0 * judge_path(fy))))
        active = []
        for _ in range(target(scale.start_fy)):
            start = first_day - int(rng.integers(200, 365 * 15))
            active.append(len(rows))
            rows.append([c.court, start, big])
        for fy in fys:
            fy_start, fy_end = epoch_day(f"{fy - 1}-10-01"), epoch_day(f"{fy}-09-30")
            hazard = ATTRITION.get(fy, ATTRITION_DEFAULT)
            still = []
            for j in active:
                if rng.random() < hazard:
                    rows[j][2] = fy_start + int(rng.integers(0, 365))
                else:
                    still.append(j)
            active = still
            n_hire = max(0, target(fy + 1) - len(active))
            for d in _hire_days(rng, cal, fy, n_hire):
                active.append(len(rows))
                rows.append([c.court, int(d), big])
    r = np.array(rows, dtype=np.int64)
    n = len(r)
    cap = np.clip(rng.lognormal(np.log(720.0), 0.32, n), 380, 1600) * scale.capacity_factor
    # temporary "(Temp)" codes for some judges: a window of 2-8 months within their tenure
    temp = rng.random(n) < 0.10
    t_start = np.full(n, -1, dtype=np.int64)
    t_end = np.full(n, -1, dtype=np.int64)
    lo = np.maximum(r[:, 1], first_day)
    hi = np.minimum(r[:, 2], CUT_DAY) - 60
    ok = temp & (hi > lo + 60)
    t_start[ok] = lo[ok] + (rng.random(ok.sum()) * (hi[ok] - lo[ok])).astype(np.int64)
    t_end[ok] = np.minimum(t_start[ok] + rng.integers(60, 240, ok.sum()), hi[ok] + 60)
    return pd.DataFrame({
        "judge": np.arange(n), "court": r[:, 0], "start_day": r[:, 1], "end_day": r[:, 2],
        "capacity": cap.round(1), "grant_re": rng.normal(0.0, 1.0, n).round(4),
        "cont_re": rng.normal(0.0, 0.7, n).round(4), "absentia_re": rng.normal(0.0, 0.5, n).round(4),
        "temp_start": t_start, "temp_end": t_end,
        "created_day": r[:, 1] - rng.integers(10, 60, n),
    })


def _judge_codes(judges: pd.DataFrame, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Unique 2-3 letter codes for judges, then one extra code for each temporary window."""
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    used = {"AAA"}
    codes: list[str] = []
    owner: list[int] = []
    for j in range(len(judges)):
        while True:
            k = 3 if rng.random() < 0.85 else 2
            code = "".join(rng.choice(letters, size=k))
            if code not in used:
                break
        used.add(code)
        codes.append(code)
        owner.append(j)
    temp_ids = np.full(len(judges), -1, dtype=np.int64)
    for j in np.flatnonzero(judges.temp_start.to_numpy() >= 0):
        base = codes[j]
        for cand in [base[:2] + "T", base[0] + "T" + base[-1], "T" + base[:2], base[:1] + "TX"]:
            if cand not in used:
                break
        else:
            cand = "".join(rng.choice(letters, size=3))
            while cand in used:
                cand = "".join(rng.choice(letters, size=3))
        used.add(cand)
        temp_ids[j] = len(codes)
        codes.append(cand)
        owner.append(j)
    judges["temp_code_id"] = temp_ids
    return codes, np.array(owner, dtype=np.int32)


def _attorneys(scale: Scale, courts: pd.DataFrame, judges: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A pool of representatives per court (GUIDs as SQL Server uniqueidentifiers, upper case)."""
    per_judge = max(8, int(40 * scale.capacity_factor))
    counts = np.maximum(5, (judges.groupby("court").size().reindex(courts.court, fill_value=1).to_numpy()
                            * per_judge)).astype(int)
    court = np.repeat(courts.court.to_numpy(), counts)
    n = len(court)
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40   # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80   # variant
    hexs = [r.tobytes().hex().upper() for r in raw]
    guids = [f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" for h in hexs]
    return pd.DataFrame({
        "attorney": np.arange(n), "guid": guids, "court": court,
        "created_day": epoch_day("2003-01-01") + rng.integers(0, 365 * 20, n),
        "active": (rng.random(n) < 0.83).astype(int),
        "source_flag": rng.choice(["Court", "eReg", "Appeal"], size=n, p=[0.48, 0.31, 0.21]),
    })
