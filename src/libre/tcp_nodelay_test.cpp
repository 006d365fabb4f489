#include "libre/tcp_nodelay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "libre/re.hpp"
#include "libre/timers.hpp"

namespace crisisline::libre {
namespace {

int NoDelay(const tcp_conn* tc) {
    int value = -1;
    socklen_t len = sizeof value;
    if (getsockopt(tcp_conn_fd(tc), IPPROTO_TCP, TCP_NODELAY, &value, &len) != 0) return -1;
    return value;
}

// Both ends of a real loopback connection made by libre's own tcp_listen/tcp_accept and tcp_connect, on a libre
// loop, as the SIP transport makes them.
struct Ends {
    tcp_sock* listener = nullptr;
    tcp_conn* accepted = nullptr;
    tcp_conn* connected = nullptr;
    int accepted_nodelay = -1;
    int connected_nodelay = -1;
    bool timed_out = false;

    void DoneIfBoth() {
        if (accepted_nodelay >= 0 && connected_nodelay >= 0) re_cancel();
    }
};

TEST(LibreTcpNoDelayTest, AcceptedAndConnectedSocketsHaveNoDelay) {
    ASSERT_EQ(libre_init(), 0);
    ASSERT_EQ(fd_setsize(1024), 0);
    ASSERT_TRUE(AttachTimers());
    const std::uint64_t before = NoDelaySockets();
    Ends ends;
    tmr guard{};
    tmr_init(&guard);
    tmr_start(
        &guard, 5000,
        [](void* arg) {
            static_cast<Ends*>(arg)->timed_out = true;
            re_cancel();
        },
        &ends);

    sa local;
    sa_set_str(&local, "127.0.0.1", 0);
    ASSERT_EQ(tcp_listen(
                  &ends.listener, &local,
                  [](const sa*, void* arg) {
                      auto* e = static_cast<Ends*>(arg);
                      if (tcp_accept(&e->accepted, e->listener, nullptr, nullptr, nullptr, e) != 0) return;
                      e->accepted_nodelay = NoDelay(e->accepted);
                      e->DoneIfBoth();
                  },
                  &ends),
              0);
    sa bound;
    ASSERT_EQ(tcp_local_get(ends.listener, &bound), 0);
    ASSERT_EQ(tcp_connect(
                  &ends.connected, &bound,
                  [](void* arg) {
                      auto* e = static_cast<Ends*>(arg);
                      e->connected_nodelay = NoDelay(e->connected);
                      e->DoneIfBoth();
                  },
                  nullptr, nullptr, &ends),
              0);
    re_main(nullptr);

    EXPECT_FALSE(ends.timed_out) << "the loopback connection was not made within 5 s";
    EXPECT_EQ(ends.accepted_nodelay, 1) << "libre no longer calls tcp_accept through its PLT?";
    EXPECT_EQ(ends.connected_nodelay, 1) << "libre no longer calls tcp_conn_connect through its PLT?";
    EXPECT_GE(NoDelaySockets(), before + 2);

    tmr_cancel(&guard);
    mem_deref(ends.connected);
    mem_deref(ends.accepted);
    mem_deref(ends.listener);
    DetachTimers();
    libre_close();
}

}  // namespace
}  // namespace crisisline::libre
