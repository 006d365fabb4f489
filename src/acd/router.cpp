#include <algorithm>
#include <cassert>
#include <utility>

#include "acd/acd.hpp"

namespace crisisline::acd {
namespace {

template <class T>
bool Contains(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

bool IsBusy(CounsellorState state) { return state == CounsellorState::kRinging || state == CounsellorState::kOnCall; }

BreakReason ReasonFor(CounsellorState state) {
    return state == CounsellorState::kBreak ? BreakReason::kChosen : BreakReason::kNone;
}

void KeepEarliest(std::optional<TimeMs>& earliest, TimeMs t) {
    if (!earliest || t < *earliest) earliest = t;
}

}  // namespace

// ---- configuration ----

Result<void> Router::SetLinePolicy(const LineId& line, const LinePolicy& policy) {
    if (line.empty()) return Fail(ErrorCode::kInvalid, "line", "line id is empty; name the line");
    if (policy.ring_timeout <= 0) {
        return Fail(ErrorCode::kInvalid, "ring_timeout", "ring_timeout must be more than 0 ms");
    }
    if (policy.wrap_up < 0 || policy.wrap_up_after_concern < 0) {
        return Fail(ErrorCode::kInvalid, "wrap_up", "wrap-up times must be 0 ms or more");
    }
    if (policy.overflow_after && *policy.overflow_after < 0) {
        return Fail(ErrorCode::kInvalid, "overflow_after", "overflow_after must be 0 ms or more, or unset");
    }
    if (policy.announce_every && *policy.announce_every <= 0) {
        return Fail(ErrorCode::kInvalid, "announce_every", "announce_every must be more than 0 ms, or unset");
    }
    lines_[line] = policy;
    return {};
}

Result<Commands> Router::SetCounsellorProfile(const CounsellorProfile& profile, TimeMs now) {
    now = Later(now);
    if (profile.id.empty()) return Fail(ErrorCode::kInvalid, "id", "counsellor id is empty");
    if (profile.languages.empty()) {
        return Fail(ErrorCode::kInvalid, "languages", "a counsellor needs at least one language");
    }
    auto it = counsellors_.find(profile.id);
    if (it != counsellors_.end() && IsBusy(it->second.state)) {
        return Fail(ErrorCode::kConflict, "id", "counsellor is ringing or on a call; change the profile after");
    }
    now_ = now;
    if (it == counsellors_.end()) {
        Counsellor fresh;
        fresh.profile = profile;
        fresh.since = now;
        fresh.idle_since = now;
        counsellors_.emplace(profile.id, std::move(fresh));
    } else {
        it->second.profile = profile;
    }
    Commands out;
    Route(out);
    return out;
}

// ---- call events ----

Result<Commands> Router::CallArrived(const CallInfo& info, TimeMs now) {
    now = Later(now);
    if (info.id.empty()) return Fail(ErrorCode::kInvalid, "id", "call id is empty");
    auto line = lines_.find(info.line);
    if (line == lines_.end()) return Fail(ErrorCode::kNotFound, "line", "no routing policy for line " + info.line);
    if (calls_.count(info.id) != 0) return Fail(ErrorCode::kConflict, "id", "call " + info.id + " is already queued");

    now_ = now;
    Call call;
    call.info = info;
    call.arrived = now;
    call.queued_since = now;
    if (line->second.announce_every) call.next_announce = now + *line->second.announce_every;
    calls_.emplace(info.id, std::move(call));
    queue_.push_back(info.id);
    Commands out;
    Route(out);
    return out;
}

Result<Commands> Router::CallAbandoned(const CallId& id, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    Call& call = it->second;
    if (!call.bridged_to.empty()) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " is bridged; report CallEnded instead");
    }
    now_ = now;
    Commands out;
    EndAllRings(call, out);
    out.emplace_back(Abandoned{id, now - call.arrived});
    RemoveFromQueue(id);
    calls_.erase(it);
    Route(out);
    return out;
}

Result<Commands> Router::RingAnswered(const CallId& id, const CounsellorId& who, TimeMs now) {
    now = Later(now);
    auto found = FindRing(id, who);
    if (!found) return tl::unexpected(found.error());
    auto [call, counsellor] = *found;
    now_ = now;

    Commands out;
    out.emplace_back(Bridge{id, who, now - call->arrived});
    std::erase(call->ringing, who);
    call->offered_to.clear();  // an offer, answered: it ends as the call leaves the queue
    Enter(*counsellor, CounsellorState::kOnCall, BreakReason::kNone, out);  // keeps counsellor->call
    EndAllRings(*call, out);
    call->bridged_to = who;
    call->answered = now;
    RemoveFromQueue(id);
    Route(out);
    return out;
}

