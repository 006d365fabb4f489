#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

// A browser phone's session description (WebRTC, RFC 8829/8839/5763): the offer a browser sends when its
// counsellor answers, and the server's answer. Pure text; no I/O.
namespace crisisline::telephony {

// What the server takes from a browser's offer.
struct BrowserOffer {
    std::string ice_ufrag;       // the browser's ICE username fragment (4-256 ice-chars)
    std::string ice_pwd;         // the browser's ICE password (22-256 ice-chars)
    std::string fingerprint;     // its DTLS certificate's SHA-256, upper-case hex bytes joined by ':'
    std::string mid;             // the audio m-line's a=mid, echoed in the answer (may be empty)
    int pcmu_pt = -1;            // payload types it offers (-1: not offered); PCMU is 0 and PCMA 8 when offered
    int pcma_pt = -1;
    int event_pt = -1;           // telephone-event/8000, or -1
};

// Reads a browser's SDP offer. Fails (kInvalid, field "sdp", the reason) unless it has exactly one audio
// m-line over UDP/TLS/RTP/SAVPF, ICE credentials, a sha-256 fingerprint, a=setup actpass or active (the
// server is always the passive DTLS side), a=rtcp-mux, and PCMU or PCMA at 8000 Hz. At most 16 KiB.
[[nodiscard]] Result<BrowserOffer> ReadBrowserOffer(const std::string& sdp);

// Reads a browser's re-offer on a call it has answered with `answered` (RFC 3264 section 8), whose media
// uses PCMA when `pcma`, else PCMU. Fails (kInvalid, field "sdp") as ReadBrowserOffer does, and when its
// DTLS fingerprint is not `answered`'s (the call keeps its DTLS-SRTP session and keys: a new certificate
// would need a new handshake), its a=mid changed, or it no longer offers the G.711 law in use.
[[nodiscard]] Result<BrowserOffer> ReadBrowserReoffer(const std::string& sdp, const BrowserOffer& answered, bool pcma);

// Whether `next` restarts ICE after `answered`: its ice-ufrag or ice-pwd changed (RFC 8839 section 4.4.1.1.1).
bool RestartsIce(const BrowserOffer& answered, const BrowserOffer& next);

// What the server says about itself in its answer.
struct BrowserAnswerParams {
    std::string address;      // the media address (telephony.rtp_address)
    std::uint16_t port = 0;   // the leg's media socket
    std::string ice_ufrag;    // the leg's own ICE credentials
    std::string ice_pwd;
    std::string fingerprint;  // the server's certificate, as in BrowserOffer::fingerprint
    std::uint64_t session_id = 0;
    std::uint64_t version = 1;  // o= session version: one more for each answer that changes something
    bool prefer_pcma = false;  // the caller's leg speaks PCMA: choose it when offered, so nothing is transcoded
};

// The server's answer to `offer`: ICE-lite, one host candidate on address:port, a=setup:passive, rtcp-mux,
// the caller's codec when offered (prefer_pcma) else the other G.711 law, and telephone-event when the browser
// offered it. `pcma` tells which it chose.
std::string WriteBrowserAnswer(const BrowserOffer& offer, const BrowserAnswerParams& params, bool* pcma = nullptr);

// Fresh ICE credentials: an 8-character ufrag and a 24-character password of ice-chars (RFC 8839).
std::string NewIceUfrag();
std::string NewIcePwd();

}  // namespace crisisline::telephony
