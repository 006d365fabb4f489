#include "records/demo_rota.hpp"

#include <gtest/gtest.h>

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
    const auto shifts = DemoRotaShifts(plan, pool, 5);
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
    const auto cover = rota::Coverage(plan, {}, DemoRotaShifts(plan, {"st_a", "st_b"}, 1));
    for (const auto& c : cover) EXPECT_EQ(c.rostered, 1);
}

}  // namespace
}  // namespace crisisline::records
