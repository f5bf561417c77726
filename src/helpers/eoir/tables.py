"""The project's column specs for the 19 core tables and the lookups the analyses use.

Written from the shared SCHEMA.md section 3 (column meanings, raw formats), EOIR's own layout file
``EOIRDB_Schema.csv`` (SQL Server types: int, datetime, bit, varchar, uniqueidentifier) and the
field definitions with ``varchar(n)`` lengths (marrowb/eoir ``column-definitions.json``). Column
order is the 2026 header order (``compiled/table_headers_2026.csv``). Nothing here is read at run time.

Choices that are ours, not EOIR's:

* ``key``: every id that links rows (primary key and foreign keys). SQL ``int`` columns that are
  not links (LNGSESSNID, OldAttorneyID, idnJuvenile, ...) are ``int``.
* clock-time columns are SQL ``varchar(4)``; we read them as ``hhmm``. ``C_BIRTHDATE`` is a
  SQL datetime but the release writes ``M/YYYY``; we read it as ``monthyear``.
* ``text`` marks free text (addresses, names): the columns where embedded TABs occur.
* ``maxlen`` is the ``varchar(n)`` length; it is used only to judge tab-shift repairs. The lengths
  EOIR documents for CHARGE (13) are shorter than real padded charge strings, so CHARGE has none.
* zip-code columns get a pattern (digits, optional ``-dddd``, optional leading backtick, as in
  marrowb/eoir's validators) so that a state code shifted into a zip column is recognised.
"""

from __future__ import annotations

from .schema import Col, TableSpec

ZIP = r"`?[0-9]{4,}(?:-?[0-9]{4})?"


def K(name: str, pk: bool = False) -> Col:
    return Col(name, "key", pk=pk)


def I(name: str) -> Col:  # noqa: E743 - short constructor names keep the tables readable
    return Col(name, "int")


def D(name: str, *aliases: str) -> Col:
    return Col(name, "datetime", aliases=aliases)


def T(name: str) -> Col:
    return Col(name, "hhmm")


def B(name: str, *aliases: str) -> Col:
    return Col(name, "bit", aliases=aliases)


def C(name: str, maxlen: int | None = None, *aliases: str, nulls: tuple[str, ...] = ()) -> Col:
    return Col(name, "code", maxlen=maxlen, aliases=aliases, nulls=nulls)


def X(name: str, maxlen: int | None = None, pattern: str | None = None, *aliases: str) -> Col:
    return Col(name, "text", maxlen=maxlen, pattern=pattern, aliases=aliases)


def G(name: str, pk: bool = False) -> Col:
    return Col(name, "guid", pk=pk)


def _t(name: str, *cols: Col, trailing: tuple[str, ...] = ()) -> TableSpec:
    return TableSpec(name, tuple(cols), trailing_unnamed=trailing)


