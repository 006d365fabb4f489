#include "staffing/calendar.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

namespace crisisline::staffing {
namespace {

using namespace std::chrono;

sys_days LastSunday(int y, unsigned m) { return sys_days{year{y} / month{m} / Sunday[last]}; }

TimeMs Ms(sys_days d) { return duration_cast<milliseconds>(d.time_since_epoch()).count(); }

sys_days DayOf(TimeMs utc) { return floor<days>(sys_time<milliseconds>(milliseconds(utc))); }

// Saturday or Sunday moves to the next weekday not already taken.
void AddWithSubstitute(std::set<sys_days>& taken, sys_days d) {
    while (weekday{d} == Saturday || weekday{d} == Sunday || taken.count(d)) d += days{1};
    taken.insert(d);
}

std::vector<year_month_day> Compute(int y) {
    std::set<sys_days> out;
    const year yr{y};
    // New Year's Day, Christmas Day and Boxing Day, each with its substitute weekday.
    AddWithSubstitute(out, sys_days{yr / January / 1});
    const sys_days easter{EasterSunday(y)};
    out.insert(easter - days{2});
    out.insert(easter + days{1});
    sys_days early_may{yr / May / Monday[1]};
    sys_days spring{yr / May / Monday[last]};
    const sys_days summer{yr / August / Monday[last]};
    // One-off changes by royal proclamation.
    if (y == 1995 || y == 2020) early_may = sys_days{yr / May / 8};
    if (y == 2002) spring = sys_days{yr / June / 4};
    if (y == 2012) spring = sys_days{yr / June / 4};
    if (y == 2022) spring = sys_days{yr / June / 2};
    out.insert(early_may);
    out.insert(spring);
    out.insert(summer);
    static const std::map<int, std::vector<year_month_day>> kExtra = {
        {1999, {year{1999} / December / 31}},   // the millennium
        {2002, {year{2002} / June / 3}},        // the Golden Jubilee
        {2011, {year{2011} / April / 29}},      // a royal wedding
        {2012, {year{2012} / June / 5}},        // the Diamond Jubilee
        {2022, {year{2022} / June / 3, year{2022} / September / 19}},  // Platinum Jubilee; the state funeral
        {2023, {year{2023} / May / 8}},         // the coronation
    };
    if (auto it = kExtra.find(y); it != kExtra.end()) {
        for (const year_month_day& d : it->second) out.insert(sys_days{d});
    }
    // Christmas first, so that Boxing Day's substitute comes after Christmas's.
    AddWithSubstitute(out, sys_days{yr / December / 25});
    AddWithSubstitute(out, sys_days{yr / December / 26});
    std::vector<year_month_day> result;
    for (sys_days d : out) result.emplace_back(d);
    return result;
}

}  // namespace

year_month_day EasterSunday(int y) {
    const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    const int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    const int m = (a + 11 * h + 22 * l) / 451;
    const int mon = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return year{y} / month{static_cast<unsigned>(mon)} / static_cast<unsigned>(day);
}

TimeMs UkOffsetMs(TimeMs utc) {
    const int y = static_cast<int>(year_month_day{DayOf(utc)}.year());
    const TimeMs starts = Ms(LastSunday(y, 3)) + kHourMs;
    const TimeMs ends = Ms(LastSunday(y, 10)) + kHourMs;
    return utc >= starts && utc < ends ? kHourMs : 0;
}

year_month_day UkDate(TimeMs utc) { return year_month_day{DayOf(utc + UkOffsetMs(utc))}; }

TimeMs UkLocalToUtc(year_month_day day, int minutes) {
    const TimeMs local = Ms(sys_days{day}) + minutes * kMinuteMs;
    // Try BST first (the earlier instant of an autumn repeat), then GMT.
    if (UkOffsetMs(local - kHourMs) == kHourMs) return local - kHourMs;
    return local;
}

std::vector<year_month_day> BankHolidaysEnglandWales(int y) { return Compute(y); }

bool IsBankHolidayEnglandWales(year_month_day day) {
    static std::mutex mu;
    static std::map<int, std::set<sys_days>> cache;  // a few years at most: one per year ever asked about
    const int y = static_cast<int>(day.year());
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(y);
    if (it == cache.end()) {
        std::set<sys_days> s;
        for (const year_month_day& d : Compute(y)) s.insert(sys_days{d});
        it = cache.emplace(y, std::move(s)).first;
    }
    return it->second.count(sys_days{day}) > 0;
}

int WeekSlot(TimeMs utc) {
    const TimeMs local = utc + UkOffsetMs(utc);
    const sys_days d = DayOf(local);
    const int half_hour = static_cast<int>((local - Ms(d)) / kHalfHourMs);
    const int monday_based = static_cast<int>((weekday{d}.iso_encoding() + 6) % 7);  // Monday 0 .. Sunday 6
    const int day = IsBankHolidayEnglandWales(year_month_day{d}) ? 6 : monday_based;
    return day * 48 + half_hour;
}

UkDayHour UkDayAndHour(TimeMs utc) {
    const TimeMs local = utc + UkOffsetMs(utc);
    const sys_days d = DayOf(local);
    return {static_cast<int>((weekday{d}.iso_encoding() + 6) % 7), static_cast<int>((local - Ms(d)) / kHourMs)};
}

Result<Week> ParseIsoWeek(std::string_view text, const std::string& field) {
    auto bad = [&] { return Fail(ErrorCode::kInvalid, field, "must be an ISO week, YYYY-Www, e.g. 2026-W49"); };
    if (text.size() != 8 || text[4] != '-' || text[5] != 'W') return bad();
    int y = 0, w = 0;
    if (std::from_chars(text.data(), text.data() + 4, y).ptr != text.data() + 4) return bad();
    if (std::from_chars(text.data() + 6, text.data() + 8, w).ptr != text.data() + 8) return bad();
    if (y < 1997 || y > 2098) return Fail(ErrorCode::kInvalid, field, "the year must be from 1997 to 2098");
    // Week 1 holds 4 January; a year has week 53 when 28 December falls in it.
    const sys_days jan4{year{y} / January / 4};
    const sys_days week1 = jan4 - days{(weekday{jan4}.iso_encoding() + 6) % 7};
    const sys_days dec28{year{y} / December / 28};
    const int weeks = static_cast<int>((dec28 - week1).count() / 7) + 1;
    if (w < 1 || w > weeks) return Fail(ErrorCode::kInvalid, field, "that year has no such week");
    const sys_days monday = week1 + days{7 * (w - 1)};
    return Week{UkLocalToUtc(year_month_day{monday}, 0), UkLocalToUtc(year_month_day{monday + days{7}}, 0)};
}

std::string IsoWeekOf(TimeMs utc) {
    const sys_days d{UkDate(utc)};
    const sys_days thursday = d - days{(weekday{d}.iso_encoding() + 6) % 7} + days{3};
    const int y = static_cast<int>(year_month_day{thursday}.year());
    const sys_days jan1{year{y} / January / 1};
    const int w = static_cast<int>((thursday - jan1).count() / 7) + 1;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-W%02d", y, w);
    return buf;
}

}  // namespace crisisline::staffing
