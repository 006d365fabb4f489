#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

// Digest authentication (RFC 2617/3261) for the registrar and the trunks.
// Nonces are stateless: the issue time and a keyed MAC of it, so the server
// keeps no per-challenge state and a forged or stale nonce is refused.
namespace crisisline::telephony {

// MD5(username:realm:password), as SIP digest needs. (MD5 is what SIP phones
// speak; the secret is the account's own random password, never a person's.)
std::array<std::uint8_t, 16> DigestHa1(std::string_view username, std::string_view realm, std::string_view password);

// Whether a digest response's `uri` parameter names the request it arrived
// with: it must be the Request-URI exactly (RFC 3261 section 22.4). Without
// this a response seen on the wire for one request could be replayed for
// another while its nonce is fresh.
bool DigestNamesRequest(std::string_view digest_uri, std::string_view request_uri);

// Thread-compatible: used on the telephony loop only.
class NonceMaker {
public:
    NonceMaker();  // a fresh random key per process: nonces do not survive a restart
    std::string Make(TimeMs now) const;
    // True when `nonce` was made by this maker no longer than `max_age_ms` before `now`.
    bool Fresh(std::string_view nonce, TimeMs now, TimeMs max_age_ms) const;

private:
    std::string Mac(std::string_view issued) const;
    std::array<std::uint8_t, 32> key_{};
};

}  // namespace crisisline::telephony
