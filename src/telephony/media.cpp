// The media clock and the relay: prompts and hold audio into legs that are not
// bridged, RTP from one leg to the other when they are, DTMF from callers.
#include <netinet/in.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "media/dtmf.hpp"
#include "telephony/callbacks.hpp"

namespace crisisline::telephony {

namespace {

constexpr std::uint32_t kLocalSource = 0x6c6f6361;  // the rewriter's key for the server's own audio
constexpr std::uint64_t kTimeoutCheckTicks = 50;  // once a second
constexpr std::uint64_t kGaugeTicks = 12;         // about every 250 ms

}  // namespace

void Callbacks::TickFd(int flags, void* arg) {
    auto* board = static_cast<Switchboard*>(arg);
    if (!(flags & FD_READ)) return;
    std::uint64_t expirations = 0;
    if (read(board->tick_fd_, &expirations, sizeof expirations) != sizeof expirations) return;
    board->OnTick(expirations);
}

void Callbacks::Rtp(Leg& leg, const rtp_header* hdr, mbuf* mb, void* arg) {
    auto* board = static_cast<Switchboard*>(arg);
    if (leg.state == LegState::kGone) return;
    if (leg.call == nullptr && leg.follow_up == nullptr) return;
    board->OnMedia(leg, hdr, mb);
}

// The media clock: a periodic timerfd of its own, not a libre timer. It was moved here when libre 1.1.0's
// timer list walked some 10,000 SIP transaction timers per insert at a busy hour; libre's timers are now
// kept in an O(log n) calendar (libre/timers.hpp), but a fixed 20 ms period still needs no re-arming at all.
// Deadlines of our own (routing, language choice) are checked here, to within one tick.
void Switchboard::OnTick(std::uint64_t expirations) {
    Collect();
    auto now = tmr_jiffies();
    // One frame per 20 ms owed, so prompts keep time after a late tick (at most 5 at once).
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(std::max<std::uint64_t>(expirations, 1), 5); ++i) {
        PlayFrames(now);
    }
    auto now_ms = Now();
    if (router_deadline_ && now_ms >= *router_deadline_) OnRouterTimer();
    std::vector<std::string> chose;
    for (const auto& [id, call] : calls_) {
        if (call->phase == CallPhase::kChoosing && call->choice_deadline && now_ms >= call->choice_deadline) {
            chose.push_back(id);
        }
    }
    for (const auto& id : chose) {
        if (auto* call = FindCall(id)) ChooseLanguage(*call, acd::Language::kEnglish);
    }
    SurveyTimers(now_ms);
    BrowserTimers();
    if (++ticks_ % kTimeoutCheckTicks == 0) {
        CheckMediaTimeouts(Now());
        ConferenceTimers(Now());
        ExpireRegistrations();
    }
    // The gauges for /metrics, four times a second: a full snapshot costs O(counsellors),
    // too much to take after every event at a busy hour.
    if (ticks_ % kGaugeTicks == 0) RefreshGauges();
    media_.Flush();  // the frames just played
    counters_.rtp_ignored += media_.Ignored() - ignored_seen_;
    ignored_seen_ = media_.Ignored();
}

