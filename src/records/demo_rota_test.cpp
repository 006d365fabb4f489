#include "records/demo_rota.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "staffing/calendar.hpp"

namespace crisisline::records {
namespace {

using namespace std::chrono;

// Two winter days from Monday 7 December 2026 00:00 (GMT): 2 needed at night, 3 by day.
std::vector<staffing::PlanInterval> TwoDays() {
    const TimeMs from = duration_cast<milliseconds>(sys_days{year{2026} / December / 7}.time_since_epoch()).count();
    std::vector<staffing::PlanInterval> plan;
    for (int i = 0; i < 96; ++i) {
        staffing::PlanInterval p;
        p.start = from + i * staffing::kHalfHourMs;
        const int hour = (i % 48) / 2;
        p.erlang_c.rostered = hour >= 7 && hour < 23 ? 3 : 2;
        plan.push_back(p);
    }
    return plan;
}

TEST(DemoRotaTest, StaffsEachShiftButEveryFifthAndNeverDoublesAPerson) {
    const auto plan = TwoDays();
    const std::vector<std::string> pool{"st_a", "st_b", "st_c", "st_d", "st_e"};
    const auto shifts = DemoRotaShifts(plan, {}, pool, {}, 5);
    std::map<std::string, std::vector<rota::Shift>> by_person;
    for (const auto& s : shifts) {
        EXPECT_EQ(s.end - s.start, 8 * kHourMs);
        for (const auto& other : by_person[s.counsellor]) {
            EXPECT_TRUE(s.end <= other.start || s.start >= other.end) << s.counsellor << " works twice at once";
        }
        by_person[s.counsellor].push_back(s);
    }
    // Shifts: the 23:00 of Sunday, then 07:00, 15:00, 23:00 of Monday and Tuesday: 7 in all, the 5th one short.
    // Sunday 23:00 (2), Mon 07:00 (3), Mon 15:00 (3), Mon 23:00 (2), Tue 07:00 (3 - 1), Tue 15:00 (3), Tue 23:00 (2).
    EXPECT_EQ(shifts.size(), 2u + 3 + 3 + 2 + 2 + 3 + 2);
    const auto cover = rota::Coverage(plan, {}, shifts);
    int short_half_hours = 0;
    for (const auto& c : cover) {
        EXPECT_LE(c.gap, 1);
        short_half_hours += c.gap;
    }
    EXPECT_EQ(short_half_hours, 16);  // Tuesday 07:00-15:00, one short throughout
}

TEST(DemoRotaTest, NeverLeavesAShiftEmpty) {
    auto plan = TwoDays();
    for (auto& p : plan) p.erlang_c.rostered = 1;
    const auto cover = rota::Coverage(plan, {}, DemoRotaShifts(plan, {}, {"st_a", "st_b"}, {}, 1));
    for (const auto& c : cover) EXPECT_EQ(c.rostered, 1);
}

TEST(DemoRotaTest, RostersTheWelshCoverWithAFewWelshGaps) {
    const auto plan = TwoDays();
    auto welsh_plan = plan;
    for (auto& p : welsh_plan) p.erlang_c.rostered = 2;  // two Welsh speakers in every half hour
    const std::vector<std::string> pool{"st_a", "st_b", "st_c", "st_d"};
    const std::vector<std::string> welsh_pool{"st_w1", "st_w2", "st_w3"};
    const auto shifts = DemoRotaShifts(plan, welsh_plan, pool, welsh_pool, 5);
    for (const auto& s : shifts) {
        const bool in_welsh_pool = std::find(welsh_pool.begin(), welsh_pool.end(), s.counsellor) != welsh_pool.end();
        EXPECT_EQ(s.welsh, in_welsh_pool) << s.counsellor;
    }
    const auto cover = rota::Coverage(plan, welsh_plan, shifts);
    int gaps = 0, welsh_gaps = 0;
    for (const auto& c : cover) {
        gaps += c.gap;
        welsh_gaps += c.welsh_gap;
        EXPECT_GE(c.rostered_welsh, 1);  // one short at most: a Welsh caller always has someone
    }
    // The same 7 shifts as above: the 5th (Tuesday 07:00) one short in all; the 3rd (Monday 15:00) one Welsh
    // speaker short, made up by another counsellor, so no gap there.
    EXPECT_EQ(gaps, 16);
    EXPECT_EQ(welsh_gaps, 16);
    const TimeMs monday_15 = plan[30].start;
    for (const auto& c : cover) {
        const bool monday_afternoon = c.start >= monday_15 && c.start < monday_15 + 8 * kHourMs;
        EXPECT_EQ(c.welsh_gap, monday_afternoon ? 1 : 0) << c.start;
        if (monday_afternoon) {
            EXPECT_EQ(c.gap, 0);
        }
    }
}

}  // namespace
}  // namespace crisisline::records
