#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

// Pure rules of the registrar (no I/O): how long a registration asks for, and how often one
// account may be tried with wrong credentials from one address.
namespace crisisline::telephony {

// The value of an Expires header or a Contact's expires parameter (RFC 3261 section 10.2.1.1 / 20.19:
// delta-seconds, one or more digits). Seconds, with values beyond 2^32-1 taken as 2^32-1 (section 10.3:
// the registrar then shortens it to its own maximum); std::nullopt when it is not a number (e.g. "-1",
// "", "3600s"): the REGISTER gets 400.
std::optional<std::int64_t> ParseExpires(std::string_view text);

// Wrong REGISTER credentials, per (account, source address): after `limit` failures within `window_ms`,
// that address may not try that account again until the oldest of them is `window_ms` old. Other
// addresses (the counsellor's own phone) are not affected. Keeps at most `capacity` pairs, dropping the
// quietest first. Thread-compatible: the telephony loop only.
class RegistrationThrottle {
public:
    RegistrationThrottle(int limit, TimeMs window_ms, std::size_t capacity)
        : limit_(limit), window_ms_(window_ms), capacity_(capacity) {}
    // How long (ms) `source` must wait before trying `account` again; 0 when it may try now.
    TimeMs Wait(std::string_view account, std::string_view source, TimeMs now);
    void Failed(std::string_view account, std::string_view source, TimeMs now);
    void Succeeded(std::string_view account, std::string_view source);
    std::size_t Size() const { return failures_.size(); }

private:
    static std::string Key(std::string_view account, std::string_view source);
    void Prune(TimeMs now);
    int limit_;
    TimeMs window_ms_;
    std::size_t capacity_;
    std::map<std::string, std::deque<TimeMs>, std::less<>> failures_;  // oldest first, at most limit_
};

}  // namespace crisisline::telephony
