#include <gtest/gtest.h>

#include <string>

#include "directory/directory.hpp"

namespace crisisline::directory {
namespace {

using nlohmann::json;

// Shaped like an Open Referral UK feed: extra HSDS fields the directory does not keep,
// both schedule styles, taxonomy terms by code, by label and from another vocabulary.
constexpr const char* kSample = R"({
  "services": [
    {
      "id": "ac1b3f5e-0001",
      "name": "Example Counselling",
      "alternate_name": "EC",
      "status": "active",
      "description": "Short-term counselling for people in uniformed services.",
      "eligibility_description": "Serving and retired officers and staff.",
      "url": "https://counselling.example.org/",
      "email": "hello@counselling.example.org",
      "organization": {"id": "org-1", "name": "Example Wellbeing Trust", "website": "https://example.org"},
      "service_areas": [{"id": "sa-1", "service_area": "North West"}, {"service_area": "Wales"}],
      "phones": [{"id": "ph-1", "number": "0808 157 0001", "type": "voice"}, {"number": "01632 960001"}],
      "regular_schedules": [
        {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00:00", "closes_at": "17:00:00"},
        {"weekday": "Saturday", "opens_at": "10:00", "closes_at": "13:00"}
      ],
      "attributes": [
        {"taxonomy_term": {"code": "counselling", "vocabulary": "crisisline"}},
        {"taxonomy_term": {"term": "Bereavement by suicide"}},
        {"taxonomy_term": {"code": "LGA-123", "term": "Mental health", "vocabulary": "esdServiceTypes"}}
      ],
      "languages": [{"language": "English"}, {"language": "cy"}],
      "assured_date": "2026-03-01"
    },
    {
      "name": "Example Money Advice",
      "organization": {"name": "Example Money Charity"},
      "service_areas": [{"service_area": "national"}],
      "url": "https://money.example.org/",
      "schedules": [{"description": "Every day, 24 hours"}],
      "categories": ["financial"],
      "assured_date": "2025-11-30"
    }
  ]
})";

TEST(HsdsTest, ImportsARealisticSample) {
    auto imported = ImportHsds(kSample);
    ASSERT_TRUE(imported) << imported.error().field << " " << imported.error().message;
    ASSERT_EQ(imported->size(), 2u);
    const Service& first = (*imported)[0];
    EXPECT_EQ(first.id, "ac1b3f5e-0001");
    EXPECT_EQ(first.organisation, "Example Wellbeing Trust");
    EXPECT_EQ(first.name, "Example Counselling");
    EXPECT_EQ(first.eligibility, "Serving and retired officers and staff.");
    EXPECT_EQ(first.service_areas, (std::vector<std::string>{"North West", "Wales"}));
    EXPECT_EQ(first.phone, "0808 157 0001");
    EXPECT_EQ(first.email, "hello@counselling.example.org");
    EXPECT_EQ(first.opening_times, "Mon–Fri 09:00–17:00; Sat 10:00–13:00");
    EXPECT_EQ(first.categories, (std::vector<std::string>{"counselling", "bereavement_by_suicide"}));
    EXPECT_EQ(first.languages, (std::vector<std::string>{"en", "cy"}));
    EXPECT_EQ(first.assured_date, "2026-03-01");
    EXPECT_FALSE(first.demo);

    const Service& second = (*imported)[1];
    EXPECT_EQ(second.id, "");
    EXPECT_EQ(second.service_areas, (std::vector<std::string>{"national"}));
    EXPECT_EQ(second.opening_times, "Every day, 24 hours");
    EXPECT_EQ(second.categories, (std::vector<std::string>{"financial"}));
    EXPECT_TRUE(second.languages.empty());
}

TEST(HsdsTest, AcceptsABareArrayOfServices) {
    const json doc = json::parse(kSample).at("services");
    auto imported = ImportHsds(doc.dump());
    ASSERT_TRUE(imported) << imported.error().field << " " << imported.error().message;
    EXPECT_EQ(imported->size(), 2u);
}

TEST(HsdsTest, ExportThenImportGivesBackTheSameServices) {
    std::vector<Service> services = DemoServices();
    auto sample = ImportHsds(kSample);
    ASSERT_TRUE(sample);
    services.insert(services.end(), sample->begin(), sample->end());
    services.back().id.clear();
    services.back().phone = "+44 1632 960999";
    auto back = ImportHsds(ExportHsds(services));
    ASSERT_TRUE(back) << back.error().field << " " << back.error().message;
    EXPECT_EQ(*back, services);
}

TEST(HsdsTest, ExportIsHsdsShaped) {
    const json doc = json::parse(ExportHsds(DemoServices()));
    const json& s = doc.at("services").at(0);
    EXPECT_EQ(s.at("organization").at("name"), DemoServices()[0].organisation);
    EXPECT_EQ(s.at("phones").at(0).at("number"), DemoServices()[0].phone);
    EXPECT_EQ(s.at("service_areas").at(0).at("service_area"), "national");
    EXPECT_EQ(s.at("attributes").at(0).at("taxonomy_term").at("code"), "counselling");
    EXPECT_EQ(s.at("regular_schedules").at(0).at("description"), DemoServices()[0].opening_times);
    EXPECT_EQ(s.at("languages").at(0).at("language"), "en");
}

// Three services; the third has `field` set to `value` (null removes it).
std::string WithThirdService(const std::string& field, const json& value) {
    json doc = json::parse(kSample);
    json third = doc["services"][1];
    if (value.is_null()) {
        third.erase(field);
    } else {
        third[field] = value;
    }
    doc["services"].push_back(third);
    return doc.dump();
}

TEST(HsdsTest, ReportsTheFirstInvalidServiceByIndexAndHsdsFieldAndImportsNothing) {
    struct Case {
        const char* what;
        const char* field;
        json value;
        const char* expected_field;
        ErrorCode expected_code;
    };
    const Case cases[] = {
        {"missing name", "name", nullptr, "services[2].name", ErrorCode::kInvalid},
        {"name not text", "name", {"a", "b"}, "services[2].name", ErrorCode::kInvalid},
        {"no organisation", "organization", nullptr, "services[2].organization.name", ErrorCode::kInvalid},
        {"organisation shape", "organization", "Example", "services[2].organization", ErrorCode::kInvalid},
        {"unknown category",
         "categories",
         {"financial", "astrology"},
         "services[2].categories[1]",
         ErrorCode::kInvalid},
        {"unknown attribute",
         "attributes",
         {{{"taxonomy_term", {{"code", "astrology"}}}}},
         "services[2].attributes[0].taxonomy_term",
         ErrorCode::kInvalid},
        {"unknown region",
         "service_areas",
         {{{"service_area", "Atlantis"}}},
         "services[2].service_areas[0].service_area",
         ErrorCode::kInvalid},
        {"eligibility too long", "eligibility_description", std::string(1001, 'x'),
         "services[2].eligibility_description", ErrorCode::kTooLarge},
        {"bad date", "assured_date", "last week", "services[2].assured_date", ErrorCode::kInvalid},
        {"phones shape", "phones", "0808 157 0000", "services[2].phones", ErrorCode::kInvalid},
        {"unknown language",
         "languages",
         {{{"language", "Klingon"}}},
         "services[2].languages[0].language",
         ErrorCode::kInvalid},
    };
    for (const auto& c : cases) {
        auto imported = ImportHsds(WithThirdService(c.field, c.value));
        ASSERT_FALSE(imported) << c.what;
        EXPECT_EQ(imported.error().field, c.expected_field) << c.what << ": " << imported.error().message;
        EXPECT_EQ(imported.error().code, c.expected_code) << c.what;
    }
}

TEST(HsdsTest, RefusesDocumentsThatAreNotServiceLists) {
    for (const char* bad : {"", "not json", "42", "{\"contents\": []}", "{\"services\": {}}", "[1]"}) {
        auto imported = ImportHsds(bad);
        ASSERT_FALSE(imported) << bad;
        EXPECT_EQ(imported.error().code, ErrorCode::kInvalid) << bad;
    }
    EXPECT_EQ(ImportHsds("[1]").error().field, "services[0]");
    auto empty = ImportHsds("[]");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace crisisline::directory
