#include "crypto/password.hpp"

#include <sodium.h>

namespace crisisline::crypto {

namespace {

constexpr size_t kMinPasswordSize = 12;
constexpr size_t kMaxPasswordSize = 256;
// OWASP's Argon2id setting (19 MiB, 2 passes, 1 lane): strong against offline guessing while a
// few sign-ins at once stay inside the server's memory budget. Hashes carry their own parameters,
// so older hashes made with other settings still verify.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

}  // namespace

Result<std::string> HashPassword(std::string_view password) {
    char encoded[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(encoded, password.data(), password.size(), kOpsLimit, kMemLimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Fail(ErrorCode::kInternal, "cannot hash the password: not enough memory for Argon2id");
    }
    return std::string(encoded);
}

bool VerifyPassword(const std::string& encoded_hash, std::string_view password) {
    // libsodium reads the hash as a NUL-terminated string of at most crypto_pwhash_STRBYTES.
    if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

Result<void> CheckPasswordPolicy(std::string_view password) {
    if (password.size() < kMinPasswordSize) {
        return Fail(ErrorCode::kInvalid, "password", "a password is at least 12 characters");
    }
    if (password.size() > kMaxPasswordSize) {
        return Fail(ErrorCode::kInvalid, "password", "a password is at most 256 characters");
    }
    return {};
}

}  // namespace crisisline::crypto
