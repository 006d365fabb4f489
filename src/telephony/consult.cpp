// Warm transfer (consult) from the console: the counsellor puts the caller on hold and talks to a colleague of
// the line first. The colleague's phone is rung as a blind transfer's is (transfer.cpp: the Router's TransferRing,
// the ordinary Ring), and once it answers its leg is a third leg of the call, relayed to the counsellor's alone
// (the caller hears the hold audio and nothing of either; neither hears the caller). Completed, the call is
// handed on as an answered blind transfer is (HandOn: the counsellor's leg gets BYE, their contact ends
// "transferred"); ended any other way, the colleague's leg goes and the call is the counsellor's as it was.
// A desk phone that dials the colleague itself (phone_consult.cpp) starts the same consult; its new dialog is then
// the counsellor's side (Call::Consult::desk, answered when the colleague answers) and its REFER with Replaces
// (refer.cpp) completes it.
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

Result<CallControl> Switchboard::ConsultCall(const std::string& counsellor, const std::string& call_id,
                                             const std::string& to,
                                             const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    return StartConsult(**found, counsellor, to);
}

Result<CallControl> Switchboard::StartConsult(Call& call, const std::string& counsellor, const std::string& to) {
    if (call.consult) return Fail(ErrorCode::kConflict, "call", "you are consulting a colleague on this call already");
    if (call.transfer) return Fail(ErrorCode::kConflict, "call", "a transfer of this call is ringing already");
    if (call.conference) {
        return Fail(ErrorCode::kConflict, "call",
                    "this call is in a three-party conference: drop the third party, or leave the call to them, "
                    "before consulting anyone");
    }
    if (call.monitoring) {
        return Fail(ErrorCode::kConflict, "call", "a supervisor is monitoring this call; they stop first");
    }
    auto username = username_of_.find(to);
    if (username == username_of_.end()) return Fail(ErrorCode::kInvalid, "to", "no counsellor " + to + " takes calls");
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) {
        return Fail(ErrorCode::kConflict, "to", "their phone is not registered");
    }
    const auto now = Now();
    auto commands = router_.TransferRing(call.id, to, now);  // the rules of a transfer: their line, available
    if (!commands) return tl::unexpected(commands.error());
    call.consult = Call::Consult{to, call.held, now, false, nullptr, false};
    if (!call.held) {
        call.held = true;  // the caller hears the hold audio from now until the consult ends
        call.held_since = now;
        call.caller->playlist.frame = 0;
    }
    spdlog::info("telephony: call {}: {} consults {}", call.id, counsellor, to);
    Publish("call.consulting", &call, counsellor, {{"to", to}, {"state", "ringing"}});
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));  // Ring: their phone (or browser) rings as for any call
    return ControlOf(call);
}

void Switchboard::ConsultAnswered(Call& call, Leg& answering) {
    const std::string to = answering.counsellor;
    auto commands = router_.ConsultAnswered(call.id, to, Now());
    if (!commands) {
        spdlog::warn("telephony: call {}: the consult answer of {} was refused ({})", call.id, to,
                     commands.error().message);
        HangUp(answering);
        auto it = call.phones.find(to);
        if (it != call.phones.end()) {
            Retire(std::move(it->second));
            call.phones.erase(it);
        }
        ConsultRingEnded(call, to, "refused");
        return;
    }
    answering.state = LegState::kUp;
    answering.playlist = Playlist{};
    answering.last_rx_ms = Now();
    if (call.bridged) call.bridged->last_rx_ms = Now();
    call.consult->connected = true;
    // A consult the desk phone dialled: its own dialog is answered now, and carries the counsellor's side.
    if (call.consult->desk && !AnswerDesk(call)) {
        Apply(std::move(*commands));  // on_call on the call, then freed again by EndConsult's ConsultEnded
        EndConsult(call, "failed");
        return;
    }
    spdlog::info("telephony: call {}: {} answered the consult", call.id, to);
    Publish("call.consulting", &call, call.bridged ? call.bridged->counsellor : "", {{"to", to}, {"state", "connected"}});
    Apply(std::move(*commands));
}

Result<TransferStarted> Switchboard::CompleteConsult(const std::string& counsellor, const std::string& call_id,
                                                     const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (!call.consult) return Fail(ErrorCode::kConflict, "call", "you are not consulting anyone on this call");
    if (!call.consult->connected) {
        return Fail(ErrorCode::kConflict, "call", "the colleague has not answered yet: wait, or cancel the consult");
    }
    const std::string line = call.record.line_id;
    auto next = HandToConsultant(call);
    if (!next) return tl::unexpected(next.error());
    return TransferStarted{line, "completed", *next};
}

