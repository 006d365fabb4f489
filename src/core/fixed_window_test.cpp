#include "core/fixed_window.hpp"

#include <gtest/gtest.h>

namespace crisisline {
namespace {

TEST(FixedWindowLimitTest, RefusesPastTheLimitUntilTheWindowEnds) {
    FixedWindowLimit allowance(3, kHourMs);
    const TimeMs t0 = 1'000'000;
    for (int i = 0; i < 3; ++i) EXPECT_EQ(allowance.Take("manager", t0 + i), 0) << i;
    EXPECT_EQ(allowance.Take("manager", t0 + 10 * kMinuteMs), 50 * kMinuteMs) << "the wait is what is left of it";
    EXPECT_EQ(allowance.Take("other", t0 + 10 * kMinuteMs), 0) << "each person has their own";
    EXPECT_EQ(allowance.Take("manager", t0 + kHourMs), 0) << "a new window";
}

TEST(FixedWindowLimitTest, ForgetsEndedWindowsWhenFull) {
    FixedWindowLimit allowance(1, kHourMs, 2);
    EXPECT_EQ(allowance.Take("a", 0), 0);
    EXPECT_EQ(allowance.Take("b", 0), 0);
    EXPECT_EQ(allowance.Take("c", 2 * kHourMs), 0);
    EXPECT_GT(allowance.Take("c", 2 * kHourMs + 1), 0) << "c's window still counts";
}

}  // namespace
}  // namespace crisisline
