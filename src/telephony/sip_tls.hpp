#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "records/trunk.hpp"
#include "telephony/counters.hpp"

struct tls;

namespace crisisline::telephony {

// SIP over TLS (RFC 3261 section 26) on libre's TLS transport: one libre `struct tls` (an OpenSSL SSL_CTX)
// serves the connections phones and carriers open to the server and the ones the server opens to them.
//
// - TLS 1.2 and 1.3 only, with the ciphers HTTPS accepts (http/tls.hpp); no renegotiation, no compression.
// - Reload re-reads the certificate and key into the same context: new handshakes present them, connections
//   already up (and their calls) carry on untouched.
// - The server does not ask phones or carriers for a certificate; phones prove who they are with digest.
// - A connection the server opens while a Dialing guard is alive is to that trunk: the carrier's certificate
//   is checked against the trunk's tls_ca and name (when it has a tls_ca), and the trunk's client certificate
//   is offered (mutual TLS). Other connections the server opens (phones, overflow) check nothing.
// - Handshake failures are counted by reason (TlsFailure) in `counters`.
//
// Threading: used on the telephony loop only (OpenSSL itself is thread-safe; the Dialing state is not shared).
class SipTls {
public:
    // Loads `certificate` (PEM chain) and `key` (PEM). kInvalid with field "telephony.tls_certificate" or
    // "telephony.tls_key" and the file when one cannot be read or they do not match; kInternal otherwise.
    [[nodiscard]] static Result<std::unique_ptr<SipTls>> Create(const std::string& certificate, const std::string& key,
                                                                Counters& counters);
    ~SipTls();
    SipTls(const SipTls&) = delete;
    SipTls& operator=(const SipTls&) = delete;

    ::tls* Context() const { return tls_; }

    // Re-reads the certificate and key. On failure the previous ones stay in use and the error names the file.
    [[nodiscard]] Result<void> Reload();

    // The trunks' TLS settings (crisisline.toml's): their CA files and client certificates are loaded now.
    // kInvalid naming "telephony.trunk[<name>].tls_ca" (or tls_certificate / tls_key) when one cannot be read.
    [[nodiscard]] Result<void> SetTrunks(const std::vector<records::Trunk>& trunks);

    struct TrunkCheck;  // one trunk's CA store, name and client certificate (sip_tls.cpp)
    // While alive, every TLS connection opened on this thread is to `trunk` (see above); none: nothing
    // checked. `host` is the name checked when the trunk sets no tls_name (the outbound host).
    class Dialing {
    public:
        ~Dialing();
        Dialing(const Dialing&) = delete;
        Dialing& operator=(const Dialing&) = delete;

    private:
        friend class SipTls;
        explicit Dialing(std::shared_ptr<const TrunkCheck> check);
    };
    [[nodiscard]] Dialing DialingTrunk(const std::string& trunk, const std::string& host) const;

private:
    SipTls(std::string certificate, std::string key, Counters& counters);
    Result<void> Load();

    std::string certificate_;
    std::string key_;
    Counters& counters_;
    ::tls* tls_ = nullptr;
    std::map<std::string, std::shared_ptr<TrunkCheck>> trunks_;  // by trunk name: those with a tls_ca or client cert
};

}  // namespace crisisline::telephony
