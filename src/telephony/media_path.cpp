#include "telephony/media_path.hpp"

#include <netinet/in.h>

#include <cstring>

#include "media/dtmf.hpp"
#include "telephony/callbacks.hpp"
#include "telephony/media_address.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

namespace crisisline::telephony {

Leg::~Leg() {
    // A terminated or never-established session derefs quietly; the switchboard
    // sends BYE/CANCEL itself before it lets a live leg go.
    if (browser && board) Callbacks::BrowserLegGone(*this);
    if (ports) ports->Remove(*this);
    WipeRemoteCrypto(*this);
    mem_deref(sess);
    mem_deref(sdp);  // owns `audio`
}

Result<void> OpenMedia(Leg& leg, const TelephonyConfig& config, std::uint16_t port, bool secure) {
    sa laddr;
    if (sa_set_str(&laddr, config.rtp_address.c_str(), 0) != 0) {
        return Fail(ErrorCode::kInvalid, "telephony.rtp_address", "is not an IP address");
    }
    int err = sdp_session_alloc(&leg.sdp, &laddr);
    if (!err) err = sdp_media_add(&leg.audio, leg.sdp, "audio", port, secure ? "RTP/SAVP" : "RTP/AVP");
    // Either is taken in an offer; the answer names the one offered (TakeRemoteCrypto checks the keys).
    if (!err) err = sdp_media_set_alt_protos(leg.audio, 2, "RTP/AVP", "RTP/SAVP");
    if (!err) err = sdp_format_add(nullptr, leg.audio, false, "0", "PCMU", 8000, 1, nullptr, nullptr, nullptr, false, nullptr);
    if (!err) err = sdp_format_add(nullptr, leg.audio, false, "8", "PCMA", 8000, 1, nullptr, nullptr, nullptr, false, nullptr);
    if (!err) {
        err = sdp_format_add(nullptr, leg.audio, false, "101", "telephone-event", 8000, 1, nullptr, nullptr, nullptr,
                             false, "0-15");
    }
    if (!err) err = sdp_media_set_lattr(leg.audio, true, "ptime", "20");
    if (err) return Fail(ErrorCode::kInternal, "could not build the SDP description");
    return {};
}

Result<std::unique_ptr<Leg>> Switchboard::TakeLeg(Call* call, LegKind kind, bool alone, bool secure) {
    auto leg = std::make_unique<Leg>(this, call, kind, randombytes_random(),
                                     static_cast<std::uint16_t>(randombytes_random()), randombytes_random());
    auto port = media_.Place(*leg, nullptr, alone);
    if (auto opened = OpenMedia(*leg, config_, port, secure); !opened) return tl::unexpected(opened.error());
    if (secure) {
        if (auto offered = OfferCrypto(*leg); !offered) return tl::unexpected(offered.error());
    }
    return leg;
}

bool BehindNat(const sa& sdp_address, const sa& signalled_from) {
    return IsPrivateAddress(sdp_address) && !sa_cmp(&sdp_address, &signalled_from, SA_ADDR);
}

void PlaceByRemote(Leg& leg, bool alone) {
    if (!leg.ports || !leg.have_remote || !leg.audio) return;
    sdp_media_set_lport(leg.audio, leg.ports->Place(leg, &leg.remote, alone));
}

namespace {

// Where media for a leg whose SDP names `named` may go, given that its signalling came from `from`: `to`
// is set and nullptr returned, or the reason for refusing.
const char* MediaDestination(const sa& named, const sa& from, const std::vector<MediaPeer>& peers, sa& to,
                             bool& behind_nat) {
    if (sa_af(&named) != AF_INET) return "an IPv6 media address (this server's media sockets are IPv4)";
    if (const char* why = UnusableMediaAddress(sa_in(&named))) return why;
    behind_nat = false;
    if (sa_cmp(&named, &from, SA_ADDR) || AllowedPeer(peers, sa_in(&named))) {
        sa_cpy(&to, &named);
        return nullptr;
    }
    if (IsPrivateAddress(named) && sa_af(&from) == AF_INET) {
        sa_cpy(&to, &from);
        sa_set_port(&to, sa_port(&named));
        behind_nat = true;
        return nullptr;
    }
    return "not the host its signalling came from, nor an allowed media peer (telephony.media_peers)";
}

}  // namespace

bool TakeRemoteSdp(Leg& leg, const sa& signalled_from) {
    const sdp_format* chosen = nullptr;
    int event_pt = -1;
    for (le* e = list_head(sdp_media_format_lst(leg.audio, false)); e; e = e->next) {
        auto* fmt = static_cast<const sdp_format*>(e->data);
        if (!fmt->name) continue;
        if (!chosen && (str_casecmp(fmt->name, "PCMU") == 0 || str_casecmp(fmt->name, "PCMA") == 0) &&
            fmt->srate == 8000) {
            chosen = fmt;
        } else if (str_casecmp(fmt->name, "telephone-event") == 0 && event_pt < 0) {
            event_pt = fmt->pt;
        }
    }
    const sa* raddr = sdp_media_raddr(leg.audio);
    if (!chosen || !raddr || !sa_isset(raddr, SA_ALL)) return false;
    sa destination{};
    bool behind_nat = false;
    static const std::vector<MediaPeer> kNoPeers;
    const auto& peers = leg.board ? leg.board->Config().media_peers : kNoPeers;
    if (const char* why = MediaDestination(*raddr, signalled_from, peers, destination, behind_nat)) {
        char named[64] = {};
        re_snprintf(named, sizeof named, "%J", raddr);
        spdlog::warn("telephony: call {}: SDP names media address {}: {}; refused",
                     leg.call ? leg.call->id : "-", named, why);
        return false;
    }
    leg.codec = str_casecmp(chosen->name, "PCMU") == 0 ? media::Codec::kPcmu : media::Codec::kPcma;
    leg.remote_event_pt = event_pt;
    // libre reads the other side's direction from our side: its a=sendonly is SDP_RECVONLY (we may only
    // receive), its a=recvonly is SDP_SENDONLY. The answer libre writes (ldir & rdir) is then recvonly or
    // inactive, as RFC 3264 section 8.4 asks.
    auto dir = sdp_media_rdir(leg.audio);
    leg.on_hold = dir == SDP_RECVONLY || dir == SDP_INACTIVE;
    leg.sends_nothing = dir == SDP_SENDONLY || dir == SDP_INACTIVE;
    if (!leg.latched) {
        sa_cpy(&leg.remote, &destination);
        leg.behind_nat = behind_nat;
        leg.have_remote = true;
        if (leg.ports && !leg.ports->Expect(leg)) {
            spdlog::warn("telephony: two calls' media come from one address on one RTP port; the later one is not heard");
        }
    }
    return true;
}

bool DecodeRemoteSdp(Leg& leg, const sip_msg* msg, bool offer, std::string* why) {
    mbuf* body = msg ? msg->mb : nullptr;
    if (!body || mbuf_get_left(body) == 0) return false;
    const std::string_view text{reinterpret_cast<const char*>(mbuf_buf(body)), mbuf_get_left(body)};
    if (!AudioPortsInRange(text)) {
        spdlog::warn("telephony: call {}: SDP names an audio port outside 1-65535; refused",
                     leg.call ? leg.call->id : "-");
        return false;
    }
    size_t pos = body->pos;
    int err = sdp_decode(leg.sdp, body, offer);
    body->pos = pos;
    if (err) return false;
    std::string refused;
    if (!TakeRemoteCrypto(leg, msg->tp, offer, refused, AudioProto(text))) {
        spdlog::warn("telephony: call {}: {}; refused", leg.call ? leg.call->id : "-", refused);
        if (why) *why = refused;
        return false;
    }
    return TakeRemoteSdp(leg, msg->src);
}

}  // namespace crisisline::telephony
