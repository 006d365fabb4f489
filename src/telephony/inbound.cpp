// Calls from the carrier trunks: admission, the greeting and the language choice.
#include <sodium.h>

#include <spdlog/spdlog.h>

#include "crypto/caller_id.hpp"
#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
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
    if (!DecodeRemoteSdp(*leg, msg, true)) return EPROTO;  // libre answers 488
    spdlog::info("telephony: call {} {}", leg->call ? leg->call->id : "?", leg->on_hold ? "on hold" : "resumed");
    return sdp_encode(descp, leg->sdp, false);
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
    // libre 1.1.0 has no reliable provisional responses.
    if (sip_msg_hdr_has_value(msg, SIP_HDR_REQUIRE, "100rel")) {
        spdlog::warn("telephony: INVITE from {} requires 100rel, which this server does not support: 420",
                     SourceAddress(msg));
        ++counters_.calls_refused;
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 420, "Bad Extension",
                    "Unsupported: 100rel\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    // Admission: a trunk's address, or a trunk's digest credentials.
    Admission admission = Admission::kRefused;
    std::string source = SourceAddress(msg);
    bool any_credentials = false;
    for (const auto& trunk : trunks_) {
        if (std::find(trunk.allow.begin(), trunk.allow.end(), source) != trunk.allow.end()) {
            admission = Admission::kAdmitted;
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

    auto call = std::make_unique<Call>();
    call->id = crypto::NewId("ct");
    call->record.contact_id = call->id;
    call->record.line_id = line.id;
    call->record.arrived_at = Now();
    call->record.caller_number = PlText(msg->from.uri.user);
    auto taken = TakeLeg(call.get(), LegKind::kCaller);
    if (!taken) {
        spdlog::error("telephony: {}; answering 503", taken.error().message);
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: 2\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    call->caller = std::move(*taken);
    Leg& leg = *call->caller;
    leg.last_rx_ms = Now();
    // A late offer (no SDP in the INVITE): the 200 carries our offer and the ACK the answer (CallerAnswer);
    // the greeting starts playing once the answer says where to.
    const bool late_offer = mbuf_get_left(msg->mb) == 0;
    if (!late_offer && !DecodeRemoteSdp(leg, msg, true)) {
        spdlog::warn("telephony: INVITE from {} without usable SDP (no PCMU/PCMA, no address, or malformed): 488",
                     source);
        ++counters_.calls_refused;
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
    int err = sipsess_accept(&leg.sess, sock_, msg, 200, "OK", "crisisline", "application/sdp", answer, nullptr,
                             nullptr, false, Callbacks::CallerOffer, Callbacks::CallerAnswer,
                             Callbacks::CallerEstablished, nullptr, nullptr, Callbacks::CallerClosed, &leg,
                             "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
    mem_deref(answer);
    if (err) {
        spdlog::error("telephony: could not answer the call from {} (error {})", source, err);
        sip_treply(nullptr, sip_, msg, 500, "Server Internal Error");
        return;
    }
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
    StartGreeting(c);
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
    if (call.phase != CallPhase::kGreeting && call.phase != CallPhase::kChoosing) return;
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
            // Hung up during the greeting: abandoned, never queued.
            ++counters_.calls_abandoned;
            call.record.ended_at = Now();
            call.record.end_reason = "abandoned";
            if (hooks_.call_log) hooks_.call_log->Ended(call.record);
            Publish("call.abandoned", &call, "", {{"wait_ms", *call.record.ended_at - call.record.arrived_at}});
            call.phase = CallPhase::kEnded;
            Retire(call);
            break;
        }
        case CallPhase::kQueued:
            Apply(router_.CallAbandoned(call.id, Now()), "caller hung up");
            break;
        case CallPhase::kBridged:
            EndCall(call, "completed");
            break;
        case CallPhase::kEnded:
            break;
    }
}

}  // namespace crisisline::telephony
