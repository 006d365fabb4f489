// The fixed reports over a real SQLite store, with a fake clock.
#include "records/reports.hpp"

#include <gtest/gtest.h>

#include "records/audit_log.hpp"
#include "records/contacts.hpp"
#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"
#include "records/retention.hpp"
#include "reference/reference.hpp"

namespace crisisline::records {
namespace {

class ReportsTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (test)"}, {"retention_days", 30}}, ""),
                                 "system");
        ASSERT_TRUE(line) << line.error().message;
        line_ = *line;
    }

    void AddContacts(int n, const nlohmann::json& body) {
        Contacts contacts(Services());
        for (int i = 0; i < n; ++i) {
            auto c = contacts.Create(counsellor_, "police", Fields(body, ""));
            ASSERT_TRUE(c) << c.error().field << ": " << c.error().message;
        }
    }

    nlohmann::json Build(const std::string& name, const std::string& period) {
        auto p = reports::ParsePeriod(period);
        EXPECT_TRUE(p);
        auto r = BuildReport(*store_, line_, name, *p);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : nlohmann::json();
    }

    // The cell of the demand table at `region` x `role`.
    static nlohmann::json Cell(const nlohmann::json& report, const std::string& region, const std::string& role) {
        const auto& t = report["sections"][0];
        size_t r = 0, c = 0;
        while (t["rows"][r] != region) ++r;
        while (t["columns"][c] != role) ++c;
        return t["cells"][r][c];
    }

    LineConfig line_;
    staff::Principal counsellor_{"st_counsellor", "Sam", {staff::Role::kCounsellor}, {"police"}};
    staff::Principal manager_{"st_manager", "Lee", {staff::Role::kServiceManager}, {}};
};

