// Counsellor phones: the registrar, ringing, answering and hanging up; and the
// overflow destination, which is rung the same way.
#include <sodium.h>

#include <cstring>

#include <spdlog/spdlog.h>

#include "telephony/callbacks.hpp"
#include "telephony/dialogs.hpp"
#include "telephony/flow_target.hpp"
#include "telephony/registration.hpp"
#include "telephony/media_path.hpp"

namespace crisisline::telephony {

namespace {

// Short: a phone answers a challenge at once, and re-registers with a fresh one when told stale=true.
constexpr TimeMs kRegistrarNonceLifetimeMs = 60 * kSecondMs;
constexpr std::int64_t kDefaultExpiresS = 3600;


}  // namespace

// ---- registrar ----

void Switchboard::OnRegister(const sip_msg* msg) {
    auto now = Now();
    std::string username = PlText(msg->to.uri.user);
    char source[64] = {};
    sa_ntop(&msg->src, source, sizeof source);
    // Too many wrong answers for this account from this address: refused before any digest is checked.
    if (TimeMs wait = register_throttle_.Wait(username, source, now); wait > 0) {
        ++counters_.registrations_refused;
        spdlog::debug("telephony: REGISTER for '{}' from {} throttled for {} ms", username, source, wait);
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 503, "Service Unavailable",
                    "Retry-After: %lld\r\nContent-Length: 0\r\n\r\n", static_cast<long long>((wait + 999) / 1000));
        return;
    }
    const sip_hdr* auth = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    // Nonces live briefly and only for the address they were issued to; each answer counts once (nc).
    auto challenge = [&](bool stale) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 401, "Unauthorized",
                    "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", algorithm=MD5%s\r\n"
                    "Content-Length: 0\r\n\r\n",
                    config_.realm.c_str(), nonces_.Make(now, source).c_str(), stale ? ", stale=true" : "");
    };
    if (!auth) {
        challenge(false);
        return;
    }
    httpauth_digest_resp resp;
    if (httpauth_digest_response_decode(&resp, &auth->val) != 0) {
        sip_treply(nullptr, sip_, msg, 400, "Bad Authorization Header");
        return;
    }
    if (!nonces_.Fresh(PlText(resp.nonce), now, kRegistrarNonceLifetimeMs, source)) {
        challenge(true);
        return;
    }
    if (pl_strcmp(&resp.qop, "auth") != 0 || !pl_isset(&resp.cnonce)) {
        challenge(false);  // without qop=auth there is no nonce count to stop a replay
        return;
    }
    auto account = accounts_.find(username);
    if (account == accounts_.end() || PlText(resp.username) != username || PlText(resp.realm) != config_.realm ||
        !DigestNamesRequest(PlText(resp.uri), PlText(msg->ruri)) ||
        httpauth_digest_response_auth(&resp, &msg->met, account->second.ha1) != 0) {
        spdlog::warn("telephony: REGISTER for '{}' from {} with wrong credentials: 403", username, source);
        register_throttle_.Failed(username, source, now);
        ++counters_.registrations_refused;
        sip_treply(nullptr, sip_, msg, 403, "Forbidden");
        return;
    }
    if (!nonce_counts_.Use(PlText(resp.nonce), PlText(resp.nc), now)) {
        spdlog::warn("telephony: REGISTER for '{}' from {} replayed a digest answer (nonce count not higher): 401",
                     username, source);
        ++counters_.registrations_refused;
        challenge(true);
        return;
    }
    register_throttle_.Succeeded(username, source);
    // Checked once the phone has proved who it is, so nobody learns an account's policy by asking.
    if (RefusePlaintextPhone(msg, account->second.counsellor)) return;
    const auto& counsellor = account->second.counsellor.staff_id;
    // Expiry: the Contact's expires parameter, else the Expires header, else an hour; at most the configured maximum.
    std::int64_t expires = kDefaultExpiresS;
    if (const sip_hdr* h = sip_msg_hdr(msg, SIP_HDR_EXPIRES)) {
        auto value = ParseExpires(PlText(h->val));
        if (!value) {
            sip_treply(nullptr, sip_, msg, 400, "Bad Expires");
            return;
        }
        expires = *value;
    }
    const sip_hdr* contact_hdr = sip_msg_hdr(msg, SIP_HDR_CONTACT);
    std::string contact_uri;
    bool behind_nat = false;
    if (contact_hdr) {
        if (pl_strcmp(&contact_hdr->val, "*") == 0) {
            if (expires != 0) {  // RFC 3261 section 10.3 step 6
                sip_treply(nullptr, sip_, msg, 400, "Contact * Needs Expires 0");
                return;
            }
        } else {
            sip_addr addr;
            if (sip_addr_decode(&addr, &contact_hdr->val) != 0) {
                sip_treply(nullptr, sip_, msg, 400, "Bad Contact");
                return;
            }
            contact_uri = PlText(addr.auri);
            sa contact_host;
            behind_nat = sa_set(&contact_host, &addr.uri.host, 0) == 0 && BehindNat(contact_host, msg->src);
            pl value;
            if (msg_param_decode(&addr.params, "expires", &value) == 0) {
                auto parsed = ParseExpires(PlText(value));
                if (!parsed) {
                    sip_treply(nullptr, sip_, msg, 400, "Bad Expires");
                    return;
                }
                expires = *parsed;
            }
        }
    }
    expires = std::min<std::int64_t>(expires, config_.registration_max_s);
    auto held = bindings_.find(username);
    if (held != bindings_.end() && held->second.browser) {
        // A browser tab holds the phone: the desk phone's registration is kept aside (and stored), and the
        // tab keeps the calls until the counsellor chooses the desk phone again.
        if (!contact_hdr) {
            // A query: report the desk phone's binding below.
        } else if (expires == 0) {
            held->second.desk.reset();
            if (hooks_.registrations) hooks_.registrations->Unregistered(username);
        } else {
            char flow[80] = {};
            if (msg->tp == SIP_TRANSP_TLS) re_snprintf(flow, sizeof flow, "%J", &msg->src);
            held->second.desk = DeskContact{contact_uri, now + expires * kSecondMs, behind_nat, flow};
            if (hooks_.registrations) {
                hooks_.registrations->Registered({username, counsellor, contact_uri, now + expires * kSecondMs, behind_nat});
            }
        }
        const auto& desk = held->second.desk;
        if (desk && desk->expires_ms > now) {
            sip_treplyf(nullptr, nullptr, sip_, msg, false, 200, "OK",
                        "Contact: <%s>;expires=%lld\r\nContent-Length: 0\r\n\r\n", desk->contact_uri.c_str(),
                        static_cast<long long>((desk->expires_ms - now) / 1000));
        } else {
            sip_treplyf(nullptr, nullptr, sip_, msg, false, 200, "OK", "Content-Length: 0\r\n\r\n");
        }
        return;
    }
    bool was_registered = held != bindings_.end() && held->second.expires_ms > now;
    if (!contact_hdr) {
        // A query: report the binding.
    } else if (expires == 0) {
        Unbind(username, "unregistered");
    } else {
        char flow[80] = {};
        if (msg->tp == SIP_TRANSP_TLS) re_snprintf(flow, sizeof flow, "%J", &msg->src);
        bindings_[username] = Binding{contact_uri, counsellor, now + expires * kSecondMs, behind_nat, false, "", flow};
        if (hooks_.registrations) {
            hooks_.registrations->Registered({username, counsellor, contact_uri, now + expires * kSecondMs, behind_nat});
        }
        NotePhoneEncryption(username);  // before it may become available: a plain phone is not rung for such lines
        if (!was_registered) PhoneRegistered(counsellor, "registered");
    }
    counters_.registered_phones = static_cast<std::int64_t>(bindings_.size());
    auto it = bindings_.find(username);
    if (it == bindings_.end()) {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 200, "OK", "Content-Length: 0\r\n\r\n");
    } else {
        sip_treplyf(nullptr, nullptr, sip_, msg, false, 200, "OK", "Contact: <%s>;expires=%lld\r\nContent-Length: 0\r\n\r\n",
                    it->second.contact_uri.c_str(), static_cast<long long>((it->second.expires_ms - now) / 1000));
    }
}

