#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/rows.hpp"

namespace crisisline::crypto {

// Time-based one-time passwords, RFC 6238 over RFC 4226 HOTP. Thread-safe.

enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

// RFC 4648 base32: upper case, no '=' padding.
std::string Base32Encode(const store::Bytes& data);
// Case-insensitive; spaces and '=' are ignored. kInvalid on any other character
// or a length no encoding can have.
[[nodiscard]] Result<store::Bytes> Base32Decode(std::string_view text);

// A new 20-byte (160-bit) shared secret. REQUIRES: Initialise() succeeded.
store::Bytes NewTotpSecret();

// The code for the time step holding `unix_seconds`, zero-padded to `digits`.
// REQUIRES: 1 <= digits <= 9, step_seconds > 0.
std::string TotpCode(const store::Bytes& secret,
                     std::int64_t unix_seconds,
                     int digits = 6,
                     TotpAlgorithm alg = TotpAlgorithm::kSha1,
                     int step_seconds = 30);

// Checks a 6-digit SHA-1 code (30-second steps) against the steps from t-window to
// t+window, comparing in constant time. Returns the earliest matching time step
// (counter), which the caller stores and uses to refuse the same or an earlier step
// again (replay); nullopt when nothing matches or `code` is not exactly 6 digits.
std::optional<std::int64_t> VerifyTotp(const store::Bytes& secret,
                                       std::string_view code,
                                       std::int64_t unix_seconds,
                                       int window = 1);

// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
// with issuer and account percent-encoded, for an authenticator app's QR code.
std::string TotpUri(std::string_view issuer, std::string_view account, const store::Bytes& secret);

}  // namespace crisisline::crypto
