// The staffing plan from counted history (pure): forecast method by history length, handling time and
// patience from the summed timings, Erlang C and A per half hour for the line's target.
#include "records/staffing_plan.hpp"

#include <gtest/gtest.h>

#include "staffing/erlang.hpp"

namespace crisisline::records {
namespace {

// 2026-W49: Monday 30 November 2026 00:00 GMT.
const staffing::Week kWeek = *staffing::ParseIsoWeek("2026-W49", "week");

StaffingHistory Steady(int weeks, int calls_per_half_hour) {
    StaffingHistory h;
    h.to = kWeek.from;
    const std::int64_t last = kWeek.from / staffing::kHalfHourMs;
    for (std::int64_t i = last - weeks * staffing::kSlotsPerWeek; i < last; ++i) h.arrivals.push_back({i, calls_per_half_hour});
    // 100 answered calls of 600 s talk, 80 closed after 60 s of wrap-up; 10 abandoned; 2,000 s waited in all.
    h.timings = {100, 100 * 600'000, 80, 80 * 60'000, 10, 2'000'000};
    return h;
}

TEST(StaffingPlanTest, ForecastsAndStaffsTheWeekFromHistory) {
    LineConfig line;
    line.id = "police";
    line.routing.wrap_up_s = 120;  // the 20 calls not yet closed count this
    const StaffingAnswer a = PlanFromHistory(line, "2026-W49", kWeek, Steady(4, 10));
    EXPECT_EQ(a.json["forecast"]["method"], "holt_winters");
    EXPECT_TRUE(a.json["forecast"]["backtest"].is_null());  // four weeks: too short for an eight-week backtest
    // (100 * 600 + 80 * 60 + 20 * 120) / 100 = 672 s; patience 2,000 s / 10 = 200 s.
    EXPECT_DOUBLE_EQ(a.json["handling_s"].get<double>(), 672);
    EXPECT_DOUBLE_EQ(a.json["patience_s"].get<double>(), 200);
    ASSERT_EQ(a.json["intervals"].size(), 336u);
    const nlohmann::json& first = a.json["intervals"][0];
    EXPECT_EQ(first["start"], "2026-11-30T00:00:00.000Z");
    EXPECT_NEAR(first["forecast_calls"].get<double>(), 10, 0.05);
    const staffing::Target target{0.9, 20, 0.85, 0.3, 1};
    const staffing::Demand demand{a.plan[0].forecast_calls / 1800, 672};
    EXPECT_EQ(first["erlang_c"]["on_phones"], staffing::RequiredErlangC(demand, target).on_phones);
    EXPECT_EQ(first["erlang_a"]["on_phones"], staffing::RequiredErlangA(demand, target, 200).on_phones);
    EXPECT_GE(first["erlang_c"]["service_level"].get<double>(), 0.9);
    EXPECT_EQ(a.json["target"]["service_level_percent"], 90);
    EXPECT_EQ(a.json["history"]["calls"], 4 * 336 * 10);
}

TEST(StaffingPlanTest, PlansWelshCoverFromTheWelshCallsAlone) {
    LineConfig line;
    line.id = "police";
    line.routing.wrap_up_s = 120;
    StaffingHistory h = Steady(4, 30);
    for (auto& c : h.arrivals) c.welsh = 3;  // a tenth of the calls in Welsh
    line.languages = {"en"};
    StaffingAnswer a = PlanFromHistory(line, "2026-W49", kWeek, h);
    EXPECT_TRUE(a.welsh_plan.empty());  // no Welsh on the line: no Welsh plan
    EXPECT_TRUE(a.json["intervals"][0]["welsh"].is_null());
    line.languages = {"en", "cy"};
    a = PlanFromHistory(line, "2026-W49", kWeek, h);
    ASSERT_EQ(a.welsh_plan.size(), a.plan.size());
    EXPECT_NEAR(a.welsh_plan[0].forecast_calls, 3, 0.05);
    // The Welsh calls alone, with the line's handling time and target (a separate small queue needs more than a
    // tenth of the whole), and at least one Welsh speaker.
    const staffing::Target target{0.9, 20, 0.85, 0.3, 1};
    const staffing::Demand welsh{a.welsh_plan[0].forecast_calls / 1800, 672};
    EXPECT_EQ(a.welsh_plan[0].erlang_c.rostered, staffing::RequiredErlangC(welsh, target).rostered);
    EXPECT_GT(a.welsh_plan[0].erlang_c.rostered, a.plan[0].erlang_c.rostered / 10);
    EXPECT_EQ(a.json["intervals"][0]["welsh"]["rostered"], a.welsh_plan[0].erlang_c.rostered);
    EXPECT_EQ(a.json["totals"]["welsh_peak_rostered"], a.welsh_plan[0].erlang_c.rostered);
    // No Welsh history: still one Welsh speaker on the phones in every half hour (rostered with shrinkage).
    for (auto& c : h.arrivals) c.welsh = 0;
    a = PlanFromHistory(line, "2026-W49", kWeek, h);
    for (const auto& w : a.welsh_plan) EXPECT_EQ(w.erlang_c.on_phones, 1);
}

TEST(StaffingPlanTest, AWhatIfGivesEachHalfHoursFiguresForTheNumberChosen) {
    LineConfig line;
    line.id = "police";
    StaffingAnswer a = PlanFromHistory(line, "2026-W49", kWeek, Steady(4, 10));
    AddWhatIf(a, line, 3);
    EXPECT_EQ(a.json["chosen_on_phones"], 3);
    const staffing::Demand demand{a.plan[0].forecast_calls / 1800, a.handling_s};
    const auto c = staffing::ErlangC(demand, 3, 20);
    const auto& chosen = a.json["intervals"][0]["chosen"];
    EXPECT_NEAR(chosen["erlang_c"]["service_level"].get<double>(), c.service_level, 1e-4);
    EXPECT_EQ(chosen["erlang_c"]["stable"], c.stable);
    ASSERT_TRUE(a.patience_s);
    const auto e = staffing::ErlangA(demand, 3, 20, *a.patience_s);
    EXPECT_NEAR(chosen["erlang_a"]["p_abandon"].get<double>(), e.p_abandon, 1e-4);
    // Fewer than the model's choice serve worse; the model's own choice is what the plan shows.
    EXPECT_LT(c.service_level, a.plan[0].erlang_c.performance.service_level);
    // Too few for the load: Erlang C's queue has no end, so no average wait.
    AddWhatIf(a, line, 1);
    EXPECT_FALSE(a.json["intervals"][0]["chosen"]["erlang_c"]["stable"].get<bool>());
    EXPECT_TRUE(a.json["intervals"][0]["chosen"]["erlang_c"]["asa_s"].is_null());
}

TEST(StaffingPlanTest, ForecastsNothingFromUnderTwoWeeks) {
    LineConfig line;
    line.id = "police";
    // One week's mean per half hour would be that week's calls, half hour by half hour: no forecast.
    StaffingAnswer a = PlanFromHistory(line, "2026-W49", kWeek, Steady(1, 3));
    EXPECT_EQ(a.json["forecast"]["method"], "too_little_history");
    for (const auto& i : a.json["intervals"]) ASSERT_EQ(i["forecast_calls"].get<double>(), 0) << i.dump();
    EXPECT_EQ(a.json["history"]["calls"], 1010) << "one week of 3 calls a half hour (1,008), rounded to 5";
    // The counts the plan rests on are published as the reports publish a count: a small one is null.
    StaffingHistory few = Steady(1, 3);
    few.timings.abandoned = 3;
    a = PlanFromHistory(line, "2026-W49", kWeek, few);
    EXPECT_EQ(a.json["handling_measured_calls"], 100);
    EXPECT_TRUE(a.json["patience_abandoned_calls"].is_null()) << a.json["patience_abandoned_calls"];
    StaffingHistory none;
    none.to = kWeek.from;
    a = PlanFromHistory(line, "2026-W49", kWeek, none);
    EXPECT_EQ(a.json["forecast"]["method"], "none");
    EXPECT_TRUE(a.json["patience_s"].is_null());  // nobody abandoned: Erlang A has no patience to use
    EXPECT_TRUE(a.json["intervals"][0]["erlang_a"].is_null());
    EXPECT_EQ(a.json["intervals"][0]["erlang_c"]["on_phones"], 1);  // the line's minimum
    EXPECT_DOUBLE_EQ(a.json["handling_s"].get<double>(), kAssumedTalkS + line.routing.wrap_up_s);
}

RegionStart Region(const std::string& name, TimeMs began_at, std::optional<std::int64_t> workforce) {
    return {name, "", began_at, workforce, ""};
}

TEST(StaffingPlanTest, ScalesTheForecastForARegionNotStartedByWorkforce) {
    LineConfig line;
    line.id = "police";
    const TimeMs long_ago = kWeek.from - 10 * 7 * kDayMs;
    // Served: 3,000 + 1,000 = 4,000 workforce; starting after the history ends: 2,000 (half) and one with none.
    line.region_starts = {Region("North East", long_ago, 3000), Region("Wales", long_ago, 1000),
                          Region("London", kWeek.from + kDayMs, 2000), Region("South East", kWeek.from, {})};
    const StaffingAnswer a = PlanFromHistory(line, "2026-W49", kWeek, Steady(4, 10));
    const nlohmann::json& regions = a.json["new_regions"];
    ASSERT_EQ(regions.size(), 2u) << regions.dump();
    const nlohmann::json& london = regions[0];
    EXPECT_EQ(london["region"], "London");
    EXPECT_EQ(london["served_workforce"], 4000);
    ASSERT_EQ(london["intervals_forecast_calls"].size(), a.plan.size());
    double total = 0;
    for (size_t i = 0; i < a.plan.size(); ++i) {
        EXPECT_NEAR(london["intervals_forecast_calls"][i].get<double>(), a.plan[i].forecast_calls / 2, 0.006);
        total += a.plan[i].forecast_calls / 2;
    }
    EXPECT_NEAR(london["forecast_calls"].get<double>(), total, 0.006);
    EXPECT_NEAR(total, 336 * 10 / 2, 336 * 0.05);
    EXPECT_TRUE(london["reason"].is_null());
    // No workforce for the new region: no forecast, and why.
    EXPECT_EQ(regions[1]["region"], "South East");
    EXPECT_TRUE(regions[1]["forecast_calls"].is_null());
    EXPECT_EQ(regions[1]["reason"], "the region has no workforce entered");
    // A served region without a workforce: the served total is not known, so nothing is scaled.
    line.region_starts[1].workforce.reset();
    const StaffingAnswer unknown = PlanFromHistory(line, "2026-W49", kWeek, Steady(4, 10));
    EXPECT_TRUE(unknown.json["new_regions"][0]["forecast_calls"].is_null());
    EXPECT_TRUE(unknown.json["new_regions"][0]["served_workforce"].is_null());
    EXPECT_EQ(unknown.json["new_regions"][0]["reason"], "a region already served has no workforce entered");
    // Every region started: none listed.
    line.region_starts = {Region("North East", long_ago, 3000)};
    EXPECT_TRUE(PlanFromHistory(line, "2026-W49", kWeek, Steady(4, 10)).json["new_regions"].empty());
}

}  // namespace
}  // namespace crisisline::records
