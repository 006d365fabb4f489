#include "staffing/calendar.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crisisline::staffing {
namespace {

using namespace std::chrono;

TimeMs At(year_month_day d, int hour = 0, int minute = 0) {
    return duration_cast<milliseconds>(sys_days{d}.time_since_epoch()).count() + hour * kHourMs + minute * kMinuteMs;
}

std::vector<std::string> Dates(const std::vector<year_month_day>& days) {
    std::vector<std::string> out;
    for (const year_month_day& d : days) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                      static_cast<unsigned>(d.day()));
        out.emplace_back(buf);
    }
    return out;
}

TEST(CalendarTest, FindsEasterByTheComputus) {
    EXPECT_EQ(EasterSunday(2024), year{2024} / March / 31);
    EXPECT_EQ(EasterSunday(2025), year{2025} / April / 20);
    EXPECT_EQ(EasterSunday(2026), year{2026} / April / 5);
    EXPECT_EQ(EasterSunday(2027), year{2027} / March / 28);
    EXPECT_EQ(EasterSunday(2038), year{2038} / April / 25);  // the latest possible date
    EXPECT_EQ(EasterSunday(2008), year{2008} / March / 23);
}

// The dates the UK government publishes for England and Wales (gov.uk/bank-holidays).
TEST(CalendarTest, ListsTheBankHolidaysOfEnglandAndWales) {
    EXPECT_EQ(Dates(BankHolidaysEnglandWales(2026)),
              (std::vector<std::string>{"2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25",
                                        "2026-08-31", "2026-12-25", "2026-12-28"}));
    // Christmas on a Saturday: the substitutes are Monday and Tuesday.
    EXPECT_EQ(Dates(BankHolidaysEnglandWales(2027)),
              (std::vector<std::string>{"2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31",
                                        "2027-08-30", "2027-12-27", "2027-12-28"}));
    // New Year on a Saturday, the moved spring holiday and the added days, Christmas on a Sunday.
    EXPECT_EQ(Dates(BankHolidaysEnglandWales(2022)),
              (std::vector<std::string>{"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02",
                                        "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"}));
    EXPECT_EQ(Dates(BankHolidaysEnglandWales(2020)),
              (std::vector<std::string>{"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25",
                                        "2020-08-31", "2020-12-25", "2020-12-28"}));
    EXPECT_TRUE(IsBankHolidayEnglandWales(year{2026} / December / 28));
    EXPECT_FALSE(IsBankHolidayEnglandWales(year{2026} / December / 29));
}

TEST(CalendarTest, FollowsBritishSummerTime) {
    EXPECT_EQ(UkOffsetMs(At(year{2026} / March / 29, 0, 59)), 0);
    EXPECT_EQ(UkOffsetMs(At(year{2026} / March / 29, 1, 0)), kHourMs);
    EXPECT_EQ(UkOffsetMs(At(year{2026} / October / 25, 0, 59)), kHourMs);
    EXPECT_EQ(UkOffsetMs(At(year{2026} / October / 25, 1, 0)), 0);
    // 23:30 UTC on 31 May is 00:30 on 1 June in London.
    EXPECT_EQ(UkDate(At(year{2026} / May / 31, 23, 30)), year{2026} / June / 1);
    EXPECT_EQ(UkLocalToUtc(year{2026} / June / 1, 30), At(year{2026} / May / 31, 23, 30));
    EXPECT_EQ(UkLocalToUtc(year{2026} / December / 1, 30), At(year{2026} / December / 1, 0, 30));
}

TEST(CalendarTest, PlacesHalfHoursInTheWeekOnTheLocalClock) {
    EXPECT_EQ(WeekSlot(At(year{2026} / December / 7)), 0);                  // Monday 00:00 GMT
    EXPECT_EQ(WeekSlot(At(year{2026} / May / 31, 23, 0)), 0);              // Monday 1 June 00:00 BST
    EXPECT_EQ(WeekSlot(At(year{2026} / December / 13, 23, 30)), 335);      // Sunday 23:30
    EXPECT_EQ(WeekSlot(At(year{2026} / December / 9, 12, 0)), 2 * 48 + 24);  // Wednesday noon
    // Easter Monday 10:00 BST takes Sunday's 10:00.
    EXPECT_EQ(WeekSlot(At(year{2026} / April / 6, 9, 0)), 6 * 48 + 20);
}

TEST(CalendarTest, GivesTheDayAndHourOnTheLocalClock) {
    auto at = [](TimeMs t) { const auto dh = UkDayAndHour(t); return std::pair{dh.day, dh.hour}; };
    EXPECT_EQ(at(At(year{2026} / December / 7)), std::pair(0, 0));               // Monday 00:00 GMT
    EXPECT_EQ(at(At(year{2026} / May / 31, 23, 30)), std::pair(0, 0));           // Monday 1 June 00:30 BST
    EXPECT_EQ(at(At(year{2026} / December / 13, 23, 59)), std::pair(6, 23));     // Sunday 23:59
    EXPECT_EQ(at(At(year{2026} / April / 6, 9, 0)), std::pair(0, 10));          // Easter Monday stays a Monday
    EXPECT_EQ(at(At(year{2026} / October / 25, 0, 30)), std::pair(6, 1));        // 01:30 BST, before the change
    EXPECT_EQ(at(At(year{2026} / October / 25, 1, 30)), std::pair(6, 1));        // 01:30 GMT, after it
}

TEST(CalendarTest, ReadsIsoWeeks) {
    auto w = ParseIsoWeek("2026-W49", "week");
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->from, At(year{2026} / November / 30));
    EXPECT_EQ(w->to, At(year{2026} / December / 7));
    // The week the clocks go forward is an hour short.
    auto spring = ParseIsoWeek("2026-W13", "week");
    ASSERT_TRUE(spring.has_value());
    EXPECT_EQ(spring->to - spring->from, 7 * kDayMs - kHourMs);
    EXPECT_TRUE(ParseIsoWeek("2026-W53", "week").has_value());  // 2026 has 53 weeks
    for (const char* bad : {"2025-W53", "2026-W00", "2026-W54", "2026W49", "2026-w49", "26-W49", "2026-W4x"}) {
        auto r = ParseIsoWeek(bad, "week");
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().field, "week");
    }
    EXPECT_EQ(IsoWeekOf(At(year{2026} / December / 3, 14)), "2026-W49");
    EXPECT_EQ(IsoWeekOf(At(year{2027} / January / 1)), "2026-W53");
}

}  // namespace
}  // namespace crisisline::staffing
