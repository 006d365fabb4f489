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

TEST(FailureDelaysTest, WaitsGrowAfterTheFreeFailuresAndNeverBecomeARefusal) {
    FailureDelays delays({.free_failures = 5, .first_delay = kSecondMs, .max_delay = 15 * kMinuteMs});
    TimeMs now = 0;
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now), 0) << "failure " << i;
        EXPECT_EQ(delays.Failed("alex|10.0.0.1", now), 0) << "failure " << i;
    }
    const TimeMs expected[] = {0, kSecondMs, 2 * kSecondMs, 4 * kSecondMs, 8 * kSecondMs};
    EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now), expected[0]);
    for (int i = 1; i < 5; ++i) {
        EXPECT_EQ(delays.Failed("alex|10.0.0.1", now), expected[i]) << "failure " << 5 + i;
        EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now + expected[i] - 1), 1) << "one ms before the wait ends";
        now += expected[i];
        EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now), 0) << "the wait has passed";
    }
    for (int i = 0; i < 40; ++i) delays.Failed("alex|10.0.0.1", now);
    EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now), 15 * kMinuteMs) << "capped";
    EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", now + 15 * kMinuteMs), 0) << "never a lasting lock";
}

TEST(FailureDelaysTest, KeysAreIndependentAndASuccessStartsAgain) {
    FailureDelays delays({.free_failures = 1, .first_delay = kSecondMs});
    delays.Failed("alex|203.0.113.9", 0);
    delays.Failed("alex|203.0.113.9", 0);
    EXPECT_GT(delays.WaitFor("alex|203.0.113.9", 0), 0);
    EXPECT_EQ(delays.WaitFor("alex|10.0.0.1", 0), 0) << "the stranger's failures do not slow alex's own desk";
    delays.Succeeded("alex|203.0.113.9");
    EXPECT_EQ(delays.WaitFor("alex|203.0.113.9", 0), 0);
    EXPECT_EQ(delays.Failed("alex|203.0.113.9", 0), 0) << "counting starts again";
}

TEST(FailureDelaysTest, OldFailuresAreForgottenAndMemoryStaysBounded) {
    FailureDelays delays({.free_failures = 1, .first_delay = kSecondMs, .forget_after = kHourMs, .max_tracked = 100});
    delays.Failed("k", 0);
    EXPECT_EQ(delays.Failed("k", kHourMs), 0) << "an hour later the count starts again";
    for (int i = 0; i < 1000; ++i) delays.Failed("a" + std::to_string(i), 2 * kHourMs);
    EXPECT_EQ(delays.Failed("a999", 2 * kHourMs), kSecondMs) << "the newest key is still counted";
}

}  // namespace
}  // namespace crisisline::staff
