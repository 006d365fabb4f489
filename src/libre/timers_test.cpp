#include "libre/timers.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "libre/re.hpp"

extern "C" struct list* tmrl_get(void);  // libre 1.1.0's own timer list (exported, not declared in its headers)

namespace crisisline::libre {
namespace {

// Each test runs a real libre loop on the test's thread, as the telephony thread does.
class LibreTimersTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(libre_init(), 0);
        ASSERT_EQ(fd_setsize(1024), 0);
        ASSERT_TRUE(AttachTimers());
        tmr_init(&guard_);
        tmr_start(
            &guard_, 5000,
            [](void* arg) {
                *static_cast<bool*>(arg) = true;
                re_cancel();
            },
            &timed_out_);
    }
    void TearDown() override {
        tmr_cancel(&guard_);
        DetachTimers();
        libre_close();
    }

    tmr guard_{};  // ends a loop that would otherwise wait forever
    bool timed_out_ = false;
};

// libre's own code starts its SIP transaction timers through the interposed tmr_start, and they fire from
// our timerfd: an OPTIONS request over UDP that nobody answers is retransmitted after T1 (500 ms) by
// libre's timer E. libre's own timer list stays empty throughout.
TEST_F(LibreTimersTest, LibresOwnSipTransactionTimersRunHere) {
    struct Peer {
        std::vector<std::uint64_t> arrivals;  // tmr_jiffies() of each datagram
    } peer;
    udp_sock* socket = nullptr;
    sa local{};
    ASSERT_EQ(sa_set_str(&local, "127.0.0.1", 0), 0);
    ASSERT_EQ(udp_listen(
                  &socket, &local,
                  [](const sa*, mbuf*, void* arg) {
                      auto* p = static_cast<Peer*>(arg);
                      p->arrivals.push_back(tmr_jiffies());
                      if (p->arrivals.size() == 2) re_cancel();
                  },
                  &peer),
              0);
    ASSERT_EQ(udp_local_get(socket, &local), 0);

    sip* stack = nullptr;
    ASSERT_EQ(sip_alloc(&stack, nullptr, 16, 16, 16, "timers-test", nullptr, nullptr), 0);
    sa any{};
    ASSERT_EQ(sa_set_str(&any, "127.0.0.1", 0), 0);
    ASSERT_EQ(sip_transp_add(stack, SIP_TRANSP_UDP, &any), 0);

    const auto started_before = TimersStarted();
    const auto running_before = TimersRunningHere();
    const std::string uri = "sip:probe@127.0.0.1:" + std::to_string(sa_port(&local)) + ";transport=udp";
    struct sip_request* request = nullptr;
    ASSERT_EQ(sip_requestf(
                  &request, stack, true, "OPTIONS", uri.c_str(), nullptr, nullptr, nullptr,
                  [](int, const sip_msg*, void*) {}, nullptr,
                  "To: <sip:probe@127.0.0.1>\r\nFrom: <sip:test@127.0.0.1>;tag=t1\r\n"
                  "Call-ID: timers-test-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"),
              0);
    EXPECT_GE(TimersStarted(), started_before + 2);  // timer F (32 s) and timer E (500 ms)
    EXPECT_GE(TimersRunningHere(), running_before + 2);
    EXPECT_TRUE(list_isempty(tmrl_get())) << "a timer went to libre's own list: the interposition is not in effect";

    re_main(nullptr);

    EXPECT_FALSE(timed_out_);
    ASSERT_EQ(peer.arrivals.size(), 2u);
    EXPECT_GE(peer.arrivals[1] - peer.arrivals[0], 450u);  // T1 = 500 ms, give or take a millisecond of rounding
    EXPECT_LE(peer.arrivals[1] - peer.arrivals[0], 1500u);
    EXPECT_TRUE(list_isempty(tmrl_get()));

    mem_deref(request);
    sip_close(stack, true);
    mem_deref(stack);
    mem_deref(socket);
}

struct Record {
    std::vector<int>* fired;
    int id;
};

// Timers started here fire through re_main in order of due time, the same millisecond in start order, and
// libre's tmr_get_expire (not interposed) reads them correctly.
TEST_F(LibreTimersTest, LoopFiresTimersInOrder) {
    std::vector<int> fired;
    std::array<tmr, 5> timers{};
    std::array<Record, 5> records{};
    auto fire = [](void* arg) {
        auto* r = static_cast<Record*>(arg);
        r->fired->push_back(r->id);
        if (r->fired->size() == 4) re_cancel();
    };
    for (int i = 0; i < 5; ++i) {
        tmr_init(&timers[i]);
        records[i] = {&fired, i};
    }
    tmr_start(&timers[0], 60, fire, &records[0]);
    tmr_start(&timers[1], 20, fire, &records[1]);
    tmr_start(&timers[2], 40, fire, &records[2]);
    tmr_start(&timers[3], 0, fire, &records[3]);
    tmr_start(&timers[4], 30, fire, &records[4]);
    tmr_cancel(&timers[4]);
    EXPECT_FALSE(tmr_isrunning(&timers[4]));
    EXPECT_TRUE(tmr_isrunning(&timers[0]));
    EXPECT_GE(tmr_get_expire(&timers[0]), 50u);
    EXPECT_LE(tmr_get_expire(&timers[0]), 60u);
    EXPECT_EQ(tmr_get_expire(&timers[4]), 0u);
    EXPECT_TRUE(list_isempty(tmrl_get()));

    re_main(nullptr);

    EXPECT_FALSE(timed_out_);
    EXPECT_EQ(fired, (std::vector<int>{3, 1, 2, 0}));
}

// A thread may detach and attach again (the telephony loop is started and stopped): timers started while
// detached wait and fire after it attaches.
TEST_F(LibreTimersTest, TimersWaitWhileDetached) {
    DetachTimers();
    bool fired = false;
    tmr timer{};
    tmr_init(&timer);
    tmr_start(
        &timer, 10,
        [](void* arg) {
            *static_cast<bool*>(arg) = true;
            re_cancel();
        },
        &fired);
    ASSERT_TRUE(AttachTimers());
    re_main(nullptr);
    EXPECT_TRUE(fired);
    EXPECT_FALSE(timed_out_);
}

}  // namespace
}  // namespace crisisline::libre
