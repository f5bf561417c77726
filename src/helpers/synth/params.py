"""Behavioural parameters and code vocabularies of the case flow (calibration; see docs/SYNTH.md).

Targets come from the shared reference files (value frequencies and null rates of the ~Oct 2025
release, SCHEMA.md s1.4 rows per proceeding) and the literature (LITERATURE.md: GAO-17-72, TRAC,
Eagly & Shafer, CRS IF11892). Where no public figure exists (e.g. the mix of adjournment reasons) the
value is a stated assumption. Log-odds parameters are on the logit scale.
"""

from __future__ import annotations

import numpy as np

# --- vocabularies (index = the integer stored in the simulation) -------------------------------
CASE_TYPES = ["RMV", "CFR", "RFR", "WHO", "AOC", "DEP", "EXC"]
RMV, CFR, RFR, WHO, AOC, DEP, EXC = range(7)
#: Shares of new receipts by case type after April 1997 (value frequencies of B_TblProceeding.CASE_TYPE
#: in the ~2025-10 release, restricted to the types simulated: RMV dominates).
CASE_TYPE_SHARES = np.array([0.942, 0.035, 0.006, 0.005, 0.003, 0.0, 0.009])
#: Before IIRIRA (1 Apr 1997) new cases were deportation or exclusion cases.
PRE_1997_SHARES = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.85, 0.15])

CUSTODY = ["N", "D", "R"]
N_CUST, D_CUST, R_CUST = 0, 1, 2

NATS = ["MX", "GT", "HO", "ES", "CH", "IN", "EC", "CU", "HA", "VE", "NU", "CO", "BR", "DR", "PE", "RO", "RU",
        "UE", "MR", "SG", "BG", "NP", "EG", "PK", "JM", "TU", "RP"]
#: Nationality mix of receipts in three eras (assumption shaped on EOIR/TRAC nationality trends: Mexico
#: first, the Central American surge from FY2014, Venezuela/Cuba/Nicaragua/Colombia/Ecuador/Haiti from FY2021).
NAT_MIX = {
    "early": [.40, .11, .09, .10, .07, .03, .025, .01, .025, .003, .005, .01, .005, .02, .01, .005, .01, .003, .002,
              .002, .005, .005, .005, .005, .015, .003, .008],
    "surge": [.24, .17, .16, .16, .05, .05, .03, .015, .015, .01, .005, .01, .01, .01, .01, .003, .005, .003, .005,
              .003, .005, .006, .004, .004, .005, .003, .004],
    "late": [.15, .09, .10, .05, .035, .045, .07, .09, .05, .12, .06, .07, .03, .015, .035, .005, .015, .01, .015,
             .01, .005, .005, .004, .004, .004, .01, .004],
}


def nat_era(fy: int) -> str:
    return "early" if fy < 2014 else ("surge" if fy < 2021 else "late")


LANGS = ["SP", "ENG", "MAN", "FUK", "PUN", "HIN", "CRE", "POR", "RUS", "UK", "ROM", "WLF", "AR", "MAM", "QUI", "BEN",
         "NEP", "TU", "UR", "TAG", "FR"]
#: Language of proceedings by nationality: list of (language, probability).
NAT_LANG = {
    "MX": [("SP", .95), ("ENG", .05)], "GT": [("SP", .7), ("MAM", .15), ("QUI", .15)], "HO": [("SP", 1.0)],
    "ES": [("SP", 1.0)], "CH": [("MAN", .7), ("FUK", .3)], "IN": [("PUN", .6), ("HIN", .3), ("ENG", .1)],
    "EC": [("SP", 1.0)], "CU": [("SP", 1.0)], "HA": [("CRE", .9), ("FR", .1)], "VE": [("SP", 1.0)], "NU": [("SP", 1.0)],
    "CO": [("SP", 1.0)], "BR": [("POR", 1.0)], "DR": [("SP", 1.0)], "PE": [("SP", 1.0)], "RO": [("ROM", 1.0)],
    "RU": [("RUS", 1.0)], "UE": [("UK", .6), ("RUS", .4)], "MR": [("AR", .5), ("WLF", .5)],
    "SG": [("WLF", .7), ("FR", .3)], "BG": [("BEN", 1.0)], "NP": [("NEP", 1.0)], "EG": [("AR", 1.0)],
    "PK": [("UR", 1.0)], "JM": [("ENG", 1.0)], "TU": [("TU", 1.0)], "RP": [("TAG", .6), ("ENG", .4)],
}
#: Probability that a respondent of each nationality pursues asylum (assumption; TRAC/EOIR asylum
#: caseload composition: high for China, Venezuela, Russia/Turkey, India; low for Mexico).
NAT_ASYLUM = {"MX": .15, "GT": .45, "HO": .45, "ES": .5, "CH": .75, "IN": .65, "EC": .35, "CU": .5, "HA": .5,
              "VE": .7, "NU": .6, "CO": .5, "BR": .3, "DR": .1, "PE": .3, "RO": .4, "RU": .8, "UE": .7, "MR": .8,
              "SG": .6, "BG": .6, "NP": .7, "EG": .7, "PK": .6, "JM": .1, "TU": .8, "RP": .2}