void Switchboard::PlayFrames(std::uint64_t now_ms) {
    for (auto& [id, call] : calls_) {
        Leg* leg = call->caller.get();
        if (!call->acked || !leg || leg->state == LegState::kGone || !leg->have_remote) continue;
        if (leg->peer) {
            // A three-party conference whose third party has answered: each hears the other two.
            if (call->conference && call->conference->connected) {
                ConferenceMixOut(*call);
                continue;
            }
            // Monitored by a supervisor whose phone has answered: each party hears its own mix.
            if (call->monitoring && call->monitoring->connected && !call->held) {
                MixOut(*call);
                continue;
            }
            // Bridged: whoever is held (the other side said sendonly or inactive, or the counsellor pressed
            // Hold on the console) hears the line's hold audio.
            if (leg->peer->on_hold || call->held || CounsellorGoneQuiet(*leg->peer)) PlayHold(*leg);
            if (leg->on_hold) PlayHold(*leg->peer);
            continue;
        }
        auto& playlist = leg->playlist;
        const media::Prompt* prompt = nullptr;
        while (!playlist.queue.empty()) {
            const auto* front = playlist.queue.front();
            if (playlist.frame < front->pcmu.size()) {
                prompt = front;
                break;
            }
            playlist.queue.pop_front();
            playlist.frame = 0;
        }
        if (!prompt && call->phase == CallPhase::kSurvey) {
            SurveyPromptsPlayed(*call);
            continue;
        }
        if (!prompt && call->phase == CallPhase::kGreeting) {
            // The greeting and the Welsh choice have played: wait a little for a digit.
            call->phase = CallPhase::kChoosing;
            call->choice_deadline = Now() + static_cast<std::int64_t>(config_.choice_wait_s) * 1000;
            continue;
        }
        if (!prompt && playlist.loop && !playlist.loop->pcmu.empty()) {
            prompt = playlist.loop;
            if (playlist.frame >= prompt->pcmu.size()) playlist.frame = 0;
        }
        if (!prompt) continue;
        PlayFrame(*leg, *prompt, playlist.frame++);
    }
    (void)now_ms;
}

bool Switchboard::CounsellorGoneQuiet(const Leg& counsellor) const {
    // A counsellor's phone or browser sends audio all the time (G.711 has no silence suppression here), so a gap
    // of a couple of seconds is their connection failing: until it comes back or the counsellor media timeout
    // carries the caller on, the caller hears the hold audio rather than dead air.
    if (counsellor.kind != LegKind::kPhone || counsellor.on_hold || counsellor.sends_nothing) return false;
    const std::int64_t gap_ms =
        std::min<std::int64_t>(2000, static_cast<std::int64_t>(config_.counsellor_media_timeout_s) * 1000 / 2);
    return Now() - counsellor.last_rx_ms > gap_ms;
}

void Switchboard::PlayFrame(Leg& leg, const media::Prompt& prompt, size_t index) {
    SendFrame(leg, prompt.frames(leg.codec)[index]);
}

void Switchboard::SendFrame(Leg& leg, const media::Frame& frame) {
    media::RtpIn in{kLocalSource, leg.local_seq++, leg.local_ts, false, media::PayloadType(leg.codec)};
    leg.local_ts += media::kFrameSamples;
    SendAudio(leg, in, frame.data(), frame.size(), leg.codec);
    ++counters_.rtp_sent;
}

void Switchboard::PlayHold(Leg& leg) {
    if (leg.state == LegState::kGone || leg.on_hold || !leg.have_remote) return;
    auto& playlist = leg.playlist;
    if (!playlist.prompts) playlist.prompts = prompts_;
    const media::Prompt& hold = playlist.prompts->hold;
    if (hold.pcmu.empty()) return;
    if (playlist.frame >= hold.pcmu.size()) playlist.frame = 0;
    PlayFrame(leg, hold, playlist.frame++);
}

