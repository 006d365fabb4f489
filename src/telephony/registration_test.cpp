#include "telephony/registration.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

TEST(Registration, ExpiresIsDeltaSecondsClampedAt32Bits) {
    struct Case {
        const char* text;
        std::optional<std::int64_t> want;
    };
    const Case cases[] = {
        {"3600", 3600},           {"0", 0},         {" 60 ", 60},
        {"4294967295", 4294967295LL}, {"4294967296", 4294967295LL}, {"99999999999999999999999", 4294967295LL},
        {"-1", std::nullopt},     {"", std::nullopt}, {"3600s", std::nullopt},
        {"0x10", std::nullopt},   {"+5", std::nullopt},
    };
    for (const auto& c : cases) EXPECT_EQ(ParseExpires(c.text), c.want) << "Expires: '" << c.text << "'";
}

TEST(Registration, WrongCredentialsFromOneAddressAreThrottledThere) {
    RegistrationThrottle throttle(3, 60'000, 100);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(throttle.Wait("phone1", "10.0.0.9", i), 0) << "attempt " << i;
        throttle.Failed("phone1", "10.0.0.9", i);
    }
    EXPECT_EQ(throttle.Wait("phone1", "10.0.0.9", 10), 60'000 - 10);
    EXPECT_EQ(throttle.Wait("phone1", "10.0.0.1", 10), 0) << "the counsellor's own phone is not locked out";
    EXPECT_EQ(throttle.Wait("phone2", "10.0.0.9", 10), 0) << "per account";
    EXPECT_EQ(throttle.Wait("phone1", "10.0.0.9", 60'000), 0) << "the oldest failure has aged out";
}

TEST(Registration, ASuccessClearsTheFailures) {
    RegistrationThrottle throttle(2, 60'000, 100);
    throttle.Failed("phone1", "10.0.0.1", 0);
    throttle.Succeeded("phone1", "10.0.0.1");
    throttle.Failed("phone1", "10.0.0.1", 1);
    EXPECT_EQ(throttle.Wait("phone1", "10.0.0.1", 2), 0);
}

TEST(Registration, ThrottleKeepsAtMostItsCapacity) {
    RegistrationThrottle throttle(2, 60'000, 10);
    for (int i = 0; i < 1000; ++i) throttle.Failed("phone" + std::to_string(i), "10.0.0.9", i);
    EXPECT_LE(throttle.Size(), 10u);
    throttle.Failed("phone999", "10.0.0.9", 1001);
    EXPECT_GT(throttle.Wait("phone999", "10.0.0.9", 1002), 0) << "the newest are kept";
}

}  // namespace
}  // namespace crisisline::telephony
