// Calls from the carrier trunks: admission, the greeting and the language choice.
#include <sodium.h>

#include <spdlog/spdlog.h>

#include "crypto/caller_id.hpp"
#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/flow_target.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

constexpr TimeMs kNonceLifetimeMs = 5 * 60 * kSecondMs;
constexpr std::uint32_t kLocalSource = 0xC0FFEE01;  // the RtpRewriter key for the server's own audio

std::string SourceAddress(const sip_msg* msg) {
    char buf[64] = {};
    sa_ntop(&msg->src, buf, sizeof buf);
    return buf;
}

enum class Admission { kAdmitted, kChallenge, kRefused };

}  // namespace

bool Callbacks::Request(const sip_msg* msg, void* arg) { return static_cast<Switchboard*>(arg)->OnRequest(msg); }
void Callbacks::Invite(const sip_msg* msg, void* arg) { static_cast<Switchboard*>(arg)->OnInvite(msg); }

int Callbacks::CallerOffer(mbuf** descp, const sip_msg* msg, void* arg) {
    // A re-INVITE: hold (sendonly/inactive), resume, or a new media address.
    auto* leg = static_cast<Leg*>(arg);
    if (!mbuf_get_left(msg->mb)) return ReOffer(*leg, descp);
    bool was_quiet = leg->on_hold || leg->sends_nothing;
    if (!DecodeRemoteSdp(*leg, msg, true)) return EPROTO;  // libre answers 488
    if (was_quiet && !leg->on_hold && !leg->sends_nothing) leg->last_rx_ms = leg->board->Now();
    spdlog::info("telephony: call {} {}", leg->call ? leg->call->id : "?", leg->on_hold ? "on hold" : "resumed");
    return sdp_encode(descp, leg->sdp, false);
}

int Callbacks::ReOffer(Leg& leg, mbuf** descp) {
    // A re-INVITE without SDP asks for an offer (RFC 3261 section 14.2): ours goes in the 200, the answer
    // comes in the ACK (CallerAnswer / PhoneAnswer).
    spdlog::info("telephony: call {}: re-INVITE without SDP, offering", leg.call ? leg.call->id : "?");
    return sdp_encode(descp, leg.sdp, true);
}

int Callbacks::CallerAnswer(const sip_msg* msg, void* arg) {
    // The answer to the offer in our 200 (a late-offer INVITE), in the ACK. Without a usable
    // one there is nowhere to send the greeting: the error makes libre end the call with BYE.
    auto* leg = static_cast<Leg*>(arg);
    if (msg && mbuf_get_left(msg->mb) && DecodeRemoteSdp(*leg, msg, false)) return 0;
    if (leg->have_remote) return 0;
    spdlog::warn("telephony: call {}: the ACK brought no usable SDP answer (no PCMU/PCMA or no address): BYE",
                 leg->call ? leg->call->id : "?");
    return EPROTO;
}

void Callbacks::CallerEstablished(const sip_msg*, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    leg->state = LegState::kUp;
    if (leg->call && !leg->call->acked) {
        leg->call->acked = true;
        leg->board->StartGreeting(*leg->call);
    }
}

void Callbacks::CallerClosed(int err, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    leg->state = LegState::kGone;
    if (!leg->call) return;
    const char* why = err == ECONNRESET ? "caller hung up" : "caller's leg failed";
    if (msg && msg->scode) why = "caller's leg refused";
    leg->board->CallerGone(*leg->call, why);
}

