// Browser phones: the console as a counsellor's phone. The tab holds a binding like a registered phone;
// a ring goes to it over the live feed, its answer carries a WebRTC offer, and its media is ICE-lite +
// DTLS-SRTP on the shared media sockets. Every check fails closed: a packet that fails one is dropped,
// counted by reason (Counters::browser_dropped) and never reaches the other leg.
#include <sodium.h>

#include <algorithm>
#include <cassert>

#include <spdlog/spdlog.h>

#include "telephony/browser_sdp.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/ice_lite.hpp"

namespace crisisline::telephony {

// ---- the tab's binding ----

Result<Switchboard::BrowserPhoneHeld> Switchboard::HoldBrowserPhone(const std::string& counsellor,
                                                                    const std::string& tab, bool take_over,
                                                                    std::int64_t expires_s) {
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) {
        return Fail(ErrorCode::kNotFound, "you have no phone account on this server; an administrator adds one");
    }
    auto now = Now();
    BrowserPhoneHeld held{tab, ""};
    auto it = bindings_.find(username->second);
    bool was_registered = it != bindings_.end() && it->second.expires_ms > now;
    bool was_browser = was_registered && it->second.browser;
    if (was_registered && it->second.browser && it->second.tab != tab) {
        if (!take_over) return Fail(ErrorCode::kConflict, "tab", "another tab answers your calls");
        if (BrowserHasCall(counsellor)) {
            return Fail(ErrorCode::kConflict, "tab", "another tab has a call in progress; it cannot be taken over now");
        }
        held.previous_tab = it->second.tab;
    }
    // A tab whose live feed closed cannot hear a ring: its renewals do not outlast the feed's grace, and after it
    // the tab takes the phone only once its feed is back (a console reopens it on its own; a reload does too).
    const auto feed = tab_feeds_.find(counsellor);
    const bool feed_lost = feed != tab_feeds_.end() && feed->second.tab == tab && feed->second.open == 0;
    // (A call whose audio still arrives is a blip on the feed's connection, as in ExpireRegistrations: it is kept.)
    if (feed_lost && (!was_browser || it->second.tab != tab || feed->second.grace_until <= now) &&
        !BrowserMediaFresh(counsellor, now)) {
        return Fail(ErrorCode::kConflict, "tab",
                    "this tab's live feed is not connected, so calls could not ring here; reload the page");
    }
    Binding binding;
    binding.counsellor = counsellor;
    binding.expires_ms = now + expires_s * kSecondMs;
    binding.browser = true;
    binding.tab = tab;
    if (feed_lost) {
        binding.feed_closed = true;
        binding.renewed_until = binding.expires_ms;  // restored if the feed comes back within the grace
        binding.expires_ms = std::min(binding.expires_ms, feed->second.grace_until);
    }
    if (it != bindings_.end()) {
        if (it->second.browser) {
            binding.desk = it->second.desk;
        } else if (it->second.expires_ms > now) {
            binding.desk = DeskContact{it->second.contact_uri, it->second.expires_ms, it->second.behind_nat,
                                       it->second.tls_flow};
        }
    }
    bindings_[username->second] = binding;
    counters_.registered_phones = static_cast<std::int64_t>(bindings_.size());
    if (!held.previous_tab.empty()) {
        spdlog::info("telephony: phone of {} taken over by another browser tab", counsellor);
        Publish("phone.taken_over", nullptr, counsellor, {{"tab", held.previous_tab}, {"by", tab}});
    }
    NotePhoneEncryption(username->second);  // DTLS-SRTP: rung for lines that require every leg encrypted
    if (!was_browser) PhoneRegistered(counsellor, "answers in the browser", true);
    return held;
}

Result<void> Switchboard::ReleaseBrowserPhone(const std::string& counsellor, const std::string& tab) {
    auto username = username_of_.find(counsellor);
    if (username == username_of_.end()) return {};
    auto it = bindings_.find(username->second);
    if (it == bindings_.end() || !it->second.browser || it->second.tab != tab) return {};
    if (BrowserHasCall(counsellor)) {
        return Fail(ErrorCode::kConflict, "mode", "hang up first: this tab has a call in progress");
    }
    BrowserLetGo(username->second, "uses the desk phone again");
    return {};
}