#: Nationality shifts of the asylum grant log-odds (assumption shaped on TRAC grant rates by nationality).
NAT_GRANT = {"MX": -1.3, "GT": -0.7, "HO": -0.7, "ES": -0.6, "CH": 0.7, "IN": -0.1, "EC": -0.5, "CU": 0.3,
             "HA": -0.3, "VE": 0.9, "NU": 0.4, "CO": 0.1, "BR": -0.3, "DR": -0.8, "PE": -0.4, "RO": 0.2, "RU": 1.1,
             "UE": 0.8, "MR": 0.3, "SG": 0.0, "BG": 0.2, "NP": 0.4, "EG": 0.9, "PK": 0.3, "JM": -0.5, "TU": 1.3,
             "RP": -0.2}
#: Nationalities whose particular-social-group claims Matter of A-B- (11 Jun 2018 - 16 Jun 2021) hit.
AB_NATS = ("GT", "HO", "ES")

# --- custody, representation ------------------------------------------------------------------------
#: Custody at receipt (A_TblCase.CUSTODY, ~2025-10: N 66%, D 23%, R 11% of non-missing).
CUSTODY_AT_RECEIPT = np.array([0.66, 0.23, 0.11])
#: Representation (Eagly & Shafer 2015: 37%
#: represented overall, 14% of detained; A_TblCase.E_28_DATE non-null 38.5%).
REP_EVENTUAL = {N_CUST: 0.55, D_CUST: 0.2, R_CUST: 0.45}   # share who will have a representative
REP_AT_FILING = 0.35      # of those, represented from the start; the others after an exponential wait
REP_WAIT_DAYS = {"other": 150.0, "detained": 30.0}
AFFIRMATIVE_SHARE = {"CH": .45, "IN": .35, "RU": .4, "TU": .4, "EG": .4}
AFFIRMATIVE_DEFAULT = 0.18

# --- asylum grant model (log-odds; GAO-17-72, Eagly & Shafer, TRAC) -------------------------------
GRANT_BASE = -0.35        # intercept: national grant rate among merits decisions ~35-45% (TRAC)
GRANT_REP = 1.1           # representation: grant rates 1.8-3.1x higher (GAO-17-72)
GRANT_AFFIRMATIVE = 0.5   # affirmative (referred by USCIS) vs defensive
GRANT_DETAINED = -1.0
GRANT_COURT_SD = 0.8      # court effects (TRAC: New York 26% vs Houston 92% denial)
GRANT_JUDGE_FY_SD = 0.15  # judge x fiscal-year idiosyncratic shocks
GRANT_AB = -0.5           # Matter of A-B- for AB_NATS, 2018-06-11 .. 2021-06-16
GRANT_ERA = {2012: 0.9, 2013: 0.8, 2014: 0.6, 2015: 0.5, 2016: 0.35, 2017: -0.15, 2018: -0.25, 2019: -0.35, 2020: -0.35, 2021: 0.0, 2022: 0.2, 2023: 0.2, 2024: 0.1}

# --- continuances ------------------------------------------------------------------------------
#: Probability that the respondent asks for a continuance at a hearing (assumption; GAO-17-438 reports
#: continuances but not requests; denied oral requests are never recorded, SCHEMA.md s6.2).
REQ_FIRST_MASTER_UNREP = 0.40   # time to seek representation
REQ_MASTER_UNREP = 0.18
REQ_MASTER_REP = 0.16
REQ_INDIV = 0.17
CONT_BASE = 1.6           # log-odds of granting a first request (~83%)
CONT_REPEAT = -0.45       # per previously granted request
CONT_INDIV = -0.5         # requests at a merits hearing are granted less often
CONT_ERA = {2018: -0.1, 2019: -0.3, 2020: -0.3, 2021: -0.1}   # OPPM 17-01 (Jul 2017), L-A-B-R- (Aug 2018), PM 21-13 (Jan 2021)
#: Share of continuance requests recorded as a CO motion in tbl_Court_Motions (DDP: "many motions, such
#: as continuances, may not be entered"): written motions of represented respondents vs oral requests.
CO_RECORDED_REP = 0.30
CO_RECORDED_UNREP = 0.05
DHS_REQ = {"master": 0.04, "indiv": 0.08}
DHS_GRANT = 0.85          # DHS requests granted (not a planted outcome)
CO_RECORDED_DHS = 0.2     # DHS requests entered as CO motions (filing party I)

