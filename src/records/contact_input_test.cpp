#include "records/contact_input.hpp"

#include <gtest/gtest.h>

namespace crisisline::records {
namespace {

Result<ContactInput> Read(const char* json, bool creating = true) {
    auto f = Fields::Parse(json);
    EXPECT_TRUE(f) << json;
    return ReadContactInput(*f, creating);
}

TEST(ContactInputTest, SplitsCodedFactsFromSealedContent) {
    auto in = Read(R"({"caller_role": "police_officer", "force": "cleveland_police", "themes": ["sleep_problems"],
                      "addressed_as": "Sam", "notes": "talked about nights",
                      "assessment": {"desire": {"hopelessness": {"observation": "present", "note": "since May"}},
                                     "formulation": "text", "cause_for_concern": true, "concern_reasons": "why",
                                     "safety_plan": {"warning_signs": "not sleeping"}}})");
    ASSERT_TRUE(in) << in.error().field << ": " << in.error().message;
    EXPECT_EQ(in->facts["caller_role"], "police_officer");
    EXPECT_EQ(in->facts["region"], "North East");
    EXPECT_FALSE(in->facts.contains("force")) << "the force is sealed; only its region is a fact";
    EXPECT_EQ(in->content["force"], "cleveland_police");
    EXPECT_EQ(in->facts["cause_for_concern"], true);
    EXPECT_FALSE(in->facts.contains("addressed_as"));
    EXPECT_FALSE(in->facts.dump().find("since May") != std::string::npos) << "free text must not be a fact";
    EXPECT_EQ(in->content["addressed_as"], "Sam");
    EXPECT_EQ(in->content["assessment"]["desire"]["hopelessness"]["observation"], "present");
    EXPECT_EQ(in->content["assessment"]["safety_plan"]["warning_signs"], "not sleeping");
}

struct Bad {
    const char* body;
    const char* field;
};

TEST(ContactInputTest, NamesTheFieldOfEveryBadValue) {
    const Bad cases[] = {
        {R"({"caller_role": "chief"})", "caller_role"},
        {R"({"caller_role": 3})", "caller_role"},
        {R"({"force": "atlantis_police"})", "force"},
        {R"({"themes": ["sleep_problems", "unknown_theme"]})", "themes[1]"},
        {R"({"assessment": {"desire": {"hopelessness": {"observation": "maybe"}}}})",
         "assessment.desire.hopelessness.observation"},
        {R"({"assessment": {"desire": {"not_a_thing": {"observation": "present"}}}})", "assessment.desire.not_a_thing"},
        {R"({"assessment": {"risk_score": 7}})", "assessment.risk_score"},
        {R"({"assessment": {"risk_level": "high"}})", "assessment.risk_level"},
        {R"({"assessment": {"safety_plan": {"diary": "x"}}})", "assessment.safety_plan.diary"},
        {R"({"assessment": {"cause_for_concern": "yes"}})", "assessment.cause_for_concern"},
        {R"({"signposting": [{"note": "no name"}]})", "signposting[0].name"},
        {R"({"arrived_at": "last tuesday"})", "arrived_at"},
        {R"({"colour": "blue"})", "colour"},
        {R"({"version": 2})", "version"},
        {R"({"distress": {"at_start": 11}})", "distress.at_start"},
        {R"({"distress": {"at_end": -1}})", "distress.at_end"},
        {R"({"distress": {"at_end": "calm"}})", "distress.at_end"},
        {R"({"distress": {"risk": 3}})", "distress.risk"},
        {R"({"distress": 5})", "distress"},
    };
    for (const auto& c : cases) {
        auto in = Read(c.body);
        ASSERT_FALSE(in) << c.body;
        EXPECT_EQ(in.error().field, c.field) << c.body;
        EXPECT_FALSE(in.error().message.empty());
    }
}

// The caller's own distress rating is content (sealed), never a coded fact that could route or score a call.
TEST(ContactInputTest, TheDistressRatingIsSealedContentAndItsChangeIsBanded) {
    auto in = Read(R"({"distress": {"at_start": 8, "at_end": 5}})");
    ASSERT_TRUE(in) << in.error().message;
    EXPECT_EQ(in->content["distress"], (nlohmann::json{{"at_start", 8}, {"at_end", 5}}));
    EXPECT_FALSE(in->facts.contains("distress"));
    const struct {
        int start, end;
        const char* band;
    } cases[] = {{8, 5, "better_by_3_or_more"}, {8, 6, "better_by_1_or_2"}, {4, 4, "no_change"},
                 {0, 2, "worse_by_1_or_2"},      {2, 10, "worse_by_3_or_more"}, {10, 0, "better_by_3_or_more"}};
    for (const auto& c : cases) EXPECT_EQ(DistressChangeBand(c.start, c.end), c.band) << c.start << " -> " << c.end;
}

TEST(ContactInputTest, OverLongTextIsRefusedAsTooLarge) {
    std::string body = R"({"notes": ")" + std::string(kMaxLongText + 1, 'x') + R"("})";
    auto in = Read(body.c_str());
    ASSERT_FALSE(in);
    EXPECT_EQ(in.error().code, ErrorCode::kTooLarge);
    EXPECT_EQ(in.error().field, "notes");
}

TEST(ContactInputTest, UpdatesNeedTheVersionAndCannotSetTheNumber) {
    EXPECT_EQ(Read(R"({"notes": "x"})", false).error().field, "version");
    EXPECT_EQ(Read(R"({"version": 1, "caller_number": "07700900123"})", false).error().field, "caller_number");
    EXPECT_TRUE(Read(R"({"version": 1, "notes": "x"})", false));
}

TEST(ContactInputTest, AMemberOfThePublicIsSignpostedBeforeClosing) {
    auto in = Read(R"({"caller_role": "member_of_public", "outcome": "member_of_public_signposted"})");
    ASSERT_TRUE(in);
    EXPECT_EQ(in->facts["member_of_public"], true);
    auto closing = CheckReadyToClose(in->facts, in->content, false);
    ASSERT_FALSE(closing);
    EXPECT_EQ(closing.error().field, "signposting");
    in->content["signposting"] = nlohmann::json::array({{{"name", "Example service"}}});
    EXPECT_TRUE(CheckReadyToClose(in->facts, in->content, false));
}

TEST(ContactInputTest, CauseForConcernNeedsReasonsAndAFollowUp) {
    auto in = Read(R"({"caller_role": "police_staff", "outcome": "support_given",
                      "assessment": {"cause_for_concern": true}})");
    ASSERT_TRUE(in);
    EXPECT_EQ(CheckReadyToClose(in->facts, in->content, false).error().field, "assessment.concern_reasons");
    in->content["assessment"]["concern_reasons"] = "recent loss";
    EXPECT_EQ(CheckReadyToClose(in->facts, in->content, false).error().field, "follow_up_plan");
    EXPECT_TRUE(CheckReadyToClose(in->facts, in->content, true));
}

}  // namespace
}  // namespace crisisline::records
