#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
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
    // A new nonce, unlike any other, issued at `now` to `client` (e.g. the address the challenged request came
    // from; may be empty).
    std::string Make(TimeMs now, std::string_view client = {}) const;
    // True when `nonce` was made by this maker for `client` no longer than `max_age_ms` before `now`.
    bool Fresh(std::string_view nonce, TimeMs now, TimeMs max_age_ms, std::string_view client = {}) const;

private:
    std::string Mac(std::string_view issued, std::string_view client) const;
    std::array<std::uint8_t, 32> key_{};
};

// The nonce counts (RFC 2617 `nc`) already used with each nonce, so that a digest answer seen on the wire
// cannot be sent again: each use of a nonce must carry a higher count than the last one accepted.
// Entries are forgotten `lifetime_ms` after a nonce's first use (by then the nonce is stale anyway).
// Thread-compatible: used on the telephony loop only.
class NonceCounts {
public:
    NonceCounts(TimeMs lifetime_ms, std::size_t capacity) : lifetime_ms_(lifetime_ms), capacity_(capacity) {}
    // True, and `nc` recorded, when `nc` is higher than every count accepted with `nonce` so far.
    // False for a replay (the same or a lower count), an `nc` that is not 8 hex digits, or when the book is
    // full of live nonces (the caller asks for a fresh nonce, which succeeds once old ones expire).
    bool Use(std::string_view nonce, std::string_view nc, TimeMs now);
    std::size_t Size() const { return seen_.size(); }

private:
    struct Seen {
        std::uint32_t nc = 0;
        TimeMs first_used = 0;
    };
    void Forget(TimeMs now);
    TimeMs lifetime_ms_;
    std::size_t capacity_;
    std::map<std::string, Seen, std::less<>> seen_;
};

}  // namespace crisisline::telephony