# --- in absentia (log-odds that a completion is an in absentia removal order) ---------------------
#: CRS IF11892: in absentia orders were 24% (FY2012) to 46% (FY2019) of initial case completions.
ABS_MASTER_UNREP = 0.55
ABS_MASTER_REP = -2.3
ABS_INDIV_UNREP = -1.2
ABS_INDIV_REP = -3.2
ABS_DETAINED = -6.5
ABS_ERA = {2019: 0.6, 2020: 0.3, 2021: 0.1, 2022: 0.15, 2023: 0.25, 2024: 0.25}

# --- hearings and scheduling -------------------------------------------------------------------------
#: Hearing slots per month per unit of monthly capacity: masters and merits hearings (tbl_schedule
#: CAL_TYPE M 76%, I 24%; about 2.8 schedule rows per proceeding, SCHEMA.md s1.4).
SLOTS_MASTER = 3.3
SLOTS_INDIV = 0.65
APP_DRAW = [0.25, 0.42, 0.16, 0.07, 0.10]   # no application / 42B / 245 / 42A / VD for non-asylum respondents
VACATE_RATE = 0.09        # scheduled hearings vacated or moved off calendar before they take place (9C/9V/25)
COMPLETION_8B = 0.9       # share of completion hearings coded 8B "IJ completion at hearing"
TO_MERITS = {"ready": 0.45, "not_ready": 0.15}   # a master not closed sends the case to the merits calendar (17)
MIN_DELAY_MONTHS = {"master_first": 1.0, "master_reset": 1.5, "indiv": 2.0}
#: Completion-selection weights of eligible hearings (which cases the judge's monthly budget closes; fear
#: reviews always close at their hearing). Moderate weights keep every stratum below saturation, so a larger
#: budget changes how many cases close rather than which kind.
W_MASTER_UNREP_ND = 1.6
W_MASTER_OTHER = 0.45
W_INDIV = 2.2
W_DETAINED = 1.4
STOCK_YEARS = 1.3         # pending stock at the start, in years of capacity (FY2011: 298k pending / 219k completions)
RECEIPT_RATIO = 0.95      # FY2012 receipts relative to FY2012 completion capacity

# --- completion mix when not in absentia (probabilities by stage; renormalised) --------------------
#: Master stage. Sources: OTHER_COMP and DEC_CODE frequencies (~2025-10): change of venue 49% / transfer 22%
#: of OTHER_COMP; admin closures common before Matter of Castro-Tum (17 May 2018) and after 2021; DHS
#: dismissals (U) large from FY2022.
MASTER_MIX = {"cov": 0.50, "transfer": 0.15, "removal": 0.10, "vd": 0.08, "terminate": 0.14, "dismiss": 0.03,
              "admin_close": 0.20, "pd_close": 0.0, "fail_prosecute": 0.10, "other_oc": 0.012, "tps": 0.004,
              "zero_bond": 0.012}
#: Merits stage without an asylum application.
INDIV_MIX = {"removal": 0.28, "vd": 0.2, "relief": 0.2, "terminate": 0.16, "dismiss": 0.04, "cov": 0.12,
             "transfer": 0.05, "withdraw": 0.01, "other_dec": 0.01, "admin_close": 0.02}
ASYLUM_MERITS_SHARE = 0.84   # of individual-stage completions of asylum cases, decided on the asylum merits
WITHHOLDING_OF_DENIED = 0.12
CAT_OF_DENIED = 0.015
VD_OF_DENIED = 0.12

REOPEN_ABSENTIA = 0.15       # Eagly & Shafer (2020): 15% of in absentia orders since 2008 were reopened
RECALENDAR_HAZARD = 0.012    # per month, administratively closed cases put back on calendar (assumption)
CASTRO_WAVE = 0.45           # share of cases closed before Castro-Tum recalendared in the two years after it
CASTRO_TUM = "2018-05-17"     # Matter of Castro-Tum: admin closure ends
CRUZ_VALDEZ = "2021-07-15"    # admin closure authority restored (Matter of Cruz-Valdez, 2021; date approximate)
PD_INITIATIVE = ("2011-11-17", "2015-09-30")   # prosecutorial-discretion admin closures (assumed window)

# --- schedule-row value mixes ------------------------------------------------------------------------
MEDIUM = ["P", "V", "T", "A", "C", "W", "H", "p"]
#: ADJ_MEDIUM of hearings that took place, by era (value frequencies ~2025-10: P 60%, V 12%, A 4.8%, C 3.6%,
#: p 1.6%, T 1%; video and internet hearings after 2020).
MEDIUM_MIX = {"pre2020": [.86, .08, .02, 0, 0, 0, 0, .02], "covid": [.25, .20, .06, .30, .17, .005, 0, .005],
              "post": [.50, .14, .03, .16, .13, .005, 0, .015]}
MEDIUM_DETAINED_VIDEO = 0.15
