#include "http/message.hpp"

#include <gtest/gtest.h>

namespace crisisline::http {
namespace {

TEST(RequestTest, HeaderIsCaseInsensitiveAndEmptyWhenAbsent) {
    Request request;
    request.headers = {{"content-type", "application/json"}, {"x-trace", "a"}, {"x-trace", "b"}};
    EXPECT_EQ(request.Header("Content-Type"), "application/json");
    EXPECT_EQ(request.Header("X-TRACE"), "a");
    EXPECT_EQ(request.Header("authorization"), "");
}

TEST(RequestTest, CookieFindsNamedValue) {
    Request request;
    request.headers = {{"cookie", "theme=dark; session=abc123;other=\"quoted\""}, {"cookie", "late=1; session=x"}};
    EXPECT_EQ(request.Cookie("session"), "abc123");
    EXPECT_EQ(request.Cookie("other"), "quoted");
    EXPECT_EQ(request.Cookie("late"), "1");
    EXPECT_EQ(request.Cookie("sess"), "");
    EXPECT_EQ(request.Cookie("missing"), "");
}

TEST(ResponseTest, FromErrorUsesStatusAndJsonShape) {
    const Response response = Response::FromError(Error{ErrorCode::kConflict, "version", "the contact changed"});
    EXPECT_EQ(response.status, 409U);
    EXPECT_EQ(response.content_type, "application/json");
    const auto body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], "conflict");
    EXPECT_EQ(body["error"]["field"], "version");
    EXPECT_EQ(body["error"]["message"], "the contact changed");
}

TEST(ResponseTest, JsonReplacesInvalidUtf8InsteadOfThrowing) {
    Response response;
    EXPECT_NO_THROW(response = Response::Json(200, {{"name", std::string("bad\xff")}}));
    EXPECT_EQ(response.status, 200U);
    EXPECT_NE(response.body.find("bad"), std::string::npos);
}

TEST(StatusForTest, MapsEveryCode) {
    const std::pair<ErrorCode, unsigned> cases[] = {
        {ErrorCode::kInvalid, 400},         {ErrorCode::kUnauthenticated, 401}, {ErrorCode::kForbidden, 403},
        {ErrorCode::kNotFound, 404},        {ErrorCode::kConflict, 409},        {ErrorCode::kTooLarge, 413},
        {ErrorCode::kThrottled, 429},       {ErrorCode::kInternal, 500},        {ErrorCode::kUnavailable, 503},
    };
    for (const auto& [code, status] : cases) {
        EXPECT_EQ(StatusFor(code), status) << ErrorCodeName(code);
    }
}

}  // namespace
}  // namespace crisisline::http
