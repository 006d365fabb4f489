// When the counsellor's connection fails mid-call: the caller is never the one who loses. They hear a short
// message and go back to the front of their line's queue; the counsellor wraps up and is then not ready.
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

void Switchboard::Interrupt(Call& call, const char* why) {
    Leg* gone = call.bridged;
    if (call.phase != CallPhase::kBridged || !gone || gone->kind != LegKind::kPhone || !call.caller) return;
    const auto now = Now();
    const std::string interrupted_id = call.id;
    const std::string counsellor = gone->counsellor;
    const std::string next_id = crypto::NewId("ct");
    auto noted = outcomes_.find(interrupted_id);
    const acd::CallOutcome outcome = noted == outcomes_.end() ? acd::CallOutcome{} : noted->second;
    EndConsult(call, "interrupted");  // the colleague's leg goes too, and the Router frees them
    EndConference(call, "interrupted");  // so does a third party's
    // Routing first: should it refuse (it never should), the call ends as it did before this rule existed.
    auto commands = router_.CallInterrupted(interrupted_id, next_id, outcome, now);
    if (!commands) {
        spdlog::error("telephony: call {}: routing refused to requeue it ({}); ending it", interrupted_id,
                      commands.error().message);
        EndCall(call, "failed");
        return;
    }
    ++counters_.calls_interrupted;
    spdlog::warn("telephony: call {}: the counsellor's side {}; the caller goes back to the front of the queue as {}",
                 interrupted_id, why, next_id);
    outcomes_.erase(interrupted_id);

    // The counsellor's leg goes (BYE to a desk phone; a browser's tab hears call.ended below), and a transfer
    // ring for the call with it.
    DropTransferRing(call);
    call.held = false;
    Leg& caller = *call.caller;
    HangUp(*gone);
    auto it = call.phones.find(counsellor);
    if (it != call.phones.end()) {
        Retire(std::move(it->second));
        call.phones.erase(it);
    }
    caller.peer = nullptr;
    call.bridged = nullptr;

    // Their contact ends for their wrap-up (open, notes kept); the caller carries on in a new one, linked.
    records::CallRecord ended = call.record;
    ended.ended_at = now;
    ended.end_reason = "interrupted";
    ended.continued_in = next_id;
    records::CallRecord next = call.record;
    next.contact_id = next_id;
    next.answered_at.reset();
    next.ended_at.reset();
    next.counsellor_id.clear();
    next.end_reason.clear();
    next.continues = interrupted_id;
    if (hooks_.call_log) {
        hooks_.call_log->Ended(ended);
        hooks_.call_log->Arrived(next, {});
    }
    Publish("call.ended", &call, counsellor,
            {{"reason", "interrupted"}, {"talk_ms", now - call.bridged_at}, {"continued_in", next_id}});

    // The same Call, under its new contact's id (the Router's commands below name it so).
    auto node = calls_.extract(interrupted_id);
    node.key() = next_id;
    call.id = next_id;
    call.record = std::move(next);
    call.phase = CallPhase::kQueued;
    call.bridged_at = 0;
    calls_.insert(std::move(node));
    auto language = call.language == acd::Language::kWelsh ? media::PromptLanguage::kWelsh
                                                           : media::PromptLanguage::kEnglish;
    caller.playlist = Playlist{};
    caller.playlist.prompts = prompts_;
    caller.playlist.queue.push_back(&caller.playlist.prompts->Reconnecting(language));
    caller.playlist.loop = &caller.playlist.prompts->hold;
    Publish("call.queued", &call, "", {{"language", call.record.language}, {"continues", interrupted_id}});
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));
}

bool Switchboard::BrowserMediaFresh(const std::string& counsellor, std::int64_t now) const {
    constexpr std::int64_t kFreshMs = 2000;  // 100 packets' time: audio is still flowing, not a last packet
    for (const auto& [id, call] : calls_) {
        auto it = call->phones.find(counsellor);
        if (it == call->phones.end() || !it->second) continue;
        const Leg& leg = *it->second;
        if (leg.browser && leg.browser->dtls && leg.state == LegState::kUp && call->bridged == &leg &&
            now - leg.last_rx_ms < kFreshMs) {
            return true;
        }
    }
    return false;
}

void Switchboard::BrowserTabFeed(const std::string& counsellor, const std::string& tab, bool open,
                                 std::int64_t grace_s) {
    const auto now = Now();
    TabFeed& feed = tab_feeds_[counsellor];
    if (open) {
        if (feed.tab != tab) feed = TabFeed{tab, 0, 0};
        ++feed.open;
    } else if (feed.tab == tab && feed.open > 0 && --feed.open == 0) {
        feed.grace_until = now + grace_s * kSecondMs;
    }
    if (!open && feed.tab == tab && feed.open > 0) return;  // another feed of this tab is still open (a reconnect)
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) return;
    auto it = bindings_.find(username->second);
    if (it == bindings_.end() || !it->second.browser || it->second.tab != tab) return;
    Binding& binding = it->second;
    if (open) {
        if (binding.feed_closed) binding.expires_ms = std::max(binding.expires_ms, binding.renewed_until);
        binding.feed_closed = false;
        return;
    }
    spdlog::info("telephony: the browser tab answering for {} closed its live feed; its phone goes in {} s unless "
                 "it comes back",
                 counsellor, grace_s);
    binding.feed_closed = true;
    binding.renewed_until = binding.expires_ms;
    binding.expires_ms = std::min(binding.expires_ms, now + grace_s * kSecondMs);
}

}  // namespace crisisline::telephony
