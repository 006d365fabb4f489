#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "records/lines.hpp"
#include "records/services.hpp"
#include "core/fixed_window.hpp"
#include "crypto/keys.hpp"
#include "reports/disclosure.hpp"
#include "reports/period.hpp"
#include "staff/principal.hpp"

namespace crisisline::records {

// The fixed reports of a line (docs/api.md, "Reports"), in the order the console shows them:
// service_levels, demand, roll_out, themes, outcomes, actions, follow_ups, escalations.
const std::vector<std::string>& ReportNames();

// The disclosure rules of `line` (its "disclosure" setting, never below reports::kMinimumRules).
reports::DisclosureRules RulesOf(const LineConfig& line);

// Builds report `name` of `line` for `period` from one storage snapshot, every figure through disclosure
// control. Fixed shape: every section, row and column is present whatever the data. JSON:
// {line_id, report, period: {label, kind, from, to}, disclosure: {threshold, rounding, suppressed_shown_as},
//  sections: [...], not_available: [{figure, reason}]} (the section kinds in docs/api.md); roll_out adds the line's
//  region_starts as configured.
// kNotFound (field "report") for a name not in ReportNames(); kInvalid (field "period") for a day or week of
// any report but service_levels. Counts only: no content is opened; the one thing decrypted is each contact's sealed
// force (records/sealed_force.hpp), with `line_key` (the line's key), for demand's contacts_by_force, which is in
// the monthly demand report only (a quarter or a year lists it in not_available). Blocking; thread-safe.
Result<nlohmann::json> BuildReport(store::Store& store,
                                   const LineConfig& line,
                                   const std::string& name,
                                   const reports::Period& period,
                                   const crypto::SecretKey& line_key);

// The report as CSV (RFC 4180, CRLF): section,row,column,value (a "groups" section: row the group, column the item
// or "total"); every suppressed figure (a zero too) is written
// "suppressed" (not "<8": a cell hidden to protect another may be larger).
std::string ReportCsv(const nlohmann::json& report);

// The reports as people ask for them: rate-limited per person, audited ("report.read", the report and period
// as the record id), then built. Authorisation (kReadReports on the line) is the caller's job.
// Blocking; thread-safe.
class Reports {
public:
    explicit Reports(Services services, std::int64_t per_hour = 60) : s_(services), allowance_(per_hour, kHourMs) {}

    // kInvalid "period" / kNotFound "report" / kNotFound "line" as BuildReport and for an unknown line;
    // kThrottled (field "report", `retry_after` set to the wait) past the person's allowance. Every request
    // that passes those checks is in the audit log before it is answered.
    Result<nlohmann::json> Run(const staff::Principal& who,
                               const std::string& line_id,
                               const std::string& name,
                               const std::string& period,
                               TimeMs& retry_after);

    // The monthly funder pack: every report of ReportNames() for one calendar month, as one request (one against
    // the allowance, audited once as "report.read" with record id "pack/<month>"): {line_id, line_name, period,
    // disclosure, reports: [report, ...]}. kInvalid (field "period") for anything but a month; otherwise as Run.
    Result<nlohmann::json> RunPack(const staff::Principal& who,
                                   const std::string& line_id,
                                   const std::string& period,
                                   TimeMs& retry_after);

private:
    // The checks every request passes before it is built: the allowance, the line, the audit entry.
    Result<LineConfig> Admit(const staff::Principal& who, const std::string& line_id, const std::string& record,
                             TimeMs& retry_after);

    Services s_;
    FixedWindowLimit allowance_;  // report requests per person per hour
};

}  // namespace crisisline::records
