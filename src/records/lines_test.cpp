// A line's routing policy: defaults, round trip through storage, and each bad value naming its field.
#include <gtest/gtest.h>

#include "records/lines.hpp"

namespace crisisline::records {
namespace {

Result<LineConfig> Create(nlohmann::json routing) {
    nlohmann::json body = {{"id", "police"}, {"name", "Police (test)"}};
    if (!routing.is_null()) body["routing"] = std::move(routing);
    return LineFromFields(Fields(body, ""), nullptr);
}

// What Lines stores and reads back: the JSON of the line, through LineFromRow.
LineConfig StoredAndRead(const LineConfig& line) {
    nlohmann::json config = LineJson(line);
    const std::string name = config["name"];
    config.erase("id");
    config.erase("name");
    auto read = LineFromRow({line.id, name, config.dump(), 1, 1});
    EXPECT_TRUE(read) << read.error().message;
    return *read;
}

TEST(LineRoutingTest, DefaultsWhenAbsent) {
    auto line = Create(nullptr);
    ASSERT_TRUE(line) << line.error().message;
    const PhoneRouting& r = line->routing;
    EXPECT_EQ(r.strategy, "longest_idle");
    EXPECT_EQ(r.ring_timeout_s, 20);
    EXPECT_EQ(r.wrap_up_s, 60);
    EXPECT_EQ(r.wrap_up_after_concern_s, 300);
    EXPECT_EQ(r.overflow_after_s, std::optional<int>(120));
    EXPECT_EQ(r.overflow_to, "");
    EXPECT_EQ(r.announce_every_s, std::optional<int>(45));
    EXPECT_FALSE(r.every_leg_encrypted);
    const nlohmann::json expected = {{"strategy", "longest_idle"}, {"ring_timeout_s", 20},
                                     {"wrap_up_s", 60},            {"wrap_up_after_concern_s", 300},
                                     {"overflow_after_s", 120},    {"overflow_to", ""},
                                     {"announce_every_s", 45},     {"every_leg_encrypted", false}};
    EXPECT_EQ(LineJson(*line)["routing"], expected);
}

TEST(LineRoutingTest, ALineStoredWithoutRoutingReadsTheDefaults) {
    auto read = LineFromRow({"police", "Police", R"({"numbers":[],"languages":["en"]})", 1, 1});
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->routing.ring_timeout_s, 20);
    EXPECT_EQ(read->routing.overflow_after_s, std::optional<int>(120));
}

TEST(LineRoutingTest, RoundTripsEveryFieldIncludingNever) {
    struct Case {
        const char* why;
        nlohmann::json routing;
    };
    const Case cases[] = {
        {"all set, overflow to a line",
         {{"strategy", "ring_all"}, {"ring_timeout_s", 5}, {"wrap_up_s", 0}, {"wrap_up_after_concern_s", 7200},
          {"overflow_after_s", 3600}, {"overflow_to", "line:ambulance"}, {"announce_every_s", 600},
          {"every_leg_encrypted", true}}},
        {"never overflow, no announcements, a partner URI",
         {{"strategy", "longest_idle"}, {"ring_timeout_s", 300}, {"wrap_up_s", 3600}, {"wrap_up_after_concern_s", 0},
          {"overflow_after_s", nullptr}, {"overflow_to", "sip:overflow@partner.example"},
          {"announce_every_s", nullptr}, {"every_leg_encrypted", false}}},
        {"sips URI without user",
         {{"strategy", "ring_all"}, {"ring_timeout_s", 20}, {"wrap_up_s", 60}, {"wrap_up_after_concern_s", 300},
          {"overflow_after_s", 10}, {"overflow_to", "sips:partner.example:5061;transport=tls"},
          {"announce_every_s", 10}, {"every_leg_encrypted", true}}},
    };
    for (const auto& c : cases) {
        auto line = Create(c.routing);
        ASSERT_TRUE(line) << c.why << ": " << line.error().field << " " << line.error().message;
        EXPECT_EQ(LineJson(*line)["routing"], c.routing) << c.why;
        EXPECT_EQ(LineJson(StoredAndRead(*line))["routing"], c.routing) << c.why;
    }
}

TEST(LineRoutingTest, AnUpdateChangesOnlyTheRoutingFieldsItNames) {
    auto line = Create({{"strategy", "ring_all"}, {"overflow_after_s", nullptr}});
    ASSERT_TRUE(line);
    auto updated = LineFromFields(Fields({{"routing", {{"wrap_up_s", 90}}}}, ""), &*line);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(updated->routing.strategy, "ring_all");
    EXPECT_EQ(updated->routing.wrap_up_s, 90);
    EXPECT_EQ(updated->routing.overflow_after_s, std::nullopt);
    auto back = LineFromFields(Fields({{"routing", {{"overflow_after_s", 60}}}}, ""), &*updated);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->routing.overflow_after_s, std::optional<int>(60));
}

