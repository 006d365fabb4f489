#pragma once

// For tests only: a key and a self-signed certificate made with OpenSSL's library, written as PEM files.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "http/tls.hpp"

namespace crisisline::http::detail {

// A fresh P-256 key and a self-signed certificate for it, written as PEM files (key mode 0600).
class TestPair {
public:
    TestPair(const std::filesystem::path& dir, const std::string& name, long serial = 1)
        : certificate_(dir / (name + "-cert.pem")), key_(dir / (name + "-key.pem")) {
        EVP_PKEY* key = EVP_EC_gen("P-256");
        X509* cert = X509_new();
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
        X509_gmtime_adj(X509_getm_notBefore(cert), -60);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
        X509_set_pubkey(cert, key);
        X509_NAME* subject = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("crisisline test (fictional)"), -1, -1, 0);
        X509_set_issuer_name(cert, subject);
        X509_sign(cert, key, EVP_sha256());
        FILE* out = std::fopen(certificate_.c_str(), "w");
        PEM_write_X509(out, cert);
        std::fclose(out);
        out = std::fopen(key_.c_str(), "w");
        PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
        std::fclose(out);
        ::chmod(key_.c_str(), 0600);
        X509_free(cert);
        EVP_PKEY_free(key);
    }

    TlsFiles Files() const { return {certificate_.string(), key_.string()}; }
    std::string Key() const { return key_.string(); }
    std::string Certificate() const { return certificate_.string(); }

private:
    std::filesystem::path certificate_;
    std::filesystem::path key_;
};

}  // namespace crisisline::http::detail
