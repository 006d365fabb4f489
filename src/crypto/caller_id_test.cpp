#include "crypto/caller_id.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace crisisline::crypto {
namespace {

TEST(CallerIdTest, NormalisesToE164) {
    const std::pair<const char*, const char*> cases[] = {
        {"07700 900123", "+447700900123"},
        {"07700-900-123", "+447700900123"},
        {"(07700) 900123", "+447700900123"},
        {"+44 7700 900123", "+447700900123"},
        {"+44 (0)7700 900123", "+447700900123"},
        {"+44(0)7700900123", "+447700900123"},
        {"0044 7700 900123", "+447700900123"},
        {"0044 (0)7700 900123", "+447700900123"},
        {"  07700900123\t", "+447700900123"},
        {"tel:+447700900123", "+447700900123"},
        {"tel:+44-7700-900-123;phone-context=example", "+447700900123"},
        {"sip:+447700900123@sip.example.net;user=phone", "+447700900123"},
        {"SIP:07700900123@192.0.2.1", "+447700900123"},
        {"sips:+14155550123@example.com", "+14155550123"},
        {"+1 (415) 555-0123", "+14155550123"},
        {"01632 960001", "+441632960001"},
        {"+3531234567", "+3531234567"},
    };
    for (const auto& [raw, want] : cases) {
        auto got = NormalisePhoneNumber(raw);
        ASSERT_TRUE(got) << "'" << raw << "': " << got.error().message;
        EXPECT_EQ(*got, want) << "'" << raw << "'";
    }
}

TEST(CallerIdTest, RefusesWhatIsNotANumber) {
    const char* cases[] = {
        "",
        "anonymous",
        "sip:anonymous@anonymous.invalid",
        "7700900123",  // no international or trunk prefix
        "+44 7700 9001x3",
        "+44+7700900123",
        "+123456",            // 6 digits
        "+1234567890123456",  // 16 digits
        "+0447700900123",     // no country code starts with 0
        "000447700900123",
        "tel:",
        "#31#07700900123",
    };
    for (const char* raw : cases) {
        auto got = NormalisePhoneNumber(raw);
        ASSERT_FALSE(got) << "'" << raw << "' gave " << *got;
        EXPECT_EQ(got.error().code, ErrorCode::kInvalid) << "'" << raw << "'";
        EXPECT_EQ(got.error().field, "number") << "'" << raw << "'";
    }
    EXPECT_FALSE(NormalisePhoneNumber(std::string(200, '1')));
}

TEST(CallerIdTest, ErrorsDoNotRepeatTheNumber) {
    auto got = NormalisePhoneNumber("+44 7700 9001x3");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().message.find("7700"), std::string::npos) << got.error().message;
}

TEST(CallerIdTest, HashIsStablePerLineAndDiffersAcrossLines) {
    const SecretKey north = SecretKey::Generate();
    const SecretKey south = SecretKey::Generate();
    const std::string a = CallerHash(north, "+447700900123");
    EXPECT_EQ(a.size(), 64u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    EXPECT_EQ(CallerHash(north, "+447700900123"), a);
    EXPECT_NE(CallerHash(south, "+447700900123"), a);
    EXPECT_NE(CallerHash(north, "+447700900124"), a);
    // Two spellings of one number are one caller once normalised.
    EXPECT_EQ(CallerHash(north, *NormalisePhoneNumber("07700 900123")),
              CallerHash(north, *NormalisePhoneNumber("tel:+44-7700-900123")));
}

TEST(CallerIdTest, HashIsKeyedBlake2bUnderTheCallerIdSubkey) {
    // Pins the construction, so hashes stored by one release still match in the next.
    const SecretKey kek = SecretKey::Generate();
    unsigned char subkey[32];
    ASSERT_EQ(crypto_kdf_derive_from_key(subkey, sizeof subkey, 1, "callerid", kek.data()), 0);
    const std::string number = "+447700900123";
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(number.data()), number.size(), subkey,
                       sizeof subkey);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    EXPECT_EQ(CallerHash(kek, number), hex);
}

}  // namespace
}  // namespace crisisline::crypto