TEST(LineRoutingTest, EachBadValueNamesItsField) {
    struct Case {
        nlohmann::json routing;
        const char* field;
    };
    const Case cases[] = {
        {"fastest", "routing"},
        {{{"strategy", "round_robin"}}, "routing.strategy"},
        {{{"strategy", 1}}, "routing.strategy"},
        {{{"ring_timeout_s", 4}}, "routing.ring_timeout_s"},
        {{{"ring_timeout_s", 301}}, "routing.ring_timeout_s"},
        {{{"ring_timeout_s", "20"}}, "routing.ring_timeout_s"},
        {{{"ring_timeout_s", 20.5}}, "routing.ring_timeout_s"},
        {{{"wrap_up_s", -1}}, "routing.wrap_up_s"},
        {{{"wrap_up_s", 3601}}, "routing.wrap_up_s"},
        {{{"wrap_up_after_concern_s", 7201}}, "routing.wrap_up_after_concern_s"},
        {{{"overflow_after_s", 9}}, "routing.overflow_after_s"},
        {{{"overflow_after_s", 3601}}, "routing.overflow_after_s"},
        {{{"overflow_to", "ambulance"}}, "routing.overflow_to"},
        {{{"overflow_to", "line:"}}, "routing.overflow_to"},
        {{{"overflow_to", "line:Ambulance Line"}}, "routing.overflow_to"},
        {{{"overflow_to", "line:police"}}, "routing.overflow_to"},
        {{{"overflow_to", "sip:"}}, "routing.overflow_to"},
        {{{"overflow_to", "sip:@partner.example"}}, "routing.overflow_to"},
        {{{"overflow_to", "sip:over flow@partner.example"}}, "routing.overflow_to"},
        {{{"overflow_to", "http://partner.example"}}, "routing.overflow_to"},
        {{{"overflow_to", "sip:" + std::string(300, 'a')}}, "routing.overflow_to"},
        {{{"announce_every_s", 9}}, "routing.announce_every_s"},
        {{{"announce_every_s", 601}}, "routing.announce_every_s"},
        {{{"ring_timeout", 20}}, "routing.ring_timeout"},
        {{{"every_leg_encrypted", "yes"}}, "routing.every_leg_encrypted"},
        {{{"every_leg_encrypted", 1}}, "routing.every_leg_encrypted"},
        {{{"every_leg_encrypted", true}, {"overflow_to", "sip:overflow@partner.example"}}, "routing.overflow_to"},
    };
    for (const auto& c : cases) {
        auto line = Create(c.routing);
        ASSERT_FALSE(line) << c.routing.dump();
        EXPECT_EQ(line.error().field, c.field) << c.routing.dump();
        EXPECT_FALSE(line.error().message.empty());
    }
}

TEST(LineRoutingTest, EveryLegEncryptedCannotBeTurnedOnOverAPlainPartnerUri) {
    auto line = Create({{"overflow_to", "sip:overflow@partner.example"}});
    ASSERT_TRUE(line) << line.error().message;
    auto on = LineFromFields(Fields({{"routing", {{"every_leg_encrypted", true}}}}, ""), &*line);
    ASSERT_FALSE(on);
    EXPECT_EQ(on.error().field, "routing.overflow_to");
    auto both = LineFromFields(
        Fields({{"routing", {{"every_leg_encrypted", true}, {"overflow_to", "sips:overflow@partner.example"}}}}, ""),
        &*line);
    ASSERT_TRUE(both) << both.error().field << " " << both.error().message;
    EXPECT_TRUE(both->routing.every_leg_encrypted);
    EXPECT_TRUE(StoredAndRead(*both).routing.every_leg_encrypted);
}