CORE: dict[str, TableSpec] = {t.out: t for t in [
    _t("A_TblCase",
       K("IDNCASE", pk=True), X("ALIEN_CITY", 15), C("ALIEN_STATE", 2), X("ALIEN_ZIPCODE", 10, ZIP),
       X("UPDATED_ZIPCODE", 10, ZIP), X("UPDATED_CITY", 15), C("NAT", 2), C("LANG", 3), C("CUSTODY", 1),
       C("SITE_TYPE", 1), D("E_28_DATE"), C("ATTY_NBR", 2), C("CASE_TYPE", 3), C("UPDATE_SITE", 3),
       D("LATEST_HEARING"), T("LATEST_TIME"), C("LATEST_CAL_TYPE", 1), D("UP_BOND_DATE"), C("UP_BOND_RSN", 2),
       C("CORRECTIONAL_FAC", 1), C("RELEASE_MONTH", 2, nulls=("00",)), C("RELEASE_YEAR", 4, nulls=("0000",)),
       C("INMATE_HOUSING", 3), D("DATE_OF_ENTRY"), C("C_ASY_TYPE", 1), Col("C_BIRTHDATE", "monthyear"),
       D("C_RELEASE_DATE"), C("UPDATED_STATE", 2), D("ADDRESS_CHANGEDON"), C("ZBOND_MRG_FLAG", 1),
       C("Sex", 1, "GENDER"), D("DATE_DETAINED"), D("DATE_RELEASED"), B("LPR"), D("DETENTION_DATE"),
       X("DETENTION_LOCATION", 34), X("DCO_LOCATION", 24), X("DETENTION_FACILITY_TYPE", 10),
       C("CASEPRIORITY_CODE", 20)),
    _t("A_TblCaseIdentifier", K("IDNCASEID", pk=True), K("IDNCASE"), C("CASE_ID", 2)),
    _t("B_TblProceeding",
       K("IDNPROCEEDING", pk=True), K("IDNCASE"), D("OSC_DATE"), D("INPUT_DATE"), C("BASE_CITY_CODE", 3),
       C("HEARING_LOC_CODE", 3), C("IJ_CODE", 3), D("TRANS_IN_DATE"), C("PREV_HEARING_LOC", 3),
       C("PREV_HEARING_BASE", 3), C("PREV_IJ_CODE", 3), C("TRANS_NBR", 2), D("HEARING_DATE"), T("HEARING_TIME"),
       C("DEC_TYPE", 1), C("DEC_CODE", 1), C("DEPORTED_1", 2), C("DEPORTED_2", 2), C("OTHER_COMP", 1),
       C("APPEAL_RSVD", 1), C("APPEAL_NOT_FILED", 1), D("COMP_DATE"), C("ABSENTIA", 1), D("VENUE_CHG_GRANTED"),
       C("TRANSFER_TO", 3), D("DATE_APPEAL_DUE_STATUS"), C("TRANSFER_STATUS", 1), C("CUSTODY", 1),
       C("CASE_TYPE", 3), C("NAT", 2), C("LANG", 3), C("SCHEDULED_HEAR_LOC", 3), C("CORRECTIONAL_FAC", 1),
       C("CRIM_IND", 1), C("IHP", 1), B("AGGRAVATE_FELON"), D("DATE_DETAINED"), D("DATE_RELEASED")),
    _t("B_TblProceedCharges",
       K("IDNPRCDCHG", pk=True), K("IDNCASE"), K("IDNPROCEEDING"), C("CHARGE"), C("CHG_STATUS", 1)),
    _t("D_TblAssociatedBond",
       K("IDNASSOCBOND", pk=True), K("IDNPROCEEDING"), K("IDNCASE"), D("OSC_DATE"), C("REC_TYPE", 1),
       C("GENERATION", 2), C("SUB_GENERATION", 2), D("UPDATE_DATE"), T("UPDATE_TIME"), D("INPUT_DATE"),
       T("INPUT_TIME"), C("BASE_CITY_CODE", 3), X("BASE_CITY_NAME", 20), C("HEARING_LOC_CODE", 3),
       C("IJ_CODE", 3), C("DEC", 1), D("COMP_DATE"), C("INITIAL_BOND", 10), C("REL_CON", 1), C("INS_TA", 3),
       C("BOND_HEARING_TELEPHONIC", 1), D("BOND_HEAR_REQ_DATE"), C("NEW_BOND"), C("APPEAL_REVD", 1),
       C("APPEAL_NOT_FILED", 1), D("DATE_APPEAL_DUE"), D("E_28_DATE"), C("BOND_TYPE"), C("FILING_METHOD"),
       C("FILING_PARTY"), D("DECISION_DUE_DATE")),
    _t("tbl_schedule",
       K("IDNSCHEDULE", pk=True), K("IDNPROCEEDING"), K("IDNCASE"), D("OSC_DATE"), C("GENERATION", 2),
       C("SUB_GENERATION", 2), C("REC_TYPE", 1), C("LANG", 3), C("HEARING_LOC_CODE", 3), C("BASE_CITY_CODE", 3),
       C("IJ_CODE", 3), C("INTERPRETER_CODE", 3), D("INPUT_DATE"), T("INPUT_TIME"), D("UPDATE_DATE"),
       T("UPDATE_TIME"), C("ASSIGNMENT_PATH", 1), C("CAL_TYPE", 1), D("ADJ_DATE"), T("ADJ_TIME_START"),
       T("ADJ_TIME_STOP"), C("ADJ_RSN", 2), C("ADJ_MEDIUM", 1), C("ADJ_MSG", 2), C("ADJ_ELAP_DAYS", 4),
       I("LNGSESSNID"), C("SCHEDULE_TYPE", 2), C("NOTICE_CODE", 2), B("BLNCLOCKOVERRIDE"), G("EOIRAttorneyID")),
    _t("tbl_Court_Appln",
       K("IDNPROCEEDINGAPPLN", pk=True), K("IDNPROCEEDING"), K("IDNCASE"), C("APPL_CODE", 4),
       D("APPL_RECD_DATE"), C("APPL_DEC", 10)),
    _t("tbl_Court_Motions",
       K("IDNMOTION", pk=True), K("IDNPROCEEDING"), K("IDNCASE"), D("OSC_DATE"), C("REC_TYPE", 2),
       C("GENERATION", 2), C("SUB_GENERATION", 2), D("UPDATE_DATE"), T("UPDATE_TIME"), D("INPUT_DATE"),
       T("INPUT_TIME"), C("REJ_Remove", 1, "REJ"), C("BASE_CITY_CODE", 3), C("HEARING_LOC_CODE", 3),
       C("IJ_CODE", 3), X("IJ_NAME_Remove", 20, None, "IJ_NAME"), C("DEC", 1), D("COMP_DATE"),
       D("MOTION_RECD_DATE"), D("DATMOTIONDUE"), C("WU_MSG_Remove", 2, "WU_MSG"), C("APPEAL_RSVD", 1),
       C("APPEAL_NOT_FILED", 1), D("RESP_DUE_DATE"), C("STAY_GRANT", 1), C("JURISDICTION", 3),
       D("DATE_APPEAL_DUE"), D("DATE_TO_BIA"), D("DECISION_RENDERED_Remove", "DECISION_RENDERED"),
       D("DATE_MAILED_TO_IJ"), D("DATE_RECD_FROM_BIA"), C("DATE_TO_BIA_UPDATE_Remove", None, "DATE_TO_BIA_UPDATE"),
       C("STRFILINGPARTY", 1), C("STRFILINGMETHOD", 1), C("STRCERTOFSERVICECODE", 1),
       B("E_28_RECPTFLAG_Remove", "E_28_RECPTFLAG"), D("E_28_DATE"), C("O_CLOCK_OPTION", 1),
       C("SCHEDULED_HEAR_LOC_Remove", 3, "SCHEDULED_HEAR_LOC"), B("BLNDELETED_Remove", "BLNDELETED"),
       C("strDJScenario", 20),
       # the two unnamed trailing fields: column41 looks like a datetime, column42 like 'A.2.a' (SCHEMA.md 2.2)
       X("column41"), X("column42"),
       trailing=("column41", "column42")),
    _t("tbl_CustodyHistory",
       K("IDNCUSTODY", pk=True), K("IDNCASE"), C("CUSTODY", 1), D("DATDETAINED"), D("DATRELEASED")),
    _t("tbl_RepsAssigned",
       K("IDNREPSASSIGNED", pk=True), K("IDNCASE"), C("STRATTYLEVEL", 10), C("STRATTYTYPE", 10),
       C("PARENT_TABLE", 100), K("PARENT_IDN"), C("BASE_CITY_CODE", 3), D("INS_TA_DATE_ASSIGNED"),
       D("E_27_DATE"), D("E_28_DATE"), B("BLNPRIMEATTY")),
    _t("tbl_EOIR_Attorney",
       G("EOIRAttorneyID", pk=True), I("OldAttorneyID"), C("BaseCityCode", 3), B("blnAttorneyActive"),
       C("Source_Flag", 10), D("datCreatedOn"), D("datModifiedOn")),
    _t("tbl_JuvenileHistory",
       K("idnJuvenileHistory", pk=True), K("idnCase"), K("idnProceeding"), I("idnJuvenile"),
       D("DATCREATEDON"), D("DATMODIFIEDON")),
    _t("tbl_Lead_Rider",
       K("idnLeadRider", pk=True), K("idnLeadCase"), K("idnRiderCase"), D("datCreatedOn"), D("datModifiedOn"),
       D("datSeveredOn"), K("idnLeadProceedingStart"), K("idnLeadProceedingEnd"), K("idnRiderProceedingStart"),
       K("idnRiderProceedingEnd"), B("blnActive")),
    _t("tbl_CasePriorityHistory",
       K("idnCasePriHistory", pk=True), C("casePriority_code", 20), K("idnCase"), D("DATCREATEDON"),
       D("DATMODIFIEDON")),
    _t("tblAppeal",
       K("idnAppeal", pk=True), K("idncase"), K("idnProceeding"), C("strAppealCategory", 2),
       C("strAppealType", 25), D("datAppealFiled"), C("strFiledBy", 1), D("datAttorneyE27"), D("datBIADecision"),
       C("strBIADecision", 3), C("strBIADecisionType", 1), C("strCaseType", 3), C("strLang", 3), C("strNat", 45),
       C("strProceedingIHP", 1), C("strCustody", 1), C("strProbono", 1)),
    _t("tblAppeal2", K("idnAppeal", pk=True), K("idncase"), K("idnProceeding")),
    _t("tblAppealFedCourts",
       K("idnAppealFedCourts", pk=True), K("lngAppealID"), D("datRequestedByOIL"), C("strFedCourtDecision")),
    _t("tblThreeMbrReferrals",
       K("idn3MemberReferral", pk=True), K("lngAppealID"), D("datReferredTo3Member"), D("datRemovedFromReferral")),
    _t("tblProBono",
       C("Case_type", 3), C("DEC_212C", 1), C("DEC_245", 1), C("NBR_OF_CHGS", 2), C("Other_dec1", 4),
       C("Other_dec2", 4), C("P_EOIR42A_DEC", 1), C("P_EOIR42B_DEC", 1), C("VD_DEC", 1), C("WD_DEC", 1),
       C("strCorFacility", 1), D("datTranscriptServedAlien"), C("strProceedingIHP", 1), C("strFiledby", 1),
       C("strNat", 45), C("strLang", 3), B("blnOARequestedbyAlien"), B("blnOARequestedbyINS"),
       B("blnOARequestedbyAmicus"), C("Charge_1"), C("Charge_2"), C("Charge_3"), C("Charge_4"), C("Charge_5"),
       C("Charge_6"), C("recd_212C", 1), C("recd_245", 1), C("VD_recd", 1), C("WD_recd", 1),
       C("P_EOIR42A_Recd", 1), C("P_EOIR42B_Recd", 1), C("Dec_Code", 1), C("other_comp", 1), C("CRIM_IND", 1),
       X("strA1"), X("strA2"), X("strA3"), X("strAlienRegion", 20), C("strAlienGender", 1, "strAlienSex"),
       X("strINSStatus", 30), X("strPossibility", 18), D("datROPreview"), B("blnSelectedbyCoordinator"),
       B("blnSelectedbyScreener"), I("OptionA"), X("DCO_Location", 24), C("CaseID", 2), D("Date_Of_Entry"),
       C("Inmate_Housing", 3), D("datmailedtoNGO"), K("idnAppeal"), D("datBriefCurrentlyDueAlien"),
       K("idnRepl", pk=True), B("blnIntrpr"), C("strIntrprLang", 3), I("ScreenerIdn"), X("strDCAddress1", 30),
       X("strDCAddress2", 30), X("strDCCity", 30), C("strDCState", 2), X("strDCZip", 10), B("blnProcessed"),
       D("datCreatedOn"), D("datModifiedOn"), C("strCustody", 1)),
]}


