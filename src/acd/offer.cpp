// Reassign: a supervisor offers a waiting caller to a counsellor they choose, ahead of the routing order (a
// Welsh speaker, a bereavement specialist), while the caller keeps their place. The offer is one ring like any
// other (timeouts, pauses and answers follow the ring's rules); only Route leaves the offered call alone.
#include <algorithm>

#include "acd/acd.hpp"

namespace crisisline::acd {

Router::Call* Router::RoutedRingOf(const Counsellor& counsellor) {
    if (counsellor.state != CounsellorState::kRinging) return nullptr;
    auto it = calls_.find(counsellor.call);
    if (it == calls_.end()) return nullptr;
    Call& call = it->second;
    // A bridged call's ring is a transfer's; an offered one's is another supervisor's choice.
    if (!call.bridged_to.empty() || !call.offered_to.empty()) return nullptr;
    return &call;
}

Result<Commands> Router::OfferCall(const CallId& id, const CounsellorId& who, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    Call& call = it->second;
    if (!call.bridged_to.empty()) return Fail(ErrorCode::kConflict, "call", "call " + id + " is already answered");
    if (!call.offered_to.empty()) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " is offered to " + call.offered_to + " already");
    }
    auto k = counsellors_.find(who);
    if (k == counsellors_.end()) return Fail(ErrorCode::kInvalid, "counsellor", "no counsellor " + who);
    Counsellor& counsellor = k->second;
    if (!Serves(call, counsellor)) {
        return Fail(ErrorCode::kForbidden, "counsellor", "counsellor " + who + " does not serve line " + call.info.line);
    }
    const bool ringing_here = counsellor.state == CounsellorState::kRinging && counsellor.call == id;
    Call* other = ringing_here ? nullptr : RoutedRingOf(counsellor);
    if (counsellor.state != CounsellorState::kAvailable && !ringing_here && !other) {
        return Fail(ErrorCode::kConflict, "counsellor",
                    std::string("counsellor ") + who + " is not available (" + StateName(counsellor.state) + ")");
    }
    if (PolicyOf(call).encrypted_phones_only && !counsellor.encrypted_phone) {
        return Fail(ErrorCode::kConflict, "counsellor",
                    "counsellor " + who + "'s phone is not encrypted; line " + call.info.line +
                        " requires every leg encrypted");
    }
    now_ = now;
    Commands out;
    // Not their fault: the counsellors whose rings stop stay available, unpaused.
    if (other) EndRing(*other, counsellor, CounsellorState::kAvailable, BreakReason::kNone, /*stop=*/true, out);
    const std::vector<CounsellorId> ringing = call.ringing;  // EndRing edits call.ringing
    for (const CounsellorId& rung : ringing) {
        if (rung == who) continue;
        EndRing(call, counsellors_.at(rung), CounsellorState::kAvailable, BreakReason::kNone, /*stop=*/true, out);
    }
    call.offered_to = who;
    if (!ringing_here) StartRing(call, counsellor, out);
    Route(out);  // the freed counsellors may take other calls; never this one while the offer rings
    return out;
}

}  // namespace crisisline::acd