TEST(LineStaffingTest, DefaultsRoundTripsAndNamesBadFields) {
    nlohmann::json body = {{"id", "police"}, {"name", "Police (test)"}};
    auto plain = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(LineJson(*plain)["staffing"],
              (nlohmann::json{{"service_level_percent", 90}, {"target_s", 20}, {"max_occupancy_percent", 85},
                              {"shrinkage_percent", 30}, {"min_counsellors", 1}}));
    body["staffing"] = {{"service_level_percent", 80}, {"target_s", 30}, {"min_counsellors", 2}};
    auto set = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(set) << set.error().message;
    const LineConfig read = StoredAndRead(*set);
    EXPECT_EQ(read.staffing.service_level_percent, 80);
    EXPECT_EQ(read.staffing.target_s, 30);
    EXPECT_EQ(read.staffing.max_occupancy_percent, 85);  // absent: kept
    EXPECT_EQ(read.staffing.min_counsellors, 2);
    const std::pair<nlohmann::json, const char*> bad[] = {
        {{{"service_level_percent", 100}}, "staffing.service_level_percent"},
        {{{"service_level_percent", 0}}, "staffing.service_level_percent"},
        {{{"target_s", -1}}, "staffing.target_s"},
        {{{"max_occupancy_percent", 101}}, "staffing.max_occupancy_percent"},
        {{{"shrinkage_percent", 90}}, "staffing.shrinkage_percent"},
        {{{"min_counsellors", 1001}}, "staffing.min_counsellors"},
        {{{"target", 20}}, "staffing.target"},
    };
    for (const auto& [staffing, field] : bad) {
        body["staffing"] = staffing;
        auto line = LineFromFields(Fields(body, ""), nullptr);
        ASSERT_FALSE(line) << staffing.dump();
        EXPECT_EQ(line.error().field, field) << staffing.dump();
    }
}

// The roll-out from pilot to national: each region once, with the day it began and the workforce entered.
TEST(LineForceWorkforceTest, RoundTripsThroughStorageAndNamesBadFields) {
    nlohmann::json body = {{"id", "police"}, {"name", "Police (test)"}};
    body["force_workforce"] = {{{"force", "cleveland_police"}, {"workforce", 2000},
                                {"workforce_source", "FICTIONAL test figure"}},
                               {{"force", "gwent_police"}, {"workforce", 1500}}};
    auto set = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(set) << set.error().message;
    const LineConfig read = StoredAndRead(*set);
    ASSERT_EQ(read.force_workforce.size(), 2u);
    EXPECT_EQ(read.force_workforce[0].force, "cleveland_police");
    EXPECT_EQ(read.force_workforce[0].workforce, 2000);
    EXPECT_EQ(read.force_workforce[0].workforce_source, "FICTIONAL test figure");
    EXPECT_EQ(LineJson(read)["force_workforce"][1],
              (nlohmann::json{{"force", "gwent_police"}, {"workforce", 1500}, {"workforce_source", ""}}));
    const std::pair<nlohmann::json, const char*> bad[] = {
        {{{{"force", "atlantis_police"}, {"workforce", 10}}}, "force_workforce[0].force"},
        {{{{"force", "gwent_police"}}}, "force_workforce[0].workforce"},
        {{{{"force", "gwent_police"}, {"workforce", 0}}}, "force_workforce[0].workforce"},
        {{{{"force", "gwent_police"}, {"workforce", 10}, {"staff", 1}}}, "force_workforce[0].staff"},
        {{{{"force", "gwent_police"}, {"workforce", 10}}, {{"force", "gwent_police"}, {"workforce", 20}}},
         "force_workforce[1].force"},
    };
    for (const auto& [forces, field] : bad) {
        body["force_workforce"] = forces;
        auto line = LineFromFields(Fields(body, ""), nullptr);
        ASSERT_FALSE(line) << forces.dump();
        EXPECT_EQ(line.error().field, field) << forces.dump();
    }
}

