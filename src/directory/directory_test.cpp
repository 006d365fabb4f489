#include "directory/directory.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace crisisline::directory {
namespace {

using nlohmann::json;

json ValidBody() {
    return {
        {"organisation", "Example Wellbeing Trust"},
        {"name", "Example Counselling"},
        {"description", "Short-term counselling."},
        {"eligibility", "Police officers and staff."},
        {"service_areas", {"North West", "national"}},
        {"phone", "0808 157 0000"},
        {"email", "info@example.org"},
        {"url", "https://example.org/counselling"},
        {"opening_times", "Mon–Fri 09:00–17:00"},
        {"categories", {"counselling", "therapy"}},
        {"languages", {"en", "cy"}},
        {"assured_date", "2026-01-15"},
    };
}

Result<Service> Read(const json& body) { return ServiceFromFields(Fields(body, "")); }

// 2026-01-15T00:00:00Z
constexpr TimeMs kAssuredMs = 1768435200000;

TEST(ServiceTest, ReadsAValidService) {
    auto s = Read(ValidBody());
    ASSERT_TRUE(s) << s.error().field << " " << s.error().message;
    EXPECT_EQ(s->id, "");
    EXPECT_EQ(s->organisation, "Example Wellbeing Trust");
    EXPECT_EQ(s->service_areas, (std::vector<std::string>{"North West", "national"}));
    EXPECT_EQ(s->categories, (std::vector<std::string>{"counselling", "therapy"}));
    EXPECT_EQ(s->opening_times, "Mon–Fri 09:00–17:00");
    EXPECT_FALSE(s->demo);
}

TEST(ServiceTest, FieldErrorsNameTheField) {
    struct Case {
        const char* what;
        const char* field;
        json value;  // null removes the field
        const char* expected_field;
    };
    const Case cases[] = {
        {"missing name", "name", nullptr, "name"},
        {"empty organisation", "organisation", "", "organisation"},
        {"name not a string", "name", 7, "name"},
        {"no service area", "service_areas", json::array(), "service_areas"},
        {"unknown region", "service_areas", {"Narnia"}, "service_areas[0]"},
        {"'National' is not a service area", "service_areas", {"National"}, "service_areas[0]"},
        {"unknown category", "categories", {"counselling", "astrology"}, "categories[1]"},
        {"no category", "categories", nullptr, "categories"},
        {"duplicate category", "categories", {"therapy", "therapy"}, "categories[1]"},
        {"unknown language", "languages", {"fr"}, "languages[0]"},
        {"bad phone", "phone", "call us!", "phone"},
        {"bad email", "email", "info at example.org", "email"},
        {"bad url", "url", "example.org", "url"},
        {"url scheme", "url", "javascript:alert(1)", "url"},
        {"no date", "assured_date", nullptr, "assured_date"},
        {"date shape", "assured_date", "15/01/2026", "assured_date"},
        {"no such day", "assured_date", "2026-02-30", "assured_date"},
        {"demo not bool", "demo", "yes", "demo"},
        {"id characters", "id", "a/b", "id"},
        {"unknown field", "rating", 5, "rating"},
    };
    for (const auto& c : cases) {
        json body = ValidBody();
        if (c.value.is_null()) {
            body.erase(c.field);
        } else {
            body[c.field] = c.value;
        }
        auto s = Read(body);
        ASSERT_FALSE(s) << c.what;
        EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << c.what;
        EXPECT_EQ(s.error().field, c.expected_field) << c.what;
        EXPECT_FALSE(s.error().message.empty()) << c.what;
    }
}

TEST(ServiceTest, NeedsAtLeastOneWayToReachTheService) {
    json body = ValidBody();
    body.erase("phone");
    body.erase("email");
    body.erase("url");
    auto s = Read(body);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().field, "phone");
    body["url"] = "https://example.org/";
    EXPECT_TRUE(Read(body));
}

