#include "crypto/crypto.hpp"

#include <sodium.h>

#include <array>

namespace crisisline::crypto {

namespace {

constexpr std::string_view kIdAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr size_t kIdRandomChars = 20;

}  // namespace

Result<void> Initialise() {
    // 0: initialised now; 1: already initialised; -1: failure (e.g. no entropy source).
    if (sodium_init() < 0) {
        return Fail(ErrorCode::kInternal, "libsodium could not be initialised (is /dev/urandom available?)");
    }
    return {};
}

std::string Sha256Hex(std::string_view data) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> hash{};
    crypto_hash_sha256(hash.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::array<char, 2 * crypto_hash_sha256_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return hex.data();
}

std::string HmacSha256Hex(const SecretKey& key, std::string_view data) {
    static_assert(SecretKey::size() == crypto_auth_hmacsha256_KEYBYTES);
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size(), key.data());
    std::array<char, 2 * crypto_auth_hmacsha256_BYTES + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
    return hex.data();
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomToken(size_t bytes) {
    if (bytes == 0) return std::string();  // an empty vector's data() may be null, which libsodium must not get
    std::vector<unsigned char> random(bytes);
    randombytes_buf(random.data(), random.size());
    std::string text(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(text.data(), text.size(), random.data(), random.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(random.data(), random.size());
    text.resize(text.size() - 1);  // the NUL terminator sodium_bin2base64 wrote
    return text;
}

std::string NewId(std::string_view prefix) {
    std::string id(prefix);
    id += '_';
    for (size_t i = 0; i < kIdRandomChars; ++i) id += kIdAlphabet[randombytes_uniform(kIdAlphabet.size())];
    return id;
}

}  // namespace crisisline::crypto
