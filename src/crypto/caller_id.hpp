#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "crypto/keys.hpp"

namespace crisisline::crypto {

// Normalises a caller's number to E.164 ("+447700900123"). Accepts a bare number or a
// "tel:" / "sip:" / "sips:" URI (the user part is used; parameters are dropped). Spaces,
// dashes, dots and brackets are removed; a "(0)" after an international prefix is dropped;
// a "00" prefix becomes "+"; a UK national number "0..." becomes "+44...".
// Fails with kInvalid, field "number", when what remains is not '+' and 7-15 digits
// (not starting with 0). Error messages never repeat the number.
[[nodiscard]] Result<std::string> NormalisePhoneNumber(std::string_view raw);

// A keyed BLAKE2b hash (32 bytes, lower-case hex) of a normalised number under a
// subkey derived from the line's KEK (crypto_kdf context "callerid", subkey 1).
// The same number on the same line always gives the same hash; another line gives
// another hash, so repeat callers are recognised within a line and never across lines.
std::string CallerHash(const SecretKey& line_kek, std::string_view normalised_number);

}  // namespace crisisline::crypto