Result<std::string> Switchboard::HandToConsultant(Call& call) {
    const std::string to = call.consult->to;
    const std::string first_id = call.id;
    const std::string next_id = crypto::NewId("ct");
    auto noted = outcomes_.find(first_id);
    auto commands = router_.ConsultCompleted(first_id, next_id, noted == outcomes_.end() ? acd::CallOutcome{}
                                                                                        : noted->second, Now());
    if (!commands) return tl::unexpected(commands.error());
    spdlog::info("telephony: call {}: the consult is completed; the caller carries on with {} as {}", first_id, to,
                 next_id);
    ReleaseDesk(call, "completed");  // the desk phone's consult dialog goes (BYE) with its first one (HandOn)
    call.consult.reset();
    call.held = false;
    call.held_since = 0;
    call.record = HandOn(call, next_id, call.record.line_id, {{"to", to}, {"consult", true}});
    Apply(std::move(*commands));  // Bridge{next}: the caller and the colleague, both ways
    return next_id;
}

Result<CallControl> Switchboard::CancelConsult(const std::string& counsellor, const std::string& call_id,
                                               const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (!call.consult) return Fail(ErrorCode::kConflict, "call", "you are not consulting anyone on this call");
    EndConsult(call, "cancelled");
    return ControlOf(call);
}

void Switchboard::ConsultRingEnded(Call& call, const std::string& counsellor, const char* why) {
    if (!call.consult || call.consult->to != counsellor || call.consult->connected) return;
    EndConsult(call, why);
}

void Switchboard::EndConsult(Call& call, const char* why) {
    if (!call.consult) return;
    ReleaseDesk(call, why);  // the desk phone's consult dialog, if it dialled the colleague: 4xx or BYE
    const std::string ended_to = call.consult->to;
    const bool ended_was_held = call.consult->was_held;
    call.consult.reset();
    auto it = call.phones.find(ended_to);
    if (it != call.phones.end()) {
        auto leg = std::move(it->second);
        call.phones.erase(it);
        if (leg && leg->browser && leg->state == LegState::kRinging) BrowserRingStopped(call, *leg);
        if (leg) HangUp(*leg);  // CANCEL while it rings, BYE once answered
        Retire(std::move(leg));
    }
    // The consultant (or a ring still going) is free again; a StopRinging for the ring finds no leg now.
    Apply(router_.ConsultEnded(call.id, Now()), "consult ended");
    const auto now = Now();
    if (!ended_was_held && call.phase == CallPhase::kBridged) {
        call.held = false;
        call.held_since = 0;
        // Both sides were silent to each other: neither has been quiet of its own accord.
        if (call.caller) call.caller->last_rx_ms = now;
        if (call.bridged) call.bridged->last_rx_ms = now;
    }
    const std::string first = call.bridged && call.bridged->kind == LegKind::kPhone ? call.bridged->counsellor : "";
    spdlog::info("telephony: call {}: the consult with {} ended ({}); the call is {}'s", call.id, ended_to, why, first);
    Publish("call.consult_ended", &call, first, {{"to", ended_to}, {"reason", why}});
}

Leg* Switchboard::ConsultLeg(Call& call) {
    if (!call.consult || !call.consult->connected) return nullptr;
    auto it = call.phones.find(call.consult->to);
    return it == call.phones.end() ? nullptr : it->second.get();
}

bool Switchboard::ConsultPhoneGone(Call& call, Leg& leg) {
    if (!call.consult) return false;
    if (&leg == call.bridged) {
        // The counsellor hung up: a colleague already on the line takes the caller on (an attended transfer
        // by hanging up, as desk phones do); one still ringing does not, and the caller waits at the front of
        // the line's queue as after a transfer ring.
        if (call.consult->connected && HandToConsultant(call)) return true;
        EndConsult(call, "counsellor_hung_up");
        return MoveToQueue(call, call.record.line_id).has_value();
    }
    if (call.consult->connected && leg.counsellor == call.consult->to) {
        EndConsult(call, "colleague_hung_up");
        return true;
    }
    return false;
}

void Switchboard::RelayConsult(Leg& from, const rtp_header* hdr, const std::uint8_t* payload, size_t n,
                               bool is_event) {
    Call& call = *from.call;
    Leg* consultant = ConsultLeg(call);
    // The counsellor's side: the desk phone's consult dialog when it dialled the colleague, else their bridged leg.
    Leg* counsellor = call.consult->desk ? call.consult->desk.get() : call.bridged;
    Leg* to = nullptr;
    if (&from == counsellor) {
        to = consultant;
    } else if (&from == consultant) {
        to = counsellor;
    }
    // The caller's audio (and any other leg's, the held first dialog's too) goes nowhere: the caller is held.
    if (!to || from.on_hold) return;
    Relay(*to, hdr, payload, n, is_event);
}

}  // namespace crisisline::telephony
