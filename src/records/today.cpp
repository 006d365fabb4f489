#include "records/today.hpp"

namespace crisisline::records {

namespace {

nlohmann::json FractionOrNull(std::int64_t part, std::int64_t whole) {
    if (whole <= 0) return nullptr;
    return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

TimeMs StartOfUtcDay(TimeMs t) {
    TimeMs into_day = t % kDayMs;
    if (into_day < 0) into_day += kDayMs;
    return t - into_day;
}

nlohmann::json TodayJson(TimeMs from, const store::PhoneTally& tally, std::int64_t follow_ups_overdue) {
    nlohmann::json speed = nullptr;
    if (tally.answered > 0) {
        speed = static_cast<double>(tally.answer_wait_ms_total) / static_cast<double>(tally.answered) / 1000.0;
    }
    return {{"from", FormatTime(from)},
            {"offered", tally.offered},
            {"answered", tally.answered},
            {"abandoned", tally.abandoned},
            {"overflowed", tally.overflowed},
            {"answer_rate", FractionOrNull(tally.answered, tally.offered)},
            {"average_speed_of_answer_s", speed},
            {"answered_within_20s", tally.answered_within_20s},
            {"answered_within_60s", tally.answered_within_60s},
            {"service_level_20s", FractionOrNull(tally.answered_within_20s, tally.offered)},
            {"service_level_60s", FractionOrNull(tally.answered_within_60s, tally.offered)},
            {"follow_ups_overdue", follow_ups_overdue}};
}

Result<nlohmann::json> LineToday(store::Store& store, const std::string& line_id, TimeMs now) {
    const TimeMs from = StartOfUtcDay(now);
    store::PhoneTally tally;
    std::int64_t overdue = 0;
    // One snapshot, so the calls and the follow-ups are counted at the same moment.
    auto read = store.Read([&](store::Tx& tx) -> Result<void> {
        auto counted = tx.TallyPhoneContacts(line_id, from, from + kDayMs);
        if (!counted) return tl::unexpected(counted.error());
        tally = *counted;
        auto late = tx.CountFollowUps(line_id, "overdue");
        if (!late) return tl::unexpected(late.error());
        overdue = *late;
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    return TodayJson(from, tally, overdue);
}

}  // namespace crisisline::records
