#include "libre/timer_calendar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace crisisline::libre {
namespace {

// A timer that writes its name into a shared log when it fires.
struct Named {
    tmr timer{};
    std::string name;
    std::vector<std::string>* log = nullptr;
    std::function<void(Named&)> also;  // run after logging, inside the handler
};

void Fire(void* arg) {
    auto* named = static_cast<Named*>(arg);
    named->log->push_back(named->name);
    if (named->also) named->also(*named);
}

class TimerCalendarTest : public ::testing::Test {
protected:
    Named& Make(const std::string& name) {
        auto& n = timers_.emplace_back();
        tmr_init(&n.timer);
        n.name = name;
        n.log = &log_;
        return n;
    }
    void Start(Named& n, std::uint64_t due) { calendar_.Start(&n.timer, due, Fire, &n); }

    std::deque<Named> timers_;  // stable addresses
    std::vector<std::string> log_;
    TimerCalendar calendar_;
};

TEST_F(TimerCalendarTest, FiresInOrderOfDueTimeWhenDue) {
    auto& late = Make("late");
    auto& early = Make("early");
    auto& middle = Make("middle");
    Start(late, 1300);
    Start(early, 1100);
    Start(middle, 1200);
    EXPECT_EQ(calendar_.NextDue(), 1100u);
    EXPECT_EQ(calendar_.FireDue(1099), 0u);
    EXPECT_EQ(calendar_.FireDue(1200), 2u);
    EXPECT_EQ(log_, (std::vector<std::string>{"early", "middle"}));
    EXPECT_EQ(calendar_.NextDue(), 1300u);
    EXPECT_EQ(calendar_.FireDue(5000), 1u);
    EXPECT_EQ(log_.back(), "late");
    EXPECT_FALSE(calendar_.NextDue());
}

TEST_F(TimerCalendarTest, SameMillisecondFiresInStartOrder) {
    for (const char* name : {"t0", "t1", "t2", "t3", "t4"}) Start(Make(name), 2000);
    calendar_.FireDue(2000);
    EXPECT_EQ(log_, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));
}

TEST_F(TimerCalendarTest, RunningFieldsKeepLibresMeaning) {
    auto& a = Make("a");
    EXPECT_FALSE(tmr_isrunning(&a.timer));
    Start(a, 1500);
    EXPECT_TRUE(tmr_isrunning(&a.timer));
    EXPECT_EQ(a.timer.jfs, 1500u);
    EXPECT_EQ(a.timer.arg, &a);
    bool running_inside = true;
    a.also = [&](Named& self) { running_inside = tmr_isrunning(&self.timer); };
    calendar_.FireDue(1500);
    EXPECT_FALSE(running_inside);  // the handler field is cleared before the handler is called
    EXPECT_FALSE(tmr_isrunning(&a.timer));
}

TEST_F(TimerCalendarTest, StopPreventsFiringAndIsHarmlessWhenNotRunning) {
    auto& a = Make("a");
    auto& b = Make("b");
    calendar_.Stop(&a.timer);  // never started
    Start(a, 1000);
    Start(b, 1000);
    calendar_.Stop(&a.timer);
    calendar_.Stop(&a.timer);
    EXPECT_FALSE(tmr_isrunning(&a.timer));
    EXPECT_EQ(calendar_.Running(), 1u);
    calendar_.FireDue(1000);
    EXPECT_EQ(log_, (std::vector<std::string>{"b"}));
    calendar_.Stop(&b.timer);  // already fired
    EXPECT_EQ(calendar_.Running(), 0u);
}

TEST_F(TimerCalendarTest, StartWithoutHandlerOnlyStops) {
    auto& a = Make("a");
    Start(a, 1000);
    calendar_.Start(&a.timer, 900, nullptr, nullptr);
    EXPECT_FALSE(tmr_isrunning(&a.timer));
    EXPECT_EQ(calendar_.FireDue(2000), 0u);
    EXPECT_FALSE(calendar_.NextDue());
}

TEST_F(TimerCalendarTest, RestartMovesTheTimer) {
    auto& a = Make("a");
    auto& b = Make("b");
    Start(a, 1000);
    Start(b, 1500);
    Start(a, 2000);  // later than b now
    EXPECT_EQ(calendar_.Running(), 2u);
    calendar_.FireDue(1999);
    EXPECT_EQ(log_, (std::vector<std::string>{"b"}));
    Start(b, 1800);
    Start(b, 1700);  // earlier again: moves back, still only once
    calendar_.FireDue(3000);
    EXPECT_EQ(log_, (std::vector<std::string>{"b", "b", "a"}));
}

TEST_F(TimerCalendarTest, RestartedIntoAnOccupiedMillisecondGoesLast) {
    auto& a = Make("a");
    auto& b = Make("b");
    auto& c = Make("c");
    Start(a, 1000);
    Start(b, 1000);
    Start(c, 1000);
    Start(a, 1000);  // restarted: now after b and c
    calendar_.FireDue(1000);
    EXPECT_EQ(log_, (std::vector<std::string>{"b", "c", "a"}));
}

