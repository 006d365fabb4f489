#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/fixed_window.hpp"

namespace crisisline::staff {

// Limits sign-in attempts per client address, so one address cannot try many usernames: a FixedWindowLimit
// per address (thread-safe, bounded memory).
class SignInThrottle {
public:
    SignInThrottle(std::int64_t max_attempts, TimeMs window, size_t max_tracked = 10000)
        : limit_(max_attempts, window, max_tracked) {}

    // Counts an attempt from `address` at `now`; false once the window's allowance is used.
    bool Allow(const std::string& address, TimeMs now) { return limit_.Take(address, now) == 0; }

private:
    FixedWindowLimit limit_;
};

struct DelayPolicy {
    std::int64_t free_failures = 5;     // failures in a row before any wait
    TimeMs first_delay = kSecondMs;     // the wait after the first failure past them; it doubles with each one more
    TimeMs max_delay = 15 * kMinuteMs;  // the wait never grows past this
    // A key whose last failure is this old starts again from nothing.
    TimeMs forget_after = kHourMs;
    size_t max_tracked = 10000;
};

// Growing waits after failures in a row, per key (for sign-in: an account name and a client address together,
// so a stranger's failures slow the stranger, never the member of staff at their own desk). Nothing here ever
// refuses for good: once a wait has passed, the next attempt is judged on its merits.
// Thread-safe. Memory is bounded: when `max_tracked` keys are held, keys whose last failure is older than
// `forget_after` are dropped first, then those not waiting, then (if all are waiting) all.
class FailureDelays {
public:
    explicit FailureDelays(DelayPolicy policy = {}) : policy_(policy) {}

    // How long `key` must still wait at `now` before its next attempt is judged; 0 when it may try now.
    TimeMs WaitFor(const std::string& key, TimeMs now);

    // Counts a failure of `key` at `now`. Returns the wait it now has (0 while within the free failures).
    TimeMs Failed(const std::string& key, TimeMs now);

    // A success: `key` starts again from nothing.
    void Succeeded(const std::string& key);

private:
    struct Record {
        std::int64_t failures = 0;
        TimeMs last_failure = 0;
        TimeMs wait_until = 0;
    };

    TimeMs DelayAfter(std::int64_t failures) const;
    void MakeRoom(TimeMs now);  // REQUIRES: mu_ held

    const DelayPolicy policy_;
    std::mutex mu_;
    std::unordered_map<std::string, Record> records_;  // guarded by mu_
};

}  // namespace crisisline::staff
