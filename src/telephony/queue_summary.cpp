#include "telephony/queue_summary.hpp"

#include <algorithm>

namespace crisisline::telephony {

std::map<std::string, QueueSummary> SummariseQueues(const acd::LiveState& state) {
    std::map<std::string, QueueSummary> out;
    for (const auto& w : state.waiting) {
        QueueSummary& q = out[w.line];
        q.waiting += 1;
        q.longest_wait_ms = std::max(q.longest_wait_ms, w.wait_ms);
    }
    return out;
}

std::vector<std::pair<std::string, QueueSummary>> ChangedQueues(const std::map<std::string, QueueSummary>& before,
                                                                const std::map<std::string, QueueSummary>& now) {
    std::vector<std::pair<std::string, QueueSummary>> changed;
    for (const auto& [line, summary] : now) {
        auto was = before.find(line);
        if (was == before.end() || was->second.waiting != summary.waiting) changed.emplace_back(line, summary);
    }
    for (const auto& [line, summary] : before) {
        if (!now.contains(line)) changed.emplace_back(line, QueueSummary{});
    }
    std::sort(changed.begin(), changed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return changed;
}

}  // namespace crisisline::telephony
