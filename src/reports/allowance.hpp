#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace crisisline::reports {

// How many report requests one person may make: `limit` in a fixed window that starts at their first request
// (60 an hour by default), so no one can bisect their way to a single caller in a few hundred queries.
// Thread-safe. Memory is bounded: past `max_tracked` people, ended windows are dropped (and if none has ended,
// all are, which errs towards allowing a request, never towards refusing one for good).
class ReportAllowance {
public:
    explicit ReportAllowance(std::int64_t limit = 60, TimeMs window = kHourMs, size_t max_tracked = 10000)
        : limit_(limit), window_(window), max_tracked_(max_tracked) {}

    // Counts a request by `who` at `now`. 0 when it is allowed; otherwise how long until their window ends
    // (and the request is not counted).
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

}  // namespace crisisline::reports