void Switchboard::OnInvite(const sip_msg* msg) {
    if (stopping_) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: 5\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    // Malformed requests and any Require: (libre 1.1.0 has no reliable provisional responses, 100rel) were
    // refused before this (CheckRequest, in OnRequest).
    // A counsellor's desk phone dialling a colleague to consult on its call (phone_consult.cpp); an INVITE for a
    // line's number is never one.
    if (FromDeskPhone(msg)) {
        OnDeskPhoneInvite(msg);
        return;
    }
    // Admission: a trunk's address, or a trunk's digest credentials.
    Admission admission = Admission::kRefused;
    std::string source = SourceAddress(msg);
    bool any_credentials = false;
    const Trunk* by_address = nullptr;  // the trunk whose address it came from (its dialog's peers)
    const Trunk* admitted = nullptr;
    std::string trunk_name;
    for (const auto& trunk : trunks_) {
        if (std::find(trunk.allow.begin(), trunk.allow.end(), source) != trunk.allow.end()) {
            admission = Admission::kAdmitted;
            by_address = &trunk;
            admitted = &trunk;
            trunk_name = trunk.name;
            break;
        }
        if (!trunk.username.empty()) any_credentials = true;
    }
    if (admission != Admission::kAdmitted && any_credentials) {
        const sip_hdr* auth = sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
        if (!auth) {
            admission = Admission::kChallenge;
        } else {
            httpauth_digest_resp resp;
            if (httpauth_digest_response_decode(&resp, &auth->val) == 0 &&
                nonces_.Fresh(PlText(resp.nonce), Now(), kNonceLifetimeMs) && PlText(resp.realm) == config_.realm &&
                DigestNamesRequest(PlText(resp.uri), PlText(msg->ruri))) {
                for (const auto& trunk : trunks_) {
                    if (trunk.username.empty() || PlText(resp.username) != trunk.username) continue;
                    auto ha1 = DigestHa1(trunk.username, config_.realm, trunk.password);
                    if (httpauth_digest_response_auth(&resp, &msg->met, ha1.data()) == 0) {
                        admission = Admission::kAdmitted;
                        admitted = &trunk;
                        trunk_name = trunk.name;
                    }
                }
            }
        }
    }
    if (admission == Admission::kChallenge) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 407, "Proxy Authentication Required",
                    "Proxy-Authenticate: Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", algorithm=MD5\r\n"
                    "Content-Length: 0\r\n\r\n",
                    config_.realm.c_str(), nonces_.Make(Now()).c_str());
        return;
    }
    if (admission == Admission::kRefused) {
        spdlog::warn("telephony: INVITE from {}, which is not a configured trunk: 403", source);
        ++counters_.calls_refused;
        sip_treply(nullptr, sip_, msg, 403, "Forbidden");
        return;
    }
    // A trunk that requires encryption takes calls over TLS only (488 with a Warning saying so).
    if (admitted && RefusePlaintextTrunk(msg, *admitted)) return;
    // Admission control: more new calls a second than the trunk may start are refused at once, before any
    // work is done for them (no media, no contact record), so the calls within the limit are still answered.
    if (!call_rate_.Take(trunk_name, Now())) {
        RefuseOverCapacity(msg, "trunk " + trunk_name + " is over trunk_calls_per_s",
                           call_rate_.Wait(trunk_name, Now()));
        return;
    }
    // Which line: the number dialled.
    std::string dialled = PlText(msg->uri.user);
    auto normal = crypto::NormalisePhoneNumber(dialled);
    auto line_it = line_by_number_.find(normal ? *normal : dialled);
    if (line_it == line_by_number_.end()) {
        spdlog::warn("telephony: INVITE for an unknown number from trunk {}: 404", source);
        ++counters_.calls_refused;
        sip_treply(nullptr, sip_, msg, 404, "Not Found");
        return;
    }
    const auto& line = line_it->second;
    const auto policy = admitted ? admitted->encryption : records::kDefaultEncryption;
    // A line that requires every leg encrypted takes calls over TLS only (488 with a Warning saying so).
    if (RefuseUnencryptedLine(msg, line, trunk_name, policy)) return;
    if (auto full = LineFull(line.id)) {
        RefuseOverCapacity(msg, "line " + line.id + " " + *full, 5 * kSecondMs);
        return;
    }

    auto call = std::make_unique<Call>();
    call->id = crypto::NewId("ct");
    call->record.contact_id = call->id;
    call->record.line_id = line.id;
    call->record.arrived_at = Now();
    call->record.caller_number = PlText(msg->from.uri.user);
    // A late offer (no SDP in the INVITE) over TLS gets our offer with keys in the 200, unless the trunk's
    // encryption is "off".
    const bool late_offer = mbuf_get_left(msg->mb) == 0;
    auto taken = TakeLeg(call.get(), LegKind::kCaller, false,
                         late_offer && msg->tp == SIP_TRANSP_TLS && policy != records::Encryption::kOff);
    if (!taken) {
        spdlog::error("telephony: {}; answering 503", taken.error().message);
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: 2\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    call->caller = std::move(*taken);
    Leg& leg = *call->caller;
    leg.last_rx_ms = Now();
    leg.must_encrypt = policy == records::Encryption::kRequired;
    leg.policy_owner = "trunk " + trunk_name;
    // Its media too: an RTP/AVP offer (or, to a late offer, answer) is refused, naming the line.
    RequireEncryptedLeg(leg, line.id);
    // In-dialog requests (re-INVITE, BYE) are taken from the trunk only (dialogs.hpp).
    AddPeer(leg, msg->src);
    if (by_address) {
        for (const auto& address : by_address->allow) {
            sa peer{};
            if (sa_set_str(&peer, address.c_str(), 0) == 0) AddPeer(leg, peer);
        }
    }
    // A late offer (no SDP in the INVITE): the 200 carries our offer and the ACK the answer (CallerAnswer);
    // the greeting starts playing once the answer says where to.
    std::string why;
    if (!late_offer && !DecodeRemoteSdp(leg, msg, true, &why)) {
        ++counters_.calls_refused;
        if (!why.empty()) {
            // Keys on plaintext SIP, or SRTP the server cannot take: the Warning says which (RFC 3261 20.43).
            spdlog::warn("telephony: INVITE from {} on trunk {} for line {}: {}: 488", source, trunk_name, line.id, why);
            if (why.rfind("line ", 0) == 0) ++counters_.line_encryption_refused;
            sip_treplyf(nullptr, nullptr, sip_, msg, false, 488, "Not Acceptable Here",
                        "Warning: 399 crisisline \"%s\"\r\nContent-Length: 0\r\n\r\n", why.c_str());
            return;
        }
        spdlog::warn("telephony: INVITE from {} without usable SDP (no PCMU/PCMA, no address, or malformed): 488",
                     source);
        sip_treply(nullptr, sip_, msg, 488, "Not Acceptable Here");
        return;
    }
    // A socket where no other call's media comes from that address; one of its own when behind NAT.
    if (!late_offer) PlaceByRemote(leg, leg.behind_nat);
    mbuf* answer = nullptr;
    if (sdp_encode(&answer, leg.sdp, late_offer) != 0) {
        sip_treply(nullptr, sip_, msg, 500, "Server Internal Error");
        return;
    }
    const std::string contact = ContactFor(msg->tp, &msg->dst);
    int err = sipsess_accept(&leg.sess, sock_, msg, 200, "OK", contact.c_str(), "application/sdp", answer, nullptr,
                             nullptr, false, Callbacks::CallerOffer, Callbacks::CallerAnswer,
                             Callbacks::CallerEstablished, nullptr, nullptr, Callbacks::CallerClosed, &leg,
                             "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
    mem_deref(answer);
    if (err) {
        spdlog::error("telephony: could not answer the call from {} (error {})", source, err);
        sip_treply(nullptr, sip_, msg, 500, "Server Internal Error");
        return;
    }
    leg.flow_target = FlowTarget(msg->src, msg->tp, ContactUser(*msg));
    ++counters_.calls_offered;
    Call& c = *call;
    calls_[c.id] = std::move(call);
    spdlog::info("telephony: call {} arrived on line {}", c.id, c.record.line_id);
    if (hooks_.call_log) {
        std::string id = c.id;
        auto post = hooks_.post;
        hooks_.call_log->Arrived(c.record, [this, id, post](Result<std::int64_t> count) {
            if (!count || !post) return;
            post([this, id, n = *count] {
                if (auto* found = FindCall(id)) {
                    found->repeat_count = n;
                    Publish("call.repeat_count", found, "", {{"repeat_count", n}});
                }
            });
        });
    }
    c.record.caller_number.clear();  // handed to the CallLog for hashing; not kept in memory any longer
    Publish("call.arrived", &c, "", {{"phase", "greeting"}});
    // The greeting starts with the caller's ACK (CallerEstablished).
}

std::optional<std::string> Switchboard::LineFull(const std::string& line_id) const {
    int calls = 0;
    int waiting = 0;
    for (const auto& [id, call] : calls_) {
        if (call->record.line_id != line_id || call->phase == CallPhase::kEnded) continue;
        ++calls;
        if (call->phase != CallPhase::kBridged && call->phase != CallPhase::kSurvey) ++waiting;
    }
    if (calls >= config_.line_max_calls) return "has line_max_calls calls in progress";
    if (waiting >= config_.line_max_waiting) return "has line_max_waiting callers waiting";
    return std::nullopt;
}

void Switchboard::RefuseOverCapacity(const sip_msg* msg, const std::string& why, TimeMs retry_after_ms) {
    ++counters_.calls_over_capacity;
    // One line a second at most: a flood must not become a flood of log lines too.
    if (Now() - over_capacity_logged_at_ >= kSecondMs) {
        over_capacity_logged_at_ = Now();
        spdlog::warn("telephony: new calls refused 503: {} ({} refused so far)", why,
                     counters_.calls_over_capacity.load());
    }
    sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                "Retry-After: %lld\r\nContent-Length: 0\r\n\r\n",
                static_cast<long long>(std::max<TimeMs>(1, (retry_after_ms + 999) / 1000)));
}

