// Three-party conference: the counsellor on a bridged call adds a colleague of the line (rung by the Router as a
// consult ring is) or one of the line's external services (dialled with the line's number as caller ID, never the
// caller's). Only a call whose third party has answered is mixed (media::MonitorMix in join mode, on the media
// clock); while it rings, and after it ends, the bridge stays the relay. The counsellor may drop the third party
// or leave the caller with them; leaving is a hand-over as a transfer is (HandOn: "transferred", continued_in).
#include <spdlog/spdlog.h>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

constexpr std::int64_t kExternalRingMs = 45 * 1000;  // as a follow-up call's

std::string CounsellorOf(const Call& call) {
    return call.bridged && call.bridged->kind == LegKind::kPhone ? call.bridged->counsellor : std::string();
}

acd::CallOutcome OutcomeOf(const std::map<std::string, acd::CallOutcome>& outcomes, const std::string& id) {
    auto noted = outcomes.find(id);
    return noted == outcomes.end() ? acd::CallOutcome{} : noted->second;
}

// host[:port] of a sip:/sips: URI, without user part or parameters.
std::string HostOf(const std::string& uri) {
    std::string rest = uri.substr(uri.find(':') + 1);
    if (auto at = rest.find('@'); at != std::string::npos) rest = rest.substr(at + 1);
    return rest.substr(0, rest.find_first_of(";?"));
}

const char* WhyUnanswered(std::uint16_t scode) {
    switch (scode) {
        case 486:
        case 600:
            return "busy";
        case 603:
            return "declined";
        case 0:
        case 408:
        case 480:
        case 487:
            return "no_answer";
        default:
            return "failed";
    }
}

}  // namespace

Result<CallControl> Switchboard::AddToConference(const std::string& counsellor, const std::string& call_id,
                                                 const ConferenceTarget& to,
                                                 const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (call.conference) return Fail(ErrorCode::kConflict, "call", "this call has a third party already");
    if (call.consult) {
        return Fail(ErrorCode::kConflict, "call",
                    "you are consulting a colleague on this call (a warm transfer): complete or cancel the consult "
                    "before adding anyone to the call");
    }
    if (call.monitoring) return Fail(ErrorCode::kConflict, "call", "a supervisor is monitoring this call; they stop first");
    if (call.transfer) return Fail(ErrorCode::kConflict, "call", "a transfer of this call is ringing");
    if (call.held) return Fail(ErrorCode::kConflict, "call", "take the caller off hold first");
    if (to.kind == ConferenceTarget::Kind::kCounsellor) return AddColleague(call, counsellor, to.id);
    return AddExternal(call, counsellor, to.id);
}

Result<CallControl> Switchboard::AddColleague(Call& call, const std::string& counsellor, const std::string& to) {
    if (to == counsellor) return Fail(ErrorCode::kInvalid, "to", "you are on this call already");
    auto username = username_of_.find(to);
    if (username == username_of_.end()) return Fail(ErrorCode::kInvalid, "to", "no counsellor " + to + " takes calls");
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) {
        return Fail(ErrorCode::kConflict, "to", "their phone is not registered");
    }
    const auto now = Now();
    auto commands = router_.TransferRing(call.id, to, now);  // the Router's rules for a colleague's ring
    if (!commands) return tl::unexpected(commands.error());
    call.conference = std::make_unique<Conference>();
    call.conference->to = "counsellor:" + to;
    call.conference->party = to;
    call.conference->kind = "colleague";
    call.conference->started_at = now;
    spdlog::info("telephony: call {}: {} adds {} to it", call.id, counsellor, to);
    PublishConference(call, "ringing");
    const std::string id = call.id;
    routing_event_at_ = std::chrono::steady_clock::now();
    Apply(std::move(*commands));  // Ring: a ring that cannot start ends the conference at once (RingFailed)
    Call* still = FindCall(id);
    if (!still || !still->conference) return Fail(ErrorCode::kUnavailable, "to", "their phone could not be rung");
    return ControlOf(*still);
}