void Switchboard::PhoneRegistered(const std::string& counsellor, const char* how, bool browser) {
    spdlog::info("telephony: phone of {} {}", counsellor, how);
    Publish("phone.registered", nullptr, counsellor, {{"browser", browser}});
    if (!config_.available_on_register) return;
    auto now = Now();
    auto live = router_.Snapshot(now);
    for (const auto& c : live.counsellors) {
        if (c.counsellor == counsellor && c.state == acd::CounsellorState::kOffline) {
            Apply(router_.SetAvailability(counsellor, acd::CounsellorState::kAvailable, now), how);
        }
    }
}

void Switchboard::Unbind(const std::string& username, const char* why) {
    auto it = bindings_.find(username);
    if (it == bindings_.end()) return;
    std::string counsellor = it->second.counsellor;
    const bool browser = it->second.browser;
    bindings_.erase(it);
    NotePhoneEncryption(username);
    if (hooks_.registrations) hooks_.registrations->Unregistered(username);
    counters_.registered_phones = static_cast<std::int64_t>(bindings_.size());
    spdlog::info("telephony: phone of {} {}", counsellor, why);
    Publish("phone.unregistered", nullptr, counsellor, {{"why", why}});
    if (browser) {
        EndMonitoringBy(counsellor, "supervisor_gone");  // a supervisor monitoring from that tab: it ends
        // The tab that was this counsellor's phone is gone (closed, asleep, its feed lost): a call on it is
        // interrupted, never dropped; the caller goes back to the front of the queue.
        for (auto& [id, call] : calls_) {
            if (call->bridged && call->bridged->browser && call->bridged->counsellor == counsellor) {
                Interrupt(*call, "lost its browser tab");
                break;
            }
        }
    }
    // Nobody can ring them now: offline at once when idle; a call in progress and its wrap-up go on, and
    // afterwards they return to the state they chose (Router::PhoneGone).
    Apply(router_.PhoneGone(counsellor, Now()), "phone gone");
}

