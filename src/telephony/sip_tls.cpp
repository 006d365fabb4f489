#include "telephony/sip_tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

// Debian's libre 1.1.0 is built with OpenSSL; re_tls.h declares tls_openssl_context only when told so.
#ifndef USE_OPENSSL
#define USE_OPENSSL 1
#endif
#include "media/detail/re.hpp"

namespace crisisline::telephony {

// The same policy as HTTPS (http/tls.hpp); repeated here because telephony does not link the HTTP layer.
namespace {
constexpr const char* kCiphers12 =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kSuites13 = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";
}  // namespace

struct SipTls::TrunkCheck {
    std::string trunk;
    std::string name;             // what the certificate must carry; empty: the dialled host
    X509_STORE* store = nullptr;  // the trunk's tls_ca; null: the certificate is not checked
    X509* client_certificate = nullptr;
    EVP_PKEY* client_key = nullptr;
    Counters* counters = nullptr;

    ~TrunkCheck() {
        X509_STORE_free(store);
        X509_free(client_certificate);
        EVP_PKEY_free(client_key);
    }
};

namespace {

// What one connection the server opened knows (kept in the SSL's ex_data, freed with it).
struct Opened {
    std::shared_ptr<const SipTls::TrunkCheck> check;
    std::string host;  // the name checked when the trunk sets none
    bool counted = false;  // a failure already counted for this handshake (the verify callback's)
};

thread_local std::shared_ptr<const SipTls::TrunkCheck> dialing;  // set by a live SipTls::Dialing
thread_local std::string dialing_host;
Counters* failure_counters = nullptr;  // the telephony loop's (one SipTls at a time)
int opened_index = -1;

void Count(TlsFailure why) {
    if (failure_counters) ++failure_counters->tls_failures[static_cast<size_t>(why)];
}

int Verify(int ok, X509_STORE_CTX* store) {
    if (ok) return 1;
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* opened = ssl ? static_cast<Opened*>(SSL_get_ex_data(ssl, opened_index)) : nullptr;
    if (opened && !opened->counted) {
        opened->counted = true;
        switch (X509_STORE_CTX_get_error(store)) {
            case X509_V_ERR_HOSTNAME_MISMATCH:
            case X509_V_ERR_IP_ADDRESS_MISMATCH: Count(TlsFailure::kNameMismatch); break;
            case X509_V_ERR_CERT_HAS_EXPIRED:
            case X509_V_ERR_CERT_NOT_YET_VALID: Count(TlsFailure::kExpired); break;
            default: Count(TlsFailure::kUntrusted); break;
        }
    }
    return 0;  // the handshake fails: the request on this connection gets a transport error
}

// Every SSL libre makes passes here (OpenSSL's ex_data "new" hook). Made while a Dialing guard is alive, it
// is a connection to that trunk: set its checks before the handshake starts.
void OnNewSsl(void* parent, void*, CRYPTO_EX_DATA*, int, long, void*) {
    if (!dialing) return;
    auto* ssl = static_cast<SSL*>(parent);
    auto* opened = new Opened{dialing, dialing_host, false};
    SSL_set_ex_data(ssl, opened_index, opened);
    const auto& check = *dialing;
    if (check.store) {
        SSL_set1_verify_cert_store(ssl, check.store);
        SSL_set_verify(ssl, SSL_VERIFY_PEER, Verify);
        const std::string& name = check.name.empty() ? opened->host : check.name;
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
            ERR_clear_error();
            SSL_set1_host(ssl, name.c_str());
        }
    }
    if (check.client_certificate && check.client_key) {
        SSL_use_certificate(ssl, check.client_certificate);
        SSL_use_PrivateKey(ssl, check.client_key);
    }
}

void OnFreeSsl(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<Opened*>(ptr); }

// Fatal alerts during a handshake: the ones we send say why we refused, the ones we receive that the peer did.
void OnInfo(const SSL* ssl, int where, int ret) {
    if (!(where & SSL_CB_ALERT) || (ret >> 8) != SSL3_AL_FATAL || SSL_is_init_finished(ssl)) return;
    auto* opened = static_cast<Opened*>(SSL_get_ex_data(ssl, opened_index));
    if (opened && opened->counted) return;
    if (opened) opened->counted = true;
    if (where & SSL_CB_READ) return Count(TlsFailure::kPeerRefused);
    switch (ret & 0xff) {
        case SSL_AD_PROTOCOL_VERSION: return Count(TlsFailure::kProtocolVersion);
        case SSL_AD_HANDSHAKE_FAILURE:
        case SSL_AD_INSUFFICIENT_SECURITY:
        case SSL_AD_ILLEGAL_PARAMETER: return Count(TlsFailure::kHandshake);
        default: return Count(TlsFailure::kOther);
    }
}

std::string OpenSslError() {
    char text[256] = "unknown error";
    if (unsigned long e = ERR_peek_last_error()) ERR_error_string_n(e, text, sizeof text);
    ERR_clear_error();
    return text;
}

}  // namespace

SipTls::SipTls(std::string certificate, std::string key, Counters& counters)
    : certificate_(std::move(certificate)), key_(std::move(key)), counters_(counters) {}

SipTls::~SipTls() {
    if (failure_counters == &counters_) failure_counters = nullptr;
    mem_deref(tls_);
}

