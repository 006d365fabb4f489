#include "staff/throttle.hpp"

#include <gtest/gtest.h>

namespace crisisline::staff {
namespace {

TEST(SignInThrottleTest, AllowsTheAllowanceThenRefusesUntilTheWindowEnds) {
    SignInThrottle throttle(3, kMinuteMs);
    EXPECT_TRUE(throttle.Allow("10.0.0.1", 0));
    EXPECT_TRUE(throttle.Allow("10.0.0.1", 1));
    EXPECT_TRUE(throttle.Allow("10.0.0.1", 2));
    EXPECT_FALSE(throttle.Allow("10.0.0.1", 3));
    EXPECT_TRUE(throttle.Allow("10.0.0.2", 3)) << "another address has its own allowance";
    EXPECT_FALSE(throttle.Allow("10.0.0.1", kMinuteMs - 1));
    EXPECT_TRUE(throttle.Allow("10.0.0.1", kMinuteMs));
}

TEST(SignInThrottleTest, StaysBoundedUnderManyAddresses) {
    SignInThrottle throttle(1, kMinuteMs, 100);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(throttle.Allow("a" + std::to_string(i), 0));
    EXPECT_TRUE(throttle.Allow("a999", kMinuteMs)) << "a new window after the old one ended";
}

}  // namespace
}  // namespace crisisline::staff
