#include "telephony/sdes.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

// 30 bytes (AES_CM key and salt) and 28 bytes (AEAD_AES_128_GCM) of base64.
constexpr const char* kKey30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
constexpr const char* kKey28 = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==";

TEST(SdesTest, ReadsEachSuite) {
    struct Case {
        std::string value;
        SrtpSuite suite;
        int tag;
    };
    const Case cases[] = {
        {std::string("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30, SrtpSuite::kAesCm128HmacSha1_80, 1},
        {std::string("7 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30 + "|2^31", SrtpSuite::kAesCm128HmacSha1_32, 7},
        {std::string("123456789 AEAD_AES_128_GCM  inline:") + kKey28 + "|1048576", SrtpSuite::kAeadAes128Gcm,
         123456789},
    };
    for (const auto& c : cases) {
        auto line = ReadCryptoLine(c.value);
        ASSERT_TRUE(line) << c.value << ": " << line.error().message;
        EXPECT_EQ(line->tag, c.tag) << c.value;
        EXPECT_EQ(line->suite, c.suite) << c.value;
        ASSERT_TRUE(line->key) << c.value;
        EXPECT_EQ(line->key->size(), SrtpKeyLength(c.suite)) << c.value;
    }
}

TEST(SdesTest, RefusesWhatItCannotUse) {
    struct Case {
        std::string value;
        std::string reason;  // a part of the message
    };
    const std::string k30 = kKey30;
    const Case cases[] = {
        {"", "needs a tag"},
        {"1 AES_CM_128_HMAC_SHA1_80", "needs a tag"},
        {"x AES_CM_128_HMAC_SHA1_80 inline:" + k30, "tag"},
        {"0 AES_CM_128_HMAC_SHA1_80 inline:" + k30, "tag is 0"},
        {"1234567890 AES_CM_128_HMAC_SHA1_80 inline:" + k30, "tag"},
        {"1 AES_256_CM_HMAC_SHA1_80 inline:" + k30, "not one this server speaks"},
        {"1 F8_128_HMAC_SHA1_80 inline:" + k30, "not one this server speaks"},
        {"1 AES_CM_128_HMAC_SHA1_80 uri:https://example.invalid/k", "not inline"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + ";inline:" + k30, "more than one key"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + "|2^20|1:4", "MKI"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + "|1:4", "MKI"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + "|forever", "lifetime"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + " UNENCRYPTED_SRTP", "session parameters"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30 + " KDR=1", "session parameters"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:", "not base64"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(kKey28), "not base64"},  // 28 bytes for a 30-byte suite
        {"1 AEAD_AES_128_GCM inline:" + k30, "not base64"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + k30.substr(0, 39) + "*", "not base64"},
        {"1 AES_CM_128_HMAC_SHA1_80 inline:" + std::string(300, 'A'), "longer than 256"},
    };
    for (const auto& c : cases) {
        auto line = ReadCryptoLine(c.value);
        ASSERT_FALSE(line) << "taken: " << c.value;
        EXPECT_EQ(line.error().code, ErrorCode::kInvalid) << c.value;
        EXPECT_EQ(line.error().field, "sdp") << c.value;
        EXPECT_NE(line.error().message.find(c.reason), std::string::npos)
            << c.value << " -> " << line.error().message;
    }
}

TEST(SdesTest, WrittenLineReadsBackToTheSameKey) {
    for (auto suite : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32, SrtpSuite::kAeadAes128Gcm}) {
        auto key = SrtpKey::Random(suite);
        std::string text = WriteCryptoLine(3, suite, *key);
        EXPECT_EQ(text.rfind(std::string("3 ") + SrtpSuiteName(suite) + " inline:", 0), 0u) << text;
        auto line = ReadCryptoLine(text);
        ASSERT_TRUE(line) << text << ": " << line.error().message;
        EXPECT_EQ(line->suite, suite);
        EXPECT_TRUE(*line->key == *key) << text;
    }
}

TEST(SdesTest, ChoosesTheOfferersFirstUsableLine) {
    const std::string k30 = kKey30;
    auto chosen = ChooseCryptoLine({"1 AES_256_CM_HMAC_SHA1_80 inline:" + k30 + k30.substr(0, 22),
                                    "2 AES_CM_128_HMAC_SHA1_32 inline:" + k30,
                                    "3 AES_CM_128_HMAC_SHA1_80 inline:" + k30});
    ASSERT_TRUE(chosen) << chosen.error().message;
    EXPECT_EQ(chosen->tag, 2);
    EXPECT_EQ(chosen->suite, SrtpSuite::kAesCm128HmacSha1_32);

    auto none = ChooseCryptoLine({"1 AES_256_CM_HMAC_SHA1_80 inline:" + k30, "2 AES_CM_128_HMAC_SHA1_80 inline:xx"});
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("not one this server speaks"), std::string::npos) << none.error().message;
    auto empty = ChooseCryptoLine({});
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("missing"), std::string::npos);
}

TEST(SdesTest, OffersTwoSuitesWithDistinctFreshKeys) {
    auto a = OfferedCryptoLines();
    auto b = OfferedCryptoLines();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].tag, 1);
    EXPECT_EQ(a[0].suite, SrtpSuite::kAesCm128HmacSha1_80);
    EXPECT_EQ(a[1].tag, 2);
    EXPECT_EQ(a[1].suite, SrtpSuite::kAesCm128HmacSha1_32);
    EXPECT_FALSE(*a[0].key == *a[1].key);
    EXPECT_FALSE(*a[0].key == *b[0].key);
}

}  // namespace
}  // namespace crisisline::telephony
