#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace crisisline::records {

// Whether a trunk's (or a phone account's) calls must be encrypted. kRequired: signalling only over TLS (a
// request over UDP or TCP is refused 488 with a Warning saying why; REGISTER 403), and the server's own calls
// to the trunk go over TLS; media SRTP only (the SRTP layer reads it). kPreferred (the default, so existing
// configuration keeps working): TLS and SRTP when the peer uses them, plaintext accepted. kOff: plaintext
// signalling and RTP; the server never offers SRTP.
enum class Encryption { kRequired, kPreferred, kOff };
inline constexpr Encryption kDefaultEncryption = Encryption::kPreferred;
// "required", "preferred", "off".
const char* EncryptionName(Encryption e);
// kInvalid naming `field` ("must be \"required\", \"preferred\" or \"off\"") for any other text.
Result<Encryption> ParseEncryption(const std::string& text, const std::string& field);

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
    Encryption encryption = kDefaultEncryption;
    // Set only in crisisline.toml (files on the server, not for the console): for the TLS connections the
    // server opens to this trunk, PEM files of the CAs its certificate must chain to (`tls_ca`, empty: not
    // checked) and the name it must carry (`tls_name`, checked only with tls_ca; empty: the outbound host);
    // and the client certificate and key presented when the carrier asks for one (mutual TLS).
    std::string tls_ca;
    std::string tls_name;
    std::string tls_certificate;
    std::string tls_key;
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
// password is set, outbound target, encryption, whether its certificate is checked
// (`tls_verified`: a tls_ca is set) and `source` ("config" or "console").
// Never the password.
nlohmann::json TrunkJson(const Trunk& trunk, const char* source);

}  // namespace crisisline::records
