"""The ``Lookup/`` files of a synthetic release, built from the project's code tables and the world.

Column orders are those of the real 2026 lookup files (SCHEMA.md s4; ian-nason data dictionary).
Courts, hearing locations and judges are fictional and say so in their rows. Deliberate lookup quirks
(SCHEMA.md s2.3): an inactive duplicate of an active code in tblLookupJudge and tblLookupCourtDecision,
and a NUL byte inside one tblLanguage description.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from helpers import codes
from helpers.synth import params as P_
from helpers.synth import rowspecs as R
from helpers.synth.writer import Release
from helpers.synth.world import CUT_DAY, World

HEADERS: dict[str, list[str]] = {
    "tblLookupJudge": ["idnJudge", "JUDGE_CODE", "JUDGE_NAME", "JUDGE_ST_ADDRESS", "JUDGE_CITY", "JUDGE_STATE",
                       "JUDGE_ZIP_1", "JUDGE_ZIP_2", "JUDGE_PHONE_NO", "datCreatedOn", "datModifiedOn", "blnActive",
                       "blnSkippedOnWheel", "blnLastOnWheel", "blnSkippedOnWheelMA", "blnLastOnWheelMA", "intOrderMA",
                       "intOrderMM"],
    "tblLookupBaseCity": (["idnBaseCity", "BASE_CITY_CODE", "BASE_CITY_NAME", "BaseAutomated", "BASE_ST_ADDRESS",
                           "BASE_CITY", "BASE_STATE", "BASE_ZIP_1", "BASE_ZIP_2", "BASE_PHONE_NO", "strRegion"]
                          + [f"BaseEoir{k}{s}" for k in (1, 2, 5, 6, 7, 34, 35, 36, 39)
                             for s in ("Flag", "Code", "Suba", "Subb", "Subc", "Subd", "Sube", "Subf")]
                          + [f"I122{s}" for s in ("Flag", "Code", "Suba", "Subb", "Subc", "Subd", "Sube", "Subf")]
                          + ["RopDefault", "RopPrtClass", "BaseSplPrtClass", "datCreatedOn", "datModifiedOn",
                             "blnActive", "blnBCIS"]),
    "tblLookupHloc": ["idnHloc", "HEARING_LOC_CODE", "HEARING_LOC_NAME", "HEARING_CORR_TITLE", "HEARING_ST_ADDRESS",
                      "HEARING_CITY", "HEARING_STATE", "HEARING_ZIP", "HEARING_PHONE_NO", "HEARING_BASE_CITY",
                      "Hear_Admin_Hear_Loc", "Hear_Trans_COV_City", "Hear_Det_Type", "Hear_Active_Flg",
                      "datCreatedOn", "datModifiedOn", "blnActive", "ROPLoc", "intCalDetainDays", "intCalINSAsyPDays",
                      "intCalINSAsyMDays", "intCalINSDays", "intCalEOIRDays", "intCalCFRDays", "intCalCDRDays",
                      "CircuitCourt", "blnPrnWksOnAdd", "blnPrnRopOnAdd"],
    "tblLookupCourtDecision": ["idnCourtDecision", "strCaseType", "strDecCode", "strDecDescription", "strDecType",
                               "strFinalDisposition", "blnActive", "datCreatedOn", "datModifiedOn"],
    "tblAdjournmentcodes": ["idnAdjCode", "strcode", "strDesciption", "Regd_By", "datCreatedOn", "datModifiedOn",
                            "blnActive", "asy_clk_stat"],
    "tblLookUp_Appln": ["idnAppln", "strcode", "strdescription", "strAllowedCaseTypes", "strAllowedDecisionCodes",
                        "APL_casetype_1", "APL_casetype_2", "APL_casetype_3", "APL_casetype_4", "APL_casetype_5",
                        "APL_casetype_6", "APL_casetype_7", "datCreatedOn", "datModifiedOn", "blnActive"],
    "tblLookupCourtAppDecisions": ["idnCourtApplnDec", "strCourtApplnDecCode", "strCourtApplnDecDesc", "blnActive",
                                   "datCreatedOn", "datModifiedOn", "Comments"],
    "tblLookupCaseType": ["idnCaseType", "strCode", "strDescription", "blnActive", "datCreatedOn", "datModifiedOn",
                          "strAnsirCode"],
    "tbllookupCal_Type": ["idnCalType", "strCalTypeCode", "strCalTypeDescription", "datCreatedOn", "datModifiedOn",
                          "blnActive"],
    "tbllookupSchedule_Type": ["idnSchType", "strCode", "strDescription", "datCreatedOn", "datModifiedOn",
                               "strSchedType", "blnActive", "blnSubsequent"],
    "tblLookupMotionType": ["idnMotionType", "strMotionCode", "strMotionType", "strMotionDesc", "strMotionSummary",
                            "strFilingPartyCodes", "strLegacyCode", "datCreatedOn", "datModifiedOn", "blnActive",
                            "blnFilePriortoIJDecision", "blnFileAfterIJDecision", "intMandatoryIJDecisionByDays",
                            "blnFeeRequired", "blnFileOrally", "blnHearingRequiredtoFile", "blnAdminCompleteReq",
                            "blnIJGrantPriorToHearing", "blnCertServiceReqd", "blnAsylClockAffected",
                            "blnAsylClockAffectedStart", "IntMandatoryResponseDueByDaysDefault"],
    "tblLookupFiling_Method_Party": ["idnFilingParty", "strFilingPartyCode", "strFilingPartyDesc", "datCreatedOn",
                                     "datModifiedOn", "blnActive"],
    "tblLookupFiling_Method": ["idnFilingMethod", "strFilingMethodCode", "strFilingMethodDesc", "datCreatedOn",
                               "datModifiedOn", "blnActive"],
    "tblLookupNationality": ["ID", "NAT_CODE", "NAT_NAME", "NAT_COUNTRY_NAME", "NAT_NACARA_COUNTRY", "datCreatedOn",
                             "datModifiedOn", "blnActive"],
    "tblLanguage": ["idnLang", "strCode", "strDescription", "datCreatedOn", "datModifiedOn", "blnActive"],
    "tblLookupCustodyStatus": ["idnCustodyStatus", "strCode", "strSelecBoxVal", "strDescription", "blnActive",
                               "datCreatedOn", "datModifiedOn"],
    "tbllookupCharges": ["idnCharges", "strCode", "strCodeString", "strCodeDescription", "applicable_case_type1",
                         "applicable_case_type2", "applicable_case_type3", "criminal_flag", "aggravate_felon",
                         "DatCreatedOn", "DatModifiedOn", "blnActive"],
    "tblLookup_CasePriority": ["idnCasePriority", "strCode", "strDescription", "strDays", "DATCREATEDON",
                               "DATMODIFIEDON", "blnActive", "blnBypasscal"],
    "tblLookupNOTICE": ["IDNNOTORD", "Notice_Code", "Notice_Disp", "datCreatedOn", "datModifiedOn", "blnActive",
                        "strNoticeOrder"],
    "tblLookupSex": ["idnSex", "strcode", "strDescription", "datCreatedOn", "datModifiedOn", "blnActive"],
}

#: Natural key of each lookup (for the duplicate-key count in truth.json).
LOOKUP_KEYS = {
    "tblLookupJudge": ["JUDGE_CODE"], "tblLookupBaseCity": ["BASE_CITY_CODE"], "tblLookupHloc": ["HEARING_LOC_CODE"],
    "tblLookupCourtDecision": ["strCaseType", "strDecCode", "strDecType"], "tblAdjournmentcodes": ["strcode"],
    "tblLookUp_Appln": ["strcode"], "tblLookupCourtAppDecisions": ["strCourtApplnDecCode"],
    "tblLookupCaseType": ["strCode"], "tbllookupCal_Type": ["strCalTypeCode"], "tbllookupSchedule_Type": ["strCode"],
    "tblLookupMotionType": ["strMotionCode"], "tblLookupFiling_Method_Party": ["strFilingPartyCode"],
    "tblLookupFiling_Method": ["strFilingMethodCode"], "tblLookupNationality": ["NAT_CODE"], "tblLanguage": ["strCode"],
    "tblLookupCustodyStatus": ["strCode"], "tbllookupCharges": ["strCode"], "tblLookup_CasePriority": ["strCode"],
    "tblLookupNOTICE": ["Notice_Code"], "tblLookupSex": ["strcode"],
}

DT = "2003-08-10 00:00:00.000"


def _dt(day: int) -> str:
    return str(np.datetime64(int(day), "D")) + " 00:00:00.000"


def _rows(name: str, world: World) -> list[list[str]]:
    if name == "tblLookupJudge":
        j = world.judges
        out = [["1", "AAA", "<All Judges>", "", "", "", "", "", "", DT, "", "1", "0", "0", "0", "0", "0", "0"]]
        for r in j.itertuples():
            active = "1" if r.end_day > CUT_DAY else "0"   # still on the bench at the data cut
            out.append([str(len(out) + 1), r.code, r.name, "FICTIONAL JUDGE - SYNTHETIC DATA", "", "", "", "", "",
                        _dt(r.created_day), "", active, "0", "0", "0", "0", str(r.judge + 1), str(r.judge + 1)])
            if r.temp_code:
                out.append([str(len(out) + 1), r.temp_code, f"{r.name} (Temp)", "FICTIONAL JUDGE - SYNTHETIC DATA",
                            "", "", "", "", "", _dt(r.temp_start - 5), _dt(r.temp_end), "0", "1", "0", "1", "0", "0", "0"])
        # an inactive older duplicate of an active judge's code (SCHEMA.md s2.3)
        act = [r for r in out[1:] if r[11] == "1" and not r[2].endswith("(Temp)")]
        if act:
            d = list(act[0])
            d[0] = str(len(out) + 1)
            d[9], d[10], d[11] = "2001-03-01 00:00:00.000", "2009-06-30 00:00:00.000", "0"
            out.append(d)
        return out
    if name == "tblLookupBaseCity":
        out = []
        for r in world.courts.itertuples():
            row = [str(r.court + 2), r.code, "SYNTHETIC IMMIGRATION COURT", "M", "100 FICTIONAL PLAZA", r.city,
                   r.state, f"{r.zip3:03d}01", "0", "5550100000", r.region] + [""] * 83 + \
                  ["2004-09-12 00:00:00.000", "2020-09-22 00:00:00.000", "1", "0"]
            out.append(row)
        return out
    if name == "tblLookupHloc":
        out = []
        courts = world.courts.set_index("court")
        for r in world.hlocs.itertuples():
            c = courts.loc[r.court]
            out.append([str(r.hloc + 1), r.code, r.name, "SYNTHETIC IMMIGRATION COURT", "100 FICTIONAL PLAZA", c.city,
                        c.state, f"{c.zip3:03d}01", "5550100000", c.code, c.code, c.code, "D" if r.detained else "",
                        "Y", "2004-09-12 00:00:00.000", "2020-09-22 00:00:00.000", "1", c.code, "0", "1", "1", "1",
                        "1", "1", "0", "9", "0", "0"])
        return out
    if name == "tblLookupCourtDecision":
        cd = codes.load("court_decisions")
        out = []
        for r in cd.itertuples():
            types = P_.CASE_TYPES if r.case_type == "ALL" else [r.case_type]
            for ct in types:
                out.append([str(len(out) + 1), ct, r.code, r.description, r.dec_type, "", "1", "2002-11-30 00:00:00.000",
                            ""])
        # an inactive older duplicate (same case type, code and type) with an older wording
        out.append([str(len(out) + 1), "RMV", "X", "Removal", "C", "", "0", "2002-11-30 00:00:00.000",
                    "2004-01-16 00:00:00.000"])
        out.append([str(len(out) + 1), "RMV", "A", "Administrative Closure", "O", "", "0", "2002-11-30 00:00:00.000",
                    "2011-12-16 00:00:00.000"])
        return out
    if name == "tblAdjournmentcodes":
        ac = codes.load("adjournment_codes")
        return [[str(i + 1), r.code, r.description, r.regd_by, DT, "", "1", r.asy_clk_stat]
                for i, r in enumerate(ac.itertuples())]
    if name == "tblLookUp_Appln":
        return [[str(i + 1), r.code, r.description, "DEP,EXC,RMV", "A,D,G,O,W,S,T,M,I,P", "D", "E", "M", "", "", "", "",
                 "2003-08-07 00:00:00.000", "", "1"] for i, r in enumerate(codes.load("application_codes").itertuples())]
    if name == "tblLookupCourtAppDecisions":
        return [[str(i + 1), r.code, r.description, "1", "2003-01-31 00:00:00.000", "", ""]
                for i, r in enumerate(codes.load("application_decisions").itertuples())]
    if name == "tblLookupCaseType":
        return [[str(i + 1), r.code, r.description, "1", "2003-08-07 00:00:00.000", "", ""]
                for i, r in enumerate(codes.load("case_types").itertuples())]
    if name == "tbllookupCal_Type":
        return [[str(i + 1), r.code, r.description, "2002-11-21 00:00:00.000", "", "1"]
                for i, r in enumerate(codes.load("cal_types").itertuples())]
    if name == "tbllookupSchedule_Type":
        return [[str(i + 1), r.code, r.description, "2002-11-21 00:00:00.000", "", "N", "1", "1"]
                for i, r in enumerate(codes.load("schedule_types").itertuples())]
    if name == "tblLookupMotionType":
        return [[str(i + 1), r.code, "M", r.description, "", "ALL", "", "", "", "1", "1", "0", "0", "0", "0", "0", "0",
                 "0", "0", "0", "0", "10"] for i, r in enumerate(codes.load("motion_types").itertuples())]
    if name == "tblLookupFiling_Method_Party":
        return [[str(i + 1), r.code, r.description, "2002-11-05 00:00:00.000", "", "1"]
                for i, r in enumerate(codes.load("filing_parties").itertuples())]
    if name == "tblLookupFiling_Method":
        return [[str(i + 1), r.code, r.description, "2003-08-07 00:00:00.000", "", "1"]
                for i, r in enumerate(codes.load("filing_methods").itertuples())]
    if name == "tblLookupNationality":
        return [[str(i + 1), r.code, r.name, r.name, "N", "2003-08-07 00:00:00.000", "", "1"]
                for i, r in enumerate(codes.load("nationalities").itertuples())]
    if name == "tblLanguage":
        out = [[str(i + 1), r.code, r.name, DT, "", "1"] for i, r in enumerate(codes.load("languages").itertuples())]
        out[-1][2] = out[-1][2][:3] + "\x00" + out[-1][2][3:]    # a NUL byte inside a value (SCHEMA.md s1.3)
        return out
    if name == "tblLookupCustodyStatus":
        return [[str(i + 1), r.code, r.code, r.description, "1", "", ""]
                for i, r in enumerate(codes.load("custody_codes").itertuples())]
    if name == "tbllookupCharges":
        return [[str(i + 1), r.code, r.code, r.description, "d", "R", "", "1" if r.criminal else "0", "0",
                 "2005-02-14 00:00:00.000", "", "1"] for i, r in enumerate(codes.load("charges").itertuples())]
    if name == "tblLookup_CasePriority":
        return [[str(i + 1), r.code, r.description, "28", "2014-08-05 00:00:00.000", "", "1", "1"]
                for i, r in enumerate(codes.load("case_priorities").itertuples())]
    if name == "tblLookupNOTICE":
        return [[str(i + 1), r.code, r.description, "", "", "1", "N"]
                for i, r in enumerate(codes.load("notice_codes").itertuples())]
    if name == "tblLookupSex":
        return [["1", "M", "Male", "2003-08-07 00:00:00.000", "", "1"], ["2", "F", "Female", "2003-08-07 00:00:00.000",
                                                                          "", "1"]]
    raise KeyError(name)


def write_lookups(release: Release, world: World) -> dict[str, int]:
    """Write every lookup file; returns duplicate-key counts per lookup."""
    dups = {}
    for name, header in HEADERS.items():
        rows = _rows(name, world)
        for r in rows:
            if len(r) != len(header):
                raise AssertionError(f"{name}: row of {len(r)} fields for {len(header)} columns: {r[:3]}")
        t = release.lookup(name, header)
        cols = {h: pa.array([r[i] for r in rows], type=pa.string()) for i, h in enumerate(header)}
        t.write(cols, len(rows))
        if any("\x00" in v for r in rows for v in r):
            t.acc.nul_bytes += sum(v.count("\x00") for r in rows for v in r)
            for i, r in enumerate(rows):
                if any("\x00" in v for v in r):
                    release.quirks.append({"file": t.rel, "line": i + 2, "kind": "nul_byte",
                                           "detail": "NUL inside a description", "expected": "loaded"})
        key = [header.index(k) for k in LOOKUP_KEYS[name]]
        seen: dict[tuple, int] = {}
        for i, r in enumerate(rows):
            k = tuple(r[j].replace("\x00", "").strip() for j in key)
            if k in seen:
                release.quirks.append({"file": t.rel, "line": i + 2, "kind": "duplicate_lookup_code",
                                       "detail": f"{LOOKUP_KEYS[name]}={list(k)} repeats line {seen[k] + 2} "
                                                 f"(blnActive {r[header.index('blnActive')]})",
                                       "expected": "loaded"})
            else:
                seen[k] = i
        t.acc.duplicate_keys = len(rows) - len(seen)
        dups[name] = t.acc.duplicate_keys
    return dups


def used_codes_check() -> None:
    """Every coded value the simulation can write has a row in the emitted lookups (raises otherwise)."""
    from helpers import codes as c
    missing = []
    for col, vocab, tab, key in (("NAT", P_.NATS, "nationalities", "code"), ("LANG", P_.LANGS, "languages", "code"),
                                 ("ADJ_RSN", R.RSN_VOCAB, "adjournment_codes", "code"),
                                 ("APPL_CODE", R.APPL_VOCAB, "application_codes", "code"),
                                 ("APPL_DEC", R.APPL_DEC_VOCAB, "application_decisions", "code"),
                                 ("REC_TYPE", R.MOTION_VOCAB, "motion_types", "code"),
                                 ("STRFILINGPARTY", R.PARTY_VOCAB, "filing_parties", "code"),
                                 ("CASE_TYPE", P_.CASE_TYPES, "case_types", "code"),
                                 ("CAL_TYPE", R.CAL_VOCAB, "cal_types", "code"),
                                 ("SCHEDULE_TYPE", R.SCHED_VOCAB, "schedule_types", "code"),
                                 ("CHARGE", R.CHARGES, "charges", "code"),
                                 ("CASEPRIORITY_CODE", R.PRIORITY_VOCAB, "case_priorities", "code"),
                                 ("NOTICE_CODE", R.NOTICE_VOCAB, "notice_codes", "code")):
        have = set(c.load(tab)[key])
        missing += [(col, v) for v in vocab if v not in have]
    if missing:
        raise AssertionError(f"codes written without a lookup row: {missing}")
