#include "telephony/dtls_srtp.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sodium.h>

#include <cstdio>
#include <cstring>

namespace crisisline::telephony {

namespace {

constexpr size_t kMtu = 1200;  // under any path MTU a browser meets; RFC 8261's advice for DTLS over UDP
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";

std::string HexFingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    std::string out;
    char byte[4];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(byte, sizeof byte, i ? ":%02X" : "%02X", md[i]);
        out += byte;
    }
    return out;
}

// Every peer certificate is self-signed; it is trusted through the SDP's fingerprint, checked after the
// handshake (Finish), never through a chain.
int AcceptSelfSigned(int, X509_STORE_CTX*) { return 1; }

}  // namespace

const char* DtlsFaultName(DtlsFault fault) {
    switch (fault) {
        case DtlsFault::kNone: return "none";
        case DtlsFault::kHandshake: return "dtls_handshake";
        case DtlsFault::kFingerprintMismatch: return "dtls_fingerprint_mismatch";
        case DtlsFault::kNoSrtpProfile: return "dtls_no_srtp_profile";
    }
    return "unknown";
}

Result<std::shared_ptr<DtlsCertificate>> DtlsCertificate::Generate() {
    std::shared_ptr<DtlsCertificate> cert(new DtlsCertificate());
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    bool ok = key && x;
    if (ok) {
        std::uint64_t serial = 0;
        randombytes_buf(&serial, sizeof serial);
        ok = X509_set_version(x, 2) == 1 && ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(x), -24 * 3600) != nullptr &&
             X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) != nullptr && X509_set_pubkey(x, key) == 1;
    }
    if (ok) {
        X509_NAME* name = X509_get_subject_name(x);
        ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("crisisline"),
                                        -1, -1, 0) == 1 &&
             X509_set_issuer_name(x, name) == 1 && X509_sign(x, key, EVP_sha256()) > 0;
    }
    if (ok) {
        cert->ctx_ = SSL_CTX_new(DTLS_method());
        ok = cert->ctx_ && SSL_CTX_set_min_proto_version(cert->ctx_, DTLS1_2_VERSION) == 1 &&
             SSL_CTX_use_certificate(cert->ctx_, x) == 1 && SSL_CTX_use_PrivateKey(cert->ctx_, key) == 1 &&
             SSL_CTX_set_cipher_list(cert->ctx_, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
                                                 "ECDHE-ECDSA-CHACHA20-POLY1305") == 1 &&
             // Returns 0 on success.
             SSL_CTX_set_tlsext_use_srtp(cert->ctx_, "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80") == 0;
    }
    if (ok) {
        SSL_CTX_set_verify(cert->ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptSelfSigned);
        SSL_CTX_set_read_ahead(cert->ctx_, 1);
        cert->fingerprint_ = HexFingerprint(x);
        ok = !cert->fingerprint_.empty();
    }
    X509_free(x);
    EVP_PKEY_free(key);
    if (!ok) {
        ERR_clear_error();
        return Fail(ErrorCode::kInternal, "could not make the DTLS certificate for browser phones");
    }
    return cert;
}

DtlsCertificate::~DtlsCertificate() { SSL_CTX_free(ctx_); }

DtlsSrtp::DtlsSrtp(std::shared_ptr<DtlsCertificate> identity, std::string peer_fingerprint, DtlsRole role)
    : identity_(std::move(identity)), peer_fingerprint_(std::move(peer_fingerprint)), role_(role) {
    ssl_ = SSL_new(identity_->Context());
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    if (!ssl_ || !rbio_ || !wbio_) {
        BIO_free(rbio_);
        BIO_free(wbio_);
        rbio_ = wbio_ = nullptr;
        fault_ = DtlsFault::kHandshake;
        return;
    }
    BIO_set_mem_eof_return(rbio_, -1);  // an empty read buffer is "try again", not the end
    SSL_set_bio(ssl_, rbio_, wbio_);
    SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(ssl_, kMtu - 28);
    DTLS_set_link_mtu(ssl_, kMtu);
    if (role_ == DtlsRole::kPassive) {
        SSL_set_accept_state(ssl_);
    } else {
        SSL_set_connect_state(ssl_);
    }
}

DtlsSrtp::~DtlsSrtp() {
    SSL_free(ssl_);  // frees both BIOs
}

DtlsSrtp::Datagrams DtlsSrtp::Start() {
    if (role_ != DtlsRole::kActive || fault_ != DtlsFault::kNone) return {};
    SSL_do_handshake(ssl_);
    return Drain();
}

