#include "evp_srtp.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <cstring>

namespace crisisline::bench {

namespace {

constexpr size_t kHeader = 12;
constexpr size_t kCmTag = 10;
constexpr size_t kGcmTag = 16;
constexpr std::uint64_t kWindow = 64;

// RFC 3711 section 4.3.1 with r = 0: x = master salt with the label XORed into its eighth byte, the IV is
// x * 2^16, and the session key is the first n bytes of AES-CM keystream under the master key.
void Derive(const std::uint8_t* master_key, const std::uint8_t* master_salt, size_t salt_len, std::uint8_t label,
            std::uint8_t* out, size_t n) {
    std::uint8_t iv[16] = {};
    std::memcpy(iv, master_salt, salt_len);
    iv[7] ^= label;
    std::uint8_t zeros[32] = {};
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, master_key, iv);
    EVP_EncryptUpdate(ctx, out, &outl, zeros, static_cast<int>(n));
    EVP_CIPHER_CTX_free(ctx);
}

std::uint16_t Seq(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[2] << 8 | p[3]); }
std::uint32_t Ssrc(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[8]) << 24 | static_cast<std::uint32_t>(p[9]) << 16 |
           static_cast<std::uint32_t>(p[10]) << 8 | p[11];
}
void PutBe(std::uint8_t* out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[i] = static_cast<std::uint8_t>(v);
}

}  // namespace

EvpSrtp::EvpSrtp(EvpSuite suite, const std::uint8_t* master) : suite_(suite) {
    const std::uint8_t* salt = master + 16;
    const size_t salt_len = suite == EvpSuite::kGcm ? 12 : 14;
    Derive(master, salt, salt_len, 0x00, key_, 16);
    Derive(master, salt, salt_len, 0x02, salt_, salt_len);
    cipher_ = EVP_CIPHER_CTX_new();
    EVP_CipherInit_ex(cipher_, suite == EvpSuite::kGcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), nullptr, key_,
                      nullptr, 1);
    if (suite == EvpSuite::kAesCm80) {
        Derive(master, salt, salt_len, 0x01, auth_, 20);
        mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        hmac_ = EVP_MAC_CTX_new(mac_);
        char digest[] = "SHA1";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        EVP_MAC_init(hmac_, auth_, sizeof auth_, params);
    }
}

EvpSrtp::~EvpSrtp() {
    EVP_MAC_CTX_free(hmac_);
    EVP_MAC_free(mac_);
    EVP_CIPHER_CTX_free(cipher_);
    OPENSSL_cleanse(key_, sizeof key_);
    OPENSSL_cleanse(auth_, sizeof auth_);
    OPENSSL_cleanse(salt_, sizeof salt_);
}

std::uint64_t EvpSrtp::SendIndex(std::uint16_t seq) {
    std::uint64_t roc = sent_ >> 16;
    if (sent_any_ && seq < (sent_ & 0xffff) && (sent_ & 0xffff) - seq > 0x8000) ++roc;  // the 16-bit wrap
    sent_ = roc << 16 | seq;
    sent_any_ = true;
    return sent_;
}

// RFC 3711 appendix A: the index guessed from the highest one accepted, then the replay window's verdict.
bool EvpSrtp::ReceiveIndex(std::uint16_t seq, std::uint64_t& index) const {
    if (!received_any_) {
        index = seq;
        return true;
    }
    const std::uint64_t s_l = highest_ & 0xffff;
    std::uint64_t v = highest_ >> 16;
    if (s_l < 0x8000) {
        if (seq > s_l && seq - s_l > 0x8000 && v > 0) --v;
    } else if (s_l - 0x8000 > seq) {
        ++v;
    }
    index = v << 16 | seq;
    if (index > highest_) return true;
    const std::uint64_t behind = highest_ - index;
    return behind < kWindow && !(window_ >> behind & 1);
}

void EvpSrtp::Accept(std::uint64_t index) {
    if (!received_any_ || index > highest_) {
        const std::uint64_t ahead = received_any_ ? index - highest_ : 0;
        window_ = ahead >= kWindow ? 0 : window_ << ahead;
        window_ |= 1;
        highest_ = index;
        received_any_ = true;
    } else {
        window_ |= std::uint64_t{1} << (highest_ - index);
    }
}

