// Carrying out the acd::Router's decisions, and ending calls.
#include <spdlog/spdlog.h>

#include <cstring>
#include <iterator>

#include "telephony/callbacks.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

void Switchboard::OnRouterTimer() {
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(router_.Advance(Now()));
}

void Switchboard::ArmRouterTimer() {
    router_deadline_ = router_.NextDeadline();  // the media clock checks it every 20 ms
}

void Switchboard::Apply(Result<acd::Commands> commands, const char* what) {
    if (!commands) {
        spdlog::warn("telephony: routing ({}) refused: {}", what, commands.error().message);
        routing_event_at_ = {};
        return;
    }
    Apply(std::move(*commands));
}

void Switchboard::Apply(acd::Commands commands) {
    if (applying_) {
        // Re-entered from a command's consequence: run after the current batch.
        deferred_.push_back([this, commands = std::move(commands)]() mutable { Apply(std::move(commands)); });
        return;
    }
    applying_ = true;
    for (const auto& command : commands) {
        spdlog::debug("telephony: {}", acd::Describe(command));
        Execute(command);
    }
    while (!deferred_.empty()) {
        auto work = std::move(deferred_.front());
        deferred_.erase(deferred_.begin());
        applying_ = false;
        work();
        applying_ = true;
    }
    applying_ = false;
    routing_event_at_ = {};  // rings from later events are timed from their own events
    ArmRouterTimer();
}

void Switchboard::Execute(const acd::Command& command) {
    std::visit(Overloaded{
                   [&](const acd::Ring& c) {
                       if (auto* call = FindCall(c.call)) Ring(*call, c.counsellor);
                   },
                   [&](const acd::StopRinging& c) {
                       if (auto* call = FindCall(c.call)) StopRinging(*call, c.counsellor);
                   },
                   [&](const acd::Bridge& c) {
                       auto* call = FindCall(c.call);
                       if (!call) return;
                       auto it = call->phones.find(c.counsellor);
                       if (it != call->phones.end() && it->second) Bridge(*call, *it->second);
                   },
                   [&](const acd::Announce& c) {
                       auto* call = FindCall(c.call);
                       if (!call || call->phase != CallPhase::kQueued || !call->caller) return;
                       auto language = call->language == acd::Language::kWelsh ? media::PromptLanguage::kWelsh
                                                                                : media::PromptLanguage::kEnglish;
                       auto& playlist = call->caller->playlist;
                       if (!playlist.queue.empty()) return;  // still greeting: skip this one
                       if (!playlist.prompts) playlist.prompts = prompts_;
                       playlist.queue.push_back(&playlist.prompts->Reassurance(language));
                       playlist.queue.push_back(&playlist.prompts->Number(std::max(1, c.position), language));
                       playlist.frame = 0;
                   },
                   [&](const acd::Overflow& c) {
                       if (auto* call = FindCall(c.call)) RingOverflow(*call);
                   },
                   [&](const acd::Abandoned& c) {
                       auto* call = FindCall(c.call);
                       if (!call || call->phase == CallPhase::kEnded) return;  // EndCall records it
                       ++counters_.calls_abandoned;
                       call->record.ended_at = Now();
                       call->record.end_reason = "abandoned";
                       if (hooks_.call_log) hooks_.call_log->Ended(call->record);
                       Publish("call.abandoned", call, "", {{"wait_ms", c.wait_ms}});
                       call->phase = CallPhase::kEnded;
                       for (auto& [id, leg] : call->phones) {
                           if (leg) HangUp(*leg);  // CANCEL
                       }
                       if (call->overflow) HangUp(*call->overflow);
                       Retire(*call);
                   },
                   [&](const acd::OfferLapsed& c) {
                       auto* call = FindCall(c.call);
                       if (!call || call->phase == CallPhase::kEnded) return;  // the caller's hang-up says it all
                       Publish("call.offer_ended", call, c.counsellor, {{"reason", c.why}});
                   },
                   [&](const acd::StateChanged& c) {
                       nlohmann::json data = {{"state", acd::StateName(c.state)}};
                       if (c.reason != acd::BreakReason::kNone) data["reason"] = acd::BreakReasonName(c.reason);
                       Publish("counsellor.state", nullptr, c.counsellor, std::move(data));
                   },
               },
               command);
}

void Switchboard::Bridge(Call& call, Leg& other) {
    if (!call.caller || call.phase == CallPhase::kEnded || call.phase == CallPhase::kSurvey) return;
    Leg& caller = *call.caller;
    caller.playlist = Playlist{};
    other.playlist = Playlist{};
    caller.peer = &other;
    other.peer = &caller;
    other.state = LegState::kUp;
    call.bridged = &other;
    call.phase = CallPhase::kBridged;
    call.bridged_at = Now();
    other.last_rx_ms = Now();
    caller.last_rx_ms = Now();
    ++counters_.calls_answered;
    call.record.answered_at = Now();
    call.record.counsellor_id = other.kind == LegKind::kPhone ? other.counsellor : "";
    bool from_pool = false;  // a sister line's counsellor took it after it overflowed
    if (other.kind == LegKind::kPhone) {
        auto username = username_of_.find(other.counsellor);
        auto account = username == username_of_.end() ? accounts_.end() : accounts_.find(username->second);
        if (account != accounts_.end()) {
            const auto& lines = account->second.counsellor.lines;
            from_pool = std::find(lines.begin(), lines.end(), call.record.line_id) == lines.end();
        }
    }
    if (from_pool) {
        spdlog::info("telephony: call {} answered from line {}'s overflow pool", call.id, call.record.line_id);
    }
    if (hooks_.call_log) hooks_.call_log->Answered(call.record);
    const bool encrypted = CountEncryption(caller, other);
    spdlog::info("telephony: call {} bridged to {}", call.id,
                 other.kind == LegKind::kPhone ? other.counsellor : std::string("the overflow destination"));
    nlohmann::json data = {{"wait_ms", *call.record.answered_at - call.record.arrived_at},
                           {"language", call.record.language.empty() ? "en" : call.record.language}};
    if (call.repeat_count) data["repeat_count"] = *call.repeat_count;
    if (other.kind == LegKind::kOverflow) data["overflow"] = true;
    data["encrypted"] = encrypted;  // a flag only: both legs' media are SRTP (SDES or DTLS-SRTP)
    data["legs"] = {{"caller", LiveLegName(caller)}, {"counsellor", LiveLegName(other)}};
    Publish("call.bridged", &call, other.counsellor, std::move(data));
}

