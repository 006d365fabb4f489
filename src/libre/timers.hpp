#pragma once

#include <cstddef>
#include <cstdint>

#include "core/error.hpp"

namespace crisisline::libre {

// libre's timers, kept by crisisline instead of by libre.
//
// Why: libre 1.1.0 keeps every timer of its loop in one sorted linked list and tmr_start inserts by walking
// it. A finished SIP transaction over UDP lingers 32 s (RFC 3261 timers J and K), so at 100 calls/s some
// 10,000 such timers sit in the list and every shorter timer started afterwards walks past all of them: the
// telephony loop spent ~45 % of its time in libre's list_apply and answers stretched to ~1 s.
//
// How: timers.cpp defines `tmr_start` and `tmr_cancel` (extern "C", the signatures of re_tmr.h). A
// definition in the executable comes first in the dynamic linker's symbol search, and libre.so calls its
// own exported tmr_start/tmr_cancel through its PLT (R_X86_64_JUMP_SLOT relocations, even though it is
// linked with BIND_NOW), so every timer libre starts or stops for itself (SIP transactions, sessions, DNS)
// lands here too, not only ours. Each thread keeps its own TimerCalendar (libre/timer_calendar.hpp), driven
// by one timerfd that the thread's libre loop polls like any socket (fd_listen). libre's own list stays
// empty, so re_main sleeps in epoll until a socket or that timerfd is ready, and tmr_poll finds nothing.
// libre's tmr_init, tmr_get_expire, tmr_jiffies and the inline tmr_isrunning still work: the calendar keeps
// the fields of `struct tmr` as libre 1.1.0 does. CMake links these objects into every binary that links
// libre (target crisisline_libre; never link PkgConfig::RE directly).
//
// What must stay true if libre is upgraded (check on every upgrade; LibreTimersTest fails if the first does
// not hold): libre must still call tmr_start/tmr_cancel through the PLT (not an internal alias, not
// -Bsymbolic, not inlined); `struct tmr` must keep `le`, `th`, `arg`, `jfs` with these meanings; nothing in
// libre may read its timer list other than tmr_poll/tmr_next_timeout/tmr_status (they then see it empty);
// tmr_jiffies must remain the clock of `jfs`. Later libre releases reworked timers (per-loop timer lists,
// tmr_start as a macro over a debug entry point): there this interposition would silently stop applying,
// so remove it on such an upgrade and measure whether their list still walks (docs/benchmarks.md).
//
// Threads: a timer fires on the thread whose calendar holds it, the thread that started it, and only while
// that thread is attached. crisisline starts libre timers only on the telephony thread.

// Attaches the calling thread's calendar to the libre loop of that thread: its timerfd is polled by
// re_main from now on, and timers already started fire when due.
// REQUIRES: libre_init() and fd_setsize() were called (fd_listen sets the loop's size on first use);
// call before re_main, and DetachTimers() before libre_close(). Fails if the timerfd cannot be created
// or listened to; the calendar's timers then do not fire.
[[nodiscard]] Result<void> AttachTimers();

// Stops polling the calling thread's timerfd and closes it. Running timers stay in the calendar, stopped
// from firing until the thread attaches again. No effect when not attached.
void DetachTimers();

// For tests and diagnostics: the timers started through this interposition by any thread since the
// process began (tmr_start with a handler), and those running on the calling thread now.
[[nodiscard]] std::uint64_t TimersStarted();
[[nodiscard]] std::size_t TimersRunningHere();

}  // namespace crisisline::libre
