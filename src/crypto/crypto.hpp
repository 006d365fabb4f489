#pragma once

// The public face of crisisline's cryptography: keys and key files, envelope
// encryption of record content, caller-number hashing, passwords and TOTP.
// Every function here is built on libsodium (plus Boost's SHA-1 for TOTP) and
// never throws; fallible ones return Result<T>.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "crypto/caller_id.hpp"
#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "crypto/password.hpp"
#include "crypto/totp.hpp"

namespace crisisline::crypto {

// Initialises libsodium. Call once at start-up, before any other function in
// this namespace and before any threads are started. Safe to call again.
// On failure (no usable random source) returns kInternal; the service must not start.
[[nodiscard]] Result<void> Initialise();

// SHA-256 of `data`, 64 lower-case hex characters.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key`, 64 lower-case hex characters. Thread-safe.
std::string HmacSha256Hex(const SecretKey& key, std::string_view data);

// Compares in time that depends only on the length. False when the lengths differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `bytes` random bytes as base64url without padding (32 bytes -> 43 characters).
// REQUIRES: Initialise() succeeded.
std::string RandomToken(size_t bytes = 32);

// A new random identifier: `prefix` + "_" + 20 characters of lower-case base32
// (100 random bits), e.g. NewId("ct") -> "ct_k3jq...". REQUIRES: Initialise() succeeded.
std::string NewId(std::string_view prefix);

}  // namespace crisisline::crypto