Result<std::unique_ptr<SipTls>> SipTls::Create(const std::string& certificate, const std::string& key,
                                               Counters& counters) {
    std::unique_ptr<SipTls> made(new SipTls(certificate, key, counters));
    if (opened_index < 0) {
        opened_index = SSL_get_ex_new_index(0, nullptr, OnNewSsl, nullptr, OnFreeSsl);
        if (opened_index < 0) return Fail(ErrorCode::kInternal, "telephony: OpenSSL has no room for SIP TLS state");
    }
    if (tls_alloc(&made->tls_, TLS_METHOD_SSLV23, nullptr, nullptr) != 0) {
        return Fail(ErrorCode::kInternal, "telephony: could not create the SIP TLS context");
    }
    SSL_CTX* ctx = tls_openssl_context(made->tls_);
    const bool configured = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
                            SSL_CTX_set_cipher_list(ctx, kCiphers12) == 1 &&
                            SSL_CTX_set_ciphersuites(ctx, kSuites13) == 1 && SSL_CTX_set1_groups_list(ctx, kGroups) == 1;
    if (!configured) return Fail(ErrorCode::kInternal, "telephony: SIP TLS policy refused: " + OpenSslError());
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_info_callback(ctx, OnInfo);
    if (auto loaded = made->Load(); !loaded) return tl::unexpected(loaded.error());
    failure_counters = &counters;
    return made;
}

Result<void> SipTls::Load() {
    SSL_CTX* ctx = tls_openssl_context(tls_);
    // Into a scratch context first: a bad file must leave the certificate in use untouched.
    SSL_CTX* trial = SSL_CTX_new(TLS_method());
    if (!trial) return Fail(ErrorCode::kInternal, "telephony: out of memory loading the SIP TLS certificate");
    const bool cert_ok = SSL_CTX_use_certificate_chain_file(trial, certificate_.c_str()) == 1;
    const bool key_ok = cert_ok && SSL_CTX_use_PrivateKey_file(trial, key_.c_str(), SSL_FILETYPE_PEM) == 1;
    const bool match = key_ok && SSL_CTX_check_private_key(trial) == 1;
    SSL_CTX_free(trial);
    if (!cert_ok) {
        return Fail(ErrorCode::kInvalid, "telephony.tls_certificate",
                    "telephony.tls_certificate " + certificate_ + " cannot be read as a PEM certificate: " + OpenSslError());
    }
    if (!key_ok || !match) {
        return Fail(ErrorCode::kInvalid, "telephony.tls_key",
                    "telephony.tls_key " + key_ + (key_ok ? " is not the key of telephony.tls_certificate"
                                                          : " cannot be read as a PEM private key: " + OpenSslError()));
    }
    // SSL_new copies the context's certificate: connections made before keep theirs.
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate_.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_.c_str(), SSL_FILETYPE_PEM) != 1) {
        return Fail(ErrorCode::kInternal, "telephony: the SIP TLS certificate changed while loading; try again: " +
                                              OpenSslError());
    }
    return {};
}

Result<void> SipTls::Reload() { return Load(); }

Result<void> SipTls::SetTrunks(const std::vector<records::Trunk>& trunks) {
    std::map<std::string, std::shared_ptr<TrunkCheck>> checks;
    for (const auto& trunk : trunks) {
        if (trunk.tls_ca.empty() && trunk.tls_certificate.empty()) continue;
        const std::string field = "telephony.trunk[" + trunk.name + "].";
        auto check = std::make_shared<TrunkCheck>();
        check->trunk = trunk.name;
        check->name = trunk.tls_name;
        check->counters = &counters_;
        if (!trunk.tls_ca.empty()) {
            check->store = X509_STORE_new();
            if (!check->store || X509_STORE_load_file(check->store, trunk.tls_ca.c_str()) != 1) {
                return Fail(ErrorCode::kInvalid, field + "tls_ca",
                            field + "tls_ca " + trunk.tls_ca + " cannot be read as PEM certificates: " + OpenSslError());
            }
        }
        if (!trunk.tls_certificate.empty()) {
            // Checked the same way as the server's own pair, in a scratch context.
            SSL_CTX* trial = SSL_CTX_new(TLS_method());
            const bool ok = trial && SSL_CTX_use_certificate_file(trial, trunk.tls_certificate.c_str(), SSL_FILETYPE_PEM) == 1 &&
                            SSL_CTX_use_PrivateKey_file(trial, trunk.tls_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
                            SSL_CTX_check_private_key(trial) == 1;
            if (ok) {
                check->client_certificate = SSL_CTX_get0_certificate(trial);
                X509_up_ref(check->client_certificate);
                check->client_key = SSL_CTX_get0_privatekey(trial);
                EVP_PKEY_up_ref(check->client_key);
            }
            SSL_CTX_free(trial);
            if (!ok) {
                return Fail(ErrorCode::kInvalid, field + "tls_certificate",
                            field + "tls_certificate " + trunk.tls_certificate + " and tls_key " + trunk.tls_key +
                                " are not a readable PEM certificate and its key: " + OpenSslError());
            }
        }
        checks[trunk.name] = std::move(check);
    }
    trunks_ = std::move(checks);
    return {};
}

SipTls::Dialing::Dialing(std::shared_ptr<const TrunkCheck> check) { dialing = std::move(check); }

SipTls::Dialing::~Dialing() {
    dialing.reset();
    dialing_host.clear();
}

SipTls::Dialing SipTls::DialingTrunk(const std::string& trunk, const std::string& host) const {
    auto it = trunks_.find(trunk);
    dialing_host = host;
    return Dialing(it == trunks_.end() ? nullptr : it->second);
}

}  // namespace crisisline::telephony
