#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace crisisline::crypto {

// Hashes a password with Argon2id (OWASP's setting: 19 MiB, 2 passes; tens of
// milliseconds). Returns the encoded string, "$argon2id$...".
// Slow by design: call it on a worker thread, never on an event loop.
// kInternal when memory cannot be had. Does not apply the policy; see CheckPasswordPolicy.
[[nodiscard]] Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `encoded_hash` (as HashPassword returned). False on
// a mismatch or a malformed hash. Slow by design, as HashPassword.
bool VerifyPassword(const std::string& encoded_hash, std::string_view password);

// kInvalid, field "password", with the reason, when the password is shorter than 12 bytes or longer than 256
// bytes; when it is a pattern (at most 3 different characters, a run such as abcdefghijkl or 987654321098); or
// when it is common (NIST SP 800-63B 5.1.1.2): the blocklist src/crypto/data/common_passwords.txt holds it,
// ignoring case, spaces and separators, leading and trailing digits and symbols ("Password1234!"), the usual
// letter swaps ("p@ssw0rd") and repetition ("passwordpassword"). Thread-safe.
[[nodiscard]] Result<void> CheckPasswordPolicy(std::string_view password);

}  // namespace crisisline::crypto
