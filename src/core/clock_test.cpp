#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace crisisline {
namespace {

TEST(ClockTest, FormatsUtcWithMilliseconds) {
    EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatTime(1795806254123), "2026-11-27T19:04:14.123Z");
}

TEST(ClockTest, ParsesWhatItFormats) {
    for (TimeMs t : {TimeMs{0}, TimeMs{1795806254123}, TimeMs{951782400000}}) {
        auto parsed = ParseTime(FormatTime(t));
        ASSERT_TRUE(parsed.has_value()) << FormatTime(t);
        EXPECT_EQ(*parsed, t);
    }
}

TEST(ClockTest, ParsesOffsetsAndWholeSeconds) {
    EXPECT_EQ(ParseTime("2026-11-27T19:04:14Z"), 1795806254000);
    EXPECT_EQ(ParseTime("2026-11-27T20:04:14+01:00"), 1795806254000);
}

TEST(ClockTest, RejectsMalformedTimes) {
    for (const char* bad : {"", "2026-11-27", "2026-13-01T00:00:00Z", "2026-02-31T00:00:00Z", "2026-11-27T19:04:14",
                            "2026-11-27T19:04:14Zjunk", "yesterday", "2026-11-27T25:00:00Z", "2026-11-27T19:04:14.Z",
                            "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2026-11-27T19:04:14+24:00",
                            "2026-11-27T19:04:14+01:60"}) {
        EXPECT_FALSE(ParseTime(bad).has_value()) << bad;
    }
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
    FakeClock clock(1000);
    EXPECT_EQ(clock.Now(), 1000);
    clock.Advance(kMinuteMs);
    EXPECT_EQ(clock.Now(), 1000 + kMinuteMs);
}

}  // namespace
}  // namespace crisisline