void Switchboard::BrowserLetGo(const std::string& username, const char* why) {
    auto it = bindings_.find(username);
    if (it == bindings_.end()) return;
    auto desk = it->second.desk;
    if (!desk || desk->expires_ms <= Now()) {
        Unbind(username, why);
        return;
    }
    const std::string counsellor = it->second.counsellor;
    // A call still on the tab (its hold lapsed mid-call): interrupted, never dropped, as in Unbind.
    for (auto& [id, call] : calls_) {
        if (call->bridged && call->bridged->browser && call->bridged->counsellor == counsellor) {
            Interrupt(*call, "lost its browser tab");
            break;
        }
    }
    it = bindings_.find(username);  // Interrupt may have changed the bindings
    if (it == bindings_.end()) return;
    Binding back;
    back.contact_uri = desk->contact_uri;
    back.counsellor = it->second.counsellor;
    back.expires_ms = desk->expires_ms;
    back.behind_nat = desk->behind_nat;
    back.tls_flow = desk->tls_flow;
    it->second = std::move(back);
    NotePhoneEncryption(username);  // the desk phone's leg may be plain
    spdlog::info("telephony: phone of {} {}: the desk phone rings again", it->second.counsellor, why);
    Publish("phone.registered", nullptr, it->second.counsellor, {{"why", why}, {"browser", false}});
}

bool Switchboard::BrowserHasCall(const std::string& counsellor) const {
    for (const auto& [id, call] : calls_) {
        if (call->bridged && call->bridged->browser && call->bridged->counsellor == counsellor) return true;
    }
    return false;
}

const std::string& Switchboard::DtlsFingerprint() const {
    static const std::string kNone;
    return dtls_identity_ ? dtls_identity_->Fingerprint() : kNone;
}

// ---- ringing and answering ----

void Switchboard::RingBrowser(Call& call, const std::string& counsellor) {
    auto taken = TakeLeg(&call, LegKind::kPhone);
    if (!taken) {
        spdlog::warn("telephony: cannot ring the browser of {} for call {}: no media port", counsellor, call.id);
        std::string id = call.id;
        deferred_.push_back([this, id, counsellor] { Apply(router_.RingFailed(id, counsellor, Now()), "ring failed"); });
        return;
    }
    auto leg = std::move(*taken);
    leg->counsellor = counsellor;
    leg->state = LegState::kRinging;
    leg->browser = std::make_unique<BrowserMedia>();
    leg->browser->ice = IceSession(NewIceUfrag(), NewIcePwd());
    if (hooks_.routing_latency && routing_event_at_ != std::chrono::steady_clock::time_point{}) {
        hooks_.routing_latency(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - routing_event_at_).count());
    }
    call.phones[counsellor] = std::move(leg);
    nlohmann::json data = {{"language", call.language == acd::Language::kWelsh ? "cy" : "en"},
                           {"wait_ms", Now() - call.record.arrived_at},
                           {"browser", true}};
    if (call.repeat_count) data["repeat_count"] = *call.repeat_count;
    Publish("call.ringing", &call, counsellor, std::move(data));
}

void Switchboard::BrowserRingStopped(Call& call, const Leg& leg) {
    Publish("browser.ring_stopped", &call, leg.counsellor, {});
}

Result<Leg*> Switchboard::BrowserLegOf(const std::string& counsellor, const std::string& call_id) {
    Call* call = FindCall(call_id);
    if (!call) {
        // Answered as a transfer or consult ring: the call carries on under its next contact's id, while the tab
        // still names the one it answered.
        for (const auto& [id, carried] : calls_) {
            if (carried->record.continues == call_id && carried->phones.count(counsellor)) call = carried.get();
        }
    }
    if (!call || call->phase == CallPhase::kEnded) return Fail(ErrorCode::kNotFound, "call", "no such call in progress");
    // A supervisor monitoring the call from their browser phone: that leg.
    if (const auto& m = call->monitoring; m && m->supervisor == counsellor && m->leg && m->leg->browser &&
                                          m->leg->state != LegState::kGone) {
        return m->leg.get();
    }
    auto it = call->phones.find(counsellor);
    if (it == call->phones.end() || !it->second || !it->second->browser || it->second->state == LegState::kGone) {
        return Fail(ErrorCode::kConflict, "call", "this call is not ringing or connected to your browser");
    }
    return it->second.get();
}

bool Switchboard::ServesCallLine(const Call& call, const std::function<bool(const std::string&)>& serves) const {
    const auto& line = call.record.line_id;
    if (serves(line)) return true;
    auto l = lines_.find(line);
    const std::string& overflow = l == lines_.end() ? std::string() : l->second.routing.overflow_to;
    return overflow.rfind("line:", 0) == 0 && serves(overflow.substr(5));
}

