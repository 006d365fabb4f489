#include "telephony/browser_sdp.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

// The shape of Chromium's audio-only offer (fictional values).
const char* kFp =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

std::string Offer(const std::string& tweak_from = "", const std::string& tweak_to = "") {
    std::string sdp =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        "a=msid-semantic: WMS\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\n"
        "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Rx7q\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
        "a=ice-options:trickle\r\na=fingerprint:sha-256 " + std::string(kFp) + "\r\n"
        "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
        "a=rtpmap:111 opus/48000/2\r\na=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\n"
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\n"
        "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n";
    if (!tweak_from.empty()) {
        auto at = sdp.find(tweak_from);
        if (at != std::string::npos) sdp.replace(at, tweak_from.size(), tweak_to);
    }
    return sdp;
}

TEST(BrowserSdpTest, ReadsChromiumOffer) {
    auto offer = ReadBrowserOffer(Offer());
    ASSERT_TRUE(offer) << offer.error().message;
    EXPECT_EQ(offer->ice_ufrag, "Rx7q");
    EXPECT_EQ(offer->ice_pwd, "abcdefghijklmnopqrstuvwx");
    EXPECT_EQ(offer->fingerprint, kFp);
    EXPECT_EQ(offer->mid, "0");
    EXPECT_EQ(offer->pcmu_pt, 0);
    EXPECT_EQ(offer->pcma_pt, 8);
    EXPECT_EQ(offer->event_pt, 126);  // the 8000 Hz one, not the 48000 Hz one
}

TEST(BrowserSdpTest, RefusesWhatTheServerCannotSpeak) {
    struct Case {
        std::string from, to, reason;
    } cases[] = {
        {"UDP/TLS/RTP/SAVPF", "RTP/AVP", "UDP/TLS/RTP/SAVPF"},
        {"a=ice-ufrag:Rx7q\r\n", "", "ice-ufrag"},
        {"a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=ice-pwd:short", "ice-pwd"},
        {"sha-256", "sha-1", "fingerprint"},
        {"a=setup:actpass", "a=setup:passive", "setup"},
        {"a=rtcp-mux\r\n", "", "rtcp-mux"},
        {" 0 8 13", " 13", "PCMU or PCMA"},
        {"a=rtpmap:126", "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:126", "video"},
    };
    for (const auto& c : cases) {
        auto offer = ReadBrowserOffer(Offer(c.from, c.to));
        ASSERT_FALSE(offer) << "accepted with " << c.from << " -> " << c.to;
        EXPECT_EQ(offer.error().field, "sdp");
        EXPECT_NE(offer.error().message.find(c.reason), std::string::npos) << offer.error().message;
    }
    EXPECT_FALSE(ReadBrowserOffer(""));
    EXPECT_FALSE(ReadBrowserOffer(std::string(17 * 1024, 'a')));
    EXPECT_FALSE(ReadBrowserOffer("not sdp at all"));
}

TEST(BrowserSdpTest, AnswerIsIceLitePassiveWithOneHostCandidate) {
    auto offer = ReadBrowserOffer(Offer());
    ASSERT_TRUE(offer);
    BrowserAnswerParams p{"127.0.0.1", 40002, "ufragABC", "passwordpasswordpassword", kFp, 42};
    bool pcma = true;
    auto answer = WriteBrowserAnswer(*offer, p, &pcma);
    EXPECT_FALSE(pcma);
    for (const char* line : {"a=ice-lite\r\n", "m=audio 40002 UDP/TLS/RTP/SAVPF 0 126\r\n", "a=mid:0\r\n",
                             "a=ice-ufrag:ufragABC\r\n", "a=ice-pwd:passwordpasswordpassword\r\n",
                             "a=setup:passive\r\n", "a=rtcp-mux\r\n", "a=rtpmap:0 PCMU/8000\r\n",
                             "a=rtpmap:126 telephone-event/8000\r\n",
                             "a=candidate:1 1 udp 2130706431 127.0.0.1 40002 typ host\r\n"}) {
        EXPECT_NE(answer.find(line), std::string::npos) << line << " missing from\n" << answer;
    }
    EXPECT_NE(answer.find(std::string("a=fingerprint:sha-256 ") + kFp), std::string::npos);
    p.prefer_pcma = true;  // a PCMA caller: the same law both sides, nothing transcoded
    answer = WriteBrowserAnswer(*offer, p, &pcma);
    EXPECT_TRUE(pcma);
    EXPECT_NE(answer.find("m=audio 40002 UDP/TLS/RTP/SAVPF 8 126\r\n"), std::string::npos) << answer;
    p.prefer_pcma = false;
    auto pcma_only = ReadBrowserOffer(Offer(" 0 8 13", " 8 13"));
    ASSERT_TRUE(pcma_only);
    answer = WriteBrowserAnswer(*pcma_only, p, &pcma);
    EXPECT_TRUE(pcma);
    EXPECT_NE(answer.find("a=rtpmap:8 PCMA/8000"), std::string::npos);
}

