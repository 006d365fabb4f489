#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace crisisline::records::detail {

// Rendered answers by key, for one immutable snapshot of the data they were rendered from. The cache lives and
// dies with that snapshot, so there is nothing to invalidate entry by entry: a change makes a new snapshot, and
// with it an empty cache. Bounded by entries and bytes; once either bound is reached, further answers are not
// kept (they are still computed and correct). Thread-safe.
class AnswerCache {
public:
    AnswerCache(std::size_t max_entries, std::size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}

    // The answer kept under `key`, or null.
    std::shared_ptr<const std::string> Find(std::string_view key) const;

    // Keeps `answer` under `key` unless a bound would be passed; a key already kept keeps its first answer.
    // Returns the answer kept under `key` afterwards (the given one, or the one kept before), or null when the
    // cache is full.
    std::shared_ptr<const std::string> Keep(std::string key, std::shared_ptr<const std::string> answer);

    std::size_t Entries() const;
    std::size_t Bytes() const;  // keys and answers

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };

    const std::size_t max_entries_;
    const std::size_t max_bytes_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<const std::string>, Hash, std::equal_to<>> answers_;  // mu_
    std::size_t bytes_ = 0;  // guarded by mu_
};

}  // namespace crisisline::records::detail
