#include "telephony/srtp_session.hpp"

#include <cerrno>
#include <cstring>

#include <sodium.h>

namespace crisisline::telephony {

namespace {

srtp_suite LibreSuite(SrtpSuite suite) {
    switch (suite) {
        case SrtpSuite::kAesCm128HmacSha1_80: return SRTP_AES_CM_128_HMAC_SHA1_80;
        case SrtpSuite::kAesCm128HmacSha1_32: return SRTP_AES_CM_128_HMAC_SHA1_32;
        case SrtpSuite::kAeadAes128Gcm: return SRTP_AES_128_GCM;
    }
    return SRTP_AES_CM_128_HMAC_SHA1_80;
}

SrtpRefusal RefusalOf(int err) {
    if (err == 0) return SrtpRefusal::kNone;
    // libre: EALREADY for a sequence number already seen, ETIMEDOUT for one older than the replay window.
    if (err == EALREADY || err == ETIMEDOUT) return SrtpRefusal::kReplay;
    if (err == EBADMSG || err == EPROTO) return SrtpRefusal::kMalformed;
    return SrtpRefusal::kAuth;
}

}  // namespace

const char* SrtpSuiteName(SrtpSuite suite) {
    switch (suite) {
        case SrtpSuite::kAesCm128HmacSha1_80: return "AES_CM_128_HMAC_SHA1_80";
        case SrtpSuite::kAesCm128HmacSha1_32: return "AES_CM_128_HMAC_SHA1_32";
        case SrtpSuite::kAeadAes128Gcm: return "AEAD_AES_128_GCM";
    }
    return "unknown";
}

size_t SrtpKeyLength(SrtpSuite suite) { return suite == SrtpSuite::kAeadAes128Gcm ? 16 + 12 : 16 + 14; }

SrtpKey::SrtpKey() { locked_ = sodium_mlock(bytes_, sizeof bytes_) == 0; }

SrtpKey::~SrtpKey() {
    // sodium_munlock wipes before it unlocks; sodium_memzero covers memory the platform would not lock.
    if (locked_) sodium_munlock(bytes_, sizeof bytes_);
    sodium_memzero(bytes_, sizeof bytes_);
}

std::unique_ptr<SrtpKey> SrtpKey::Random(SrtpSuite suite) {
    std::unique_ptr<SrtpKey> key(new SrtpKey());
    key->size_ = SrtpKeyLength(suite);
    randombytes_buf(key->bytes_, key->size_);
    return key;
}

std::unique_ptr<SrtpKey> SrtpKey::From(const std::uint8_t* bytes, size_t n) {
    // Programmer error: the callers pass SrtpKeyLength bytes or a decoded line they have checked.
    if (n > kSrtpMaxKeyLength) return nullptr;
    std::unique_ptr<SrtpKey> key(new SrtpKey());
    key->size_ = n;
    std::memcpy(key->bytes_, bytes, n);
    return key;
}

bool SrtpKey::operator==(const SrtpKey& other) const {
    return size_ == other.size_ && sodium_memcmp(bytes_, other.bytes_, size_) == 0;
}

Result<std::unique_ptr<SrtpSession>> SrtpSession::Make(SrtpSuite suite, const SrtpKey& send, const SrtpKey& receive) {
    std::unique_ptr<SrtpSession> session(new SrtpSession());
    session->suite_ = suite;
    if (send.size() != SrtpKeyLength(suite) || receive.size() != SrtpKeyLength(suite) ||
        srtp_alloc(&session->out_, LibreSuite(suite), send.data(), send.size(), 0) != 0 ||
        srtp_alloc(&session->in_, LibreSuite(suite), receive.data(), receive.size(), 0) != 0) {
        return Fail(ErrorCode::kInternal, std::string("SRTP could not be keyed for ") + SrtpSuiteName(suite));
    }
    return session;
}

SrtpSession::~SrtpSession() {
    mem_deref(out_);
    mem_deref(in_);
}

bool SrtpSession::Protect(mbuf* mb) { return out_ && srtp_encrypt(out_, mb) == 0; }

SrtpRefusal SrtpSession::Unprotect(mbuf* mb) {
    if (!in_) return SrtpRefusal::kAuth;
    return RefusalOf(srtp_decrypt(in_, mb));
}

SrtpRefusal SrtpSession::UnprotectRtcp(mbuf* mb) {
    if (!in_) return SrtpRefusal::kAuth;
    return RefusalOf(srtcp_decrypt(in_, mb));
}

}  // namespace crisisline::telephony
