"""Column specs of the raw tables the simulation writes, and the code vocabularies they use."""

from __future__ import annotations

from helpers.synth.params import CASE_TYPES, CUSTODY, LANGS, MEDIUM, NATS

#: ADJ_RSN codes the simulation draws, grouped by situation, with relative weights (assumptions; the
#: party of each code is in helpers/codes/adjournment_codes.csv).
RSN_GROUPS: dict[str, dict[str, float]] = {
    "resp_first_unrep": {"01": .85, "02": .15},
    "resp_master": {"02": .45, "12": .2, "01": .1, "AS": .1, "06": .05, "23": .05, "22": .05},
    "resp_indiv": {"02": .3, "12": .18, "5B": .1, "21": .06, "38": .08, "39": .05, "7C": .04, "22": .03, "36": .03,
                   "42": .01, "54": .01, "ST": .03, "CB": .02, "SU": .01, "WA": .01, "OT": .02, "AB": .02},
    "dhs": {"03": .35, "04": .2, "24": .08, "37": .05, "47": .05, "5C": .05, "7B": .05, "IB": .04, "PD": .05,
            "10": .03, "44": .02, "53": .01, "27": .02},
    "master_other": {"11": .26, "18": .12, "9A": .15, "34": .06, "19": .03, "13": .08, "41": .04, "46": .03,
                     "20": .03, "29": .04, "30": .03, "51": .03, "14": .02, "32": .02, "64": .02, "45": .02,
                     "08": .01, "49": .01},
    "indiv_other": {"13": .30, "RR": .10, "34": .06, "19": .04, "DD": .03, "64": .03, "MR": .02, "28": .01,
                    "18": .07, "32": .02, "33": .02, "4A": .02, "46": .02, "9A": .05, "41": .03, "25": .01, "45": .04,
                    "RO": .01, "SR": .02, "08": .01, "49": .005, "29": .02, "30": .01, "40": .01, "51": .01, "TQ": .01,
                    "4B": .005, "48": .005, "61": .005, "62": .005, "3A": .005, "35": .005},
    "covid": {"59": .45, "74": .55},
    "vacate": {"9C": .45, "9V": .45, "25": .1},
    "release": {"1B": .6, "16": .4},
}
RSN_VOCAB: list[str] = sorted({c for g in RSN_GROUPS.values() for c in g} | {"17", "8A", "8B", "64"})
#: Codes whose hearing did not take place (marrowb/ij-leniency "never occurred" list, SCHEMA.md s5.4).
NEVER_OCCURRED = {"59", "9V", "34", "4A", "4E", "99", "9C", "9B", "25", "5A", "74", "8A", "19", "35", "3A"}

CAL_VOCAB = ["M", "I"]
SCHED_VOCAB = ["MM", "MR", "MD", "RD", "II", "IR", "IA", "ID", "CY"]
REC_VOCAB = ["X", "A", "B"]
ASSIGN_VOCAB = ["W", "A", "F"]
NOTICE_VOCAB = ["N3", "N6", "1G"]

DEC_VOCAB = ["X", "V", "R", "T", "U", "E", "L", "Z", "A", "G", "D", "C", "O", "W"]
OC_VOCAB = ["C", "T", "A", "F", "Y", "X", "P", "O", "M", "K"]
DEC_TYPE_VOCAB = ["O", "W", "7", "6"]
APPEAL_VOCAB = ["A", "I", "B", "O"]
TRANSFER_STATUS_VOCAB = ["V", "T"]
ABSENTIA_VOCAB = ["N", "Y"]
YN = ["N", "Y"]
IHP_VOCAB = ["S", "F", "M"]
BIT = ["0", "1"]

APPL_VOCAB = ["ASYL", "ASYW", "WCAT", "42B", "245", "42A", "VD", "212h"]
APPL_DEC_VOCAB = ["G", "F", "C", "I", "P", "D", "A", "W", "O", "S", "T", "M", "L", "R"]

MOTION_VOCAB = ["CO", "CV", "C", "AC", "TP", "U", "MA", "BD", "SC", "WC", "ET", "EH", "TA", "SR", "SO", "PS", "OT",
                "VD", "O", "TV", "CS", "FD"]
MOTION_DEC_VOCAB = ["G", "D", "M", "O", "W", "J"]
PARTY_VOCAB = ["A", "R", "I", "B", "S", "E"]
METHOD_VOCAB = ["W", "O"]
CERT_VOCAB = ["R", "P", "E", "O", "C", "N"]
OCLOCK_VOCAB = ["S", "N", "T", "C"]