Result<std::string> Switchboard::AnswerInBrowser(const std::string& counsellor, const std::string& call_id,
                                                 const std::string& offer_sdp,
                                                 const std::function<bool(const std::string&)>& serves) {
    // A line they do not serve is refused as such (403), whether or not their browser is rung for the call.
    if (Call* any = FindCall(call_id); any && any->phase != CallPhase::kEnded && !ServesCallLine(*any, serves)) {
        return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    }
    auto found = BrowserLegOf(counsellor, call_id);
    if (!found) return tl::unexpected(found.error());
    Leg& leg = **found;
    Call& call = *leg.call;
    if (leg.state != LegState::kRinging) return Fail(ErrorCode::kConflict, "call", "this call is already answered");
    auto offer = ReadBrowserOffer(offer_sdp);
    if (!offer) return tl::unexpected(offer.error());
    BrowserMedia& b = *leg.browser;
    b.ice.Answered(offer->ice_ufrag, offer->ice_pwd);
    b.dtls = std::make_unique<DtlsSrtp>(dtls_identity_, offer->fingerprint);
    b.last_consent_ms = Now();
    b.offer = *offer;
    b.session_id = randombytes_random();
    bool pcma = false;
    BrowserAnswerParams params{config_.rtp_address, media_.PortOf(leg), b.ice.current().local_ufrag,
                               b.ice.current().local_pwd, dtls_identity_->Fingerprint(), b.session_id,
                               call.caller && call.caller->codec == media::Codec::kPcma};
    std::string answer = WriteBrowserAnswer(*offer, params, &pcma);
    b.answer = answer;
    leg.codec = pcma ? media::Codec::kPcma : media::Codec::kPcmu;
    leg.remote_event_pt = offer->event_pt;
    browser_legs_[b.ice.current().local_ufrag] = &leg;
    leg.last_rx_ms = Now();
    routing_event_at_ = std::chrono::steady_clock::now();
    PhoneAnswered(leg);
    if (leg.kind == LegKind::kSupervisor) {
        // SupervisorAnswered hung the leg up if the call or its monitoring ended meanwhile.
        if (!call.monitoring || call.monitoring->leg.get() != &leg || !call.monitoring->connected) {
            return Fail(ErrorCode::kConflict, "call", "the monitoring of this call has ended");
        }
        spdlog::info("telephony: call {}: monitored from the browser of {}", call.id, counsellor);
        return answer;
    }
    const bool consulting = call.consult && call.consult->connected && call.consult->to == counsellor;
    if (call.bridged != &leg && !consulting && ConferenceLeg(call) != &leg) {
        return Fail(ErrorCode::kConflict, "call", "someone else answered this call first");
    }
    spdlog::info("telephony: call {} answered in the browser of {}", call.id, counsellor);
    return answer;
}

Result<std::string> Switchboard::ReofferFromBrowser(const std::string& counsellor, const std::string& call_id,
                                                   const std::string& offer_sdp,
                                                   const std::function<bool(const std::string&)>& serves) {
    auto found = BrowserLegOf(counsellor, call_id);
    if (!found) return tl::unexpected(found.error());
    Leg& leg = **found;
    Call& call = *leg.call;
    if (!ServesCallLine(call, serves)) return Fail(ErrorCode::kForbidden, "you do not serve this call's line");
    const bool monitoring = leg.kind == LegKind::kSupervisor;  // BrowserLegOf found the supervisor's own leg
    const bool consulting = call.consult && call.consult->connected && call.consult->to == counsellor;
    const bool conferenced = ConferenceLeg(call) == &leg;  // a colleague added to the call, in their browser
    if (leg.state != LegState::kUp || (call.bridged != &leg && !monitoring && !consulting && !conferenced) ||
        !leg.browser->dtls) {
        return Fail(ErrorCode::kConflict, "call", "this call is not answered in your browser");
    }
    BrowserMedia& b = *leg.browser;
    auto offer = ReadBrowserReoffer(offer_sdp, b.offer, leg.codec == media::Codec::kPcma);
    if (!offer) return tl::unexpected(offer.error());
    if (!RestartsIce(b.offer, *offer)) return b.answer;
    auto before = b.ice.LocalUfrags();
    bool restarted = b.ice.Reoffered(offer->ice_ufrag, offer->ice_pwd, NewIceUfrag(), NewIcePwd());
    assert(restarted);  // RestartsIce said the browser's credentials changed
    (void)restarted;
    FileBrowserLeg(leg, before);
    b.offer.ice_ufrag = offer->ice_ufrag;
    b.offer.ice_pwd = offer->ice_pwd;
    // The same DTLS role, certificate and codec: the DTLS-SRTP session and its keys go on untouched.
    BrowserAnswerParams params{config_.rtp_address, media_.PortOf(leg), b.ice.current().local_ufrag,
                               b.ice.current().local_pwd, dtls_identity_->Fingerprint(), b.session_id,
                               leg.codec == media::Codec::kPcma};
    params.version = ++b.version;
    b.answer = WriteBrowserAnswer(b.offer, params);
    // The browser is there (it just re-offered): its media timeout and consent start again, so the restart
    // has the whole timeout to find a new path before the caller is re-queued.
    leg.last_rx_ms = Now();
    b.last_consent_ms = Now();
    ++counters_.browser_ice_restarts;
    spdlog::info("telephony: call {}: the browser of {} restarts ICE", call.id, counsellor);
    return b.answer;
}

