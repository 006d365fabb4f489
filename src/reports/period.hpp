#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace crisisline::reports {

// The only periods a report covers: whole calendar units in UTC. Days and ISO weeks are for the line-wide
// service levels alone (no breakdown); every other report takes months, quarters and years.
enum class PeriodKind { kDay, kWeek, kMonth, kQuarter, kYear };

struct Period {
    PeriodKind kind = PeriodKind::kMonth;
    std::string label;  // as written: "2026-05-14", "2026-W20", "2026-05", "2026-Q2", "2026"
    TimeMs from = 0;    // 00:00 UTC of its first day
    TimeMs to = 0;      // 00:00 UTC of the day after its last
};

// Reads "YYYY", "YYYY-Qn", "YYYY-MM", "YYYY-Www" (ISO 8601 week) or "YYYY-MM-DD", years 2000 to 2099.
// kInvalid with field "period" and an example for anything else (a time of day, a free range, ...).
[[nodiscard]] Result<Period> ParsePeriod(std::string_view text);

// "day" | "week" | "month" | "quarter" | "year".
const char* PeriodKindName(PeriodKind kind);

// 00:00 UTC of a civil date. REQUIRES: a valid date.
TimeMs StartOfDate(int year, unsigned month, unsigned day);

}  // namespace crisisline::reports
