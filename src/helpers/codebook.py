"""The codebook of the derived datasets: every column's definition, unit, denominator, sources and limits.

``data/CODEBOOK.md`` is generated from this module (``python -m helpers.codebook``); a test fails when a built
dataset has a column the codebook does not define, or the codebook defines one the build does not produce.
Each entry is ``column: (definition, unit, source columns and codes, known limits)``; for rates the definition
names the numerator and the denominator.
"""

from __future__ import annotations

from pathlib import Path

Entry = tuple[str, str, str, str]

DATA_SOURCE: Entry = ("Where the row came from: `synthetic:<scale>:<seed>` (generated; illustrates methods only) or "
                      "`eoir:<release date>`.", "text", "ingest_report.json / truth.json", "")
FY: Entry = ("Fiscal year of the row's date (FY y = 1 Oct y-1 to 30 Sep y).", "year", "derived from the date", "")
FM: Entry = ("Month of the fiscal year: 1 = October ... 12 = September.", "1-12", "derived from the date", "")
MONTH: Entry = ("First day of the calendar month of the row's date.", "date", "derived from the date", "")
JUDGE: Entry = ("Judge code after merging temporary/duplicate codes (see `judge_code_map`); null for pseudo-judges "
                "such as `<All Judges>`.", "code", "IJ_CODE + tblLookupJudge", "Merges only what the lookup or the "
                "published merge list identifies; a judge who changed code otherwise counts as two judges.")
JUDGE_RAW: Entry = ("IJ_CODE exactly as in the release (before merging).", "code", "IJ_CODE", "")
COURT: Entry = ("Immigration court (base city code).", "code", "BASE_CITY_CODE -> tblLookupBaseCity", "")
HLOC: Entry = ("Hearing location (a court, detention site or other location).", "code",
               "HEARING_LOC_CODE -> tblLookupHloc", "")
CASE_TYPE: Entry = ("Case type of the proceeding (RMV removal, DEP deportation, EXC exclusion, AOC asylum only, ...).",
                    "code", "B_TblProceeding.CASE_TYPE -> tblLookupCaseType", "A few junk values exist in real data.")
DETAINED: Entry = ("Respondent detained as of the proceeding's completion (CUSTODY = D).", "bool",
                   "B_TblProceeding.CUSTODY", "Custody is recorded as of completion, not at each hearing; released "
                   "(R) and never detained (N) are both false.")
REPRESENTED: Entry = ("Respondent had a court-level representative (tbl_RepsAssigned STRATTYTYPE ALIEN, STRATTYLEVEL "
                      "COURT) whose EOIR-28 date is on or before the proceeding's completion (or the data cut).",
                      "bool", "tbl_RepsAssigned.E_28_DATE", "Appearances filed after completion, and withdrawn "
                      "representatives, are not distinguished.")
NAT: Entry = ("Nationality code.", "code", "NAT -> tblLookupNationality", "")
LANG: Entry = ("Language of proceedings.", "code", "LANG -> tblLanguage", "Trailing spaces are trimmed at ingest.")
ASY_FILING: Entry = ("`affirmative` (C_ASY_TYPE I: referred by USCIS) or `defensive` (E: filed in court); null otherwise.",
                     "text", "A_TblCase.C_ASY_TYPE", "Case-level, so the same for every proceeding of a case; `J` "
                     "(unknown meaning) is left null.")
IDN: dict[str, Entry] = {
    "idnproceeding": ("Proceeding id.", "integer", "IDNPROCEEDING", ""),
    "idncase": ("Case id (one charging document).", "integer", "IDNCASE", "A person can have several cases that cannot be linked."),
}

CODEBOOK: dict[str, dict[str, Entry]] = {}

