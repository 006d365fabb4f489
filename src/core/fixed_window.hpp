#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace crisisline {

// At most `limit` uses per key (a person, a client address) in a fixed window that starts at the key's first
// use: the sign-in allowance per address (staff::SignInThrottle) and the report allowance per person
// (records::Reports). Thread-safe. Memory is bounded: past `max_tracked` keys, ended windows are dropped (and if
// none has ended, all are, which errs towards allowing a use, never towards refusing one for good).
class FixedWindowLimit {
public:
    FixedWindowLimit(std::int64_t limit, TimeMs window, size_t max_tracked = 10000)
        : limit_(limit), window_(window), max_tracked_(max_tracked) {}

    // Counts a use by `who` at `now`. 0 when it is allowed; otherwise how long until their window ends
    // (and the use is not counted).
    TimeMs Take(const std::string& who, TimeMs now);

private:
    struct Window {
        TimeMs start = 0;
        std::int64_t used = 0;
    };

    const std::int64_t limit_;
    const TimeMs window_;
    const size_t max_tracked_;
    std::mutex mu_;
    std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

}  // namespace crisisline
