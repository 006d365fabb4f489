#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace crisisline::http {
namespace {

Handler Named(std::string name, std::string* called) {
    return [name = std::move(name), called](Request, Respond) { *called = name; };
}

class RouterTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/api/v1/lines", Named("list-lines", &called_));
        router_.Add("GET", "/api/v1/lines/{line}/contacts/{id}", Named("get-contact", &called_));
        router_.Add("PUT", "/api/v1/lines/{line}/contacts/{id}", Named("put-contact", &called_));
        router_.Add("GET", "/api/v1/lines/{line}/contacts/mine", Named("my-contacts", &called_));
        router_.Add("GET", "/", Named("root", &called_));
    }

    std::string Call(const RouteMatch& match) {
        called_.clear();
        (*match.handler)(Request{}, [](Response) {});
        return called_;
    }

    Router router_;
    std::string called_;
};

TEST_F(RouterTest, FindsRoutesAndParams) {
    struct Case {
        const char* method;
        const char* path;
        const char* handler;
        std::map<std::string, std::string> params;
    };
    const Case cases[] = {
        {"GET", "/api/v1/lines", "list-lines", {}},
        {"GET", "/api/v1/lines/north/contacts/42", "get-contact", {{"line", "north"}, {"id", "42"}}},
        {"PUT", "/api/v1/lines/north/contacts/42", "put-contact", {{"line", "north"}, {"id", "42"}}},
        {"GET", "/api/v1/lines/north/contacts/mine", "my-contacts", {{"line", "north"}}},
        {"GET", "/api/v1/lines/a%2Fb/contacts/x%20y", "get-contact", {{"line", "a/b"}, {"id", "x y"}}},
        {"GET", "/", "root", {}},
    };
    for (const auto& c : cases) {
        const RouteMatch match = router_.Match(c.method, c.path);
        ASSERT_EQ(match.outcome, RouteMatch::Outcome::kFound) << c.method << " " << c.path;
        EXPECT_EQ(Call(match), c.handler) << c.path;
        EXPECT_EQ(match.params, c.params) << c.path;
    }
}

TEST_F(RouterTest, PatternIsReportedForLogs) {
    EXPECT_EQ(router_.Match("GET", "/api/v1/lines/n/contacts/42").pattern, "/api/v1/lines/{line}/contacts/{id}");
}

TEST_F(RouterTest, UnknownPathsAreNoRoute) {
    const char* paths[] = {"/api/v1/lines/", "/api/v1/lines/n/contacts", "/api/v1/lines//contacts/1",
                           "/api/v1/lines/n/contacts/1/extra", "/nope", "/api/v1/lines/%zz/contacts/1", ""};
    for (const char* path : paths) {
        EXPECT_EQ(router_.Match("GET", path).outcome, RouteMatch::Outcome::kNoRoute) << path;
    }
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
    const RouteMatch match = router_.Match("DELETE", "/api/v1/lines/n/contacts/42");
    EXPECT_EQ(match.outcome, RouteMatch::Outcome::kMethodNotAllowed);
    EXPECT_EQ(match.allowed, (std::vector<std::string>{"GET", "PUT"}));
    EXPECT_EQ(match.AllowHeader(), "GET, PUT");
    EXPECT_EQ(match.handler, nullptr);
}

TEST_F(RouterTest, LiteralRouteDoesNotHideParamRouteOfAnotherMethod) {
    const RouteMatch match = router_.Match("PUT", "/api/v1/lines/n/contacts/mine");
    ASSERT_EQ(match.outcome, RouteMatch::Outcome::kFound);  // PUT {id} accepts "mine"
    EXPECT_EQ(Call(match), "put-contact");
}

TEST(RouterAddTest, RefusesBadPatterns) {
    const std::pair<const char*, const char*> cases[] = {
        {"get", "/a"}, {"", "/a"}, {"GET", "a"}, {"GET", ""}, {"GET", "/a/{}"}, {"GET", "/a/x{id}"},
        {"GET", "/a/{id}/{id}"}, {"GET", "/a/{i-d}"},
    };
    for (const auto& [method, pattern] : cases) {
        Router router;
        EXPECT_THROW(router.Add(method, pattern, [](Request, Respond) {}), std::invalid_argument)
            << method << " " << pattern;
    }
}

TEST(RouterAddTest, RefusesSameShapeTwiceForOneMethod) {
    Router router;
    router.Add("GET", "/a/{x}", [](Request, Respond) {});
    EXPECT_THROW(router.Add("GET", "/a/{y}", [](Request, Respond) {}), std::invalid_argument);
    EXPECT_NO_THROW(router.Add("POST", "/a/{y}", [](Request, Respond) {}));
    EXPECT_NO_THROW(router.Add("GET", "/a/b", [](Request, Respond) {}));
}

TEST(RouterWebSocketTest, WebSocketRouteIsAGetRouteWithItsOwnHandler) {
    Router router;
    bool upgraded = false;
    router.AddWebSocket("/api/v1/events", [&upgraded](Request, UpgradeRespond) { upgraded = true; });
    router.Add("GET", "/api/v1/events/{id}", [](Request, Respond) {});

    RouteMatch match = router.Match("GET", "/api/v1/events");
    ASSERT_EQ(match.outcome, RouteMatch::Outcome::kFound);
    EXPECT_EQ(match.handler, nullptr);
    ASSERT_NE(match.websocket, nullptr);
    (*match.websocket)(Request{}, [](WebSocketAnswer) {});
    EXPECT_TRUE(upgraded);
    EXPECT_EQ(match.pattern, "/api/v1/events");

    match = router.Match("GET", "/api/v1/events/7");
    EXPECT_NE(match.handler, nullptr);
    EXPECT_EQ(match.websocket, nullptr);

    match = router.Match("POST", "/api/v1/events");
    EXPECT_EQ(match.outcome, RouteMatch::Outcome::kMethodNotAllowed);
    EXPECT_EQ(match.AllowHeader(), "GET");
    EXPECT_THROW(router.Add("GET", "/api/v1/events", [](Request, Respond) {}), std::invalid_argument);
    EXPECT_THROW(router.AddWebSocket("events", [](Request, UpgradeRespond) {}), std::invalid_argument);
}

}  // namespace
}  // namespace crisisline::http