void Switchboard::StartGreeting(Call& call) {
    call.phase = CallPhase::kGreeting;
    auto& playlist = call.caller->playlist;
    playlist.prompts = prompts_;
    const media::PromptSet& prompts = *playlist.prompts;
    playlist.queue.push_back(&prompts.Greeting(media::PromptLanguage::kEnglish));
    const auto& line = lines_[call.record.line_id];
    bool offers_welsh = std::find(line.languages.begin(), line.languages.end(), "cy") != line.languages.end();
    if (offers_welsh) playlist.queue.push_back(&prompts.welsh_choice);
    playlist.frame = 0;
    if (!offers_welsh) {
        // Nothing to choose: straight to the queue (the greeting plays on while it rings).
        ChooseLanguage(call, acd::Language::kEnglish);
    }
}

// The caller pressed a key during the greeting or the language choice.
void Switchboard::CallerDigit(Call& call, int digit) {
    if (call.phase == CallPhase::kSurvey) return SurveyDigit(call, digit);
    if (!call.acked || (call.phase != CallPhase::kGreeting && call.phase != CallPhase::kChoosing)) return;
    spdlog::debug("telephony: call {} pressed {}", call.id, static_cast<char>(digit));
    ChooseLanguage(call, digit == '1' ? acd::Language::kWelsh : acd::Language::kEnglish);
}