Result<CallControl> Switchboard::AddExternal(Call& call, const std::string& counsellor, const std::string& target_id) {
    const auto& line = lines_[call.record.line_id];
    const records::ExternalTarget* target = nullptr;
    for (const auto& t : line.transfer_targets) {
        if (t.id == target_id) target = &t;
    }
    if (!target) {
        return Fail(ErrorCode::kInvalid, "to", "line " + line.id + " lists no external service " + target_id);
    }
    if (target->kind == "emergency" && !OutcomeOf(outcomes_, call.id).escalated) {
        return Fail(ErrorCode::kConflict, "to",
                    "an emergency service is dialled only during an escalation: record it on the contact first");
    }
    auto leg = DialExternal(call, *target);
    if (!leg) return Fail(ErrorCode::kUnavailable, "to", target->name + " could not be dialled (see the server log)");
    const auto now = Now();
    call.conference = std::make_unique<Conference>();
    call.conference->to = "external:" + target->id;
    call.conference->party = target->id;
    call.conference->kind = target->kind;
    call.conference->started_at = now;
    call.conference->ring_deadline = now + kExternalRingMs;
    call.conference->leg = std::move(leg);
    spdlog::info("telephony: call {}: {} dials external service {} ({})", call.id, counsellor, target->id, target->kind);
    PublishConference(call, "ringing");
    return ControlOf(call);
}

std::unique_ptr<Leg> Switchboard::DialExternal(Call& call, const records::ExternalTarget& target) {
    const auto& line = lines_[call.record.line_id];
    const std::string host = HostOf(target.uri);
    const Trunk* trunk = nullptr;
    for (const auto& t : trunks_) {
        if (!t.outbound.empty() && t.outbound == host) trunk = &t;
    }
    const bool line_requires = EncryptsEveryLeg(line.id);
    const bool tls = SecureUri(target.uri) || line_requires || (trunk && trunk->encryption == records::Encryption::kRequired);
    if (line_requires && trunk && trunk->encryption == records::Encryption::kOff) {
        spdlog::warn("telephony: line {} requires every leg encrypted but trunk {} has encryption off", line.id,
                     trunk->name);
        return nullptr;
    }
    if (tls && !tls_) {
        spdlog::warn("telephony: {} must be called over TLS but SIP over TLS is off (telephony.tls_listen)", target.id);
        return nullptr;
    }
    std::string uri = target.uri;
    if (tls && !SecureUri(uri)) uri += ";transport=tls";
    // What the service sees: the line's name and number. The caller's number is nowhere on this leg.
    auto dial = [&] { return Dial(uri, line.name, LineUri(line), LegKind::kConferenceParty, &call); };
    std::unique_ptr<Leg> leg;
    if (tls && trunk) {
        // The trunk's own certificate checks, as a follow-up call has them, while the connection is set up.
        auto split = SplitHostPort(trunk->outbound, "outbound");
        auto dialing = tls_->DialingTrunk(trunk->name, split ? split->first : trunk->outbound);
        leg = dial();
    } else {
        leg = dial();
    }
    if (!leg) return nullptr;
    AddPeerUri(*leg, uri);
    if (tls) {
        leg->must_encrypt = true;
        leg->policy_owner = line_requires ? "line " + line.id : trunk ? "trunk " + trunk->name : "target " + target.id;
    }
    return leg;
}

Leg* Switchboard::ConferenceLeg(Call& call) {
    if (!call.conference) return nullptr;
    if (call.conference->leg) return call.conference->leg.get();
    if (call.conference->kind != "colleague") return nullptr;
    auto it = call.phones.find(call.conference->party);
    return it == call.phones.end() ? nullptr : it->second.get();
}