void Switchboard::OnMedia(Leg& leg, const rtp_header* hdr, mbuf* mb) {
    // MediaPorts has already decided the packet is this leg's: from the address its SDP named, or the
    // first packet of a leg alone on its socket latching on (symmetric RTP). Nothing else reaches here.
    auto before_lost = leg.in.lost();
    leg.in.Seen(hdr->seq);
    auto lost_now = leg.in.lost();
    if (lost_now > before_lost) counters_.rtp_lost += lost_now - before_lost;
    leg.last_rx_ms = Now();
    const std::uint8_t* payload = mbuf_buf(mb);
    size_t n = mbuf_get_left(mb);
    bool is_event = leg.remote_event_pt >= 0 && hdr->pt == leg.remote_event_pt;
    if (is_event && leg.kind == LegKind::kCaller && leg.call &&
        (leg.call->phase == CallPhase::kGreeting || leg.call->phase == CallPhase::kChoosing ||
         leg.call->phase == CallPhase::kSurvey)) {
        if (auto event = media::ParseTelephoneEvent(payload, n)) {
            if (auto digit = leg.dtmf.OnPacket(*event, hdr->ts)) CallerDigit(*leg.call, *digit);
        }
        return;
    }
    // Consulting a colleague who answered: the counsellor and the colleague hear each other, the caller neither.
    if (leg.call && leg.call->consult && leg.call->consult->connected) {
        RelayConsult(leg, hdr, payload, n, is_event);
        return;
    }
    // A three-party conference whose third party answered: each leg into the mix, out on the media clock.
    if (leg.call && leg.call->conference && leg.call->conference->connected && !leg.on_hold) {
        ConferenceMixIn(leg, hdr, payload, n);
        return;
    }
    // Monitored (the supervisor's phone answered): into the mix, out on the media clock.
    if (leg.call && leg.call->monitoring && leg.call->monitoring->connected && !leg.call->held && !leg.on_hold) {
        MixIn(leg, hdr, payload, n);
        return;
    }
    // Held from the console: the caller hears hold audio only, the counsellor nothing of the caller.
    if (!leg.peer || leg.on_hold || (leg.call && leg.call->held)) return;
    Relay(*leg.peer, hdr, payload, n, is_event);
}

void Switchboard::Relay(Leg& to, const rtp_header* hdr, const std::uint8_t* payload, size_t n, bool is_event) {
    if (is_event) {
        if (to.remote_event_pt < 0) return;  // the other side cannot take DTMF events
        media::RtpIn in{hdr->ssrc, hdr->seq, hdr->ts, hdr->m, static_cast<std::uint8_t>(to.remote_event_pt)};
        SendAudio(to, in, payload, n, to.codec);
        ++counters_.rtp_relayed;
        return;
    }
    auto codec = media::CodecForPayloadType(hdr->pt);
    if (!codec || n == 0 || n > 1200) {
        ++counters_.rtp_ignored;  // a payload type we did not agree
        return;
    }
    media::RtpIn in{hdr->ssrc, hdr->seq, hdr->ts, hdr->m, media::PayloadType(to.codec)};
    SendAudio(to, in, payload, n, *codec);
    ++counters_.rtp_relayed;
}

void Switchboard::SendAudio(Leg& leg, const media::RtpIn& in, const std::uint8_t* payload, size_t n,
                            media::Codec from) {
    // A leg that holds the call (sendonly/inactive) has asked for nothing to be sent to it.
    if (!leg.have_remote || leg.media_socket < 0 || leg.state == LegState::kGone || leg.on_hold) return;
    auto out = leg.out.Next(in, tmr_jiffies());
    if (!out) return;
    if (!scratch_) scratch_ = mbuf_alloc(RTP_HEADER_SIZE + 1500);
    mbuf_rewind(scratch_);
    rtp_header hdr{};
    hdr.ver = RTP_VERSION;
    hdr.m = out->marker;
    hdr.pt = out->pt;
    hdr.seq = out->seq;
    hdr.ts = out->ts;
    hdr.ssrc = out->ssrc;
    if (rtp_hdr_encode(scratch_, &hdr) != 0) return;
    bool audio = media::CodecForPayloadType(in.pt).has_value();
    if (audio && from != leg.codec) {
        if (mbuf_resize(scratch_, RTP_HEADER_SIZE + n) != 0) return;
        media::Transcode(from, leg.codec, payload, n, scratch_->buf + scratch_->pos);
        scratch_->pos += n;
        scratch_->end = scratch_->pos;
    } else if (mbuf_write_mem(scratch_, payload, n) != 0) {
        return;
    }
    if (leg.browser) {
        // SRTP only: nothing goes to a browser before its keys, and nothing in clear.
        if (!leg.browser->dtls || !leg.browser->dtls->Ready()) return;
        scratch_->pos = 0;
        if (!leg.browser->dtls->Protect(scratch_)) return;
    } else if (leg.srtp) {
        // SDES: the leg's own keys. Audio from another leg was decrypted with that leg's keys on the way in.
        scratch_->pos = 0;
        if (!leg.srtp->Protect(scratch_)) return;
    }
    media_.Send(leg, leg.remote, scratch_->buf, scratch_->end);
}

