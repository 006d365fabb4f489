#include "telephony/admission.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

TEST(NewCallRate, ABurstOfTheRateThenTheRateASecond) {
    NewCallRate rate(5);
    int admitted = 0;
    for (int i = 0; i < 50; ++i) admitted += rate.Take("carrier", 1'000);
    EXPECT_EQ(admitted, 5) << "50 at once: a burst of 5";
    EXPECT_EQ(rate.Wait("carrier", 1'000), 200);
    EXPECT_FALSE(rate.Take("carrier", 1'100));
    EXPECT_TRUE(rate.Take("carrier", 1'200)) << "one more every 200 ms";
    admitted = 0;
    for (TimeMs t = 1'200; t < 11'200; t += 2) admitted += rate.Take("carrier", t);  // 500 a second for 10 s
    EXPECT_GE(admitted, 49);
    EXPECT_LE(admitted, 51);
}

TEST(NewCallRate, TrunksHaveBucketsOfTheirOwn) {
    NewCallRate rate(1);
    EXPECT_TRUE(rate.Take("a", 0));
    EXPECT_FALSE(rate.Take("a", 10));
    EXPECT_TRUE(rate.Take("b", 10));
    EXPECT_EQ(rate.Wait("c", 10), 0);
}

TEST(NewCallRate, AQuietTrunkDoesNotSaveUpMoreThanOneBurst) {
    NewCallRate rate(3);
    EXPECT_TRUE(rate.Take("a", 0));
    int admitted = 0;
    for (int i = 0; i < 10; ++i) admitted += rate.Take("a", 60'000);
    EXPECT_EQ(admitted, 3);
}

}  // namespace
}  // namespace crisisline::telephony
