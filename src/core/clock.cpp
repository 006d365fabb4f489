#include "core/clock.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace crisisline {

TimeMs SystemClock::Now() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatTime(TimeMs t) {
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    int millis = static_cast<int>(t % 1000);
    if (millis < 0) {
        millis += 1000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

namespace {

constexpr int kEarliestYear = 1970;

bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (size_t i = 0; i < count; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += count;
    return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
    if (pos >= text.size() || (text[pos] != c && !(c == 'T' && text[pos] == 't'))) return false;
    ++pos;
    return true;
}

}  // namespace

std::optional<TimeMs> ParseTime(std::string_view text) {
    size_t pos = 0;
    int year, month, day, hour, minute, second;
    if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, month) ||
        !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, day) || !Expect(text, pos, 'T') ||
        !ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, minute) ||
        !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, second)) {
        return std::nullopt;
    }
    // Nothing this service records happened before the Unix epoch; year 0000 and its like are typing errors.
    if (year < kEarliestYear || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 60) {
        return std::nullopt;
    }
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int scale = 100;
        size_t digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++digits;
        }
        if (digits == 0) return std::nullopt;
    }
    int offset_minutes = 0;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh, om;
        if (!ReadDigits(text, pos, 2, oh) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, om) || oh > 23 ||
            om > 59) {
            return std::nullopt;
        }
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    std::time_t secs = timegm(&tm);
    // timegm normalises 31 February into March; a date that moved was not a real date.
    std::tm check{};
    gmtime_r(&secs, &check);
    if (check.tm_mday != day) return std::nullopt;
    return static_cast<TimeMs>(secs - offset_minutes * 60) * 1000 + millis;
}

}  // namespace crisisline