TEST(BrowserSdpTest, ReofferWithNewIceCredentialsIsAnIceRestart) {
    auto answered = ReadBrowserOffer(Offer());
    ASSERT_TRUE(answered);
    // Chromium's restart offer: new ufrag and password, the same certificate and m-line.
    auto restart = ReadBrowserReoffer(
        Offer("a=ice-ufrag:Rx7q\r\na=ice-pwd:abcdefghijklmnopqrstuvwx",
              "a=ice-ufrag:Zt9w\r\na=ice-pwd:ABCDEFGHIJKLMNOPQRSTUVWX"),
        *answered, false);
    ASSERT_TRUE(restart) << restart.error().message;
    EXPECT_TRUE(RestartsIce(*answered, *restart));
    auto same = ReadBrowserReoffer(Offer(), *answered, false);
    ASSERT_TRUE(same);
    EXPECT_FALSE(RestartsIce(*answered, *same));
    auto new_pwd_only =
        ReadBrowserReoffer(Offer("abcdefghijklmnopqrstuvwx", "ABCDEFGHIJKLMNOPQRSTUVWX"), *answered, true);
    ASSERT_TRUE(new_pwd_only);
    EXPECT_TRUE(RestartsIce(*answered, *new_pwd_only));
}

TEST(BrowserSdpTest, ReofferMustKeepTheCertificateMidAndCodec) {
    auto answered = ReadBrowserOffer(Offer());
    ASSERT_TRUE(answered);
    struct Case {
        std::string from, to, reason;
        bool pcma;
    } cases[] = {
        {"AA:BB:CC:DD", "AB:BB:CC:DD", "fingerprint changed", false},
        {"a=mid:0", "a=mid:1", "mid changed", false},
        {" 0 8 13", " 8 13", "PCMU", false},
        {" 0 8 13", " 0 13", "PCMA", true},
        {"a=rtcp-mux\r\n", "", "rtcp-mux", false},  // and everything a first offer needs
    };
    for (const auto& c : cases) {
        auto next = ReadBrowserReoffer(Offer(c.from, c.to), *answered, c.pcma);
        ASSERT_FALSE(next) << "accepted with " << c.from << " -> " << c.to;
        EXPECT_EQ(next.error().field, "sdp");
        EXPECT_NE(next.error().message.find(c.reason), std::string::npos) << next.error().message;
    }
}

TEST(BrowserSdpTest, RestartAnswerKeepsSessionAndSetupAndBumpsTheVersion) {
    auto offer = ReadBrowserOffer(Offer());
    ASSERT_TRUE(offer);
    BrowserAnswerParams p{"127.0.0.1", 40002, "ufragNEW", "passwordpasswordrestart1", kFp, 42};
    p.version = 2;
    auto answer = WriteBrowserAnswer(*offer, p);
    for (const char* line : {"o=crisisline 42 2 IN IP4 127.0.0.1\r\n", "a=ice-ufrag:ufragNEW\r\n",
                             "a=ice-pwd:passwordpasswordrestart1\r\n", "a=setup:passive\r\n"}) {
        EXPECT_NE(answer.find(line), std::string::npos) << line << " missing from\n" << answer;
    }
}

TEST(BrowserSdpTest, IceCredentialsAreFreshIceChars) {
    auto a = NewIceUfrag(), b = NewIceUfrag();
    EXPECT_EQ(a.size(), 8u);
    EXPECT_NE(a, b);
    EXPECT_EQ(NewIcePwd().size(), 24u);
}

}  // namespace
}  // namespace crisisline::telephony
