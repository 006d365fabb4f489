// Supervisor listen / coach / join (as Asterisk ChanSpy's modes), never covert: the counsellor is told of every
// start, mode change and end (call.monitor on the live feed, with their staff id on it), and each is audited.
// Only a monitored call is mixed (media::MonitorMix, on the media clock); every other bridge stays a relay.
#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/switchboard.hpp"

namespace crisisline::telephony {

namespace {

bool Busy(const std::map<std::string, std::unique_ptr<Call>>& calls, const std::string& who) {
    for (const auto& [id, call] : calls) {
        if (call->bridged && call->bridged->kind == LegKind::kPhone && call->bridged->counsellor == who) return true;
        if (call->phones.count(who)) return true;
        if (call->monitoring && call->monitoring->supervisor == who) return true;
    }
    return false;
}

std::string CounsellorOf(const Call& call) {
    return call.bridged && call.bridged->kind == LegKind::kPhone ? call.bridged->counsellor : std::string();
}

}  // namespace

Result<CallControl> Switchboard::Monitor(const std::string& supervisor, const std::string& call_id,
                                         media::MonitorMode mode,
                                         const std::function<bool(const std::string&)>& serves) {
    Call* call = FindCall(call_id);
    if (!call || call->phase == CallPhase::kEnded) return Fail(ErrorCode::kNotFound, "call", "no such call in progress");
    if (!ServesCallLine(*call, serves)) return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    const Leg* with = call->bridged;
    if (call->phase != CallPhase::kBridged || !with || with->kind != LegKind::kPhone || with->state != LegState::kUp) {
        return Fail(ErrorCode::kConflict, "call", "this call is not connected to a counsellor");
    }
    if (with->counsellor == supervisor) return Fail(ErrorCode::kConflict, "call", "this is your own call");
    if (call->consult) return Fail(ErrorCode::kConflict, "call", "the counsellor is consulting a colleague on this call");
    if (call->conference) return Fail(ErrorCode::kConflict, "call", "this call is in a three-party conference");
    if (auto& m = call->monitoring) {
        if (m->supervisor != supervisor) {
            return Fail(ErrorCode::kConflict, "call", "another supervisor is monitoring this call");
        }
        if (m->mode != mode) {
            const auto before = m->mode;
            m->mode = mode;
            if (m->connected && hooks_.call_log) {
                hooks_.call_log->Monitoring("call.monitor_mode", call->id, call->record.line_id, supervisor,
                                            {{"mode", media::MonitorModeName(mode)},
                                             {"from", media::MonitorModeName(before)},
                                             {"counsellor", with->counsellor}});
            }
            PublishMonitoring(*call, m->connected ? "connected" : "ringing");
            spdlog::info("telephony: call {}: {} now in {} mode", call->id, supervisor, media::MonitorModeName(mode));
        }
        return ControlOf(*call);
    }
    auto username = username_of_.find(supervisor);
    if (username == username_of_.end()) {
        return Fail(ErrorCode::kUnavailable, "supervisor", "you have no phone account on this service");
    }
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) {
        return Fail(ErrorCode::kUnavailable, "supervisor", "your phone is not registered");
    }
    if (Busy(calls_, supervisor)) {
        return Fail(ErrorCode::kConflict, "supervisor", "you are on a call, ringing, or monitoring another call");
    }
    if (binding->second.browser) return RingSupervisorBrowser(*call, supervisor, mode);
    const auto& line = lines_[call->record.line_id];
    if (line.routing.every_leg_encrypted && !PhoneLegEncrypted(username->second)) {
        return Fail(ErrorCode::kUnavailable, "supervisor",
                    "line " + line.id + " requires every leg encrypted: register your desk phone over TLS with SRTP");
    }
    auto leg = Dial(binding->second.contact_uri, "Monitor: " + line.name, LineUri(line), LegKind::kSupervisor, call,
                    binding->second.behind_nat, line.routing.every_leg_encrypted ? FlowRoute(binding->second) : "");
    if (!leg) return Fail(ErrorCode::kUnavailable, "supervisor", "your phone could not be rung (no media port free?)");
    RequireEncryptedLeg(*leg, line.id);
    leg->counsellor = supervisor;
    AddPeerUri(*leg, binding->second.contact_uri);
    call->monitoring = std::make_unique<Monitoring>();
    call->monitoring->supervisor = supervisor;
    call->monitoring->mode = mode;
    call->monitoring->leg = std::move(leg);
    spdlog::info("telephony: call {}: ringing {} to {}", call->id, supervisor, media::MonitorModeName(mode));
    PublishMonitoring(*call, "ringing");
    return ControlOf(*call);
}

Result<CallControl> Switchboard::RingSupervisorBrowser(Call& call, const std::string& supervisor,
                                                       media::MonitorMode mode) {
    // As RingBrowser does for a call: a leg with no SIP dialog, ICE-lite credentials of its own, keyed by
    // DTLS-SRTP once the tab answers with its offer (AnswerInBrowser), then mixed as a desk phone's would be.
    auto taken = TakeLeg(&call, LegKind::kSupervisor);
    if (!taken) return Fail(ErrorCode::kUnavailable, "supervisor", "your browser could not be rung (no media port free)");
    auto leg = std::move(*taken);
    leg->counsellor = supervisor;
    leg->state = LegState::kRinging;
    leg->last_rx_ms = Now();  // the ring's start, for its timeout (CheckMonitoringTimeouts)
    leg->browser = std::make_unique<BrowserMedia>();
    leg->browser->ice = IceSession(NewIceUfrag(), NewIcePwd());
    call.monitoring = std::make_unique<Monitoring>();
    call.monitoring->supervisor = supervisor;
    call.monitoring->mode = mode;
    call.monitoring->leg = std::move(leg);
    spdlog::info("telephony: call {}: ringing the browser of {} to {}", call.id, supervisor,
                 media::MonitorModeName(mode));
    PublishMonitoring(call, "ringing");
    return ControlOf(call);
}

