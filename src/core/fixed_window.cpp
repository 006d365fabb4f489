#include "core/fixed_window.hpp"

namespace crisisline {

TimeMs FixedWindowLimit::Take(const std::string& who, TimeMs now) {
    std::lock_guard lock(mu_);
    if (windows_.size() >= max_tracked_ && !windows_.contains(who)) {
        std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= window_; });
        if (windows_.size() >= max_tracked_) windows_.clear();
    }
    Window& w = windows_[who];
    if (w.used == 0 || now - w.start >= window_) w = {now, 0};
    if (w.used >= limit_) return w.start + window_ - now;
    ++w.used;
    return 0;
}

}  // namespace crisisline
