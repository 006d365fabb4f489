#include "records/today.hpp"

#include <gtest/gtest.h>

namespace crisisline::records {
namespace {

TEST(TodayTest, TheDayStartsAtMidnightUtc) {
    const TimeMs noon = *ParseTime("2026-11-27T12:34:56Z");
    EXPECT_EQ(FormatTime(StartOfUtcDay(noon)), "2026-11-27T00:00:00.000Z");
    const TimeMs midnight = *ParseTime("2026-11-27T00:00:00Z");
    EXPECT_EQ(StartOfUtcDay(midnight), midnight);
    // A time given with an offset is still counted from midnight UTC.
    EXPECT_EQ(FormatTime(StartOfUtcDay(*ParseTime("2026-11-28T00:30:00+01:00"))), "2026-11-27T00:00:00.000Z");
}

TEST(TodayTest, RatesAreFractionsOfOfferedAndSpeedIsOverTheAnswered) {
    store::PhoneTally tally;
    tally.offered = 8;
    tally.answered = 5;
    tally.abandoned = 2;
    tally.overflowed = 1;
    tally.answered_within_20s = 2;
    tally.answered_within_60s = 4;
    tally.answer_wait_ms_total = 5 * 12'500;
    const TimeMs from = *ParseTime("2026-11-27T00:00:00Z");
    const nlohmann::json today = TodayJson(from, tally, 3);
    EXPECT_EQ(today["from"], "2026-11-27T00:00:00.000Z");
    EXPECT_EQ(today["offered"], 8);
    EXPECT_EQ(today["answered"], 5);
    EXPECT_EQ(today["abandoned"], 2);
    EXPECT_EQ(today["overflowed"], 1);
    EXPECT_DOUBLE_EQ(today["answer_rate"].get<double>(), 5.0 / 8);
    EXPECT_DOUBLE_EQ(today["average_speed_of_answer_s"].get<double>(), 12.5);
    EXPECT_EQ(today["answered_within_20s"], 2);
    EXPECT_EQ(today["answered_within_60s"], 4);
    EXPECT_DOUBLE_EQ(today["service_level_20s"].get<double>(), 2.0 / 8);
    EXPECT_DOUBLE_EQ(today["service_level_60s"].get<double>(), 4.0 / 8);
    EXPECT_EQ(today["follow_ups_overdue"], 3);
}

TEST(TodayTest, NothingOfferedGivesNullRatherThanZeroOrNaN) {
    const nlohmann::json today = TodayJson(0, store::PhoneTally{}, 0);
    EXPECT_EQ(today["offered"], 0);
    for (const char* key : {"answer_rate", "average_speed_of_answer_s", "service_level_20s", "service_level_60s"}) {
        EXPECT_TRUE(today[key].is_null()) << key;
    }
    store::PhoneTally only_abandoned;
    only_abandoned.offered = 1;
    only_abandoned.abandoned = 1;
    const nlohmann::json sad = TodayJson(0, only_abandoned, 0);
    EXPECT_EQ(sad["answer_rate"], 0.0);
    EXPECT_TRUE(sad["average_speed_of_answer_s"].is_null());
}

}  // namespace
}  // namespace crisisline::records
