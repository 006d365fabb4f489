#pragma once

#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace crisisline::http::detail {

// One accepted connection's bytes: plain TCP, or TLS over it. It is a Beast AsyncStream (for http::async_read
// and async_write, and as the next layer of a websocket::stream) that forwards each operation to the TLS stream
// when there is one and to the TCP stream otherwise, so plain HTTP costs what it did before. The TCP stream's
// timeout (next_layer().expires_after) bounds TLS operations too, the handshake included. Not thread-safe:
// used on its connection's strand.
class Transport {
public:
    using executor_type = boost::beast::tcp_stream::executor_type;
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    explicit Transport(boost::asio::ip::tcp::socket&& socket) : plain_(std::in_place, std::move(socket)) {}
    // TLS with `context`, which the connection keeps for its whole life (a reload never changes it).
    Transport(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<boost::asio::ssl::context> context)
        : context_(std::move(context)), tls_(std::make_unique<TlsStream>(std::move(socket), *context_)) {}
    // REQUIRES: no operation pending on `other`, which is left with a closed socket.
    Transport(Transport&& other) noexcept : context_(std::move(other.context_)), tls_(std::move(other.tls_)) {
        if (!tls_) {
            plain_.emplace(other.plain_->release_socket());
        }
    }
    Transport& operator=(Transport&&) = delete;
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    // True when the connection is TLS.
    bool Secure() const { return tls_ != nullptr; }

    executor_type get_executor() { return next_layer().get_executor(); }
    boost::beast::tcp_stream& next_layer() { return tls_ ? tls_->next_layer() : *plain_; }

    // The server's side of the TLS handshake. REQUIRES: Secure().
    template <class Handler>
    void AsyncHandshake(Handler&& handler) {
        tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
    }

    template <class MutableBuffers, class Handler>
    void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        if (tls_) {
            tls_->async_read_some(buffers, std::forward<Handler>(handler));
        } else {
            plain_->async_read_some(buffers, std::forward<Handler>(handler));
        }
    }

    template <class ConstBuffers, class Handler>
    void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        if (tls_) {
            tls_->async_write_some(buffers, std::forward<Handler>(handler));
        } else {
            plain_->async_write_some(buffers, std::forward<Handler>(handler));
        }
    }

    // The end of a WebSocket (found by websocket::stream through argument-dependent lookup): TLS sends its
    // close_notify and waits for the peer's; plain TCP shuts down its side.
    template <class Handler>
    friend void async_teardown(boost::beast::role_type role, Transport& transport, Handler&& handler) {
        using boost::beast::websocket::async_teardown;
        if (transport.tls_) {
            async_teardown(role, *transport.tls_, std::forward<Handler>(handler));
        } else {
            async_teardown(role, *transport.plain_, std::forward<Handler>(handler));
        }
    }

    friend void teardown(boost::beast::role_type role, Transport& transport, boost::beast::error_code& ec) {
        using boost::beast::websocket::teardown;
        if (transport.tls_) {
            teardown(role, *transport.tls_, ec);
        } else {
            teardown(role, *transport.plain_, ec);
        }
    }

private:
    std::shared_ptr<boost::asio::ssl::context> context_;  // declared before tls_, which refers to it
    std::unique_ptr<TlsStream> tls_;
    std::optional<boost::beast::tcp_stream> plain_;
};

}  // namespace crisisline::http::detail
