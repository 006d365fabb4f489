#include "reports/period.hpp"

#include <cctype>

namespace crisisline::reports {

namespace {

constexpr int kFirstYear = 2000;
constexpr int kLastYear = 2099;

// Days since 1970-01-01 of a civil date (proleptic Gregorian), after H. Hinnant's days_from_civil.
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned DaysInMonth(int y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`; -1 when they are not all digits.
int Digits(std::string_view s, size_t pos, size_t width) {
    if (pos + width > s.size()) return -1;
    int v = 0;
    for (size_t i = pos; i < pos + width; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

Result<Period> Invalid() {
    return Fail(ErrorCode::kInvalid, "period",
                "must be a whole calendar period from 2000 to 2099: a month (2026-05), a quarter (2026-Q2) or a year "
                "(2026); service levels also take an ISO week (2026-W20) or a day (2026-05-14)");
}

// Monday 00:00 UTC of ISO week 1 of `year`: the week with 4 January in it.
std::int64_t IsoWeekOneMonday(int year) {
    const std::int64_t jan4 = DaysFromCivil(year, 1, 4);
    const std::int64_t weekday = ((jan4 + 3) % 7 + 7) % 7;  // 0 = Monday; 1970-01-01 was a Thursday
    return jan4 - weekday;
}

}  // namespace

TimeMs StartOfDate(int year, unsigned month, unsigned day) { return DaysFromCivil(year, month, day) * kDayMs; }

const char* PeriodKindName(PeriodKind kind) {
    switch (kind) {
        case PeriodKind::kDay: return "day";
        case PeriodKind::kWeek: return "week";
        case PeriodKind::kMonth: return "month";
        case PeriodKind::kQuarter: return "quarter";
        case PeriodKind::kYear: return "year";
    }
    return "month";
}

Result<Period> ParsePeriod(std::string_view text) {
    const int year = Digits(text, 0, 4);
    if (year < kFirstYear || year > kLastYear) return Invalid();
    Period p;
    p.label = std::string(text);
    if (text.size() == 4) {
        p.kind = PeriodKind::kYear;
        p.from = StartOfDate(year, 1, 1);
        p.to = StartOfDate(year + 1, 1, 1);
        return p;
    }
    if (text.size() < 7 || text[4] != '-') return Invalid();
    if (text.size() == 7 && text[5] == 'Q') {
        const int q = Digits(text, 6, 1);
        if (q < 1 || q > 4) return Invalid();
        p.kind = PeriodKind::kQuarter;
        const auto first = static_cast<unsigned>(3 * (q - 1) + 1);
        p.from = StartOfDate(year, first, 1);
        p.to = q == 4 ? StartOfDate(year + 1, 1, 1) : StartOfDate(year, first + 3, 1);
        return p;
    }
    if (text.size() == 8 && text[5] == 'W') {
        const int week = Digits(text, 6, 2);
        const std::int64_t monday = IsoWeekOneMonday(year);
        const std::int64_t weeks_in_year = (IsoWeekOneMonday(year + 1) - monday) / 7;
        if (week < 1 || week > weeks_in_year) return Invalid();
        p.kind = PeriodKind::kWeek;
        p.from = (monday + 7 * (week - 1)) * kDayMs;
        p.to = p.from + 7 * kDayMs;
        return p;
    }
    const int month = Digits(text, 5, 2);
    if (month < 1 || month > 12) return Invalid();
    const auto m = static_cast<unsigned>(month);
    if (text.size() == 7) {
        p.kind = PeriodKind::kMonth;
        p.from = StartOfDate(year, m, 1);
        p.to = m == 12 ? StartOfDate(year + 1, 1, 1) : StartOfDate(year, m + 1, 1);
        return p;
    }
    if (text.size() == 10 && text[7] == '-') {
        const int day = Digits(text, 8, 2);
        if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, m)) return Invalid();
        p.kind = PeriodKind::kDay;
        p.from = StartOfDate(year, m, static_cast<unsigned>(day));
        p.to = p.from + kDayMs;
        return p;
    }
    return Invalid();
}

}  // namespace crisisline::reports
