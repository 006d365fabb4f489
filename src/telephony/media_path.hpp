#pragma once

#include "core/error.hpp"
#include "telephony/config.hpp"
#include "telephony/leg.hpp"
#include "media/detail/re.hpp"

// Internal to the switchboard: a leg's SDP and where its media goes. Loop thread only.
namespace crisisline::telephony {

// Builds the leg's local SDP: media on config.rtp_address and `port` (its MediaPorts socket), offering
// PCMU, PCMA and telephone-event/8000 (payload type 101).
[[nodiscard]] Result<void> OpenMedia(Leg& leg, const TelephonyConfig& config, std::uint16_t port);

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
// port outside 1-65535, or what TakeRemoteSdp refuses.
bool DecodeRemoteSdp(Leg& leg, const sip_msg* msg, bool offer);

}  // namespace crisisline::telephony
