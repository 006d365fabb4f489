#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace crisisline::records {

// 00:00 UTC of the day `t` falls in.
TimeMs StartOfUtcDay(TimeMs t);

// The supervisor's wallboard figures from what storage counted (pure): {from, offered, answered, abandoned,
// overflowed, answer_rate, average_speed_of_answer_s, answered_within_20s, answered_within_60s,
// service_level_20s, service_level_60s, follow_ups_overdue}. Rates are fractions of offered (null when nothing
// was offered); the average speed of answer is over the answered calls (null when none).
nlohmann::json TodayJson(TimeMs from, const store::PhoneTally& tally, std::int64_t follow_ups_overdue);

// A line's phone calls since 00:00 UTC of `now`'s day and its overdue follow-ups, counted in storage (nothing
// is read out of a contact). Aggregates only: authorise kReadAggregates first. Blocking; thread-safe.
Result<nlohmann::json> LineToday(store::Store& store, const std::string& line_id, TimeMs now);

}  // namespace crisisline::records