Result<Commands> Router::RingFailed(const CallId& id, const CounsellorId& who, TimeMs now) {
    now = Later(now);
    auto found = FindRing(id, who);
    if (!found) return tl::unexpected(found.error());
    auto [call, counsellor] = *found;
    now_ = now;

    Commands out;
    // The phone is gone or refused: pause it so the Router does not ring a dead phone in a loop.
    EndRing(*call, *counsellor, CounsellorState::kBreak, BreakReason::kPhoneFailed, /*stop=*/false, out);
    Route(out);
    return out;
}

Result<Commands> Router::CallEnded(const CallId& id, const CallOutcome& outcome, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    if (it->second.bridged_to.empty()) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " was never answered; report CallAbandoned");
    }
    now_ = now;
    Commands out;
    EndAllRings(it->second, out);  // a transfer ring for it (the caller hung up while it rang)
    ReleaseConsultant(it->second, out);
    const LinePolicy& policy = PolicyOf(it->second);
    Counsellor& counsellor = counsellors_.at(it->second.bridged_to);
    calls_.erase(it);
    StartWrapUp(counsellor, policy, id, outcome, out);
    Route(out);
    return out;
}

Result<Commands> Router::CallInterrupted(const CallId& id, const CallId& requeued, const CallOutcome& outcome,
                                         TimeMs now) {
    now = Later(now);
    if (requeued.empty()) return Fail(ErrorCode::kInvalid, "requeued", "the requeued call's id is empty");
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    if (it->second.bridged_to.empty()) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " is not bridged; nothing to interrupt");
    }
    if (calls_.count(requeued) != 0) return Fail(ErrorCode::kConflict, "requeued", "call " + requeued + " exists");
    now_ = now;
    Commands out;
    EndAllRings(it->second, out);  // a transfer ring for it
    ReleaseConsultant(it->second, out);
    Call back = std::move(it->second);
    Counsellor& counsellor = counsellors_.at(back.bridged_to);
    const LinePolicy& policy = PolicyOf(back);
    calls_.erase(it);
    // Not ready afterwards: their connection failed, so they are not rung again until they say they are back.
    if (counsellor.after_call != CounsellorState::kOffline) {
        counsellor.after_call = CounsellorState::kBreak;
        counsellor.after_call_reason = BreakReason::kPhoneFailed;
    }
    StartWrapUp(counsellor, policy, id, outcome, out);
    Requeue(std::move(back), requeued);
    Route(out);
    return out;
}

Result<Commands> Router::TransferRing(const CallId& id, const CounsellorId& target, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    Call& call = it->second;
    if (call.bridged_to.empty()) return Fail(ErrorCode::kConflict, "call", "call " + id + " is not connected");
    if (!call.ringing.empty()) return Fail(ErrorCode::kConflict, "call", "a transfer of call " + id + " is ringing");
    if (!call.consulting.empty()) {
        return Fail(ErrorCode::kConflict, "call", "counsellor " + call.consulting + " consults on call " + id);
    }
    auto k = counsellors_.find(target);
    if (k == counsellors_.end()) return Fail(ErrorCode::kInvalid, "to", "no counsellor " + target);
    if (target == call.bridged_to) return Fail(ErrorCode::kInvalid, "to", "the call is already yours");
    Counsellor& counsellor = k->second;
    if (!Contains(counsellor.profile.lines, call.info.line)) {
        return Fail(ErrorCode::kForbidden, "to", "counsellor " + target + " does not serve line " + call.info.line);
    }
    if (counsellor.state != CounsellorState::kAvailable) {
        return Fail(ErrorCode::kConflict, "to", "counsellor " + target + " is not available");
    }
    if (PolicyOf(call).encrypted_phones_only && !counsellor.encrypted_phone) {
        return Fail(ErrorCode::kConflict, "to",
                    "counsellor " + target + "'s phone is not encrypted; line " + call.info.line +
                        " requires every leg encrypted");
    }
    now_ = now;
    Commands out;
    StartRing(call, counsellor, out);
    return out;
}

