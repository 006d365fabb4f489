// Blind transfer from the console: the counsellor on a call hands it to a colleague of the line (whose phone
// rings while the caller hears hold audio; unanswered, the call comes back to the counsellor) or to a line's
// queue (at the front). Either way the caller is never dropped, and the contact record keeps one history: the
// first counsellor's contact ends "transferred" and names the contact the caller carries on in, which names it
// back (continued_in / continues), as an interruption does (requeue.cpp).
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

namespace {

acd::CallOutcome OutcomeOf(const std::map<std::string, acd::CallOutcome>& outcomes, const std::string& id) {
    auto noted = outcomes.find(id);
    return noted == outcomes.end() ? acd::CallOutcome{} : noted->second;
}

}  // namespace

Result<Call*> Switchboard::CallOf(const std::string& counsellor, const std::string& call_id,
                                  const std::function<bool(const std::string&)>& serves) {
    Call* call = FindCall(call_id);
    if (!call || call->phase == CallPhase::kEnded) return Fail(ErrorCode::kNotFound, "call", "no such call in progress");
    if (!ServesCallLine(*call, serves)) return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    const Leg* with = call->bridged;
    if (call->phase != CallPhase::kBridged || !with || with->kind != LegKind::kPhone || with->counsellor != counsellor ||
        with->state != LegState::kUp) {
        return Fail(ErrorCode::kConflict, "call", "this call is not connected to you");
    }
    return call;
}

bool Switchboard::MayQueueOn(const Call& call, const std::string& line,
                             const std::function<bool(const std::string&)>& serves) const {
    if (lines_.count(line) == 0) return false;
    auto own = lines_.find(call.record.line_id);
    const bool sister = own != lines_.end() && own->second.routing.overflow_to == "line:" + line;
    return sister || serves(line);
}

Result<TransferStarted> Switchboard::TransferCall(const std::string& counsellor, const std::string& call_id,
                                                  const TransferTarget& to,
                                                  const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (call.transfer) return Fail(ErrorCode::kConflict, "call", "a transfer of this call is ringing already");
    if (call.consult) {
        return Fail(ErrorCode::kConflict, "call", "you are consulting a colleague: complete or cancel that first");
    }
    if (call.monitoring) {
        return Fail(ErrorCode::kConflict, "call", "a supervisor is monitoring this call; they stop first");
    }
    if (call.conference) return Fail(ErrorCode::kConflict, "call", "this call has a third party; drop them first");
    if (to.kind == TransferTarget::Kind::kCounsellor) return TransferToColleague(call, counsellor, to.id);
    if (lines_.count(to.id) == 0) return Fail(ErrorCode::kInvalid, "to", "no line " + to.id);
    if (!MayQueueOn(call, to.id, serves)) {
        return Fail(ErrorCode::kForbidden, "to",
                    "line " + to.id + " is neither this line's overflow sister line nor a line you serve");
    }
    const std::string line = call.record.line_id;
    auto next = MoveToQueue(call, to.id);
    if (!next) return tl::unexpected(next.error());
    return TransferStarted{line, "queued", *next};
}

Result<TransferStarted> Switchboard::TransferToColleague(Call& call, const std::string& counsellor,
                                                         const std::string& to) {
    auto username = username_of_.find(to);
    if (username == username_of_.end()) return Fail(ErrorCode::kInvalid, "to", "no counsellor " + to + " takes calls");
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) {
        return Fail(ErrorCode::kConflict, "to", "their phone is not registered");
    }
    const auto now = Now();
    auto commands = router_.TransferRing(call.id, to, now);
    if (!commands) return tl::unexpected(commands.error());
    call.transfer = Call::Transfer{to, call.held, now};
    if (!call.held) {
        call.held = true;  // the caller hears the hold audio while the colleague's phone rings
        call.held_since = now;
        call.caller->playlist.frame = 0;
    }
    spdlog::info("telephony: call {}: {} transfers it to {}", call.id, counsellor, to);
    Publish("call.transferring", &call, counsellor, {{"to", to}});
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));  // Ring: their phone (or browser) rings as for any call
    return TransferStarted{call.record.line_id, "ringing", ""};
}

