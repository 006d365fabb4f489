#include "telephony/sip_sockets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace crisisline::telephony {
namespace {

constexpr int kBurst = 40;

sockaddr_in Loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// A listener with libre's kind of small backlog (1 here), nobody accepting; kBurst connections at once.
// Returns how many finished their handshake (the kernel's accept queue held them) within a bounded wait.
int ConnectedOfBurst(bool raise) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in here = Loopback(0);
    EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&here), sizeof here), 0);
    EXPECT_EQ(listen(listener, 1), 0);
    socklen_t len = sizeof here;
    getsockname(listener, reinterpret_cast<sockaddr*>(&here), &len);
    const std::uint16_t port = ntohs(here.sin_port);
    if (raise) {
        EXPECT_TRUE(RaiseTcpBacklog(port, 128));
    }

    std::vector<pollfd> clients;
    for (int i = 0; i < kBurst; ++i) {
        const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in to = Loopback(port);
        connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
        clients.push_back({fd, POLLOUT, 0});
    }
    // Wait for the condition (every connection made or failed), 3 s at most: a dropped SYN is retransmitted
    // after 1 s and finds the queue still full, so without the raise most never finish.
    int connected = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::vector<bool> done(clients.size(), false);
    while (std::chrono::steady_clock::now() < deadline && connected < kBurst) {
        poll(clients.data(), clients.size(), 100);
        for (size_t i = 0; i < clients.size(); ++i) {
            if (done[i] || !(clients[i].revents & (POLLOUT | POLLERR | POLLHUP))) continue;
            int err = -1;
            socklen_t elen = sizeof err;
            getsockopt(clients[i].fd, SOL_SOCKET, SO_ERROR, &err, &elen);
            done[i] = true;
            clients[i].events = 0;
            if (err == 0) ++connected;
        }
    }
    for (const auto& c : clients) close(c.fd);
    close(listener);
    return connected;
}

TEST(SipSocketsTest, RaisedBacklogTakesABurstOfConnections) {
    EXPECT_EQ(ConnectedOfBurst(true), kBurst);
}

TEST(SipSocketsTest, SmallBacklogLeavesABurstWaiting) {
    // The case the raise is for: with libre's backlog left as it is, most of the burst is not let in.
    EXPECT_LT(ConnectedOfBurst(false), kBurst / 2);
}

TEST(SipSocketsTest, NoListenerOnThePortIsReported) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in here = Loopback(0);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&here), sizeof here), 0);  // bound, not listening
    socklen_t len = sizeof here;
    getsockname(fd, reinterpret_cast<sockaddr*>(&here), &len);
    EXPECT_FALSE(RaiseTcpBacklog(ntohs(here.sin_port), 128));
    close(fd);
}

}  // namespace
}  // namespace crisisline::telephony
