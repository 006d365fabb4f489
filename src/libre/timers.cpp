#include "libre/timers.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include "libre/re.hpp"
#include "libre/timer_calendar.hpp"

namespace crisisline::libre {

namespace {

// One per thread: the calendar, and the timerfd that wakes the thread's loop when its first timer is due.
struct ThreadTimers {
    TimerCalendar calendar;
    int fd = -1;                             // the timerfd while attached, else -1
    std::optional<std::uint64_t> armed_for;  // the due time the timerfd is set to, if set

    ~ThreadTimers() { Close(); }

    void Close() {
        if (fd < 0) return;
        fd_close(fd);
        close(fd);
        fd = -1;
        armed_for.reset();
    }

    // Sets the timerfd for the earliest timer (or clears it). A timer that is already due wakes the loop at
    // once: the timerfd is set 1 ns ahead, since 0 would clear it.
    void Arm(std::optional<std::uint64_t> due, std::uint64_t now) {
        if (fd < 0 || due == armed_for) return;
        itimerspec when{};
        if (due) {
            const std::uint64_t ms = *due > now ? *due - now : 0;
            when.it_value.tv_sec = static_cast<time_t>(ms / 1000);
            when.it_value.tv_nsec = ms == 0 ? 1 : static_cast<long>((ms % 1000) * 1'000'000);
        }
        if (timerfd_settime(fd, 0, &when, nullptr) == 0) armed_for = due;
    }
};

thread_local ThreadTimers t_timers;
std::atomic<std::uint64_t> g_started{0};

void OnTimerFd(int flags, void* arg) {
    auto& timers = t_timers;
    std::uint64_t expirations = 0;
    (void)!read(timers.fd, &expirations, sizeof expirations);
    timers.armed_for.reset();  // it fired: whatever it was set to is spent
    timers.calendar.FireDue(tmr_jiffies());
    timers.Arm(timers.calendar.NextDue(), tmr_jiffies());
}

}  // namespace

Result<void> AttachTimers() {
    auto& timers = t_timers;
    if (timers.fd >= 0) return {};
    timers.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timers.fd < 0) {
        return Fail(ErrorCode::kInternal, std::string("libre timers: timerfd_create failed: ") + std::strerror(errno));
    }
    if (int err = fd_listen(timers.fd, FD_READ, OnTimerFd, nullptr); err != 0) {
        close(timers.fd);
        timers.fd = -1;
        return Fail(ErrorCode::kInternal, std::string("libre timers: fd_listen failed: ") + std::strerror(err));
    }
    timers.Arm(timers.calendar.NextDue(), tmr_jiffies());
    return {};
}

void DetachTimers() { t_timers.Close(); }

std::uint64_t TimersStarted() { return g_started.load(std::memory_order_relaxed); }

std::size_t TimersRunningHere() { return t_timers.calendar.Running(); }

}  // namespace crisisline::libre

// The interposed definitions (see libre/timers.hpp). Same signatures and meaning as libre 1.1.0's tmr.c:
// `tmr_start` with a NULL handler stops the timer; restarting a running timer moves it.
extern "C" void tmr_start(struct tmr* tmr, uint64_t delay, tmr_h* th, void* arg) {
    using crisisline::libre::t_timers;
    if (tmr == nullptr) return;
    auto& timers = t_timers;
    if (th == nullptr) {
        timers.calendar.Stop(tmr);
        tmr->arg = arg;  // libre 1.1.0 stores it either way
        return;
    }
    crisisline::libre::g_started.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t now = tmr_jiffies();
    timers.calendar.Start(tmr, now + delay, th, arg);
    if (!timers.armed_for || now + delay < *timers.armed_for) timers.Arm(now + delay, now);
}

extern "C" void tmr_cancel(struct tmr* tmr) { tmr_start(tmr, 0, nullptr, nullptr); }
