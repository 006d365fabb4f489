// One row per call: contacts chained by call.continues count once (pure).
#include "records/carried_calls.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace crisisline::records {
namespace {

store::ContactRow Contact(const std::string& id, TimeMs arrived, nlohmann::json facts,
                          const std::string& continues = "") {
    store::ContactRow row;
    row.id = id;
    row.line_id = "police";
    row.arrived_at = arrived;
    if (!continues.empty()) facts["call"] = {{"continues", continues}};
    row.facts_json = facts.dump();
    return row;
}

nlohmann::json FactsOf(const store::ContactRow& row) { return nlohmann::json::parse(row.facts_json); }

TEST(OneRowPerCallTest, AContactOnItsOwnIsKeptAsItIs) {
    const auto rows = OneRowPerCall({Contact("a", 1, {{"region", "Wales"}}), Contact("b", 2, {{"region", "London"}})});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].id, "a");
    EXPECT_EQ(FactsOf(rows[1])["region"], "London");
}

TEST(OneRowPerCallTest, AChainOfThreeIsOneRowWithTheFactsRecordedAlongIt) {
    auto first = Contact("a", 1, {{"channel", "phone"}, {"region", "North East"}, {"themes", {"work_stress"}},
                                  {"cause_for_concern", true}, {"call", {{"queue_wait_s", 10}}}});
    auto second = Contact("b", 2, {{"caller_role", "police_staff"}, {"themes", {"work_stress", "bereavement"}},
                                   {"cause_for_concern", false}},
                          "a");
    second.answered_at = 5;
    auto third = Contact("c", 3, {{"caller_role", "police_officer"}, {"imminent_risk", true}, {"outcome", nullptr}},
                         "b");
    // Listed out of arrival order: the later contact along the call still wins.
    const auto rows = OneRowPerCall({third, first, second});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].id, "a");
    EXPECT_EQ(rows[0].answered_at, 5);
    const auto facts = FactsOf(rows[0]);
    EXPECT_EQ(facts["region"], "North East");
    EXPECT_EQ(facts["caller_role"], "police_officer");
    EXPECT_EQ(facts["themes"], (nlohmann::json{"work_stress", "bereavement"}));
    EXPECT_EQ(facts["cause_for_concern"], true);
    EXPECT_EQ(facts["imminent_risk"], true);
    EXPECT_FALSE(facts.contains("outcome")) << "a null recorded later does not add a fact";
    EXPECT_EQ(facts["call"]["queue_wait_s"], 10) << "the call's timings stay the first contact's";
    EXPECT_FALSE(facts["call"].contains("continues"));
}

TEST(OneRowPerCallTest, AContactWhoseCallBeganElsewhereIsLeftOut) {
    // "x" is another line's contact, or one of an earlier month, or already purged: counted there.
    const auto rows = OneRowPerCall({Contact("a", 1, {}), Contact("b", 2, {{"region", "Wales"}}, "x")});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].id, "a");
}

TEST(OneRowPerCallTest, ACycleOfContactsIsNoCallAndEndsTheWalk) {
    const auto rows = OneRowPerCall({Contact("a", 1, {}, "b"), Contact("b", 2, {}, "a"), Contact("c", 3, {})});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].id, "c");
}

TEST(OneRowPerCallTest, UnreadableFactsAreKeptAsTheyAre) {
    store::ContactRow broken;
    broken.id = "a";
    broken.facts_json = "not json";
    const auto rows = OneRowPerCall({broken});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].facts_json, "not json");
}

}  // namespace
}  // namespace crisisline::records