CODEBOOK["proceedings"] = {
    **IDN,
    "ij_code": JUDGE, "ij_code_raw": JUDGE_RAW, "court": COURT, "hearing_loc_code": HLOC, "case_type": CASE_TYPE,
    "custody": ("Custody status as of completion: D detained, R released, N never detained.", "code",
                "B_TblProceeding.CUSTODY", ""),
    "detained": DETAINED, "nat": NAT, "lang": LANG,
    "osc_date": ("Date of the charging document (NTA/OSC).", "date", "OSC_DATE", "A few implausible dates are nulled at ingest."),
    "input_date": ("Date the proceeding record was created (a proxy for receipt).", "date", "INPUT_DATE", ""),
    "comp_date": ("Completion date of the proceeding.", "date", "COMP_DATE", ""),
    "completed": ("The proceeding is completed: COMP_DATE set and a merits decision (DEC_CODE) or an administrative "
                  "completion (OTHER_COMP) recorded.", "bool", "COMP_DATE, DEC_CODE, OTHER_COMP",
                  "Rows with a date but no code (or a code but no date) are not completed; counted in build_report.json."),
    "dec_code": ("Merits decision code (meaning depends on CASE_TYPE).", "code", "DEC_CODE", ""),
    "other_comp": ("Administrative completion code (change of venue, transfer, administrative closure, ...).", "code",
                   "OTHER_COMP", ""),
    "absentia": ("Decided in absentia (ABSENTIA = Y).", "bool", "ABSENTIA", "Blank is treated as no."),
    "decision_label": ("The release's own label for the decision, decoded at run time through tblLookupCourtDecision "
                       "by (CASE_TYPE, code, decision type C/O); the active row wins over inactive duplicates.",
                       "text", "tblLookupCourtDecision", "Falls back to the label of the same code in another case "
                       "type when the release's lookup lacks the exact pair."),
    "outcome_class": ("Fine research class of the decision from the project's code table (removal, "
                      "voluntary_departure, relief_granted, protection, termination, admin_closure, change_of_venue, "
                      "transfer, ...); `unclassified` when the code is not in the table.", "text",
                      "helpers/codes/court_decisions.csv", "Some letters (e.g. CAT outcomes L/Z/H) are low-confidence."),
    "decision_class": ("Decision class: removal, in_absentia_removal (removal with ABSENTIA = Y), voluntary_departure, "
                       "relief_granted (incl. withholding/CAT protection), termination_dismissal, "
                       "administrative_closure, change_of_venue_transfer, other.", "text",
                       "outcome_class + ABSENTIA", ""),
    "represented_e28": ("The case has an EOIR-28 (attorney appearance) date on A_TblCase: the common proxy for "
                        "representation.", "bool", "A_TblCase.E_28_DATE", "The field is overwritten with the latest "
                        "appearance, so it can post-date the proceeding."),
    "represented": REPRESENTED,
    "asylum_filing": ASY_FILING,
    "has_asylum_app": ("The proceeding has an asylum application (APPL_CODE ASYL).", "bool", "tbl_Court_Appln", ""),
    "days_to_completion": ("Days from the charging document to completion.", "days", "OSC_DATE, COMP_DATE",
                           "Null for pending proceedings; a proceeding after a transfer starts a new clock at the new "
                           "court but keeps the case's OSC_DATE."),
    "fiscal_year": FY, "fiscal_month": FM, "month": MONTH,
    "completion_type": ("`initial`: the first completion of the case that is neither an administrative closure nor a "
                        "change of venue/transfer (EOIR's initial case completion); `subsequent`: later ones (after "
                        "reopening, recalendaring or remand); `administrative`: administrative closures, changes of "
                        "venue and transfers.", "text", "decision_class, COMP_DATE within IDNCASE", ""),
    "dispositive": ("Completed and not a change of venue or transfer (the 'dispositive' count).", "bool",
                    "decision_class", "EOIR's own completion counts include changes of venue and transfers."),
    "data_source": DATA_SOURCE,
}
CODEBOOK["completions"] = dict(CODEBOOK["proceedings"])