TEST_F(TimerCalendarTest, HandlerMayRestartItself) {
    auto& a = Make("a");
    int times = 0;
    a.also = [&](Named& self) {
        if (++times < 3) calendar_.Start(&self.timer, self.timer.jfs + 20, Fire, &self);
    };
    Start(a, 1000);
    EXPECT_EQ(calendar_.FireDue(1030), 2u);  // 1000 and 1020; 1040 is not due yet
    EXPECT_TRUE(tmr_isrunning(&a.timer));
    EXPECT_EQ(calendar_.NextDue(), 1040u);
    EXPECT_EQ(calendar_.FireDue(1040), 1u);
    EXPECT_EQ(times, 3);
    EXPECT_FALSE(tmr_isrunning(&a.timer));
}

TEST_F(TimerCalendarTest, HandlerMayStopAnotherDueTimer) {
    auto& a = Make("a");
    auto& b = Make("b");
    auto& c = Make("c");
    a.also = [&](Named&) {
        calendar_.Stop(&b.timer);  // same millisecond, next in line
        calendar_.Stop(&c.timer);  // the only timer of a later, also due, millisecond
    };
    Start(a, 1000);
    Start(b, 1000);
    Start(c, 1001);
    EXPECT_EQ(calendar_.FireDue(1001), 1u);
    EXPECT_EQ(log_, (std::vector<std::string>{"a"}));
    EXPECT_FALSE(calendar_.NextDue());
}

TEST_F(TimerCalendarTest, HandlerMayStartTimersDueNowOrLater) {
    auto& a = Make("a");
    auto& now = Make("now");
    auto& later = Make("later");
    auto& b = Make("b");
    a.also = [&](Named&) {
        Start(now, 1000);    // due in the millisecond being fired: after b, in this pass
        Start(later, 1001);  // not due in this pass
    };
    Start(a, 1000);
    Start(b, 1000);
    EXPECT_EQ(calendar_.FireDue(1000), 3u);
    EXPECT_EQ(log_, (std::vector<std::string>{"a", "b", "now"}));
    EXPECT_EQ(calendar_.NextDue(), 1001u);
}

TEST_F(TimerCalendarTest, LongDelaysWaitBesideShortOnes) {
    const std::uint64_t start = 1'700'000'000'000;  // tmr_jiffies() is wall-clock milliseconds
    auto& hour = Make("hour");
    auto& transaction = Make("32s");
    auto& frame = Make("20ms");
    Start(hour, start + 3'600'000);
    Start(transaction, start + 32'000);
    Start(frame, start + 20);
    calendar_.FireDue(start + 31'999);
    EXPECT_EQ(log_, (std::vector<std::string>{"20ms"}));
    calendar_.FireDue(start + 3'599'999);
    EXPECT_EQ(log_, (std::vector<std::string>{"20ms", "32s"}));
    EXPECT_EQ(calendar_.NextDue(), start + 3'600'000);
    calendar_.FireDue(start + 7'200'000);  // a loop woken late fires what it owes
    EXPECT_EQ(log_.back(), "hour");
}

TEST_F(TimerCalendarTest, DestroyedCalendarLeavesItsTimersStopped) {
    auto& a = Make("a");
    {
        TimerCalendar other;
        other.Start(&a.timer, 1000, Fire, &a);
        EXPECT_TRUE(tmr_isrunning(&a.timer));
    }
    EXPECT_FALSE(tmr_isrunning(&a.timer));
    EXPECT_EQ(a.timer.le.list, nullptr);
    calendar_.Stop(&a.timer);  // harmless
}

// Many timers started, restarted and stopped at random fire exactly as libre 1.1.0's sorted list would
// fire them: by due time, and in start order within a millisecond.
TEST_F(TimerCalendarTest, MatchesASortedListUnderRandomUse) {
    std::mt19937 random(7);
    constexpr int kTimers = 3000;
    for (int i = 0; i < kTimers; ++i) Make(std::to_string(i));
    // The model: for each running timer, (due, start sequence).
    std::vector<std::optional<std::pair<std::uint64_t, int>>> model(kTimers);
    int sequence = 0;
    for (int step = 0; step < 20000; ++step) {
        auto& n = timers_[random() % kTimers];
        const int index = std::stoi(n.name);
        if (random() % 4 == 0) {
            calendar_.Stop(&n.timer);
            model[index].reset();
        } else {
            // Few distinct due times, so many share a millisecond; a few far beyond the others.
            const std::uint64_t due = 10'000 + (random() % 8 == 0 ? 32'000 : 0) + random() % 50;
            Start(n, due);
            model[index] = std::make_pair(due, sequence++);
        }
    }
    std::vector<std::tuple<std::uint64_t, int, std::string>> expected;
    for (int i = 0; i < kTimers; ++i) {
        if (model[i]) expected.emplace_back(model[i]->first, model[i]->second, std::to_string(i));
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(calendar_.Running(), expected.size());
    calendar_.FireDue(100'000);
    ASSERT_EQ(log_.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(log_[i], std::get<2>(expected[i])) << "position " << i;
    }
}

}  // namespace
}  // namespace crisisline::libre