TEST(ServiceTest, OverLongFieldsAreTooLarge) {
    for (const auto& limit : kFieldLimits) {
        if (limit.unit != "bytes" || limit.field == "assured_date") continue;
        json body = ValidBody();
        std::string text(limit.max, 'a');
        if (limit.field == "url") text = "https://" + std::string(limit.max - 8, 'a');
        if (limit.field == "email") text = std::string(limit.max - 12, 'a') + "@example.org";
        if (limit.field == "phone") text = std::string(limit.max, '1');
        body[std::string(limit.field)] = text;
        EXPECT_TRUE(Read(body)) << limit.field << " at its limit of " << limit.max;
        body[std::string(limit.field)] = text + (limit.field == "phone" ? "1" : "a");
        auto s = Read(body);
        ASSERT_FALSE(s) << limit.field;
        EXPECT_EQ(s.error().code, ErrorCode::kTooLarge) << limit.field;
        EXPECT_EQ(s.error().field, limit.field);
    }
    EXPECT_EQ(LimitOf("organisation"), 200u);
    EXPECT_EQ(LimitOf("name"), 200u);
    EXPECT_EQ(LimitOf("description"), 4000u);
    EXPECT_EQ(LimitOf("eligibility"), 1000u);
    EXPECT_EQ(LimitOf("url"), 500u);
}

TEST(ServiceTest, TooManyListItemsAreTooLarge) {
    json body = ValidBody();
    body["languages"] = {"en", "cy", "en"};
    auto s = Read(body);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::kTooLarge);
    EXPECT_EQ(s.error().field, "languages");
}

TEST(ServiceTest, StaleOnlyMoreThanAYearAfterItWasAssured) {
    auto s = Read(ValidBody());
    ASSERT_TRUE(s);
    EXPECT_FALSE(ToJson(*s, kAssuredMs).at("stale"));
    EXPECT_FALSE(ToJson(*s, kAssuredMs + 365 * kDayMs + 23 * kHourMs).at("stale"));
    EXPECT_TRUE(ToJson(*s, kAssuredMs + 366 * kDayMs).at("stale"));
}

TEST(ServiceTest, DemoServicesCarryTheNotice) {
    auto s = Read(ValidBody());
    ASSERT_TRUE(s);
    EXPECT_FALSE(ToJson(*s, kAssuredMs).contains("notice"));
    s->demo = true;
    const json j = ToJson(*s, kAssuredMs);
    EXPECT_EQ(j.at("notice"), "demo data — verify before use");
    EXPECT_EQ(j.at("demo"), true);
}

TEST(ServiceTest, ApiJsonCarriesEveryField) {
    auto s = Read(ValidBody());
    ASSERT_TRUE(s);
    s->id = "svc-1";
    const json j = ToJson(*s, kAssuredMs);
    const json body = ValidBody();
    for (const auto& [key, value] : body.items()) EXPECT_EQ(j.at(key), value) << key;
    EXPECT_EQ(j.at("id"), "svc-1");
}

TEST(ServiceTest, StoredJsonRoundTrips) {
    auto s = Read(ValidBody());
    ASSERT_TRUE(s);
    s->id = "svc-1";
    s->demo = true;
    auto back = FromStoredJson(ToStoredJson(*s));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, *s);
}

TEST(ServiceTest, MalformedStoredJsonIsAnInternalError) {
    for (const char* bad : {"", "[]", "{\"name\": \"x\"}"}) {
        auto s = FromStoredJson(bad);
        ASSERT_FALSE(s) << bad;
        EXPECT_EQ(s.error().code, ErrorCode::kInternal) << bad;
    }
}

TEST(ServiceTest, DemoServicesAreValidFictionalAndMarked) {
    const auto demo = DemoServices();
    EXPECT_GE(demo.size(), 8u);
    std::set<std::string> categories;
    for (const auto& s : demo) {
        SCOPED_TRACE(s.name);
        EXPECT_TRUE(s.demo);
        EXPECT_NE(s.name.find("(demo)"), std::string::npos);
        EXPECT_TRUE(s.phone.starts_with("01632 960") || s.phone.starts_with("0808 157 0")) << s.phone;
        EXPECT_NE(s.url.find(".example.org/"), std::string::npos);
        auto back = FromStoredJson(ToStoredJson(s));
        ASSERT_TRUE(back) << back.error().field << " " << back.error().message;
        EXPECT_EQ(*back, s);
        categories.insert(s.categories.begin(), s.categories.end());
    }
    for (const char* need : {"counselling", "therapy", "bereavement", "bereavement_by_suicide", "financial",
                             "addiction", "peer_support"}) {
        EXPECT_EQ(categories.count(need), 1u) << need;
    }
}

}  // namespace
}  // namespace crisisline::directory