CODEBOOK["asylum_decisions"] = {
    "idnproceedingappln": ("Application id.", "integer", "IDNPROCEEDINGAPPLN", ""),
    **IDN,
    "appl_dec": ("Application decision code.", "code", "APPL_DEC -> tblLookupCourtAppDecisions", ""),
    "decision": ("grant (F, G, C, I, P), deny (D) or other (abandoned, withdrawn, other, not adjudicated, ...).", "text",
                 "helpers/codes/application_decisions.csv", ""),
    "granted": ("Asylum granted.", "bool", "decision", ""),
    "denied": ("Asylum denied.", "bool", "decision", ""),
    "trac_decided": ("In TRAC's denominator: granted or denied. TRAC's grant rate = granted ÷ trac_decided.", "bool",
                     "decision", "TRAC reports only judges with at least 100 decisions."),
    "eoir_decided": ("In EOIR's broader denominator: every decision except administrative closure (S), change of "
                     "venue/transfer (T) and reserved (R). EOIR's rate = granted ÷ eoir_decided.", "bool", "APPL_DEC",
                     "EOIR's exact published denominator could not be verified (SCHEMA.md §6.1)."),
    "has_asyw": ("The proceeding also has a withholding-of-removal application (ASYW).", "bool", "tbl_Court_Appln", ""),
    "has_wcat": ("The proceeding also has a CAT application (WCAT).", "bool", "tbl_Court_Appln", ""),
    "other_protection_granted": ("Withholding (ASYW) or CAT (WCAT) was granted in the same proceeding (TRAC's "
                                 "'granted other relief' since 2022).", "bool", "tbl_Court_Appln", ""),
    "ij_code": JUDGE, "court": COURT, "hearing_loc_code": HLOC, "case_type": CASE_TYPE, "nat": NAT, "lang": LANG,
    "detained": DETAINED, "represented": REPRESENTED, "asylum_filing": ASY_FILING,
    "affirmative": ("Affirmative filing (asylum_filing = affirmative).", "bool", "A_TblCase.C_ASY_TYPE", ""),
    "decision_date": ("The proceeding's completion date (tbl_Court_Appln has no decision date).", "date", "COMP_DATE",
                      "Null when the proceeding is not completed."),
    "fiscal_year": FY, "fiscal_month": FM, "month": MONTH,
    "completion_type": CODEBOOK["proceedings"]["completion_type"],
    "data_source": DATA_SOURCE,
}

CODEBOOK["hearings"] = {
    "idnschedule": ("Scheduled-hearing id.", "integer", "IDNSCHEDULE", ""),
    **IDN,
    "adj_date": ("Scheduled date of the hearing.", "date", "ADJ_DATE", ""),
    "fiscal_year": FY, "fiscal_month": FM, "month": MONTH,
    "week": ("Monday of the hearing's week.", "date", "ADJ_DATE", ""),
    "cal_type": ("Calendar: M master, I individual (merits), others rare.", "code", "CAL_TYPE", ""),
    "individual": ("An individual (merits) hearing (CAL_TYPE = I).", "bool", "CAL_TYPE", ""),
    "rec_type": ("Schedule record type: X proceeding hearing, B bond, A adjournment, O motion.", "code", "REC_TYPE", ""),
    "adj_medium": ("How the hearing was held (P in person, V video, T telephone, ...).", "code", "ADJ_MEDIUM",
                   "Overwritten since 2021; lower-case variants occur."),
    "ij_code": ("Judge who held (or was to hold) this hearing, merged codes.", "code", "tbl_schedule.IJ_CODE", ""),
    "ij_code_raw": JUDGE_RAW, "court": COURT, "hearing_loc_code": HLOC,
    "adj_rsn": ("Adjournment reason: why the next hearing was set (or why this one did not go ahead).", "code",
                "ADJ_RSN -> tblAdjournmentcodes", ""),
    "adj_reason": ("Description of the adjournment code (project code table).", "text",
                   "helpers/codes/adjournment_codes.csv", ""),
    "adjourned": ("The hearing has an adjournment reason.", "bool", "ADJ_RSN", ""),
    "party": ("Who the adjournment is attributed to: respondent, dhs, ij_court, operational, joint, third_party, "
              "procedural (not a continuance), advancement, ambiguous; `unattributed` for codes the project table does "
              "not know (never guessed); `none` when there was no adjournment.", "text",
              "helpers/codes/adjournment_codes.csv (written from SCHEMA.md §5.4)",
              "Only codes 01-11 have an observed Regd_By; the rest are inferred from descriptions."),
    "continued": ("The hearing was continued: an adjournment whose code counts as a continuance (excludes procedural "
                  "steps such as 17 master-to-merits, decision codes and advancements). Null for unattributed codes.",
                  "bool", "adjournment_codes.counts_as_continuance",
                  "Denied oral continuance requests are not recorded anywhere: the hearing simply proceeds."),
    "attorney_at_hearing": ("An attorney is recorded for the respondent at this hearing.", "bool",
                            "tbl_schedule.EOIRAttorneyID", ""),
    "detained": DETAINED, "represented": REPRESENTED, "nat": NAT, "lang": LANG, "case_type": CASE_TYPE,
    "asylum_filing": ASY_FILING,
    "has_asylum_app": CODEBOOK["proceedings"]["has_asylum_app"],
    "data_source": DATA_SOURCE,
}
CODEBOOK["hearings"]["__rows__"] = ("One row per tbl_schedule row scheduled on or before the data cut, excluding rows "
                                    "with ADJ_MEDIUM = H (hearing did not occur) and codes flagged as 'never occurred'; "
                                    "the exclusions are counted in build_report.json.", "", "", "")

