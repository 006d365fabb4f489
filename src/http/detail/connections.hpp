#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>

#include "http/metrics.hpp"

namespace crisisline::http::detail {

// One open connection: an HttpSession, or the WebSocketSession it became.
class Connection {
public:
    virtual ~Connection() = default;
    // The connection's strand.
    virtual boost::asio::any_io_executor Executor() = 0;
    // For Stop, run on the connection's strand: an HTTP connection closes unless a request is being received,
    // handled or answered; a WebSocket starts its closing handshake (going away).
    virtual void CloseIfIdle() = 0;
};

// How many connections one Server keeps open (see ServerOptions::max_connections).
struct ConnectionLimits {
    std::size_t total = 0;        // 0: no limit. From 7/8 of it, the oldest idle HTTP connections are shed
    std::size_t per_address = 0;  // 0: no limit
};

// What became of a newly accepted connection.
enum class Admission { kAdmitted, kStopping, kTooManyFromAddress, kTooMany };

// The open connections of one Server. It owns each session from accept to close, so that a handler's reply
// (or a WebSocket message) from another thread can find its session, and it is the one gate through which such
// work reaches the io_context: once Shutdown has run (the io_context's threads are joined) nothing more is
// posted, which makes a reply or a Send that arrives after Stop harmless. Thread-safe.
class Connections {
public:
    // `open_gauge` may be null.
    explicit Connections(Gauge* open_gauge, ConnectionLimits limits = {}) : open_gauge_(open_gauge), limits_(limits) {}

    // Takes ownership of a newly accepted HTTP session from `address` (the peer's), unless that would pass the
    // limits: kTooManyFromAddress when `address` already has limits.per_address open (not checked when
    // `capped` is false: a trusted proxy carries everyone's connections), kTooMany when limits.total are open,
    // kStopping once Stop has begun. The caller drops a session not admitted, which closes it at once. From 7/8
    // of limits.total on, each admission also asks the two longest-standing HTTP sessions to close if idle
    // (Connection::CloseIfIdle), so that idle connections, not new requests, give way under a flood.
    Admission Admit(std::shared_ptr<Connection> session, const std::string& address, bool capped);
    // Takes ownership of a session a request upgraded (a WebSocket): counted in the total, never shed, never
    // refused for the limits (its HTTP session held the place until now). Returns false once Stop has begun;
    // the caller drops it.
    bool Add(std::shared_ptr<Connection> session);
    // Releases a session that has closed its socket (or handed it on). Unknown sessions are ignored.
    void Remove(const Connection* session);
    bool Stopping() const;

    // Runs task(session) on the session's executor, unless the session is gone or Shutdown has run.
    // Returns false when the task was dropped for either reason.
    template <class Session>
    bool Post(const std::weak_ptr<Session>& session, std::function<void(Session&)> task) {
        // The lock is held while posting so that Shutdown cannot let the io_context go in between.
        std::lock_guard lock(mutex_);
        if (shut_down_) {
            return false;
        }
        auto strong = session.lock();
        if (!strong) {
            return false;
        }
        const auto executor = strong->Executor();
        boost::asio::post(executor, [strong = std::move(strong), task = std::move(task)] { task(*strong); });
        return true;
    }

    // Stop, in order: refuse new connections and ask each open one to close once idle; wait until none is
    // open or `deadline` passes; and, after the io_context's threads have been joined, release every session
    // and refuse every later Post.
    void BeginStop();
    void WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
    void Shutdown();

private:
    struct Entry {
        std::shared_ptr<Connection> session;
        std::string address;   // counted against the per-address limit; empty when not
        std::uint64_t order = 0;  // key in sheddable_; 0 when never shed (upgraded sessions)
    };

    // Asks the longest-standing sheddable sessions to close if idle, and moves them to the back of the line.
    // REQUIRES: mutex_ held.
    void ShedOldest(std::size_t count);
    void Publish();  // REQUIRES: mutex_ held

    Gauge* open_gauge_;
    const ConnectionLimits limits_;
    mutable std::mutex mutex_;
    std::condition_variable emptied_;
    bool stopping_ = false;
    bool shut_down_ = false;
    std::unordered_map<const Connection*, Entry> open_;
    std::unordered_map<std::string, std::size_t> per_address_;  // open sessions by address; no zero entries
    std::map<std::uint64_t, const Connection*> sheddable_;      // HTTP sessions, longest-standing first
    std::uint64_t next_order_ = 1;
};

}  // namespace crisisline::http::detail
