#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/keys.hpp"
#include "store/rows.hpp"

namespace crisisline::records {

// The force a caller names, sealed on its own beside the contact's content (store::ContactRow::force_sealed) so
// that the reports can count it without opening anything else (docs/security.md, "What the database file alone
// still tells"): XChaCha20-Poly1305 under the line's key with a fresh nonce, the code padded to a fixed width (every
// force's ciphertext is the same length), the contact named in the AAD (moved onto another contact it does not
// open). Thread-safe. REQUIRES: crypto::Initialise() succeeded.

// Only in the merged facts of a call carried on to another counsellor (records/carried_calls.hpp), never stored:
// the id of the contact whose force the merged row carries, when that is not the row's own.
inline constexpr const char* kSealedForceForKey = "force_sealed_for";

// Force `code` sealed for contact `contact_id` of `line_id`. REQUIRES: code is at most 48 bytes.
store::Bytes SealForce(const crypto::SecretKey& line_key,
                       std::string_view line_id,
                       std::string_view contact_id,
                       std::string_view code);

// The force code sealed in `row` (whose parsed facts are `facts`), or nullopt when there is none, or it does not
// open with `line_key` for that contact (moved, altered, or another key's).
std::optional<std::string> OpenForce(const crypto::SecretKey& line_key,
                                     const store::ContactRow& row,
                                     const nlohmann::json& facts);

}  // namespace crisisline::records