void Switchboard::ExpireRegistrations() {
    auto now = Now();
    std::vector<std::string> expired;
    std::vector<std::string> lapsed;  // browser tabs whose hold was not renewed
    for (auto& [username, binding] : bindings_) {
        if (binding.browser && binding.desk && binding.desk->expires_ms <= now) {
            binding.desk.reset();  // the desk phone kept aside stopped refreshing
            if (hooks_.registrations) hooks_.registrations->Unregistered(username);
        }
        if (binding.expires_ms > now) continue;
        if (binding.browser && binding.feed_closed && binding.renewed_until > now &&
            BrowserMediaFresh(binding.counsellor, now)) {
            // The tab's feed dropped but its call's audio still arrives: a blip on the feed's connection, not a
            // closed tab. Keep the call; the hold lapses as usual if the tab stops renewing, and the counsellor
            // media timeout interrupts the call if its audio stops.
            spdlog::info("telephony: the live feed of {}'s browser tab is gone but the call's audio still arrives; "
                         "the call goes on",
                         binding.counsellor);
            binding.expires_ms = binding.renewed_until;
            ++counters_.browser_feed_drops_kept;
            continue;
        }
        (binding.browser ? lapsed : expired).push_back(username);
    }
    for (const auto& username : expired) Unbind(username, "registration expired");
    for (const auto& username : lapsed) BrowserLetGo(username, "browser tab stopped renewing");
}

// ---- ringing ----

std::unique_ptr<Leg> Switchboard::Dial(const std::string& uri, const std::string& from_name,
                                       const std::string& from_uri, LegKind kind, Call* call, bool behind_nat,
                                       const std::string& route, bool srtp) {
    // Over TLS (a sips: URI, transport=tls, or a TLS route) our Contact is sips: too (RFC 3261 section 26), and
    // only then may keys go in the offer (RFC 4568 section 8.3).
    const std::string& next = route.empty() ? uri : route;
    const bool secure = tls_ && SecureUri(next);
    auto taken = TakeLeg(call, kind, behind_nat, secure && srtp);
    if (!taken) {
        spdlog::warn("telephony: no leg for a call out: {}", taken.error().message);
        return nullptr;
    }
    auto leg = std::move(*taken);
    mbuf* offer = nullptr;
    if (sdp_encode(&offer, leg->sdp, true) != 0) return nullptr;
    const std::string contact = ContactFor(secure ? SIP_TRANSP_TLS : SIP_TRANSP_UDP, nullptr);
    const char* routev[] = {route.c_str()};
    int err = sipsess_connect(&leg->sess, sock_, uri.c_str(), from_name.c_str(), from_uri.c_str(), contact.c_str(),
                              route.empty() ? nullptr : routev, route.empty() ? 0 : 1, "application/sdp", offer,
                              nullptr, nullptr, false, Callbacks::PhoneOffer,
                              Callbacks::PhoneAnswer, Callbacks::PhoneProgress, Callbacks::PhoneEstablished, nullptr,
                              kind == LegKind::kPhone ? Callbacks::PhoneRefer : nullptr, Callbacks::PhoneClosed,
                              leg.get(), "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS%s\r\n",
                              kind == LegKind::kPhone ? ", REFER" : "");
    mem_deref(offer);
    if (err) {
        spdlog::warn("telephony: the INVITE could not be sent ({})", std::strerror(err));
        return nullptr;
    }
    leg->state = LegState::kRinging;
    return leg;
}

