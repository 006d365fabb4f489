#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/detail/live_view.hpp"
#include "events/bus.hpp"
#include "http/websocket.hpp"
#include "staff/principal.hpp"

namespace crisisline::api::detail {

// Fans the Bus's events out to the console's WebSockets (GET /api/v1/events) with one Bus subscription for all
// of them. Each event is serialised once, and only if a watcher may see it (SeesEvent), then Sent to each who
// may: delivery runs on the publishing thread (telephony's loop, or an API worker) and never blocks on a
// client, because WebSocketPeer::Send only queues (a client too far behind is closed by the server).
// Thread-safe. Lock order: the feed's lock, then the Bus's; the feed never calls Bus::Unsubscribe under it.
class LiveFeed {
public:
    // Called (on the publishing thread, so it must only hand work on) when an event names a counsellor whose
    // lines the feed does not know, or a phone registers: the caller refreshes SetCounsellorLines.
    using LinesWanted = std::function<void()>;

    // Subscribes to `bus`. REQUIRES: `bus` outlives the feed, or Detach() is called before the bus goes.
    LiveFeed(events::Bus& bus, LinesWanted lines_wanted);
    ~LiveFeed();
    LiveFeed(const LiveFeed&) = delete;
    LiveFeed& operator=(const LiveFeed&) = delete;

    // Unsubscribes; afterwards no event is delivered. Idempotent.
    void Detach();

    // Starts delivering to `peer`, as seen by `who`: sends `hello` (built with the Bus at `hello_seq`), then the
    // events after `hello_seq` that happened since, then each event as it is published, in order, each once.
    // `session_token` is kept to re-check the session (Watchers). Returns the watcher's id for Remove.
    std::int64_t Add(staff::Principal who,
                     std::string session_token,
                     std::shared_ptr<http::WebSocketPeer> peer,
                     const std::string& hello,
                     std::int64_t hello_seq);
    // Stops delivering to a watcher (its socket closed). Unknown ids are ignored.
    void Remove(std::int64_t id);

    struct WatcherSession {
        std::int64_t id;
        std::string session_token;
    };
    // Every watcher's session, for a periodic re-check.
    std::vector<WatcherSession> Watchers() const;
    // After a re-check: the watcher now sees as `who` (roles or lines may have changed).
    void Update(std::int64_t id, staff::Principal who);
    // After a failed re-check: closes the watcher's socket with `code` and stops delivering to it.
    void Close(std::int64_t id, std::uint16_t code, const std::string& reason);

    void SetCounsellorLines(CounsellorLines lines);
    CounsellorLines CounsellorLinesNow() const;

    std::size_t Size() const;

private:
    struct Watcher {
        staff::Principal who;
        std::string session_token;
        std::shared_ptr<http::WebSocketPeer> peer;
        std::int64_t sent_through = 0;  // the last seq sent: an event is never sent twice
    };

    void Deliver(const events::Event& e);

    events::Bus& bus_;
    LinesWanted lines_wanted_;
    std::mutex detach_mu_;  // serialises Detach; never held with mu_
    std::int64_t subscription_ = 0;
    mutable std::mutex mu_;
    std::int64_t next_id_ = 1;
    std::map<std::int64_t, Watcher> watchers_;
    CounsellorLines lines_of_;
};

}  // namespace crisisline::api::detail