void Switchboard::ConferenceAnswered(Call& call, Leg& leg) {
    auto& conf = *call.conference;
    const auto now = Now();
    if (conf.kind == "colleague") {
        auto commands = router_.ConsultAnswered(call.id, conf.party, now);
        if (!commands) {
            spdlog::warn("telephony: call {}: the conference answer of {} was refused ({})", call.id, conf.party,
                         commands.error().message);
            EndConference(call, "refused");
            return;
        }
        Apply(std::move(*commands));
    }
    leg.state = LegState::kUp;
    conf.connected = true;
    leg.last_rx_ms = now;
    call.caller->last_rx_ms = now;
    if (call.bridged) call.bridged->last_rx_ms = now;
    if (hooks_.call_log) {
        hooks_.call_log->CallControl("call.conference_connected", call.id, call.record.line_id, CounsellorOf(call),
                                     {{"to", conf.to}, {"kind", conf.kind}});
    }
    spdlog::info("telephony: call {}: {} answered: three-party conference", call.id, conf.to);
    PublishConference(call, "connected");
}

bool Switchboard::ConferencePartyGone(Call& call, Leg& leg, std::uint16_t scode) {
    if (!call.conference || ConferenceLeg(call) != &leg) return false;
    // A colleague's ring that fails is the Router's (RingFailed, then ConferenceRingEnded).
    if (call.conference->kind == "colleague" && !call.conference->connected) return false;
    EndConference(call, call.conference->connected ? "hung_up" : WhyUnanswered(scode));
    return true;
}

void Switchboard::ConferenceRingEnded(Call& call, const std::string& counsellor, const char* why) {
    if (!call.conference || call.conference->kind != "colleague" || call.conference->party != counsellor ||
        call.conference->connected) {
        return;
    }
    EndConference(call, why);
}

void Switchboard::EndConference(Call& call, const char* why) {
    if (!call.conference) return;
    PublishConference(call, "ended", why);
    // Taken off the call first: the Router's StopRinging below comes back through ConferenceRingEnded.
    auto conf = std::move(call.conference);
    if (conf->kind == "colleague") {
        if (auto it = call.phones.find(conf->party); it != call.phones.end()) {
            auto leg = std::move(it->second);
            call.phones.erase(it);
            if (leg && leg->browser && leg->state == LegState::kRinging) BrowserRingStopped(call, *leg);
            if (leg) HangUp(*leg);
            Retire(std::move(leg));
        }
        if (call.phase == CallPhase::kBridged) Apply(router_.ConsultEnded(call.id, Now()), "conference ended");
    } else if (conf->leg) {
        HangUp(*conf->leg);
        Retire(std::move(conf->leg));
    }
    if (hooks_.call_log) {
        hooks_.call_log->CallControl("call.conference_ended", call.id, call.record.line_id, CounsellorOf(call),
                                     {{"to", conf->to}, {"kind", conf->kind}, {"why", why},
                                      {"connected", conf->connected}});
    }
    spdlog::info("telephony: call {}: the conference with {} ended ({})", call.id, conf->to, why);
    // Back to the relay: neither side has been quiet of its own accord.
    if (call.caller) call.caller->last_rx_ms = Now();
    if (call.bridged) call.bridged->last_rx_ms = Now();
}

Result<CallControl> Switchboard::DropFromConference(const std::string& counsellor, const std::string& call_id,
                                                    const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (!call.conference) return Fail(ErrorCode::kConflict, "call", "this call has no third party");
    EndConference(call, "dropped");
    return ControlOf(call);
}

Result<TransferStarted> Switchboard::LeaveConference(const std::string& counsellor, const std::string& call_id,
                                                     const std::function<bool(const std::string&)>& serves) {
    auto found = CallOf(counsellor, call_id, serves);
    if (!found) return tl::unexpected(found.error());
    Call& call = **found;
    if (!call.conference) return Fail(ErrorCode::kConflict, "call", "this call has no third party");
    if (!call.conference->connected) {
        return Fail(ErrorCode::kConflict, "call", "the third party has not answered yet");
    }
    const std::string line = call.record.line_id;
    auto next = LeaveConference(call);
    if (!next) return tl::unexpected(next.error());
    return TransferStarted{line, "left", *next};
}