void Switchboard::TransferAnswered(Call& call, Leg& answering) {
    const std::string to = answering.counsellor;
    const std::string first_id = call.id;
    const std::string next_id = crypto::NewId("ct");
    auto commands = router_.TransferAnswered(first_id, to, next_id, OutcomeOf(outcomes_, first_id), Now());
    if (!commands) {
        spdlog::warn("telephony: call {}: the transfer answer of {} was refused ({})", first_id, to,
                     commands.error().message);
        HangUp(answering);
        auto it = call.phones.find(to);
        if (it != call.phones.end()) {
            Retire(std::move(it->second));
            call.phones.erase(it);
        }
        TransferRingEnded(call, to, "refused");
        return;
    }
    spdlog::info("telephony: call {}: {} answered the transfer; the caller carries on as {}", first_id, to, next_id);
    if (call.transfer->by_refer && call.bridged) NotifyRefer(*call.bridged, "SIP/2.0 200 OK", true);  // before BYE
    call.transfer.reset();
    call.held = false;
    call.held_since = 0;
    call.record = HandOn(call, next_id, call.record.line_id, {{"to", to}});
    Apply(std::move(*commands));  // Bridge{next}: the caller and the colleague, both ways
}

void Switchboard::TransferRingEnded(Call& call, const std::string& counsellor, const char* why) {
    ConferenceRingEnded(call, counsellor, why);  // a conference's ring of a colleague is the same Router ring
    if (!call.transfer || call.transfer->to != counsellor || call.phase != CallPhase::kBridged) return;
    const bool was_held = call.transfer->was_held;
    const bool by_refer = call.transfer->by_refer;
    call.transfer.reset();
    if (by_refer && call.bridged) {
        NotifyRefer(*call.bridged, std::string(why) == "no_answer" ? "SIP/2.0 480 Temporarily Unavailable"
                                   : std::string(why) == "declined" ? "SIP/2.0 603 Decline"
                                                                   : "SIP/2.0 503 Service Unavailable",
                    true);
    }
    const std::string first = call.bridged ? call.bridged->counsellor : "";
    if (!was_held) {
        call.held = false;
        call.held_since = 0;
        // Both sides were silent to each other: neither has been quiet of its own accord.
        call.caller->last_rx_ms = Now();
        if (call.bridged) call.bridged->last_rx_ms = Now();
    }
    spdlog::info("telephony: call {}: the transfer to {} ended ({}); the call is {}'s again", call.id, counsellor, why,
                 first);
    Publish("call.transfer_failed", &call, first, {{"to", counsellor}, {"reason", why}});
}

Result<std::string> Switchboard::MoveToQueue(Call& call, const std::string& line) {
    const std::string first_id = call.id;
    const std::string next_id = crypto::NewId("ct");
    auto commands = router_.TransferToQueue(first_id, next_id, line, OutcomeOf(outcomes_, first_id), Now());
    if (!commands) return tl::unexpected(commands.error());
    spdlog::info("telephony: call {}: the caller goes to the front of line {}'s queue as {}", first_id, line, next_id);
    call.transfer.reset();
    call.held = false;
    call.held_since = 0;
    call.record = HandOn(call, next_id, line, {{"to_line", line}});
    call.phase = CallPhase::kQueued;
    Leg& caller = *call.caller;
    caller.playlist = Playlist{};
    caller.playlist.prompts = prompts_;
    caller.playlist.loop = &caller.playlist.prompts->hold;
    caller.last_rx_ms = Now();
    Publish("call.queued", &call, "", {{"language", call.record.language}, {"continues", first_id}});
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));
    return next_id;
}

