#include "directory/detail/text.hpp"

#include <algorithm>
#include <chrono>

#include "directory/directory.hpp"
#include "reference/reference.hpp"

namespace crisisline::directory::detail {

std::string Lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::optional<std::int64_t> DayNumber(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    auto number = [&](size_t from, size_t count) -> std::optional<int> {
        int n = 0;
        for (size_t i = from; i < from + count; ++i) {
            if (date[i] < '0' || date[i] > '9') return std::nullopt;
            n = n * 10 + (date[i] - '0');
        }
        return n;
    };
    auto y = number(0, 4);
    auto m = number(5, 2);
    auto d = number(8, 2);
    if (!y || !m || !d || *y < 1970) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd).time_since_epoch().count();
}

const std::vector<std::string>& ServiceAreaChoices() {
    // "National" is the region of the non-territorial forces; a service for all of
    // England and Wales says kNational instead, so one word means one thing.
    static const std::vector<std::string> kChoices = [] {
        std::vector<std::string> out = {std::string(kNational)};
        for (const auto& name : reference::RegionNames()) {
            if (Lower(name) != kNational) out.push_back(name);
        }
        return out;
    }();
    return kChoices;
}

}  // namespace crisisline::directory::detail
