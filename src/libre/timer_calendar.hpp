#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "libre/re.hpp"

namespace crisisline::libre {

// The timers of one libre loop, kept by the millisecond they are due: a sorted map from a due time to a
// bucket (a libre `struct list`) of the timers due then, in the order they were started. A timer sits in
// its bucket through its own `tmr->le`, so stopping it is `list_unlink` and finding a bucket is O(log n)
// in the number of distinct due milliseconds (at most ~33,000 for the 32 s SIP transaction timers).
// It replaces libre 1.1.0's single sorted list, whose insert walks every timer (see libre/timers.hpp).
//
// Each timer keeps libre 1.1.0's meaning of the fields of `struct tmr` (re_tmr.h):
//   th   the handler while the timer runs, NULL when it does not (libre's inline tmr_isrunning reads it);
//        cleared before the handler is called, so a handler sees its own timer stopped and may restart it;
//   arg  the handler's argument;
//   jfs  when it is due, in tmr_jiffies() milliseconds (libre's tmr_get_expire reads it);
//   le   linked into the bucket of `jfs` while running.
// Timers fire in order of `jfs`; timers due in the same millisecond fire in the order they were started.
// A handler may start or stop any timer, itself included, while FireDue runs.
//
// The calendar does no I/O and reads no clock: the caller passes due times and "now".
// REQUIRES: external synchronisation (one thread: the loop's).
class TimerCalendar {
public:
    TimerCalendar() = default;
    // Timers still running are left stopped (`th` NULL, unlinked), so a later tmr_cancel on them is harmless.
    ~TimerCalendar();
    TimerCalendar(const TimerCalendar&) = delete;
    TimerCalendar& operator=(const TimerCalendar&) = delete;

    // Stops `timer` if it runs (wherever it was started), then, if `handler` is not NULL, runs it to fire at
    // `due`, after every timer already due at `due`. A NULL `handler` only stops it (libre's tmr_cancel).
    void Start(tmr* timer, std::uint64_t due, tmr_h* handler, void* arg);

    // Stops `timer` if it runs; no effect otherwise.
    void Stop(tmr* timer);

    // Fires, in order, every timer due at or before `now`, including any a handler starts that is due by
    // then. Returns how many handlers were called.
    std::size_t FireDue(std::uint64_t now);

    // The earliest due time of a running timer; nothing when none runs.
    std::optional<std::uint64_t> NextDue();

    // How many timers run (O(buckets); for tests and diagnostics).
    [[nodiscard]] std::size_t Running() const;

private:
    void DropIfEmpty(std::uint64_t due, const list* bucket);

    std::map<std::uint64_t, list> buckets_;  // node-based: a bucket's address never moves while it exists
};

}  // namespace crisisline::libre
