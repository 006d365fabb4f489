// A counsellor's desk phone dials a colleague to consult on its call: the first half of an attended transfer
// done from the phone (RFC 3515 REFER with RFC 3891 Replaces; the REFER itself is in refer.cpp). The phone's new
// INVITE (dialog B) is the console's consult (consult.cpp) with B as the counsellor's side: the colleague's phone
// rings by the Router's rules, the caller is held and hears neither, B is answered when the colleague answers and
// relayed to them. crisisline is not a PBX: a phone may dial only a colleague's SIP username, and only while its
// counsellor has a call bridged to it.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/crypto.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/flow_target.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

// As the registrar's (phones.cpp): a phone answers a challenge at once.
constexpr TimeMs kDeskNonceLifetimeMs = 60 * kSecondMs;
constexpr const char* kDeskAllow = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER\r\n";

void Refuse(::sip* sip, const sip_msg* msg, std::uint16_t code, const char* reason, const std::string& why) {
    sip_treplyf(nullptr, nullptr, sip, msg, false, code, reason,
                "Warning: 399 crisisline \"%s\"\r\nContent-Length: 0\r\n\r\n", why.c_str());
}

}  // namespace

void Callbacks::DeskEstablished(const sip_msg*, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->state != LegState::kGone) leg->state = LegState::kUp;
}

void Callbacks::DeskClosed(int, const sip_msg*, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->state == LegState::kGone) return;
    leg->state = LegState::kGone;
    leg->board->DeskGone(*leg);
}

bool Switchboard::FromDeskPhone(const sip_msg* msg) const {
    const std::string dialled = PlText(msg->uri.user);
    auto normal = crypto::NormalisePhoneNumber(dialled);
    if (line_by_number_.count(normal ? *normal : dialled) != 0) return false;
    return accounts_.count(dialled) != 0 || accounts_.count(PlText(msg->from.uri.user)) != 0;
}

const Switchboard::Account* Switchboard::AuthenticateDeskPhone(const sip_msg* msg) {
    const auto now = Now();
    char source[64] = {};
    sa_ntop(&msg->src, source, sizeof source);
    // Proxy-Authorization answers our 407; a phone that answers with Authorization, as to a 401, is taken too.
    const sip_hdr* auth = sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION);
    if (!auth) auth = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    auto challenge = [&](bool stale) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 407, "Proxy Authentication Required",
                    "Proxy-Authenticate: Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", algorithm=MD5%s\r\n"
                    "Content-Length: 0\r\n\r\n",
                    config_.realm.c_str(), nonces_.Make(now, source).c_str(), stale ? ", stale=true" : "");
    };
    if (!auth) {
        challenge(false);
        return nullptr;
    }
    httpauth_digest_resp resp;
    if (httpauth_digest_response_decode(&resp, &auth->val) != 0) {
        sip_treply(nullptr, sip_, msg, 400, "Bad Authorization Header");
        return nullptr;
    }
    const std::string username = PlText(resp.username);
    if (TimeMs wait = register_throttle_.Wait(username, source, now); wait > 0) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: %lld\r\nContent-Length: 0\r\n\r\n", static_cast<long long>((wait + 999) / 1000));
        return nullptr;
    }
    if (!nonces_.Fresh(PlText(resp.nonce), now, kDeskNonceLifetimeMs, source)) {
        challenge(true);
        return nullptr;
    }
    if (pl_strcmp(&resp.qop, "auth") != 0 || !pl_isset(&resp.cnonce)) {
        challenge(false);  // without qop=auth there is no nonce count to stop a replay
        return nullptr;
    }
    auto account = accounts_.find(username);
    if (account == accounts_.end() || PlText(resp.realm) != config_.realm ||
        !DigestNamesRequest(PlText(resp.uri), PlText(msg->ruri)) ||
        httpauth_digest_response_auth(&resp, &msg->met, account->second.ha1) != 0) {
        spdlog::warn("telephony: INVITE from a desk phone at {} with wrong credentials for '{}': 403", source,
                     username);
        register_throttle_.Failed(username, source, now);
        sip_treply(nullptr, sip_, msg, 403, "Forbidden");
        return nullptr;
    }
    if (!nonce_counts_.Use(PlText(resp.nonce), PlText(resp.nc), now)) {
        challenge(true);  // a replayed answer
        return nullptr;
    }
    register_throttle_.Succeeded(username, source);
    if (RefusePlaintextPhone(msg, account->second.counsellor)) return nullptr;
    return &account->second;
}

Call* Switchboard::DeskCallOf(const std::string& counsellor) {
    for (auto& [id, call] : calls_) {
        const Leg* with = call->bridged;
        if (call->phase == CallPhase::kBridged && with && with->kind == LegKind::kPhone && with->sess &&
            with->counsellor == counsellor && with->state == LegState::kUp) {
            return call.get();
        }
    }
    return nullptr;
}

