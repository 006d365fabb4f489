#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "core/error.hpp"

namespace crisisline::telephony {

// A carrier trunk allowed to send calls to the lines' numbers. A request is
// from this trunk when its source address is in `allow`, or when it proves
// `username`/`password` with digest authentication (when a username is set).
struct Trunk {
    std::string name;
    std::vector<std::string> allow;  // IPv4/IPv6 addresses, exact match
    std::string username;
    std::string password;
    // host:port to send outgoing calls (follow-up calls) to, or empty. The first trunk
    // with one carries every follow-up call.
    std::string outbound;
};

// The [telephony] section of crisisline.toml.
struct TelephonyConfig {
    bool enabled = true;
    std::string listen = "127.0.0.1:5060";  // SIP over UDP and TCP on this address
    std::string rtp_address = "127.0.0.1";  // where media is anchored
    std::uint16_t rtp_port_min = 20000;
    std::uint16_t rtp_port_max = 39999;
    std::string realm = "crisisline";
    std::string prompts_dir;          // relative to the data directory unless absolute; default <data>/prompts
    int choice_wait_s = 4;            // after the greeting, how long to wait for the language digit
    int rtp_timeout_s = 30;           // no RTP from a bridged leg this long: the call is dead
    int registration_max_s = 3600;    // longest registration granted to a phone
    bool available_on_register = false;  // a counsellor whose phone registers becomes available (demo)
    std::vector<Trunk> trunks;
};

// Reads [telephony] (and its [[telephony.trunk]] array) from `root`; every field
// optional. kInvalid names the key: "telephony.listen must be host:port".
Result<TelephonyConfig> ParseTelephonyConfig(const toml::table& root);

// "host:port" → parts; kInvalid naming `field` otherwise.
Result<std::pair<std::string, std::uint16_t>> SplitHostPort(const std::string& text, const std::string& field);

}  // namespace crisisline::telephony
