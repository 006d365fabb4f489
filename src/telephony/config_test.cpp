#include "telephony/config.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

Result<TelephonyConfig> Parse(std::string_view text) { return ParseTelephonyConfig(toml::parse(text)); }

TEST(TelephonyConfig, DefaultsWhenTheSectionIsAbsent) {
    auto c = Parse("[server]\nlisten = \"127.0.0.1:8080\"\n");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->listen, "127.0.0.1:5060");
    EXPECT_EQ(c->choice_wait_s, 4);
    EXPECT_EQ(c->counsellor_media_timeout_s, 10);
    EXPECT_TRUE(c->trunks.empty());
}

TEST(TelephonyConfig, CounsellorMediaTimeoutIsReadAndBounded) {
    auto c = Parse("[telephony]\ncounsellor_media_timeout_s = 4\n");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->counsellor_media_timeout_s, 4);
    for (const char* bad : {"2", "601", "\"ten\""}) {
        auto refused = Parse(std::string("[telephony]\ncounsellor_media_timeout_s = ") + bad + "\n");
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().field, "telephony.counsellor_media_timeout_s") << refused.error().message;
    }
}

TEST(TelephonyConfig, ReadsTrunksAndSettings) {
    auto c = Parse(R"(
[telephony]
listen = "127.0.0.1:5070"
rtp_ports = [30000, 30100]
media_sockets = 4
choice_wait_s = 2
available_on_register = true
media_peers = ["192.0.2.20", "198.51.100.0/24"]
[[telephony.trunk]]
name = "carrier"
allow = ["127.0.0.1", "192.0.2.10"]
[[telephony.trunk]]
name = "partner"
username = "partner"
password = "long enough secret"
)");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->listen, "127.0.0.1:5070");
    EXPECT_EQ(c->rtp_port_min, 30000);
    EXPECT_EQ(c->rtp_port_max, 30100);
    EXPECT_EQ(c->media_sockets, 4u);
    EXPECT_EQ(c->choice_wait_s, 2);
    EXPECT_TRUE(c->available_on_register);
    ASSERT_EQ(c->media_peers.size(), 2u);
    EXPECT_EQ(c->media_peers[1].prefix, 24);
    ASSERT_EQ(c->trunks.size(), 2u);
    EXPECT_EQ(c->trunks[0].allow.size(), 2u);
    EXPECT_EQ(c->trunks[1].username, "partner");
}

