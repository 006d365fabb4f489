#include "rota/rota.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace crisisline::rota {
namespace {

using namespace std::chrono;

TimeMs At(year_month_day d, int hour, int minute = 0) {
    return duration_cast<milliseconds>(sys_days{d}.time_since_epoch()).count() + hour * kHourMs + minute * kMinuteMs;
}

staffing::PlanInterval Needing(TimeMs start, int rostered) {
    staffing::PlanInterval p;
    p.start = start;
    p.erlang_c.rostered = rostered;
    return p;
}

// A hand-checked night: four half hours from Monday 00:00 (GMT) needing 2, 2, 3 and 1 rostered.
TEST(RotaTest, FindsTheGapsOfAHandCheckedNight) {
    const TimeMs t0 = At(year{2026} / December / 7, 0);
    const std::vector<staffing::PlanInterval> plan{Needing(t0, 2), Needing(t0 + 30 * kMinuteMs, 2),
                                                   Needing(t0 + 60 * kMinuteMs, 3), Needing(t0 + 90 * kMinuteMs, 1)};
    const std::vector<Shift> shifts{
        {"st_a", t0, t0 + kHourMs, true},                                     // 00:00-01:00, Welsh
        {"st_b", t0, t0 + 45 * kMinuteMs, false},                             // 00:00-00:45: only the first whole
        {"st_c", t0 + 30 * kMinuteMs, t0 + 2 * kHourMs, false},               // 00:30-02:00
        {"st_d", t0 + kHourMs, t0 + 2 * kHourMs, true},                       // 01:00-02:00, Welsh
    };
    // Welsh speakers needed: 1, 2, 1, 0.
    const std::vector<staffing::PlanInterval> welsh{Needing(t0, 1), Needing(t0 + 30 * kMinuteMs, 2),
                                                    Needing(t0 + 60 * kMinuteMs, 1), Needing(t0 + 90 * kMinuteMs, 0)};
    const std::vector<Cover> cover = Coverage(plan, welsh, shifts);
    ASSERT_EQ(cover.size(), 4u);
    EXPECT_EQ(cover[0].rostered, 2);  // a, b
    EXPECT_EQ(cover[0].rostered_welsh, 1);
    EXPECT_EQ(cover[0].gap, 0);
    EXPECT_EQ(cover[1].rostered, 2);  // a, c (b leaves at 00:45)
    EXPECT_EQ(cover[1].gap, 0);
    EXPECT_EQ(cover[2].rostered, 2);  // c, d: one short
    EXPECT_EQ(cover[2].required, 3);
    EXPECT_EQ(cover[2].gap, 1);
    EXPECT_EQ(cover[2].rostered_welsh, 1);
    EXPECT_EQ(cover[3].rostered, 2);  // more than needed: no gap, never negative
    EXPECT_EQ(cover[3].gap, 0);
    // Welsh: a alone at 00:00 and 00:30 (one short of two at 00:30), d alone from 01:00.
    EXPECT_EQ((std::vector<int>{cover[0].welsh_gap, cover[1].welsh_gap, cover[2].welsh_gap, cover[3].welsh_gap}),
              (std::vector<int>{0, 1, 0, 0}));
    EXPECT_EQ(cover[1].required_welsh, 2);
    // Without a Welsh plan nothing is required in Welsh.
    for (const Cover& c : Coverage(plan, {}, shifts)) EXPECT_EQ(c.welsh_gap, 0);
}

TEST(RotaTest, RoundTripsShiftsAcrossTheClockChangesExactly) {
    const std::vector<Shift> shifts{
        // Saturday 22:00 GMT to Sunday 08:00 BST: nine hours, the clocks go forward at 01:00 UTC.
        {"st_night", At(year{2026} / March / 28, 22), At(year{2026} / March / 29, 7), false},
        // 01:30 BST to 01:30 GMT on 25 October: the wall clock shows the same time twice.
        {"st_repeat", At(year{2026} / October / 25, 0, 30), At(year{2026} / October / 25, 1, 30), true},
        {"st_after", At(year{2026} / October / 25, 1, 30), At(year{2026} / October / 25, 9), false},
    };
    const std::string ics = ShiftsToICalendar("police", shifts);
    EXPECT_NE(ics.find("BEGIN:VCALENDAR"), std::string::npos);
    EXPECT_NE(ics.find("DTSTART:20261025T003000Z"), std::string::npos) << ics;
    EXPECT_NE(ics.find("X-CRISISLINE-COUNSELLOR:st_repeat"), std::string::npos) << ics;
    auto back = ShiftsFromICalendar(ics);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    ASSERT_EQ(back->size(), shifts.size());
    for (size_t i = 0; i < shifts.size(); ++i) {
        SCOPED_TRACE(shifts[i].counsellor);
        EXPECT_EQ((*back)[i].counsellor, shifts[i].counsellor);
        EXPECT_EQ((*back)[i].start, shifts[i].start);
        EXPECT_EQ((*back)[i].end, shifts[i].end);
        EXPECT_EQ((*back)[i].welsh, shifts[i].welsh);
    }
}

// A calendar as another program writes it: local times with TZID=Europe/London and its VTIMEZONE, a floating
// time, an ATTENDEE for the counsellor, a DURATION instead of DTEND.
constexpr const char* kLocalCalendar =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//rota//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:1@example\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;TZID=Europe/London:20260328T220000\r\nDTEND;TZID=Europe/London:20260329T080000\r\n"
    "X-CRISISLINE-COUNSELLOR:st_night\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2@example\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART:20260701T090000\r\nDURATION:PT8H\r\nATTENDEE:mailto:st_day\r\nCATEGORIES:CRISIS,WELSH\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n";

TEST(RotaTest, ReadsLocalAndFloatingTimes) {
    auto shifts = ShiftsFromICalendar(kLocalCalendar);
    ASSERT_TRUE(shifts.has_value()) << shifts.error().message;
    ASSERT_EQ(shifts->size(), 2u);
    EXPECT_EQ((*shifts)[0].start, At(year{2026} / March / 28, 22));  // 22:00 GMT
    EXPECT_EQ((*shifts)[0].end, At(year{2026} / March / 29, 7));     // 08:00 BST
    EXPECT_EQ((*shifts)[1].counsellor, "st_day");
    EXPECT_EQ((*shifts)[1].start, At(year{2026} / July / 1, 8));     // 09:00 BST, floating read as UK time
    EXPECT_EQ((*shifts)[1].end, At(year{2026} / July / 1, 16));
    EXPECT_TRUE((*shifts)[1].welsh);
}

TEST(RotaTest, RefusesWhatIsNotAShiftNamingTheEvent) {
    auto not_ical = ShiftsFromICalendar("hello");
    ASSERT_FALSE(not_ical.has_value());
    EXPECT_EQ(not_ical.error().field, "calendar");
    const std::string head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n";
    const std::string tail = "END:VEVENT\r\nEND:VCALENDAR\r\n";
    const std::pair<std::string, std::string> bad[] = {
        {"DTSTART:20260701T090000Z\r\nDTEND:20260701T170000Z\r\n", "counsellor"},
        {"DTSTART:20260701T090000Z\r\nDTEND:20260701T080000Z\r\nX-CRISISLINE-COUNSELLOR:st\r\n", "after the start"},
        {"DTSTART;VALUE=DATE:20260701\r\nDTEND;VALUE=DATE:20260702\r\nX-CRISISLINE-COUNSELLOR:st\r\n", "date"},
        {"DTEND:20260701T170000Z\r\nX-CRISISLINE-COUNSELLOR:st\r\n", "start"},
    };
    for (const auto& [body, says] : bad) {
        auto r = ShiftsFromICalendar(head + body + tail);
        ASSERT_FALSE(r.has_value()) << body;
        EXPECT_EQ(r.error().field, "calendar");
        EXPECT_NE(r.error().message.find("event 1"), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
    }
    EXPECT_FALSE(CheckShift({"st", 0, kMaxShiftMs + 1, false}).has_value());
}

}  // namespace
}  // namespace crisisline::rota
