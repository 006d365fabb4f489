#include "crypto/envelope.hpp"

#include <gtest/gtest.h>

namespace crisisline::crypto {
namespace {

constexpr std::string_view kNotes = "caller disclosed plan; agreed safety steps";
constexpr std::string_view kAad = "contact:north-east:ct_abc";

void ExpectCannotDecrypt(const Result<std::string>& opened, const char* what) {
    ASSERT_FALSE(opened) << what;
    EXPECT_EQ(opened.error().code, ErrorCode::kInternal) << what;
    EXPECT_EQ(opened.error().message, "record content cannot be decrypted (wrong key or altered)") << what;
}

TEST(EnvelopeTest, SealThenOpenRoundTrips) {
    const SecretKey kek = SecretKey::Generate();
    for (const std::string_view text : {kNotes, std::string_view(""), std::string_view("\0x\xff", 3)}) {
        const store::Sealed sealed = Seal(kek, text, kAad);
        EXPECT_EQ(sealed.wrapped_key.size(), 24u + 32u + 16u);
        EXPECT_EQ(sealed.ciphertext.size(), 24u + text.size() + 16u);
        auto opened = Open(kek, sealed, kAad);
        ASSERT_TRUE(opened) << opened.error().message;
        EXPECT_EQ(*opened, text);
    }
}

TEST(EnvelopeTest, EachSealUsesAFreshDataKeyAndNonce) {
    const SecretKey kek = SecretKey::Generate();
    const store::Sealed a = Seal(kek, kNotes, kAad);
    const store::Sealed b = Seal(kek, kNotes, kAad);
    EXPECT_NE(a.wrapped_key, b.wrapped_key);
    EXPECT_NE(a.ciphertext, b.ciphertext);
}

TEST(EnvelopeTest, AnyAlteredByteIsDetected) {
    const SecretKey kek = SecretKey::Generate();
    const store::Sealed sealed = Seal(kek, kNotes, kAad);
    for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
        store::Sealed altered = sealed;
        altered.ciphertext[i] ^= 0x01;
        ExpectCannotDecrypt(Open(kek, altered, kAad), ("ciphertext byte " + std::to_string(i)).c_str());
    }
    for (size_t i = 0; i < sealed.wrapped_key.size(); ++i) {
        store::Sealed altered = sealed;
        altered.wrapped_key[i] ^= 0x80;
        ExpectCannotDecrypt(Open(kek, altered, kAad), ("wrapped key byte " + std::to_string(i)).c_str());
    }
    store::Sealed truncated = sealed;
    truncated.ciphertext.resize(10);
    ExpectCannotDecrypt(Open(kek, truncated, kAad), "truncated ciphertext");
    store::Sealed no_key = sealed;
    no_key.wrapped_key.clear();
    ExpectCannotDecrypt(Open(kek, no_key, kAad), "missing wrapped key");
}

TEST(EnvelopeTest, WrongAadOrKekIsRefused) {
    const SecretKey kek = SecretKey::Generate();
    const store::Sealed sealed = Seal(kek, kNotes, kAad);
    ExpectCannotDecrypt(Open(kek, sealed, "contact:north-east:ct_other"), "another record's aad");
    ExpectCannotDecrypt(Open(SecretKey::Generate(), sealed, kAad), "another line's kek");
}

TEST(EnvelopeTest, CiphertextsCannotBeSwappedBetweenRecords) {
    const SecretKey kek = SecretKey::Generate();
    const store::Sealed a = Seal(kek, "record a", "contact:l:a");
    const store::Sealed b = Seal(kek, "record b", "contact:l:b");
    ExpectCannotDecrypt(Open(kek, store::Sealed{a.wrapped_key, b.ciphertext}, "contact:l:a"), "b's text on a");
    ExpectCannotDecrypt(Open(kek, b, "contact:l:a"), "b moved onto a");
}

TEST(EnvelopeTest, ShreddedContentIsNotFound) {
    const SecretKey kek = SecretKey::Generate();
    auto opened = Open(kek, store::Sealed{}, kAad);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kNotFound);
    auto resealed = Reseal(kek, {}, kNotes, kAad);
    ASSERT_FALSE(resealed);
    EXPECT_EQ(resealed.error().code, ErrorCode::kNotFound);
}

TEST(EnvelopeTest, ResealKeepsTheWrappedKeyUsable) {
    const SecretKey kek = SecretKey::Generate();
    const store::Sealed first = Seal(kek, kNotes, kAad);
    auto second = Reseal(kek, first.wrapped_key, "updated notes", kAad);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->wrapped_key, first.wrapped_key);
    EXPECT_NE(second->ciphertext, first.ciphertext);
    EXPECT_EQ(*Open(kek, *second, kAad), "updated notes");
    // The old ciphertext still opens with the same wrapped key: one data key per record.
    EXPECT_EQ(*Open(kek, first, kAad), kNotes);

    EXPECT_FALSE(Reseal(SecretKey::Generate(), first.wrapped_key, "x", kAad));
    EXPECT_FALSE(Reseal(kek, first.wrapped_key, "x", "contact:other"));
}

TEST(EnvelopeTest, SealWithKeyRoundTripsAndDetectsChanges) {
    const SecretKey key = SecretKey::Generate();
    const store::Bytes sealed = SealWithKey(key, "totp secret bytes", "totp:st_1");
    EXPECT_EQ(*OpenWithKey(key, sealed, "totp:st_1"), "totp secret bytes");
    ExpectCannotDecrypt(OpenWithKey(key, sealed, "totp:st_2"), "another staff member's aad");
    ExpectCannotDecrypt(OpenWithKey(SecretKey::Generate(), sealed, "totp:st_1"), "another key");
    store::Bytes altered = sealed;
    altered.back() ^= 0x01;
    ExpectCannotDecrypt(OpenWithKey(key, altered, "totp:st_1"), "altered tag");
    ExpectCannotDecrypt(OpenWithKey(key, {}, "totp:st_1"), "empty");
}

}  // namespace
}  // namespace crisisline::crypto
