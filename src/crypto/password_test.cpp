#include "crypto/password.hpp"

#include <gtest/gtest.h>

namespace crisisline::crypto {
namespace {

TEST(PasswordTest, Argon2idHashVerifiesOnlyTheRightPassword) {
    auto hash = HashPassword("correct horse battery staple");
    ASSERT_TRUE(hash) << hash.error().message;
    EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
    EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
    EXPECT_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
    EXPECT_FALSE(VerifyPassword(*hash, ""));
}

TEST(PasswordTest, SamePasswordHashesDifferentlyEachTime) {
    auto a = HashPassword("correct horse battery staple");
    auto b = HashPassword("correct horse battery staple");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b) << "each hash has its own salt";
}

TEST(PasswordTest, MalformedHashesNeverVerify) {
    for (const std::string& bad :
         {std::string(), std::string("plain"), std::string("$argon2id$v=19$m=1,t=1,p=1$"), std::string(500, 'a')}) {
        EXPECT_FALSE(VerifyPassword(bad, "plain")) << bad;
    }
}

TEST(PasswordTest, PolicyBoundsTheLength) {
    const std::pair<std::string, bool> cases[] = {
        {"", false},
        {std::string(11, 'x'), false},
        {std::string(12, 'x'), true},
        {std::string(256, 'x'), true},
        {std::string(257, 'x'), false},
    };
    for (const auto& [password, ok] : cases) {
        auto checked = CheckPasswordPolicy(password);
        EXPECT_EQ(static_cast<bool>(checked), ok) << "length " << password.size();
        if (!checked) {
            EXPECT_EQ(checked.error().code, ErrorCode::kInvalid);
            EXPECT_EQ(checked.error().field, "password");
            EXPECT_FALSE(checked.error().message.empty());
        }
    }
}

}  // namespace
}  // namespace crisisline::crypto
