#include "api/turn_credentials.hpp"

#include <gtest/gtest.h>

namespace crisisline::api {
namespace {

TEST(TurnCredentialTest, UserNameIsExpiryThenStaffId) {
    const auto credential = MakeTurnCredential("secret", "st_abc123", 1'700'000'000, std::chrono::seconds(3600));
    EXPECT_EQ(credential.username, "1700003600:st_abc123");
    EXPECT_EQ(credential.expires_at_s, 1'700'003'600);
}

// The expected passwords were computed with Python's hmac and base64 modules, not with this code:
// base64(hmac.new(secret, b"1700003600:st_abc123", hashlib.sha1).digest()).
TEST(TurnCredentialTest, PasswordIsBase64HmacSha1OfTheUserNameUnderTheSecret) {
    struct Case {
        const char* secret;
        const char* password;
    };
    for (const Case& c : {Case{"secret", "44i7RCav84A68XrhYzke56E/vUI="},
                          Case{"another secret", "0PlAm8r4/VkbqCEY8uX3g1or+rA="}}) {
        const auto credential = MakeTurnCredential(c.secret, "st_abc123", 1'700'000'000, std::chrono::seconds(3600));
        EXPECT_EQ(credential.password, c.password) << c.secret;
    }
}

}  // namespace
}  // namespace crisisline::api
