// Follow-up calls ("click to call"): the counsellor's phone rings first; when
// they answer, the consented number is dialled through the outbound trunk
// with the line's own number as caller ID, and the two are bridged.
#include <sodium.h>

#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

constexpr std::uint64_t kRingMs = 45 * 1000;  // then "no_answer"; voicemail usually answers later than this

std::string OutcomeOf(std::uint16_t scode) {
    switch (scode) {
        case 486:
        case 600:
            return "busy";
        case 404:
        case 484:
        case 604:
            return "wrong_number";
        case 408:
        case 480:
        case 487:
        case 603:
        case 0:
            return "no_answer";
        default:
            return "failed";
    }
}

}  // namespace

void Callbacks::FollowUpRingTimeout(void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->follow_up && leg->state == LegState::kRinging) leg->board->FollowUpRingTimeout(*leg);
}

Result<void> Switchboard::CallBack(const std::string& follow_up_id, const std::string& line_id,
                                   const std::string& counsellor, const std::string& number,
                                   std::function<void(std::string outcome)> done) {
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) return Fail(ErrorCode::kNotFound, "counsellor", "has no phone account");
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) {
        return Fail(ErrorCode::kUnavailable, "your phone is not registered");
    }
    if (!OutboundTrunk()) return Fail(ErrorCode::kUnavailable, "no trunk is configured for outgoing calls (telephony.trunk.outbound)");
    if (EncryptsEveryLeg(line_id)) {
        if (!PhoneLegEncrypted(username->second)) {
            return Fail(ErrorCode::kUnavailable, "line " + line_id +
                                                     " requires every leg encrypted: register your phone over TLS "
                                                     "with SRTP to call back from it");
        }
        if (OutboundTrunk()->encryption == records::Encryption::kOff || !tls_) {
            return Fail(ErrorCode::kUnavailable, "line " + line_id + " requires every leg encrypted, and the outbound "
                                                 "trunk cannot be called over TLS with SRTP (its encryption is off, "
                                                 "or telephony.tls_listen is not set)");
        }
    }
    if (follow_ups_.count(follow_up_id)) return Fail(ErrorCode::kConflict, "this follow-up call is already in progress");
    for (const auto& c : router_.Snapshot(Now()).counsellors) {
        if (c.counsellor != counsellor) continue;
        if (c.state == acd::CounsellorState::kRinging || c.state == acd::CounsellorState::kOnCall) {
            return Fail(ErrorCode::kConflict, "finish the current call first");
        }
    }
    for (const auto& [id, state] : follow_ups_) {
        if (state.call->counsellor == counsellor) return Fail(ErrorCode::kConflict, "another follow-up call is in progress");
    }
    auto call = std::make_unique<FollowUpCall>();
    call->id = follow_up_id;
    call->line_id = line_id;
    call->counsellor = counsellor;
    call->number = number;
    const auto& line = lines_[line_id];
    call->phone = Dial(binding->second.contact_uri, "Follow-up call (" + line.name + ")",
                       LineUri(line), LegKind::kFollowUpPhone, nullptr, binding->second.behind_nat,
                       FlowRoute(binding->second));
    if (!call->phone) return Fail(ErrorCode::kUnavailable, "could not ring your phone");
    RequireEncryptedLeg(*call->phone, line_id);
    call->phone->follow_up = call.get();
    // No inbound call may ring them while they call back; they return to available afterwards.
    auto live = router_.Snapshot(Now());
    for (const auto& c : live.counsellors) {
        if (c.counsellor == counsellor && c.state == acd::CounsellorState::kAvailable) {
            call->restore_available = true;
            Apply(router_.SetAvailability(counsellor, acd::CounsellorState::kBreak, Now()), "follow-up call");
        }
    }
    tmr_start(&call->ring_timer, kRingMs, Callbacks::FollowUpRingTimeout, call->phone.get());
    spdlog::info("telephony: follow-up {}: ringing the counsellor's phone", follow_up_id);
    Publish("follow_up.calling", nullptr, counsellor, {{"follow_up", follow_up_id}, {"line", line_id}});
    follow_ups_[follow_up_id] = FollowUpState{std::move(call), std::move(done)};
    return {};
}