CHARGES = ["(212)(a)(06)(A)(i  )(   )", "(212)(a)(07)(A)(i  )(I  )", "(212)(a)(06)(C)(i  )(   )",
           "(212)(a)(02)(A)(i  )(I  )", "(237)(a)(01)(B)(   )(   )", "(237)(a)(01)(C)(i  )(   )",
           "(237)(a)(02)(A)(iii)(   )", "(237)(a)(02)(B)(i  )(   )", "(237)(a)(02)(A)(i  )(   )"]
#: Charge codes as written: the lookup's padded code, and the same code with two extra trailing spaces
#: (SCHEMA.md s1.3: trailing spaces on charge codes; the loader trims them).
CHARGE_VOCAB = CHARGES + [c + "  " for c in CHARGES]
CHG_STATUS_VOCAB = ["S", "O", "N", "W"]

#: LANG as written: the codes, plus 'SP ' (Spanish with a trailing space, SCHEMA.md s1.3).
LANG_VOCAB = LANGS + ["SP "]
PRIORITY_VOCAB = ["N/A", "UC", "AWC/ATD", "AWC/D", "RBC/D", "CR"]
SEX_VOCAB = ["M", "F", "N", "U"]
SITE_VOCAB = ["M", "I"]
CASY_VOCAB = ["I", "E"]
CORR_VOCAB = ["S", "D", "F", "M"]
ATTY_NBR_VOCAB = ["0", "01", "02", "03"]
MONTH2 = [f"{i:02d}" for i in range(13)]

LEVEL_VOCAB = ["COURT", "BOARD"]
TYPE_VOCAB = ["ALIEN", "INS"]
#: PARENT_TABLE casings (value frequencies ~2025-10: a_tblcase 38%, b_tblproceeding 35%, B_TblProceeding 14%,
#: A_Tblcase 9%, tblappeal 2.4%, tblAppeal 1.5%, A_TblCase 0.9%).
PARENT_VOCAB = ["a_tblcase", "A_Tblcase", "A_TblCase", "b_tblproceeding", "B_TblProceeding", "tblappeal", "tblAppeal"]

C = lambda v: ("code", v)  # noqa: E731
I, D, H, S = ("int",), ("day",), ("hhmm",), ("str",)

CASE_SPEC = {
    "IDNCASE": I, "ALIEN_CITY": S, "ALIEN_STATE": S, "ALIEN_ZIPCODE": S, "NAT": C(NATS), "LANG": C(LANG_VOCAB),
    "CUSTODY": C(CUSTODY), "SITE_TYPE": C(SITE_VOCAB), "E_28_DATE": D, "ATTY_NBR": C(ATTY_NBR_VOCAB),
    "CASE_TYPE": C(CASE_TYPES), "UPDATE_SITE": S, "LATEST_HEARING": D, "LATEST_TIME": H, "LATEST_CAL_TYPE": C(CAL_VOCAB),
    "CORRECTIONAL_FAC": C(CORR_VOCAB), "RELEASE_MONTH": C(MONTH2), "RELEASE_YEAR": S, "DATE_OF_ENTRY": D,
    "C_ASY_TYPE": C(CASY_VOCAB), "C_BIRTHDATE": S, "C_RELEASE_DATE": D, "ADDRESS_CHANGEDON": D,
    "ZBOND_MRG_FLAG": C(["Y"]), "Sex": C(SEX_VOCAB), "DATE_DETAINED": D, "DATE_RELEASED": D, "LPR": C(BIT),
    "CASEPRIORITY_CODE": C(PRIORITY_VOCAB),
}
PROC_SPEC = {
    "IDNPROCEEDING": I, "IDNCASE": I, "OSC_DATE": D, "INPUT_DATE": D, "BASE_CITY_CODE": S, "HEARING_LOC_CODE": S,
    "IJ_CODE": S, "TRANS_IN_DATE": D, "PREV_HEARING_LOC": S, "PREV_HEARING_BASE": S, "PREV_IJ_CODE": S,
    "TRANS_NBR": S, "HEARING_DATE": D, "HEARING_TIME": H, "DEC_TYPE": C(DEC_TYPE_VOCAB), "DEC_CODE": C(DEC_VOCAB),
    "DEPORTED_1": C(NATS), "OTHER_COMP": C(OC_VOCAB), "APPEAL_RSVD": C(APPEAL_VOCAB), "APPEAL_NOT_FILED": C(["X"]),
    "COMP_DATE": D, "ABSENTIA": C(ABSENTIA_VOCAB), "VENUE_CHG_GRANTED": D, "TRANSFER_TO": S,
    "DATE_APPEAL_DUE_STATUS": D, "TRANSFER_STATUS": C(TRANSFER_STATUS_VOCAB), "CUSTODY": C(CUSTODY),
    "CASE_TYPE": C(CASE_TYPES), "NAT": C(NATS), "LANG": C(LANG_VOCAB), "SCHEDULED_HEAR_LOC": S,
    "CORRECTIONAL_FAC": C(CORR_VOCAB), "CRIM_IND": C(YN), "IHP": C(IHP_VOCAB), "AGGRAVATE_FELON": C(BIT),
    "DATE_DETAINED": D, "DATE_RELEASED": D,
}
SCHED_SPEC = {
    "IDNSCHEDULE": I, "IDNPROCEEDING": I, "IDNCASE": I, "OSC_DATE": D, "GENERATION": I, "SUB_GENERATION": C(["99"]),
    "REC_TYPE": C(REC_VOCAB), "LANG": C(LANG_VOCAB), "HEARING_LOC_CODE": S, "BASE_CITY_CODE": S, "IJ_CODE": S,
    "INPUT_DATE": D, "INPUT_TIME": H, "UPDATE_DATE": D, "UPDATE_TIME": H, "ASSIGNMENT_PATH": C(ASSIGN_VOCAB),
    "CAL_TYPE": C(CAL_VOCAB), "ADJ_DATE": D, "ADJ_TIME_START": H, "ADJ_TIME_STOP": H, "ADJ_RSN": C(RSN_VOCAB),
    "ADJ_MEDIUM": C(MEDIUM), "ADJ_ELAP_DAYS": S, "LNGSESSNID": I, "SCHEDULE_TYPE": C(SCHED_VOCAB),
    "NOTICE_CODE": C(NOTICE_VOCAB), "BLNCLOCKOVERRIDE": C(BIT), "EOIRAttorneyID": S,
}
APPLN_SPEC = {"IDNPROCEEDINGAPPLN": I, "IDNPROCEEDING": I, "IDNCASE": I, "APPL_CODE": C(APPL_VOCAB),
              "APPL_RECD_DATE": D, "APPL_DEC": C(APPL_DEC_VOCAB)}
