// The console's live updates: GET /api/v1/events, a WebSocket that opens with a hello (the live picture and
// what the client missed) and then carries every event the person may see. Identifiers, states, timings and
// flags only: no contact content and no caller's number is ever published.
#include <cctype>
#include <limits>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "api/detail/live_feed.hpp"
#include "api/detail/live_view.hpp"
#include "api/detail/requests.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

constexpr auto kRecheckEvery = std::chrono::seconds(60);
// The counsellors' lines are fetched from telephony at most this often on events (it is a cross-thread Ask).
constexpr TimeMs kLinesAtMostEvery = kSecondMs;
// Close codes of GET /api/v1/events (docs/api.md).
constexpr std::uint16_t kCloseSessionEnded = 4401;
constexpr std::uint16_t kCloseNotAllowed = 4403;
// A tab holding the browser phone whose feed closes keeps the phone this long (a reload, a blip), then it goes.
constexpr std::int64_t kTabFeedGraceS = 5;

// ?tab=: the console tab opening the feed (browserPhone.ts), 8-64 letters, digits or '-'.
Result<std::string> TabQuery(const http::Request& req) {
    auto tab = Query(req, "tab", 64);
    if (!tab) return tl::unexpected(tab.error());
    if (!*tab) return std::string();
    bool ok = (*tab)->size() >= 8;
    for (unsigned char c : **tab) ok = ok && (std::isalnum(c) || c == '-');
    if (!ok) return Fail(ErrorCode::kInvalid, "tab", "must be 8-64 letters, digits or '-'");
    return **tab;
}

}  // namespace

void Api::AttachEvents(events::Bus& bus) {
    if (bus_ == &bus && feed_) return;
    bus_ = &bus;
    feed_ = std::make_shared<LiveFeed>(bus, [this] { WantCounsellorLines(); });
    std::lock_guard lock(recheck_mu_);
    recheck_.emplace(pool_.get_executor());
    ArmRecheck();
}

void Api::AddEventRoutes(http::Router& r) {
    r.AddWebSocket("/api/v1/events", [this](http::Request req, http::UpgradeRespond respond) {
        boost::asio::post(pool_, [this, req = std::move(req), respond = std::move(respond)]() mutable {
            Result<http::WebSocketCallbacks> opened = [&]() -> Result<http::WebSocketCallbacks> {
                try {
                    return OpenEvents(req);
                } catch (const std::exception&) {
                    return Fail(ErrorCode::kInternal, "the request could not be handled");
                }
            }();
            if (opened) {
                respond(std::move(*opened));
            } else {
                respond(http::Response::FromError(opened.error()));
            }
        });
    });
}