void Switchboard::CheckMonitoringTimeouts(std::int64_t now, std::int64_t limit_ms) {
    std::vector<std::pair<std::string, const char*>> ended;
    for (const auto& [id, call] : calls_) {
        const auto& m = call->monitoring;
        if (!m || !m->leg || !m->leg->browser) continue;
        const Leg& leg = *m->leg;
        if (!m->connected && now - leg.last_rx_ms > limit_ms) {
            ended.emplace_back(id, "not_answered");  // the tab never answered the ring
        } else if (m->connected && leg.browser->dtls && now - leg.browser->last_consent_ms > limit_ms) {
            ended.emplace_back(id, "supervisor_gone");  // no ICE consent (RFC 7675): the tab or its network is gone
        }
    }
    for (const auto& [id, why] : ended) {
        if (Call* call = FindCall(id)) {
            spdlog::info("telephony: call {}: the supervisor's browser {}", id, why);
            EndMonitoring(*call, why);
        }
    }
}

void Switchboard::EndMonitoringBy(const std::string& supervisor, const char* why) {
    for (auto& [id, call] : calls_) {
        if (call->monitoring && call->monitoring->supervisor == supervisor) EndMonitoring(*call, why);
    }
}

Result<void> Switchboard::StopMonitoring(const std::string& supervisor, const std::string& call_id) {
    Call* call = FindCall(call_id);
    if (!call || !call->monitoring || call->monitoring->supervisor != supervisor) {
        return Fail(ErrorCode::kNotFound, "call", "you are not monitoring this call");
    }
    EndMonitoring(*call, "stopped");
    return {};
}

void Switchboard::SupervisorAnswered(Leg& leg) {
    Call* call = leg.call;
    if (!call || !call->monitoring || call->monitoring->leg.get() != &leg || call->phase != CallPhase::kBridged) {
        HangUp(leg);  // answered after the call or the monitoring ended
        return;
    }
    auto& m = *call->monitoring;
    leg.state = LegState::kUp;
    leg.last_rx_ms = Now();
    m.connected = true;
    if (hooks_.call_log) {
        hooks_.call_log->Monitoring("call.monitor_start", call->id, call->record.line_id, m.supervisor,
                                    {{"mode", media::MonitorModeName(m.mode)}, {"counsellor", CounsellorOf(*call)}});
    }
    spdlog::info("telephony: call {}: {} connected ({})", call->id, m.supervisor, media::MonitorModeName(m.mode));
    PublishMonitoring(*call, "connected");
}

void Switchboard::SupervisorGone(Leg& leg, std::uint16_t scode) {
    Call* call = leg.call;
    if (!call || !call->monitoring || call->monitoring->leg.get() != &leg) return;
    spdlog::info("telephony: call {}: the supervisor's phone {} ({})", call->id,
                 call->monitoring->connected ? "hung up" : "did not answer", scode);
    EndMonitoring(*call, call->monitoring->connected ? "supervisor_hung_up" : "not_answered");
}

void Switchboard::EndMonitoring(Call& call, const char* why) {
    if (!call.monitoring) return;
    PublishMonitoring(call, "ended");
    auto m = std::move(call.monitoring);
    if (m->leg) HangUp(*m->leg);
    if (m->connected && hooks_.call_log) {
        hooks_.call_log->Monitoring("call.monitor_end", call.id, call.record.line_id, m->supervisor,
                                    {{"mode", media::MonitorModeName(m->mode)}, {"why", why},
                                     {"counsellor", CounsellorOf(call)}});
    }
    Retire(std::move(m->leg));
}

void Switchboard::PublishMonitoring(const Call& call, const char* state) {
    const auto& m = *call.monitoring;
    // The counsellor's staff id is on the event: their desk always learns who is listening.
    // `browser`: the supervisor's leg is their browser phone, whose tab answers the ring with a WebRTC offer.
    Publish("call.monitor", &call, CounsellorOf(call),
            {{"supervisor", m.supervisor},
             {"mode", media::MonitorModeName(m.mode)},
             {"state", state},
             {"browser", m.leg && m.leg->browser != nullptr}});
}

void Switchboard::MixIn(Leg& leg, const rtp_header* hdr, const std::uint8_t* payload, size_t n) {
    Call& call = *leg.call;
    auto& m = *call.monitoring;
    media::Party party = media::Party::kSupervisor;
    if (&leg == call.caller.get()) {
        party = media::Party::kCaller;
    } else if (&leg == call.bridged) {
        party = media::Party::kCounsellor;
    } else if (&leg != m.leg.get()) {
        return;  // a phone still ringing for the call, say
    }
    auto codec = media::CodecForPayloadType(hdr->pt);
    if (!codec) return;  // DTMF events are not mixed
    if (!m.mix.Put(party, *codec, payload, n)) ++counters_.rtp_ignored;  // only 20 ms frames are mixed
}

void Switchboard::MixOut(Call& call) {
    auto& m = *call.monitoring;
    m.mix.Tick();
    media::Frame frame{};
    const std::pair<Leg*, media::Party> listeners[] = {{call.caller.get(), media::Party::kCaller},
                                                        {call.bridged, media::Party::kCounsellor},
                                                        {m.leg.get(), media::Party::kSupervisor}};
    for (const auto& [leg, party] : listeners) {
        if (leg && leg->state != LegState::kGone && m.mix.Mix(m.mode, party, leg->codec, frame)) SendFrame(*leg, frame);
    }
}

}  // namespace crisisline::telephony