records::CallRecord Switchboard::HandOn(Call& call, const std::string& next_id, const std::string& next_line,
                                        const nlohmann::json& where) {
    const auto now = Now();
    const std::string first_id = call.id;
    Leg* gone = call.bridged;
    const std::string counsellor = gone && gone->kind == LegKind::kPhone ? gone->counsellor : "";
    DropTransferRing(call);
    EndMonitoring(call, "transferred");
    outcomes_.erase(first_id);
    // The first counsellor's leg goes (BYE to a desk phone; a browser's tab hears call.ended below).
    if (gone) HangUp(*gone);
    auto it = call.phones.find(counsellor);
    if (it != call.phones.end()) {
        Retire(std::move(it->second));
        call.phones.erase(it);
    }
    if (call.caller) call.caller->peer = nullptr;
    call.bridged = nullptr;

    records::CallRecord ended = call.record;
    ended.ended_at = now;
    ended.end_reason = "transferred";
    ended.continued_in = next_id;
    records::CallRecord next = call.record;
    next.contact_id = next_id;
    next.line_id = next_line;
    next.answered_at.reset();
    next.ended_at.reset();
    next.counsellor_id.clear();
    next.end_reason.clear();
    next.continued_in.clear();
    next.continues = first_id;
    if (hooks_.call_log) {
        hooks_.call_log->Ended(ended);
        hooks_.call_log->Arrived(next, {});
    }
    Publish("call.ended", &call, counsellor,
            {{"reason", "transferred"}, {"talk_ms", now - call.bridged_at}, {"continued_in", next_id}});
    nlohmann::json data = where;
    data["continued_in"] = next_id;
    Publish("call.transferred", &call, counsellor, std::move(data));

    // The same Call, under its new contact's id (the Router's commands name it so).
    auto node = calls_.extract(first_id);
    node.key() = next_id;
    call.id = next_id;
    call.bridged_at = 0;
    calls_.insert(std::move(node));
    return next;
}

void Switchboard::DropTransferRing(Call& call) {
    if (!call.transfer) return;
    const std::string to = call.transfer->to;
    call.transfer.reset();
    // The Router's StopRinging for it names the call's id before the hand-over, which is gone by then.
    auto it = call.phones.find(to);
    if (it == call.phones.end()) return;
    auto leg = std::move(it->second);
    call.phones.erase(it);
    if (leg && leg->browser && leg->state == LegState::kRinging) BrowserRingStopped(call, *leg);
    if (leg) HangUp(*leg);
    Retire(std::move(leg));
}

Result<TransferTargets> Switchboard::TransferTargetsOf(const std::string& counsellor, const std::string& call_id,
                                                       const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    const Call& call = **found;
    TransferTargets out;
    out.line = call.record.line_id;
    const auto now = Now();
    for (const auto& c : router_.Snapshot(now).counsellors) {
        if (c.counsellor == counsellor || c.state != acd::CounsellorState::kAvailable) continue;
        auto username = username_of_.find(c.counsellor);
        if (username == username_of_.end()) continue;
        auto binding = bindings_.find(username->second);
        auto account = accounts_.find(username->second);
        if (binding == bindings_.end() || binding->second.expires_ms <= now || account == accounts_.end()) continue;
        const auto& lines = account->second.counsellor.lines;
        if (std::find(lines.begin(), lines.end(), call.record.line_id) == lines.end()) continue;
        out.counsellors.push_back({c.counsellor, account->second.counsellor.display_name});
    }
    for (const auto& [id, line] : lines_) {
        if (MayQueueOn(call, id, serves)) out.lines.push_back({id, line.name});
    }
    const bool escalated = OutcomeOf(outcomes_, call.id).escalated;
    for (const auto& t : lines_[call.record.line_id].transfer_targets) {
        out.external.push_back({t.id, t.name, t.kind, t.kind != "emergency" || escalated});
    }
    return out;
}

}  // namespace crisisline::telephony