bool Switchboard::CountEncryption(const Leg& caller, const Leg& other) {
    auto index = [](const Leg& leg) -> size_t {
        const char* name = LegEncryption(leg);
        for (size_t i = 0; i < std::size(kLegEncryptionNames); ++i) {
            if (std::strcmp(kLegEncryptionNames[i], name) == 0) return i;
        }
        return 0;
    };
    size_t from = index(caller), to = index(other);
    ++counters_.bridged_legs[0][from];
    ++counters_.bridged_legs[1][to];
    const bool both = from != 0 && to != 0;
    if (both) ++counters_.calls_encrypted;
    return both;
}

void Switchboard::EndCall(Call& call, const std::string& reason, bool keep_caller) {
    if (call.phase == CallPhase::kEnded) return;
    auto hang_up = [](std::unique_ptr<Leg>& leg) {
        if (leg) HangUp(*leg);
    };
    if (call.phase == CallPhase::kSurvey) {
        // Its record was written when the counsellor hung up; only the caller's leg is left.
        call.phase = CallPhase::kEnded;
        hang_up(call.caller);
        Retire(call);
        return;
    }
    auto phase = call.phase;
    EndMonitoring(call, "call_ended");  // the counsellor's desk and the audit log hear of it before call.ended
    if (call.consult) {
        // The colleague's leg goes with the others below; the Router frees them with CallEnded.
        const std::string first = call.bridged && call.bridged->kind == LegKind::kPhone ? call.bridged->counsellor : "";
        Publish("call.consult_ended", &call, first, {{"to", call.consult->to}, {"reason", "call_ended"}});
        ReleaseDesk(call, "call_ended");  // the desk phone's consult dialog, if it dialled the colleague
        call.consult.reset();
    }
    EndConference(call, "call_ended");
    call.phase = CallPhase::kEnded;
    auto now = Now();
    // Hang up every leg still up: BYE for established dialogs, CANCEL for rings.
    if (!keep_caller) hang_up(call.caller);
    for (auto& [id, leg] : call.phones) {
        if (leg && leg->browser && leg->state == LegState::kRinging) BrowserRingStopped(call, *leg);
        hang_up(leg);
    }
    hang_up(call.overflow);
    hang_up(call.external);
    if (phase == CallPhase::kBridged) {
        std::string counsellor = call.bridged && call.bridged->kind == LegKind::kPhone ? call.bridged->counsellor : "";
        if (call.bridged && call.bridged->kind == LegKind::kPhone) {
            auto noted = outcomes_.find(call.id);
            Apply(router_.CallEnded(call.id, noted == outcomes_.end() ? acd::CallOutcome{} : noted->second, now),
                  "call ended");
        }
        call.record.ended_at = now;
        // A sister line's counsellor (overflow pool) took the call: it is theirs to wrap up, so "completed";
        // "overflowed" is for calls handed to a partner service outside this one.
        bool overflowed = call.bridged && call.bridged->kind == LegKind::kOverflow;
        call.record.end_reason = overflowed ? "overflowed" : reason;
        if (hooks_.call_log) hooks_.call_log->Ended(call.record);
        Publish("call.ended", &call, counsellor,
                {{"reason", call.record.end_reason}, {"talk_ms", now - call.bridged_at}});
    } else {
        if (phase == CallPhase::kQueued) Apply(router_.CallAbandoned(call.id, now), "call ended");
        call.record.ended_at = now;
        call.record.end_reason = reason;
        if (hooks_.call_log && call.record.end_reason != "") hooks_.call_log->Ended(call.record);
        Publish("call.ended", &call, "", {{"reason", reason}});
    }
    outcomes_.erase(call.id);
    if (keep_caller && call.caller) {
        // The survey (survey.cpp): the counsellor's side goes, the caller's leg stays, unbridged.
        for (auto& [id, leg] : call.phones) Retire(std::move(leg));
        call.phones.clear();
        if (call.overflow) Retire(std::move(call.overflow));
        call.bridged = nullptr;
        call.caller->peer = nullptr;
        call.held = false;
        call.phase = CallPhase::kSurvey;
        return;
    }
    Retire(call);
}

void Switchboard::NoteOutcome(const std::string& call_id, bool cause_for_concern, bool escalated) {
    auto* call = FindCall(call_id);
    if (!call || call->phase == CallPhase::kEnded) return;
    auto& outcome = outcomes_[call_id];
    outcome.cause_for_concern = outcome.cause_for_concern || cause_for_concern;
    outcome.escalated = outcome.escalated || escalated;
}

}  // namespace crisisline::telephony
