#include "api/detail/call_quality_input.hpp"

#include <gtest/gtest.h>

namespace crisisline::api::detail {
namespace {

Result<telephony::CallQuality> Read(const std::string& body) {
    auto fields = Fields::Parse(body);
    if (!fields) return tl::unexpected(fields.error());
    return ReadCallQuality(*fields);
}

TEST(CallQualityInputTest, ReadsTheNumbersAndTheGrade) {
    auto q = Read(R"({"loss_percent": 2.5, "jitter_ms": 12, "rtt_ms": 40.5, "grade": "fair"})");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_DOUBLE_EQ(q->loss_percent, 2.5);
    EXPECT_DOUBLE_EQ(q->jitter_ms, 12);
    ASSERT_TRUE(q->rtt_ms);
    EXPECT_DOUBLE_EQ(*q->rtt_ms, 40.5);
    EXPECT_EQ(q->grade, telephony::CallGrade::kFair);
}

TEST(CallQualityInputTest, ARoundTripTheBrowserDoesNotKnowIsNullOrAbsent) {
    for (const char* body : {R"({"loss_percent": 0, "jitter_ms": 0, "rtt_ms": null, "grade": "good"})",
                             R"({"loss_percent": 100, "jitter_ms": 60000, "grade": "poor"})"}) {
        auto q = Read(body);
        ASSERT_TRUE(q) << body << ": " << q.error().message;
        EXPECT_FALSE(q->rtt_ms) << body;
    }
}

TEST(CallQualityInputTest, EachBadFieldIsNamed) {
    struct Case {
        const char* body;
        const char* field;
    };
    const Case cases[] = {
        {R"({"jitter_ms": 1, "rtt_ms": 1, "grade": "good"})", "loss_percent"},
        {R"({"loss_percent": -1, "jitter_ms": 1, "rtt_ms": 1, "grade": "good"})", "loss_percent"},
        {R"({"loss_percent": 100.5, "jitter_ms": 1, "rtt_ms": 1, "grade": "good"})", "loss_percent"},
        {R"({"loss_percent": "2", "jitter_ms": 1, "rtt_ms": 1, "grade": "good"})", "loss_percent"},
        {R"({"loss_percent": 1, "jitter_ms": 60001, "rtt_ms": 1, "grade": "good"})", "jitter_ms"},
        {R"({"loss_percent": 1, "jitter_ms": true, "rtt_ms": 1, "grade": "good"})", "jitter_ms"},
        {R"({"loss_percent": 1, "rtt_ms": 1, "grade": "good"})", "jitter_ms"},
        {R"({"loss_percent": 1, "jitter_ms": 1, "rtt_ms": -3, "grade": "good"})", "rtt_ms"},
        {R"({"loss_percent": 1, "jitter_ms": 1, "rtt_ms": [], "grade": "good"})", "rtt_ms"},
        {R"({"loss_percent": 1, "jitter_ms": 1, "rtt_ms": 1, "grade": "excellent"})", "grade"},
        {R"({"loss_percent": 1, "jitter_ms": 1, "rtt_ms": 1})", "grade"},
        {R"({"loss_percent": 1, "jitter_ms": 1, "rtt_ms": 1, "grade": "good", "mos": 4})", "mos"},
    };
    for (const auto& c : cases) {
        auto q = Read(c.body);
        ASSERT_FALSE(q) << c.body;
        EXPECT_EQ(q.error().code, ErrorCode::kInvalid) << c.body;
        EXPECT_EQ(q.error().field, c.field) << c.body;
    }
}

}  // namespace
}  // namespace crisisline::api::detail