void Switchboard::FollowUpLegAnswered(Leg& leg) {
    FollowUpCall& call = *leg.follow_up;
    if (leg.kind == LegKind::kFollowUpPhone) {
        leg.state = LegState::kUp;
        const Trunk* trunk = OutboundTrunk();
        const auto& line = lines_[call.line_id];
        call.callee = trunk ? DialTrunk(*trunk, call.number, line.name, LineUri(line), call.line_id) : nullptr;
        if (!call.callee) {
            FinishFollowUp(call, "failed");
            return;
        }
        call.callee->follow_up = &call;
        tmr_start(&call.ring_timer, kRingMs, Callbacks::FollowUpRingTimeout, call.callee.get());
        spdlog::info("telephony: follow-up {}: counsellor answered, dialling the number", call.id);
        Publish("follow_up.dialling", nullptr, call.counsellor, {{"follow_up", call.id}});
        return;
    }
    // The person called back answered: bridge.
    tmr_cancel(&call.ring_timer);
    leg.state = LegState::kUp;
    call.connected = true;
    call.phone->peer = &leg;
    leg.peer = call.phone.get();
    call.phone->last_rx_ms = leg.last_rx_ms = Now();
    spdlog::info("telephony: follow-up {}: connected", call.id);
    Publish("follow_up.connected", nullptr, call.counsellor, {{"follow_up", call.id}});
}

std::unique_ptr<Leg> Switchboard::DialTrunk(const Trunk& trunk, const std::string& number, const std::string& from_name,
                                            const std::string& from_uri, const std::string& line_id) {
    const bool line_requires = EncryptsEveryLeg(line_id);
    if (line_requires && trunk.encryption == records::Encryption::kOff) {
        spdlog::warn("telephony: line {} requires every leg encrypted but trunk {} has encryption off: the follow-up "
                     "call is not placed", line_id, trunk.name);
        return nullptr;
    }
    if (trunk.encryption != records::Encryption::kRequired && !line_requires) {
        return Dial("sip:" + number + "@" + trunk.outbound, from_name, from_uri, LegKind::kFollowUpCallee, nullptr);
    }
    // A trunk that requires encryption is called over TLS only: on its open connection when there is one
    // (libre keeps connections by address), else a new one that checks the carrier's certificate.
    if (!tls_) {
        spdlog::warn("telephony: {} requires encryption but SIP over TLS is off (telephony.tls_listen): "
                     "the follow-up call is not placed", line_requires ? "line " + line_id : "trunk " + trunk.name);
        return nullptr;
    }
    auto host = SplitHostPort(trunk.outbound, "outbound");
    auto dialing = tls_->DialingTrunk(trunk.name, host ? host->first : trunk.outbound);
    auto leg = Dial("sip:" + number + "@" + trunk.outbound + ";transport=tls", from_name, from_uri,
                    LegKind::kFollowUpCallee, nullptr);
    if (leg) {
        // Its ACK and BYE go on this connection even when the carrier answers with a sips: Contact, which libre
        // cannot send to (flow_target.hpp): the follow-up would fail at the ACK.
        leg->flow_target = "sip:" + number + "@" + trunk.outbound + ";transport=tls";
        // Its media too: an RTP/AVP answer from the carrier is refused (TakeRemoteCrypto), as an offer would be.
        leg->must_encrypt = true;
        leg->policy_owner = line_requires ? "line " + line_id : "trunk " + trunk.name;
    }
    return leg;
}

void Switchboard::FollowUpLegGone(Leg& leg, std::uint16_t scode, int err) {
    FollowUpCall& call = *leg.follow_up;
    std::string outcome;
    if (call.connected) {
        outcome = "connected";
    } else if (leg.kind == LegKind::kFollowUpPhone) {
        outcome = "counsellor_did_not_answer";
    } else if (scode == 0 && err != 0) {
        // No answer from anyone: the carrier could not be reached (a transport error, or its TLS certificate
        // was refused). Not the person's "no answer": nobody rang them.
        outcome = "failed";
    } else {
        outcome = OutcomeOf(scode);
    }
    FinishFollowUp(call, outcome);
}

void Switchboard::FollowUpRingTimeout(Leg& leg) {
    FinishFollowUp(*leg.follow_up, leg.kind == LegKind::kFollowUpPhone ? "counsellor_did_not_answer" : "no_answer");
}

void Switchboard::FinishFollowUp(FollowUpCall& call, const std::string& outcome) {
    auto it = follow_ups_.find(call.id);
    if (it == follow_ups_.end()) return;
    auto state = std::move(it->second);
    follow_ups_.erase(it);
    for (auto* leg : {&state.call->phone, &state.call->callee}) {
        if (*leg) {
            HangUp(**leg);
            (*leg)->follow_up = nullptr;
        }
        Retire(std::move(*leg));
    }
    tmr_cancel(&state.call->ring_timer);
    state.call->number.clear();
    spdlog::info("telephony: follow-up {}: {}", state.call->id, outcome);
    Publish("follow_up.ended", nullptr, state.call->counsellor, {{"follow_up", state.call->id}, {"outcome", outcome}});
    if (state.call->restore_available && !stopping_) {
        Apply(router_.SetAvailability(state.call->counsellor, acd::CounsellorState::kAvailable, Now()), "follow-up ended");
    }
    if (state.done) state.done(outcome);
    follow_up_graveyard_.push_back(std::move(state.call));
}

}  // namespace crisisline::telephony