DtlsSrtp::Datagrams DtlsSrtp::Receive(const std::uint8_t* data, size_t n) {
    if (fault_ != DtlsFault::kNone || !ssl_) return {};
    if (BIO_write(rbio_, data, static_cast<int>(n)) != static_cast<int>(n)) return {};
    if (!handshake_done_) {
        int r = SSL_do_handshake(ssl_);
        if (r == 1) {
            handshake_done_ = true;
            Finish();
        } else {
            int e = SSL_get_error(ssl_, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) fault_ = DtlsFault::kHandshake;
        }
        ERR_clear_error();
        return Drain();
    }
    // After the handshake: an alert or a retransmitted flight; no application data is spoken.
    std::uint8_t sink[1500];
    while (SSL_read(ssl_, sink, sizeof sink) > 0) {
    }
    ERR_clear_error();
    return Drain();
}

DtlsSrtp::Datagrams DtlsSrtp::OnTimer() {
    if (fault_ != DtlsFault::kNone || !ssl_ || handshake_done_) return {};
    DTLSv1_handle_timeout(ssl_);
    return Drain();
}

void DtlsSrtp::Finish() {
    X509* peer = SSL_get1_peer_certificate(ssl_);
    std::string seen = peer ? HexFingerprint(peer) : std::string();
    X509_free(peer);
    if (seen.empty() || seen.size() != peer_fingerprint_.size() ||
        sodium_memcmp(seen.data(), peer_fingerprint_.data(), seen.size()) != 0) {
        fault_ = DtlsFault::kFingerprintMismatch;
        return;
    }
    SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_);
    if (!profile) {
        fault_ = DtlsFault::kNoSrtpProfile;
        return;
    }
    SrtpSuite suite;
    size_t key_len = 16;
    if (profile->id == SRTP_AES128_CM_SHA1_80) {
        suite = SrtpSuite::kAesCm128HmacSha1_80;
    } else if (profile->id == SRTP_AEAD_AES_128_GCM) {
        suite = SrtpSuite::kAeadAes128Gcm;
    } else {
        fault_ = DtlsFault::kNoSrtpProfile;
        return;
    }
    profile_ = SrtpSuiteName(suite);
    size_t salt_len = SrtpKeyLength(suite) - key_len;
    // RFC 5764 section 4.2: client key, server key, client salt, server salt.
    std::uint8_t material[2 * kSrtpMaxKeyLength];
    size_t total = 2 * (key_len + salt_len);
    if (SSL_export_keying_material(ssl_, material, total, kExporterLabel, sizeof kExporterLabel - 1, nullptr, 0, 0) !=
        1) {
        sodium_memzero(material, sizeof material);
        fault_ = DtlsFault::kHandshake;
        return;
    }
    std::uint8_t client[kSrtpMaxKeyLength], server[kSrtpMaxKeyLength];
    std::memcpy(client, material, key_len);
    std::memcpy(client + key_len, material + 2 * key_len, salt_len);
    std::memcpy(server, material + key_len, key_len);
    std::memcpy(server + key_len, material + 2 * key_len + salt_len, salt_len);
    auto client_key = SrtpKey::From(client, key_len + salt_len);
    auto server_key = SrtpKey::From(server, key_len + salt_len);
    sodium_memzero(material, sizeof material);
    sodium_memzero(client, sizeof client);
    sodium_memzero(server, sizeof server);
    const SrtpKey& mine = role_ == DtlsRole::kPassive ? *server_key : *client_key;
    const SrtpKey& theirs = role_ == DtlsRole::kPassive ? *client_key : *server_key;
    auto session = SrtpSession::Make(suite, mine, theirs);
    if (!session) {
        fault_ = DtlsFault::kHandshake;
        return;
    }
    srtp_ = std::move(*session);
}

DtlsSrtp::Datagrams DtlsSrtp::Drain() {
    // The memory BIO runs records together; packed back into datagrams of at most kMtu bytes along record
    // boundaries (a DTLS record header is 13 bytes, its length in the last two).
    Datagrams out;
    size_t pending = BIO_ctrl_pending(wbio_);
    if (pending == 0) return out;
    std::vector<std::uint8_t> bytes(pending);
    int got = BIO_read(wbio_, bytes.data(), static_cast<int>(pending));
    if (got <= 0) return out;
    bytes.resize(static_cast<size_t>(got));
    size_t at = 0;
    while (at + 13 <= bytes.size()) {
        size_t len = 13 + ((static_cast<size_t>(bytes[at + 11]) << 8) | bytes[at + 12]);
        if (at + len > bytes.size()) break;
        if (out.empty() || out.back().size() + len > kMtu) out.emplace_back();
        out.back().insert(out.back().end(), bytes.begin() + static_cast<long>(at),
                          bytes.begin() + static_cast<long>(at + len));
        at += len;
    }
    return out;
}

bool DtlsSrtp::Protect(mbuf* mb) { return srtp_ && srtp_->Protect(mb); }
SrtpRefusal DtlsSrtp::Check(mbuf* mb) { return srtp_ ? srtp_->Unprotect(mb) : SrtpRefusal::kAuth; }
SrtpRefusal DtlsSrtp::CheckRtcp(mbuf* mb) { return srtp_ ? srtp_->UnprotectRtcp(mb) : SrtpRefusal::kAuth; }

}  // namespace crisisline::telephony