void Switchboard::OnSdesMedia(Leg& leg, mbuf* mb) {
    // Fail closed: a packet that does not authenticate, or replays one already taken, is counted and dropped
    // here; it reaches neither the DTMF detector nor the other leg.
    auto refusal = leg.srtp->Unprotect(mb);
    if (refusal != SrtpRefusal::kNone) {
        auto why = refusal == SrtpRefusal::kReplay      ? SrtpDrop::kReplay
                   : refusal == SrtpRefusal::kMalformed ? SrtpDrop::kMalformed
                                                        : SrtpDrop::kAuth;
        ++counters_.srtp_dropped[static_cast<size_t>(why)];
        return;
    }
    mb->pos = 0;
    rtp_header hdr{};
    if (rtp_hdr_decode(&hdr, mb) != 0 || hdr.ver != RTP_VERSION) {
        ++counters_.rtp_ignored;
        return;
    }
    Callbacks::Rtp(leg, &hdr, mb, this);
}

void Switchboard::CheckMediaTimeouts(std::int64_t now) {
    const std::int64_t caller_limit = static_cast<std::int64_t>(config_.rtp_timeout_s) * 1000;
    const std::int64_t counsellor_limit = static_cast<std::int64_t>(config_.counsellor_media_timeout_s) * 1000;
    std::vector<std::string> dead;         // the caller's side (or the overflow destination's) is gone
    std::vector<std::string> interrupted;  // the counsellor's side is gone, the caller is still there
    for (auto& [id, call] : calls_) {
        Leg* caller = call->caller.get();
        // Not ACKed yet: libre's Timer H ends it (recorded failed), not the RTP timeout.
        if (!call->acked || !caller || caller->state == LegState::kGone) continue;
        // A leg that has said it sends nothing, or holds the call (a holder often sends nothing), is not dead.
        auto silent_too_long = [&](const Leg& leg, std::int64_t limit) {
            // A browser leg also needs consent (RFC 7675): an authenticated check within the same time.
            if (leg.browser && leg.browser->dtls && now - leg.browser->last_consent_ms > limit) return true;
            // Held from the console: a caller listening to hold audio, or a counsellor's phone muted meanwhile,
            // may send nothing; the counsellor ends a call on hold, never the timeout.
            if (call->held) return false;
            return !leg.on_hold && !leg.sends_nothing && now - leg.last_rx_ms > limit;
        };
        if (silent_too_long(*caller, caller_limit)) {
            dead.push_back(id);
        } else if (call->bridged && call->bridged->kind == LegKind::kPhone) {
            if (silent_too_long(*call->bridged, counsellor_limit)) interrupted.push_back(id);
        } else if (call->bridged && silent_too_long(*call->bridged, caller_limit)) {
            dead.push_back(id);
        }
    }
    for (const auto& id : dead) {
        auto* call = FindCall(id);
        if (!call) continue;
        spdlog::warn("telephony: call {}: no audio for {} s, ending it", id, config_.rtp_timeout_s);
        EndCall(*call, call->phase == CallPhase::kBridged ? "failed" : "abandoned");
    }
    for (const auto& id : interrupted) {
        auto* call = FindCall(id);
        if (!call) continue;
        Interrupt(*call, call->bridged && call->bridged->browser ? "sent no media or ICE consent"
                                                                  : "sent no audio");
    }
    CheckMonitoringTimeouts(now, caller_limit);
}

}  // namespace crisisline::telephony
