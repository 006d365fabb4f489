#include "telephony/digest.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

TEST(Digest, Ha1MatchesTheRfc2617Example) {
    // RFC 2617 section 3.5: Mufasa / testrealm@host.com / Circle Of Life.
    auto ha1 = DigestHa1("Mufasa", "testrealm@host.com", "Circle Of Life");
    char hex[33];
    for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", ha1[i]);
    EXPECT_STREQ(hex, "939e7578ed9e3c518a452acee763bce9");
}

TEST(Digest, AResponseCountsOnlyForTheRequestUriItNames) {
    EXPECT_TRUE(DigestNamesRequest("sip:08081570001@127.0.0.1:5060", "sip:08081570001@127.0.0.1:5060"));
    EXPECT_FALSE(DigestNamesRequest("sip:08081570002@127.0.0.1:5060", "sip:08081570001@127.0.0.1:5060"));
    EXPECT_FALSE(DigestNamesRequest("", "sip:08081570001@127.0.0.1:5060"));
}

TEST(Digest, NonceIsFreshOnlyWhileYoungAndUnaltered) {
    NonceMaker maker;
    auto nonce = maker.Make(1'000'000);
    EXPECT_TRUE(maker.Fresh(nonce, 1'000'000, 300'000));
    EXPECT_TRUE(maker.Fresh(nonce, 1'299'000, 300'000));
    EXPECT_FALSE(maker.Fresh(nonce, 1'301'000, 300'000));
    auto altered = nonce;
    altered.back() = altered.back() == '0' ? '1' : '0';
    EXPECT_FALSE(maker.Fresh(altered, 1'000'000, 300'000));
    EXPECT_FALSE(maker.Fresh("f4240", 1'000'000, 300'000));
    EXPECT_FALSE(maker.Fresh("", 1'000'000, 300'000));
    NonceMaker other;
    EXPECT_FALSE(other.Fresh(nonce, 1'000'000, 300'000));
}

TEST(Digest, EveryChallengeGetsANonceOfItsOwn) {
    // Two challenges in one millisecond: the same nonce twice would make the second answer a "replay".
    NonceMaker maker;
    auto a = maker.Make(1'000'000, "127.0.0.1");
    auto b = maker.Make(1'000'000, "127.0.0.1");
    EXPECT_NE(a, b);
    EXPECT_TRUE(maker.Fresh(a, 1'000'000, 60'000, "127.0.0.1"));
    EXPECT_TRUE(maker.Fresh(b, 1'000'000, 60'000, "127.0.0.1"));
    auto resalted = a;
    char& salt = resalted[a.find('.') + 1];
    salt = salt == '0' ? '1' : '0';
    EXPECT_FALSE(maker.Fresh(resalted, 1'000'000, 60'000, "127.0.0.1")) << "the salt is signed too";
}

TEST(Digest, NonceIsBoundToTheClientItWasIssuedTo) {
    NonceMaker maker;
    auto nonce = maker.Make(1'000'000, "127.0.0.1");
    EXPECT_TRUE(maker.Fresh(nonce, 1'000'000, 60'000, "127.0.0.1"));
    EXPECT_FALSE(maker.Fresh(nonce, 1'000'000, 60'000, "127.0.0.2"));
    EXPECT_FALSE(maker.Fresh(nonce, 1'000'000, 60'000));
}

TEST(Digest, EachNonceCountIsAcceptedOnceAndMustRise) {
    NonceCounts counts(60'000, 100);
    EXPECT_TRUE(counts.Use("n1", "00000001", 0));
    EXPECT_FALSE(counts.Use("n1", "00000001", 10)) << "the same answer again is a replay";
    EXPECT_TRUE(counts.Use("n1", "00000002", 20));
    EXPECT_FALSE(counts.Use("n1", "00000001", 30)) << "a lower count is a replay";
    EXPECT_TRUE(counts.Use("n1", "0000000A", 40));
    EXPECT_TRUE(counts.Use("n2", "00000001", 50)) << "counts are per nonce";
    for (const char* bad : {"", "1", "0000001", "000000001", "0000000g", "00000000", "-0000001"}) {
        EXPECT_FALSE(counts.Use("n3", bad, 60)) << "nc='" << bad << "'";
    }
}

TEST(Digest, NonceCountsStayWithinCapacityAndForgetExpiredNonces) {
    NonceCounts counts(1'000, 2);
    EXPECT_TRUE(counts.Use("a", "00000001", 0));
    EXPECT_TRUE(counts.Use("b", "00000001", 0));
    EXPECT_FALSE(counts.Use("c", "00000001", 500)) << "full of live nonces";
    EXPECT_TRUE(counts.Use("c", "00000001", 1'500)) << "a and b expired";
    EXPECT_LE(counts.Size(), 2u);
}

}  // namespace
}  // namespace crisisline::telephony