TEST_F(ReportsTest, TheDemandTableHasItsFixedShapeWhateverTheData) {
    auto empty = Build("demand", "2026-11");
    AddContacts(12, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(9, {{"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    auto filled = Build("demand", "2026-11");
    const auto& t = filled["sections"][0];
    EXPECT_EQ(t["rows"], empty["sections"][0]["rows"]);
    EXPECT_EQ(t["columns"], empty["sections"][0]["columns"]);
    EXPECT_EQ(t["rows"].size(), reference::RegionNames().size() + 1) << "every region, and not_recorded";
    EXPECT_EQ(Cell(filled, "North East", "police_officer")["value"], 10) << "12 rounded to 5";
    EXPECT_EQ(Cell(filled, "North East", "police_staff")["value"], 10) << "9 rounded to 5";
    EXPECT_EQ(t["total"]["value"], 20) << "21 rounded, not 10 + 10";
    EXPECT_EQ(Cell(filled, "Wales", "police_officer"), (nlohmann::json{{"value", nullptr}, {"suppressed", true}}))
        << "a zero is shown as any suppressed cell";
    EXPECT_EQ(Cell(empty, "North East", "police_officer"), Cell(filled, "Wales", "police_officer"));
}

TEST_F(ReportsTest, ASmallCellIsSuppressedWithASecondSoItsTotalCannotGiveItAway) {
    AddContacts(20, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(1, {{"force", "cleveland_police"}, {"caller_role", "police_staff"}});
    auto r = Build("demand", "2026-11");
    EXPECT_TRUE(Cell(r, "North East", "police_staff")["suppressed"]);
    const auto& t = r["sections"][0];
    size_t hidden_in_row = 0;
    size_t ne = 0;
    while (t["rows"][ne] != "North East") ++ne;
    for (const auto& cell : t["cells"][ne]) hidden_in_row += cell["suppressed"].get<bool>() ? 1 : 0;
    hidden_in_row += t["row_totals"][ne]["suppressed"].get<bool>() ? 1 : 0;
    EXPECT_GE(hidden_in_row, 2u) << t.dump();
}

TEST_F(ReportsTest, ServiceLevelsCountOnlyPhoneCallsAndHideRatesOverHiddenCounts) {
    AddContacts(3, {{"caller_role", "police_officer"}});  // no channel: not a phone call
    auto r = Build("service_levels", "2026-11");
    EXPECT_EQ(r["sections"][0]["name"], "calls");
    EXPECT_TRUE(r["sections"][0]["total"]["suppressed"]);
    for (const auto& f : r["sections"][1]["items"]) {
        EXPECT_TRUE(f["suppressed"]) << f.dump();
        EXPECT_TRUE(f["value"].is_null()) << f.dump();
    }
    EXPECT_FALSE(r["not_available"].empty()) << "wrap-up is not recorded and says so";
}

TEST_F(ReportsTest, DaysAndWeeksAreForServiceLevelsOnly) {
    auto week = reports::ParsePeriod("2026-W48");
    ASSERT_TRUE(week);
    EXPECT_TRUE(BuildReport(*store_, line_, "service_levels", *week));
    auto demand = BuildReport(*store_, line_, "demand", *week);
    ASSERT_FALSE(demand);
    EXPECT_EQ(demand.error().field, "period");
    auto unknown = BuildReport(*store_, line_, "statistics", *week);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(unknown.error().field, "report");
}

TEST_F(ReportsTest, EveryRequestIsAuditedAndEachPersonIsLimited) {
    Reports reports(Services(), 3);
    TimeMs retry = 0;
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(reports.Run(manager_, "police", "themes", "2026-11", retry));
    auto refused = reports.Run(manager_, "police", "themes", "2026-11", retry);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kThrottled);
    EXPECT_GT(retry, 0);
    EXPECT_LE(retry, kHourMs);
    auto entries = ListAudit(*store_, 1, 1000);
    ASSERT_TRUE(entries);
    int audited = 0;
    for (const auto& e : (*entries)["entries"]) {
        if (e["action"] == "report.read") {
            EXPECT_EQ(e["actor"], "st_manager");
            EXPECT_EQ(e["record_id"], "themes/2026-11");
            ++audited;
        }
    }
    EXPECT_EQ(audited, 3) << "the refused request read nothing";
    auto no_line = reports.Run(counsellor_, "nowhere", "themes", "2026-11", retry);
    ASSERT_FALSE(no_line);
    EXPECT_EQ(no_line.error().field, "line");
}

TEST_F(ReportsTest, PurgedContactsStillCountThroughTheKeptCounts) {
    const std::string month = FormatTime(clock_.Now() - 40 * kDayMs).substr(0, 7);
    AddContacts(9, {{"arrived_at", FormatTime(clock_.Now() - 40 * kDayMs)},
                    {"force", "cleveland_police"},
                    {"caller_role", "police_officer"},
                    {"outcome", "support_given"}});
    const auto before = Build("demand", month);
    auto s = Services();
    auto purged = Purge(s);
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->contacts, 9);
    EXPECT_EQ(Build("demand", month), before);
    EXPECT_EQ(Cell(before, "North East", "police_officer")["value"], 10);
    const auto outcomes = Build("outcomes", month);
    EXPECT_EQ(outcomes["sections"][0]["total"]["value"], 10);
}

TEST_F(ReportsTest, CsvShowsZeroAndSmallCountsAlikeAsSuppressed) {
    AddContacts(2, {{"caller_role", "police_officer"}, {"themes", {"sleep_problems"}}});
    auto csv = ReportCsv(Build("themes", "2026-11"));
    EXPECT_EQ(csv.rfind("section,row,column,value\r\n", 0), 0u);
    EXPECT_NE(csv.find("contacts_by_theme,sleep_problems,,suppressed\r\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("contacts_by_theme,bereavement,,suppressed\r\n"), std::string::npos) << csv;
}

TEST_F(ReportsTest, ALineMaySuppressMoreButNeverLess) {
    Lines lines(Services());
    auto strict = lines.Create(Fields({{"id", "fire"}, {"name", "Fire"}, {"disclosure", {{"threshold", 10}}}}, ""),
                               "system");
    ASSERT_TRUE(strict);
    EXPECT_EQ(RulesOf(*strict).threshold, 10);
    EXPECT_EQ(LineJson(*strict)["disclosure"]["threshold"], 10);
    auto loose = lines.Create(Fields({{"id", "ambulance"}, {"name", "Ambulance"}, {"disclosure", {{"threshold", 4}}}},
                                     ""),
                              "system");
    ASSERT_FALSE(loose);
    EXPECT_EQ(loose.error().field, "disclosure.threshold");
    auto rounding = lines.Create(
        Fields({{"id", "ambulance"}, {"name", "Ambulance"}, {"disclosure", {{"rounding", 1}}}}, ""), "system");
    ASSERT_FALSE(rounding);
    EXPECT_EQ(rounding.error().field, "disclosure.rounding");
}

}  // namespace
}  // namespace crisisline::records
