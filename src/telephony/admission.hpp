#pragma once

#include <map>
#include <string>

#include "core/clock.hpp"

// Admission control as pure logic: how many new calls a trunk may start. (The per-line limits are counts
// of calls in progress, checked by the switchboard.)
namespace crisisline::telephony {

// New calls a second for each trunk: a bucket of `per_second` calls per trunk, refilled continuously, so a
// trunk may start a burst of `per_second` calls at once and `per_second` a second after that.
// Thread-compatible: the telephony loop only.
class NewCallRate {
public:
    explicit NewCallRate(int per_second) : per_second_(per_second) {}
    // True, and the call counted, when `trunk` may start a new call at `now`.
    bool Take(const std::string& trunk, TimeMs now);
    // Milliseconds until `trunk` may start one again (0: now).
    TimeMs Wait(const std::string& trunk, TimeMs now) const;

private:
    struct Bucket {
        double calls = 0;  // calls it may still start
        TimeMs at = 0;     // when `calls` was worked out
    };
    double Level(const Bucket& bucket, TimeMs now) const;
    int per_second_;
    std::map<std::string, Bucket> buckets_;  // by trunk name: one entry per configured trunk
};

}  // namespace crisisline::telephony
