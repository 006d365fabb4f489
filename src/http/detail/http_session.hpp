#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/detail/client_address.hpp"
#include "http/detail/connections.hpp"
#include "http/detail/response_body.hpp"
#include "http/detail/tls_context.hpp"
#include "http/detail/transport.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/websocket.hpp"

namespace crisisline::http::detail {

// The server's own metrics; every pointer null when the Server has no Metrics.
struct Instruments {
    std::array<Counter*, 5> requests_by_class{};  // 1xx .. 5xx
    Histogram* duration = nullptr;
    Gauge* connections_open = nullptr;
    Gauge* websockets_open = nullptr;
    Counter* websocket_overflows = nullptr;
    Counter* refused_per_address = nullptr;  // connections closed at accept: too many from one address
    Counter* refused_total = nullptr;        // and: too many in all
};

// What the listener and every session of one Server share. Immutable once the Server has started.
struct SessionContext {
    ServerOptions options;
    std::shared_ptr<const Router> router;
    std::shared_ptr<Connections> connections;
    Instruments instruments;
    TrustedProxies proxies;  // parsed from options.trusted_proxies
    std::shared_ptr<TlsCredentials> tls;  // null: plain HTTP
};

// One HTTP/1.1 connection: reads a request, hands it to its handler (or answers it itself), writes the
// response, and reads the next while the client keeps the connection alive. One request at a time, so at most
// one response is ever queued. An accepted WebSocket upgrade hands the socket on to a WebSocketSession, and
// this session ends. Under TLS the handshake comes first, within the read timeout; every response then carries
// Strict-Transport-Security and every cookie set is marked Secure. Every member function after Run runs on the
// connection's strand.
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(Transport&& transport, std::shared_ptr<const SessionContext> context);

    void Run();
    boost::asio::any_io_executor Executor() override { return executor_; }
    // The peer's address (unspecified when the socket could not tell).
    const boost::asio::ip::address& Peer() const { return peer_; }

    // The handler's response to the request in hand.
    void Finish(Response response);
    // The WebSocket handler's answer to the upgrade request in hand.
    void Finish(WebSocketAnswer answer);
    // For Stop: closes the connection unless a request is being received, handled or answered.
    void CloseIfIdle() override;

private:
    using Message = boost::beast::http::request<boost::beast::http::string_body>;
    enum class State { kStarting, kReading, kHandling, kWriting, kLingering, kClosed };

    void OnHandshake(boost::beast::error_code ec);
    void DoRead();
    void OnRead(boost::beast::error_code ec, std::size_t bytes);
    void OnReadFailed(boost::beast::error_code ec);
    void Handle(Message message);
    void CallHandler(const Handler& handler, Request request);
    void CallWebSocketHandler(const WebSocketHandler& handler, Request request, Message message);
    void ServeStatic(const std::string& path);
    void Send(Response response, bool close);
    void OnWrite(bool close, boost::beast::error_code ec, std::size_t bytes);
    void DoClose();
    void DoLinger();
    void OnLinger(boost::beast::error_code ec, std::size_t bytes);
    void Release();
    void Record(unsigned status);

    Transport stream_;  // moved to the WebSocketSession by an accepted upgrade
    boost::asio::any_io_executor executor_;  // the strand, kept apart from stream_ for that reason
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<boost::beast::http::response<ResponseBody>> response_;
    std::shared_ptr<const SessionContext> context_;
    boost::asio::ip::address peer_;
    State state_ = State::kStarting;

    // The request in hand, for its response and its log line.
    std::string method_;
    std::string route_;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool head_ = false;
    bool api_ = false;
    std::chrono::steady_clock::time_point started_;
    std::optional<Message> upgrade_;  // the upgrade request in hand, while its handler decides

    // After refusing a request whose body was not read, the write side is shut and the rest of the body is read
    // and discarded (bounded in bytes, idle time and total time) before closing, so the kernel does not reset
    // the connection and destroy the refusal before the client, still sending, reads it.
    bool linger_ = false;
    std::size_t lingered_ = 0;
    std::chrono::steady_clock::time_point linger_deadline_;
    std::vector<char> drain_;
};

}  // namespace crisisline::http::detail
