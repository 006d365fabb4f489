#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/metrics.hpp"

namespace crisisline::http::detail {

class HttpSession;

// The open connections of one Server. It owns each session from accept to close, so that a handler's reply
// from another thread can find its session, and it is the one gate through which such replies reach the
// io_context: once Shutdown has run (the io_context's threads are joined) nothing more is posted, which makes
// a reply that arrives after Stop harmless. Thread-safe.
class Connections {
public:
    // `open_gauge` may be null.
    explicit Connections(Gauge* open_gauge) : open_gauge_(open_gauge) {}

    // Takes ownership of a newly accepted session. Returns false once Stop has begun; the caller drops it.
    bool Add(std::shared_ptr<HttpSession> session);
    // Releases a session that has closed its socket. Unknown sessions are ignored.
    void Remove(const HttpSession* session);
    bool Stopping() const;

    // Runs task(session) on the session's executor, unless the session is gone or Shutdown has run.
    void Post(const std::weak_ptr<HttpSession>& session, std::function<void(HttpSession&)> task);

    // Stop, in order: refuse new connections and ask each open one to close once idle; wait until none is
    // open or `deadline` passes; and, after the io_context's threads have been joined, release every session
    // and refuse every later Post.
    void BeginStop();
    void WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
    void Shutdown();

private:
    Gauge* open_gauge_;
    mutable std::mutex mutex_;
    std::condition_variable emptied_;
    bool stopping_ = false;
    bool shut_down_ = false;
    std::unordered_map<const HttpSession*, std::shared_ptr<HttpSession>> open_;
};

}  // namespace crisisline::http::detail