std::string Switchboard::FlowRoute(const Binding& binding) const {
    // A phone registered over TLS is rung on the connection it registered on (it may sit behind NAT, and
    // may listen nowhere): libre sends to the Route's address and finds that connection open.
    if (binding.tls_flow.empty() || !tls_) return "";
    return "sip:" + binding.tls_flow + ";transport=tls";  // libre writes it as Route: <...;lr>
}

std::string Switchboard::LineUri(const records::PhoneLine& line) const {
    return "sip:" + (line.numbers.empty() ? std::string("crisisline") : line.numbers.front()) + "@" + config_.realm;
}

const Trunk* Switchboard::OutboundTrunk() const {
    for (const auto& trunk : trunks_) {
        if (!trunk.outbound.empty()) return &trunk;
    }
    return nullptr;
}

void Switchboard::Ring(Call& call, const std::string& counsellor) {
    auto fail = [&](const char* why) {
        spdlog::warn("telephony: cannot ring {} for call {}: {}", counsellor, call.id, why);
        std::string id = call.id;
        deferred_.push_back([this, id, counsellor] {
            Apply(router_.RingFailed(id, counsellor, Now()), "ring failed");
            if (auto* still = FindCall(id)) TransferRingEnded(*still, counsellor, "failed");
            if (auto* still = FindCall(id)) ConsultRingEnded(*still, counsellor, "failed");
        });
    };
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) return fail("no phone account");
    auto binding = bindings_.find(username->second);
    if (binding == bindings_.end() || binding->second.expires_ms <= Now()) return fail("phone not registered");
    // The Router rings only encrypted phones for such a line (SetPhoneEncrypted); a binding that changed since
    // is refused here, never rung plain.
    if (EncryptsEveryLeg(call.record.line_id) && !PhoneLegEncrypted(username->second)) {
        return fail("the line requires every leg encrypted and this phone's leg would be plain");
    }
    if (binding->second.browser) return RingBrowser(call, counsellor);
    const auto& line = lines_[call.record.line_id];
    // What the phone shows: the line and the language, never the caller's number.
    std::string from_name = line.name + (call.language == acd::Language::kWelsh ? " (Cymraeg)" : "");
    auto account = accounts_.find(username->second);
    auto policy = account == accounts_.end() ? records::kDefaultEncryption : account->second.counsellor.encryption;
    auto leg = Dial(binding->second.contact_uri, from_name, LineUri(line), LegKind::kPhone, &call,
                    binding->second.behind_nat, FlowRoute(binding->second), policy != records::Encryption::kOff);
    if (!leg) return fail("no media port, or the INVITE could not be sent");
    leg->counsellor = counsellor;
    leg->must_encrypt = policy == records::Encryption::kRequired;
    leg->policy_owner = "phone account " + username->second;
    RequireEncryptedLeg(*leg, call.record.line_id);  // a plain RTP answer ends the leg, as a failed ring
    AddPeerUri(*leg, binding->second.contact_uri);  // and whoever answers (PhoneAnswer): dialogs.hpp
    if (hooks_.routing_latency && routing_event_at_ != std::chrono::steady_clock::time_point{}) {
        hooks_.routing_latency(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - routing_event_at_).count());
    }
    call.phones[counsellor] = std::move(leg);
    nlohmann::json data = {{"language", call.language == acd::Language::kWelsh ? "cy" : "en"},
                           {"wait_ms", Now() - call.record.arrived_at}};
    // Known once the writer has counted earlier calls from the number (usually before the first ring).
    if (call.repeat_count) data["repeat_count"] = *call.repeat_count;
    Publish("call.ringing", &call, counsellor, std::move(data));
}

