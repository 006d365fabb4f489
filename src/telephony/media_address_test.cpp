#include "telephony/media_address.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <string>

namespace crisisline::telephony {
namespace {

std::uint32_t Ip(const char* text) {
    in_addr a{};
    EXPECT_EQ(inet_pton(AF_INET, text, &a), 1) << text;
    return ntohl(a.s_addr);
}

TEST(MediaAddressTest, NeverSendsToUnspecifiedBroadcastMulticastOrReservedAddresses) {
    struct Case {
        const char* address;
        const char* why;  // nullptr: usable
    };
    for (const auto& c : std::vector<Case>{{"0.0.0.0", "unspecified"},
                                           {"0.1.2.3", "unspecified"},
                                           {"255.255.255.255", "broadcast"},
                                           {"224.0.0.1", "multicast"},
                                           {"239.255.255.250", "multicast"},
                                           {"240.0.0.1", "reserved"},
                                           {"127.0.0.1", nullptr},
                                           {"192.0.2.10", nullptr},
                                           {"10.1.2.3", nullptr},
                                           {"223.255.255.254", nullptr}}) {
        const char* why = UnusableMediaAddress(Ip(c.address));
        if (c.why) {
            ASSERT_NE(why, nullptr) << c.address;
            EXPECT_STREQ(why, c.why) << c.address;
        } else {
            EXPECT_EQ(why, nullptr) << c.address;
        }
    }
}

TEST(MediaAddressTest, AudioPortsMustBeFrom1To65535) {
    auto sdp = [](const std::string& port) {
        return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio " + port +
               " RTP/AVP 0\r\n";
    };
    for (const char* good : {"1", "4000", "65535"}) EXPECT_TRUE(AudioPortsInRange(sdp(good))) << good;
    for (const char* bad : {"0", "65536", "99999999999", "notaport", "-1", "4000/2", ""}) {
        EXPECT_FALSE(AudioPortsInRange(sdp(bad))) << bad;
    }
    EXPECT_FALSE(AudioPortsInRange(sdp("4000") + "m=audio 70000 RTP/AVP 0\r\n")) << "every audio line counts";
    EXPECT_TRUE(AudioPortsInRange(sdp("4000") + "m=video 0 RTP/AVP 96\r\n")) << "only audio is checked";
    EXPECT_TRUE(AudioPortsInRange("v=0\nm=audio 4000 RTP/AVP 0\n")) << "bare newlines";
}

TEST(MediaAddressTest, OperatorAllowedPeersAreAddressesOrRanges) {
    auto one = ParseMediaPeer("192.0.2.10", "telephony.media_peers");
    ASSERT_TRUE(one) << one.error().message;
    auto range = ParseMediaPeer("198.51.100.0/24", "telephony.media_peers");
    ASSERT_TRUE(range) << range.error().message;
    std::vector<MediaPeer> peers = {*one, *range};
    EXPECT_TRUE(AllowedPeer(peers, Ip("192.0.2.10")));
    EXPECT_FALSE(AllowedPeer(peers, Ip("192.0.2.11")));
    EXPECT_TRUE(AllowedPeer(peers, Ip("198.51.100.200")));
    EXPECT_FALSE(AllowedPeer(peers, Ip("198.51.101.1")));
    EXPECT_FALSE(AllowedPeer({}, Ip("192.0.2.10")));
    for (const char* bad : {"", "192.0.2", "192.0.2.10/33", "198.51.100.7/24", "::1", "example.org", "1.2.3.4/"}) {
        auto parsed = ParseMediaPeer(bad, "telephony.media_peers");
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().field, "telephony.media_peers") << bad;
    }
}

}  // namespace
}  // namespace crisisline::telephony
