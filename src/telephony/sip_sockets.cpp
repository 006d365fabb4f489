#include "telephony/sip_sockets.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

namespace crisisline::telephony {

namespace {

// The port `fd` is bound to, 0 when it is not an IPv4 or IPv6 socket.
std::uint16_t BoundPort(int fd) {
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) return 0;
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

}  // namespace

void EnlargeUdpReceiveBuffer(std::uint16_t port, int bytes) {
    for (int fd = 0; fd < 4096; ++fd) {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM) continue;
        if (BoundPort(fd) != port) continue;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        }
    }
}

bool RaiseTcpBacklog(std::uint16_t port, int backlog) {
    bool raised = false;
    for (int fd = 0; fd < 4096; ++fd) {
        int type = 0;
        int listening = 0;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) continue;
        len = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
        if (BoundPort(fd) != port) continue;
        if (listen(fd, backlog) == 0) {
            raised = true;
        } else {
            spdlog::warn("telephony: could not raise the listen backlog of SIP port {} to {}", port, backlog);
        }
    }
    return raised;
}

}  // namespace crisisline::telephony
