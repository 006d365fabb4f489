#include "records/demo_history.hpp"

#include <gtest/gtest.h>

#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"
#include "records/reports.hpp"
#include "reference/reference.hpp"

namespace crisisline::records {
namespace {

class DemoHistoryTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(
            Fields({{"id", "police"}, {"name", "Police (demo)"}, {"region_starts", RegionStartsJson(DemoRegionStarts())}},
                   ""),
            "system");
        ASSERT_TRUE(line);
        line_ = *line;
    }

    nlohmann::json Report(const std::string& name, const std::string& period) {
        auto p = reports::ParsePeriod(period);
        EXPECT_TRUE(p) << period;
        auto key = keys_->Line("police");
        EXPECT_TRUE(key);
        auto r = BuildReport(*store_, line_, name, *p, **key);
        EXPECT_TRUE(r) << r.error().message;
        return *r;
    }

    static nlohmann::json RowTotal(const nlohmann::json& demand, const std::string& region) {
        const auto& t = demand["sections"][0];
        for (size_t r = 0; r < t["rows"].size(); ++r) {
            if (t["rows"][r] == region) return t["row_totals"][r];
        }
        return nullptr;
    }

    LineConfig line_;
};

TEST(DemoForceWorkforceTest, EveryForceHasAFictionalFigureTheLineAccepts) {
    const auto forces = DemoForceWorkforce();
    ASSERT_EQ(forces.size(), reference::ForceCodes().size());
    for (const auto& w : forces) {
        EXPECT_EQ(w.workforce_source, "FICTIONAL demo figure") << w.force;
        EXPECT_GE(w.workforce, 1'200) << w.force;
    }
    auto line = LineFromFields(
        Fields({{"id", "police"}, {"name", "Police (demo)"}, {"force_workforce", ForceWorkforceJson(forces)}}, ""),
        nullptr);
    ASSERT_TRUE(line) << line.error().field << ": " << line.error().message;
    EXPECT_EQ(line->force_workforce.size(), forces.size());
}

TEST_F(DemoHistoryTest, OneHistoryFromTheNorthEastPilotToNationalWithEveryReportFilled) {
    auto s = Services();
    // The fake clock is 2026-11-27: the history runs from the pilot's start, 2024-06-01, to now.
    auto added = AddDemoHistory(s, line_, {"st_c", "st_s"}, clock_.Now());
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_GT(*added, 20000);
    EXPECT_TRUE(Report("demand", "2024-05")["sections"][0]["total"]["suppressed"]) << "nothing before the pilot";
    const auto pilot = Report("demand", "2025-05");
    EXPECT_FALSE(RowTotal(pilot, "North East")["suppressed"]);
    EXPECT_TRUE(RowTotal(pilot, "Wales")["suppressed"]) << "the pilot is the North East, with a trickle from elsewhere";
    const auto national = Report("demand", "2026-10");
    EXPECT_FALSE(RowTotal(national, "Wales")["suppressed"]);
    // The demo's forces are sealed as a counsellor's are, and the monthly demand counts them.
    const auto& by_force = national["sections"][3];
    ASSERT_EQ(by_force["name"], "contacts_by_force");
    std::int64_t shown = 0;
    for (const auto& g : by_force["groups"]) {
        for (const auto& f : g["items"]) shown += f["suppressed"].get<bool>() ? 0 : 1;
    }
    EXPECT_GT(shown, 10) << by_force.dump();
    EXPECT_FALSE(Report("demand", "2026-11")["sections"][0]["total"]["suppressed"]) << "up to now: one history";
    const auto service_levels = Report("service_levels", "2026-10");
    for (const auto& f : service_levels["sections"][1]["items"]) {
        EXPECT_FALSE(f["suppressed"]) << f.dump();
    }
    EXPECT_FALSE(Report("follow_ups", "2026-Q3")["sections"][0]["total"]["suppressed"]);
    EXPECT_FALSE(Report("escalations", "2026")["sections"][0]["total"]["suppressed"]);
    // Pilot to national: in 2025 the other regions have demand both before and since their launch in July.
    const auto roll_out = Report("roll_out", "2025");
    const auto& t = roll_out["sections"][0];
    size_t wales = 0, north_east = 0;
    while (t["rows"][wales] != "Wales") ++wales;
    while (t["rows"][north_east] != "North East") ++north_east;
    ASSERT_FALSE(t["cells"][wales][0]["suppressed"]) << t.dump();
    ASSERT_FALSE(t["cells"][wales][1]["suppressed"]) << t.dump();
    EXPECT_GT(t["cells"][wales][1]["value"].get<int>(), t["cells"][wales][0]["value"].get<int>());
    EXPECT_TRUE(t["cells"][north_east][0]["not_applicable"]) << "the pilot began in 2024";
    for (const auto& rate : roll_out["sections"][1]["items"]) EXPECT_FALSE(rate["suppressed"]) << rate.dump();
}

// The staffing forecast reads the same calls as the reports: there is no second demo history.
TEST_F(DemoHistoryTest, TheLastWeeksAreTheSameCallsForStaffingAndReports) {
    auto s = Services();
    ASSERT_TRUE(AddDemoHistory(s, line_, {"st_c", "st_s"}, clock_.Now()));
    std::int64_t phone_calls = 0, answered = 0, with_region = 0;
    auto read = store_->Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListContactFacts("police", clock_.Now() - 12 * 7 * kDayMs, clock_.Now());
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& row : *rows) {
            const auto facts = nlohmann::json::parse(row.facts_json);
            phone_calls += facts.value("channel", "") == "phone" ? 1 : 0;
            answered += row.answered_at ? 1 : 0;
            with_region += facts.contains("region") ? 1 : 0;
        }
        return {};
    });
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_GT(phone_calls, 3000) << "about 400 a week: enough for the staffing forecast";
    EXPECT_LT(phone_calls, 7000) << "not two histories on top of each other";
    EXPECT_EQ(with_region, answered) << "every answered call carries the coded facts the reports count";
    EXPECT_GT(phone_calls - answered, 100) << "some callers hang up before they are answered, saying nothing";
    Lines lines(Services());
    auto bare = lines.Create(Fields({{"id", "fire"}, {"name", "Fire (demo)"}}, ""), "system");
    ASSERT_TRUE(bare);
    auto refused = AddDemoHistory(s, *bare, {"st_c", "st_s"}, clock_.Now());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "region_starts");
}

}  // namespace
}  // namespace crisisline::records
