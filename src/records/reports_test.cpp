// The fixed reports over a real SQLite store, with a fake clock.
#include "records/reports.hpp"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "records/audit_log.hpp"
#include "records/call_log.hpp"
#include "records/contacts.hpp"
#include "records/directory_book.hpp"
#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"
#include "records/retention.hpp"
#include "records/sealed_force.hpp"
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
        auto r = BuildReport(*store_, line_, name, *p, LineKey());
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

    const crypto::SecretKey& LineKey() {
        auto key = keys_->Line("police");
        EXPECT_TRUE(key) << key.error().message;
        return **key;
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
    EXPECT_TRUE(r["not_available"].empty()) << r["not_available"].dump();  // a month: every figure
}

TEST_F(ReportsTest, DaysAndWeeksAreForServiceLevelsOnly) {
    auto week = reports::ParsePeriod("2026-W48");
    ASSERT_TRUE(week);
    EXPECT_TRUE(BuildReport(*store_, line_, "service_levels", *week, LineKey()));
    auto demand = BuildReport(*store_, line_, "demand", *week, LineKey());
    ASSERT_FALSE(demand);
    EXPECT_EQ(demand.error().field, "period");
    auto unknown = BuildReport(*store_, line_, "statistics", *week, LineKey());
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

// Pilot to national: each region's contacts before and since the day its calls began, and per 1,000 workforce.
TEST_F(ReportsTest, RollOutSplitsEachRegionAtItsStartAndRatesOnlyWhatIsPublished) {
    auto updated = Lines(Services()).Update(
        "police",
        Fields({{"region_starts",
                 {{{"region", "North East"}, {"began", "2026-11-10"}, {"workforce", 2000}},
                  {{"region", "Wales"}, {"began", "2026-10-01"}, {"workforce", 900}}}}},
               ""),
        "system");
    ASSERT_TRUE(updated) << updated.error().message;
    line_ = *updated;
    AddContacts(12, {{"arrived_at", "2026-11-03T09:00:00Z"}, {"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(14, {{"arrived_at", "2026-11-20T09:00:00Z"}, {"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    AddContacts(2, {{"arrived_at", "2026-11-20T09:00:00Z"}, {"force", "gwent_police"}, {"caller_role", "police_staff"}});
    AddContacts(9, {{"arrived_at", "2026-11-20T09:00:00Z"}, {"force", "kent_police"}, {"caller_role", "police_staff"}});
    const auto r = Build("roll_out", "2026-11");
    const auto& t = r["sections"][0];
    ASSERT_EQ(t["name"], "contacts_by_region_and_start");
    EXPECT_EQ(t["columns"], (nlohmann::json{"before_start", "since_start"}));
    EXPECT_EQ(t["rows"].size(), reference::RegionNames().size() + 1) << "every region, and not_recorded";
    auto row = [&](const std::string& region) {
        size_t i = 0;
        while (t["rows"][i] != region) ++i;
        return i;
    };
    EXPECT_EQ(t["cells"][row("North East")][0]["value"], 10) << "12 before the start, rounded";
    EXPECT_EQ(t["cells"][row("North East")][1]["value"], 15) << "14 since, rounded";
    EXPECT_EQ(t["cells"][row("South East")][1]["value"], 10) << "a region with no start recorded: served throughout";
    EXPECT_EQ(t["cells"][row("South East")][0], (nlohmann::json{{"value", nullptr}, {"suppressed", false},
                                                                 {"not_applicable", true}}));
    EXPECT_TRUE(t["cells"][row("Wales")][0]["not_applicable"]) << "Wales began before November";
    EXPECT_TRUE(t["cells"][row("Wales")][1]["suppressed"]) << "two calls: suppressed";
    EXPECT_EQ(t["row_totals"][row("North East")]["value"], 25) << "26, from the true counts";
    const auto& rates = r["sections"][1];
    ASSERT_EQ(rates["name"], "contacts_per_1000_workforce_since_start");
    ASSERT_EQ(rates["items"].size(), reference::RegionNames().size());
    for (const auto& item : rates["items"]) {
        if (item["key"] == "North East") {
            EXPECT_EQ(item["value"], 7.5) << "15 published since the start, of 2,000";
        } else {
            EXPECT_TRUE(item["suppressed"]) << item.dump() << ": no workforce entered, or the count is not shown";
        }
        EXPECT_EQ(item["unit"], "per_1000_workforce");
    }
    EXPECT_EQ(r["region_starts"][0]["began"], "2026-11-10");
    auto days = reports::ParsePeriod("2026-11-20");
    auto refused = BuildReport(*store_, line_, "roll_out", *days, LineKey());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "period") << "a breakdown by region takes months, quarters and years only";
}

// Signposting by the directory's categories: counted from a coded fact written with the contact, the services
// themselves staying sealed; a service typed in (not from the directory) counts as "other".
TEST_F(ReportsTest, DemandCountsSignpostingByDirectoryCategory) {
    DirectoryBook book(Services());
    auto service = book.Put("st_admin", "police", "",
                            Fields({{"organisation", "Blue Light Support (test)"},
                                    {"name", "Grief group"},
                                    {"description", "support after a death"},
                                    {"service_areas", {"national"}},
                                    {"categories", {"bereavement", "peer_support"}},
                                    {"phone", "01632 960001"},
                                    {"assured_date", "2026-06-01"}},
                                   ""));
    ASSERT_TRUE(service) << service.error().field << ": " << service.error().message;
    const std::string id = (*service)["id"];
    AddContacts(9, {{"caller_role", "police_officer"}, {"signposting", {{{"service_id", id}, {"name", "Grief group"}}}}});
    AddContacts(8, {{"caller_role", "police_officer"}, {"signposting", {{{"name", "A typed-in service"}}}}});
    AddContacts(3, {{"caller_role", "police_officer"}});
    const auto r = Build("demand", "2026-11");
    const auto& s = r["sections"][1];
    ASSERT_EQ(s["name"], "contacts_by_signposting_category");
    ASSERT_EQ(s["items"].size(), reference::SignpostingCategoryCodes().size()) << "every category, whatever the data";
    std::map<std::string, nlohmann::json> by;
    for (const auto& item : s["items"]) by[item["key"]] = item["value"];
    EXPECT_EQ(by["bereavement"], 10);
    EXPECT_EQ(by["peer_support"], 10);
    EXPECT_EQ(by["other"], 10) << "8 typed in";
    EXPECT_TRUE(by["counselling"].is_null());
    const std::string csv = ReportCsv(r);
    EXPECT_EQ(csv.find("Grief group"), std::string::npos) << "the services signposted are not in the report";
}

// Outcomes: the change in the caller's distress rating over the call, counted when a contact closes with both
// ratings; an open contact, or one with a single rating, adds nothing.
TEST_F(ReportsTest, OutcomesCountTheChangeInDistressOverClosedCalls) {
    Contacts contacts(Services());
    auto close_with = [&](const nlohmann::json& distress) {
        auto c = contacts.Create(counsellor_, "police",
                                 Fields({{"caller_role", "police_officer"}, {"outcome", "support_given"}, {"distress", distress}}, ""));
        ASSERT_TRUE(c) << c.error().message;
        auto closed = contacts.Close(counsellor_, "police", (*c)["id"], Fields({{"version", (*c)["version"]}}, ""));
        ASSERT_TRUE(closed) << closed.error().field << ": " << closed.error().message;
    };
    for (int i = 0; i < 9; ++i) close_with({{"at_start", 8}, {"at_end", 4}});
    for (int i = 0; i < 12; ++i) close_with({{"at_start", 6}, {"at_end", 5}});
    for (int i = 0; i < 3; ++i) close_with({{"at_start", 6}});
    AddContacts(5, {{"caller_role", "police_officer"}, {"distress", {{"at_start", 3}, {"at_end", 9}}}});  // still open
    const auto r = Build("outcomes", "2026-11");
    const auto& s = r["sections"][1];
    ASSERT_EQ(s["name"], "distress_change_over_call");
    std::map<std::string, nlohmann::json> by;
    for (const auto& item : s["items"]) by[item["key"]] = item;
    EXPECT_EQ(by["better_by_3_or_more"]["value"], 10) << "9, rounded";
    EXPECT_EQ(by["better_by_1_or_2"]["value"], 10) << "12, rounded";
    EXPECT_TRUE(by["worse_by_3_or_more"]["suppressed"]) << "the open contacts are not counted";
    EXPECT_EQ(s["total"]["value"], 20) << "21 closed with both ratings";
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

namespace crisisline::records {
namespace {

// The post-call survey's answers are counts only (CallLog::SurveyAnswered), reported by month under disclosure.
TEST_F(ReportsTest, TheSurveyCountsAnswersByTheMonthOfTheCallOnly) {
    const TimeMs may = *ParseTime("2026-05-10T12:00:00Z");
    CallLog log(Services());
    for (int i = 0; i < 12; ++i) log.SurveyAnswered("police", may, "helped:5");
    for (int i = 0; i < 3; ++i) log.SurveyAnswered("police", may, "helped:2");
    for (int i = 0; i < 9; ++i) log.SurveyAnswered("police", may, "call_again:yes");
    for (int i = 0; i < 8; ++i) log.SurveyAnswered("police", may, "call_again:no");
    log.SurveyAnswered("police", *ParseTime("2026-06-01T00:00:00Z"), "helped:1");  // June's, not May's
    ASSERT_TRUE(writer_->Run([](store::Tx&) -> Result<void> { return {}; }));  // the queued units have run
    const auto report = Build("survey", "2026-05");
    const auto& helped = report["sections"][0];
    EXPECT_EQ(helped["name"], "did_the_call_help");
    std::vector<nlohmann::json> values;
    for (const auto& item : helped["items"]) values.push_back(item["value"]);
    // 12 rounds to 10; 3 is suppressed, and so is the smallest other (a zero) so that 3 cannot be worked out.
    EXPECT_EQ(values.back(), 10);
    EXPECT_TRUE(helped["items"][1]["suppressed"]);
    EXPECT_EQ(helped["total"]["value"], 15);
    const auto& again = report["sections"][1];
    EXPECT_EQ(again["name"], "would_call_again");
    EXPECT_EQ(again["items"][0]["value"], 10);  // 9 rounds to 10
    EXPECT_EQ(again["items"][1]["value"], 10);  // 8 too
    EXPECT_EQ(again["total"]["value"], 15);     // from the true 17
    EXPECT_EQ(Build("survey", "2026-06")["sections"][0]["total"]["suppressed"], true);  // 1 answer
    EXPECT_EQ(Build("survey", "2026-Q2")["sections"][0]["total"]["value"], 15);  // 16 rounds to 15
    auto day = reports::ParsePeriod("2026-05-10");
    ASSERT_TRUE(day);
    EXPECT_FALSE(BuildReport(*store_, line_, "survey", *day, LineKey()));
}

}  // namespace
}  // namespace crisisline::records

namespace crisisline::records {
namespace {

// An interrupted call carried on to a second counsellor is two contacts but one offered call.
TEST_F(ReportsTest, AnInterruptedCallCarriedOnCountsOnceInServiceLevels) {
    const TimeMs at = *ParseTime("2026-05-10T12:00:00Z");
    auto phone = [&](const std::string& id, TimeMs answered, const nlohmann::json& call) {
        store::ContactRow row;
        row.id = id;
        row.line_id = "police";
        row.status = "closed";
        row.arrived_at = at;
        row.answered_at = answered;
        row.ended_at = answered + 60 * kSecondMs;
        row.counsellor_id = "st_counsellor";
        row.facts_json = nlohmann::json{{"channel", "phone"}, {"call", call}}.dump();
        row.created_at = row.updated_at = at;
        return row;
    };
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        for (int i = 0; i < 9; ++i) {
            const std::string first = "ct_first" + std::to_string(i), carried = "ct_carried" + std::to_string(i);
            if (auto r = tx.InsertContact(phone(first, at + 10 * kSecondMs,
                                                {{"end_reason", "interrupted"}, {"continued_in", carried},
                                                 {"queue_wait_s", 10}, {"talk_s", 60}}));
                !r) {
                return r;
            }
            if (auto r = tx.InsertContact(phone(carried, at + 200 * kSecondMs,
                                                {{"end_reason", "completed"}, {"continues", first},
                                                 {"queue_wait_s", 200}, {"talk_s", 60}}));
                !r) {
                return r;
            }
        }
        return {};
    }));
    const auto r = Build("service_levels", "2026-05");
    EXPECT_EQ(r["sections"][0]["total"]["value"], 10);     // 9 offered calls (not 18), rounded to 10
    EXPECT_EQ(r["sections"][0]["items"][0]["value"], 10);  // 9 answered
    std::map<std::string, nlohmann::json> figures;
    for (const auto& f : r["sections"][1]["items"]) figures[f["key"]] = f["value"];
    EXPECT_EQ(figures["longest_wait_s"], 10);            // the first answer's wait, not the carried-on contact's
    EXPECT_EQ(figures["service_level_20s"], 1.0);
}

// The line's own target and the wrap-up time: 10 calls answered after 10 s, 10 after 90 s, each talked 60 s and
// closed 120 s after it ended (one closed a day later counts 2 hours, the most counted).
TEST_F(ReportsTest, ServiceLevelsFollowTheLinesTargetAndCountTheWrapUp) {
    const TimeMs at = *ParseTime("2026-05-10T12:00:00Z");
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        for (int i = 0; i < 20; ++i) {
            store::ContactRow row;
            row.id = "ct_" + std::to_string(i);
            row.line_id = "police";
            row.status = "closed";
            row.arrived_at = at + i * kSecondMs;
            row.answered_at = row.arrived_at + (i < 10 ? 10 : 90) * kSecondMs;
            row.ended_at = *row.answered_at + 60 * kSecondMs;
            row.counsellor_id = "st_counsellor";
            row.facts_json = nlohmann::json{{"channel", "phone"},
                                            {"call", {{"end_reason", "completed"}, {"talk_s", 60}}}}.dump();
            row.created_at = row.arrived_at;
            row.updated_at = *row.ended_at + (i == 19 ? kDayMs : 120 * kSecondMs);
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return {};
    }));
    auto figures = [&] {
        std::map<std::string, nlohmann::json> out;
        const auto report = Build("service_levels", "2026-05");
        for (const auto& f : report["sections"][1]["items"]) out[f["key"]] = f["value"];
        return out;
    };
    auto f = figures();
    EXPECT_EQ(f["answered_within_target"], 10) << "the default target: 20 s";
    EXPECT_EQ(f["service_level_target"], 0.5);
    // (19 x 120 s + 7,200 s) / 20 = 474 s, rounded to 5 s.
    EXPECT_EQ(f["average_wrap_up_s"], 475);
    line_.staffing.target_s = 120;
    f = figures();
    EXPECT_EQ(f["answered_within_target"], 20);
    EXPECT_EQ(f["service_level_target"], 1.0);
    const auto r = Build("service_levels", "2026-05");
    EXPECT_EQ(r["target"], (nlohmann::json{{"target_s", 120}, {"service_level_percent", 90}}));
}

// Contacts by hour of the week and calls by hour of the day, on the UK's clock (BST in May).
TEST_F(ReportsTest, DemandByHourOfTheWeekAndServiceLevelsByHourOfTheDayAreOnTheLocalClock) {
    const TimeMs tuesday_3pm_bst = *ParseTime("2026-05-12T14:10:00Z");
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        for (int i = 0; i < 12; ++i) {
            store::ContactRow row;
            row.id = "ct_h" + std::to_string(i);
            row.line_id = "police";
            row.status = "closed";
            row.arrived_at = tuesday_3pm_bst + i * kMinuteMs;
            row.answered_at = row.arrived_at + 5 * kSecondMs;
            row.ended_at = *row.answered_at + 60 * kSecondMs;
            row.counsellor_id = "st_counsellor";
            row.facts_json = nlohmann::json{{"channel", "phone"}, {"call", {{"end_reason", "completed"}}}}.dump();
            row.created_at = row.updated_at = *row.ended_at;
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return {};
    }));
    const auto section = [](const nlohmann::json& report, const std::string& name) {
        for (const auto& s : report["sections"]) {
            if (s["name"] == name) return s;
        }
        return nlohmann::json();
    };
    const auto demand = section(Build("demand", "2026-05"), "contacts_by_day_and_hour");
    ASSERT_EQ(demand["rows"].size(), 7u);
    ASSERT_EQ(demand["columns"].size(), 24u);
    EXPECT_EQ(demand["rows"][1], "tuesday");
    EXPECT_EQ(demand["columns"][15], "15:00");
    EXPECT_EQ(demand["cells"][1][15]["value"], 10) << "12 contacts, rounded to 5";
    EXPECT_TRUE(demand["cells"][1][14]["suppressed"]) << "none at 14:00 local: 14:10 UTC is 15:10 BST";
    const auto calls = section(Build("service_levels", "2026-05"), "calls_by_hour_of_day");
    ASSERT_EQ(calls["rows"].size(), 24u);
    EXPECT_EQ(calls["columns"][0], "answered");
    EXPECT_EQ(calls["cells"][15][0]["value"], 10);
    EXPECT_EQ(calls["row_totals"][15]["value"], 10) << "the hour's calls offered";
    // A day or a week carries no breakdown: no hours, and the report says why.
    for (const char* p : {"2026-05-12", "2026-W20"}) {
        const auto day = Build("service_levels", p);
        EXPECT_TRUE(section(day, "calls_by_hour_of_day").is_null()) << p;
        ASSERT_EQ(day["not_available"].size(), 1u) << p;
        EXPECT_EQ(day["not_available"][0]["figure"], "calls_by_hour_of_day");
    }
}

