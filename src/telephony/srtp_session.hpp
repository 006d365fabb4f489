#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/error.hpp"
#include "media/detail/re.hpp"

// The one SRTP layer of every protected leg (RFC 3711, RFC 7714): a browser's, keyed by DTLS-SRTP, and a SIP
// leg's, keyed by SDES (a=crypto). libre 1.1.0's SRTP does the work: the replay window (64 packets) and the
// rollover counter across the 16-bit sequence wrap are its, per SSRC. Loop thread only.
namespace crisisline::telephony {

enum class SrtpSuite {
    kAesCm128HmacSha1_80,  // RFC 4568's AES_CM_128_HMAC_SHA1_80
    kAesCm128HmacSha1_32,  // AES_CM_128_HMAC_SHA1_32
    kAeadAes128Gcm,        // RFC 7714's AEAD_AES_128_GCM
};
// The suite's name as SDP writes it (RFC 4568, RFC 7714).
const char* SrtpSuiteName(SrtpSuite suite);
// Bytes of master key followed by master salt: 30 for the AES_CM suites, 28 for AEAD_AES_128_GCM.
size_t SrtpKeyLength(SrtpSuite suite);

constexpr size_t kSrtpMaxKeyLength = 30;

// A master key and salt, in memory locked against swapping where the platform allows (sodium_mlock; a
// container's small RLIMIT_MEMLOCK may refuse it, and then it is ordinary memory), wiped when destroyed.
// Never copied, never logged.
class SrtpKey {
public:
    // Fresh random bytes from libsodium for `suite`.
    static std::unique_ptr<SrtpKey> Random(SrtpSuite suite);
    // A copy of `n` bytes (n must be SrtpKeyLength of the suite it is used with; at most kSrtpMaxKeyLength).
    static std::unique_ptr<SrtpKey> From(const std::uint8_t* bytes, size_t n);
    ~SrtpKey();
    SrtpKey(const SrtpKey&) = delete;
    SrtpKey& operator=(const SrtpKey&) = delete;

    const std::uint8_t* data() const { return bytes_; }
    size_t size() const { return size_; }
    bool locked() const { return locked_; }
    bool operator==(const SrtpKey& other) const;

private:
    SrtpKey();
    std::uint8_t bytes_[kSrtpMaxKeyLength] = {};
    size_t size_ = 0;
    bool locked_ = false;
};

// Why Unprotect refused a packet.
enum class SrtpRefusal { kNone, kAuth, kReplay, kMalformed };

// One leg's two SRTP contexts: what it sends (our key) and what it receives (its peer's key).
class SrtpSession {
public:
    // kInternal when libre refuses the keys (wrong length for the suite).
    [[nodiscard]] static Result<std::unique_ptr<SrtpSession>> Make(SrtpSuite suite, const SrtpKey& send,
                                                                   const SrtpKey& receive);
    ~SrtpSession();
    SrtpSession(const SrtpSession&) = delete;
    SrtpSession& operator=(const SrtpSession&) = delete;

    SrtpSuite suite() const { return suite_; }
    // With mb->pos at the RTP (RTCP) header: in place, the tag appended, or checked and removed.
    // Protect is false only when libre cannot (no room); Unprotect says why a packet is refused: it does
    // not authenticate (tampered, wrong keys), it is a replay or older than the window, or it is too short.
    bool Protect(mbuf* mb);
    SrtpRefusal Unprotect(mbuf* mb);
    SrtpRefusal UnprotectRtcp(mbuf* mb);

private:
    SrtpSession() = default;
    SrtpSuite suite_ = SrtpSuite::kAesCm128HmacSha1_80;
    srtp* out_ = nullptr;
    srtp* in_ = nullptr;
};

}  // namespace crisisline::telephony
