#pragma once

#include <memory>
#include <mutex>

#include <boost/asio/ssl/context.hpp>

#include "core/error.hpp"
#include "http/tls.hpp"

namespace crisisline::http::detail {

// A server TLS context with the policy of http/tls.hpp, from `files` read once (the checks of CheckTlsFiles
// apply to the very bytes loaded). On failure the error of CheckTlsFiles, or kInvalid naming what OpenSSL
// refused. Thread-safe.
[[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> LoadTlsContext(const TlsFiles& files);

// The context that new connections take. Each connection holds the context it began with, so a Reload
// changes what new handshakes present and leaves open connections as they are. Thread-safe.
class TlsCredentials {
public:
    TlsCredentials(TlsFiles files, std::shared_ptr<boost::asio::ssl::context> loaded)
        : files_(std::move(files)), current_(std::move(loaded)) {}

    std::shared_ptr<boost::asio::ssl::context> Current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }

    // Reads the same files again. On success new connections use them; on failure (the error of
    // LoadTlsContext) the current context stays.
    [[nodiscard]] Result<void> Reload() {
        auto loaded = LoadTlsContext(files_);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        std::lock_guard lock(mutex_);
        current_ = std::move(*loaded);
        return {};
    }

private:
    const TlsFiles files_;
    mutable std::mutex mutex_;
    std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mutex_
};

}  // namespace crisisline::http::detail
