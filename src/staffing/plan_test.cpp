#include "staffing/plan.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "staffing/calendar.hpp"

namespace crisisline::staffing {
namespace {

constexpr TimeMs kMonday = 1764547200000;  // 2025-12-01T00:00:00Z, a Monday in GMT

TEST(PlanTest, StaffsEachHalfHour) {
    const Target target{0.8, 20, 0.85, 0.3, 1};
    const auto plan = PlanHalfHours(kMonday, {0, 100, 10}, 180, 120.0, target);
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[1].start, kMonday + kHalfHourMs);
    EXPECT_EQ(plan[0].erlang_c.on_phones, 1);   // quiet: the minimum
    EXPECT_EQ(plan[1].erlang_c.on_phones, 14);  // the worked example's 10 erlangs
    EXPECT_EQ(plan[1].erlang_c.rostered, 20);
    ASSERT_TRUE(plan[1].erlang_a.has_value());
    EXPECT_GE(plan[1].erlang_a->performance.service_level, 0.8);
    EXPECT_FALSE(PlanHalfHours(kMonday, {5}, 180, std::nullopt, target)[0].erlang_a.has_value());
}

TEST(PlanTest, WritesCsvWithAHeaderAndOneRowPerHalfHour) {
    const auto plan = PlanHalfHours(kMonday, {100, 0}, 180, std::nullopt, {0.8, 20, 0.85, 0.3, 1});
    const std::string csv = PlanCsv(plan);
    std::istringstream in(csv);
    std::string header, row1, row2, extra;
    std::getline(in, header);
    std::getline(in, row1);
    std::getline(in, row2);
    EXPECT_FALSE(std::getline(in, extra));
    EXPECT_EQ(header.rfind("start_utc,start_uk,forecast_calls,erlang_c_on_phones", 0), 0u);
    EXPECT_EQ(row1, "2025-12-01T00:00:00Z,2025-12-01 00:00,100.00,14,20,0.8884,0.1741,7.8,0.7143,,,,,,,\r");
    EXPECT_EQ(row2.rfind("2025-12-01T00:30:00Z,2025-12-01 00:30,0.00,1,2,1.0000", 0), 0u);
}

TEST(PlanTest, ShowsUkLocalTimeInSummer) {
    EXPECT_EQ(UkLocalText(1782864000000), "2026-07-01 01:00");  // 2026-07-01T00:00Z is 01:00 BST
    EXPECT_EQ(UtcIso(1782864000000), "2026-07-01T00:00:00Z");
}

}  // namespace
}  // namespace crisisline::staffing
