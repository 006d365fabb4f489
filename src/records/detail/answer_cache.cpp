#include "records/detail/answer_cache.hpp"

namespace crisisline::records::detail {

std::shared_ptr<const std::string> AnswerCache::Find(std::string_view key) const {
    std::lock_guard lock(mu_);
    const auto it = answers_.find(key);
    return it == answers_.end() ? nullptr : it->second;
}

std::shared_ptr<const std::string> AnswerCache::Keep(std::string key, std::shared_ptr<const std::string> answer) {
    const std::size_t size = key.size() + (answer ? answer->size() : 0);
    std::lock_guard lock(mu_);
    if (const auto it = answers_.find(key); it != answers_.end()) {
        return it->second;
    }
    if (!answer || answers_.size() >= max_entries_ || bytes_ + size > max_bytes_) {
        return nullptr;
    }
    bytes_ += size;
    answers_.emplace(std::move(key), answer);
    return answer;
}

std::size_t AnswerCache::Entries() const {
    std::lock_guard lock(mu_);
    return answers_.size();
}

std::size_t AnswerCache::Bytes() const {
    std::lock_guard lock(mu_);
    return bytes_;
}

}  // namespace crisisline::records::detail
