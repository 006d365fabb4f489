#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "staffing/erlang.hpp"

// staffing/plan: the staffing plan of a run of half hours, from forecast calls, the handling time and the
// line's target. Aggregate figures only. Pure; thread-safe.
namespace crisisline::staffing {

struct PlanInterval {
    TimeMs start = 0;                     // UTC, on a half hour
    double forecast_calls = 0;            // expected calls arriving in the half hour
    Requirement erlang_c;                 // callers wait as long as it takes
    std::optional<Requirement> erlang_a;  // with the callers' patience; none when it could not be estimated
};

// One PlanInterval per forecast value, the i-th starting at from + i * 30 min.
// REQUIRES: CheckTarget(target) succeeded; handling_s > 0; patience_s > 0 when set; forecasts >= 0.
std::vector<PlanInterval> PlanHalfHours(TimeMs from, const std::vector<double>& calls_per_half_hour, double handling_s,
                                        std::optional<double> patience_s, const Target& target);

// The plan as CSV (RFC 4180, a header row, times in UTC ISO 8601 and in UK local time).
std::string PlanCsv(const std::vector<PlanInterval>& plan);

// "2026-12-03T14:30:00Z".
std::string UtcIso(TimeMs t);
// The UK wall-clock time of `t`, "2026-12-03 14:30".
std::string UkLocalText(TimeMs t);

}  // namespace crisisline::staffing
