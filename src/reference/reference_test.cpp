#include "reference/reference.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace crisisline::reference {
namespace {

std::vector<std::string> LabelsOf(const std::vector<Item>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.label);
    return out;
}

std::vector<std::string> CodesOf(const std::vector<Item>& items) {
    std::vector<std::string> out;
    for (const auto& item : items) out.push_back(item.code);
    return out;
}

bool IsSnakeCase(const std::string& code) {
    if (code.empty() || code.front() == '_' || code.back() == '_') return false;
    if (code.find("__") != std::string::npos) return false;
    return std::all_of(code.begin(), code.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

void ExpectWellFormedCodes(const std::string& list, const std::vector<std::string>& codes) {
    SCOPED_TRACE(list);
    EXPECT_FALSE(codes.empty());
    std::set<std::string> seen;
    for (const auto& code : codes) {
        EXPECT_TRUE(IsSnakeCase(code)) << "'" << code << "'";
        EXPECT_TRUE(seen.insert(code).second) << code << " is listed twice";
    }
}

// The table of the 988 Lifeline standards, column by column, as in assessment-reference.md.
struct PrincipleColumn {
    std::string code;
    std::vector<std::string> rows;
};

const std::vector<PrincipleColumn>& SourceTable() {
    static const std::vector<PrincipleColumn> kTable = {
        {"desire",
         {"Suicidal ideation", "Psychological pain", "Hopelessness", "Helplessness",
          "Perceives self as a burden on others", "Feeling trapped", "Feeling intolerably alone"}},
        {"capability",
         {"History of suicide attempts", "Exposure to someone else's death by suicide",
          "History of / current violence to others", "Available means of hurting self or others",
          "Currently intoxicated", "Substance misuse",
          "Acute symptoms of mental illness (recent dramatic mood change; out of touch with reality)",
          "Extreme agitation or rage (increased anxiety; decreased sleep)",
          "Recent acts and/or threats of aggression"}},
        {"intent",
         {"Attempt in progress", "Plan to hurt self or others", "Method known", "Preparatory behaviours",
          "Expressed intent to die"}},
        {"buffers",
         {"Immediate supports", "Social supports", "Planning for the future", "Engagement with helper",
          "Ambivalence for living / dying", "Core values / beliefs", "Sense of purpose"}},
    };
    return kTable;
}

TEST(ReferenceTest, PrinciplesHoldEverySubComponentOfTheTableUnderTheRightPrinciple) {
    ASSERT_EQ(Principles().size(), SourceTable().size());
    for (size_t i = 0; i < SourceTable().size(); ++i) {
        const auto& column = SourceTable()[i];
        const auto& principle = Principles()[i];
        SCOPED_TRACE(column.code);
        EXPECT_EQ(principle.code, column.code);
        EXPECT_EQ(LabelsOf(principle.subcomponents), column.rows);
        ExpectWellFormedCodes(principle.code, CodesOf(principle.subcomponents));
    }
    EXPECT_EQ(PrincipleCodes(), (std::vector<std::string>{"desire", "capability", "intent", "buffers"}));
}

TEST(ReferenceTest, SubComponentCodesNameWhatTheyRecord) {
    auto has = [](const std::string& principle, const std::string& code) {
        for (const auto& p : Principles()) {
            if (p.code != principle) continue;
            for (const auto& sub : p.subcomponents) {
                if (sub.code == code) return true;
            }
        }
        return false;
    };
    EXPECT_TRUE(has("desire", "hopelessness"));
    EXPECT_TRUE(has("desire", "suicidal_ideation"));
    EXPECT_TRUE(has("capability", "available_means"));
    EXPECT_TRUE(has("intent", "method_known"));
    EXPECT_TRUE(has("buffers", "sense_of_purpose"));
    EXPECT_FALSE(has("buffers", "hopelessness"));
}

TEST(ReferenceTest, ObservationsArePresentAbsentOrNotAsked) {
    EXPECT_EQ(ObservationCodes(), (std::vector<std::string>{"present", "absent", "not_asked"}));
}

TEST(ReferenceTest, PresentingThemesFollowTheReferenceList) {
    const std::vector<std::string> source = {
        "Work trauma or critical-incident exposure",
        "Post-traumatic stress",
        "Misconduct investigation or professional standards process",
        "Workplace bullying or conflict",
        "Workload and fatigue",
        "Sleep problems",
        "Relationship breakdown",
        "Family difficulties",
        "Domestic abuse",
        "Bereavement (including the suicide of a colleague)",
        "Financial difficulty or debt",
        "Alcohol or drug use",
        "Physical health or injury",
        "Isolation or loneliness",
        "Moral injury",
        "Retirement or leaving the service",
        "Other",
    };
    EXPECT_EQ(LabelsOf(Themes()), source);
    EXPECT_EQ(ThemeCodes(), CodesOf(Themes()));
}

TEST(ReferenceTest, SafetyPlanHasTheSixStanleyBrownSectionsThenReasonsForLiving) {
    ASSERT_EQ(SafetyPlanSections().size(), 7u);
    EXPECT_EQ(SafetyPlanCodes().front(), "warning_signs");
    EXPECT_EQ(SafetyPlanCodes()[5], "making_environment_safe");
    EXPECT_EQ(SafetyPlanCodes().back(), "reasons_for_living");
}

TEST(ReferenceTest, CodedListsHoldTheAgreedCodes) {
    using Codes = std::vector<std::string>;
    EXPECT_EQ(CallerRoleCodes(), (Codes{"police_officer", "police_staff", "special_constable_volunteer",
                                        "family_member", "member_of_public", "not_said"}));
    EXPECT_EQ(EmergencyServiceCodes(),
              (Codes{"police", "ambulance", "fire", "coastguard", "mental_health_crisis_team"}));
    EXPECT_EQ(ContactMethodCodes(), (Codes{"phone", "sms"}));
    EXPECT_EQ(AttemptOutcomeCodes(),
              (Codes{"spoke_with_caller", "no_answer", "voicemail_not_left", "wrong_number", "declined"}));
    EXPECT_EQ(SignpostingCategoryCodes(),
              (Codes{"counselling", "therapy", "bereavement", "bereavement_by_suicide", "financial", "addiction",
                     "peer_support", "trauma", "occupational_health_independent", "domestic_abuse", "legal",
                     "physical_health", "other"}));
    EXPECT_EQ(LanguageCodes(), (Codes{"en", "cy"}));
    for (const char* action : {"listened_and_supported", "safety_plan_made", "signposted", "follow_up_arranged",
                               "emergency_services_contacted", "referred_to_gp", "other"}) {
        EXPECT_NE(std::find(ActionCodes().begin(), ActionCodes().end(), action), ActionCodes().end()) << action;
    }
    for (const char* outcome : {"support_given", "signposted", "follow_up_arranged", "escalated_emergency",
                                "caller_ended_call", "call_dropped", "member_of_public_signposted"}) {
        EXPECT_NE(std::find(OutcomeCodes().begin(), OutcomeCodes().end(), outcome), OutcomeCodes().end()) << outcome;
    }
}

TEST(ReferenceTest, CodesAreSnakeCaseAndUniqueWithinEachList) {
    ExpectWellFormedCodes("forces", ForceCodes());
    std::vector<std::string> region_codes;
    for (const auto& r : Regions()) region_codes.push_back(r.code);
    ExpectWellFormedCodes("regions", region_codes);
    ExpectWellFormedCodes("caller_roles", CallerRoleCodes());
    ExpectWellFormedCodes("themes", ThemeCodes());
    ExpectWellFormedCodes("principles", PrincipleCodes());
    ExpectWellFormedCodes("observations", ObservationCodes());
    ExpectWellFormedCodes("safety_plan_sections", SafetyPlanCodes());
    ExpectWellFormedCodes("actions", ActionCodes());
    ExpectWellFormedCodes("outcomes", OutcomeCodes());
    ExpectWellFormedCodes("emergency_services", EmergencyServiceCodes());
    ExpectWellFormedCodes("contact_methods", ContactMethodCodes());
    ExpectWellFormedCodes("attempt_outcomes", AttemptOutcomeCodes());
    ExpectWellFormedCodes("signposting_categories", SignpostingCategoryCodes());
    ExpectWellFormedCodes("languages", LanguageCodes());
    std::set<std::string> region_names(RegionNames().begin(), RegionNames().end());
    EXPECT_EQ(region_names.size(), RegionNames().size());
}

TEST(ReferenceTest, EveryItemHasALabel) {
    for (const auto* list :
         {&CallerRoles(), &Themes(), &Observations(), &SafetyPlanSections(), &Actions(), &Outcomes(),
          &EmergencyServices(), &ContactMethods(), &AttemptOutcomes(), &SignpostingCategories(), &Languages()}) {
        for (const auto& item : *list) EXPECT_FALSE(item.label.empty()) << item.code;
    }
}

TEST(ReferenceTest, AsJsonCarriesEveryList) {
    const nlohmann::json j = AsJson();
    EXPECT_EQ(j.at("forces").size(), Forces().size());
    EXPECT_EQ(j.at("forces")[0], (nlohmann::json{{"code", "cleveland_police"},
                                                 {"name", "Cleveland Police"},
                                                 {"region", "North East"},
                                                 {"country", "England"}}));
    EXPECT_EQ(j.at("regions").size(), Regions().size());
    ASSERT_EQ(j.at("principles").size(), 4u);
    EXPECT_EQ(j.at("principles")[0].at("subcomponents").size(), Principles()[0].subcomponents.size());
    EXPECT_EQ(j.at("principles")[0].at("subcomponents")[2],
              (nlohmann::json{{"code", "hopelessness"}, {"label", "Hopelessness"}}));
    EXPECT_EQ(j.at("caller_roles").size(), CallerRoles().size());
    EXPECT_EQ(j.at("themes").size(), Themes().size());
    EXPECT_EQ(j.at("observations").size(), Observations().size());
    EXPECT_EQ(j.at("safety_plan_sections").size(), SafetyPlanSections().size());
    EXPECT_EQ(j.at("actions").size(), Actions().size());
    EXPECT_EQ(j.at("outcomes").size(), Outcomes().size());
    EXPECT_EQ(j.at("emergency_services").size(), EmergencyServices().size());
    EXPECT_EQ(j.at("contact_methods").size(), ContactMethods().size());
    EXPECT_EQ(j.at("attempt_outcomes").size(), AttemptOutcomes().size());
    EXPECT_EQ(j.at("signposting_categories").size(), SignpostingCategories().size());
    EXPECT_EQ(j.at("languages")[1], (nlohmann::json{{"code", "cy"}, {"label", "Welsh (Cymraeg)"}}));
}

TEST(ReferenceTest, NoRiskScoreOrBandExists) {
    // NICE NG225: observations inform judgement; nothing adds them up or bands them.
    const std::string text = AsJson().dump();
    for (const char* word : {"score", "\"low\"", "\"medium\"", "\"high\"", "risk_level", "band"}) {
        EXPECT_EQ(text.find(word), std::string::npos) << word;
    }
}

}  // namespace
}  // namespace crisisline::reference
