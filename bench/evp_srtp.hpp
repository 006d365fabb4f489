#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

// Bench code only (build/bench/srtp_bench): SRTP for RTP packets written straight on OpenSSL's EVP interface,
// to weigh what libre's SRTP (telephony::SrtpSession) costs against the leanest use of the same library.
// NOT a production SRTP: no RTCP, one SSRC per context, no MKI, key derivation rate 0, and it is checked only
// against libre's output for the same keys (srtp_bench does that before it measures), not against RFC 3711's
// or RFC 7714's test vectors. Enough to be a fair cost comparison, nothing more.
//
//   kAesCm80  RFC 3711: AES-128 in counter mode (IV from the session salt, SSRC and packet index) and
//             HMAC-SHA1 over header, payload and ROC, tag cut to 80 bits; HMAC through EVP_MAC.
//   kGcm      RFC 7714: AES-128-GCM, the RTP header as associated data, 96-bit IV from salt, SSRC, ROC, SEQ.
// Session keys are derived from the master key and salt with RFC 3711's AES-CM PRF (section 4.3), as libre does.
namespace crisisline::bench {

enum class EvpSuite { kAesCm80, kGcm };

class EvpSrtp {
public:
    // `master` holds the master key (16 bytes) followed by the master salt (14 bytes for kAesCm80, 12 for kGcm).
    EvpSrtp(EvpSuite suite, const std::uint8_t* master);
    ~EvpSrtp();
    EvpSrtp(const EvpSrtp&) = delete;
    EvpSrtp& operator=(const EvpSrtp&) = delete;

    // In place on `packet` (an RTP packet with a 12-byte header and no CSRC or extension, `len` bytes, room for
    // 16 more): encrypts the payload and appends the tag; returns the new length, 0 on an OpenSSL failure.
    size_t Protect(std::uint8_t* packet, size_t len);
    // Checks the tag and the replay window (64 packets), decrypts in place; returns the RTP length, 0 when refused.
    size_t Unprotect(std::uint8_t* packet, size_t len);

private:
    std::uint64_t SendIndex(std::uint16_t seq);
    bool ReceiveIndex(std::uint16_t seq, std::uint64_t& index) const;
    void Accept(std::uint64_t index);
    void CtrIv(std::uint32_t ssrc, std::uint64_t index, std::uint8_t iv[16]) const;

    EvpSuite suite_;
    std::uint8_t key_[16] = {};
    std::uint8_t auth_[20] = {};
    std::uint8_t salt_[14] = {};
    EVP_CIPHER_CTX* cipher_ = nullptr;
    EVP_MAC* mac_ = nullptr;
    EVP_MAC_CTX* hmac_ = nullptr;
    // Sender: the 48-bit index of the last packet sent. Receiver: the highest index accepted and its window.
    std::uint64_t sent_ = 0;
    bool sent_any_ = false;
    std::uint64_t highest_ = 0;
    std::uint64_t window_ = 0;
    bool received_any_ = false;
};

}  // namespace crisisline::bench