TEST(LineRegionStartsTest, RoundTripsThroughStorageAndNamesBadFields) {
    nlohmann::json body = {{"id", "police"}, {"name", "Police (test)"}};
    auto plain = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(LineJson(*plain)["region_starts"], nlohmann::json::array());
    body["region_starts"] = {{{"region", "North East"}, {"began", "2024-06-01"}, {"workforce", 9000}},
                             {{"region", "Wales"}, {"began", "2025-07-21"}}};
    auto set = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(set) << set.error().message;
    const LineConfig read = StoredAndRead(*set);
    ASSERT_EQ(read.region_starts.size(), 2u);
    EXPECT_EQ(read.region_starts[0].region, "North East");
    EXPECT_EQ(read.region_starts[0].began_at, 1717200000000);  // 2024-06-01T00:00:00Z
    EXPECT_EQ(read.region_starts[0].workforce, 9000);
    EXPECT_EQ(read.region_starts[1].began, "2025-07-21");
    EXPECT_FALSE(read.region_starts[1].workforce.has_value());
    auto cleared = LineFromFields(Fields({{"region_starts", nlohmann::json::array()}}, ""), &read);
    ASSERT_TRUE(cleared) << cleared.error().message;
    EXPECT_TRUE(cleared->region_starts.empty()) << "an update that gives the list replaces it whole";
    const std::pair<nlohmann::json, const char*> bad[] = {
        {{{{"region", "Atlantis"}, {"began", "2025-01-01"}}}, "region_starts[0].region"},
        {{{{"region", "Wales"}, {"began", "2025-13-01"}}}, "region_starts[0].began"},
        {{{{"region", "Wales"}, {"began", "2025-07"}}}, "region_starts[0].began"},
        {{{{"region", "Wales"}}}, "region_starts[0].began"},
        {{{{"region", "Wales"}, {"began", "2025-07-21"}, {"workforce", 0}}}, "region_starts[0].workforce"},
        {{{{"region", "Wales"}, {"began", "2025-07-21"}, {"staff", 10}}}, "region_starts[0].staff"},
        {{{{"region", "Wales"}, {"began", "2025-07-21"}}, {{"region", "Wales"}, {"began", "2025-08-01"}}},
         "region_starts[1].region"},
        {"Wales", "region_starts"},
    };
    for (const auto& [starts, field] : bad) {
        body["region_starts"] = starts;
        auto line = LineFromFields(Fields(body, ""), nullptr);
        ASSERT_FALSE(line) << starts.dump();
        EXPECT_EQ(line.error().field, field) << starts.dump();
    }
}

}  // namespace

// The Welsh public page shows the line's name and audience in Welsh when an administrator has given them.
TEST(PublicLineTest, KeepsTheWelshNameAndAudienceThroughStorage) {
    nlohmann::json body = {{"id", "police"},
                           {"name", "Police line"},
                           {"name_cy", "Llinell yr heddlu"},
                           {"audience", "police officers"},
                           {"audience_cy", "swyddogion heddlu"}};
    auto line = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(line) << line.error().message;
    const nlohmann::json shown = PublicLineJson(StoredAndRead(*line));
    EXPECT_EQ(shown["name_cy"], "Llinell yr heddlu");
    EXPECT_EQ(shown["audience_cy"], "swyddogion heddlu");

    auto cleared = LineFromFields(Fields(nlohmann::json{{"name_cy", ""}}, ""), &*line);
    ASSERT_TRUE(cleared) << cleared.error().message;
    EXPECT_EQ(cleared->name_cy, "");
    EXPECT_EQ(cleared->audience_cy, "swyddogion heddlu");

    auto too_long = LineFromFields(Fields(nlohmann::json{{"audience_cy", std::string(301, 'a')}}, ""), &*line);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().field, "audience_cy");
}

