// The console's controls of a bridged call: hold and resume. The media side is in media.cpp (PlayFrames
// plays the hold audio to a held caller, OnMedia relays nothing of a held call, CheckMediaTimeouts spares it).
#include <spdlog/spdlog.h>

#include "telephony/switchboard.hpp"
#include "telephony/leg.hpp"

namespace crisisline::telephony {

Result<CallControl> Switchboard::HoldCall(const std::string& counsellor, const std::string& call_id, bool hold,
                                          const std::function<bool(const std::string&)>& serves) {
    Call* call = FindCall(call_id);
    if (!call || call->phase == CallPhase::kEnded) return Fail(ErrorCode::kNotFound, "call", "no such call in progress");
    if (!ServesCallLine(*call, serves)) return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    const Leg* with = call->bridged;
    if (call->phase != CallPhase::kBridged || !with || with->kind != LegKind::kPhone || with->counsellor != counsellor ||
        with->state != LegState::kUp) {
        return Fail(ErrorCode::kConflict, "call", "this call is not connected to you");
    }
    if (call->transfer) return Fail(ErrorCode::kConflict, "call", "a transfer of this call is ringing");
    if (call->consult) {
        return Fail(ErrorCode::kConflict, "call", "you are consulting a colleague: complete or cancel that first");
    }
    if (call->conference) return Fail(ErrorCode::kConflict, "call", "this call has a third party; drop them first");
    const auto now = Now();
    if (call->held != hold) {
        call->held = hold;
        if (hold) {
            call->held_since = now;
            // The hold audio starts from its beginning for this caller (a prompt set replaced since the call
            // began is not theirs: they keep the one they started with).
            call->caller->playlist.frame = 0;
            Publish("call.held", call, counsellor, {});
        } else {
            Publish("call.resumed", call, counsellor, {{"held_ms", now - call->held_since}});
            call->held_since = 0;
            // Both sides were silent to each other: neither has been quiet of its own accord.
            call->caller->last_rx_ms = now;
            call->bridged->last_rx_ms = now;
        }
        spdlog::info("telephony: call {} {} by {}", call->id, hold ? "held" : "resumed", counsellor);
    }
    return ControlOf(*call);
}

CallControl Switchboard::ControlOf(const Call& call) const {
    CallControl c{call.record.line_id, call.held, call.held ? Now() - call.held_since : 0};
    if (call.monitoring) {
        c.supervisor = call.monitoring->supervisor;
        c.monitor_mode = media::MonitorModeName(call.monitoring->mode);
        c.monitor_state = call.monitoring->connected ? "connected" : "ringing";
        c.monitor_browser = call.monitoring->leg && call.monitoring->leg->browser != nullptr;
    }
    if (call.transfer) c.transfer_to = call.transfer->to;
    if (call.consult) {
        c.consult_to = call.consult->to;
        c.consult_state = call.consult->connected ? "connected" : "ringing";
    }
    if (call.conference) {
        c.conference_to = call.conference->to;
        c.conference_kind = call.conference->kind;
        c.conference_state = call.conference->connected ? "connected" : "ringing";
    }
    return c;
}

std::map<std::string, CallControl> Switchboard::CallControls() const {
    std::map<std::string, CallControl> out;
    for (const auto& [id, call] : calls_) {
        if (call->held || call->monitoring || call->transfer || call->consult || call->conference) {
            out[id] = ControlOf(*call);
        }
    }
    return out;
}

}  // namespace crisisline::telephony
