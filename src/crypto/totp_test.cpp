#include "crypto/totp.hpp"

#include <gtest/gtest.h>

namespace crisisline::crypto {
namespace {

store::Bytes Text(std::string_view s) { return store::Bytes(s.begin(), s.end()); }

struct Rfc6238Case {
    std::int64_t time;
    TotpAlgorithm alg;
    const char* code;
};

// RFC 6238 Appendix B: each algorithm has its own seed, the ASCII digits repeated to the hash size.
TEST(TotpTest, MatchesRfc6238AppendixB) {
    const store::Bytes sha1_seed = Text("12345678901234567890");
    const store::Bytes sha256_seed = Text("12345678901234567890123456789012");
    const store::Bytes sha512_seed = Text("1234567890123456789012345678901234567890123456789012345678901234");
    const Rfc6238Case cases[] = {
        {59, TotpAlgorithm::kSha1, "94287082"},
        {59, TotpAlgorithm::kSha256, "46119246"},
        {59, TotpAlgorithm::kSha512, "90693936"},
        {1111111109, TotpAlgorithm::kSha1, "07081804"},
        {1111111109, TotpAlgorithm::kSha256, "68084774"},
        {1111111109, TotpAlgorithm::kSha512, "25091201"},
        {1111111111, TotpAlgorithm::kSha1, "14050471"},
        {1111111111, TotpAlgorithm::kSha256, "67062674"},
        {1111111111, TotpAlgorithm::kSha512, "99943326"},
        {1234567890, TotpAlgorithm::kSha1, "89005924"},
        {1234567890, TotpAlgorithm::kSha256, "91819424"},
        {1234567890, TotpAlgorithm::kSha512, "93441116"},
        {2000000000, TotpAlgorithm::kSha1, "69279037"},
        {2000000000, TotpAlgorithm::kSha256, "90698825"},
        {2000000000, TotpAlgorithm::kSha512, "38618901"},
        {20000000000, TotpAlgorithm::kSha1, "65353130"},
        {20000000000, TotpAlgorithm::kSha256, "77737706"},
        {20000000000, TotpAlgorithm::kSha512, "47863826"},
    };
    for (const auto& c : cases) {
        const store::Bytes& seed = c.alg == TotpAlgorithm::kSha1     ? sha1_seed
                                   : c.alg == TotpAlgorithm::kSha256 ? sha256_seed
                                                                     : sha512_seed;
        EXPECT_EQ(TotpCode(seed, c.time, 8, c.alg), c.code)
            << "time " << c.time << " algorithm " << static_cast<int>(c.alg);
    }
}

TEST(TotpTest, SixDigitCodeIsTheLastSixOfTheEightDigitOne) {
    const store::Bytes seed = Text("12345678901234567890");
    EXPECT_EQ(TotpCode(seed, 59), "287082");
    EXPECT_EQ(TotpCode(seed, 1111111109), "081804");  // keeps its leading zero
}

TEST(TotpTest, Base32MatchesRfc4648WithoutPadding) {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""},
        {"f", "MY"},
        {"fo", "MZXQ"},
        {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI"},
    };
    for (const auto& [plain, encoded] : cases) {
        EXPECT_EQ(Base32Encode(Text(plain)), encoded) << plain;
        auto decoded = Base32Decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(*decoded, Text(plain)) << encoded;
    }
}

TEST(TotpTest, Base32DecodeIgnoresCaseSpacesAndPadding) {
    const std::pair<const char*, const char*> cases[] = {
        {"MZXW6YTBOI======", "foobar"},
        {"mzxw6ytboi", "foobar"},
        {"MZXW 6YTB OI", "foobar"},
        {"MY======", "f"},
    };
    for (const auto& [encoded, plain] : cases) {
        auto decoded = Base32Decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(*decoded, Text(plain)) << encoded;
    }
}

TEST(TotpTest, Base32DecodeRefusesBadInput) {
    for (const char* bad : {"MZXW1", "MZXW8", "MZ!W", "M", "MZX", "MZXW6Y"}) {
        auto decoded = Base32Decode(bad);
        ASSERT_FALSE(decoded) << bad;
        EXPECT_EQ(decoded.error().code, ErrorCode::kInvalid) << bad;
    }
}

TEST(TotpTest, NewSecretIsTwentyFreshBytesAndRoundTripsThroughBase32) {
    const store::Bytes secret = NewTotpSecret();
    EXPECT_EQ(secret.size(), 20u);
    EXPECT_NE(secret, NewTotpSecret());
    EXPECT_EQ(*Base32Decode(Base32Encode(secret)), secret);
}

TEST(TotpTest, VerifyReturnsTheMatchedStepWithinTheWindow) {
    const store::Bytes secret = NewTotpSecret();
    const std::int64_t now = 1'800'000'015;  // inside step 60'000'000
    const std::int64_t step = now / 30;
    for (std::int64_t offset : {-1, 0, 1}) {
        const std::string code = TotpCode(secret, now + offset * 30);
        EXPECT_EQ(VerifyTotp(secret, code, now), step + offset) << "offset " << offset;
    }
    EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, now - 60), now), std::nullopt);
    EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, now + 60), now), std::nullopt);
    EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, now - 60), now, 2), step - 2);
    EXPECT_EQ(VerifyTotp(secret, TotpCode(secret, now + 30), now, 0), std::nullopt);
}

// The caller keeps the last accepted step and refuses that step or any earlier one.
TEST(TotpTest, StepsLetTheCallerRefuseReplays) {
    const store::Bytes secret = NewTotpSecret();
    const std::int64_t now = 1'800'000'015;
    std::int64_t last_step = 0;
    auto accept = [&](const std::string& code, std::int64_t at) {
        auto step = VerifyTotp(secret, code, at);
        if (!step || *step <= last_step) return false;
        last_step = *step;
        return true;
    };
    const std::string code = TotpCode(secret, now);
    EXPECT_TRUE(accept(code, now));
    EXPECT_FALSE(accept(code, now)) << "the same code again";
    EXPECT_FALSE(accept(code, now + 30)) << "the same code in the next step, still inside the window";
    EXPECT_FALSE(accept(TotpCode(secret, now - 30), now + 1)) << "an earlier step's code";
    EXPECT_TRUE(accept(TotpCode(secret, now + 30), now + 30)) << "the next step's code";
}

TEST(TotpTest, VerifyAcceptsOnlySixDigits) {
    const store::Bytes secret = Text("12345678901234567890");
    EXPECT_EQ(VerifyTotp(secret, "287082", 59), 1);
    for (const char* bad : {"", "28708", "2870820", "94287082", "28708a", " 287082", "287 082", "-28708"}) {
        EXPECT_EQ(VerifyTotp(secret, bad, 59), std::nullopt) << "'" << bad << "'";
    }
}

TEST(TotpTest, UriPercentEncodesIssuerAndAccount) {
    const store::Bytes secret = Text("12345678901234567890");
    EXPECT_EQ(TotpUri("crisisline", "alex.demo", secret),
              "otpauth://totp/crisisline:alex.demo?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
              "&issuer=crisisline&algorithm=SHA1&digits=6&period=30");
    EXPECT_EQ(TotpUri("Crisis Line", "a&b:c@d", secret),
              "otpauth://totp/Crisis%20Line:a%26b%3Ac%40d?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
              "&issuer=Crisis%20Line&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace crisisline::crypto
