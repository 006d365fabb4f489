#pragma once

#include <string>

#include "core/error.hpp"

namespace crisisline::http {

// The server's certificate and private key for HTTPS, as PEM files. Both empty: plain HTTP.
// `certificate` may hold the chain (the server's certificate first, then its intermediates).
struct TlsFiles {
    std::string certificate;
    std::string key;

    bool Enabled() const { return !certificate.empty() || !key.empty(); }
};

// What HTTPS accepts (docs/security.md, "The browser's connection"): TLS 1.2 and 1.3 only; for TLS 1.2 only
// ECDHE key exchange with an AEAD cipher (AES-GCM, ChaCha20-Poly1305), for TLS 1.3 its three AEAD suites;
// key exchange groups X25519, P-256, P-384; no renegotiation, no compression.
inline constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
inline constexpr const char* kTlsGroups = "X25519:P-256:P-384";
// Sent on every response under TLS (two years; not includeSubDomains: other services may share the domain).
inline constexpr const char* kStrictTransportSecurity = "max-age=63072000";

// Checks what the server would load: both files named, the key a regular file that neither group nor others
// may read or write (mode 0600 or 0400), both parse as PEM, and the certificate's public key is the key's.
// On failure kInvalid with field "tls_certificate" or "tls_key" and one line naming the file and the fix
// ("... can be read by group or others; run: chmod 600 /etc/crisisline/tls/key.pem"). Thread-safe.
[[nodiscard]] Result<void> CheckTlsFiles(const TlsFiles& files);

// Whether a listener on `address` (an IP literal) may speak plain HTTP: always on loopback (127.0.0.0/8, ::1);
// elsewhere only with `allow_plain_http` (a TLS-terminating reverse proxy in front). With TLS any address is
// fine. On refusal kInvalid with field "allow_plain_http" and a message saying both ways out.
[[nodiscard]] Result<void> CheckPlainListener(const std::string& address, bool tls, bool allow_plain_http);

}  // namespace crisisline::http
