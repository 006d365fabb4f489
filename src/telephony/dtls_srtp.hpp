#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "media/detail/re.hpp"
#include "telephony/srtp_session.hpp"

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;
using BIO = struct bio_st;

// DTLS-SRTP keying (RFC 5763/5764) for a browser phone's media, on OpenSSL with memory BIOs: the datagrams
// come and go through the shared media sockets (MediaPorts), not through a socket of OpenSSL's. The keys
// it exports key the shared SRTP layer (srtp_session.hpp: AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM). Loop
// thread only.
namespace crisisline::telephony {

// The server's DTLS identity: an ECDSA P-256 key and a self-signed certificate, made at start (a browser
// trusts it through the fingerprint in the SDP answer, never through a CA).
class DtlsCertificate {
public:
    // kInternal when OpenSSL cannot make the key or the certificate.
    [[nodiscard]] static Result<std::shared_ptr<DtlsCertificate>> Generate();
    ~DtlsCertificate();
    DtlsCertificate(const DtlsCertificate&) = delete;
    DtlsCertificate& operator=(const DtlsCertificate&) = delete;

    // SHA-256 of the certificate, upper-case hex bytes joined by ':' (as in a=fingerprint:sha-256).
    const std::string& Fingerprint() const { return fingerprint_; }
    SSL_CTX* Context() const { return ctx_; }

private:
    DtlsCertificate() = default;
    SSL_CTX* ctx_ = nullptr;
    std::string fingerprint_;
};

enum class DtlsFault {
    kNone,
    kHandshake,            // the handshake failed (bad record, no common cipher, a peer without a certificate)
    kFingerprintMismatch,  // the peer's certificate is not the one its SDP named
    kNoSrtpProfile,        // no SRTP protection profile in common
};
const char* DtlsFaultName(DtlsFault fault);

enum class DtlsRole { kPassive, kActive };  // passive: the server (DTLS server); active: a test or load peer

// One browser leg's DTLS association and the SRTP contexts keyed from it.
class DtlsSrtp {
public:
    using Datagrams = std::vector<std::vector<std::uint8_t>>;

    // `peer_fingerprint`: from the peer's SDP, in DtlsCertificate::Fingerprint's form.
    DtlsSrtp(std::shared_ptr<DtlsCertificate> identity, std::string peer_fingerprint, DtlsRole role = DtlsRole::kPassive);
    ~DtlsSrtp();
    DtlsSrtp(const DtlsSrtp&) = delete;
    DtlsSrtp& operator=(const DtlsSrtp&) = delete;

    // The active side's first flight (ClientHello); nothing for the passive side.
    Datagrams Start();
    // Takes one DTLS datagram from the peer and returns what to send back (each at most 1200 bytes). After a
    // fault nothing more is taken.
    Datagrams Receive(const std::uint8_t* data, size_t n);
    // Retransmits a lost flight while the handshake is under way (call it every media tick or so).
    Datagrams OnTimer();

    bool Ready() const { return srtp_ != nullptr; }  // the handshake is done, the fingerprint matched, keys set
    DtlsFault fault() const { return fault_; }
    const char* ProfileName() const { return profile_; }  // the SRTP profile agreed, once Ready

    // SRTP, with mb->pos at the RTP (RTCP) header: in place, the tag appended or checked and removed.
    // false when not Ready, or (Unprotect) when the packet does not authenticate or is a replay.
    bool Protect(mbuf* mb);
    bool Unprotect(mbuf* mb) { return Check(mb) == SrtpRefusal::kNone; }
    bool UnprotectRtcp(mbuf* mb) { return CheckRtcp(mb) == SrtpRefusal::kNone; }
    // As Unprotect, saying why a packet was refused (kAuth also when not Ready).
    SrtpRefusal Check(mbuf* mb);
    SrtpRefusal CheckRtcp(mbuf* mb);

private:
    Datagrams Drain();
    void Finish();

    std::shared_ptr<DtlsCertificate> identity_;
    std::string peer_fingerprint_;
    DtlsRole role_;
    SSL* ssl_ = nullptr;
    BIO* rbio_ = nullptr;  // owned by ssl_
    BIO* wbio_ = nullptr;
    bool handshake_done_ = false;
    DtlsFault fault_ = DtlsFault::kNone;
    const char* profile_ = "";
    std::unique_ptr<SrtpSession> srtp_;  // once keyed
};

}  // namespace crisisline::telephony
