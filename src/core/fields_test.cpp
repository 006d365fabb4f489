#include "core/fields.hpp"

#include <gtest/gtest.h>

namespace crisisline {
namespace {

Fields Body(const char* json) {
    auto f = Fields::Parse(json);
    EXPECT_TRUE(f.has_value()) << json;
    return *f;
}

TEST(FieldsTest, RefusesBodiesThatAreNotObjects) {
    for (const char* bad : {"", "{", "[1,2]", "42", "\"text\"", "{\"a\":}"}) {
        auto f = Fields::Parse(bad);
        ASSERT_FALSE(f.has_value()) << bad;
        EXPECT_EQ(f.error().code, ErrorCode::kInvalid);
    }
}

TEST(FieldsTest, NamesTheFieldAndReason) {
    auto body = Body(R"({"name": 42, "outer": {"inner": "x"}})");
    auto name = body.String("name", 10);
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error().field, "name");
    EXPECT_EQ(name.error().message, "must be a string");
    auto inner = body.Object("outer")->Int("inner", 0, 5);
    ASSERT_FALSE(inner);
    EXPECT_EQ(inner.error().field, "outer.inner");
}

TEST(FieldsTest, EnforcesLengthLimits) {
    auto body = Body(R"({"name": "abcdef"})");
    EXPECT_TRUE(body.String("name", 6));
    auto over = body.String("name", 5);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, ErrorCode::kTooLarge);
}

TEST(FieldsTest, RequiredMeansPresentAndNotEmpty) {
    auto body = Body(R"({"a": "", "b": null})");
    EXPECT_FALSE(body.String("a", 10));
    EXPECT_FALSE(body.String("b", 10));
    EXPECT_FALSE(body.String("c", 10));
    auto opt = body.OptionalString("b", 10);
    ASSERT_TRUE(opt);
    EXPECT_FALSE(opt->has_value());
}

TEST(FieldsTest, EnumsOnlyTakeKnownValues) {
    auto body = Body(R"({"role": "police_officer", "bad": "chief"})");
    std::vector<std::string> roles = {"police_officer", "police_staff"};
    EXPECT_EQ(*body.Enum("role", roles), "police_officer");
    auto bad = body.Enum("bad", roles);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("police_staff"), std::string::npos);
}

TEST(FieldsTest, StringListsCheckEveryItem) {
    auto body = Body(R"({"ok": ["a", "b"], "dup": ["a", "a"], "mixed": ["a", 1], "unknown": ["z"]})");
    EXPECT_EQ(body.StringList("ok", 5, 5)->size(), 2u);
    EXPECT_EQ(body.StringList("dup", 5, 5).error().field, "dup[1]");
    EXPECT_EQ(body.StringList("mixed", 5, 5).error().field, "mixed[1]");
    EXPECT_EQ(body.StringList("unknown", 5, 5, {"a"}).error().field, "unknown[0]");
    EXPECT_EQ(body.StringList("ok", 1, 5).error().code, ErrorCode::kTooLarge);
}

TEST(FieldsTest, IntegersAreRangeChecked) {
    auto body = Body(R"({"n": 7, "f": 1.5, "big": 18446744073709551615, "neg": -3})");
    EXPECT_EQ(*body.Int("n", 0, 10), 7);
    EXPECT_FALSE(body.Int("n", 0, 5));
    EXPECT_FALSE(body.Int("f", 0, 5));
    EXPECT_FALSE(body.Int("big", 0, 100));
    EXPECT_FALSE(body.Int("neg", 0, 100));
}

TEST(FieldsTest, UnknownFieldsAreNamed) {
    auto body = Body(R"({"name": "x", "nmae": "y"})");
    auto r = body.OnlyKnown({"name"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "nmae");
}

TEST(FieldsTest, ControlCharactersAreRefused) {
    auto body = Body(R"({"a": "line\u0000break", "b": "two\nlines"})");
    EXPECT_FALSE(body.String("a", 100));
    EXPECT_TRUE(body.String("b", 100));
}

TEST(FieldsTest, TimesAreRfc3339) {
    auto body = Body(R"({"t": "2026-11-27T19:04:14Z", "bad": "tomorrow", "zero": "0000-01-01T00:00:00Z"})");
    EXPECT_EQ(**body.OptionalTime("t"), 1795806254000);
    EXPECT_FALSE(body.OptionalTime("bad"));
    auto zero = body.OptionalTime("zero");
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().field, "zero");
}

TEST(FieldsTest, DuplicateKeysAreRefusedByPath) {
    struct Case {
        const char* body;
        const char* field;
    };
    const Case cases[] = {
        {R"({"notes": "a", "notes": "b"})", "notes"},
        {R"({"assessment": {"risk": 1, "other": 2, "risk": 3}})", "assessment.risk"},
        {R"({"list": [{"a": 1}, {"b": 1, "b": 2}]})", "list[1].b"},
        {R"({"list": [1, [2, 3], {"c": 1, "c": 1}]})", "list[2].c"},
        {R"({"a": {"x": 1}, "b": {"x": 1}, "a": 2})", "a"},
    };
    for (const auto& c : cases) {
        auto f = Fields::Parse(c.body);
        ASSERT_FALSE(f.has_value()) << c.body;
        EXPECT_EQ(f.error().code, ErrorCode::kInvalid) << c.body;
        EXPECT_EQ(f.error().field, c.field) << c.body;
    }
    // The same key in different objects is not a duplicate.
    EXPECT_TRUE(Fields::Parse(R"({"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}]})").has_value());
}

}  // namespace
}  // namespace crisisline