// The same interrupted (or transferred) call in the demand report and after retention: one contact, with what
// was recorded along the call, not one per counsellor who had it.
TEST_F(ReportsTest, ACallCarriedOnToASecondCounsellorIsOneContactInDemandAndInTheKeptCounts) {
    const TimeMs at = clock_.Now() - 40 * kDayMs;
    const std::string month = FormatTime(at).substr(0, 7);
    auto contact = [&](const std::string& id, const nlohmann::json& facts) {
        store::ContactRow row;
        row.id = id;
        row.line_id = "police";
        row.status = "closed";
        row.arrived_at = at;
        row.answered_at = at + 10 * kSecondMs;
        row.counsellor_id = "st_counsellor";
        row.facts_json = facts.dump();
        row.created_at = row.updated_at = at;
        return row;
    };
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        for (int i = 0; i < 12; ++i) {
            const std::string first = "ct_first" + std::to_string(i), carried = "ct_carried" + std::to_string(i);
            // The first counsellor's connection failed before they recorded the caller's role.
            if (auto r = tx.InsertContact(contact(first, {{"channel", "phone"}, {"region", "North East"},
                                                          {"call", {{"end_reason", "interrupted"},
                                                                    {"continued_in", carried}}}}));
                !r) {
                return r;
            }
            if (auto r = tx.InsertContact(contact(carried, {{"channel", "phone"}, {"region", "North East"},
                                                            {"caller_role", "police_officer"},
                                                            {"outcome", "support_given"},
                                                            {"call", {{"end_reason", "completed"},
                                                                      {"continues", first}}}}));
                !r) {
                return r;
            }
        }
        return {};
    }));
    const auto demand = Build("demand", month);
    EXPECT_EQ(demand["sections"][0]["total"]["value"], 10) << "12 calls rounded to 5, not 24";
    EXPECT_EQ(Cell(demand, "North East", "police_officer")["value"], 10);
    EXPECT_TRUE(Cell(demand, "North East", "not_recorded")["suppressed"]) << "no call is counted without its role";
    const auto outcomes = Build("outcomes", month);
    EXPECT_EQ(outcomes["sections"][0]["total"]["value"], 10);
    auto s = Services();
    auto purged = Purge(s);
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->contacts, 24);
    EXPECT_EQ(Build("demand", month), demand) << "the kept counts count each call once too";
    EXPECT_EQ(Build("outcomes", month), outcomes);
}

}  // namespace
}  // namespace crisisline::records

