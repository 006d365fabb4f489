#include "libre/tcp_nodelay.hpp"

#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>

#include "libre/re.hpp"

namespace crisisline::libre {

namespace {

std::atomic<std::uint64_t> g_nodelay{0};

// libre's own definition of `name`, the next one after this executable's in the dynamic linker's search.
template <typename Fn>
Fn* Libre(const char* name) {
    return reinterpret_cast<Fn*>(dlsym(RTLD_NEXT, name));
}

void SetNoDelay(const tcp_conn* tc) {
    const int fd = tc ? tcp_conn_fd(tc) : -1;
    if (fd < 0) return;
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0) g_nodelay.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::uint64_t NoDelaySockets() { return g_nodelay.load(std::memory_order_relaxed); }

}  // namespace crisisline::libre

// The interposed definitions (see libre/tcp_nodelay.hpp): libre's, then TCP_NODELAY on the connection's socket.
extern "C" int tcp_accept(struct tcp_conn** tcp, struct tcp_sock* ts, tcp_estab_h* eh, tcp_recv_h* rh,
                          tcp_close_h* ch, void* arg) {
    static auto* const real = crisisline::libre::Libre<decltype(tcp_accept)>("tcp_accept");
    if (!real) return ENOSYS;
    const int err = real(tcp, ts, eh, rh, ch, arg);
    if (err == 0 && tcp) crisisline::libre::SetNoDelay(*tcp);
    return err;
}

extern "C" int tcp_conn_connect(struct tcp_conn* tc, const struct sa* peer) {
    static auto* const real = crisisline::libre::Libre<decltype(tcp_conn_connect)>("tcp_conn_connect");
    if (!real) return ENOSYS;
    crisisline::libre::SetNoDelay(tc);  // the socket exists from tcp_conn_alloc; set before the SYN
    return real(tc, peer);
}