void Switchboard::FileBrowserLeg(Leg& leg, const std::vector<std::string>& before) {
    auto now = leg.browser->ice.LocalUfrags();
    for (const auto& ufrag : before) {
        if (std::find(now.begin(), now.end(), ufrag) != now.end()) continue;
        auto it = browser_legs_.find(ufrag);
        if (it != browser_legs_.end() && it->second == &leg) browser_legs_.erase(it);
    }
    for (const auto& ufrag : now) browser_legs_[ufrag] = &leg;
}

Result<void> Switchboard::HangUpInBrowser(const std::string& counsellor, const std::string& call_id) {
    auto found = BrowserLegOf(counsellor, call_id);
    if (!found) return tl::unexpected(found.error());
    Leg& leg = **found;
    bool ringing = leg.state == LegState::kRinging;
    leg.state = LegState::kGone;
    // As a SIP phone's 603 Decline while it rings, its BYE once bridged.
    PhoneGone(leg, 0, ringing ? 603 : 0);
    return {};
}

// ---- call quality, as the browser measures it ----

Result<void> Switchboard::ReportBrowserQuality(const std::string& counsellor, const std::string& call_id,
                                               CallQuality quality) {
    auto found = BrowserLegOf(counsellor, call_id);
    if (!found) return tl::unexpected(found.error());
    Leg& leg = **found;
    if (leg.call->bridged != &leg) return Fail(ErrorCode::kConflict, "call", "this call is not connected to your browser");
    quality.call = call_id;
    quality.at = Now();
    auto last = browser_quality_.find(counsellor);
    bool news = last == browser_quality_.end() || last->second.call != call_id || last->second.grade != quality.grade;
    browser_quality_[counsellor] = quality;
    // The numbers of every report are in the live picture; the feed hears of a change of grade only, so a
    // floor of browser phones reporting every 5 s does not crowd the bus's history.
    if (news) {
        nlohmann::json data = {{"grade", kCallGradeNames[static_cast<size_t>(quality.grade)]},
                               {"loss_percent", quality.loss_percent},
                               {"jitter_ms", quality.jitter_ms},
                               {"rtt_ms", quality.rtt_ms ? nlohmann::json(*quality.rtt_ms) : nlohmann::json(nullptr)}};
        Publish("phone.quality", leg.call, counsellor, std::move(data));
    }
    return {};
}

std::vector<std::string> Switchboard::BrowserPhones() const {
    std::vector<std::string> out;
    auto now = Now();
    for (const auto& [username, binding] : bindings_) {
        if (binding.browser && binding.expires_ms > now) out.push_back(binding.counsellor);
    }
    return out;
}

// ---- media: ICE-lite, DTLS, SRTP ----

void Callbacks::Stun(size_t socket, const sa& src, const std::uint8_t* data, size_t n, void* arg) {
    static_cast<Switchboard*>(arg)->OnStun(socket, src, data, n);
}

void Callbacks::Secure(Leg& leg, mbuf* mb, void* arg) { static_cast<Switchboard*>(arg)->OnSecureMedia(leg, mb); }

void Callbacks::BrowserLegGone(Leg& leg) {
    auto& legs = leg.board->browser_legs_;
    for (const auto& ufrag : leg.browser->ice.LocalUfrags()) {
        auto it = legs.find(ufrag);
        if (it != legs.end() && it->second == &leg) legs.erase(it);
    }
}

