#include "reports/period.hpp"

#include <gtest/gtest.h>

namespace crisisline::reports {
namespace {

TEST(PeriodTest, ReadsTheWholeCalendarPeriods) {
    const struct {
        const char* text;
        PeriodKind kind;
        const char* from;
        const char* to;
    } cases[] = {
        {"2026-05", PeriodKind::kMonth, "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z"},
        {"2026-12", PeriodKind::kMonth, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
        {"2026-Q2", PeriodKind::kQuarter, "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z"},
        {"2026-Q4", PeriodKind::kQuarter, "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z"},
        {"2026", PeriodKind::kYear, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
        {"2024-02-29", PeriodKind::kDay, "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
        {"2026-W01", PeriodKind::kWeek, "2025-12-29T00:00:00Z", "2026-01-05T00:00:00Z"},
        {"2026-W53", PeriodKind::kWeek, "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z"},
    };
    for (const auto& c : cases) {
        auto p = ParsePeriod(c.text);
        ASSERT_TRUE(p) << c.text;
        EXPECT_EQ(p->kind, c.kind) << c.text;
        EXPECT_EQ(FormatTime(p->from).substr(0, 19), std::string(c.from).substr(0, 19)) << c.text;
        EXPECT_EQ(FormatTime(p->to).substr(0, 19), std::string(c.to).substr(0, 19)) << c.text;
    }
}

TEST(PeriodTest, RefusesAnythingElseNamingTheField) {
    for (const char* text : {"", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2025-W53", "2025-02-29", "1999",
                             "2100", "2026-05-01T00:00:00Z", "2026-5", "26-05", "2026/05", "2026-05-1", "abcd",
                             "2026-05..2026-06", "2026-W0"}) {
        auto p = ParsePeriod(text);
        ASSERT_FALSE(p) << text;
        EXPECT_EQ(p.error().field, "period") << text;
        EXPECT_EQ(p.error().code, ErrorCode::kInvalid) << text;
    }
}

}  // namespace
}  // namespace crisisline::reports
