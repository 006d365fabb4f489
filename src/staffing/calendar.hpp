#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

// staffing/calendar: the time a line's callers live by. Calls follow the clock on the wall in England and
// Wales (GMT in winter, BST in summer) and its bank holidays, so the forecast's "hour of the week" is local.
// Pure functions of their arguments; thread-safe.
namespace crisisline::staffing {

constexpr TimeMs kHalfHourMs = 30 * kMinuteMs;
constexpr int kSlotsPerWeek = 7 * 48;  // half hours in a week: the forecast's season

// The UK's offset from UTC at `utc`, in ms: one hour from 01:00 UTC on the last Sunday of March to 01:00 UTC on
// the last Sunday of October (the rule in force since 1996), else zero.
TimeMs UkOffsetMs(TimeMs utc);

// The local calendar day `utc` falls on in the UK.
std::chrono::year_month_day UkDate(TimeMs utc);

// The UTC instant of a UK local wall-clock time on `day` (`minutes` after local midnight). A time that does not
// exist (skipped in spring) is taken after the change; one that happens twice (autumn) is the first (BST).
TimeMs UkLocalToUtc(std::chrono::year_month_day day, int minutes);

// The bank holidays of England and Wales in `year` (1996..2099), in date order: New Year's Day, Good Friday,
// Easter Monday, the early May, spring and summer bank holidays, Christmas Day and Boxing Day, with the
// substitute weekdays when those fall at a weekend, and the one-off changes proclaimed since 1995 (the moved
// early May of 2020 and spring of 2002, 2012 and 2022, and the added days of 1999, 2002, 2011, 2012, 2022
// and 2023).
std::vector<std::chrono::year_month_day> BankHolidaysEnglandWales(int year);
bool IsBankHolidayEnglandWales(std::chrono::year_month_day day);

// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian computus).
std::chrono::year_month_day EasterSunday(int year);

// The hour-of-week slot of `utc` on the UK's clock: Monday 00:00-00:30 local is 0, Sunday 23:30-24:00 is 335.
// A bank holiday takes Sunday's slot for the same time of day (callers keep Sunday's hours on a holiday).
int WeekSlot(TimeMs utc);

// The day of the week (Monday 0 .. Sunday 6, as the calendar has it: a bank holiday keeps its weekday) and the
// hour (0..23) of `utc` on the UK's clock: the reports' hour of the week and hour of the day.
struct UkDayHour {
    int day = 0;
    int hour = 0;
};
UkDayHour UkDayAndHour(TimeMs utc);

// An ISO 8601 week, "2026-W49": its first instant (Monday 00:00 UK time) and the first of the week after, in UTC.
struct Week {
    TimeMs from = 0;
    TimeMs to = 0;
};
// Fails with kInvalid naming `field` unless `text` is YYYY-Www with a week that exists in that year.
[[nodiscard]] Result<Week> ParseIsoWeek(std::string_view text, const std::string& field);
// The ISO week `utc` falls in on the UK's clock, as "YYYY-Www".
std::string IsoWeekOf(TimeMs utc);

}  // namespace crisisline::staffing
