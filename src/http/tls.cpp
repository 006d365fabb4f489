#include "http/tls.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <boost/asio/ip/address.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "http/detail/tls_context.hpp"

namespace crisisline::http {
namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;

// The PEM text of the certificate and the key, read once; the key's copy is wiped when this goes.
struct PemPair {
    std::string certificate;
    std::string key;

    PemPair() = default;
    PemPair(const PemPair&) = delete;
    PemPair& operator=(const PemPair&) = delete;
    ~PemPair() { OPENSSL_cleanse(key.data(), key.size()); }
};

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// The most recent OpenSSL error as text (and the queue cleared), or `fallback`.
std::string OpenSslReason(const char* fallback) {
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code == 0) {
        return fallback;
    }
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

// Reads a whole file of at most kMaxPemBytes; `owner_only` also refuses a file group or others may use.
Result<void> ReadFile(const std::string& path, const char* setting, bool owner_only, std::string& out) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Fail(ErrorCode::kInvalid, setting,
                    std::string("server.") + setting + " " + path + " cannot be opened: " + std::strerror(errno));
    }
    struct stat st {};
    Result<void> result;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        result = Fail(ErrorCode::kInvalid, setting, std::string("server.") + setting + " " + path +
                                                        " is not a regular file");
    } else if (owner_only && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        result = Fail(ErrorCode::kInvalid, setting,
                      std::string("server.") + setting + " " + path +
                          " can be read or written by group or others; run: chmod 600 " + path);
    } else if (st.st_size <= 0 || static_cast<std::size_t>(st.st_size) > kMaxPemBytes) {
        result = Fail(ErrorCode::kInvalid, setting,
                      std::string("server.") + setting + " " + path + " is empty or over 1 MiB; give a PEM file");
    } else {
        out.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < out.size()) {
            const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            got += static_cast<std::size_t>(n);
        }
        out.resize(got);
    }
    ::close(fd);
    return result;
}

Result<void> ReadPemPair(const TlsFiles& files, PemPair& pem) {
    if (files.certificate.empty() || files.key.empty()) {
        return Fail(ErrorCode::kInvalid, files.certificate.empty() ? "tls_certificate" : "tls_key",
                    "server.tls_certificate and server.tls_key go together: set both (PEM files) or neither");
    }
    if (auto read = ReadFile(files.key, "tls_key", true, pem.key); !read) {
        return read;
    }
    return ReadFile(files.certificate, "tls_certificate", false, pem.certificate);
}

// Parses both and checks that they belong together.
Result<void> CheckPemPair(const TlsFiles& files, const PemPair& pem) {
    std::unique_ptr<BIO, BioFree> cert_bio(BIO_new_mem_buf(pem.certificate.data(), static_cast<int>(pem.certificate.size())));
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        return Fail(ErrorCode::kInvalid, "tls_certificate",
                    "server.tls_certificate " + files.certificate + " holds no PEM certificate (" +
                        OpenSslReason("no BEGIN CERTIFICATE") + ")");
    }
    std::unique_ptr<BIO, BioFree> key_bio(BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size())));
    // No passphrase callback: an encrypted key fails here instead of prompting on the terminal.
    std::unique_ptr<EVP_PKEY, PkeyFree> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
    if (!key) {
        return Fail(ErrorCode::kInvalid, "tls_key",
                    "server.tls_key " + files.key + " holds no unencrypted PEM private key (" +
                        OpenSslReason("no BEGIN PRIVATE KEY") + ")");
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        return Fail(ErrorCode::kInvalid, "tls_key",
                    "server.tls_key " + files.key + " is not the key of the certificate " + files.certificate +
                        "; give the key the certificate was issued for");
    }
    return {};
}

}  // namespace

Result<void> CheckTlsFiles(const TlsFiles& files) {
    PemPair pem;
    if (auto read = ReadPemPair(files, pem); !read) {
        return read;
    }
    return CheckPemPair(files, pem);
}

Result<void> CheckPlainListener(const std::string& address, bool tls, bool allow_plain_http) {
    if (tls || allow_plain_http) {
        return {};
    }
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(address, ec);
    if (!ec && ip.is_loopback()) {
        return {};
    }
    return Fail(ErrorCode::kInvalid, "allow_plain_http",
                "refusing plain HTTP on " + address +
                    ", which is not loopback: set server.tls_certificate and server.tls_key, or, behind a "
                    "TLS-terminating reverse proxy, server.allow_plain_http = true");
}

namespace detail {

Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const TlsFiles& files) {
    namespace ssl = boost::asio::ssl;
    PemPair pem;
    if (auto read = ReadPemPair(files, pem); !read) {
        return tl::unexpected(read.error());
    }
    if (auto checked = CheckPemPair(files, pem); !checked) {
        return tl::unexpected(checked.error());
    }
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    auto refused = [&](const char* what) {
        return Fail(ErrorCode::kInvalid, "tls_certificate",
                    std::string("TLS set-up refused ") + what + ": " + OpenSslReason("unknown reason"));
    };
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                         ssl::context::single_dh_use);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        return refused("the minimum version TLS 1.2");
    }
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
        return refused("the TLS 1.2 ciphers");
    }
    if (SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1) {
        return refused("the TLS 1.3 suites");
    }
    if (SSL_CTX_set1_groups_list(native, kTlsGroups) != 1) {
        return refused("the key exchange groups");
    }
    boost::system::error_code ec;
    context->use_certificate_chain(boost::asio::buffer(pem.certificate), ec);
    if (ec) {
        return Fail(ErrorCode::kInvalid, "tls_certificate",
                    "server.tls_certificate " + files.certificate + " could not be loaded: " + ec.message());
    }
    context->use_private_key(boost::asio::buffer(pem.key), ssl::context::pem, ec);
    if (ec || SSL_CTX_check_private_key(native) != 1) {
        ERR_clear_error();
        return Fail(ErrorCode::kInvalid, "tls_key",
                    "server.tls_key " + files.key + " could not be loaded with the certificate " + files.certificate);
    }
    return context;
}

}  // namespace detail
}  // namespace crisisline::http
