#include "records/demo_history.hpp"

#include <gtest/gtest.h>

#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"
#include "records/reports.hpp"

namespace crisisline::records {
namespace {

class DemoHistoryTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (demo)"}}, ""), "system");
        ASSERT_TRUE(line);
        line_ = *line;
    }

    nlohmann::json Report(const std::string& name, const std::string& period) {
        auto p = reports::ParsePeriod(period);
        EXPECT_TRUE(p) << period;
        auto r = BuildReport(*store_, line_, name, *p);
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

TEST_F(DemoHistoryTest, EighteenMonthsPilotRegionFirstThenNationalWithEveryReportFilled) {
    auto s = Services();
    // The fake clock is 2026-11-27: the history runs from 2025-05 to 2026-10.
    auto added = AddDemoHistory(s, "police", {"st_c", "st_s"}, clock_.Now());
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_GT(*added, 3000);
    const auto pilot = Report("demand", "2025-05");
    EXPECT_FALSE(RowTotal(pilot, "North East")["suppressed"]);
    EXPECT_TRUE(RowTotal(pilot, "Wales")["suppressed"]) << "the pilot is the North East alone";
    const auto national = Report("demand", "2026-10");
    EXPECT_FALSE(RowTotal(national, "Wales")["suppressed"]);
    EXPECT_TRUE(Report("demand", "2026-11")["sections"][0]["total"]["suppressed"]) << "nothing in the current month";
    for (const auto& f : Report("service_levels", "2026-10")["sections"][1]["items"]) {
        EXPECT_FALSE(f["suppressed"]) << f.dump();
    }
    EXPECT_FALSE(Report("follow_ups", "2026-Q3")["sections"][0]["total"]["suppressed"]);
    EXPECT_FALSE(Report("escalations", "2026")["sections"][0]["total"]["suppressed"]);
}

}  // namespace
}  // namespace crisisline::records
