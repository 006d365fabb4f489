#pragma once

#include <cstdint>
#include <span>

#include "store/rows.hpp"

namespace crisisline::crypto::detail {

// HMAC (RFC 2104) with keys of any length. SHA-1 is built here on Boost's SHA-1,
// as libsodium has none; SHA-256 and SHA-512 use libsodium's HMAC.
store::Bytes HmacSha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);
store::Bytes HmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);
store::Bytes HmacSha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);

}  // namespace crisisline::crypto::detail