TEST(PublicLineTest, ShowsWhatThePublicPageNeedsAndNothingElse) {
    LineConfig line;
    line.id = "police";
    line.name = "Police line";
    line.numbers = {"+448081570001"};
    line.hours = "18:00-02:00";
    line.always_open = false;
    line.regions = {"national"};
    line.audience = "police officers and staff";
    line.routing.overflow_to = "sip:partner@example.org";
    const nlohmann::json shown = PublicLineJson(line);
    std::vector<std::string> keys;
    for (const auto& [key, value] : shown.items()) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"always_open", "audience", "audience_cy", "hours", "id", "languages",
                                              "name", "name_cy", "numbers", "regions"}));
    EXPECT_EQ(shown["numbers"], nlohmann::json::array({"+448081570001"}));
    EXPECT_EQ(shown["hours"], "18:00-02:00");
    EXPECT_FALSE(shown["always_open"].get<bool>());
    EXPECT_EQ(shown["languages"], nlohmann::json::array({"en", "cy"}));
    EXPECT_EQ(shown.dump().find("partner"), std::string::npos);
}

// The external services a line's calls may reach (conference, REFER): round trip, each bad value naming its
// field, and plain SIP refused under every_leg_encrypted, also when the policy is turned on later.
TEST(LineTransferTargetsTest, RoundTripsAndNamesBadFields) {
    nlohmann::json body = {{"id", "police"}, {"name", "Police (test)"}};
    body["transfer_targets"] = {
        {{"id", "ambulance"}, {"name", "Ambulance (fictional)"}, {"uri", "sip:999@trunk.example"}, {"kind", "emergency"}},
        {{"id", "partner"}, {"name", "Partner (fictional)"}, {"uri", "sips:help@partner.example"}, {"kind", "partner"}}};
    auto set = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_TRUE(set) << set.error().message;
    const LineConfig read = StoredAndRead(*set);
    ASSERT_EQ(read.transfer_targets.size(), 2u);
    EXPECT_EQ(read.transfer_targets[0].id, "ambulance");
    EXPECT_EQ(read.transfer_targets[0].kind, "emergency");
    EXPECT_EQ(read.transfer_targets[1].uri, "sips:help@partner.example");
    auto encrypted = LineFromFields(Fields({{"routing", {{"every_leg_encrypted", true}}}}, ""), &read);
    ASSERT_FALSE(encrypted) << "turning the policy on over a plain target";
    EXPECT_EQ(encrypted.error().field, "transfer_targets[0].uri");
    const std::pair<nlohmann::json, const char*> bad[] = {
        {{{{"id", "a"}, {"name", "A"}, {"uri", "sip:1@x"}, {"kind", "partner"}}}, "transfer_targets[0].id"},
        {{{{"id", "aa"}, {"name", ""}, {"uri", "sip:1@x"}, {"kind", "partner"}}}, "transfer_targets[0].name"},
        {{{{"id", "aa"}, {"name", "A"}, {"uri", "tel:999"}, {"kind", "partner"}}}, "transfer_targets[0].uri"},
        {{{{"id", "aa"}, {"name", "A"}, {"uri", "sip:1@x"}, {"kind", "police"}}}, "transfer_targets[0].kind"},
        {{{{"id", "aa"}, {"name", "A"}, {"uri", "sip:1@x"}, {"kind", "partner"}, {"number", "1"}}},
         "transfer_targets[0].number"},
        {{{{"id", "aa"}, {"name", "A"}, {"uri", "sip:1@x"}, {"kind", "partner"}},
          {{"id", "aa"}, {"name", "B"}, {"uri", "sip:2@x"}, {"kind", "partner"}}},
         "transfer_targets[1].id"},
        {"ambulance", "transfer_targets"},
    };
    for (const auto& [targets, field] : bad) {
        body["transfer_targets"] = targets;
        auto line = LineFromFields(Fields(body, ""), nullptr);
        ASSERT_FALSE(line) << targets.dump();
        EXPECT_EQ(line.error().field, field) << targets.dump();
    }
    body["transfer_targets"] = {{{"id", "aa"}, {"name", "A"}, {"uri", "sip:1@x"}, {"kind", "partner"}}};
    body["routing"] = {{"every_leg_encrypted", true}};
    auto plain = LineFromFields(Fields(body, ""), nullptr);
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().field, "transfer_targets[0].uri");
    body["transfer_targets"][0]["uri"] = "sip:1@x;transport=tls";
    EXPECT_TRUE(LineFromFields(Fields(body, ""), nullptr));
}

}  // namespace crisisline::records
