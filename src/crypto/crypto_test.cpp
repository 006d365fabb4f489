#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

#include <set>

namespace crisisline::crypto {
namespace {

// Every test in this binary runs after libsodium is initialised, as the service does at start-up.
class SodiumEnvironment : public ::testing::Environment {
public:
    void SetUp() override { ASSERT_TRUE(Initialise()); }
};
const ::testing::Environment* const kSodium = ::testing::AddGlobalTestEnvironment(new SodiumEnvironment);

TEST(CryptoTest, InitialiseCanBeCalledAgain) { EXPECT_TRUE(Initialise()); }

TEST(CryptoTest, Sha256HexMatchesKnownDigests) {
    EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, ConstantTimeEqualsComparesContentAndLength) {
    EXPECT_TRUE(ConstantTimeEquals("", ""));
    EXPECT_TRUE(ConstantTimeEquals("token", "token"));
    EXPECT_FALSE(ConstantTimeEquals("token", "tokeN"));
    EXPECT_FALSE(ConstantTimeEquals("token", "token1"));
    EXPECT_FALSE(ConstantTimeEquals("token", ""));
}

TEST(CryptoTest, RandomTokenIsUrlSafeUnpaddedAndFresh) {
    const std::string a = RandomToken();
    EXPECT_EQ(a.size(), 43u);  // 32 bytes -> ceil(256 / 6) characters
    EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << a;
    EXPECT_NE(a, RandomToken());
    EXPECT_EQ(RandomToken(16).size(), 22u);
    EXPECT_EQ(RandomToken(0), "");
}

TEST(CryptoTest, NewIdHasPrefixAndTwentyBase32Characters) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string id = NewId("ct");
        ASSERT_EQ(id.size(), 23u) << id;
        EXPECT_EQ(id.substr(0, 3), "ct_") << id;
        EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567", 3), std::string::npos) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace crisisline::crypto
