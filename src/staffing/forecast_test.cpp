#include "staffing/forecast.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "staffing/calendar.hpp"

namespace crisisline::staffing {
namespace {

using namespace std::chrono;

TimeMs At(year_month_day d, int hour = 0) {
    return duration_cast<milliseconds>(sys_days{d}.time_since_epoch()).count() + hour * kHourMs;
}

// A known weekly pattern on the local clock: quiet nights, a busier evening, busier weekends.
double Pattern(int slot) {
    const int half_hour = slot % 48, day = slot / 48;
    return 4 + 3 * std::sin(2 * M_PI * (half_hour - 12) / 48.0) + (day >= 5 ? 1.5 : 0);
}

// The pattern plus a trend of `trend` calls per half hour per half hour, with uniform noise of +-`noise`.
HalfHourSeries Synthetic(TimeMs start, int weeks, double trend, double noise, std::uint64_t seed,
                         const std::function<double(int)>& pattern = Pattern) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> jitter(-noise, noise);
    HalfHourSeries s{start, {}};
    for (int i = 0; i < weeks * kSlotsPerWeek; ++i) {
        const TimeMs t = start + i * kHalfHourMs;
        s.counts.push_back(std::max(0.0, pattern(WeekSlot(t)) + trend * i + jitter(rng)));
    }
    return s;
}

TEST(ForecastTest, RecoversAWeeklyPatternWithTrend) {
    // Ten winter weeks (no bank holiday, no change of clock), then the next week forecast and compared with the
    // pattern and trend the history was made from (not with noisy counts): within 5 % (WAPE), and no half hour
    // more than 1 call out.
    const TimeMs start = At(year{2026} / January / 5);
    const double trend = 0.0005;  // about +0.17 calls per half hour each week
    const HalfHourSeries history = Synthetic(start, 10, trend, 0.5, 11);
    auto model = FitForecast(history);
    ASSERT_TRUE(model.has_value()) << model.error().message;
    const std::vector<double> next = Forecast(*model, history.End(), kSlotsPerWeek);
    double abs_error = 0, total = 0, worst = 0;
    for (int i = 0; i < kSlotsPerWeek; ++i) {
        const TimeMs t = history.End() + i * kHalfHourMs;
        const double truth = Pattern(WeekSlot(t)) + trend * (static_cast<double>(history.counts.size()) + i);
        abs_error += std::abs(next[i] - truth);
        total += truth;
        worst = std::max(worst, std::abs(next[i] - truth));
    }
    EXPECT_LT(abs_error / total, 0.05) << "WAPE against the known pattern";
    EXPECT_LT(worst, 1.0);
    EXPECT_NEAR(model->trend, trend, 0.0005);
}

TEST(ForecastTest, TreatsBankHolidaysAsSundays) {
    // Sundays (and bank holidays) are busy, other days quiet. Fitted up to Friday 1 May 2026, the forecast for
    // the Monday of the early May bank holiday (4 May) must look like a Sunday, not a Monday.
    auto pattern = [](int slot) { return slot / 48 == 6 ? 10.0 : 2.0; };
    const TimeMs start = At(year{2026} / February / 2);
    const TimeMs end = At(year{2026} / May / 1);
    const int weeks = static_cast<int>((end - start) / (7 * kDayMs));
    const HalfHourSeries history = Synthetic(start, weeks, 0, 0.2, 5, pattern);
    auto model = FitForecast(history);
    ASSERT_TRUE(model.has_value()) << model.error().message;
    const TimeMs monday_noon = UkLocalToUtc(year{2026} / May / 4, 12 * 60);
    const TimeMs tuesday_noon = UkLocalToUtc(year{2026} / May / 5, 12 * 60);
    EXPECT_NEAR(Forecast(*model, monday_noon, 1)[0], 10, 1.0);
    EXPECT_NEAR(Forecast(*model, tuesday_noon, 1)[0], 2, 1.0);
}

TEST(ForecastTest, BacktestsTheLastEightWeeks) {
    const HalfHourSeries history = Synthetic(At(year{2026} / January / 5), 12, 0.0002, 0.5, 3);
    auto r = Backtest(history, 8);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->weeks, 8);
    EXPECT_EQ(r->intervals, 8 * kSlotsPerWeek);
    EXPECT_GT(r->wape, 0);     // the noise cannot be forecast
    EXPECT_LT(r->wape, 0.10);  // but the pattern can
    ASSERT_TRUE(r->mape.has_value());
    // A history too short for eight weeks of test after two of start is refused, naming it.
    auto short_one = Backtest(Synthetic(At(year{2026} / January / 5), 9, 0, 0.5, 3), 8);
    ASSERT_FALSE(short_one.has_value());
    EXPECT_EQ(short_one.error().field, "history");
}

TEST(ForecastTest, RefusesAHistoryItCannotUse) {
    HalfHourSeries week{At(year{2026} / January / 5), std::vector<double>(kSlotsPerWeek, 1)};
    auto r = FitForecast(week);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().field, "history");
    HalfHourSeries off{At(year{2026} / January / 5) + 60000, std::vector<double>(2 * kSlotsPerWeek, 1)};
    EXPECT_FALSE(FitForecast(off).has_value());
    HalfHourSeries negative{At(year{2026} / January / 5), std::vector<double>(2 * kSlotsPerWeek, 1)};
    negative.counts[5] = -1;
    EXPECT_FALSE(FitForecast(negative).has_value());
}

TEST(ForecastTest, ScalesANewRegionByWorkforce) {
    // 1,500 served (3 and 6 calls in two half hours): a region of 750 expects half of that.
    auto r = ForecastForNewRegion({{{2, 4}, 1000}, {{1, 2}, 500}}, 750);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 2u);
    EXPECT_DOUBLE_EQ((*r)[0], 1.5);
    EXPECT_DOUBLE_EQ((*r)[1], 3.0);
    EXPECT_FALSE(ForecastForNewRegion({{{2, 4}, 0}}, 750).has_value());
    EXPECT_FALSE(ForecastForNewRegion({{{2, 4}, 10}, {{1}, 10}}, 750).has_value());
    EXPECT_FALSE(ForecastForNewRegion({}, 750).has_value());
    EXPECT_FALSE(ForecastForNewRegion({{{2, 4}, 10}}, -1).has_value());
}

}  // namespace
}  // namespace crisisline::staffing