Result<Commands> Router::TransferAnswered(const CallId& id, const CounsellorId& target, const CallId& next,
                                          const CallOutcome& outcome, TimeMs now) {
    now = Later(now);
    if (next.empty()) return Fail(ErrorCode::kInvalid, "next", "the next call's id is empty");
    auto found = FindRing(id, target);
    if (!found) return tl::unexpected(found.error());
    auto [call, answering] = *found;
    if (call->bridged_to.empty()) return Fail(ErrorCode::kConflict, "call", "call " + id + " is not connected");
    if (calls_.count(next) != 0) return Fail(ErrorCode::kConflict, "next", "call " + next + " exists");
    now_ = now;
    Commands out;
    Call moved = std::move(*call);
    calls_.erase(id);
    Counsellor& first = counsellors_.at(moved.bridged_to);
    StartWrapUp(first, PolicyOf(moved), id, outcome, out);
    std::erase(moved.ringing, target);
    moved.info.id = next;
    moved.bridged_to = target;
    moved.answered = now;
    answering->call = next;
    out.emplace_back(Bridge{next, target, now - moved.arrived});
    Enter(*answering, CounsellorState::kOnCall, BreakReason::kNone, out);
    calls_.emplace(next, std::move(moved));
    Route(out);
    return out;
}

Result<Commands> Router::ConsultAnswered(const CallId& id, const CounsellorId& target, TimeMs now) {
    now = Later(now);
    auto found = FindRing(id, target);
    if (!found) return tl::unexpected(found.error());
    auto [call, answering] = *found;
    if (call->bridged_to.empty()) return Fail(ErrorCode::kConflict, "call", "call " + id + " is not connected");
    now_ = now;
    Commands out;
    std::erase(call->ringing, target);
    call->consulting = target;
    Enter(*answering, CounsellorState::kOnCall, BreakReason::kNone, out);  // keeps answering->call: the call
    return out;
}

Result<Commands> Router::ConsultEnded(const CallId& id, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    now_ = now;
    Commands out;
    EndAllRings(it->second, out);  // a consult ring: the colleague did nothing wrong, so available
    ReleaseConsultant(it->second, out);
    Route(out);
    return out;
}

Result<Commands> Router::ConsultCompleted(const CallId& id, const CallId& next, const CallOutcome& outcome,
                                          TimeMs now) {
    now = Later(now);
    if (next.empty()) return Fail(ErrorCode::kInvalid, "next", "the next call's id is empty");
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    if (it->second.bridged_to.empty() || it->second.consulting.empty()) {
        return Fail(ErrorCode::kConflict, "call", "nobody consults on call " + id);
    }
    if (calls_.count(next) != 0) return Fail(ErrorCode::kConflict, "next", "call " + next + " exists");
    now_ = now;
    Commands out;
    Call moved = std::move(it->second);
    calls_.erase(it);
    StartWrapUp(counsellors_.at(moved.bridged_to), PolicyOf(moved), id, outcome, out);
    Counsellor& consultant = counsellors_.at(moved.consulting);
    moved.info.id = next;
    moved.bridged_to = moved.consulting;
    moved.consulting.clear();
    moved.answered = now;
    consultant.call = next;
    out.emplace_back(Bridge{next, moved.bridged_to, now - moved.arrived});
    calls_.emplace(next, std::move(moved));
    Route(out);
    return out;
}

Result<Commands> Router::TransferToQueue(const CallId& id, const CallId& next, const LineId& line,
                                         const CallOutcome& outcome, TimeMs now) {
    now = Later(now);
    if (next.empty()) return Fail(ErrorCode::kInvalid, "next", "the next call's id is empty");
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    if (it->second.bridged_to.empty()) return Fail(ErrorCode::kConflict, "call", "call " + id + " is not connected");
    if (lines_.count(line) == 0) return Fail(ErrorCode::kInvalid, "to", "no line " + line);
    if (calls_.count(next) != 0) return Fail(ErrorCode::kConflict, "next", "call " + next + " exists");
    now_ = now;
    Commands out;
    EndAllRings(it->second, out);
    ReleaseConsultant(it->second, out);
    Call back = std::move(it->second);
    calls_.erase(it);
    StartWrapUp(counsellors_.at(back.bridged_to), PolicyOf(back), id, outcome, out);
    back.info.line = line;
    back.overflowed = false;
    Requeue(std::move(back), next);
    Route(out);
    return out;
}

