#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"

// events: the in-process event bus. Telephony publishes what happens to calls,
// the queue and counsellors; the console's WebSocket and the metrics listen.
//
// What an event may carry: identifiers, states, timings and coded flags. Never
// contact content and never a caller's number: events are broadcast to every
// authorised listener of the line and kept briefly in memory for resync.
namespace crisisline::events {

struct Event {
    std::int64_t seq = 0;   // 1, 2, 3, ... assigned by the Bus, in publication order
    TimeMs at = 0;
    std::string type;       // e.g. "call.arrived", "call.bridged", "counsellor.state"
    std::string line;       // the line it concerns; empty for none (e.g. a counsellor's state)
    std::string counsellor; // the counsellor it concerns, or empty
    nlohmann::json data = nlohmann::json::object();
};

nlohmann::json ToJson(const Event& event);

// Publish/subscribe for Events. Thread-safe. Subscribers are called on the
// publishing thread, in publication order, outside the Bus's lock; they must
// be quick and must not block (hand work on to another thread instead).
class Bus {
public:
    using Handler = std::function<void(const Event&)>;

    explicit Bus(size_t keep_recent = 1000);

    // Stamps `event` with the next sequence number and delivers it to every subscriber.
    std::int64_t Publish(Event event);

    // Returns a token for Unsubscribe. After Unsubscribe returns, `handler` is not called again.
    std::int64_t Subscribe(Handler handler);
    void Unsubscribe(std::int64_t token);

    // The events after `after_seq` still kept (at most keep_recent), oldest first:
    // for a listener that reconnects and resynchronises.
    std::vector<Event> Since(std::int64_t after_seq) const;
    std::int64_t LastSeq() const;
    // Names this Bus (this run of the server): sequence numbers start again at 1 under a new
    // epoch, so a client that kept a number from before a restart knows to drop it.
    const std::string& Epoch() const { return epoch_; }

private:
    const size_t keep_recent_;
    const std::string epoch_;
    mutable std::mutex mu_;
    std::mutex deliver_mu_;  // keeps delivery in publication order across publishing threads
    std::int64_t next_seq_ = 1;
    std::int64_t next_token_ = 1;
    std::map<std::int64_t, Handler> handlers_;
    std::deque<Event> recent_;
};

}  // namespace crisisline::events
