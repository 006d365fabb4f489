#include "http/detail/target.hpp"

#include <gtest/gtest.h>

namespace crisisline::http::detail {
namespace {

TEST(ParseTargetTest, SplitsAndDecodes) {
    auto target = ParseTarget("/api/v1/a%20b?x=1&name=J%C3%BCrgen+K&x=2&flag&=empty&&");
    ASSERT_TRUE(target) << target.error().message;
    EXPECT_EQ(target->raw_path, "/api/v1/a%20b");
    EXPECT_EQ(target->path, "/api/v1/a b");
    const std::map<std::string, std::string> expected{{"x", "2"}, {"name", "J\xC3\xBCrgen K"}, {"flag", ""},
                                                      {"", "empty"}};
    EXPECT_EQ(target->query, expected);
}

TEST(ParseTargetTest, PlusStaysInPath) {
    auto target = ParseTarget("/a+b");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->path, "/a+b");
}

TEST(ParseTargetTest, RefusesMalformedTargets) {
    const char* cases[] = {"", "http://example.org/", "*", "/a%2", "/a%zz", "/a%00b", "/a?x=%", "/a?x=%0"};
    for (const char* target : cases) {
        auto parsed = ParseTarget(target);
        ASSERT_FALSE(parsed) << target;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalid) << target;
        EXPECT_EQ(parsed.error().field, "target") << target;
    }
}

TEST(SplitPathTest, Splits) {
    EXPECT_EQ(SplitPath("/"), (std::vector<std::string_view>{""}));
    EXPECT_EQ(SplitPath("/a/b"), (std::vector<std::string_view>{"a", "b"}));
    EXPECT_EQ(SplitPath("/a/"), (std::vector<std::string_view>{"a", ""}));
}

TEST(IsApiPathTest, OnlyApiAndBelow) {
    EXPECT_TRUE(IsApiPath("/api"));
    EXPECT_TRUE(IsApiPath("/api/v1"));
    EXPECT_FALSE(IsApiPath("/apis"));
    EXPECT_FALSE(IsApiPath("/"));
}

}  // namespace
}  // namespace crisisline::http::detail