Result<Commands> Router::OverflowAnswered(const CallId& id, TimeMs now) {
    now = Later(now);
    auto it = calls_.find(id);
    if (it == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + id);
    if (!it->second.bridged_to.empty()) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " is already bridged to a counsellor");
    }
    if (!it->second.overflowed) {
        return Fail(ErrorCode::kConflict, "call", "call " + id + " was not offered to overflow");
    }
    now_ = now;
    Commands out;
    EndAllRings(it->second, out);
    RemoveFromQueue(id);
    calls_.erase(it);
    Route(out);
    return out;
}

// ---- counsellor events ----

Result<Commands> Router::SetAvailability(const CounsellorId& who, CounsellorState wanted, TimeMs now) {
    now = Later(now);
    if (wanted != CounsellorState::kAvailable && wanted != CounsellorState::kBreak &&
        wanted != CounsellorState::kOffline) {
        return Fail(ErrorCode::kInvalid, "state", "a counsellor may set only available, break or offline");
    }
    auto it = counsellors_.find(who);
    if (it == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    Counsellor& counsellor = it->second;
    now_ = now;

    Commands out;
    switch (counsellor.state) {
        case CounsellorState::kRinging:
            if (wanted == CounsellorState::kAvailable) return out;
            EndRing(calls_.at(counsellor.call), counsellor, wanted, ReasonFor(wanted), /*stop=*/true, out);
            break;
        case CounsellorState::kOnCall:
            counsellor.after_call = wanted;  // applied when the wrap-up ends; the call goes on
            return out;
        default:
            counsellor.after_call = CounsellorState::kAvailable;
            counsellor.after_call_reason = BreakReason::kNone;
            Enter(counsellor, wanted, ReasonFor(wanted), out);
            break;
    }
    Route(out);
    return out;
}

Result<Commands> Router::WrapUpCutCall(const CounsellorId& who, const LineId& line, const CallId& call,
                                       const CallOutcome& outcome, TimeMs now) {
    now = Later(now);
    auto it = counsellors_.find(who);
    if (it == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    auto policy = lines_.find(line);
    if (policy == lines_.end()) return Fail(ErrorCode::kNotFound, "line", "no line " + line);
    Counsellor& counsellor = it->second;
    if (counsellor.state == CounsellorState::kRinging || counsellor.state == CounsellorState::kOnCall ||
        counsellor.state == CounsellorState::kWrapUp) {
        return Fail(ErrorCode::kConflict, "counsellor", "counsellor " + who + " is ringing, on a call or wrapping up");
    }
    now_ = now;
    Commands out;
    const TimeMs wrap_up = (outcome.cause_for_concern || outcome.escalated) ? policy->second.wrap_up_after_concern
                                                                            : policy->second.wrap_up;
    if (wrap_up <= 0) return out;
    counsellor.after_call = counsellor.state;
    counsellor.wrap_up_ends = now + wrap_up;
    counsellor.wrapping_up = call;
    Enter(counsellor, CounsellorState::kWrapUp, BreakReason::kNone, out);
    return out;
}

Result<Commands> Router::PhoneGone(const CounsellorId& who, TimeMs now) {
    auto it = counsellors_.find(who);
    if (it == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    const CounsellorState state = it->second.state;
    if (state == CounsellorState::kOnCall || state == CounsellorState::kWrapUp) {
        now_ = Later(now);
        return Commands{};
    }
    return SetAvailability(who, CounsellorState::kOffline, now);
}

Result<Commands> Router::SetPhoneEncrypted(const CounsellorId& who, bool encrypted, TimeMs now) {
    auto it = counsellors_.find(who);
    if (it == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    now_ = Later(now);
    Commands out;
    if (it->second.encrypted_phone == encrypted) return out;
    it->second.encrypted_phone = encrypted;
    if (encrypted) Route(out);
    return out;
}

Result<Commands> Router::WrapUpDone(const CounsellorId& who, TimeMs now) {
    now = Later(now);
    auto it = counsellors_.find(who);
    if (it == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    if (it->second.state != CounsellorState::kWrapUp) {
        return Fail(ErrorCode::kConflict, "counsellor", "counsellor " + who + " is not in wrap-up");
    }
    now_ = now;
    Commands out;
    FinishWrapUp(it->second, out);
    Route(out);
    return out;
}

// ---- time ----

Commands Router::Advance(TimeMs now) {
    now_ = Later(now);
    Commands out;
    ExpireRings(out);
    ExpireWrapUps(out);
    Route(out);
    if (OfferOverflow(out)) Route(out);  // a sister line's counsellors may take them now
    Announcements(out);
    return out;
}

std::optional<TimeMs> Router::NextDeadline() const {
    std::optional<TimeMs> earliest;
    for (const auto& id : timed_) {
        const Counsellor& counsellor = counsellors_.at(id);
        if (counsellor.state == CounsellorState::kRinging) {
            KeepEarliest(earliest, counsellor.since + PolicyOf(calls_.at(counsellor.call)).ring_timeout);
        } else if (counsellor.state == CounsellorState::kWrapUp) {
            KeepEarliest(earliest, counsellor.wrap_up_ends);
        }
    }
    for (const CallId& id : queue_) {
        const Call& call = calls_.at(id);
        const LinePolicy& policy = PolicyOf(call);
        if (!call.overflowed && policy.overflow_after) {
            KeepEarliest(earliest, call.queued_since + *policy.overflow_after);
        }
        if (call.next_announce) KeepEarliest(earliest, *call.next_announce);
        // The end of a specialism preference may let someone else take the call.
        if (SpecialistsOnly(call)) KeepEarliest(earliest, call.arrived + policy.ring_timeout);
    }
    return earliest;
}

void Router::ExpireRings(Commands& out) {
    const std::vector<CounsellorId> timed(timed_.begin(), timed_.end());  // EndRing changes timed_
    for (const auto& id : timed) {
        Counsellor& counsellor = counsellors_.at(id);
        if (counsellor.state != CounsellorState::kRinging) continue;
        Call& call = calls_.at(counsellor.call);
        if (counsellor.since + PolicyOf(call).ring_timeout <= now_) {
            EndRing(call, counsellor, CounsellorState::kBreak, BreakReason::kMissedCall, /*stop=*/true, out);
        }
    }
}

void Router::ExpireWrapUps(Commands& out) {
    const std::vector<CounsellorId> timed(timed_.begin(), timed_.end());  // FinishWrapUp changes timed_
    for (const auto& id : timed) {
        Counsellor& counsellor = counsellors_.at(id);
        if (counsellor.state == CounsellorState::kWrapUp && counsellor.wrap_up_ends <= now_) {
            FinishWrapUp(counsellor, out);
        }
    }
}

bool Router::OfferOverflow(Commands& out) {
    bool to_pool = false;
    for (const CallId& id : queue_) {
        Call& call = calls_.at(id);
        const auto& after = PolicyOf(call).overflow_after;
        if (!call.overflowed && after && call.queued_since + *after <= now_) {
            call.overflowed = true;
            out.emplace_back(Overflow{id});
            to_pool = to_pool || PolicyOf(call).overflow_pool.has_value();
        }
    }
    return to_pool;
}

void Router::Announcements(Commands& out) {
    std::map<LineId, int> position;
    for (const CallId& id : queue_) {
        Call& call = calls_.at(id);
        const int here = ++position[call.info.line];
        if (!call.next_announce || *call.next_announce > now_) continue;
        out.emplace_back(Announce{id, here});
        const auto& every = PolicyOf(call).announce_every;
        if (!every) {
            call.next_announce.reset();
            continue;
        }
        // One announcement however late Advance came; the next on the original rhythm.
        const TimeMs missed = (now_ - *call.next_announce) / *every;
        *call.next_announce += (missed + 1) * *every;
    }
}

// ---- routing ----

void Router::Route(Commands& out) {
    for (const CallId& id : queue_) {
        Call& call = calls_.at(id);
        if (!call.offered_to.empty()) continue;  // a supervisor's offer rings for it alone
        const bool ring_all = PolicyOf(call).strategy == Strategy::kRingAll;
        if (!ring_all && !call.ringing.empty()) continue;

        std::vector<Counsellor*> candidates;
        for (const auto& cid : available_) {  // in id order, as counsellors_
            Counsellor& counsellor = counsellors_.at(cid);
            if (Eligible(call, counsellor)) candidates.push_back(&counsellor);
        }
        if (candidates.empty()) continue;  // passed over: later calls may still be served
        if (ring_all) {
            for (Counsellor* counsellor : candidates) StartRing(call, *counsellor, out);
            continue;
        }
        const auto& wanted = call.info.specialism;
        auto rank = [&](const Counsellor* c) {
            const bool specialist = wanted && Contains(c->profile.specialisms, *wanted);
            return std::make_pair(!specialist, c->idle_since);
        };
        // min_element keeps the first of equals: ties go by id, the order of counsellors_.
        StartRing(call,
                  **std::min_element(candidates.begin(), candidates.end(),
                                     [&](const Counsellor* a, const Counsellor* b) { return rank(a) < rank(b); }),
                  out);
    }
}

bool Router::Eligible(const Call& call, const Counsellor& counsellor) const {
    if (counsellor.state != CounsellorState::kAvailable) return false;
    const CounsellorProfile& p = counsellor.profile;
    if (!Serves(call, counsellor) || !Contains(p.languages, call.info.language)) return false;
    if (PolicyOf(call).encrypted_phones_only && !counsellor.encrypted_phone) return false;
    return !SpecialistsOnly(call) || Contains(p.specialisms, *call.info.specialism);
}

bool Router::Serves(const Call& call, const Counsellor& counsellor) const {
    const CounsellorProfile& p = counsellor.profile;
    const auto& pool = PolicyOf(call).overflow_pool;
    return Contains(p.lines, call.info.line) || (call.overflowed && pool && Contains(p.lines, *pool));
}

bool Router::SpecialistsOnly(const Call& call) const {
    return call.info.specialism && !call.requeued && now_ < call.arrived + PolicyOf(call).ring_timeout;
}

// ---- state changes ----

TimeMs Router::Later(TimeMs now) const { return std::max(now_, now); }

void Router::Enter(Counsellor& counsellor, CounsellorState state, BreakReason reason, Commands& out) {
    if (counsellor.state == state && counsellor.reason == reason) return;
    counsellor.state = state;
    counsellor.reason = reason;
    counsellor.since = now_;
    if (state != CounsellorState::kWrapUp) counsellor.wrapping_up.clear();
    // The indexes that keep routing and timers proportional to who is available or timed, not to the floor.
    const auto& id = counsellor.profile.id;
    if (state == CounsellorState::kAvailable) {
        available_.insert(id);
    } else {
        available_.erase(id);
    }
    if (state == CounsellorState::kRinging || state == CounsellorState::kWrapUp) {
        timed_.insert(id);
    } else {
        timed_.erase(id);
    }
    out.emplace_back(StateChanged{counsellor.profile.id, state, reason, now_});
}

void Router::StartRing(Call& call, Counsellor& counsellor, Commands& out) {
    // Guards "a counsellor never rings for two calls at once": only an available counsellor is rung.
    assert(counsellor.state == CounsellorState::kAvailable && counsellor.call.empty());
    counsellor.call = call.info.id;
    call.ringing.push_back(counsellor.profile.id);
    out.emplace_back(Ring{call.info.id, counsellor.profile.id});
    Enter(counsellor, CounsellorState::kRinging, BreakReason::kNone, out);
}

void Router::EndRing(
    Call& call, Counsellor& counsellor, CounsellorState state, BreakReason reason, bool stop, Commands& out) {
    assert(counsellor.state == CounsellorState::kRinging && counsellor.call == call.info.id);  // caller checked
    std::erase(call.ringing, counsellor.profile.id);
    counsellor.call.clear();
    if (stop) out.emplace_back(StopRinging{call.info.id, counsellor.profile.id});
    if (call.offered_to == counsellor.profile.id) {
        call.offered_to.clear();
        const char* why = reason == BreakReason::kMissedCall    ? "no_answer"
                          : reason == BreakReason::kPhoneFailed ? "declined"
                          : state == CounsellorState::kAvailable ? "caller_gone"
                                                                 : "unavailable";
        out.emplace_back(OfferLapsed{call.info.id, counsellor.profile.id, why});
    }
    Enter(counsellor, state, reason, out);
}

void Router::EndAllRings(Call& call, Commands& out) {
    const std::vector<CounsellorId> ringing = call.ringing;  // EndRing edits call.ringing
    for (const CounsellorId& id : ringing) {
        EndRing(call, counsellors_.at(id), CounsellorState::kAvailable, BreakReason::kNone, /*stop=*/true, out);
    }
}

void Router::FinishWrapUp(Counsellor& counsellor, Commands& out) {
    const CounsellorState next = counsellor.after_call;
    const BreakReason reason = counsellor.after_call_reason != BreakReason::kNone ? counsellor.after_call_reason
                                                                                  : ReasonFor(next);
    counsellor.after_call = CounsellorState::kAvailable;
    counsellor.after_call_reason = BreakReason::kNone;
    counsellor.wrap_up_ends = 0;
    Enter(counsellor, next, reason, out);
}

void Router::StartWrapUp(Counsellor& counsellor, const LinePolicy& policy, const CallId& id,
                         const CallOutcome& outcome, Commands& out) {
    counsellor.call.clear();
    counsellor.idle_since = now_;
    const TimeMs wrap_up =
        (outcome.cause_for_concern || outcome.escalated) ? policy.wrap_up_after_concern : policy.wrap_up;
    if (wrap_up > 0) {
        counsellor.wrap_up_ends = now_ + wrap_up;
        counsellor.wrapping_up = id;
        Enter(counsellor, CounsellorState::kWrapUp, BreakReason::kNone, out);
    } else {
        FinishWrapUp(counsellor, out);
    }
}

void Router::ReleaseConsultant(Call& call, Commands& out) {
    if (call.consulting.empty()) return;
    Counsellor& consultant = counsellors_.at(call.consulting);
    call.consulting.clear();
    consultant.call.clear();
    FinishWrapUp(consultant, out);  // no wrap-up of their own: straight to what comes after a call
}

void Router::Requeue(Call back, const CallId& next) {
    const LinePolicy& policy = PolicyOf(back);
    back.info.id = next;
    back.bridged_to.clear();
    back.answered = 0;
    back.ringing.clear();
    back.offered_to.clear();
    back.queued_since = now_;
    back.requeued = true;
    back.next_announce.reset();
    if (policy.announce_every) back.next_announce = now_ + *policy.announce_every;
    calls_.emplace(next, std::move(back));
    queue_.insert(queue_.begin(), next);  // the front: ahead of everyone who waits
}

void Router::RemoveFromQueue(const CallId& id) { std::erase(queue_, id); }

const LinePolicy& Router::PolicyOf(const Call& call) const { return lines_.at(call.info.line); }

Result<std::pair<Router::Call*, Router::Counsellor*>> Router::FindRing(const CallId& call, const CounsellorId& who) {
    auto c = calls_.find(call);
    if (c == calls_.end()) return Fail(ErrorCode::kNotFound, "call", "no call " + call);
    auto k = counsellors_.find(who);
    if (k == counsellors_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "no counsellor " + who);
    if (k->second.state != CounsellorState::kRinging || k->second.call != call) {
        return Fail(ErrorCode::kConflict, "counsellor",
                    "counsellor " + who + " is not ringing for call " + call + "; hang up that phone's leg only");
    }
    return std::make_pair(&c->second, &k->second);
}

// ---- live state ----

LiveState Router::Snapshot(TimeMs now) const {
    LiveState live;
    live.at = std::max(now, now_);
    std::map<LineId, int> position;
    for (const CallId& id : queue_) {
        const Call& call = calls_.at(id);
        WaitingCallView view{id,
                             call.info.line,
                             call.info.language,
                             call.info.specialism,
                             ++position[call.info.line],
                             live.at - call.arrived,
                             call.ringing,
                             call.overflowed,
                             std::nullopt};
        if (!call.offered_to.empty()) view.offered_to = call.offered_to;
        live.longest_wait_ms = std::max(live.longest_wait_ms, view.wait_ms);
        live.waiting.push_back(std::move(view));
    }
    for (const auto& [id, call] : calls_) {
        if (call.bridged_to.empty()) continue;
        live.active.push_back(
            ActiveCallView{id, call.info.line, call.bridged_to, call.answered - call.arrived, live.at - call.answered});
    }
    for (const auto& [id, c] : counsellors_) {
        CounsellorView view{id, c.state, c.reason, live.at - c.since, std::nullopt, std::nullopt, std::nullopt};
        if (!c.call.empty()) view.call = c.call;
        if (c.state == CounsellorState::kWrapUp) view.wrap_up_ends = c.wrap_up_ends;
        if (c.state == CounsellorState::kWrapUp && !c.wrapping_up.empty()) view.wrapping_up = c.wrapping_up;
        if (c.after_call != CounsellorState::kAvailable) view.after_call = c.after_call;
        live.counsellors.push_back(std::move(view));
    }
    return live;
}

}  // namespace crisisline::acd
