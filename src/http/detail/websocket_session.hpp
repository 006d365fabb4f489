#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "http/detail/connections.hpp"
#include "http/detail/http_session.hpp"
#include "http/websocket.hpp"

namespace crisisline::http::detail {

class WebSocketSession;

// The application's handle on one WebSocketSession (see WebSocketPeer). Counts what it has queued, before
// posting it, so that the bound holds however fast Send is called: the io_context's queue is never the buffer.
class Peer final : public WebSocketPeer {
public:
    Peer(std::weak_ptr<WebSocketSession> session, std::shared_ptr<const SessionContext> context);

    bool Send(std::string text) override;
    void Close(std::uint16_t code, std::string reason) override;
    bool IsOpen() const override { return open_.load(); }

    // From the session's strand: `bytes` of one message have been written or dropped.
    void Done(std::size_t bytes);
    // From the session's strand: no more Sends are accepted. True if it was open until now.
    bool MarkClosed() { return open_.exchange(false); }

private:
    std::weak_ptr<WebSocketSession> session_;
    std::shared_ptr<const SessionContext> context_;
    std::atomic<bool> open_{true};
    std::atomic<std::size_t> queued_messages_{0};
    std::atomic<std::size_t> queued_bytes_{0};
};

// One accepted WebSocket: completes the handshake, reads client messages (for on_message, and so that pings,
// pongs and the close frame are answered), writes queued messages one at a time, and ends exactly once
// (on_close, then it leaves Connections). Under TLS (wss) the upgrade's 101 carries Strict-Transport-Security. Every member function after Run runs on the connection's strand.
class WebSocketSession : public Connection, public std::enable_shared_from_this<WebSocketSession> {
public:
    using Upgrade = boost::beast::http::request<boost::beast::http::string_body>;

    WebSocketSession(Transport&& transport,
                     std::shared_ptr<const SessionContext> context,
                     WebSocketCallbacks callbacks);
    ~WebSocketSession() override;

    // Answers `upgrade` with 101 and starts reading. REQUIRES: once, on the strand, after Connections::Add.
    void Run(Upgrade upgrade);
    // Instead of Run, when Connections refused the session: closes the socket and calls on_close.
    void Abandon();

    boost::asio::any_io_executor Executor() override { return ws_.get_executor(); }
    // For Stop: the closing handshake with 1001 (going away).
    void CloseIfIdle() override;

    // From Peer, on the strand.
    void Write(std::string text);
    void StartClose(std::uint16_t code, std::string reason);

private:
    enum class State { kHandshake, kOpen, kClosing, kEnded };

    void OnAccept(boost::beast::error_code ec);
    void DoRead();
    void OnRead(boost::beast::error_code ec, std::size_t bytes);
    void DoWrite();
    void OnWrite(boost::beast::error_code ec, std::size_t bytes);
    void SendClose();
    void End();

    boost::beast::websocket::stream<Transport> ws_;
    std::shared_ptr<const SessionContext> context_;
    WebSocketCallbacks callbacks_;
    std::shared_ptr<Peer> peer_;
    State state_ = State::kHandshake;
    boost::beast::flat_buffer read_buffer_;
    std::deque<std::string> outbox_;  // front() is being written while writing_
    bool writing_ = false;
    bool close_sent_ = false;
    boost::beast::websocket::close_reason close_reason_;
    boost::asio::steady_timer close_timer_;  // a client that does not finish the closing handshake is cut off
};

}  // namespace crisisline::http::detail