CODEBOOK["continuance_motions"] = {
    "idnmotion": ("Motion id.", "integer", "IDNMOTION", ""),
    **IDN,
    "ij_code": ("Judge on the motion (merged), else the proceeding's judge.", "code", "tbl_Court_Motions.IJ_CODE", ""),
    "court": COURT,
    "motion_recd_date": ("Date the motion was received.", "date", "MOTION_RECD_DATE", ""),
    "decision_date": ("Date the motion was decided.", "date", "tbl_Court_Motions.COMP_DATE", ""),
    "fiscal_year": FY, "fiscal_month": FM, "month": MONTH,
    "dec": ("Motion decision code: G granted, D denied, others undocumented.", "code", "tbl_Court_Motions.DEC", ""),
    "granted": ("Granted (DEC = G).", "bool", "DEC", ""),
    "denied": ("Denied (DEC = D): the direct measure of continuance denials.", "bool", "DEC", ""),
    "decided": ("Granted or denied.", "bool", "DEC", ""),
    "filing_party_code": ("Filing party code.", "code", "STRFILINGPARTY -> tblLookupFiling_Method_Party", ""),
    "filing_party": ("respondent (A, R), dhs (I), joint (B), court (J, S, E), other; `unattributed` if unknown.",
                     "text", "helpers/codes/filing_parties.csv", ""),
    "filing_method": ("W written, O oral.", "code", "STRFILINGMETHOD", ""),
    "detained": DETAINED, "represented": REPRESENTED, "nat": NAT, "case_type": CASE_TYPE,
    "data_source": DATA_SOURCE,
}
CODEBOOK["continuance_motions"]["__rows__"] = ("One row per motion for continuance (REC_TYPE = CO). Many continuance "
                                               "requests are made orally and never entered as motions, so these rows "
                                               "are a partial record; denied oral requests leave no trace at all.",
                                               "", "", "")

CODEBOOK["reassignments"] = {
    **IDN,
    "court": COURT,
    "from_judge": ("Judge of the earlier schedule row (merged code).", "code", "tbl_schedule.IJ_CODE", ""),
    "to_judge": ("Judge of the next schedule row of the same proceeding.", "code", "tbl_schedule.IJ_CODE", ""),
    "from_date": ("Date of the earlier row.", "date", "ADJ_DATE", ""),
    "reassign_date": ("Date of the later row: the first sign of the change.", "date", "ADJ_DATE",
                      "The release records no reassignment date; a setting far ahead dates the change late."),
    "fiscal_year": FY, "month": MONTH,
    "after_data_cut": ("The later row is scheduled after the data cut (a change already made, for a future "
                       "setting); excluded from the judge-month counts.", "bool", "ADJ_DATE", ""),
    "completed": CODEBOOK["proceedings"]["completed"], "detained": DETAINED, "case_type": CASE_TYPE,
    "data_source": DATA_SOURCE,
}
CODEBOOK["reassignments"]["__rows__"] = ("One row per change of judge between consecutive schedule rows of a proceeding "
                                         "(ordered by ADJ_DATE, IDNSCHEDULE; held, cancelled and future settings all "
                                         "count, rows without a real judge are skipped), in the same court. Transfers "
                                         "and changes of venue start new proceedings and never count. The data cannot "
                                         "say why a case moved: a judge's departure, a new judge's docket being filled, "
                                         "docket balancing and managerial pressure all look alike.", "", "", "")

