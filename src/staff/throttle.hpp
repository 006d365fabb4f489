#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace crisisline::staff {

// Limits sign-in attempts per client address, on top of the per-account lockout,
// so one address cannot try many usernames. A fixed window per address.
// Thread-safe. Memory is bounded: when `max_tracked` addresses are held, windows
// that have ended are dropped, and if none has, the table is cleared.
class SignInThrottle {
public:
    SignInThrottle(std::int64_t max_attempts, TimeMs window, size_t max_tracked = 10000)
        : max_attempts_(max_attempts), window_(window), max_tracked_(max_tracked) {}

    // Counts an attempt from `address` at `now`; false once the window's allowance is used.
    bool Allow(const std::string& address, TimeMs now);

private:
    struct Window {
        TimeMs start = 0;
        std::int64_t attempts = 0;
    };

    const std::int64_t max_attempts_;
    const TimeMs window_;
    const size_t max_tracked_;
    std::mutex mu_;
    std::unordered_map<std::string, Window> windows_;  // guarded by mu_
};

}  // namespace crisisline::staff
