#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/tls.hpp"

namespace crisisline::http {

struct ServerOptions {
    std::string address = "127.0.0.1";  // an IPv4 or IPv6 literal
    std::uint16_t port = 0;              // 0 picks a free port; Server::Port() tells which
    // HTTPS (and wss) when set: the certificate and key (http/tls.hpp: key 0600, TLS 1.2+, AEAD ciphers only).
    TlsFiles tls;
    // Without tls, plain HTTP is refused on any address but loopback unless this is set (a TLS-terminating
    // reverse proxy in front, listed in trusted_proxies).
    bool allow_plain_http = false;
    int threads = 2;                     // event-loop threads; handlers run on them (see AvailableCpus)
    std::size_t body_limit = 1 << 20;    // bytes; a larger body is refused with 413 before it is read
    std::size_t header_limit = 16 * 1024;  // bytes of request line plus headers; over it 431
    std::size_t target_limit = 8 * 1024;   // bytes of request target; over it 414
    std::chrono::seconds read_timeout{30};   // for a whole request, and for an idle keep-alive connection
    std::chrono::seconds write_timeout{30};  // for writing one response
    // When set, GET and HEAD of paths outside /api/ that no route has are served from this folder (see
    // detail/static_files.hpp: index.html for "/" and for unknown app routes, the single-page-app fallback).
    std::string static_dir;
    // WebSocket routes (Router::AddWebSocket). Beast's suggested server timeouts apply (30 s handshake), with
    // the server pinging a quiet client every websocket_idle_timeout / 2 and closing it when nothing, not even
    // a pong, has arrived for websocket_idle_timeout.
    std::size_t websocket_read_limit = 16 * 1024;      // bytes of one client message; over it: closed with 1009
    std::size_t websocket_queue_messages = 256;        // messages waiting to be written to one client, at most;
    std::size_t websocket_queue_bytes = 1 << 20;       // and bytes; over either: closed with 1013 (try again later)
    std::chrono::seconds websocket_idle_timeout{60};
    // Connections open at once, WebSockets included. 0: what the open-file limit (RLIMIT_NOFILE) leaves after a
    // quarter of it (at least 256 descriptors) is kept for storage, SIP and media. Past the limit a new
    // connection is closed as soon as it is accepted; from 7/8 of it the longest-standing idle HTTP
    // connections are closed to make room (never a WebSocket, never a request in progress).
    std::size_t max_connections = 0;
    // Connections open at once from one peer address (0: no limit); the excess is closed as soon as accepted.
    // Trusted proxies are not held to it.
    std::size_t max_connections_per_address = 256;
    // Reverse proxies (addresses or networks, "10.0.0.7", "10.0.0.0/8") whose X-Forwarded-For names the client:
    // Request::remote_address is then the client's address (detail/client_address.hpp). Empty: the peer is the
    // client, and X-Forwarded-For is ignored.
    std::vector<std::string> trusted_proxies;
    // When set, the server counts crisisline_http_requests_total{class="2xx"...}, observes
    // crisisline_http_request_duration_seconds and sets crisisline_http_connections_open (WebSockets
    // included), crisisline_http_connections_refused_total{reason="address"|"total"},
    // crisisline_websockets_open and crisisline_websocket_overflow_closes_total.
    // REQUIRES: the Metrics outlives the Server.
    Metrics* metrics = nullptr;
};

// The CPUs this process may run on (sched_getaffinity of the calling thread), at least 1; when that cannot
// be read, std::thread::hardware_concurrency (or 1). A server pinned with `taskset -c 1` gets 1: more event-loop
// threads than CPUs only adds wake-ups and lock hand-offs. Thread-safe.
int AvailableCpus();

// An HTTP/1.1 server (keep-alive, no pipelining in parallel) that hands each request to the Router's handler,
// over TLS when options.tls is set. Every response carries the security headers (CSP, nosniff, no-referrer,
// DENY framing), under TLS Strict-Transport-Security (and every Set-Cookie is marked Secure) and, under /api/,
// Cache-Control: no-store. Errors the server answers itself use the JSON error shape of Response::FromError:
// 400 malformed request, 404 no route, 405 wrong method (with Allow), 413 body over the limit, 414 target too
// long, 431 headers too large, 500 a handler threw; on a WebSocket route, 426 for a GET that is not an upgrade
// and 403 for an upgrade whose Origin header is not this server (http:// or https:// and the request's Host),
// which stops another site's page from opening a socket with the user's cookie. One debug log line per request names the method, the
// route pattern, the status and the duration: never the path, query, headers or body.
// REQUIRES: External synchronization: Start, Stop and the destructor are called from one thread at a time,
// never from a handler.
class Server {
public:
    Server(ServerOptions options, std::shared_ptr<const Router> router);
    ~Server();  // Stop()s
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the threads. On failure nothing runs and the error names address:port and the
    // operating system's reason ("cannot listen on 127.0.0.1:8080: Address already in use"); options out of
    // range (a trusted_proxies entry that is no address, a max_connections the open-file limit cannot hold,
    // TLS files CheckTlsFiles refuses, plain HTTP on an address that is not loopback without
    // allow_plain_http) fail with kInvalid naming the option. Fails if already started.
    [[nodiscard]] Result<void> Start();

    // Reads options.tls's files again: on success new connections (their handshakes) use them, and open
    // connections, WebSockets included, go on with what they began with; on failure (kInvalid, as Start's)
    // nothing changes. kInvalid when the server is not serving TLS. Thread-safe; call any time after Start.
    [[nodiscard]] Result<void> ReloadTls();

    // True when the server serves TLS (options.tls was set).
    bool Secure() const;

    // The bound port, once Start has succeeded; 0 before.
    std::uint16_t Port() const;

    // Graceful stop: stops accepting, closes idle connections, starts the closing handshake (1001, going away)
    // on every WebSocket, lets requests in flight finish (their responses say Connection: close) for up to
    // `grace`, then closes the rest and joins the threads. A handler that responds later, and a WebSocketPeer
    // Send after it, are ignored. Does nothing if not started or already stopped.
    void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crisisline::http
