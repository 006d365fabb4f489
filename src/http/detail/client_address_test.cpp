#include "http/detail/client_address.hpp"

#include <gtest/gtest.h>

namespace crisisline::http::detail {
namespace {

namespace ip = boost::asio::ip;

TEST(TrustedProxiesTest, ReadsTheClientFromTheRightPastTrustedHops) {
    auto proxies = TrustedProxies::Parse({"127.0.0.1", "10.0.0.0/8", "fd00::/8"});
    ASSERT_TRUE(proxies) << proxies.error().message;
    struct Case {
        const char* peer;
        std::vector<std::string_view> forwarded;
        const char* client;
    };
    const Case cases[] = {
        {"203.0.113.9", {"198.51.100.1"}, "203.0.113.9"},            // not a proxy: its header is not believed
        {"127.0.0.1", {}, "127.0.0.1"},                              // a proxy that names nobody
        {"127.0.0.1", {"198.51.100.1"}, "198.51.100.1"},              // one hop
        {"127.0.0.1", {"6.6.6.6, 198.51.100.1, 10.1.2.3"}, "198.51.100.1"},  // a spoofed entry left of the client
        {"127.0.0.1", {"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},   // several header lines
        {"127.0.0.1", {"198.51.100.1, not-an-address"}, "127.0.0.1"},  // garbage ends the walk at the proxy
        {"127.0.0.1", {"10.0.0.2, 10.0.0.3"}, "10.0.0.2"},            // every hop trusted: the leftmost
        {"::ffff:127.0.0.1", {"2001:db8::5"}, "2001:db8::5"},         // mapped IPv4 peer, IPv6 client
        {"fd00::1", {" 198.51.100.7 "}, "198.51.100.7"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(proxies->ClientOf(ip::make_address(c.peer), c.forwarded), c.client) << "peer " << c.peer;
    }
}

TEST(TrustedProxiesTest, NoneTrustedByDefault) {
    TrustedProxies none;
    EXPECT_EQ(none.ClientOf(ip::make_address("127.0.0.1"), {"198.51.100.1"}), "127.0.0.1");
}

TEST(TrustedProxiesTest, RefusesEntriesThatAreNotAddresses) {
    for (const char* bad : {"proxy.example", "10.0.0.0/33", "", "10.0.0.1/x"}) {
        auto parsed = TrustedProxies::Parse({"127.0.0.1", bad});
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().field, "trusted_proxies");
        EXPECT_NE(parsed.error().message.find(bad), std::string::npos);
    }
}

}  // namespace
}  // namespace crisisline::http::detail
