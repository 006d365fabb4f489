#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crisisline {

// Milliseconds since the Unix epoch, UTC. The one time unit stored and passed around.
using TimeMs = std::int64_t;

constexpr TimeMs kSecondMs = 1000;
constexpr TimeMs kMinuteMs = 60 * kSecondMs;
constexpr TimeMs kHourMs = 60 * kMinuteMs;
constexpr TimeMs kDayMs = 24 * kHourMs;

// The time source, a seam for tests (as LevelDB's Env). Thread-safe.
class Clock {
public:
    virtual ~Clock() = default;
    virtual TimeMs Now() const = 0;
};

// Wall-clock UTC time.
class SystemClock final : public Clock {
public:
    TimeMs Now() const override;
};

// A clock that moves only when told to; for schedulers and timeouts in tests.
class FakeClock final : public Clock {
public:
    explicit FakeClock(TimeMs start) : now_(start) {}
    TimeMs Now() const override { return now_.load(); }
    void Advance(TimeMs by) { now_ += by; }
    void Set(TimeMs to) { now_ = to; }

private:
    std::atomic<TimeMs> now_;
};

// "2026-11-27T19:04:14.123Z". Always UTC, always milliseconds.
std::string FormatTime(TimeMs t);

// Accepts RFC 3339 timestamps: "2026-11-27T19:04:14Z", with optional fraction
// and a "Z" or "+hh:mm" offset, from 1970 on. Returns nullopt on anything else
// (year 0000 included: nothing this service records is older than 1970).
std::optional<TimeMs> ParseTime(std::string_view text);

}  // namespace crisisline
