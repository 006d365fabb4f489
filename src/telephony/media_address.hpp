#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"

// Which media addresses an SDP may name. Pure logic: addresses are IPv4 in host byte order.
namespace crisisline::telephony {

// An IPv4 address or range the operator allows media to go to although a leg's signalling did not come
// from there (telephony.media_peers: a carrier whose media gateways are not its signalling proxies).
struct MediaPeer {
    std::uint32_t network = 0;
    int prefix = 32;
};

// "192.0.2.10" or "198.51.100.0/24". kInvalid (field `field`) for anything else, and for a range with bits
// set below its prefix ("198.51.100.7/24": say 198.51.100.0/24, or the one address).
[[nodiscard]] Result<MediaPeer> ParseMediaPeer(std::string_view text, const std::string& field);

// Whether `ip` lies in one of `peers`.
bool AllowedPeer(const std::vector<MediaPeer>& peers, std::uint32_t ip);

// Why no media may ever be sent to `ip`, or nullptr when it is an ordinary unicast address: unspecified
// (0.0.0.0/8), multicast (224.0.0.0/4), broadcast and reserved (240.0.0.0/4, 255.255.255.255 included).
const char* UnusableMediaAddress(std::uint32_t ip);

// Whether every "m=audio" line of the SDP text `sdp` names a port from 1 to 65535 (digits only, no
// "port/count"). The SDP parser reduces an out-of-range port modulo 65536, so it is checked on the text.
bool AudioPortsInRange(std::string_view sdp);

// The transport protocol of the first "m=audio" line of the SDP text `sdp` ("RTP/AVP", "RTP/SAVP"), or empty.
// libre keeps our own protocol for an answer that names the other one we allow, so an answer's is read here.
std::string_view AudioProto(std::string_view sdp);

}  // namespace crisisline::telephony