namespace crisisline::records {
namespace {

// The figures of the demand report's contacts_by_force for `region`, by force code ("total" for the group's total).
std::map<std::string, nlohmann::json> ForcesOf(const nlohmann::json& demand, const std::string& region) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& s : demand["sections"]) {
        if (s["name"] != "contacts_by_force") continue;
        for (const auto& g : s["groups"]) {
            if (g["key"] != region) continue;
            for (const auto& f : g["items"]) out[f["key"]] = f;
            out["total"] = g["total"];
        }
    }
    return out;
}

TEST_F(ReportsTest, TheMonthlyDemandCountsForcesFromTheirSealedFormSuppressedAndRounded) {
    AddContacts(13, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(3, {{"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    AddContacts(1, {{"force", "northumbria_police"}, {"caller_role", "police_staff"}});
    const auto r = Build("demand", "2026-11");
    ASSERT_EQ(r["sections"].size(), 5u);
    const auto& section = r["sections"][3];
    EXPECT_EQ(section["name"], "contacts_by_force");
    EXPECT_EQ(section["kind"], "groups");
    ASSERT_EQ(section["groups"].size(), reference::RegionNames().size() + 1) << "every region, and not_recorded";
    size_t forces = 0;
    for (const auto& g : section["groups"]) forces += g["items"].size() - 1;  // each ends with its not_recorded
    EXPECT_EQ(forces, reference::Forces().size()) << "every force, whatever the data";
    auto ne = ForcesOf(r, "North East");
    EXPECT_EQ(ne["cleveland_police"]["value"], 15) << "13 rounded to 5";
    EXPECT_TRUE(ne["durham_constabulary"]["suppressed"]) << "3 is suppressed";
    EXPECT_TRUE(ne["northumbria_police"]["suppressed"]) << "1 is suppressed";
    EXPECT_TRUE(ne["not_recorded"]["suppressed"]) << "a zero looks like any suppressed count";
    EXPECT_EQ(ne["total"], r["sections"][0]["row_totals"][0]) << "the same figure as the demand table's region total";
    EXPECT_EQ(ne["total"]["value"], 15) << "17, rounded";
    for (const auto& item : r["not_available"]) EXPECT_NE(item["figure"], "contacts_by_force") << item.dump();
    // The database file holds no force in clear: only the region, and the sealed force, the same length for all.
    auto rows = ReadOne<std::vector<store::ContactRow>>(
        *store_, [](store::Tx& tx) { return tx.ListContactFacts("police", 0, INT64_MAX); });
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 17u);
    std::set<size_t> lengths;
    for (const auto& row : *rows) {
        for (const char* force : {"cleveland", "durham", "northumbria"}) {
            EXPECT_EQ(row.facts_json.find(force), std::string::npos) << row.facts_json;
        }
        lengths.insert(row.force_sealed.size());
    }
    EXPECT_EQ(lengths.size(), 1u) << "every contact's sealed force is the same length";
    EXPECT_NE(ReportCsv(r).find("contacts_by_force,North East,cleveland_police,15\r\n"), std::string::npos);
}

// Contacts per 1,000 workforce by force, from the published count and the workforce the operator entered.
TEST_F(ReportsTest, ContactsPerThousandWorkforceByForceRestOnThePublishedCounts) {
    AddContacts(13, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(3, {{"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    line_.force_workforce = {{"cleveland_police", 2000, "FICTIONAL test figure"},
                             {"durham_constabulary", 1500, ""}};
    const auto r = Build("demand", "2026-11");
    const auto& rates = r["sections"][4];
    ASSERT_EQ(rates["name"], "contacts_by_force_per_1000_workforce");
    ASSERT_EQ(rates["items"].size(), reference::Forces().size()) << "every force, whatever the data";
    std::map<std::string, nlohmann::json> by;
    for (const auto& f : rates["items"]) by[f["key"]] = f;
    EXPECT_EQ(by["cleveland_police"]["value"], 7.5) << "15 published (13 true) x 1,000 / 2,000";
    EXPECT_EQ(by["cleveland_police"]["unit"], "per_1000_workforce");
    EXPECT_TRUE(by["durham_constabulary"]["suppressed"]) << "its count is suppressed";
    EXPECT_TRUE(by["northumbria_police"]["suppressed"]) << "no workforce entered";
    EXPECT_TRUE(Build("demand", "2026-Q4")["sections"].size() == 3u) << "months only, as the forces are";
}

// The leak, by force: a force with one caller is never its region's published total minus the others.
TEST_F(ReportsTest, AForceWithOneContactIsNotItsRegionTotalMinusTheOtherForces) {
    AddContacts(1, {{"force", "dyfed_powys_police"}, {"caller_role", "police_officer"}});
    AddContacts(10, {{"force", "gwent_police"}, {"caller_role", "police_officer"}});
    AddContacts(12, {{"force", "north_wales_police"}, {"caller_role", "police_officer"}});
    AddContacts(15, {{"force", "south_wales_police"}, {"caller_role", "police_officer"}});
    const auto r = Build("demand", "2026-11");
    auto wales = ForcesOf(r, "Wales");
    EXPECT_EQ(wales["total"]["value"], 40) << "38, rounded: published by the region x role table";
    EXPECT_TRUE(wales["dyfed_powys_police"]["suppressed"]);
    EXPECT_TRUE(wales["gwent_police"]["suppressed"])
        << "the smallest other force is hidden with it: 40 - 10 - 10 - 15 would give the one caller away";
    EXPECT_EQ(wales["north_wales_police"]["value"], 10);
    EXPECT_EQ(wales["south_wales_police"]["value"], 15);
    // Published counts and suppressed ones, region by region, always add up to what the region's total allows.
    for (const auto& g : r["sections"][3]["groups"]) {
        size_t hidden = 0;
        for (const auto& f : g["items"]) hidden += f["suppressed"].get<bool>() && f["key"] != "not_recorded" ? 1 : 0;
        if (!g["total"]["suppressed"].get<bool>()) EXPECT_NE(hidden, 1u) << g.dump();
    }
}

TEST_F(ReportsTest, ALineStricterRulesApplyToItsForcesToo) {
    auto updated = Lines(Services()).Update("police", Fields({{"disclosure", {{"threshold", 10}}}}, ""), "system");
    ASSERT_TRUE(updated) << updated.error().message;
    line_ = *updated;
    AddContacts(9, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(9, {{"force", "durham_constabulary"}, {"caller_role", "police_officer"}});
    AddContacts(14, {{"force", "northumbria_police"}, {"caller_role", "police_officer"}});
    const auto r = Build("demand", "2026-11");
    EXPECT_EQ(r["disclosure"]["threshold"], 10);
    auto ne = ForcesOf(r, "North East");
    EXPECT_TRUE(ne["cleveland_police"]["suppressed"]) << "9 is under the line's threshold of 10";
    EXPECT_TRUE(ne["durham_constabulary"]["suppressed"]);
    EXPECT_EQ(ne["northumbria_police"]["value"], 15);
    EXPECT_EQ(ne["total"]["value"], 30) << "32, rounded";
}

TEST_F(ReportsTest, ForcesAreForWholeMonthsOnly) {
    AddContacts(12, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    for (const char* period : {"2026-Q4", "2026"}) {
        const auto r = Build("demand", period);
        ASSERT_EQ(r["sections"].size(), 3u) << period;  // no forces, nor their rates
        EXPECT_TRUE(ForcesOf(r, "North East").empty()) << period;
        bool said = false;
        for (const auto& item : r["not_available"]) {
            if (item["figure"] == "contacts_by_force") {
                said = true;
                EXPECT_NE(item["reason"].get<std::string>().find("whole calendar months only"), std::string::npos);
            }
        }
        EXPECT_TRUE(said) << period << ": the report says why the force table is not there";
    }
}

TEST_F(ReportsTest, PurgedMonthsKeepTheirContactsByForce) {
    const std::string at = FormatTime(clock_.Now() - 40 * kDayMs), month = at.substr(0, 7);
    AddContacts(9, {{"arrived_at", at}, {"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddContacts(13, {{"arrived_at", at}, {"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    AddContacts(2, {{"arrived_at", at}, {"force", "northumbria_police"}, {"caller_role", "police_staff"}});
    const auto before = Build("demand", month);
    auto s = Services();
    auto purged = Purge(s);
    ASSERT_TRUE(purged);
    EXPECT_EQ(purged->contacts, 24);
    const auto after = Build("demand", month);
    EXPECT_EQ(after, before) << "the force x month counts kept after retention give the same report";
    auto ne = ForcesOf(after, "North East");
    EXPECT_TRUE(ne["cleveland_police"]["suppressed"]) << "9, hidden with the 2 as the smallest other force";
    EXPECT_EQ(ne["durham_constabulary"]["value"], 15);
    EXPECT_TRUE(ne["northumbria_police"]["suppressed"]);
    auto kept = ReadOne<std::vector<store::RetainedCountRow>>(
        *store_, [](store::Tx& tx) { return tx.ListRetainedCounts("police"); });
    ASSERT_TRUE(kept);
    std::map<std::string, std::int64_t> by_key;
    for (const auto& k : *kept) by_key[k.key] += k.count;
    EXPECT_EQ(by_key["region_force:North East|durham_constabulary"], 13);
    EXPECT_EQ(by_key["region_force:North East|northumbria_police"], 2);
}

// A month purged before forces were kept: its region's contacts count as not_recorded, so each region still adds up.
TEST_F(ReportsTest, AMonthPurgedBeforeForcesWereKeptCountsThemAsNotRecorded) {
    ASSERT_TRUE(writer_->Run([](store::Tx& tx) -> Result<void> {
        return tx.AddRetainedCount({"police", "2025-03", "region_role:North East|police_officer", 30});
    }));
    auto ne = ForcesOf(Build("demand", "2025-03"), "North East");
    EXPECT_EQ(ne["not_recorded"]["value"], 30);
    EXPECT_TRUE(ne["cleveland_police"]["suppressed"]);
}

// A call carried on to another counsellor, who recorded the force: counted once, under the force they recorded.
TEST_F(ReportsTest, AForceRecordedByTheSecondCounsellorOfACallCounts) {
    const TimeMs at = *ParseTime("2026-11-10T12:00:00Z");
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        auto key = keys_->Line("police");
        if (!key) return tl::unexpected(key.error());
        for (int i = 0; i < 9; ++i) {
            const std::string first = "ct_first" + std::to_string(i), carried = "ct_carried" + std::to_string(i);
            store::ContactRow row;
            row.line_id = "police";
            row.status = "closed";
            row.arrived_at = row.created_at = row.updated_at = at;
            row.answered_at = at + kSecondMs;
            row.counsellor_id = "st_counsellor";
            row.id = first;
            row.facts_json = nlohmann::json{{"call", {{"continued_in", carried}}}}.dump();
            row.force_sealed.clear();  // the first counsellor recorded no force
            if (auto r = tx.InsertContact(row); !r) return r;
            row.id = carried;
            row.facts_json = nlohmann::json{{"call", {{"continues", first}}}, {"region", "London"}}.dump();
            row.force_sealed = SealForce(**key, "police", carried, "city_of_london_police");
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return {};
    }));
    AddContacts(12, {{"force", "metropolitan_police_service"}, {"caller_role", "police_officer"}});
    auto london = ForcesOf(Build("demand", "2026-11"), "London");
    EXPECT_EQ(london["total"]["value"], 20) << "21 calls, not 30";
    EXPECT_EQ(london["city_of_london_police"]["value"], 10) << "opened under the id it was sealed for";
}

}  // namespace
}  // namespace crisisline::records