void Switchboard::OnStun(size_t socket, const sa& src, const std::uint8_t* data, size_t n) {
    StunBindingRequest request(data, n);
    if (request.fault() != StunFault::kNone) {
        Dropped(request.fault() == StunFault::kUnknownUser ? BrowserDrop::kStunUnknownUser : BrowserDrop::kStunMalformed);
        return;
    }
    auto it = browser_legs_.find(request.local_ufrag());
    if (it == browser_legs_.end() || it->second->media_socket != static_cast<int>(socket) ||
        it->second->state == LegState::kGone) {
        Dropped(BrowserDrop::kStunUnknownUser);
        return;
    }
    Leg& leg = *it->second;
    BrowserMedia& b = *leg.browser;
    auto before = b.ice.LocalUfrags();
    auto verdict = b.ice.Check(request);
    if (verdict.fault != StunFault::kNone) {
        Dropped(verdict.fault == StunFault::kUnknownUser ? BrowserDrop::kStunUnknownUser
                                                          : BrowserDrop::kStunWrongCredentials);
        return;
    }
    b.last_consent_ms = Now();
    if (verdict.restart_done) {
        FileBrowserLeg(leg, before);  // the old credentials are refused from now on
        spdlog::info("telephony: browser leg of {}: ICE restarted, its media follows the new pair", leg.counsellor);
    }
    // ICE-lite: the browser (controlling) chooses the pair. Its media comes from the first address that
    // passed a check, or from the one it nominates (after an ICE restart, the new generation's pair).
    bool moved = !leg.have_remote || (request.use_candidate() && !sa_cmp(&leg.remote, &src, SA_ALL));
    if (moved) {
        sa_cpy(&leg.remote, &src);
        leg.have_remote = true;
        if (!media_.Expect(leg)) {
            spdlog::warn("telephony: browser leg of {}: its address is another leg's on that socket", leg.counsellor);
            leg.have_remote = false;
            return;
        }
    }
    auto reply = request.Success(src, verdict.local_pwd);
    if (!reply.empty()) media_.Send(leg, src, reply.data(), reply.size());
}

void Switchboard::SendDtls(Leg& leg, const DtlsSrtp::Datagrams& datagrams) {
    for (const auto& d : datagrams) media_.Send(leg, leg.remote, d.data(), d.size());
}

void Switchboard::OnSecureMedia(Leg& leg, mbuf* mb) {
    if (leg.state == LegState::kGone) return;
    if (leg.srtp) {
        OnSdesMedia(leg, mb);
        return;
    }
    if (!leg.browser || !leg.browser->dtls) return;
    BrowserMedia& b = *leg.browser;
    DtlsSrtp& dtls = *b.dtls;
    const std::uint8_t* p = mbuf_buf(mb);
    size_t n = mbuf_get_left(mb);
    if (DemuxFirstByte(p[0]) == Demux::kDtls) {
        if (dtls.fault() != DtlsFault::kNone) {
            Dropped(dtls.fault() == DtlsFault::kFingerprintMismatch ? BrowserDrop::kFingerprintMismatch
                                                                    : BrowserDrop::kDtlsFailed);
            return;
        }
        SendDtls(leg, dtls.Receive(p, n));
        if (b.keys_reported) return;
        if (dtls.Ready()) {
            b.keys_reported = true;
            ++counters_.browser_handshakes;
            spdlog::info("telephony: browser leg of {}: DTLS-SRTP keyed ({})", leg.counsellor, dtls.ProfileName());
        } else if (dtls.fault() != DtlsFault::kNone) {
            b.keys_reported = true;
            bool mismatch = dtls.fault() == DtlsFault::kFingerprintMismatch;
            Dropped(mismatch ? BrowserDrop::kFingerprintMismatch : BrowserDrop::kDtlsFailed);
            spdlog::warn("telephony: browser leg of {}: {}; its media is refused", leg.counsellor,
                         DtlsFaultName(dtls.fault()));
        }
        return;
    }
    if (!dtls.Ready()) {
        Dropped(BrowserDrop::kBeforeKeys);
        return;
    }
    // RFC 5761: with rtcp-mux, RTCP's packet types 192-223 sit where RTP's marker and payload type are.
    bool rtcp = n >= 2 && p[1] >= 192 && p[1] <= 223;
    if (rtcp) {
        if (!dtls.UnprotectRtcp(mb)) Dropped(BrowserDrop::kSrtcpAuth);
        return;  // reports are read by nobody yet; authenticated, then dropped
    }
    if (!dtls.Unprotect(mb)) {
        Dropped(BrowserDrop::kSrtpAuth);
        return;
    }
    rtp_header hdr{};
    if (rtp_hdr_decode(&hdr, mb) != 0 || hdr.ver != RTP_VERSION) {
        ++counters_.rtp_ignored;
        return;
    }
    Callbacks::Rtp(leg, &hdr, mb, this);
}

void Switchboard::BrowserTimers() {
    for (auto& [ufrag, leg] : browser_legs_) {
        auto& b = *leg->browser;
        if (b.dtls && !b.keys_reported && leg->have_remote) SendDtls(*leg, b.dtls->OnTimer());
    }
}

}  // namespace crisisline::telephony
