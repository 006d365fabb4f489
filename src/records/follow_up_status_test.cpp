#include "records/follow_up_status.hpp"

#include <gtest/gtest.h>

namespace crisisline::records {
namespace {

struct Case {
    const char* current;
    TimeMs now;
    const char* expected;
};

TEST(FollowUpStatusTest, MovesWithTimeThroughTheWindow) {
    const TimeMs earliest = 10 * kDayMs, latest = 11 * kDayMs, max = 7 * kDayMs;
    const Case cases[] = {
        {"scheduled", earliest - 1, "scheduled"},
        {"scheduled", earliest, "due"},
        {"scheduled", latest, "due"},
        {"due", latest + 1, "overdue"},
        {"scheduled", latest + kHourMs, "overdue"},
        {"overdue", earliest + max, "overdue"},
        {"overdue", earliest + max + 1, "unreachable"},
        {"scheduled", earliest + 30 * kDayMs, "unreachable"},
        {"completed", earliest + 30 * kDayMs, "completed"},
        {"cancelled", earliest, "cancelled"},
        {"unreachable", earliest - 1, "unreachable"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(FollowUpStatusAt(c.current, earliest, latest, max, c.now), c.expected)
            << c.current << " at day " << static_cast<double>(c.now) / kDayMs;
    }
}

}  // namespace
}  // namespace crisisline::records
