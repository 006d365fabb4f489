// sip_tls_relay: SIPp's TLS for the telephony benchmark (bench/sip/telbench.py setup-rate --transport tls-1,tls-n).
//
// Debian's SIPp is built without OpenSSL ("To use a TLS transport you must compile SIPp with OpenSSL"), so SIPp
// speaks SIP over TCP (-t t1: one connection; -t tn: one per call) to this relay, and the relay opens one TLS
// connection to the server for each TCP connection it accepts and carries the bytes both ways unchanged. So
// `-t t1` gives calls that reuse one TLS connection and `-t tn` a full TLS handshake (no session resumption)
// for every call. One thread, epoll, non-blocking OpenSSL; TCP_NODELAY on both of its sockets, so it adds no
// Nagle delay of its own. It runs on the load core with SIPp.
//
//   build/bench/sip_tls_relay --listen 127.0.0.1:PORT --connect 127.0.0.1:TLS_PORT [--ca FILE]
// Prints "ready PORT" once listening; on SIGTERM or SIGINT prints one line "report {json}" (connections,
// handshakes done and failed, the client's handshake time from connect() to finished, what was negotiated)
// and exits. With --ca the server's certificate is checked against FILE for the name 127.0.0.1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;
void OnSignal(int) { stop_requested = 1; }

using Clock = std::chrono::steady_clock;

struct Link {
    int tcp = -1;  // SIPp's connection to us
    int tls = -1;  // ours to the server
    SSL* ssl = nullptr;
    bool up = false;  // handshake finished
    Clock::time_point started;
    std::string to_server;  // from SIPp, not yet written into the TLS connection
    std::string to_sipp;    // from the server, not yet written to SIPp
};

struct Stats {
    long accepted = 0, handshakes = 0, handshake_failures = 0, closed = 0;
    long long bytes_to_server = 0, bytes_to_sipp = 0;
    std::vector<double> handshake_ms;
    std::string version, cipher, group;
};

bool ParseAddress(const std::string& text, sockaddr_in& out) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    std::memset(&out, 0, sizeof out);
    out.sin_family = AF_INET;
    out.sin_port = htons(static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1))));
    return inet_pton(AF_INET, text.substr(0, colon).c_str(), &out.sin_addr) == 1;
}

void NonBlockingNoDelay(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

class Relay {
public:
    Relay(SSL_CTX* ctx, sockaddr_in server) : ctx_(ctx), server_(server), epoll_(epoll_create1(0)) {}

    bool Listen(const sockaddr_in& where, int& port) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(listener_, reinterpret_cast<const sockaddr*>(&where), sizeof where) != 0 ||
            listen(listener_, 4096) != 0) {
            return false;
        }
        sockaddr_in bound{};
        socklen_t len = sizeof bound;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &len);
        port = ntohs(bound.sin_port);
        fcntl(listener_, F_SETFL, fcntl(listener_, F_GETFL) | O_NONBLOCK);
        Watch(listener_, EPOLLIN);
        return true;
    }

    void Run() {
        epoll_event events[256];
        while (!stop_requested) {
            const int n = epoll_wait(epoll_, events, 256, 200);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == listener_) {
                    Accept();
                    continue;
                }
                auto it = by_fd_.find(fd);
                if (it == by_fd_.end()) continue;
                const std::shared_ptr<Link> link = it->second;  // Close may erase the map's copies
                Pump(link);
            }
        }
    }

    const Stats& stats() const { return stats_; }