void EvpSrtp::CtrIv(std::uint32_t ssrc, std::uint64_t index, std::uint8_t iv[16]) const {
    if (suite_ == EvpSuite::kAesCm80) {
        // RFC 3711 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
        std::memcpy(iv, salt_, 14);
        iv[14] = iv[15] = 0;
        std::uint8_t s[4], i[6];
        PutBe(s, ssrc, 4);
        PutBe(i, index, 6);
        for (int b = 0; b < 4; ++b) iv[4 + b] ^= s[b];
        for (int b = 0; b < 6; ++b) iv[8 + b] ^= i[b];
    } else {
        // RFC 7714 8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, 12 bytes.
        std::uint8_t x[12] = {};
        PutBe(x + 2, ssrc, 4);
        PutBe(x + 6, index >> 16, 4);
        PutBe(x + 10, index & 0xffff, 2);
        for (int b = 0; b < 12; ++b) iv[b] = x[b] ^ salt_[b];
    }
}

size_t EvpSrtp::Protect(std::uint8_t* p, size_t len) {
    if (len < kHeader) return 0;
    const std::uint64_t index = SendIndex(Seq(p));
    std::uint8_t iv[16];
    CtrIv(Ssrc(p), index, iv);
    int outl = 0;
    const int payload = static_cast<int>(len - kHeader);
    if (EVP_CipherInit_ex(cipher_, nullptr, nullptr, nullptr, iv, 1) != 1) return 0;
    if (suite_ == EvpSuite::kGcm) {
        if (EVP_CipherUpdate(cipher_, nullptr, &outl, p, kHeader) != 1 ||
            EVP_CipherUpdate(cipher_, p + kHeader, &outl, p + kHeader, payload) != 1 ||
            EVP_CipherFinal_ex(cipher_, p + len, &outl) != 1 ||
            EVP_CIPHER_CTX_ctrl(cipher_, EVP_CTRL_GCM_GET_TAG, kGcmTag, p + len) != 1) {
            return 0;
        }
        return len + kGcmTag;
    }
    if (EVP_CipherUpdate(cipher_, p + kHeader, &outl, p + kHeader, payload) != 1) return 0;
    std::uint8_t roc[4], mac[20];
    PutBe(roc, index >> 16, 4);
    size_t maclen = 0;
    if (EVP_MAC_init(hmac_, nullptr, 0, nullptr) != 1 || EVP_MAC_update(hmac_, p, len) != 1 ||
        EVP_MAC_update(hmac_, roc, 4) != 1 || EVP_MAC_final(hmac_, mac, &maclen, sizeof mac) != 1) {
        return 0;
    }
    std::memcpy(p + len, mac, kCmTag);
    return len + kCmTag;
}

size_t EvpSrtp::Unprotect(std::uint8_t* p, size_t len) {
    const size_t tag = suite_ == EvpSuite::kGcm ? kGcmTag : kCmTag;
    if (len < kHeader + tag) return 0;
    const size_t rtp = len - tag;
    std::uint64_t index = 0;
    if (!ReceiveIndex(Seq(p), index)) return 0;
    std::uint8_t iv[16];
    CtrIv(Ssrc(p), index, iv);
    int outl = 0;
    const int payload = static_cast<int>(rtp - kHeader);
    if (suite_ == EvpSuite::kGcm) {
        if (EVP_CipherInit_ex(cipher_, nullptr, nullptr, nullptr, iv, 0) != 1 ||
            EVP_CIPHER_CTX_ctrl(cipher_, EVP_CTRL_GCM_SET_TAG, kGcmTag, p + rtp) != 1 ||
            EVP_CipherUpdate(cipher_, nullptr, &outl, p, kHeader) != 1 ||
            EVP_CipherUpdate(cipher_, p + kHeader, &outl, p + kHeader, payload) != 1 ||
            EVP_CipherFinal_ex(cipher_, p + rtp, &outl) != 1) {
            return 0;  // the tag does not match (the payload is left decrypted but is not returned)
        }
        Accept(index);
        return rtp;
    }
    std::uint8_t roc[4], mac[20];
    PutBe(roc, index >> 16, 4);
    size_t maclen = 0;
    if (EVP_MAC_init(hmac_, nullptr, 0, nullptr) != 1 || EVP_MAC_update(hmac_, p, rtp) != 1 ||
        EVP_MAC_update(hmac_, roc, 4) != 1 || EVP_MAC_final(hmac_, mac, &maclen, sizeof mac) != 1 ||
        CRYPTO_memcmp(mac, p + rtp, kCmTag) != 0) {
        return 0;
    }
    if (EVP_CipherInit_ex(cipher_, nullptr, nullptr, nullptr, iv, 1) != 1 ||
        EVP_CipherUpdate(cipher_, p + kHeader, &outl, p + kHeader, payload) != 1) {
        return 0;
    }
    Accept(index);
    return rtp;
}

}  // namespace crisisline::bench