Result<http::WebSocketCallbacks> Api::OpenEvents(const http::Request& req) {
    const std::string token = req.Cookie(kSessionCookie);
    auto who = sessions_.Authenticate(token);
    if (!who) return tl::unexpected(who.error());
    if (!who->mfa_complete) return Fail(ErrorCode::kUnauthenticated, "totp_code", "complete the second sign-in step first");
    const staff::Principal& p = who->principal;
    if (!WatchesLive(p)) {
        return Fail(ErrorCode::kForbidden, "live events are for counsellors, supervisors and service managers");
    }
    if (!feed_) return Fail(ErrorCode::kUnavailable, "live events are not available on this server");
    auto after_text = Query(req, "after", 20);
    if (!after_text) return tl::unexpected(after_text.error());
    auto after = QueryInt(req, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
    if (!after) return tl::unexpected(after.error());

    // The sequence number first, then the picture: an event after it may already show in the picture, and
    // applying it again leaves the same state; the reverse order could lose one.
    const std::int64_t last_seq = bus_->LastSeq();
    nlohmann::json live = nullptr;
    if (telephony_) {
        if (auto snapshot = telephony_->Snapshot()) {
            live = LivePicture(p, *snapshot);
            feed_->SetCounsellorLines(CounsellorLinesOf(*snapshot));
            lines_refreshed_at_ = s_.clock.Now();
        } else {
            spdlog::warn("events: the live picture is missing from a hello: {}", snapshot.error().message);
        }
    }
    nlohmann::json missed = nlohmann::json::array();
    if (*after_text) {
        const CounsellorLines lines_of = feed_->CounsellorLinesNow();
        for (const auto& e : bus_->Since(*after)) {
            if (e.seq <= last_seq && SeesEvent(p, e, lines_of)) missed.push_back(events::ToJson(e));
        }
    }
    const std::string hello =
        nlohmann::json{{"type", "hello"}, {"epoch", bus_->Epoch()}, {"last_seq", last_seq}, {"live", live},
                       {"missed", missed}}
            .dump();

    auto tab = TabQuery(req);
    if (!tab) return tl::unexpected(tab.error());
    // The tab answering in the browser is alive while its feed is open (Switchboard::BrowserTabFeed).
    telephony::Telephony* phone = p.Has(staff::Role::kCounsellor) && !tab->empty() ? telephony_ : nullptr;

    // on_open and on_close run on the socket's strand, one after the other: the id needs no lock.
    auto watcher = std::make_shared<std::int64_t>(0);
    http::WebSocketCallbacks callbacks;
    callbacks.on_open = [feed = feed_, watcher, p, token, hello, last_seq, phone,
                         tab = *tab](std::shared_ptr<http::WebSocketPeer> peer) {
        *watcher = feed->Add(p, token, std::move(peer), hello, last_seq);
        if (phone) phone->BrowserTabFeed(p.staff_id, tab, true, kTabFeedGraceS);
    };
    callbacks.on_close = [feed = feed_, watcher, phone, staff_id = p.staff_id, tab = *tab] {
        if (*watcher != 0) feed->Remove(*watcher);
        if (phone) phone->BrowserTabFeed(staff_id, tab, false, kTabFeedGraceS);
    };
    return callbacks;
}

void Api::Publish(std::string type, std::string line, std::string counsellor, nlohmann::json data) {
    if (!bus_) return;
    events::Event e;
    e.at = s_.clock.Now();
    e.type = std::move(type);
    e.line = std::move(line);
    e.counsellor = std::move(counsellor);
    e.data = std::move(data);
    bus_->Publish(std::move(e));
}

void Api::ArmRecheck() {
    // REQUIRES: recheck_mu_ held.
    if (draining_ || !recheck_) return;
    recheck_->expires_after(kRecheckEvery);
    recheck_->async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled by Drain
        RecheckWatchers();
        std::lock_guard lock(recheck_mu_);
        ArmRecheck();
    });
}

void Api::RecheckSoon() {
    if (!feed_ || recheck_pending_.exchange(true)) return;
    boost::asio::post(pool_, [this] {
        recheck_pending_ = false;
        RecheckWatchers();
    });
}

void Api::RecheckWatchers() {
    if (!feed_) return;
    for (const auto& w : feed_->Watchers()) {
        auto who = sessions_.Verify(w.session_token);
        if (!who) {
            // A storage fault is not a sign-out: the watcher stays until a later check can tell.
            if (who.error().code == ErrorCode::kUnauthenticated) feed_->Close(w.id, kCloseSessionEnded, "session ended");
            continue;
        }
        if (!who->mfa_complete) {
            feed_->Close(w.id, kCloseSessionEnded, "session ended");
        } else if (!WatchesLive(who->principal)) {
            feed_->Close(w.id, kCloseNotAllowed, "no longer allowed");
        } else {
            feed_->Update(w.id, who->principal);
        }
    }
    RefreshCounsellorLines();
}

void Api::WantCounsellorLines() {
    // On the publishing thread (often telephony's loop): only hand the work on, at most once at a time.
    if (!telephony_ || s_.clock.Now() - lines_refreshed_at_.load() < kLinesAtMostEvery) return;
    if (lines_refreshing_.exchange(true)) return;
    boost::asio::post(pool_, [this] {
        RefreshCounsellorLines();
        lines_refreshing_ = false;
    });
}

void Api::RefreshCounsellorLines() {
    if (!telephony_ || !feed_) return;
    lines_refreshed_at_ = s_.clock.Now();
    auto snapshot = telephony_->Snapshot();
    if (!snapshot) {
        spdlog::warn("events: could not refresh the counsellors' lines: {}", snapshot.error().message);
        return;
    }
    feed_->SetCounsellorLines(CounsellorLinesOf(*snapshot));
}

}  // namespace crisisline::api
