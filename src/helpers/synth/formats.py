"""The raw EOIR file format: exact headers, column kinds, value formatting and the repair rule.

Headers are the 2026 column orders of the 19 core files (SCHEMA.md s1.2; shared
``reference/compiled/table_headers_2026.csv``), copied here as literals. ``tbl_Court_Motions`` rows carry
two unnamed trailing fields after its 41 names.

Column kinds (from the SQL Server types in EOIRDB_Schema and the field lengths in SCHEMA.md s3):
``key``/``int`` digits; ``datetime`` ``YYYY-MM-DD HH:MM:SS.fff``; ``hhmm`` 3-4 digits; ``monthyear``
``M/YYYY``; ``bit`` 0/1; ``guid`` upper-case uniqueidentifier; ``zip`` 5 or 9 digits; ``state`` two
capital letters; ``code:N`` at most N characters without TAB; ``text:N`` free text of at most N characters
(may hold a TAB). Empty is always allowed (null).

The shared tab-shift rule (the loader implements the same): a row with k extra fields is repaired when
merging k+1 consecutive fields that start at a free-text column gives a row in which every field matches
its column kind, and every such valid merge gives the same row; otherwise it is quarantined.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CORE_HEADERS: dict[str, list[str]] = {
    "A_TblCase": ["IDNCASE", "ALIEN_CITY", "ALIEN_STATE", "ALIEN_ZIPCODE", "UPDATED_ZIPCODE", "UPDATED_CITY", "NAT",
                  "LANG", "CUSTODY", "SITE_TYPE", "E_28_DATE", "ATTY_NBR", "CASE_TYPE", "UPDATE_SITE",
                  "LATEST_HEARING", "LATEST_TIME", "LATEST_CAL_TYPE", "UP_BOND_DATE", "UP_BOND_RSN",
                  "CORRECTIONAL_FAC", "RELEASE_MONTH", "RELEASE_YEAR", "INMATE_HOUSING", "DATE_OF_ENTRY",
                  "C_ASY_TYPE", "C_BIRTHDATE", "C_RELEASE_DATE", "UPDATED_STATE", "ADDRESS_CHANGEDON",
                  "ZBOND_MRG_FLAG", "Sex", "DATE_DETAINED", "DATE_RELEASED", "LPR", "DETENTION_DATE",
                  "DETENTION_LOCATION", "DCO_LOCATION", "DETENTION_FACILITY_TYPE", "CASEPRIORITY_CODE"],
    "A_TblCaseIdentifier": ["IDNCASEID", "IDNCASE", "CASE_ID"],
    "B_TblProceeding": ["IDNPROCEEDING", "IDNCASE", "OSC_DATE", "INPUT_DATE", "BASE_CITY_CODE", "HEARING_LOC_CODE",
                        "IJ_CODE", "TRANS_IN_DATE", "PREV_HEARING_LOC", "PREV_HEARING_BASE", "PREV_IJ_CODE",
                        "TRANS_NBR", "HEARING_DATE", "HEARING_TIME", "DEC_TYPE", "DEC_CODE", "DEPORTED_1",
                        "DEPORTED_2", "OTHER_COMP", "APPEAL_RSVD", "APPEAL_NOT_FILED", "COMP_DATE", "ABSENTIA",
                        "VENUE_CHG_GRANTED", "TRANSFER_TO", "DATE_APPEAL_DUE_STATUS", "TRANSFER_STATUS", "CUSTODY",
                        "CASE_TYPE", "NAT", "LANG", "SCHEDULED_HEAR_LOC", "CORRECTIONAL_FAC", "CRIM_IND", "IHP",
                        "AGGRAVATE_FELON", "DATE_DETAINED", "DATE_RELEASED"],
    "B_TblProceedCharges": ["IDNPRCDCHG", "IDNCASE", "IDNPROCEEDING", "CHARGE", "CHG_STATUS"],
    "D_TblAssociatedBond": ["IDNASSOCBOND", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "REC_TYPE", "GENERATION",
                            "SUB_GENERATION", "UPDATE_DATE", "UPDATE_TIME", "INPUT_DATE", "INPUT_TIME",
                            "BASE_CITY_CODE", "BASE_CITY_NAME", "HEARING_LOC_CODE", "IJ_CODE", "DEC", "COMP_DATE",
                            "INITIAL_BOND", "REL_CON", "INS_TA", "BOND_HEARING_TELEPHONIC", "BOND_HEAR_REQ_DATE",
                            "NEW_BOND", "APPEAL_REVD", "APPEAL_NOT_FILED", "DATE_APPEAL_DUE", "E_28_DATE",
                            "BOND_TYPE", "FILING_METHOD", "FILING_PARTY", "DECISION_DUE_DATE"],
    "tbl_schedule": ["IDNSCHEDULE", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "GENERATION", "SUB_GENERATION",
                     "REC_TYPE", "LANG", "HEARING_LOC_CODE", "BASE_CITY_CODE", "IJ_CODE", "INTERPRETER_CODE",
                     "INPUT_DATE", "INPUT_TIME", "UPDATE_DATE", "UPDATE_TIME", "ASSIGNMENT_PATH", "CAL_TYPE",
                     "ADJ_DATE", "ADJ_TIME_START", "ADJ_TIME_STOP", "ADJ_RSN", "ADJ_MEDIUM", "ADJ_MSG",
                     "ADJ_ELAP_DAYS", "LNGSESSNID", "SCHEDULE_TYPE", "NOTICE_CODE", "BLNCLOCKOVERRIDE",
                     "EOIRAttorneyID"],
    "tbl_Court_Appln": ["IDNPROCEEDINGAPPLN", "IDNPROCEEDING", "IDNCASE", "APPL_CODE", "APPL_RECD_DATE", "APPL_DEC"],
    "tbl_Court_Motions": ["IDNMOTION", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "REC_TYPE", "GENERATION",
                          "SUB_GENERATION", "UPDATE_DATE", "UPDATE_TIME", "INPUT_DATE", "INPUT_TIME", "REJ_Remove",
                          "BASE_CITY_CODE", "HEARING_LOC_CODE", "IJ_CODE", "IJ_NAME_Remove", "DEC", "COMP_DATE",
                          "MOTION_RECD_DATE", "DATMOTIONDUE", "WU_MSG_Remove", "APPEAL_RSVD", "APPEAL_NOT_FILED",
                          "RESP_DUE_DATE", "STAY_GRANT", "JURISDICTION", "DATE_APPEAL_DUE", "DATE_TO_BIA",
                          "DECISION_RENDERED_Remove", "DATE_MAILED_TO_IJ", "DATE_RECD_FROM_BIA",
                          "DATE_TO_BIA_UPDATE_Remove", "STRFILINGPARTY", "STRFILINGMETHOD", "STRCERTOFSERVICECODE",
                          "E_28_RECPTFLAG_Remove", "E_28_DATE", "O_CLOCK_OPTION", "SCHEDULED_HEAR_LOC_Remove",
                          "BLNDELETED_Remove", "strDJScenario"],
    "tbl_CustodyHistory": ["IDNCUSTODY", "IDNCASE", "CUSTODY", "DATDETAINED", "DATRELEASED"],
    "tbl_RepsAssigned": ["IDNREPSASSIGNED", "IDNCASE", "STRATTYLEVEL", "STRATTYTYPE", "PARENT_TABLE", "PARENT_IDN",
                         "BASE_CITY_CODE", "INS_TA_DATE_ASSIGNED", "E_27_DATE", "E_28_DATE", "BLNPRIMEATTY"],
    "tbl_EOIR_Attorney": ["EOIRAttorneyID", "OldAttorneyID", "BaseCityCode", "blnAttorneyActive", "Source_Flag",
                          "datCreatedOn", "datModifiedOn"],
    "tbl_JuvenileHistory": ["idnJuvenileHistory", "idnCase", "idnProceeding", "idnJuvenile", "DATCREATEDON",
                            "DATMODIFIEDON"],
    "tbl_Lead_Rider": ["idnLeadRider", "idnLeadCase", "idnRiderCase", "datCreatedOn", "datModifiedOn", "datSeveredOn",
                       "idnLeadProceedingStart", "idnLeadProceedingEnd", "idnRiderProceedingStart",
                       "idnRiderProceedingEnd", "blnActive"],
    "tbl_CasePriorityHistory": ["idnCasePriHistory", "casePriority_code", "idnCase", "DATCREATEDON", "DATMODIFIEDON"],
    "tblAppeal": ["idnAppeal", "idncase", "idnProceeding", "strAppealCategory", "strAppealType", "datAppealFiled",
                  "strFiledBy", "datAttorneyE27", "datBIADecision", "strBIADecision", "strBIADecisionType",
                  "strCaseType", "strLang", "strNat", "strProceedingIHP", "strCustody", "strProbono"],
    "tblAppeal2": ["idnAppeal", "idncase", "idnProceeding"],
    "tblAppealFedCourts": ["idnAppealFedCourts", "lngAppealID", "datRequestedByOIL", "strFedCourtDecision"],
    "tblThreeMbrReferrals": ["idn3MemberReferral", "lngAppealID", "datReferredTo3Member", "datRemovedFromReferral"],
    "tblProBono": ["Case_type", "DEC_212C", "DEC_245", "NBR_OF_CHGS", "Other_dec1", "Other_dec2", "P_EOIR42A_DEC",
                   "P_EOIR42B_DEC", "VD_DEC", "WD_DEC", "strCorFacility", "datTranscriptServedAlien",
                   "strProceedingIHP", "strFiledby", "strNat", "strLang", "blnOARequestedbyAlien",
                   "blnOARequestedbyINS", "blnOARequestedbyAmicus", "Charge_1", "Charge_2", "Charge_3", "Charge_4",
                   "Charge_5", "Charge_6", "recd_212C", "recd_245", "VD_recd", "WD_recd", "P_EOIR42A_Recd",
                   "P_EOIR42B_Recd", "Dec_Code", "other_comp", "CRIM_IND", "strA1", "strA2", "strA3",
                   "strAlienRegion", "strAlienGender", "strINSStatus", "strPossibility", "datROPreview",
                   "blnSelectedbyCoordinator", "blnSelectedbyScreener", "OptionA", "DCO_Location", "CaseID",
                   "Date_Of_Entry", "Inmate_Housing", "datmailedtoNGO", "idnAppeal", "datBriefCurrentlyDueAlien",
                   "idnRepl", "blnIntrpr", "strIntrprLang", "ScreenerIdn", "strDCAddress1", "strDCAddress2",
                   "strDCCity", "strDCState", "strDCZip", "blnProcessed", "datCreatedOn", "datModifiedOn",
                   "strCustody"],
}

#: Number of unnamed trailing fields a normal data row carries after the header's names.
EXTRA_FIELDS = {"tbl_Court_Motions": 2}

#: Kinds of the columns of the core tables this generator fills (see module docstring).
_K = {
    "A_TblCase": "key text:15 state zip:10 zip:10 text:15 code:2 code:3 code:1 code:1 datetime code:2 code:3 code:3 "
                 "datetime hhmm code:1 datetime code:2 code:1 code:2 code:4 code:3 datetime code:1 monthyear datetime "
                 "state datetime code:1 code:1 datetime datetime bit datetime text:34 text:24 code:10 code:20",
    "B_TblProceeding": "key int datetime datetime code:3 code:3 code:3 datetime code:3 code:3 code:3 code:2 datetime "
                       "hhmm code:1 code:1 code:2 code:2 code:1 code:1 code:1 datetime code:1 datetime code:3 datetime "
                       "code:1 code:1 code:3 code:2 code:3 code:3 code:1 code:1 code:1 bit datetime datetime",
    "tbl_schedule": "key int int datetime code:2 code:2 code:1 code:3 code:3 code:3 code:3 code:3 datetime hhmm "
                    "datetime hhmm code:1 code:1 datetime hhmm hhmm code:2 code:1 code:2 code:4 int code:2 code:2 bit guid",
    "tbl_Court_Appln": "key int int code:4 datetime code:10",
    "tbl_Court_Motions": "key int int datetime code:2 code:2 code:2 datetime hhmm datetime hhmm code:1 code:3 code:3 "
                         "code:3 text:20 code:1 datetime datetime datetime code:2 code:1 code:1 datetime code:1 code:3 "
                         "datetime datetime datetime datetime datetime datetime code:1 code:1 code:1 code:1 datetime "
                         "code:1 code:3 code:2 code:20 datetime text:20",
    "tbl_CustodyHistory": "key int code:1 datetime datetime",
    "tbl_RepsAssigned": "key int code:10 code:10 code:100 int code:3 datetime datetime datetime bit",
    "B_TblProceedCharges": "key int int code:30 code:1",
    "tbl_EOIR_Attorney": "guid int code:3 bit code:10 datetime datetime",
}
KINDS: dict[str, list[str]] = {t: k.split() for t, k in _K.items()}

#: Primary key and foreign keys of each core table the generator fills.
KEYS: dict[str, list[str]] = {
    "A_TblCase": ["IDNCASE"],
    "B_TblProceeding": ["IDNPROCEEDING", "IDNCASE"],
    "tbl_schedule": ["IDNSCHEDULE", "IDNPROCEEDING", "IDNCASE"],
    "tbl_Court_Appln": ["IDNPROCEEDINGAPPLN", "IDNPROCEEDING", "IDNCASE"],
    "tbl_Court_Motions": ["IDNMOTION", "IDNPROCEEDING", "IDNCASE"],
    "tbl_CustodyHistory": ["IDNCUSTODY", "IDNCASE"],
    "tbl_RepsAssigned": ["IDNREPSASSIGNED", "IDNCASE"],
    "B_TblProceedCharges": ["IDNPRCDCHG", "IDNCASE", "IDNPROCEEDING"],
    "tbl_EOIR_Attorney": ["EOIRAttorneyID"],
}

_PATTERNS = {
    "key": re.compile(r"\d+"), "int": re.compile(r"-?\d+"),
    "datetime": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}"),
    "hhmm": re.compile(r"\d{3,4}"), "monthyear": re.compile(r"\d{1,2}/\d{4}"), "bit": re.compile(r"[01]"),
    "guid": re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"),
    "zip": re.compile(r"\d{5}(-?\d{4})?"), "state": re.compile(r"[A-Z]{2}"),
}


def field_ok(kind: str, value: str) -> bool:
    """Does ``value`` (raw text, NULs already removed) fit a column of ``kind``? Empty always fits."""
    v = value.rstrip(" ")
    if v == "":
        return True
    base, _, n = kind.partition(":")
    if base == "code":
        return "\t" not in v and len(v) <= int(n)
    if base == "text":
        return len(v) <= int(n)
    if base in ("zip",):
        return bool(_PATTERNS["zip"].fullmatch(v))
    return bool(_PATTERNS[base].fullmatch(v))


def repair_outcome(kinds: list[str], fields: list[str]) -> tuple[str, list[str] | None]:
    """Apply the shared tab-shift rule to one split row.

    Returns ``("ok", fields)`` when the row has the expected number of fields, ``("repaired", row)``,
    ``("tab_shift_unrepairable", None)`` or ``("tab_shift_ambiguous", None)``. A merged value keeps
    the TAB it contained.
    """
    n = len(kinds)
    k = len(fields) - n
    if k <= 0:
        return "ok", fields
    candidates = []
    for start, kind in enumerate(kinds):
        if not kind.startswith("text"):
            continue
        row = fields[:start] + ["\t".join(fields[start:start + k + 1])] + fields[start + k + 1:]
        if all(field_ok(kd, v) for kd, v in zip(kinds, row)):
            candidates.append(row)
    if not candidates:
        return "tab_shift_unrepairable", None
    norm = {tuple(v.strip() for v in row) for row in candidates}
    if len(norm) > 1:
        return "tab_shift_ambiguous", None
    return "repaired", candidates[0]


# --- value formatting (vectorised, pyarrow) -----------------------------------------------------
_DAY0 = int(np.datetime64("1900-01-01", "D").astype(np.int64))
_DAY1 = int(np.datetime64("2100-01-01", "D").astype(np.int64))
_DATE_STR: pa.Array | None = None
_HHMM = pa.array([f"{h:02d}{m:02d}" for h in range(24) for m in range(60)])


def _date_strings() -> pa.Array:
    global _DATE_STR
    if _DATE_STR is None:
        d = np.arange(_DAY0, _DAY1).astype("datetime64[D]").astype(str)
        _DATE_STR = pa.array(np.char.add(d, " 00:00:00.000").tolist())
    return _DATE_STR


def f_day(days: np.ndarray) -> pa.Array:
    """Epoch days -> ``YYYY-MM-DD 00:00:00.000``; negative values (missing) -> null."""
    d = np.asarray(days, dtype=np.int64)
    mask = d < 0
    idx = np.where(mask, 0, d - _DAY0)
    if not mask.all() and (idx[~mask].min() < 0 or idx[~mask].max() >= _DAY1 - _DAY0):
        raise ValueError("date outside 1900-2099 cannot be formatted")
    return pc.take(_date_strings(), pa.array(idx, mask=mask))


def f_datetime(days: np.ndarray, seconds: np.ndarray) -> pa.Array:
    """Epoch days plus seconds of the day (with milliseconds) -> ``YYYY-MM-DD HH:MM:SS.fff``."""
    d = np.asarray(days, dtype=np.int64)
    s = np.asarray(seconds, dtype=np.int64)
    mask = d < 0
    ts = (np.where(mask, 0, d) * 86_400_000 + s).astype("datetime64[ms]")
    txt = np.datetime_as_string(ts, unit="ms")
    txt = np.char.replace(txt, "T", " ")
    return pa.array(txt.tolist(), mask=mask)


def f_hhmm(minutes: np.ndarray) -> pa.Array:
    """Minutes after midnight -> zero-padded ``HHMM``; negative -> null."""
    m = np.asarray(minutes, dtype=np.int64)
    mask = m < 0
    return pc.take(_HHMM, pa.array(np.clip(m, 0, 1439), mask=mask))


def f_int(values: np.ndarray, null_below: int = 0) -> pa.Array:
    """Integers -> decimal text; values below ``null_below`` -> null."""
    v = np.asarray(values, dtype=np.int64)
    mask = v < null_below
    return pc.cast(pa.array(v, mask=mask), pa.string())


def f_code(idx: np.ndarray, vocab: list[str] | np.ndarray) -> pa.Array:
    """Vocabulary indexes -> codes; negative index -> null."""
    i = np.asarray(idx, dtype=np.int64)
    mask = i < 0
    voc = vocab if isinstance(vocab, pa.Array) else pa.array([str(v) for v in vocab])
    return pc.take(voc, pa.array(np.where(mask, 0, i), mask=mask))


def f_const(value: str, n: int) -> pa.Array:
    return pa.array(np.full(n, value, dtype=object).tolist() if n else [], type=pa.string())


def f_null(n: int) -> pa.Array:
    return pa.nulls(n, type=pa.string())