_COUNT = "count"
CODEBOOK["judge_month"] = {
    "ij_code": JUDGE,
    "month": ("Calendar month (first day). The panel has every month from the judge's first to last month with any "
              "hearing, completion or recorded event.", "date", "", ""),
    "completions": ("Completed proceedings of the judge dated in the month (EOIR-style count, incl. changes of venue "
                    "and transfers).", _COUNT, "proceedings.completed, COMP_DATE", ""),
    "completions_dispositive": ("Completions excluding changes of venue and transfers.", _COUNT, "proceedings", ""),
    "completions_initial": ("Initial case completions (EOIR's ICC definition).", _COUNT, "proceedings.completion_type", ""),
    "in_absentia_orders": ("In absentia removal orders.", _COUNT, "decision_class", ""),
    "removal_orders": ("Removal orders (incl. in absentia).", _COUNT, "decision_class", ""),
    "voluntary_departures": ("Voluntary departure decisions.", _COUNT, "decision_class", ""),
    "relief_grants": ("Relief or protection granted.", _COUNT, "decision_class", ""),
    "terminations": ("Terminations and dismissals.", _COUNT, "decision_class", ""),
    "admin_closures": ("Administrative closures.", _COUNT, "decision_class", ""),
    "venue_transfers": ("Changes of venue and transfers.", _COUNT, "decision_class", ""),
    "detained_completions": ("Completions of detained respondents.", _COUNT, "proceedings.detained", ""),
    "asylum_case_completions": ("Completions of proceedings with an asylum application.", _COUNT,
                                "proceedings.has_asylum_app", ""),
    "fiscal_year": FY, "fiscal_month": FM,
    "active": ("The judge held a hearing (a row of `hearings`) or completed a proceeding in the month.", "bool",
               "hearings, proceedings", "Settings cancelled under the judge's code (ADJ_MEDIUM H) do not count."),
    "hearings_held": ("Hearings in the `hearings` dataset held by the judge in the month.", _COUNT, "hearings", ""),
    "continuances": ("Hearings continued (any party).", _COUNT, "hearings.continued", ""),
    "continuances_respondent": ("Hearings continued at the respondent's request.", _COUNT, "hearings.party", ""),
    "continuances_dhs": ("Hearings continued for DHS.", _COUNT, "hearings.party", ""),
    "continuances_ij_court": ("Hearings continued for the judge/court.", _COUNT, "hearings.party", ""),
    "continuances_operational": ("Hearings continued for operational reasons (interpreter, video, closure...).",
                                 _COUNT, "hearings.party", ""),
    "adjournments_unattributed": ("Adjournments with a code the project table does not know.", _COUNT, "hearings.party", ""),
    "individual_hearings_held": ("Individual (merits) hearings held.", _COUNT, "hearings.individual", ""),
    "asylum_grants": ("Asylum grants dated in the month (by the proceeding's completion).", _COUNT, "asylum_decisions", ""),
    "asylum_denials": ("Asylum denials.", _COUNT, "asylum_decisions", ""),
    "asylum_other_decisions": ("Other asylum decisions in EOIR's denominator (abandoned, withdrawn, other...).", _COUNT,
                               "asylum_decisions", ""),
    "continuance_motions_decided": ("Motions for continuance granted or denied in the month.", _COUNT,
                                    "continuance_motions", ""),
    "continuance_motions_denied": ("Motions for continuance denied.", _COUNT, "continuance_motions", ""),
    "continuance_motions_denied_respondent": ("Respondents' motions for continuance denied.", _COUNT,
                                              "continuance_motions", ""),
    "reassigned_out": ("Changes of judge away from this judge (reassignments.from_judge), by the month of the later "
                       "schedule row; changes dated after the data cut are left out.", _COUNT,
                       "reassignments.from_judge", ""),
    "reassigned_in": ("Proceedings reassigned to the judge.", _COUNT, "reassignments.to_judge", ""),
    "court": ("Court of the judge-month: the modal court of the judge's hearings, else of completions, carried "
              "forward/backward over empty months.", "code", "", ""),
    "home_court": ("The judge's modal court over all completions.", "code", "", ""),
    "away_from_home_court": ("The judge sat outside the home court this month (visiting/detail).", "bool", "", ""),
    "cum_completions_fy": ("Cumulative completions in the fiscal year through this month.", _COUNT, "completions", ""),
    "path_700": ("Completions on the pro-rata 700-a-year path by the end of this fiscal month: 700 × m / 12.", "cases",
                 "", ""),
    "gap_cases": ("Gap to the 700 path at the end of the month: path_700 − cum_completions_fy (positive = behind).",
                  "cases", "", "Counted for every judge-year, including part-year judges (see part_year)."),
    "gap_share": ("gap_cases ÷ 700.", "share of target", "", ""),
    "gap_cases_lag": ("Gap at the end of the previous fiscal month (0 in October): the pressure the judge faced "
                      "entering the month.", "cases", "", ""),
    "gap_share_lag": ("gap_cases_lag ÷ 700.", "share of target", "", ""),
    "behind": ("gap_cases > 0.", "bool", "", ""),
    "months_left": ("Fiscal months left after this one (12 − fiscal_month).", "months", "", ""),
    "tenure_months": ("Months since the judge's first month in the data.", "months", "",
                      "Left-censored for judges on the bench before the data begin."),
    "part_year": ("The judge started after October or left before September of this fiscal year.", "bool", "", ""),
    "pace": ("Pre-policy pace: FY2017–FY2018 completions ÷ months on the bench in that window × 12 (months on the "
             "bench = first to last month with a held hearing or a completion; null under 6 months).",
             "completions per year", "completions, tbl_schedule", "Not adjusted for docket type."),
    "bite": ("Quota bite: max(0, 700 − pace) ÷ 700.", "share of target", "pace", ""),
    "bite_cases": ("max(0, 700 − pace).", "cases per year", "pace", ""),
    "pace_band": ("below_560 (unsatisfactory), 560_to_699 (needs improvement), 700_plus.", "text", "pace", ""),
    "period": ("pre (< 30 Mar 2018), announce (30 Mar – 30 Sep 2018), quota (1 Oct 2018 – 18 Oct 2021), "
               "post_suspension (from 19 Oct 2021).",
               "text", "month", "Months are classified by their first day."),
    "detained_share": ("detained_completions ÷ completions.", "share", "", "Null when no completions."),
    "asylum_share": ("asylum_case_completions ÷ completions.", "share", "", "Null when no completions."),
    "in_absentia_rate": ("in_absentia_orders ÷ completions_initial (EOIR/CRS initial-case-completion method).", "share",
                         "", "Eagly & Shafer's attendance measure uses a different denominator."),
    "removal_rate": ("removal_orders ÷ completions_initial.", "share", "", ""),
    "asylum_grant_rate_trac": ("asylum_grants ÷ (asylum_grants + asylum_denials).", "share", "", ""),
    "asylum_grant_rate_eoir": ("asylum_grants ÷ (grants + denials + other decisions).", "share", "", ""),
    "continuance_rate": ("continuances ÷ hearings_held.", "share", "", ""),
    "respondent_continuance_rate": ("continuances_respondent ÷ hearings_held.", "share", "", ""),
    "continuance_motion_denial_rate": ("continuance_motions_denied ÷ continuance_motions_decided.", "share", "",
                                       "Motions are a partial record of requests."),
    "data_source": DATA_SOURCE,
}