void Switchboard::StopRinging(Call& call, const std::string& counsellor) {
    auto it = call.phones.find(counsellor);
    if (it == call.phones.end()) return;
    auto leg = std::move(it->second);
    call.phones.erase(it);
    if (leg && leg->browser && leg->state == LegState::kRinging) BrowserRingStopped(call, *leg);
    if (leg) HangUp(*leg);  // CANCEL (or BYE if it raced to answer)
    Retire(std::move(leg));
    TransferRingEnded(call, counsellor, "no_answer");  // a transfer ring the Router stopped (its ring timeout)
    ConsultRingEnded(call, counsellor, "no_answer");   // or a consult's
}

void Switchboard::RingOverflow(Call& call) {
    const auto& line = lines_[call.record.line_id];
    const auto& target = line.routing.overflow_to;
    if (target.rfind("line:", 0) == 0) {
        // The Router now offers it to that line's counsellors as well.
        spdlog::info("telephony: call {} offered to the counsellors of line {} too", call.id, target.substr(5));
        Publish("call.overflow", &call, "", {{"wait_ms", Now() - call.record.arrived_at}, {"to_line", target.substr(5)}});
        return;
    }
    if (target.rfind("sip:", 0) != 0 && target.rfind("sips:", 0) != 0) return;
    if (call.overflow) return;
    if (line.routing.every_leg_encrypted && !(tls_ && SecureUri(target))) {
        // records::LineFromFields refuses such a target; a line stored before that rule is not dialled plain.
        spdlog::warn("telephony: call {}: line {} requires every leg encrypted; overflow {} would be plain: not "
                     "offered", call.id, line.id, tls_ ? "to a sip: URI" : "without SIP over TLS");
        return;
    }
    auto leg = Dial(target, line.name, LineUri(line), LegKind::kOverflow, &call);
    if (leg) RequireEncryptedLeg(*leg, line.id);
    if (!leg) {
        spdlog::warn("telephony: call {}: could not offer it to the overflow destination", call.id);
        return;
    }
    call.overflow = std::move(leg);
    spdlog::info("telephony: call {} offered to the overflow destination while it stays queued", call.id);
    Publish("call.overflow", &call, "", {{"wait_ms", Now() - call.record.arrived_at}});
}

void Switchboard::PhoneAnswered(Leg& leg) {
    if (leg.kind == LegKind::kSupervisor) return SupervisorAnswered(leg);
    Call* call = leg.call;
    if (call && call->phase == CallPhase::kBridged && call->conference && !call->conference->connected &&
        ConferenceLeg(*call) == &leg) {
        return ConferenceAnswered(*call, leg);
    }
    if (leg.kind == LegKind::kConferenceParty) return HangUp(leg);  // answered after its conference ended
    if (call && call->phase == CallPhase::kBridged && call->transfer && leg.kind == LegKind::kPhone &&
        call->transfer->to == leg.counsellor) {
        return TransferAnswered(*call, leg);
    }
    if (call && call->phase == CallPhase::kBridged && call->consult && !call->consult->connected &&
        leg.kind == LegKind::kPhone && call->consult->to == leg.counsellor) {
        return ConsultAnswered(*call, leg);
    }
    if (!call || call->phase != CallPhase::kQueued) {
        // Answered after the caller went or someone else took it: release this phone.
        HangUp(leg);
        return;
    }
    if (leg.kind == LegKind::kOverflow) {
        auto commands = router_.OverflowAnswered(call->id, Now());
        if (!commands) {
            HangUp(leg);
            return;
        }
        Bridge(*call, leg);
        Apply(std::move(*commands));
        return;
    }
    auto commands = router_.RingAnswered(call->id, leg.counsellor, Now());
    if (!commands) {
        spdlog::info("telephony: {} answered call {} too late: {}", leg.counsellor, call->id,
                     commands.error().message);
        HangUp(leg);  // BYE to that phone only
        auto it = call->phones.find(leg.counsellor);
        if (it != call->phones.end()) {
            Retire(std::move(it->second));
            call->phones.erase(it);
        }
        return;
    }
    Apply(std::move(*commands));  // Bridge, and every other ring stops
}