void Switchboard::OnDeskPhoneInvite(const sip_msg* msg) {
    const Account* account = AuthenticateDeskPhone(msg);
    if (!account) return;
    const std::string counsellor = account->counsellor.staff_id;
    const std::string username = account->counsellor.sip_username;
    auto refuse = [&](std::uint16_t code, const char* reason, const std::string& why) {
        spdlog::info("telephony: INVITE from the desk phone of {}: {}: {}", counsellor, why, code);
        Refuse(sip_, msg, code, reason, why);
    };
    Call* call = DeskCallOf(counsellor);
    if (!call) {
        return refuse(403, "Forbidden",
                      "no call of yours is in progress: a desk phone dials a colleague only to consult on a live call");
    }
    // A colleague's phone account, by its SIP username; never a number (there is no free dialling).
    auto target = accounts_.find(PlText(msg->uri.user));
    if (target == accounts_.end()) {
        return refuse(403, "Forbidden", "the address dialled is not a colleague's phone account");
    }
    const std::string to = target->second.counsellor.staff_id;
    if (to == counsellor) return refuse(403, "Forbidden", "you cannot consult yourself");
    const auto& lines = account->counsellor.lines;
    auto serves = [&lines](const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    if (!ServesCallLine(*call, serves)) return refuse(403, "Forbidden", "you do not serve this call's line");
    if (hooks_.call_log) {  // as the console's consult: the request is audited, refused ones included
        hooks_.call_log->CallControl("call.consult_start", call->id, call->record.line_id, counsellor,
                                     {{"to", "counsellor:" + to}, {"via", "refer"}});
    }
    if (mbuf_get_left(msg->mb) == 0) return refuse(488, "Not Acceptable Here", "the INVITE needs an SDP offer");
    auto taken = TakeLeg(call, LegKind::kPhone);
    if (!taken) {
        spdlog::error("telephony: {}; a desk phone's consult INVITE gets 503", taken.error().message);
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: 2\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    auto leg = std::move(*taken);
    leg->counsellor = counsellor;
    leg->must_encrypt = account->counsellor.encryption == records::Encryption::kRequired;
    leg->policy_owner = "phone account " + username;
    RequireEncryptedLeg(*leg, call->record.line_id);
    AddPeer(*leg, msg->src);  // its in-dialog requests: from the phone only (dialogs.hpp)
    if (auto binding = bindings_.find(username); binding != bindings_.end()) {
        AddPeerUri(*leg, binding->second.contact_uri);
    }
    std::string why;
    if (!DecodeRemoteSdp(*leg, msg, true, &why)) {
        return refuse(488, "Not Acceptable Here", why.empty() ? "no usable SDP offer (PCMU or PCMA, an address)" : why);
    }
    PlaceByRemote(*leg, leg->behind_nat);
    auto started = StartConsult(*call, counsellor, to);
    if (!started) {
        const auto& error = started.error();
        const bool busy = error.code == ErrorCode::kConflict && error.field == "to";
        return refuse(busy ? 480 : 403, busy ? "Temporarily Unavailable" : "Forbidden", error.message);
    }
    // A ring that failed at once (Ring's failure runs inside StartConsult) has ended the consult already.
    if (!call->consult || call->consult->to != to) {
        return refuse(480, "Temporarily Unavailable", "the colleague's phone could not be rung");
    }
    const std::string contact = ContactFor(msg->tp, &msg->dst);
    int err = sipsess_accept(&leg->sess, sock_, msg, 180, "Ringing", contact.c_str(), "application/sdp", nullptr,
                             nullptr, nullptr, false, Callbacks::PhoneOffer, Callbacks::CallerAnswer,
                             Callbacks::DeskEstablished, nullptr, Callbacks::PhoneRefer, Callbacks::DeskClosed,
                             leg.get(), "%s", kDeskAllow);
    if (err) {
        spdlog::error("telephony: call {}: could not take the desk phone's consult INVITE (error {})", call->id, err);
        EndConsult(*call, "failed");
        sip_treply(nullptr, sip_, msg, 500, "Server Internal Error");
        return;
    }
    leg->state = LegState::kRinging;
    leg->flow_target = FlowTarget(msg->src, msg->tp, ContactUser(*msg));
    leg->last_rx_ms = Now();
    spdlog::info("telephony: call {}: {}'s desk phone dialled {} to consult", call->id, counsellor, to);
    call->consult->desk = std::move(leg);
}

bool Switchboard::AnswerDesk(Call& call) {
    Leg& desk = *call.consult->desk;
    mbuf* answer = nullptr;
    if (!desk.sess || sdp_encode(&answer, desk.sdp, false) != 0) return false;
    int err = sipsess_answer(desk.sess, 200, "OK", answer, "%s", kDeskAllow);
    mem_deref(answer);
    if (err) {
        spdlog::warn("telephony: call {}: the desk phone's consult dialog could not be answered (error {})", call.id,
                     err);
        return false;
    }
    desk.state = LegState::kUp;
    desk.last_rx_ms = Now();
    return true;
}

void Switchboard::ReleaseDesk(Call& call, const char* why) {
    if (!call.consult || !call.consult->desk) return;
    auto desk = std::move(call.consult->desk);
    if (desk->state == LegState::kRinging && desk->sess) {
        const std::string reason = why;
        const std::uint16_t code = reason == "declined" ? 486 : reason == "no_answer" ? 480 : 503;
        const char* phrase = code == 486   ? "Busy Here"
                             : code == 480 ? "Temporarily Unavailable"
                                           : "Service Unavailable";
        const std::string warning = "the consult ended: " + reason;
        sipsess_reject(desk->sess, code, phrase, "Warning: 399 crisisline \"%s\"\r\nContent-Length: 0\r\n\r\n",
                       warning.c_str());
    } else {
        HangUp(*desk);  // BYE; nothing when the phone ended it
    }
    Retire(std::move(desk));
}

void Switchboard::DeskGone(Leg& leg) {
    Call* call = leg.call;
    if (!call || !call->consult || call->consult->desk.get() != &leg) return;
    if (call->consult->referred && call->consult->connected) {
        // The phone hung up B once its REFER with Replaces was taken: the hand-over goes ahead.
        if (HandToConsultant(*call)) return;
    }
    spdlog::info("telephony: call {}: the desk phone hung up its consult dialog", call->id);
    if (hooks_.call_log && call->bridged) {
        hooks_.call_log->CallControl("call.consult_cancel", call->id, call->record.line_id, call->bridged->counsellor,
                                     {{"via", "refer"}});
    }
    EndConsult(*call, "cancelled");
}

}  // namespace crisisline::telephony
