#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "crypto/keys.hpp"
#include "store/rows.hpp"

namespace crisisline::crypto {

// Envelope encryption of a record's confidential content.
//
// Each record gets its own random 32-byte data key. The content is sealed with
// XChaCha20-Poly1305-IETF under the data key, and the data key is sealed
// ("wrapped") under the line's key-encryption key (KEK); both use `aad`, which
// names the record (e.g. "contact:<line>:<id>") so a ciphertext or wrapped key
// moved onto another record does not open. Both are stored as nonce || ciphertext.
// Shredding a record means discarding both (store::Sealed::Empty()).
//
// All functions are thread-safe. REQUIRES: Initialise() succeeded.

// Seals `plaintext` under a new data key, itself wrapped under `kek`.
store::Sealed Seal(const SecretKey& kek, std::string_view plaintext, std::string_view aad);

// Seals new `plaintext` under the record's existing data key (unwrapped from
// `wrapped_key`) with a fresh nonce; the result carries the same wrapped key.
// Fails as Open does.
[[nodiscard]] Result<store::Sealed> Reseal(const SecretKey& kek,
                                           const store::Bytes& wrapped_key,
                                           std::string_view plaintext,
                                           std::string_view aad);

// On success returns the plaintext. Fails with kNotFound when the content was
// shredded, and kInternal "record content cannot be decrypted (wrong key or
// altered)" on a wrong key, a wrong aad, or any altered or truncated byte.
[[nodiscard]] Result<std::string> Open(const SecretKey& kek, const store::Sealed& sealed, std::string_view aad);

// Seals `plaintext` directly under `key` (e.g. TOTP secrets under the service key):
// nonce || ciphertext.
store::Bytes SealWithKey(const SecretKey& key, std::string_view plaintext, std::string_view aad);
// Opens what SealWithKey produced; kInternal as Open on any failure.
[[nodiscard]] Result<std::string> OpenWithKey(const SecretKey& key, const store::Bytes& sealed, std::string_view aad);

}  // namespace crisisline::crypto
