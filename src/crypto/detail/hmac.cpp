#include "crypto/detail/hmac.hpp"

#include <sodium.h>

#include <array>
#include <boost/uuid/detail/sha1.hpp>
#include <type_traits>

namespace crisisline::crypto::detail {

namespace {

using Sha1 = boost::uuids::detail::sha1;
constexpr size_t kSha1BlockSize = 64;
constexpr size_t kSha1DigestSize = 20;
using Sha1Digest = std::array<std::uint8_t, kSha1DigestSize>;

// Wiping the hasher's state needs it to be plain bytes.
static_assert(std::is_trivially_copyable_v<Sha1>);

Sha1Digest Sha1Of(std::span<const std::uint8_t> first, std::span<const std::uint8_t> second) {
    Sha1 sha;
    sha.process_bytes(first.data(), first.size());
    sha.process_bytes(second.data(), second.size());
    Sha1::digest_type words;
    sha.get_digest(words);
    Sha1Digest out;
    for (size_t i = 0; i < 5; ++i) {  // Boost gives five 32-bit words; the digest is their big-endian bytes
        out[4 * i] = static_cast<std::uint8_t>(words[i] >> 24);
        out[4 * i + 1] = static_cast<std::uint8_t>(words[i] >> 16);
        out[4 * i + 2] = static_cast<std::uint8_t>(words[i] >> 8);
        out[4 * i + 3] = static_cast<std::uint8_t>(words[i]);
    }
    // The hasher's state and the words are derived from the key.
    sodium_memzero(&sha, sizeof sha);
    sodium_memzero(words, sizeof words);
    return out;
}

}  // namespace

store::Bytes HmacSha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message) {
    // K0: the key, hashed first when longer than a block, zero-padded to a block.
    std::array<std::uint8_t, kSha1BlockSize> block{};
    if (key.size() > kSha1BlockSize) {
        const Sha1Digest hashed = Sha1Of(key, {});
        std::copy(hashed.begin(), hashed.end(), block.begin());
    } else {
        std::copy(key.begin(), key.end(), block.begin());
    }
    std::array<std::uint8_t, kSha1BlockSize> pad{};
    for (size_t i = 0; i < kSha1BlockSize; ++i) pad[i] = block[i] ^ 0x36;
    Sha1Digest inner = Sha1Of(pad, message);
    for (size_t i = 0; i < kSha1BlockSize; ++i) pad[i] = block[i] ^ 0x5c;
    const Sha1Digest outer = Sha1Of(pad, inner);
    sodium_memzero(block.data(), block.size());
    sodium_memzero(pad.data(), pad.size());
    sodium_memzero(inner.data(), inner.size());
    return store::Bytes(outer.begin(), outer.end());
}

store::Bytes HmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message) {
    crypto_auth_hmacsha256_state state;
    store::Bytes out(crypto_auth_hmacsha256_BYTES);
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, message.data(), message.size());
    crypto_auth_hmacsha256_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
}

store::Bytes HmacSha512(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message) {
    crypto_auth_hmacsha512_state state;
    store::Bytes out(crypto_auth_hmacsha512_BYTES);
    crypto_auth_hmacsha512_init(&state, key.data(), key.size());
    crypto_auth_hmacsha512_update(&state, message.data(), message.size());
    crypto_auth_hmacsha512_final(&state, out.data());
    sodium_memzero(&state, sizeof state);
    return out;
}

}  // namespace crisisline::crypto::detail
