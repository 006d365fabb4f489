// Reassign: a supervisor of the line offers a waiting caller to a counsellor they choose (a Welsh speaker, a
// bereavement specialist), ahead of the routing order. The Router decides (acd::Router::OfferCall); this file
// checks what only telephony knows (the call is waiting, the counsellor's phone can ring) and tells the floor.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

Result<Call*> Switchboard::WaitingCallOf(const std::string& call_id,
                                         const std::function<bool(const std::string&)>& serves) {
    Call* call = FindCall(call_id);
    if (!call || call->phase == CallPhase::kEnded) return Fail(ErrorCode::kNotFound, "call", "no such call in progress");
    if (!ServesCallLine(*call, serves)) return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    if (call->phase != CallPhase::kQueued) {
        return Fail(ErrorCode::kConflict, "call", "this caller is not waiting in the queue (greeting or answered)");
    }
    return call;
}

bool Switchboard::PhoneCanRing(const std::string& counsellor) const {
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) return false;
    auto binding = bindings_.find(username->second);
    return binding != bindings_.end() && binding->second.expires_ms > Now();
}

Result<std::string> Switchboard::OfferCall(const std::string& supervisor, const std::string& call_id,
                                           const std::string& counsellor,
                                           const std::function<bool(const std::string&)>& serves) {
    auto found = WaitingCallOf(call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    auto username = username_of_.find(counsellor);
    auto account = username == username_of_.end() ? accounts_.end() : accounts_.find(username->second);
    if (account == accounts_.end()) {
        return Fail(ErrorCode::kInvalid, "counsellor", "no counsellor " + counsellor + " takes calls");
    }
    // Another line's counsellor is refused as such, registered or not (the Router checks again, with the pool).
    const auto& lines = account->second.counsellor.lines;
    const std::string& sister = lines_[call.record.line_id].routing.overflow_to;
    const bool of_line = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
        return l == call.record.line_id || sister == "line:" + l;
    });
    if (!of_line) {
        return Fail(ErrorCode::kForbidden, "counsellor",
                    "counsellor " + counsellor + " does not serve line " + call.record.line_id);
    }
    if (!PhoneCanRing(counsellor)) return Fail(ErrorCode::kConflict, "counsellor", "their phone is not registered");
    auto commands = router_.OfferCall(call.id, counsellor, Now());
    if (!commands) return tl::unexpected(commands.error());
    spdlog::info("telephony: call {}: {} offers it to {}", call.id, supervisor, counsellor);
    Publish("call.offered", &call, counsellor, {{"supervisor", supervisor}});
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));  // StopRinging for rings it takes over, then Ring: their phone or browser
    return call.record.line_id;
}

Result<OfferTargets> Switchboard::OfferTargetsOf(const std::string& call_id,
                                                 const std::function<bool(const std::string&)>& serves) {
    auto found = WaitingCallOf(call_id, serves);
    if (!found) return tl::unexpected(found.error());
    const Call& call = **found;
    OfferTargets out;
    out.line = call.record.line_id;
    const auto live = router_.Snapshot(Now());
    auto waiting_unoffered = [&](const std::string& id) {
        return std::any_of(live.waiting.begin(), live.waiting.end(),
                           [&](const acd::WaitingCallView& w) { return w.call == id && !w.offered_to; });
    };
    for (const auto& c : live.counsellors) {
        const bool available = c.state == acd::CounsellorState::kAvailable;
        // Ringing for a waiting call routing chose (not this one): an offer takes them off that ring.
        const bool taken_over = c.state == acd::CounsellorState::kRinging && c.call && *c.call != call.id &&
                                waiting_unoffered(*c.call);
        if ((!available && !taken_over) || !PhoneCanRing(c.counsellor)) continue;
        auto account = accounts_.find(username_of_.at(c.counsellor));
        if (account == accounts_.end()) continue;
        const auto& lines = account->second.counsellor.lines;
        if (std::find(lines.begin(), lines.end(), call.record.line_id) == lines.end()) continue;
        out.counsellors.push_back({c.counsellor, account->second.counsellor.display_name, acd::StateName(c.state)});
    }
    return out;
}

}  // namespace crisisline::telephony
