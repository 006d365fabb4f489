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
    // Words cycled to the length wanted: long, not a pattern, not common.
    auto of_length = [](size_t n) {
        const std::string words = "tram violet quarry mango ";
        std::string out;
        while (out.size() < n) out += words[out.size() % words.size()];
        return out;
    };
    const std::pair<std::string, bool> cases[] = {
        {"", false},
        {of_length(11), false},
        {of_length(12), true},
        {of_length(256), true},
        {of_length(257), false},
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

TEST(PasswordTest, PolicyRefusesCommonAndTrivialPasswords) {
    const char* refused[] = {
        "aaaaaaaaaaaa",          // one character
        "password1234",          // a common word with digits
        "Password1234!",         // and a capital and a symbol
        "2024password!!",        // digits in front
        "P@ssw0rd2024",          // letters swapped for digits and symbols
        "passwordpassword",      // repeated
        "abababababab",          // two characters
        "121212121212",          //
        "abcdefghijkl",          // a run
        "123456789012",          // a run, digits wrapping
        "zyxwvutsrqpo",          // a run backwards
        "qwertyuiopas",          // a keyboard row
        "1q2w3e4r5t6y",          // a keyboard walk
        "iloveyou1234",          //
        "Sunshine2024",          //
        "monkey123456",          //
        "crisisline2024",        // the service's own name
        "Police Officer 1",      // its callers' trade, spaces ignored
        "correct horse battery staple",
        "letmein-letmein",
    };
    for (const char* password : refused) {
        auto checked = CheckPasswordPolicy(password);
        ASSERT_FALSE(checked) << password << " was accepted";
        EXPECT_EQ(checked.error().field, "password");
        EXPECT_EQ(checked.error().code, ErrorCode::kInvalid);
    }
    const char* accepted[] = {
        "correct horse battery",  // not the famous one
        "tram violet quarry mango",
        "integration-test-password",
        "Otters prefer Tuesdays 7",
        "kG7#pq2!Lm9z",
    };
    for (const char* password : accepted) {
        auto checked = CheckPasswordPolicy(password);
        EXPECT_TRUE(checked) << password << ": " << (checked ? "" : checked.error().message);
    }
}

TEST(PasswordTest, TheShippedBlocklistIsLoaded) {
    // Entries only the data file holds (not the code's patterns): proves the file is compiled in.
    for (const char* word : {"liverpool1234", "samaritans2024", "scotlandyard1", "thinblueline99"}) {
        EXPECT_FALSE(CheckPasswordPolicy(word)) << word;
    }
}

}  // namespace
}  // namespace crisisline::crypto