void Switchboard::ChooseLanguage(Call& call, acd::Language language) {
    if (call.phase != CallPhase::kGreeting && call.phase != CallPhase::kChoosing) return;
    routing_event_at_ = std::chrono::steady_clock::now();
    call.choice_deadline = 0;
    call.language = language;
    call.record.language = language == acd::Language::kWelsh ? "cy" : "en";
    call.phase = CallPhase::kQueued;
    auto& playlist = call.caller->playlist;
    if (!playlist.prompts) playlist.prompts = prompts_;
    const media::PromptSet& prompts = *playlist.prompts;
    if (language == acd::Language::kWelsh) {
        // The caller chose Welsh: the Welsh greeting replaces what was playing.
        playlist.queue.clear();
        playlist.queue.push_back(&prompts.Greeting(media::PromptLanguage::kWelsh));
        playlist.frame = 0;
    } else if (!playlist.queue.empty() && playlist.queue.back() == &prompts.welsh_choice) {
        if (playlist.queue.size() == 1) playlist.frame = 0;
        playlist.queue.pop_back();  // no need to offer Welsh any more
    }
    playlist.loop = &prompts.hold;
    acd::CallInfo info;
    info.id = call.id;
    info.line = call.record.line_id;
    info.language = language;
    Publish("call.queued", &call, "", {{"language", call.record.language}});
    Apply(router_.CallArrived(info, Now()), "call arrived");
}

void Switchboard::CallerGone(Call& call, const char* why) {
    spdlog::info("telephony: call {}: {}", call.id, why);
    switch (call.phase) {
        case CallPhase::kGreeting:
        case CallPhase::kChoosing: {
            call.record.ended_at = Now();
            call.phase = CallPhase::kEnded;
            if (!call.acked) {
                // Our 200 was never ACKed (Timer H): the call never began.
                spdlog::warn("telephony: call {}: the caller never ACKed the 200; recorded failed", call.id);
                call.record.end_reason = "failed";
                if (hooks_.call_log) hooks_.call_log->Ended(call.record);
                Publish("call.ended", &call, "", {{"reason", "failed"}});
                Retire(call);
                break;
            }
            // Hung up during the greeting: abandoned, never queued.
            ++counters_.calls_abandoned;
            call.record.end_reason = "abandoned";
            if (hooks_.call_log) hooks_.call_log->Ended(call.record);
            Publish("call.abandoned", &call, "", {{"wait_ms", *call.record.ended_at - call.record.arrived_at}});
            Retire(call);
            break;
        }
        case CallPhase::kQueued:
            Apply(router_.CallAbandoned(call.id, Now()), "caller hung up");
            break;
        case CallPhase::kBridged:
        case CallPhase::kSurvey:  // its record is written; the caller left during (or instead of) the survey
            EndCall(call, "completed");
            break;
        case CallPhase::kEnded:
            break;
    }
}

}  // namespace crisisline::telephony