CODEBOOK["judges"] = {
    "ij_code": JUDGE,
    "first_month": ("First month with any activity or event.", "date", "", ""),
    "last_month": ("Last month with any activity or event.", "date", "", ""),
    "home_court": CODEBOOK["judge_month"]["home_court"],
    "pre_months": ("Months on the bench in FY2017–FY2018 (see pace).", "months", "", ""),
    "pre_completions": ("Completions in FY2017–FY2018.", _COUNT, "", ""),
    "pace": CODEBOOK["judge_month"]["pace"], "bite": CODEBOOK["judge_month"]["bite"],
    "bite_cases": CODEBOOK["judge_month"]["bite_cases"], "pace_band": CODEBOOK["judge_month"]["pace_band"],
    "pre_grants": ("Asylum grants in FY2014–FY2018.", _COUNT, "asylum_decisions", ""),
    "pre_denials": ("Asylum denials in FY2014–FY2018.", _COUNT, "asylum_decisions", ""),
    "denial_rate_pre": ("Pre-policy stringency: pre_denials ÷ (pre_grants + pre_denials); null under 25 decisions.",
                        "share", "", ""),
    "court_loo_denial_rate": ("Denial rate of the other judges of the judge's modal court in FY2014–FY2018 "
                              "(leave-one-out).", "share", "", ""),
    "stringency_rel": ("denial_rate_pre − court_loo_denial_rate.", "share", "", ""),
    "total_completions": ("All completions of the judge in the data.", _COUNT, "", ""),
    "judge_name": ("Judge name from the release's lookup.", "text", "tblLookupJudge.JUDGE_NAME",
                   "Synthetic releases use invented names."),
    "merged_codes": ("Other codes merged into this judge (space-separated).", "text", "judge_code_map", ""),
    "data_source": DATA_SOURCE,
}