TEST(TelephonyConfig, BadValuesNameTheKey) {
    struct Case {
        const char* text;
        const char* field;
    };
    const Case cases[] = {
        {"[telephony]\nlisten = \"nowhere\"\n", "telephony.listen"},
        {"[telephony]\nlisten = \"127.0.0.1:99999\"\n", "telephony.listen"},
        {"[telephony]\nchoice_wait_s = 99\n", "telephony.choice_wait_s"},
        {"[telephony]\nchoice_wait_s = \"two\"\n", "telephony.choice_wait_s"},
        {"[telephony]\nrtp_ports = [30000]\n", "telephony.rtp_ports"},
        {"[telephony]\nrtp_ports = [100, 200]\n", "telephony.rtp_ports"},
        {"[telephony]\nsurprise = 1\n", "telephony.surprise"},
        {"[telephony]\nmedia_sockets = 0\n", "telephony.media_sockets"},
        {"[telephony]\nmedia_peers = \"192.0.2.1\"\n", "telephony.media_peers"},
        {"[telephony]\nmedia_peers = [\"carrier.example\"]\n", "telephony.media_peers"},
        {"[telephony]\nmedia_sockets = \"many\"\n", "telephony.media_sockets"},
        {"[telephony]\nrtp_ports = [30000, 30020]\nmedia_sockets = 16\n", "telephony.rtp_ports"},
        {"[[telephony.trunk]]\nallow = [\"127.0.0.1\"]\n", "telephony.trunk[0].name"},
        {"[[telephony.trunk]]\nname = \"x\"\n", "telephony.trunk[0]"},
        {"[[telephony.trunk]]\nname = \"x\"\nusername = \"u\"\npassword = \"short\"\n", "telephony.trunk[0].password"},
        {"[[telephony.trunk]]\nname = \"x\"\nallow = [\"carrier.example\"]\n", "telephony.trunk[0].allow[0]"},
        {"[[telephony.trunk]]\nname = \"x\"\nallow = [\"127.0.0.1\"]\n[[telephony.trunk]]\nname = \"x\"\nallow = [\"::1\"]\n",
         "telephony.trunk[1].name"},
    };
    for (const auto& c : cases) {
        auto r = Parse(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << c.text;
        EXPECT_EQ(r.error().field, c.field) << c.text << " -> " << r.error().message;
    }
}

TEST(TelephonyConfig, ReadsSipOverTlsAndEachTrunksEncryption) {
    auto c = Parse(R"(
[telephony]
tls_listen = "127.0.0.1:5061"
tls_certificate = "/etc/crisisline/sip.pem"
tls_key = "/etc/crisisline/sip-key.pem"
[[telephony.trunk]]
name = "carrier"
allow = ["192.0.2.10"]
encryption = "required"
tls_ca = "/etc/crisisline/carrier-ca.pem"
tls_name = "sip.carrier.example"
tls_certificate = "/etc/crisisline/client.pem"
tls_key = "/etc/crisisline/client-key.pem"
[[telephony.trunk]]
name = "older"
allow = ["192.0.2.11"]
)");
    ASSERT_TRUE(c) << c.error().field << " " << c.error().message;
    EXPECT_EQ(c->tls_listen, "127.0.0.1:5061");
    EXPECT_EQ(c->tls_key, "/etc/crisisline/sip-key.pem");
    EXPECT_EQ(c->trunks[0].encryption, records::Encryption::kRequired);
    EXPECT_EQ(c->trunks[0].tls_ca, "/etc/crisisline/carrier-ca.pem");
    EXPECT_EQ(c->trunks[0].tls_name, "sip.carrier.example");
    EXPECT_EQ(c->trunks[0].tls_certificate, "/etc/crisisline/client.pem");
    EXPECT_EQ(c->trunks[1].encryption, records::Encryption::kPreferred) << "existing configuration keeps working";
    EXPECT_TRUE(Parse("[telephony]\n")->tls_listen.empty()) << "TLS is off unless configured";
}

TEST(TelephonyConfig, TlsSettingsThatCannotWorkNameTheirKey) {
    const std::string trunk = "[[telephony.trunk]]\nname = \"x\"\nallow = [\"127.0.0.1\"]\n";
    struct Case {
        std::string text;
        const char* field;
    };
    const Case cases[] = {
        {"[telephony]\ntls_listen = \"127.0.0.1:5061\"\ntls_key = \"k.pem\"\n", "telephony.tls_certificate"},
        {"[telephony]\ntls_listen = \"127.0.0.1:5061\"\ntls_certificate = \"c.pem\"\n", "telephony.tls_key"},
        {"[telephony]\ntls_certificate = \"c.pem\"\ntls_key = \"k.pem\"\n", "telephony.tls_listen"},
        {"[telephony]\ntls_listen = \"5061\"\ntls_certificate = \"c.pem\"\ntls_key = \"k.pem\"\n", "telephony.tls_listen"},
        {trunk + "encryption = \"always\"\n", "telephony.trunk[0].encryption"},
        {trunk + "encryption = true\n", "telephony.trunk[0].encryption"},
        {trunk + "tls_certificate = \"c.pem\"\n", "telephony.trunk[0].tls_key"},
        {trunk + "tls_name = \"sip.carrier.example\"\n", "telephony.trunk[0].tls_name"},
        {trunk + "tls_ca = \"\"\n", "telephony.trunk[0].tls_ca"},
    };
    for (const auto& c : cases) {
        auto r = Parse(c.text);
        ASSERT_FALSE(r) << c.text;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << c.text;
        EXPECT_EQ(r.error().field, c.field) << c.text << " -> " << r.error().message;
    }
}

TEST(TelephonyConfig, ReadsAdmissionLimitsAndRefusesNonsense) {
    auto c = Parse("[telephony]\ntrunk_calls_per_s = 5\nline_max_calls = 40\nline_max_waiting = 20\n");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->trunk_calls_per_s, 5);
    EXPECT_EQ(c->line_max_calls, 40);
    EXPECT_EQ(c->line_max_waiting, 20);
    auto defaults = Parse("[telephony]\n");
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->trunk_calls_per_s, 100);
    for (const char* bad : {"trunk_calls_per_s = 0", "line_max_calls = -1", "line_max_waiting = \"many\""}) {
        auto r = Parse(std::string("[telephony]\n") + bad + "\n");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << bad;
    }
}

}  // namespace
}  // namespace crisisline::telephony
