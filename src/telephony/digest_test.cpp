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

}  // namespace
}  // namespace crisisline::telephony
