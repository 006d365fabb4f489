#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "http/message.hpp"

namespace crisisline::http {

// Close codes the server uses (RFC 6455 section 7.4; 4000-4999 are the application's own).
constexpr std::uint16_t kCloseNormal = 1000;
constexpr std::uint16_t kCloseGoingAway = 1001;       // the server is stopping
constexpr std::uint16_t kClosePolicy = 1008;          // the application refused to go on
constexpr std::uint16_t kCloseTooBig = 1009;          // a client message over the read limit
constexpr std::uint16_t kCloseTryAgainLater = 1013;   // the client fell too far behind: reconnect and resync

// One accepted WebSocket connection, as the application holds it. Thread-safe: every method may be called from
// any thread, at any time, also after the connection or the Server has gone (then it does nothing).
class WebSocketPeer {
public:
    virtual ~WebSocketPeer() = default;

    // Queues one text message; messages go out in the order Send was called (from one thread). Never blocks.
    // Returns false, dropping the message, when the connection is closed or closing. A client that has more
    // than the server's queue limit (ServerOptions::websocket_queue_messages / _bytes) waiting is closed with
    // kCloseTryAgainLater instead of being buffered for: that Send returns false too.
    virtual bool Send(std::string text) = 0;

    // Starts the closing handshake with `code` (1000 or 4000-4999 for the application) and a short reason
    // (ids and codes only: it is shown to the client). Messages not yet written are dropped. Idempotent.
    virtual void Close(std::uint16_t code = kCloseNormal, std::string reason = "") = 0;

    // False once closing has begun, for any reason.
    virtual bool IsOpen() const = 0;
};

// What the application wants to hear about one accepted connection. Each callback runs on the connection's
// event-loop thread, so it must not block; any may be empty.
struct WebSocketCallbacks {
    // Once, when the handshake has completed: the peer to Send on (keep it; it is the only handle).
    std::function<void(std::shared_ptr<WebSocketPeer> peer)> on_open;
    // Each text or binary message from the client, whole (at most ServerOptions::websocket_read_limit bytes).
    std::function<void(std::string message)> on_message;
    // Exactly once after on_open, when the connection has ended for any reason: closed by either side, an
    // error, a timeout, or Server::Stop. A connection that never opens (the handshake failed, the server was
    // stopping) may call it without on_open, or drop the callbacks uncalled: it must cope with both.
    std::function<void()> on_close;
};

// A handler's answer to an upgrade request: a Response refuses it (sent as ordinary HTTP, no upgrade), the
// callbacks accept it.
using WebSocketAnswer = std::variant<Response, WebSocketCallbacks>;

// Answers one upgrade request; the same contract as Respond (exactly once, any thread; dropped unanswered it
// becomes a 500).
using UpgradeRespond = std::function<void(WebSocketAnswer)>;

// Handles one WebSocket upgrade request (a GET with Upgrade: websocket whose Origin, if any, matches its Host:
// the server checked both). Runs on a server thread and must not block: authentication goes to a worker
// pool, which then calls `respond`.
using WebSocketHandler = std::function<void(Request, UpgradeRespond)>;

}  // namespace crisisline::http
