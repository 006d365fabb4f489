#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/error.hpp"
#include "core/host_port.hpp"
#include "records/trunk.hpp"
#include "telephony/media_address.hpp"

namespace crisisline::telephony {

using records::Trunk;  // a carrier trunk; see records/trunk.hpp

// The [telephony] section of crisisline.toml.
struct TelephonyConfig {
    bool enabled = true;
    std::string listen = "127.0.0.1:5060";  // SIP over UDP and TCP on this address
    // SIP over TLS (RFC 3261 section 26) on this address, e.g. "0.0.0.0:5061"; empty: no TLS. Needs
    // tls_certificate (PEM, the chain) and tls_key (PEM, mode 0600 or 0400), re-read on SIGHUP.
    std::string tls_listen;
    std::string tls_certificate;
    std::string tls_key;
    std::string rtp_address = "127.0.0.1";  // where media is anchored
    std::uint16_t rtp_port_min = 20000;
    std::uint16_t rtp_port_max = 39999;
    // UDP sockets shared by every call's media, on the first free even ports of rtp_ports (MediaPorts).
    std::size_t media_sockets = 8;
    std::string realm = "crisisline";
    std::string prompts_dir;          // relative to the data directory unless absolute; default <data>/prompts
    int choice_wait_s = 4;            // after the greeting, how long to wait for the language digit
    int survey_wait_s = 8;            // the post-call survey: after each question, how long to wait for a key
    int rtp_timeout_s = 30;           // no RTP from the caller this long: the call is dead
    // No media from the counsellor's side of a call (their phone's RTP, or a browser's media or ICE consent)
    // this long: their connection failed; the caller goes back to the front of the queue (never hung up).
    int counsellor_media_timeout_s = 10;
    int registration_max_s = 3600;    // longest registration granted to a phone
    bool available_on_register = false;  // a counsellor whose phone registers becomes available (demo)
    // Where a leg's SDP may send media besides the host its signalling came from (media_peers: IPv4
    // addresses or ranges, e.g. a carrier's media gateways). Nothing else: no reflection onto third parties.
    std::vector<MediaPeer> media_peers;
    // Admission control: beyond these a new call gets 503 with Retry-After at once, and no contact record.
    int trunk_calls_per_s = 100;  // new calls a second from one trunk (a burst of as many)
    int line_max_calls = 1000;    // calls in progress on one line: greeting, waiting and talking
    int line_max_waiting = 300;   // callers on one line not yet answered (greeting or in the queue)
    std::vector<Trunk> trunks;
};

// Reads [telephony] (and its [[telephony.trunk]] array) from `root`; every field
// optional. kInvalid names the key: "telephony.listen must be host:port". The TLS files are checked for
// being named together here; that they can be read (and the key's mode) at start (CheckSipTlsFiles).
Result<TelephonyConfig> ParseTelephonyConfig(const toml::table& root);

using crisisline::SplitHostPort;  // core/host_port.hpp

}  // namespace crisisline::telephony
