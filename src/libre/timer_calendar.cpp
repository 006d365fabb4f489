#include "libre/timer_calendar.hpp"

namespace crisisline::libre {

TimerCalendar::~TimerCalendar() {
    for (auto& [due, bucket] : buckets_) {
        while (bucket.head != nullptr) {
            auto* timer = static_cast<tmr*>(bucket.head->data);
            list_unlink(&timer->le);
            timer->th = nullptr;
        }
    }
}

void TimerCalendar::Start(tmr* timer, std::uint64_t due, tmr_h* handler, void* arg) {
    if (timer == nullptr) return;
    Stop(timer);
    timer->th = handler;
    timer->arg = arg;
    if (handler == nullptr) return;
    timer->jfs = due;
    auto& bucket = buckets_[due];  // a new bucket is value-initialised: an empty list
    list_append(&bucket, &timer->le, timer);
}

void TimerCalendar::Stop(tmr* timer) {
    if (timer == nullptr || timer->th == nullptr) return;
    const list* bucket = timer->le.list;
    list_unlink(&timer->le);
    timer->th = nullptr;
    if (bucket != nullptr) DropIfEmpty(timer->jfs, bucket);
}

// Only this calendar's own bucket for `due` is dropped: a timer started on another thread's calendar
// (which libre 1.1.0 never does here) unlinks from that calendar's bucket, which is dropped when due.
void TimerCalendar::DropIfEmpty(std::uint64_t due, const list* bucket) {
    if (bucket->head != nullptr) return;
    auto it = buckets_.find(due);
    if (it != buckets_.end() && &it->second == bucket) buckets_.erase(it);
}

std::size_t TimerCalendar::FireDue(std::uint64_t now) {
    std::size_t fired = 0;
    // No iterator is held across a handler: handlers may add and drop buckets.
    while (!buckets_.empty()) {
        auto first = buckets_.begin();
        if (first->first > now) break;
        if (first->second.head == nullptr) {
            buckets_.erase(first);
            continue;
        }
        auto* timer = static_cast<tmr*>(first->second.head->data);
        tmr_h* handler = timer->th;
        void* arg = timer->arg;
        list_unlink(&timer->le);
        timer->th = nullptr;
        if (first->second.head == nullptr) buckets_.erase(first);
        handler(arg);
        ++fired;
    }
    return fired;
}

std::optional<std::uint64_t> TimerCalendar::NextDue() {
    while (!buckets_.empty() && buckets_.begin()->second.head == nullptr) buckets_.erase(buckets_.begin());
    if (buckets_.empty()) return std::nullopt;
    return buckets_.begin()->first;
}

std::size_t TimerCalendar::Running() const {
    std::size_t n = 0;
    for (const auto& [due, bucket] : buckets_) n += list_count(&bucket);
    return n;
}

}  // namespace crisisline::libre
