#include "events/bus.hpp"

#include <cstdio>
#include <random>

namespace crisisline::events {

nlohmann::json ToJson(const Event& event) {
    nlohmann::json j = {{"seq", event.seq}, {"at", FormatTime(event.at)}, {"type", event.type}, {"data", event.data}};
    if (!event.line.empty()) j["line"] = event.line;
    if (!event.counsellor.empty()) j["counsellor"] = event.counsellor;
    return j;
}

namespace {

// 64 random bits in hex: enough that two runs of a server never share an epoch.
std::string NewEpoch() {
    std::random_device random;
    const std::uint64_t value = (static_cast<std::uint64_t>(random()) << 32) ^ random();
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
}

}  // namespace

Bus::Bus(size_t keep_recent) : keep_recent_(keep_recent), epoch_(NewEpoch()) {}

std::int64_t Bus::Publish(Event event) {
    std::lock_guard deliver(deliver_mu_);
    std::vector<Handler> handlers;
    {
        std::lock_guard lock(mu_);
        event.seq = next_seq_++;
        recent_.push_back(event);
        while (recent_.size() > keep_recent_) recent_.pop_front();
        handlers.reserve(handlers_.size());
        for (auto& [token, handler] : handlers_) handlers.push_back(handler);
    }
    for (auto& handler : handlers) handler(event);
    return event.seq;
}

std::int64_t Bus::Subscribe(Handler handler) {
    std::lock_guard lock(mu_);
    auto token = next_token_++;
    handlers_.emplace(token, std::move(handler));
    return token;
}

void Bus::Unsubscribe(std::int64_t token) {
    // Taking deliver_mu_ waits out a delivery in progress, so the handler is not running when this returns.
    std::lock_guard deliver(deliver_mu_);
    std::lock_guard lock(mu_);
    handlers_.erase(token);
}

std::vector<Event> Bus::Since(std::int64_t after_seq) const {
    std::lock_guard lock(mu_);
    std::vector<Event> out;
    for (const auto& event : recent_) {
        if (event.seq > after_seq) out.push_back(event);
    }
    return out;
}

std::int64_t Bus::LastSeq() const {
    std::lock_guard lock(mu_);
    return next_seq_ - 1;
}

}  // namespace crisisline::events