MOTION_SPEC = {
    "IDNMOTION": I, "IDNPROCEEDING": I, "IDNCASE": I, "OSC_DATE": D, "REC_TYPE": C(MOTION_VOCAB), "GENERATION": I,
    "SUB_GENERATION": C(["99"]), "UPDATE_DATE": D, "UPDATE_TIME": H, "INPUT_DATE": D, "INPUT_TIME": H,
    "BASE_CITY_CODE": S, "HEARING_LOC_CODE": S, "IJ_CODE": S, "DEC": C(MOTION_DEC_VOCAB), "COMP_DATE": D,
    "MOTION_RECD_DATE": D, "DATMOTIONDUE": D, "APPEAL_RSVD": C(APPEAL_VOCAB), "RESP_DUE_DATE": D,
    "JURISDICTION": C(["IJ"]), "DATE_APPEAL_DUE": D, "STRFILINGPARTY": C(PARTY_VOCAB),
    "STRFILINGMETHOD": C(METHOD_VOCAB), "STRCERTOFSERVICECODE": C(CERT_VOCAB), "E_28_DATE": D,
    "O_CLOCK_OPTION": C(OCLOCK_VOCAB), "strDJScenario": ("const", "0"), "column41": D,
}
CHARGE_SPEC = {"IDNPRCDCHG": I, "IDNCASE": I, "IDNPROCEEDING": I, "CHARGE": C(CHARGE_VOCAB),
               "CHG_STATUS": C(CHG_STATUS_VOCAB)}
CUSTODY_SPEC = {"IDNCUSTODY": I, "IDNCASE": I, "CUSTODY": C(CUSTODY), "DATDETAINED": D, "DATRELEASED": D}
REPS_SPEC = {"IDNREPSASSIGNED": I, "IDNCASE": I, "STRATTYLEVEL": C(LEVEL_VOCAB), "STRATTYTYPE": C(TYPE_VOCAB),
             "PARENT_TABLE": C(PARENT_VOCAB), "PARENT_IDN": I, "BASE_CITY_CODE": S, "INS_TA_DATE_ASSIGNED": D,
             "E_27_DATE": D, "E_28_DATE": D, "BLNPRIMEATTY": C(BIT)}
ATTORNEY_SPEC = {"EOIRAttorneyID": S, "OldAttorneyID": I, "BaseCityCode": S, "blnAttorneyActive": C(BIT),
                 "Source_Flag": S, "datCreatedOn": D, "datModifiedOn": D}