def _lk(name: str, *cols: Col) -> TableSpec:
    return TableSpec(name, tuple(cols), lookup=True)


def _std(pk: str, code: str, desc: str, code_len: int | None = None) -> tuple[Col, ...]:
    """The common lookup layout: id, code, description, audit dates, active flag."""
    return (K(pk, pk=True), C(code, code_len), X(desc), D("datCreatedOn"), D("datModifiedOn"), B("blnActive"))


#: Lookups the analyses decode with. Columns not listed follow :func:`schema.generic_col`.
LOOKUPS: dict[str, TableSpec] = {t.out: t for t in [
    _lk("tblLookupJudge", K("idnJudge", pk=True), C("JUDGE_CODE", 3), X("JUDGE_NAME"), X("JUDGE_ST_ADDRESS"),
        X("JUDGE_CITY"), C("JUDGE_STATE", 2), C("JUDGE_ZIP_1"), C("JUDGE_ZIP_2"), C("JUDGE_PHONE_NO"),
        D("datCreatedOn"), D("datModifiedOn"), B("blnActive"), B("blnSkippedOnWheel"), B("blnLastOnWheel"),
        B("blnSkippedOnWheelMA"), B("blnLastOnWheelMA"), I("intOrderMA"), I("intOrderMM")),
    _lk("tblLookupBaseCity", K("idnBaseCity", pk=True), C("BASE_CITY_CODE", 3), X("BASE_CITY_NAME"),
        C("BaseAutomated"), X("BASE_ST_ADDRESS"), X("BASE_CITY"), C("BASE_STATE", 2), C("BASE_ZIP_1"),
        C("BASE_ZIP_2"), C("BASE_PHONE_NO"), X("strRegion"), D("datCreatedOn"), D("datModifiedOn"),
        B("blnActive"), B("blnBCIS")),
    _lk("tblLookupHloc", K("idnHloc", pk=True), C("HEARING_LOC_CODE", 3), X("HEARING_LOC_NAME"),
        X("HEARING_CORR_TITLE"), X("HEARING_ST_ADDRESS"), X("HEARING_CITY"), C("HEARING_STATE", 2),
        C("HEARING_ZIP"), C("HEARING_PHONE_NO"), C("HEARING_BASE_CITY", 3), C("Hear_Admin_Hear_Loc", 3),
        C("Hear_Trans_COV_City", 3), C("Hear_Det_Type"), C("Hear_Active_Flg"), D("datCreatedOn"),
        D("datModifiedOn"), B("blnActive"), C("ROPLoc"), I("intCalDetainDays"), I("intCalINSAsyPDays"),
        I("intCalINSAsyMDays"), I("intCalINSDays"), I("intCalEOIRDays"), I("intCalCFRDays"), I("intCalCDRDays"),
        C("CircuitCourt"), B("blnPrnWksOnAdd"), B("blnPrnRopOnAdd")),
    _lk("tblLookupCourtDecision", K("idnCourtDecision", pk=True), C("strCaseType", 3), C("strDecCode", 1),
        X("strDecDescription"), C("strDecType", 1), C("strFinalDisposition"), B("blnActive"), D("datCreatedOn"),
        D("datModifiedOn")),
    _lk("tblAdjournmentcodes", K("idnAdjCode", pk=True), C("strcode", 2), X("strDesciption"), C("Regd_By", 1),
        D("datCreatedOn"), D("datModifiedOn"), B("blnActive"), C("asy_clk_stat", 1)),
    _lk("tblLookUp_Appln", K("idnAppln", pk=True), C("strcode", 4), X("strdescription"), X("strAllowedCaseTypes"),
        X("strAllowedDecisionCodes"), *(C(f"APL_casetype_{i}", 1) for i in range(1, 8)), D("datCreatedOn"),
        D("datModifiedOn"), B("blnActive")),
    _lk("tblLookupCourtAppDecisions", K("idnCourtApplnDec", pk=True), C("strCourtApplnDecCode", 10),
        X("strCourtApplnDecDesc"), B("blnActive"), D("datCreatedOn"), D("datModifiedOn"), X("Comments")),
    _lk("tblLookupCaseType", K("idnCaseType", pk=True), C("strCode", 3), X("strDescription"), B("blnActive"),
        D("datCreatedOn"), D("datModifiedOn"), C("strAnsirCode", 1)),
    _lk("tbllookupCal_Type", *_std("idnCalType", "strCalTypeCode", "strCalTypeDescription", 1)),
    _lk("tbllookupSchedule_Type", K("idnSchType", pk=True), C("strCode", 2), X("strDescription"),
        D("datCreatedOn"), D("datModifiedOn"), C("strSchedType", 1), B("blnActive"), B("blnSubsequent")),
    _lk("tblLookupMotionType", K("idnMotionType", pk=True), C("strMotionCode", 2), C("strMotionType", 1),
        X("strMotionDesc"), X("strMotionSummary"), X("strFilingPartyCodes"), C("strLegacyCode", 1),
        D("datCreatedOn"), D("datModifiedOn"), B("blnActive"), I("intMandatoryIJDecisionByDays"),
        I("IntMandatoryResponseDueByDaysDefault")),
    _lk("tblLookupFiling_Method_Party", *_std("idnFilingParty", "strFilingPartyCode", "strFilingPartyDesc", 1)),
    _lk("tblLookupNationality", K("ID", pk=True), C("NAT_CODE", 2), X("NAT_NAME"), X("NAT_COUNTRY_NAME"),
        C("NAT_NACARA_COUNTRY", 1), D("datCreatedOn"), D("datModifiedOn"), B("blnActive")),
    _lk("tblLanguage", *_std("idnLang", "strCode", "strDescription", 3)),
    _lk("tblLookupCustodyStatus", K("idnCustodyStatus", pk=True), C("strCode", 1), C("strSelecBoxVal"),
        X("strDescription"), B("blnActive"), D("datCreatedOn"), D("datModifiedOn")),
]}


def lookup_spec(name: str) -> TableSpec:
    """The spec of a lookup file: an explicit one above, or an empty one (all columns by the name rule)."""
    return LOOKUPS.get(name.lower(), TableSpec(name, (), lookup=True))
