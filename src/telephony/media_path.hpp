#pragma once

#include <string_view>

#include "core/error.hpp"
#include "telephony/config.hpp"
#include "telephony/leg.hpp"
#include "media/detail/re.hpp"

// Internal to the switchboard: a leg's SDP and where its media goes. Loop thread only.
namespace crisisline::telephony {

// Builds the leg's local SDP: media on config.rtp_address and `port` (its MediaPorts socket), offering
// PCMU, PCMA and telephone-event/8000 (payload type 101). Its audio line takes RTP/AVP or RTP/SAVP offers;
// `secure`: it offers RTP/SAVP itself (with OfferCrypto), else RTP/AVP.
[[nodiscard]] Result<void> OpenMedia(Leg& leg, const TelephonyConfig& config, std::uint16_t port, bool secure = false);

// ---- SDES (sdes_legs.cpp) ----

// Whether a request to `uri` goes over SIP over TLS: a sips: URI or one with transport=tls. Only then may
// the server's offer to it carry keys (RFC 4568 section 8.3).
bool SecureUri(const std::string& uri);

// Puts fresh a=crypto lines (OfferedCryptoLines) in the leg's SDP offer. REQUIRES: OpenMedia(secure).
[[nodiscard]] Result<void> OfferCrypto(Leg& leg);

// Reads the a=crypto lines of the remote SDP just decoded into leg.sdp, from a message that came over `tp`.
// An RTP/SAVP offer over TLS: the offerer's first usable line is taken, the leg gets a fresh key of that suite
// for its answer and leg.srtp is keyed (kept as it was when a re-offer repeats the key). An RTP/SAVP answer:
// its one line must carry the tag and suite of one we offered. RTP/AVP (an offer, or the answer of a phone
// that does not do SRTP): the leg is plain (srtp dropped).
// false, with `why` set for a Warning header, for keys or RTP/SAVP over UDP or TCP (refused whatever else
// the SDP says), an RTP/SAVP offer without a usable line (sdes.hpp), an answer that does not match, or
// RTP/AVP on a leg that must be encrypted (leg.must_encrypt: its trunk or phone account requires it).
// `remote_proto`: the protocol of the remote m=audio line as sent (AudioProto); libre's sdp_media_proto keeps
// ours when an answer names the other one, so an RTP/AVP answer to our RTP/SAVP offer is known by it.
bool TakeRemoteCrypto(Leg& leg, sip_transp tp, bool offer, std::string& why, std::string_view remote_proto = {});

// Overwrites the key text of the leg's remote a=crypto lines in libre's copy of its SDP (called as the leg
// goes). Our own lines' text in libre's memory and in its SIP transaction buffers cannot be reached: freed,
// not wiped (docs/security.md).
void WipeRemoteCrypto(Leg& leg);

// How the leg's media is protected, as /metrics and the live events name it: "plain", "srtp" (SDES) or
// "dtls_srtp" (a browser phone).
const char* LegEncryption(const Leg& leg);
// The same as the live picture and call.bridged name it: "dtls-srtp", "srtp" or "rtp" (line_encryption.cpp).
const char* LiveLegName(const Leg& leg);

// Before the leg's own SDP goes out in answer to an offer: moves the leg to a socket where no other leg
// expects packets from the offer's address (or, `alone`, to a socket of its own: a leg behind NAT), and puts
// that socket's port in its SDP.
void PlaceByRemote(Leg& leg, bool alone);

// Whether an SDP address looks like a leg behind NAT: a private address other than the host its signalling
// came from (`signalled_from`), so its packets will come from somewhere else.
bool BehindNat(const sa& sdp_address, const sa& signalled_from);

// Reads the remote description just decoded into leg.sdp, from a message that came from `signalled_from`:
// the first of PCMU or PCMA the other side listed, its telephone-event payload type, its media address and
// whether it holds the call. The media address must be one media may be sent to: IPv4 (the media sockets
// are IPv4), unicast (never unspecified, broadcast, multicast or reserved), and the host the signalling
// came from or one of telephony.media_peers; a private address other than that host is a leg behind NAT,
// whose media goes to the signalling host (leg.behind_nat). false, with a log line, when it offers neither
// codec, no usable address, or an address anywhere else (the caller answers 488).
bool TakeRemoteSdp(Leg& leg, const sa& signalled_from);

// Decodes the body of `msg` as the remote SDP; `offer` when it is an offer. false on malformed SDP, an audio
// port outside 1-65535, what TakeRemoteCrypto refuses (`why`, when given, says why: for a Warning header)
// or what TakeRemoteSdp refuses.
bool DecodeRemoteSdp(Leg& leg, const sip_msg* msg, bool offer, std::string* why = nullptr);

}  // namespace crisisline::telephony
