#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "acd/acd.hpp"
#include "core/clock.hpp"

namespace crisisline::telephony {

// How many callers wait on one line, and for how long the longest has waited.
struct QueueSummary {
    std::int64_t waiting = 0;
    TimeMs longest_wait_ms = 0;
};

// Per line with anyone waiting, from a Router snapshot (pure).
std::map<std::string, QueueSummary> SummariseQueues(const acd::LiveState& state);

// The lines whose number of waiting callers differs between `before` and `now` (a line missing from either
// has nobody waiting), each with its summary now, by line id. The longest wait alone changing is not a change:
// it grows every moment, and the console counts it up itself.
std::vector<std::pair<std::string, QueueSummary>> ChangedQueues(const std::map<std::string, QueueSummary>& before,
                                                                const std::map<std::string, QueueSummary>& now);

}  // namespace crisisline::telephony
