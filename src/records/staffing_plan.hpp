#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "records/lines.hpp"
#include "records/services.hpp"
#include "staffing/calendar.hpp"
#include "staffing/plan.hpp"
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
};

// The plan (pure): the week's half hours forecast from the history (Holt-Winters with two weeks or more of
// history, else each half hour of the week's mean so far, else none), the handling time (talk + wrap-up; an
// answered call not yet closed counts the line's wrap_up_s), the callers' patience (abandoned / total wait),
// and Erlang C and Erlang A staffing for the line's target; for each region of the line's roll-out whose calls
// are not in the history yet (began at or after history.to), the forecast scaled from the served regions by
// workforce ("new_regions"). The JSON is documented in docs/api.md.
StaffingAnswer PlanFromHistory(const LineConfig& line, const std::string& week_name, const staffing::Week& week,
                               const StaffingHistory& history);

// The week named `week` (YYYY-Www; the week after `now`'s when empty) for `line_id`: kNotFound for an unknown
// line, kInvalid (field "week") for a malformed week. Reads one snapshot. REQUIRES: the caller authorised
// kReadStaffing on the line. Blocking; thread-safe.
Result<StaffingAnswer> LineStaffing(Services& s, const std::string& line_id, const std::optional<std::string>& week,
                                    TimeMs now);

}  // namespace crisisline::records
