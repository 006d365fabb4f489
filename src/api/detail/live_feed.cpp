#include "api/detail/live_feed.hpp"

#include <utility>

namespace crisisline::api::detail {

LiveFeed::LiveFeed(events::Bus& bus, LinesWanted lines_wanted)
    : bus_(bus), lines_wanted_(std::move(lines_wanted)) {
    subscription_ = bus_.Subscribe([this](const events::Event& e) { Deliver(e); });
}

LiveFeed::~LiveFeed() { Detach(); }

void LiveFeed::Detach() {
    std::lock_guard lock(detach_mu_);
    if (subscription_ == 0) return;
    bus_.Unsubscribe(subscription_);
    subscription_ = 0;
}

std::int64_t LiveFeed::Add(staff::Principal who,
                           std::string session_token,
                           std::shared_ptr<http::WebSocketPeer> peer,
                           const std::string& hello,
                           std::int64_t hello_seq) {
    std::lock_guard lock(mu_);
    peer->Send(hello);
    // Events published between the hello and now: the Bus delivers them (in order, under this lock) only to
    // watchers added before, so they are caught up here; sent_through keeps a delivery racing this from
    // sending one twice.
    std::int64_t sent_through = hello_seq;
    for (const auto& e : bus_.Since(hello_seq)) {
        if (SeesEvent(who, e, lines_of_)) peer->Send(events::ToJson(e).dump());
        sent_through = e.seq;
    }
    const std::int64_t id = next_id_++;
    watchers_.emplace(id, Watcher{std::move(who), std::move(session_token), std::move(peer), sent_through});
    return id;
}

void LiveFeed::Remove(std::int64_t id) {
    std::shared_ptr<http::WebSocketPeer> released;  // dropped after the lock
    std::lock_guard lock(mu_);
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    released = std::move(it->second.peer);
    watchers_.erase(it);
}

std::vector<LiveFeed::WatcherSession> LiveFeed::Watchers() const {
    std::lock_guard lock(mu_);
    std::vector<WatcherSession> out;
    out.reserve(watchers_.size());
    for (const auto& [id, w] : watchers_) out.push_back({id, w.session_token});
    return out;
}

void LiveFeed::Update(std::int64_t id, staff::Principal who) {
    std::lock_guard lock(mu_);
    auto it = watchers_.find(id);
    if (it != watchers_.end()) it->second.who = std::move(who);
}

void LiveFeed::Close(std::int64_t id, std::uint16_t code, const std::string& reason) {
    std::shared_ptr<http::WebSocketPeer> peer;
    {
        std::lock_guard lock(mu_);
        auto it = watchers_.find(id);
        if (it == watchers_.end()) return;
        peer = std::move(it->second.peer);
        watchers_.erase(it);
    }
    peer->Close(code, reason);
}

void LiveFeed::SetCounsellorLines(CounsellorLines lines) {
    std::lock_guard lock(mu_);
    lines_of_ = std::move(lines);
}

CounsellorLines LiveFeed::CounsellorLinesNow() const {
    std::lock_guard lock(mu_);
    return lines_of_;
}

std::size_t LiveFeed::Size() const {
    std::lock_guard lock(mu_);
    return watchers_.size();
}

void LiveFeed::Deliver(const events::Event& e) {
    bool unknown_counsellor = false;
    {
        std::lock_guard lock(mu_);
        std::string text;  // serialised at most once, for however many watchers see it
        for (auto& [id, w] : watchers_) {
            if (e.seq <= w.sent_through) continue;
            w.sent_through = e.seq;
            if (!SeesEvent(w.who, e, lines_of_)) continue;
            if (text.empty()) text = events::ToJson(e).dump();
            w.peer->Send(text);
        }
        unknown_counsellor = e.line.empty() && !e.counsellor.empty() && !lines_of_.contains(e.counsellor);
    }
    if ((unknown_counsellor || e.type == "phone.registered") && lines_wanted_) lines_wanted_();
}

}  // namespace crisisline::api::detail