CODEBOOK["judge_code_map"] = {
    "from_code": ("A judge code found in the lookup.", "code", "tblLookupJudge.JUDGE_CODE", ""),
    "to_code": ("The code it is merged into; null for pseudo-judges (excluded from judge analyses).", "code", "", ""),
    "rule": ("temp_name: the lookup names it '<name> (Temp)'; published_merge: Chen, Moskowitz & Shue's merge list "
             "(real releases only); pseudo_judge: a name in angle brackets such as '<All Judges>'.", "text", "", ""),
    "from_name": ("Lookup name of from_code.", "text", "", ""),
    "to_name": ("Lookup name of to_code.", "text", "", ""),
    "data_source": DATA_SOURCE,
}


def columns(dataset: str) -> list[str]:
    return [c for c in CODEBOOK[dataset] if not c.startswith("__")]


def to_markdown() -> str:
    """The codebook as Markdown (the content of data/CODEBOOK.md)."""
    from helpers.datasets import DATASETS

    out = ["# Codebook of the derived datasets", "",
           "Generated from `src/helpers/codebook.py` by `python -m helpers.codebook`; do not edit by hand. "
           "Definitions shared by every stage (fiscal years, pace, bite, the gap to the 700 path) are in "
           "[`docs/DATAFLOW.md`](../docs/DATAFLOW.md). Source columns are EOIR's names (tables in SCHEMA order); "
           "`helpers/codes/*.csv` are the project's own code tables, each row with its source.", ""]
    for ds in DATASETS:
        out += [f"## `{ds}`", ""]
        rows = CODEBOOK[ds].get("__rows__")
        if rows:
            out += [rows[0], ""]
        if ds == "completions":
            out += ["The rows of `proceedings` with `completed` true; same columns.", ""]
            continue
        out += ["| column | definition (numerator ÷ denominator for rates) | unit | source | known limits |",
                "|---|---|---|---|---|"]
        for col in columns(ds):
            d, unit, src, lim = CODEBOOK[ds][col]
            out.append(f"| `{col}` | {d} | {unit} | {src} | {lim} |")
        out.append("")
    return "\n".join(out)


def write(path: Path | None = None) -> Path:
    from helpers._util import repo_root

    path = path or repo_root() / "data" / "CODEBOOK.md"
    path.write_text(to_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