private:
    void Watch(int fd, std::uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.fd = fd;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
    }

    void Accept() {
        for (;;) {
            const int tcp = accept(listener_, nullptr, nullptr);
            if (tcp < 0) return;
            ++stats_.accepted;
            NonBlockingNoDelay(tcp);
            auto link = std::make_shared<Link>();
            link->tcp = tcp;
            link->started = Clock::now();
            link->tls = socket(AF_INET, SOCK_STREAM, 0);
            NonBlockingNoDelay(link->tls);
            if (connect(link->tls, reinterpret_cast<const sockaddr*>(&server_), sizeof server_) != 0 &&
                errno != EINPROGRESS) {
                ++stats_.handshake_failures;
                close(link->tls);
                close(tcp);
                continue;
            }
            link->ssl = SSL_new(ctx_);
            SSL_set_fd(link->ssl, link->tls);
            SSL_set_connect_state(link->ssl);
            SSL_set1_host(link->ssl, "127.0.0.1");
            by_fd_[tcp] = link;
            by_fd_[link->tls] = link;
            Watch(tcp, EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP);
            Watch(link->tls, EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP);
        }
    }

    // Every event on either socket of a link does all the progress it can (edge-triggered: drain both ways).
    void Pump(const std::shared_ptr<Link>& link) {
        if (!link->up && !Handshake(*link)) return Close(link, true);
        if (!link->up) return;
        char buf[65536];
        bool open = true;
        for (;;) {  // SIPp -> buffer
            const ssize_t n = read(link->tcp, buf, sizeof buf);
            if (n > 0) {
                link->to_server.append(buf, static_cast<size_t>(n));
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) open = false;
            break;
        }
        while (!link->to_server.empty()) {  // buffer -> TLS
            const int n = SSL_write(link->ssl, link->to_server.data(), static_cast<int>(link->to_server.size()));
            if (n <= 0) {
                const int e = SSL_get_error(link->ssl, n);
                if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) open = false;
                break;
            }
            stats_.bytes_to_server += n;
            link->to_server.erase(0, static_cast<size_t>(n));
        }
        for (;;) {  // TLS -> buffer
            const int n = SSL_read(link->ssl, buf, sizeof buf);
            if (n > 0) {
                link->to_sipp.append(buf, static_cast<size_t>(n));
                continue;
            }
            const int e = SSL_get_error(link->ssl, n);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) open = false;
            break;
        }
        while (!link->to_sipp.empty()) {  // buffer -> SIPp
            const ssize_t n = write(link->tcp, link->to_sipp.data(), link->to_sipp.size());
            if (n <= 0) {
                if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) open = false;
                break;
            }
            stats_.bytes_to_sipp += n;
            link->to_sipp.erase(0, static_cast<size_t>(n));
        }
        if (!open) Close(link, false);
    }

    bool Handshake(Link& link) {
        const int r = SSL_do_handshake(link.ssl);
        if (r == 1) {
            link.up = true;
            ++stats_.handshakes;
            stats_.handshake_ms.push_back(
                std::chrono::duration<double, std::milli>(Clock::now() - link.started).count());
            if (stats_.version.empty()) {
                stats_.version = SSL_get_version(link.ssl);
                stats_.cipher = SSL_get_cipher_name(link.ssl);
                const int nid = SSL_get_negotiated_group(link.ssl);
                const char* group = nid ? OBJ_nid2sn(nid) : nullptr;
                stats_.group = group ? group : "";
            }
            return true;
        }
        const int e = SSL_get_error(link.ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return true;
        char text[256] = "";
        ERR_error_string_n(ERR_get_error(), text, sizeof text);
        std::fprintf(stderr, "sip_tls_relay: handshake failed: %s\n", text);
        ERR_clear_error();
        return false;
    }

    void Close(const std::shared_ptr<Link>& link, bool failed) {
        if (failed) ++stats_.handshake_failures;
        ++stats_.closed;
        by_fd_.erase(link->tcp);
        by_fd_.erase(link->tls);
        SSL_free(link->ssl);
        link->ssl = nullptr;
        close(link->tcp);
        close(link->tls);
    }

    SSL_CTX* ctx_;
    sockaddr_in server_;
    int epoll_;
    int listener_ = -1;
    std::map<int, std::shared_ptr<Link>> by_fd_;
    Stats stats_;
};

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto k = static_cast<size_t>(std::min<double>(v.size() - 1, p * static_cast<double>(v.size())));
    return v[k];
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen_at = "127.0.0.1:0", connect_to, ca;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--listen") listen_at = argv[i + 1];
        else if (flag == "--connect") connect_to = argv[i + 1];
        else if (flag == "--ca") ca = argv[i + 1];
        else {
            std::fprintf(stderr, "sip_tls_relay: unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    sockaddr_in here{}, server{};
    if (!ParseAddress(listen_at, here) || !ParseAddress(connect_to, server)) {
        std::fprintf(stderr, "usage: sip_tls_relay --listen IP:PORT --connect IP:PORT [--ca FILE]\n");
        return 2;
    }
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGTERM, OnSignal);
    std::signal(SIGINT, OnSignal);

    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);  // a full handshake on every connection
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (!ca.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) {
            std::fprintf(stderr, "sip_tls_relay: cannot read --ca %s\n", ca.c_str());
            return 2;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    Relay relay(ctx, server);
    int port = 0;
    if (!relay.Listen(here, port)) {
        std::fprintf(stderr, "sip_tls_relay: cannot listen on %s: %s\n", listen_at.c_str(), std::strerror(errno));
        return 2;
    }
    std::printf("ready %d\n", port);
    std::fflush(stdout);
    relay.Run();
    const Stats& s = relay.stats();
    std::printf("report {\"accepted\": %ld, \"handshakes\": %ld, \"handshake_failures\": %ld, \"closed\": %ld, "
                "\"bytes_to_server\": %lld, \"bytes_to_sipp\": %lld, \"handshake_ms\": {\"p50\": %.3f, \"p99\": %.3f, "
                "\"max\": %.3f}, \"version\": \"%s\", \"cipher\": \"%s\", \"group\": \"%s\"}\n",
                s.accepted, s.handshakes, s.handshake_failures, s.closed, s.bytes_to_server, s.bytes_to_sipp,
                Percentile(s.handshake_ms, 0.5), Percentile(s.handshake_ms, 0.99), Percentile(s.handshake_ms, 1.0),
                s.version.c_str(), s.cipher.c_str(), s.group.c_str());
    std::fflush(stdout);
    SSL_CTX_free(ctx);
    return 0;
}
