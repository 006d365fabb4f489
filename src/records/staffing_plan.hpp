#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/fixed_window.hpp"
#include "records/lines.hpp"
#include "records/services.hpp"
#include "staffing/calendar.hpp"
#include "staffing/plan.hpp"
#include "staff/principal.hpp"
#include "store/rows.hpp"

// records/staffing_plan: a line's staffing plan for one week, from its own history of phone calls (aggregates
// only: arrivals counted per half hour, waits, talk and wrap-up summed in storage; no call is read out).
namespace crisisline::records {

constexpr TimeMs kStaffingHistoryMs = 3 * 365 * kDayMs;  // the forecast learns from at most three years
constexpr TimeMs kStaffingTimingsMs = 8 * 7 * kDayMs;    // handling time and patience from the last eight weeks
constexpr double kAssumedTalkS = 1200;                   // without answered calls to measure: 20 minutes' talk

// What storage counted for the plan.
struct StaffingHistory {
    TimeMs to = 0;                               // the end of the history (exclusive), on a half hour
    std::vector<store::HalfHourCount> arrivals;  // in the three years before `to`
    store::CallTimings timings;                  // of the calls in the eight weeks before `to`
};

struct StaffingAnswer {
    nlohmann::json json;
    std::vector<staffing::PlanInterval> plan;
    std::vector<staffing::PlanInterval> welsh_plan;  // the Welsh calls alone; empty when the line has no Welsh
    double handling_s = 0;                           // what the plan was computed with
    std::optional<double> patience_s;
};

// The plan (pure): the week's half hours forecast from the history (Holt-Winters with two weeks or more of
// history; with less, none: a forecast from one week would be that week's calls half hour by half hour), the
// handling time (talk + wrap-up; an answered call not yet closed counts the line's wrap_up_s), the callers'
// patience (abandoned / total wait), and Erlang C and Erlang A staffing for the line's target. The counts it
// rests on (history.calls, handling_measured_calls, patience_abandoned_calls) are published as the reports
// publish a count (`rules`: rounded, small ones suppressed as null). For each region of the line's roll-out whose
// calls are not in the history yet (began at or after history.to), the forecast scaled from the served regions by
// workforce ("new_regions"). The JSON is documented in docs/api.md.
StaffingAnswer PlanFromHistory(const LineConfig& line, const std::string& week_name, const staffing::Week& week,
                               const StaffingHistory& history);

// A what-if for the plan (pure): every half hour's figures with `on_phones` counsellors on the phones (1..1000),
// whatever the model chose: "chosen" beside each interval's erlang_c/erlang_a (service_level, p_wait, asa_s,
// occupancy; p_abandon under Erlang A; Erlang C's `stable` false where the load is more than they can take), and
// "chosen_on_phones" at the top.
void AddWhatIf(StaffingAnswer& answer, const LineConfig& line, int on_phones);

// The week named `week` (YYYY-Www; the week after `now`'s when empty) for `line_id`: kNotFound for an unknown
// line, kInvalid (field "week") for a malformed week. Whatever the week asked for, the history ends where `now`'s
// week began (UK time), so two plans asked for in the same week rest on the same calls and cannot be told apart
// by them. Reads one snapshot. REQUIRES: the caller authorised kReadStaffing on the line. Blocking; thread-safe.
Result<StaffingAnswer> LineStaffing(Services& s, const std::string& line_id, const std::optional<std::string>& week,
                                    TimeMs now, std::optional<int> on_phones = std::nullopt);

// The staffing plans as people ask for them, as the reports are (records/reports.hpp): rate-limited per person
// (kThrottled, field "week", `retry_after` set to the wait), audited ("staffing.read", purpose "planning", the
// week as the record id) before the plan is built, then LineStaffing. Authorisation is the caller's job.
// Blocking; thread-safe.
class StaffingPlans {
public:
    explicit StaffingPlans(Services services, std::int64_t per_hour = 60)
        : s_(services), allowance_(per_hour, kHourMs) {}

    // `on_phones`: the what-if (AddWhatIf), when asked for.
    Result<StaffingAnswer> Run(const staff::Principal& who, const std::string& line_id,
                               const std::optional<std::string>& week, TimeMs& retry_after,
                               std::optional<int> on_phones = std::nullopt);

private:
    Services s_;
    FixedWindowLimit allowance_;  // staffing plan requests per person per hour
};

}  // namespace crisisline::records
