#include "crypto/envelope.hpp"

#include <sodium.h>

#include <cstdint>

#include "crypto/detail/secret_buffer.hpp"

namespace crisisline::crypto {

namespace {

constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kDataKeySize = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

static_assert(SecretKey::size() == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

const std::uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

tl::unexpected<Error> CannotDecrypt() {
    return Fail(ErrorCode::kInternal, "record content cannot be decrypted (wrong key or altered)");
}

tl::unexpected<Error> Shredded() { return Fail(ErrorCode::kNotFound, "record content has been shredded"); }

// nonce || AEAD(plaintext) under `key`, with a fresh random nonce.
store::Bytes SealRaw(const std::uint8_t* key, const std::uint8_t* plaintext, size_t size, std::string_view aad) {
    store::Bytes out(kNonceSize + size + kTagSize);
    randombytes_buf(out.data(), kNonceSize);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonceSize, &written, plaintext, size, Bytes(aad),
                                               aad.size(), nullptr, out.data(), key);
    return out;
}

// Opens nonce || AEAD into `out`, which must be exactly the plaintext size.
bool OpenRaw(const std::uint8_t* key, const store::Bytes& sealed, std::string_view aad, std::uint8_t* out) {
    unsigned long long written = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &written, nullptr, sealed.data() + kNonceSize,
                                                      sealed.size() - kNonceSize, Bytes(aad), aad.size(), sealed.data(),
                                                      key) == 0;
}

Result<std::string> OpenToString(const std::uint8_t* key, const store::Bytes& sealed, std::string_view aad) {
    if (sealed.size() < kNonceSize + kTagSize) return CannotDecrypt();
    std::string plaintext(sealed.size() - kNonceSize - kTagSize, '\0');
    if (!OpenRaw(key, sealed, aad, reinterpret_cast<std::uint8_t*>(plaintext.data()))) {
        sodium_memzero(plaintext.data(), plaintext.size());
        return CannotDecrypt();
    }
    return plaintext;
}

Result<detail::SecretBuffer> Unwrap(const SecretKey& kek, const store::Bytes& wrapped_key, std::string_view aad) {
    if (wrapped_key.size() != kNonceSize + kDataKeySize + kTagSize) return CannotDecrypt();
    detail::SecretBuffer data_key(kDataKeySize);
    if (!OpenRaw(kek.data(), wrapped_key, aad, data_key.data())) return CannotDecrypt();
    return data_key;
}

}  // namespace

store::Sealed Seal(const SecretKey& kek, std::string_view plaintext, std::string_view aad) {
    detail::SecretBuffer data_key(kDataKeySize);
    crypto_aead_xchacha20poly1305_ietf_keygen(data_key.data());
    store::Sealed sealed;
    sealed.ciphertext = SealRaw(data_key.data(), Bytes(plaintext), plaintext.size(), aad);
    sealed.wrapped_key = SealRaw(kek.data(), data_key.data(), data_key.size(), aad);
    return sealed;
}

Result<store::Sealed> Reseal(const SecretKey& kek,
                             const store::Bytes& wrapped_key,
                             std::string_view plaintext,
                             std::string_view aad) {
    if (wrapped_key.empty()) return Shredded();
    auto data_key = Unwrap(kek, wrapped_key, aad);
    if (!data_key) return tl::unexpected(data_key.error());
    store::Sealed sealed;
    sealed.wrapped_key = wrapped_key;
    sealed.ciphertext = SealRaw(data_key->data(), Bytes(plaintext), plaintext.size(), aad);
    return sealed;
}

Result<std::string> Open(const SecretKey& kek, const store::Sealed& sealed, std::string_view aad) {
    if (sealed.Empty()) return Shredded();
    auto data_key = Unwrap(kek, sealed.wrapped_key, aad);
    if (!data_key) return tl::unexpected(data_key.error());
    return OpenToString(data_key->data(), sealed.ciphertext, aad);
}

store::Bytes SealWithKey(const SecretKey& key, std::string_view plaintext, std::string_view aad) {
    return SealRaw(key.data(), Bytes(plaintext), plaintext.size(), aad);
}

Result<std::string> OpenWithKey(const SecretKey& key, const store::Bytes& sealed, std::string_view aad) {
    return OpenToString(key.data(), sealed, aad);
}

}  // namespace crisisline::crypto
