#include "telephony/registration.hpp"

#include <algorithm>

namespace crisisline::telephony {

std::optional<std::int64_t> ParseExpires(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    constexpr std::int64_t kMax = 4294967295LL;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = std::min(kMax, value * 10 + (c - '0'));
    }
    return value;
}

std::string RegistrationThrottle::Key(std::string_view account, std::string_view source) {
    std::string key;
    key.reserve(account.size() + source.size() + 1);
    key.append(account).append("\n").append(source);
    return key;
}

TimeMs RegistrationThrottle::Wait(std::string_view account, std::string_view source, TimeMs now) {
    auto it = failures_.find(Key(account, source));
    if (it == failures_.end() || static_cast<int>(it->second.size()) < limit_) return 0;
    TimeMs free_at = it->second.front() + window_ms_;
    return free_at > now ? free_at - now : 0;
}

void RegistrationThrottle::Failed(std::string_view account, std::string_view source, TimeMs now) {
    auto key = Key(account, source);
    auto it = failures_.find(key);
    if (it == failures_.end()) {
        if (failures_.size() >= capacity_) Prune(now);
        it = failures_.emplace(std::move(key), std::deque<TimeMs>{}).first;
    }
    auto& times = it->second;
    times.push_back(now);
    while (static_cast<int>(times.size()) > limit_) times.pop_front();
}

void RegistrationThrottle::Succeeded(std::string_view account, std::string_view source) {
    auto it = failures_.find(Key(account, source));
    if (it != failures_.end()) failures_.erase(it);
}

void RegistrationThrottle::Prune(TimeMs now) {
    for (auto it = failures_.begin(); it != failures_.end();) {
        it = now - it->second.back() > window_ms_ ? failures_.erase(it) : std::next(it);
    }
    while (failures_.size() >= capacity_) {
        auto quietest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
            return a.second.back() < b.second.back();
        });
        failures_.erase(quietest);
    }
}

}  // namespace crisisline::telephony
