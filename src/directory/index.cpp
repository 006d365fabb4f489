#include <algorithm>
#include <cassert>
#include <tuple>

#include "directory/detail/text.hpp"
#include "directory/directory.hpp"
#include "reference/reference.hpp"

namespace crisisline::directory {

namespace {

// Bit i of a mask stands for item i of a reference list.
constexpr size_t kMaskBits = 32;

// The bit of `value` in `list`, or 0 when it is not there.
std::uint32_t BitOf(const std::vector<std::string>& list, std::string_view value) {
    auto it = std::find(list.begin(), list.end(), value);
    if (it == list.end()) return 0;
    return std::uint32_t{1} << static_cast<std::uint32_t>(it - list.begin());
}

std::vector<std::string> LowerWords(std::string_view text) {
    std::vector<std::string> words;
    size_t start = 0;
    while (start < text.size()) {
        const size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
        if (end > start) words.push_back(detail::Lower(text.substr(start, end - start)));
        start = end + 1;
    }
    return words;
}

}  // namespace

Index::Index(std::vector<Service> services) : services_(std::move(services)) {
    // assert: every category and region has a bit of its own.
    assert(reference::SignpostingCategoryCodes().size() <= kMaskBits && reference::RegionNames().size() <= kMaskBits);
    std::vector<std::tuple<std::string, std::string, std::string>> keys;
    std::vector<size_t> order(services_.size());
    for (size_t i = 0; i < services_.size(); ++i) {
        order[i] = i;
        keys.emplace_back(detail::Lower(services_[i].organisation), detail::Lower(services_[i].name), services_[i].id);
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
    std::vector<Service> sorted;
    sorted.reserve(services_.size());
    for (size_t i : order) sorted.push_back(std::move(services_[i]));
    services_ = std::move(sorted);

    entries_.reserve(services_.size());
    for (const auto& s : services_) {
        Entry e;
        e.haystack = detail::Lower(s.organisation + "\n" + s.name + "\n" + s.description + "\n" + s.eligibility);
        for (const auto& c : s.categories) e.categories |= BitOf(reference::SignpostingCategoryCodes(), c);
        for (const auto& area : s.service_areas) {
            if (area == kNational) e.national = true;
            e.regions |= BitOf(reference::RegionNames(), area);
        }
        entries_.push_back(std::move(e));
    }
}

bool Index::Matches(const Entry& e, std::uint32_t need, const std::vector<std::string>& words) const {
    if (need != 0 && (e.categories & need) == 0) return false;
    return std::all_of(words.begin(), words.end(),
                       [&](const std::string& w) { return e.haystack.find(w) != std::string::npos; });
}

std::vector<const Service*> Index::Search(const Query& q) const {
    std::vector<const Service*> out;
    std::uint32_t need = 0;
    if (!q.need.empty()) {
        need = BitOf(reference::SignpostingCategoryCodes(), q.need);
        if (need == 0) return out;  // no service can meet a need that is not a category
    }
    const std::vector<std::string> words = LowerWords(q.text);
    // An unknown region (or "national" itself) has no bit: only national services serve it.
    const bool any_region = q.region.empty();
    const std::uint32_t region = any_region ? 0 : BitOf(reference::RegionNames(), q.region);

    // Services named for the region come first, then national ones.
    for (int pass = 0; pass < (any_region ? 1 : 2) && out.size() < q.limit; ++pass) {
        for (size_t i = 0; i < entries_.size() && out.size() < q.limit; ++i) {
            const Entry& e = entries_[i];
            const bool local = any_region || (e.regions & region) != 0;
            const bool wanted = pass == 0 ? local : (!local && e.national);
            if (wanted && Matches(e, need, words)) out.push_back(&services_[i]);
        }
    }
    return out;
}

}  // namespace crisisline::directory
