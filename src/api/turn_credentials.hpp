#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace crisisline::api {

// [turn] in crisisline.toml: the TURN servers the console's browser phone may relay through (coturn with
// use-auth-secret) and the secret shared with them. Empty urls: no TURN, and the console gets no ICE servers.
struct TurnSettings {
    std::vector<std::string> urls;  // "turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443?transport=tcp"
    std::string secret;             // coturn's static-auth-secret
    std::chrono::seconds lifetime{3600};
    // The browser phone sends its media only through TURN (iceTransportPolicy "relay"): a counsellor's own
    // addresses then never appear in an ICE candidate, and networks that block direct UDP still carry calls.
    bool relay_only = false;
};

// A time-limited TURN credential in coturn's REST API form (draft-uberti-behave-turn-rest): the user name is
// "<expiry, Unix seconds>:<staff id>" and the password base64(HMAC-SHA1(secret, user name)). coturn checks the
// HMAC against the same secret and refuses the user name once its expiry has passed; nothing is stored.
struct TurnCredential {
    std::string username;
    std::string password;
    std::int64_t expires_at_s = 0;
};

// REQUIRES: `staff_id` contains no ':' (staff ids are "st_" plus letters and digits). Thread-safe.
TurnCredential MakeTurnCredential(std::string_view secret,
                                  std::string_view staff_id,
                                  std::int64_t now_s,
                                  std::chrono::seconds lifetime);

}  // namespace crisisline::api