void Switchboard::PhoneGone(Leg& leg, int err, std::uint16_t scode) {
    if (leg.kind == LegKind::kSupervisor) return SupervisorGone(leg, scode);
    Call* call = leg.call;
    if (!call) return;
    if (call->phase == CallPhase::kBridged && ConsultPhoneGone(*call, leg)) return;
    if (ConferencePartyGone(*call, leg, scode)) return;
    if (call->bridged == &leg) {
        spdlog::info("telephony: call {}: {} hung up", call->id, leg.kind == LegKind::kPhone ? "counsellor" : "overflow");
        if (call->conference) {
            // The counsellor hanging up on a conference whose third party is there leaves the caller with them.
            if (call->conference->connected && LeaveConference(*call)) {
                return;
            }
            EndConference(*call, "counsellor_hung_up");
        }
        if (call->transfer) {
            // Hung up while the colleague's phone rang for a transfer: the caller is not dropped but waits at the
            // front of the line's queue (where that colleague, free, is likely rung next).
            if (MoveToQueue(*call, call->record.line_id)) return;
        }
        if (SurveyWanted(*call, leg)) {
            StartSurvey(*call);
        } else {
            EndCall(*call, "completed");
        }
        return;
    }
    if (call->phase == CallPhase::kEnded || leg.kind == LegKind::kConferenceParty) return;
    if (leg.kind == LegKind::kOverflow) {
        spdlog::info("telephony: call {}: overflow destination did not take it ({}), it stays queued", call->id,
                     scode ? scode : err);
        Retire(std::move(call->overflow));
        return;
    }
    std::string counsellor = leg.counsellor;
    spdlog::info("telephony: ring of {} for call {} ended without an answer ({})", counsellor, call->id,
                 scode ? scode : err);
    auto it = call->phones.find(counsellor);
    if (it != call->phones.end()) {
        Retire(std::move(it->second));
        call->phones.erase(it);
    }
    routing_event_at_ = std::chrono::steady_clock::now();
    const std::string id = call->id;
    Apply(router_.RingFailed(id, counsellor, Now()), "ring failed");
    const char* why = scode == 603 || scode == 486 ? "declined" : "failed";
    if (auto* still = FindCall(id)) TransferRingEnded(*still, counsellor, why);
    if (auto* still = FindCall(id)) ConsultRingEnded(*still, counsellor, why);
}

// ---- phone leg callbacks ----

int Callbacks::PhoneOffer(mbuf** descp, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (!mbuf_get_left(msg->mb)) return ReOffer(*leg, descp);
    bool was_quiet = leg->on_hold || leg->sends_nothing;
    if (!DecodeRemoteSdp(*leg, msg, true)) return EPROTO;
    if (was_quiet && !leg->on_hold && !leg->sends_nothing) leg->last_rx_ms = leg->board->Now();
    return sdp_encode(descp, leg->sdp, false);
}

int Callbacks::PhoneAnswer(const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    AddPeer(*leg, msg->src);  // the 2xx we asked for comes from the party that answered
    // libre has just taken the 2xx's Contact as the dialog's target and sends the ACK there next: a sips: one
    // it cannot send to (flow_target.hpp), so the ACK, like every later request, goes on the connection.
    AimAtFlow(*leg);
    if (!DecodeRemoteSdp(*leg, msg, false)) return EPROTO;
    return 0;
}

void Callbacks::PhoneProgress(const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (msg && mbuf_get_left(msg->mb)) DecodeRemoteSdp(*leg, msg, false);
}

void Callbacks::PhoneEstablished(const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->state == LegState::kGone) return;
    if (msg) AddPeer(*leg, msg->src);
    if (leg->follow_up) {
        leg->board->FollowUpLegAnswered(*leg);
        return;
    }
    leg->board->PhoneAnswered(*leg);
}

void Callbacks::PhoneClosed(int err, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->state == LegState::kGone) return;
    leg->state = LegState::kGone;
    if (leg->follow_up) {
        leg->board->FollowUpLegGone(*leg, msg ? msg->scode : 0, err);
        return;
    }
    leg->board->PhoneGone(*leg, err, msg ? msg->scode : 0);
}

}  // namespace crisisline::telephony
