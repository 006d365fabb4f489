#include "staff/throttle.hpp"

#include <algorithm>

namespace crisisline::staff {

TimeMs FailureDelays::DelayAfter(std::int64_t failures) const {
    const std::int64_t past = failures - policy_.free_failures;
    if (past <= 0) return 0;
    TimeMs delay = policy_.first_delay;
    for (std::int64_t i = 1; i < past && delay < policy_.max_delay; ++i) delay *= 2;
    return std::min(delay, policy_.max_delay);
}

TimeMs FailureDelays::WaitFor(const std::string& key, TimeMs now) {
    std::lock_guard lock(mu_);
    auto it = records_.find(key);
    if (it == records_.end()) return 0;
    return std::max<TimeMs>(0, it->second.wait_until - now);
}

TimeMs FailureDelays::Failed(const std::string& key, TimeMs now) {
    std::lock_guard lock(mu_);
    if (records_.size() >= policy_.max_tracked && records_.find(key) == records_.end()) MakeRoom(now);
    Record& r = records_[key];
    if (r.failures > 0 && now - r.last_failure >= policy_.forget_after) r = Record{};
    r.failures += 1;
    r.last_failure = now;
    const TimeMs delay = DelayAfter(r.failures);
    r.wait_until = now + delay;
    return delay;
}

void FailureDelays::Succeeded(const std::string& key) {
    std::lock_guard lock(mu_);
    records_.erase(key);
}

void FailureDelays::MakeRoom(TimeMs now) {
    std::erase_if(records_, [&](const auto& kv) { return now - kv.second.last_failure >= policy_.forget_after; });
    if (records_.size() < policy_.max_tracked) return;
    std::erase_if(records_, [&](const auto& kv) { return kv.second.wait_until <= now; });
    if (records_.size() >= policy_.max_tracked) records_.clear();
}

}  // namespace crisisline::staff
