#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace crisisline::records {

// A carrier trunk allowed to send calls to the lines' numbers. A call is from
// this trunk when its source address is in `allow`, or when it proves
// `username`/`password` with digest authentication (when a username is set).
// Trunks come from crisisline.toml ([[telephony.trunk]]) or from an
// administrator in the console (records::Trunks); telephony admits both.
struct Trunk {
    std::string name;
    std::vector<std::string> allow;  // IPv4/IPv6 addresses, in the form inet_ntop writes them
    std::string username;
    std::string password;  // password-equivalent: sealed at rest, never logged or sent to a browser
    // host:port to send outgoing calls (follow-up calls) to, or empty. The first trunk
    // with one carries every follow-up call.
    std::string outbound;
};

// Limits (documented in docs/api.md).
constexpr size_t kMaxTrunkName = 40;
constexpr size_t kMaxTrunkAddresses = 32;
constexpr size_t kMaxTrunkUsername = 64;
constexpr size_t kMinTrunkPassword = 8;
constexpr size_t kMaxTrunkPassword = 128;
constexpr size_t kMaxTrunkOutbound = 300;

// Checks a trunk and writes each allowed address in its canonical form (so
// "::0001" matches a caller from "::1"). Fails with kInvalid naming
// `prefix` + the field ("allow", "allow[1]", "username", "password", "outbound",
// or `prefix` alone when the trunk has neither addresses nor credentials).
// The name is not checked here: crisisline.toml and the console differ (see Trunks).
Result<void> CheckTrunk(Trunk& trunk, const std::string& prefix);

// A trunk as an administrator sees it: name, addresses, user name, whether a
// password is set, outbound target and `source` ("config" or "console").
// Never the password.
nlohmann::json TrunkJson(const Trunk& trunk, const char* source);

}  // namespace crisisline::records
