"""Build tiny EOIR releases in the exact raw format, for tests (SYNTHETIC test data, not real records).

Raw format (shared SCHEMA.md section 1.3): TAB-separated ``.csv`` files, a header line with the 2026
names, no quoting, CRLF line ends, cp1252 bytes. Headers below are copied from
``compiled/table_headers_2026.csv`` (tests never read /work/shared).

A :class:`Release` collects files in memory and writes them as a folder or as a zip whose members
use stored (0), Deflate (8) or Deflate64 (9) compression; the zip is written by hand (local headers,
central directory) so that Deflate64 members, unsafe names and link members can be produced.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

CORE_HEADERS: dict[str, tuple[str, ...]] = {
    "A_TblCase": ("IDNCASE", "ALIEN_CITY", "ALIEN_STATE", "ALIEN_ZIPCODE", "UPDATED_ZIPCODE", "UPDATED_CITY", "NAT",
        "LANG", "CUSTODY", "SITE_TYPE", "E_28_DATE", "ATTY_NBR", "CASE_TYPE", "UPDATE_SITE", "LATEST_HEARING",
        "LATEST_TIME", "LATEST_CAL_TYPE", "UP_BOND_DATE", "UP_BOND_RSN", "CORRECTIONAL_FAC", "RELEASE_MONTH",
        "RELEASE_YEAR", "INMATE_HOUSING", "DATE_OF_ENTRY", "C_ASY_TYPE", "C_BIRTHDATE", "C_RELEASE_DATE",
        "UPDATED_STATE", "ADDRESS_CHANGEDON", "ZBOND_MRG_FLAG", "Sex", "DATE_DETAINED", "DATE_RELEASED", "LPR",
        "DETENTION_DATE", "DETENTION_LOCATION", "DCO_LOCATION", "DETENTION_FACILITY_TYPE", "CASEPRIORITY_CODE"),
    "B_TblProceeding": ("IDNPROCEEDING", "IDNCASE", "OSC_DATE", "INPUT_DATE", "BASE_CITY_CODE", "HEARING_LOC_CODE",
        "IJ_CODE", "TRANS_IN_DATE", "PREV_HEARING_LOC", "PREV_HEARING_BASE", "PREV_IJ_CODE", "TRANS_NBR",
        "HEARING_DATE", "HEARING_TIME", "DEC_TYPE", "DEC_CODE", "DEPORTED_1", "DEPORTED_2", "OTHER_COMP",
        "APPEAL_RSVD", "APPEAL_NOT_FILED", "COMP_DATE", "ABSENTIA", "VENUE_CHG_GRANTED", "TRANSFER_TO",
        "DATE_APPEAL_DUE_STATUS", "TRANSFER_STATUS", "CUSTODY", "CASE_TYPE", "NAT", "LANG", "SCHEDULED_HEAR_LOC",
        "CORRECTIONAL_FAC", "CRIM_IND", "IHP", "AGGRAVATE_FELON", "DATE_DETAINED", "DATE_RELEASED"),
    "tbl_schedule": ("IDNSCHEDULE", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "GENERATION", "SUB_GENERATION",
        "REC_TYPE", "LANG", "HEARING_LOC_CODE", "BASE_CITY_CODE", "IJ_CODE", "INTERPRETER_CODE", "INPUT_DATE",
        "INPUT_TIME", "UPDATE_DATE", "UPDATE_TIME", "ASSIGNMENT_PATH", "CAL_TYPE", "ADJ_DATE", "ADJ_TIME_START",
        "ADJ_TIME_STOP", "ADJ_RSN", "ADJ_MEDIUM", "ADJ_MSG", "ADJ_ELAP_DAYS", "LNGSESSNID", "SCHEDULE_TYPE",
        "NOTICE_CODE", "BLNCLOCKOVERRIDE", "EOIRAttorneyID"),
    "tbl_Court_Appln": ("IDNPROCEEDINGAPPLN", "IDNPROCEEDING", "IDNCASE", "APPL_CODE", "APPL_RECD_DATE", "APPL_DEC"),
    "tbl_Court_Motions": ("IDNMOTION", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "REC_TYPE", "GENERATION",
        "SUB_GENERATION", "UPDATE_DATE", "UPDATE_TIME", "INPUT_DATE", "INPUT_TIME", "REJ_Remove", "BASE_CITY_CODE",
        "HEARING_LOC_CODE", "IJ_CODE", "IJ_NAME_Remove", "DEC", "COMP_DATE", "MOTION_RECD_DATE", "DATMOTIONDUE",
        "WU_MSG_Remove", "APPEAL_RSVD", "APPEAL_NOT_FILED", "RESP_DUE_DATE", "STAY_GRANT", "JURISDICTION",
        "DATE_APPEAL_DUE", "DATE_TO_BIA", "DECISION_RENDERED_Remove", "DATE_MAILED_TO_IJ", "DATE_RECD_FROM_BIA",
        "DATE_TO_BIA_UPDATE_Remove", "STRFILINGPARTY", "STRFILINGMETHOD", "STRCERTOFSERVICECODE",
        "E_28_RECPTFLAG_Remove", "E_28_DATE", "O_CLOCK_OPTION", "SCHEDULED_HEAR_LOC_Remove", "BLNDELETED_Remove",
        "strDJScenario"),
    "tbl_CustodyHistory": ("IDNCUSTODY", "IDNCASE", "CUSTODY", "DATDETAINED", "DATRELEASED"),
    "tbl_RepsAssigned": ("IDNREPSASSIGNED", "IDNCASE", "STRATTYLEVEL", "STRATTYTYPE", "PARENT_TABLE", "PARENT_IDN",
        "BASE_CITY_CODE", "INS_TA_DATE_ASSIGNED", "E_27_DATE", "E_28_DATE", "BLNPRIMEATTY"),
    "tbl_EOIR_Attorney": ("EOIRAttorneyID", "OldAttorneyID", "BaseCityCode", "blnAttorneyActive", "Source_Flag",
        "datCreatedOn", "datModifiedOn"),
    "B_TblProceedCharges": ("IDNPRCDCHG", "IDNCASE", "IDNPROCEEDING", "CHARGE", "CHG_STATUS"),
    "D_TblAssociatedBond": ("IDNASSOCBOND", "IDNPROCEEDING", "IDNCASE", "OSC_DATE", "REC_TYPE", "GENERATION",
        "SUB_GENERATION", "UPDATE_DATE", "UPDATE_TIME", "INPUT_DATE", "INPUT_TIME", "BASE_CITY_CODE",
        "BASE_CITY_NAME", "HEARING_LOC_CODE", "IJ_CODE", "DEC", "COMP_DATE", "INITIAL_BOND", "REL_CON", "INS_TA",
        "BOND_HEARING_TELEPHONIC", "BOND_HEAR_REQ_DATE", "NEW_BOND", "APPEAL_REVD", "APPEAL_NOT_FILED",
        "DATE_APPEAL_DUE", "E_28_DATE", "BOND_TYPE", "FILING_METHOD", "FILING_PARTY", "DECISION_DUE_DATE"),
    "A_TblCaseIdentifier": ("IDNCASEID", "IDNCASE", "CASE_ID"),
    "tbl_CasePriorityHistory": ("idnCasePriHistory", "casePriority_code", "idnCase", "DATCREATEDON", "DATMODIFIEDON"),
    "tbl_JuvenileHistory": ("idnJuvenileHistory", "idnCase", "idnProceeding", "idnJuvenile", "DATCREATEDON",
        "DATMODIFIEDON"),
    "tbl_Lead_Rider": ("idnLeadRider", "idnLeadCase", "idnRiderCase", "datCreatedOn", "datModifiedOn",
        "datSeveredOn", "idnLeadProceedingStart", "idnLeadProceedingEnd", "idnRiderProceedingStart",
        "idnRiderProceedingEnd", "blnActive"),
    "tblAppeal": ("idnAppeal", "idncase", "idnProceeding", "strAppealCategory", "strAppealType", "datAppealFiled",
        "strFiledBy", "datAttorneyE27", "datBIADecision", "strBIADecision", "strBIADecisionType", "strCaseType",
        "strLang", "strNat", "strProceedingIHP", "strCustody", "strProbono"),
    "tblAppeal2": ("idnAppeal", "idncase", "idnProceeding"),
    "tblAppealFedCourts": ("idnAppealFedCourts", "lngAppealID", "datRequestedByOIL", "strFedCourtDecision"),
    "tblThreeMbrReferrals": ("idn3MemberReferral", "lngAppealID", "datReferredTo3Member", "datRemovedFromReferral"),
    "tblProBono": ("Case_type", "DEC_212C", "DEC_245", "NBR_OF_CHGS", "Other_dec1", "Other_dec2", "P_EOIR42A_DEC",
        "P_EOIR42B_DEC", "VD_DEC", "WD_DEC", "strCorFacility", "datTranscriptServedAlien", "strProceedingIHP",
        "strFiledby", "strNat", "strLang", "blnOARequestedbyAlien", "blnOARequestedbyINS", "blnOARequestedbyAmicus",
        "Charge_1", "Charge_2", "Charge_3", "Charge_4", "Charge_5", "Charge_6", "recd_212C", "recd_245", "VD_recd",
        "WD_recd", "P_EOIR42A_Recd", "P_EOIR42B_Recd", "Dec_Code", "other_comp", "CRIM_IND", "strA1", "strA2",
        "strA3", "strAlienRegion", "strAlienGender", "strINSStatus", "strPossibility", "datROPreview",
        "blnSelectedbyCoordinator", "blnSelectedbyScreener", "OptionA", "DCO_Location", "CaseID", "Date_Of_Entry",
        "Inmate_Housing", "datmailedtoNGO", "idnAppeal", "datBriefCurrentlyDueAlien", "idnRepl", "blnIntrpr",
        "strIntrprLang", "ScreenerIdn", "strDCAddress1", "strDCAddress2", "strDCCity", "strDCState", "strDCZip",
        "blnProcessed", "datCreatedOn", "datModifiedOn", "strCustody"),
}

# Lookup headers as listed in the shared SCHEMA.md section 4.
LOOKUP_HEADERS: dict[str, tuple[str, ...]] = {
    "tblLookupCourtDecision": ("idnCourtDecision", "strCaseType", "strDecCode", "strDecDescription", "strDecType",
                               "strFinalDisposition", "blnActive", "datCreatedOn", "datModifiedOn"),
    "tblLookupJudge": ("idnJudge", "JUDGE_CODE", "JUDGE_NAME", "JUDGE_ST_ADDRESS", "JUDGE_CITY", "JUDGE_STATE",
                       "JUDGE_ZIP_1", "JUDGE_ZIP_2", "JUDGE_PHONE_NO", "datCreatedOn", "datModifiedOn", "blnActive",
                       "blnSkippedOnWheel", "blnLastOnWheel", "blnSkippedOnWheelMA", "blnLastOnWheelMA", "intOrderMA",
                       "intOrderMM"),
    "tblAdjournmentcodes": ("idnAdjCode", "strcode", "strDesciption", "Regd_By", "datCreatedOn", "datModifiedOn",
                            "blnActive", "asy_clk_stat"),
    "tblLookupCaseType": ("idnCaseType", "strCode", "strDescription", "blnActive", "datCreatedOn", "datModifiedOn",
                          "strAnsirCode"),
    "tblLookupSex": ("idnSex", "strcode", "strDescription", "datCreatedOn", "datModifiedOn", "blnActive"),
}

TOP = "EOIR Case Data 2026-0401"
DT = "2019-01-02 00:00:00.000"


def fields(table: str, **values: str) -> list[str]:
    """A data row of ``table`` in header order; unnamed columns are empty. Keys are case-insensitive."""
    header = CORE_HEADERS.get(table) or LOOKUP_HEADERS[table]
    low = {k.lower(): v for k, v in values.items()}
    unknown = set(low) - {h.lower() for h in header}
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    return [low.get(h.lower(), "") for h in header]


def encode_lines(header: tuple[str, ...] | list[str] | None, rows: list, newline: bytes = b"\r\n") -> bytes:
    """Header + rows as raw bytes. A row is a list of field strings (TAB-joined, cp1252) or raw ``bytes``."""
    out = []
    if header is not None:
        out.append("\t".join(header).encode("cp1252"))
    for r in rows:
        out.append(r if isinstance(r, bytes) else "\t".join(r).encode("cp1252"))
    return b"".join(line + newline for line in out)


def filler(table: str, i: int) -> list[str]:
    """A plain well-formed row number ``i`` of any core table (ids from ``i``; dates, times and bits filled)."""
    header = CORE_HEADERS[table]
    row = []
    for h in header:
        low = h.lower()
        if low.startswith("idn") or low in ("lngappealid", "parent_idn", "idnrepl", "oldattorneyid"):
            row.append(str(i))
        elif low == "eoirattorneyid":
            row.append(f"{i:08X}-0000-4000-8000-000000000000")
        elif low.startswith("dat") or low.endswith("_date") or low in ("osc_date", "comp_date"):
            row.append(DT)
        elif low.startswith("bln"):
            row.append("1")
        elif low.endswith("_time") or low.startswith("adj_time"):
            row.append("0900")
        else:
            row.append("")
    return row


class Release:
    """Files of a release, kept in memory until written as a folder or a zip."""

    def __init__(self, top: str | None = TOP):
        self.top = top
        self.files: dict[str, bytes] = {}

    def _path(self, *parts: str) -> str:
        return "/".join(([self.top] if self.top else []) + list(parts))

    def core(self, table: str, rows: list, *, header: tuple[str, ...] | list[str] | None = None,
             newline: bytes = b"\r\n", folder: str = "EOIR Case Data") -> "Release":
        hdr = CORE_HEADERS[table] if header is None else header
        self.files[self._path(folder, f"{table}.csv")] = encode_lines(hdr, rows, newline)
        return self

    def lookup(self, name: str, rows: list, *, header: tuple[str, ...] | None = None) -> "Release":
        hdr = LOOKUP_HEADERS[name] if header is None else header
        self.files[self._path("Lookup", f"{name}.csv")] = encode_lines(hdr, rows)
        return self

    def count_txt(self, counts: dict[str, int]) -> "Release":
        text = "".join(f"{k}\t{v}\r\n" for k, v in counts.items())
        self.files[self._path("EOIR Case Data", "Count.txt")] = text.encode("ascii")
        return self

    def put(self, path: str, data: bytes) -> "Release":
        self.files[path] = data
        return self

    def folder(self, root: Path) -> Path:
        root = Path(root)
        for rel, data in self.files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return root

    def zip(self, path: Path, method: int = 8, methods: dict[str, int] | None = None,
            external_attr: dict[str, int] | None = None, declared: dict[str, tuple[int, int]] | None = None) -> Path:
        """Write a zip; ``methods`` maps member paths to 0 (stored), 8 (Deflate) or 9 (Deflate64).

        ``external_attr`` sets a member's attributes (e.g. a symbolic link), ``declared`` makes a
        member declare a (size, CRC-32) different from its real one (a lying header).
        """
        entries = [(name, data, (methods or {}).get(name, method), (external_attr or {}).get(name, 0o100644 << 16),
                    (declared or {}).get(name)) for name, data in self.files.items()]
        write_zip(Path(path), entries)
        return Path(path)


def _compress(data: bytes, method: int) -> bytes:
    if method == 0:
        return data
    if method == 8:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush()
    if method == 9:
        import inflate64

        d = inflate64.Deflater()
        return d.deflate(data) + d.flush()
    raise ValueError(method)


def write_zip(path: Path, entries: list[tuple]) -> None:
    """Write a zip by hand: ``entries`` are (name, data, method, external_attr, declared (size, crc) or None)."""
    out = bytearray()
    central = bytearray()
    for name, data, method, ext, declared in entries:
        comp = _compress(data, method)
        size, crc = declared or (len(data), zlib.crc32(data))
        nb = name.encode("utf-8")
        version = 21 if method == 9 else 20
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, 0x800, method, 0, 0x21, crc, len(comp), size,
                           len(nb), 0) + nb + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, version, 0x800, method, 0, 0x21, crc,
                               len(comp), size, len(nb), 0, 0, 0, 0, ext, offset) + nb
    cd_offset = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    path.write_bytes(bytes(out))


def standard_release() -> Release:
    """Every core table with two plain rows, linked (case 1 -> proceeding 1, ...), plus the lookups above."""
    r = Release()
    for t in CORE_HEADERS:
        r.core(t, [filler(t, 1), filler(t, 2)])
    r.lookup("tblLookupCaseType", [fields("tblLookupCaseType", idnCaseType="1", strCode="RMV",
                                          strDescription="Removal", blnActive="1")])
    r.lookup("tblLookupSex", [fields("tblLookupSex", idnSex="1", strcode="F", strDescription="Female",
                                     blnActive="1")])
    return r


# ---- the release with every quirk of the shared SCHEMA.md sections 2 and 7.6, used by the end-to-end tests

#: The real tab-shifted A_TblCase row (40 fields; ALIEN_CITY carried a TAB), SCHEMA.md 2.1.
REAL_SHIFTED = ("7375924|BROOKLYN||NY|11209|||EG|AR|N|M|2024-09-12 00:00:00.000|0|RMV|NYC|2014-12-02 00:00:00.000|"
                "1000|M|||||||1998-12-06 00:00:00.000|I|4/1974|||||F|||0|||||N/A").split("|")
GUID = "96d575b3-6f95-4c43-8a7a-058a4e468125"


def _motion(i: int, **kw: str) -> list[str]:
    base = dict(IDNMOTION=str(i), IDNPROCEEDING="1", IDNCASE="1", OSC_DATE=DT, REC_TYPE="CO", GENERATION="99",
                SUB_GENERATION="98", UPDATE_DATE=DT, UPDATE_TIME="0853", INPUT_DATE=DT, INPUT_TIME="1507",
                BASE_CITY_CODE="NYC", HEARING_LOC_CODE="NYD", IJ_CODE="ABC", IJ_NAME_Remove="SMITH", DEC="G",
                COMP_DATE=DT, MOTION_RECD_DATE=DT, STRFILINGPARTY="A", STRFILINGMETHOD="W", E_28_RECPTFLAG_Remove="0",
                BLNDELETED_Remove="0", strDJScenario="A")
    base.update(kw)
    return fields("tbl_Court_Motions", **base)


def quirks_release() -> Release:
    """A small release exercising every documented quirk (expected outcomes are in test_ingest.py)."""
    r = standard_release()
    A = "A_TblCase"
    case1 = fields(A, IDNCASE="1", ALIEN_CITY='SAN "YSIDRO', ALIEN_STATE="CA", ALIEN_ZIPCODE="92173", NAT="MX",
                   LANG="SP ", CUSTODY="D", E_28_DATE=DT, ATTY_NBR="01", CASE_TYPE="RMV", UPDATE_SITE="SDC",
                   LATEST_TIME="0930", RELEASE_MONTH="00", RELEASE_YEAR="0000", C_BIRTHDATE="4/1974", Sex="F",
                   LPR="1", CASEPRIORITY_CODE="N/A")
    unrepairable = fields(A, IDNCASE="4", CASE_TYPE="RMV", E_28_DATE=DT, ATTY_NBR="")
    unrepairable.insert(11, "LATE")                     # an extra field between E_28_DATE and ATTY_NBR
    r.core(A, [
        case1,                                                                  # line 2
        REAL_SHIFTED,                                                           # line 3: repaired
        "\t".join(fields(A, IDNCASE="2", ALIEN_CITY="NEW@ YORK", CASE_TYPE="RMV")).encode().replace(b"@", b"\x00"),
        "\t".join(fields(A, IDNCASE="3", ALIEN_CITY="SAN JOS@", CASE_TYPE="RMV")).encode().replace(b"@", b"\xff"),
        fields(A, IDNCASE="1", CASE_TYPE="RMV", ALIEN_CITY="DUPLICATE"),        # line 6: duplicate key
        fields(A, IDNCASE="", CASE_TYPE="RMV", ALIEN_CITY="BLANK KEY"),         # line 7: blank key
        unrepairable,                                                           # line 8: quarantined
    ])
    P = "B_TblProceeding"
    r.core(P, [
        "\t".join(fields(P, IDNPROCEEDING="1", IDNCASE="1", OSC_DATE="1900-01-01 00:00:00.000", IJ_CODE="ABC",
                         HEARING_TIME="1330", DEC_CODE="X", COMP_DATE=DT, APPEAL_RSVD="@", CASE_TYPE="RMV",
                         AGGRAVATE_FELON="Y", CUSTODY="D")).encode().replace(b"@", b"\x1b"),
        fields(P, IDNPROCEEDING="FC", IDNCASE="1", CASE_TYPE="RMV"),            # line 3: non-integer key
        fields(P, IDNPROCEEDING="3", IDNCASE="999", CASE_TYPE="DEP", DEC_CODE="X", COMP_DATE=DT),   # orphan case
        fields(P, IDNPROCEEDING="4", IDNCASE="2", CASE_TYPE="RMV", OTHER_COMP="C", COMP_DATE=DT),
        fields(P, IDNPROCEEDING="5", IDNCASE="1", CASE_TYPE="rmv", DEC_CODE="Z", COMP_DATE=DT),
    ])
    S = "tbl_schedule"
    r.core(S, [
        fields(S, IDNSCHEDULE="1", IDNPROCEEDING="1", IDNCASE="1", ADJ_MEDIUM="p", CAL_TYPE="I", ADJ_DATE=DT,
               ADJ_TIME_START="0900", ADJ_RSN="01", IJ_CODE="ABC", BLNCLOCKOVERRIDE="0", EOIRAttorneyID=GUID),
        fields(S, IDNSCHEDULE="2", IDNPROCEEDING="777", IDNCASE="1", ADJ_MEDIUM="P", BLNCLOCKOVERRIDE="0"),
        fields(S, IDNSCHEDULE="3", IDNPROCEEDING="", IDNCASE="1", ADJ_RSN="17", BLNCLOCKOVERRIDE="0"),
    ])
    M = "tbl_Court_Motions"
    split = _motion(3, IJ_NAME_Remove="SMITH@JOHN")
    first, second = "\t".join(split).split("@")
    shifted = _motion(4, IJ_NAME_Remove="DOE@JANE")
    r.core(M, [
        _motion(1) + ["2007-03-08 20:01:00.000", "A.2.a"],                       # line 2: 43 fields (normal)
        _motion(2),                                                              # line 3: 41 fields -> padded
        first.encode(), second.encode() + b"\t\t",                               # lines 4-5: embedded newline
        "\t".join(shifted).replace("@", "\t").encode() + b"\t\t",                # line 6: 44 fields -> repaired
    ])
    R = "tbl_RepsAssigned"
    r.core(R, [fields(R, IDNREPSASSIGNED=str(i), IDNCASE=c, PARENT_TABLE=t, PARENT_IDN="1", BLNPRIMEATTY="1",
                      STRATTYTYPE="ALIEN", STRATTYLEVEL="COURT")
               for i, (t, c) in enumerate([("a_tblcase", "1"), ("A_Tblcase", "1"), ("A_TblCase", "2"),
                                           ("b_tblproceeding", "1"), ("tblAppeal", "555")], start=1)])
    C = "B_TblProceedCharges"
    r.core(C, [fields(C, IDNPRCDCHG="1", IDNCASE="1", IDNPROCEEDING="1", CHARGE="(212)(a)(06)(A)(i  )(   )  ",
                      CHG_STATUS="S")])
    r.core("tbl_Court_Appln", [fields("tbl_Court_Appln", IDNPROCEEDINGAPPLN="1", IDNPROCEEDING="1", IDNCASE="1",
                                      APPL_CODE="212c", APPL_RECD_DATE=DT, APPL_DEC="G")])
    BD = "D_TblAssociatedBond"
    bond = fields(BD, IDNASSOCBOND="1", IDNPROCEEDING="1", IDNCASE="1", OSC_DATE=DT, REC_TYPE="B", GENERATION="99",
                  UPDATE_DATE=DT, UPDATE_TIME="1337", INPUT_DATE=DT, INPUT_TIME="1140", BASE_CITY_CODE="NYC",
                  BASE_CITY_NAME="IMMIGRATION@COURT", HEARING_LOC_CODE="NYD", IJ_CODE="ABC", DEC="R", COMP_DATE=DT,
                  INITIAL_BOND="5000", BOND_HEAR_REQ_DATE=DT)
    r.core(BD, ["\t".join(bond).replace("@", "\t").encode(),                   # tab inside BASE_CITY_NAME
                fields(BD, IDNASSOCBOND="2", IDNPROCEEDING="1", IDNCASE="1")])
    r.core("tblAppeal2", [])                                                     # header only: empty table
    r.put(f"{TOP}/EOIR Case Data/tblProBono.csv", b"")                           # 0 bytes: no header at all
    del r.files[f"{TOP}/EOIR Case Data/tblThreeMbrReferrals.csv"]                # missing table
    CD = "tblLookupCourtDecision"
    r.lookup(CD, [
        fields(CD, idnCourtDecision="1", strCaseType="RMV", strDecCode="X", strDecDescription="Remove (old)",
               strDecType="C", blnActive="0", datCreatedOn=DT, datModifiedOn="2003-01-01 00:00:00.000"),
        fields(CD, idnCourtDecision="2", strCaseType="RMV", strDecCode="X", strDecDescription="Remove",
               strDecType="C", blnActive="1", datCreatedOn=DT, datModifiedOn="2004-01-01 00:00:00.000"),
        "\t".join(fields(CD, idnCourtDecision="3", strCaseType="DEP", strDecCode="X", strDecDescription="Depor@ted",
                         strDecType="C", blnActive="1")).encode().replace(b"@", b"\x00"),
        fields(CD, idnCourtDecision="4", strCaseType="RMV", strDecCode="C", strDecDescription="Change of Venue",
               strDecType="O", blnActive="1", datModifiedOn="2010-01-01 00:00:00.000"),
        fields(CD, idnCourtDecision="5", strCaseType="RMV", strDecCode="C", strDecDescription="Change of Venue (older)",
               strDecType="O", blnActive="1", datModifiedOn="2005-01-01 00:00:00.000"),
    ])
    J = "tblLookupJudge"
    r.lookup(J, [fields(J, idnJudge="1", JUDGE_CODE="ABC", JUDGE_NAME="Smith, Alison (old)", blnActive="0"),
                 fields(J, idnJudge="2", JUDGE_CODE="ABC", JUDGE_NAME="Smith, Alison", blnActive="1")])
    ADJ = "tblAdjournmentcodes"
    r.lookup(ADJ, [fields(ADJ, idnAdjCode="1", strcode="01", strDesciption="Respondent to seek representation",
                          Regd_By="A", blnActive="1", asy_clk_stat="S")])
    r.lookup("tblLookupWeird", [["7", "  q ", "2001-02-03 00:00:00.000", "1", "extra"]],
             header=("idnWeird", "strCode", "datCreatedOn", "blnActive", "Other"))
    r.put(f"{TOP}/Lookup/tblLookupEmpty.csv", b"")                              # an empty lookup file
    r.count_txt({"A_TblCase": 9, "B_TblProceeding": 5, "tblLookupJudge": 2})
    return r
