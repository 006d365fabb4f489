#include "staff/throttle.hpp"

namespace crisisline::staff {

bool SignInThrottle::Allow(const std::string& address, TimeMs now) {
    std::lock_guard lock(mu_);
    if (windows_.size() >= max_tracked_ && windows_.find(address) == windows_.end()) {
        std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= window_; });
        if (windows_.size() >= max_tracked_) windows_.clear();
    }
    Window& w = windows_[address];
    if (now - w.start >= window_) w = Window{now, 0};
    return ++w.attempts <= max_attempts_;
}

}  // namespace crisisline::staff
