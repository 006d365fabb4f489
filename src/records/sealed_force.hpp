#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/keys.hpp"

namespace crisisline::records {

// The force a caller names, sealed on its own beside the contact's content so that the reports can count it
// without opening anything else (docs/security.md, "What the database file alone reveals"). It is kept in the
// contact's facts under kSealedForceKey as hex of nonce || ciphertext: XChaCha20-Poly1305 under the line's key, the
// code padded to a fixed width (every force's ciphertext is the same length), the contact named in the AAD (a
// sealed force moved onto another contact does not open). Thread-safe. REQUIRES: crypto::Initialise() succeeded.
inline constexpr const char* kSealedForceKey = "force_sealed";
// Beside it, only in the merged facts of a call carried on to another counsellor (records/carried_calls.hpp): the
// id of the contact it was sealed for, when that is not the row's own.
inline constexpr const char* kSealedForceForKey = "force_sealed_for";

// The sealed text of force `code` for contact `contact_id` of `line_id`. REQUIRES: code is at most 48 bytes.
std::string SealForce(const crypto::SecretKey& line_key,
                      std::string_view line_id,
                      std::string_view contact_id,
                      std::string_view code);

// The force code sealed in `facts` (the facts of contact `contact_id`, or of the call it begins, merged), or nullopt
// when there is none, or it does not open with `line_key` for that contact (moved, altered, or another key's).
std::optional<std::string> OpenForce(const crypto::SecretKey& line_key,
                                     std::string_view line_id,
                                     std::string_view contact_id,
                                     const nlohmann::json& facts);

}  // namespace crisisline::records