// The third party carries the call on as a new contact: a colleague through the Router (ConsultCompleted:
// Bridge{next}, a plain relay again), or a service relayed here while the counsellor wraps up.
Result<std::string> Switchboard::LeaveConference(Call& call) {
    const bool colleague = call.conference->kind == "colleague";
    const std::string first_id = call.id;
    const std::string next_id = crypto::NewId("ct");
    const auto outcome = OutcomeOf(outcomes_, first_id);
    auto commands = colleague ? router_.ConsultCompleted(first_id, next_id, outcome, Now())
                              : router_.CallEnded(first_id, outcome, Now());
    if (!commands) return tl::unexpected(commands.error());
    PublishConference(call, "ended", "left");
    auto conf = std::move(call.conference);
    if (hooks_.call_log) {
        hooks_.call_log->CallControl("call.conference_ended", first_id, call.record.line_id, CounsellorOf(call),
                                     {{"to", conf->to}, {"kind", conf->kind}, {"why", "left"}, {"connected", true}});
    }
    spdlog::info("telephony: call {}: the counsellor leaves the caller with {} as {}", first_id, conf->to, next_id);
    call.record = HandOn(call, next_id, call.record.line_id, {{"to", conf->to}, {"conference", true}});
    Apply(std::move(*commands));
    if (!colleague) {
        // The caller and the service, relayed; the call is no longer the Router's (nobody here answers it now).
        call.external = std::move(conf->leg);
        Bridge(call, *call.external);
    }
    return next_id;
}

void Switchboard::PublishConference(const Call& call, const char* state, const char* why) {
    const auto& c = *call.conference;
    nlohmann::json data = {{"to", c.to}, {"kind", c.kind}, {"state", state}};
    if (why) data["reason"] = why;
    Publish("call.conference", &call, CounsellorOf(call), std::move(data));
}

void Switchboard::ConferenceMixIn(Leg& leg, const rtp_header* hdr, const std::uint8_t* payload, size_t n) {
    Call& call = *leg.call;
    media::Party party = media::Party::kSupervisor;  // the third party's place in the mix
    if (&leg == call.caller.get()) {
        party = media::Party::kCaller;
    } else if (&leg == call.bridged) {
        party = media::Party::kCounsellor;
    } else if (&leg != ConferenceLeg(call)) {
        return;
    }
    auto codec = media::CodecForPayloadType(hdr->pt);
    if (!codec) return;  // DTMF events are not mixed
    if (!call.conference->mix.Put(party, *codec, payload, n)) ++counters_.rtp_ignored;
}

void Switchboard::ConferenceMixOut(Call& call) {
    auto& mix = call.conference->mix;
    mix.Tick();
    media::Frame frame{};
    const std::pair<Leg*, media::Party> listeners[] = {{call.caller.get(), media::Party::kCaller},
                                                        {call.bridged, media::Party::kCounsellor},
                                                        {ConferenceLeg(call), media::Party::kSupervisor}};
    for (const auto& [leg, party] : listeners) {
        if (leg && leg->state != LegState::kGone && mix.Mix(media::MonitorMode::kJoin, party, leg->codec, frame)) {
            SendFrame(*leg, frame);
        }
    }
}

void Switchboard::ConferenceTimers(std::int64_t now) {
    const std::int64_t silent_limit = static_cast<std::int64_t>(config_.rtp_timeout_s) * 1000;
    std::vector<std::pair<std::string, const char*>> ended;
    for (auto& [id, call] : calls_) {
        if (!call->conference) continue;
        const auto& conf = *call->conference;
        if (!conf.connected && conf.leg && now >= conf.ring_deadline) {
            ended.emplace_back(id, "no_answer");
        } else if (conf.connected) {
            const Leg* third = ConferenceLeg(*call);
            if (third && !third->on_hold && !third->sends_nothing && now - third->last_rx_ms > silent_limit) {
                ended.emplace_back(id, "no_audio");
            }
        }
    }
    for (const auto& [id, why] : ended) {
        if (auto* call = FindCall(id)) EndConference(*call, why);
    }
}

}  // namespace crisisline::telephony
