#include "crypto/detail/hmac.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace crisisline::crypto::detail {
namespace {

store::Bytes Text(std::string_view s) { return store::Bytes(s.begin(), s.end()); }
store::Bytes Repeat(std::uint8_t byte, size_t n) { return store::Bytes(n, byte); }

std::string Hex(const store::Bytes& bytes) {
    std::string hex(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
    hex.pop_back();
    return hex;
}

struct HmacCase {
    const char* name;
    store::Bytes key;
    store::Bytes data;
    const char* digest;
};

TEST(HmacTest, Sha1MatchesRfc2202) {
    store::Bytes counting_key;
    for (std::uint8_t b = 0x01; b <= 0x19; ++b) counting_key.push_back(b);
    const HmacCase cases[] = {
        {"1", Repeat(0x0b, 20), Text("Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00"},
        {"2", Text("Jefe"), Text("what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
        {"3", Repeat(0xaa, 20), Repeat(0xdd, 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
        {"4", counting_key, Repeat(0xcd, 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
        {"5", Repeat(0x0c, 20), Text("Test With Truncation"), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
        {"6", Repeat(0xaa, 80), Text("Test Using Larger Than Block-Size Key - Hash Key First"),
         "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
        {"7", Repeat(0xaa, 80), Text("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"),
         "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(Hex(HmacSha1(c.key, c.data)), c.digest) << "RFC 2202 test case " << c.name;
    }
}

TEST(HmacTest, Sha256AndSha512MatchRfc4231Case1) {
    EXPECT_EQ(Hex(HmacSha256(Repeat(0x0b, 20), Text("Hi There"))),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(Hex(HmacSha512(Repeat(0x0b, 20), Text("Hi There"))),
              "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
              "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
}

}  // namespace
}  // namespace crisisline::crypto::detail
