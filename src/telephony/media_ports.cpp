#include "telephony/media_ports.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <spdlog/spdlog.h>

#include "telephony/leg.hpp"

namespace crisisline::telephony {

namespace {

constexpr size_t kBatch = 64;           // packets per recvmmsg / sendmmsg
constexpr size_t kReadBudget = 4;       // batches read per wake-up before SIP gets a turn
constexpr size_t kMaxDatagram = 1500;   // bigger datagrams are not our RTP and are cut short
constexpr int kSocketBuffer = 4 << 20;  // bytes of receive and send buffer per socket

void SetBuffer(int fd, int option, int force_option, int bytes) {
    // The FORCE variants pass the system maximum when the process may (root, CAP_NET_ADMIN).
    if (setsockopt(fd, SOL_SOCKET, force_option, &bytes, sizeof bytes) != 0) {
        setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
    }
}

}  // namespace

bool IsPrivateAddress(const sa& address) {
    if (sa_af(&address) == AF_INET) {
        std::uint32_t ip = sa_in(&address);
        return (ip >> 24) == 10 || (ip >> 20) == 0xAC1 || (ip >> 16) == 0xC0A8 || (ip >> 22) == (0x64400000u >> 22);
    }
    if (sa_af(&address) == AF_INET6) {
        std::uint8_t raw[16];
        sa_in6(&address, raw);
        return (raw[0] & 0xFE) == 0xFC;
    }
    return false;
}

struct MediaPorts::Outbox {
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> data;
    std::array<sockaddr_storage, kBatch> to;
    std::array<iovec, kBatch> iov;
    std::array<mmsghdr, kBatch> msgs;
    size_t queued = 0;
};

struct MediaPorts::Inbox {
    std::array<std::array<std::uint8_t, kMaxDatagram>, kBatch> data;
    std::array<sockaddr_storage, kBatch> from;
    std::array<iovec, kBatch> iov;
    std::array<mmsghdr, kBatch> msgs;
};

size_t MediaPorts::KeyHash::operator()(const Key& k) const noexcept {
    // FNV-1a over the 18 bytes: addresses differ in their last bytes and ports, which this spreads.
    std::uint64_t h = 1469598103934665603ull;
    for (auto b : k.addr) h = (h ^ b) * 1099511628211ull;
    h = (h ^ (k.port & 0xFF)) * 1099511628211ull;
    h = (h ^ (k.port >> 8)) * 1099511628211ull;
    return static_cast<size_t>(h);
}

MediaPorts::Key MediaPorts::KeyOf(const sa& address) {
    Key k;
    if (sa_af(&address) == AF_INET) {
        k.addr[10] = 0xFF;
        k.addr[11] = 0xFF;
        std::uint32_t ip = htonl(sa_in(&address));
        std::memcpy(k.addr.data() + 12, &ip, 4);
    } else if (sa_af(&address) == AF_INET6) {
        sa_in6(&address, k.addr.data());
    }
    k.port = sa_port(&address);
    return k;
}

MediaPorts::~MediaPorts() {
    for (auto& s : sockets_) {
        if (s.fd >= 0) {
            fd_close(s.fd);
            close(s.fd);
        }
        delete s.outbox;
    }
    delete inbox_;
}

Result<void> MediaPorts::Open(const std::string& address, std::uint16_t port_min, std::uint16_t port_max,
                              size_t count, Deliver deliver, void* arg) {
    sa local;
    if (sa_set_str(&local, address.c_str(), 0) != 0) {
        return Fail(ErrorCode::kInvalid, "telephony.rtp_address", "is not an IP address");
    }
    deliver_ = deliver;
    arg_ = arg;
    unsigned first = port_min + (port_min % 2);
    for (unsigned port = first; port + 1 <= port_max && sockets_.size() < count; port += 2) {
        int fd = socket(sa_af(&local), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
        if (fd < 0) return Fail(ErrorCode::kUnavailable, std::string("cannot open an RTP socket: ") + strerror(errno));
        sa_set_port(&local, static_cast<std::uint16_t>(port));
        if (bind(fd, &local.u.sa, local.len) != 0) {
            close(fd);
            continue;  // in use: the next even port
        }
        SetBuffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, kSocketBuffer);
        SetBuffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, kSocketBuffer);
        Socket s;
        s.fd = fd;
        s.port = static_cast<std::uint16_t>(port);
        s.outbox = new Outbox();
        sockets_.push_back(std::move(s));
    }
    if (sockets_.size() < count) {
        return Fail(ErrorCode::kUnavailable, "only " + std::to_string(sockets_.size()) + " of " +
                                                 std::to_string(count) + " RTP ports free in telephony.rtp_ports [" +
                                                 std::to_string(port_min) + ", " + std::to_string(port_max) + "]");
    }
    inbox_ = new Inbox();
    for (size_t i = 0; i < kBatch; ++i) {
        inbox_->iov[i] = {inbox_->data[i].data(), kMaxDatagram};
        auto& h = inbox_->msgs[i].msg_hdr;
        h = {};
        h.msg_iov = &inbox_->iov[i];
        h.msg_iovlen = 1;
    }
    return {};
}

Result<void> MediaPorts::Listen() {
    handles_.clear();
    handles_.reserve(sockets_.size());
    for (size_t i = 0; i < sockets_.size(); ++i) handles_.emplace_back(this, i);
    for (size_t i = 0; i < sockets_.size(); ++i) {
        if (fd_listen(sockets_[i].fd, FD_READ, Readable, &handles_[i]) != 0) {
            return Fail(ErrorCode::kInternal, "could not listen on the RTP sockets");
        }
    }
    return {};
}

void MediaPorts::Readable(int flags, void* arg) {
    auto* handle = static_cast<std::pair<MediaPorts*, size_t>*>(arg);
    if (flags & FD_READ) handle->first->Receive(handle->second);
}

std::uint16_t MediaPorts::Place(Leg& leg, const sa* remote) {
    Remove(leg);
    size_t best = 0;
    size_t best_load = std::numeric_limits<size_t>::max();
    bool best_free = false;
    Key key = remote ? KeyOf(*remote) : Key{};
    for (size_t i = 0; i < sockets_.size(); ++i) {
        bool free = !remote || sockets_[i].legs.find(key) == sockets_[i].legs.end();
        size_t load = sockets_[i].placed;
        if ((free && !best_free) || (free == best_free && load < best_load)) {
            best = i;
            best_load = load;
            best_free = free;
        }
    }
    Socket& s = sockets_[best];
    leg.ports = this;
    leg.media_socket = static_cast<int>(best);
    ++s.placed;
    if (!leg.latched) s.unlatched.push_back(&leg);
    if (leg.have_remote) Expect(leg);
    return s.port;
}

void MediaPorts::Expect(Leg& leg) {
    if (leg.ports != this || leg.media_socket < 0) return;
    Unexpect(leg);
    if (!leg.have_remote) return;
    leg.expected = leg.remote;
    leg.expecting = true;
    sockets_[static_cast<size_t>(leg.media_socket)].legs.emplace(KeyOf(leg.remote), &leg);
}

void MediaPorts::Unexpect(Leg& leg) {
    if (!leg.expecting) return;
    auto& legs = sockets_[static_cast<size_t>(leg.media_socket)].legs;
    auto [b, e] = legs.equal_range(KeyOf(leg.expected));
    for (auto it = b; it != e; ++it) {
        if (it->second == &leg) {
            legs.erase(it);
            break;
        }
    }
    leg.expecting = false;
}

void MediaPorts::Remove(Leg& leg) {
    if (leg.ports != this || leg.media_socket < 0) return;
    Unexpect(leg);
    Socket& s = sockets_[static_cast<size_t>(leg.media_socket)];
    auto it = std::find(s.unlatched.begin(), s.unlatched.end(), &leg);
    if (it != s.unlatched.end()) {
        *it = s.unlatched.back();
        s.unlatched.pop_back();
    }
    --s.placed;
    leg.media_socket = -1;
}

Leg* MediaPorts::Owner(Socket& s, const sa& src, const rtp_header& hdr) {
    auto [b, e] = s.legs.equal_range(KeyOf(src));
    if (b != e) {
        if (std::next(b) == e) return b->second;
        Leg* fresh = nullptr;
        size_t fresh_count = 0;
        for (auto it = b; it != e; ++it) {
            Leg* leg = it->second;
            if (leg->latched && leg->rx_ssrc == hdr.ssrc) return leg;
            if (!leg->latched) {
                fresh = leg;
                ++fresh_count;
            }
        }
        return fresh_count == 1 ? fresh : nullptr;
    }
    // Nobody expects this source: the one leg here that may latch onto it.
    Leg* candidate = nullptr;
    for (Leg* leg : s.unlatched) {
        if (!leg->have_remote) continue;
        if (sa_cmp(&leg->remote, &src, SA_ADDR) || IsPrivateAddress(leg->remote)) {
            if (candidate) return nullptr;  // two could: neither does
            candidate = leg;
        }
    }
    if (!candidate) return nullptr;
    sa_cpy(&candidate->remote, &src);
    Expect(*candidate);
    return candidate;
}

void MediaPorts::Receive(size_t index) {
    Socket& s = sockets_[index];
    for (size_t round = 0; round < kReadBudget; ++round) {
        for (size_t i = 0; i < kBatch; ++i) {
            auto& h = inbox_->msgs[i].msg_hdr;
            h.msg_name = &inbox_->from[i];
            h.msg_namelen = sizeof(sockaddr_storage);
        }
        int n = recvmmsg(s.fd, inbox_->msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;
        for (int i = 0; i < n; ++i) {
            sa src;
            if ((inbox_->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ||
                sa_set_sa(&src, reinterpret_cast<const sockaddr*>(&inbox_->from[i])) != 0) {
                ++ignored_;  // bigger than any RTP we relay, or from an address family we do not speak
                continue;
            }
            mbuf mb{inbox_->data[i].data(), kMaxDatagram, 0, inbox_->msgs[i].msg_len};
            rtp_header hdr{};
            // RTCP (payload types 72-76 as RTP reads them, RFC 5761) and anything not RTP version 2 is not audio.
            if (rtp_hdr_decode(&hdr, &mb) != 0 || hdr.ver != RTP_VERSION || (hdr.pt >= 64 && hdr.pt <= 95)) {
                ++ignored_;
                continue;
            }
            Leg* leg = Owner(s, src, hdr);
            if (!leg) {
                ++ignored_;
                continue;
            }
            if (!leg->latched) {
                leg->latched = true;
                auto it = std::find(s.unlatched.begin(), s.unlatched.end(), leg);
                if (it != s.unlatched.end()) {
                    *it = s.unlatched.back();
                    s.unlatched.pop_back();
                }
            }
            leg->rx_ssrc = hdr.ssrc;
            deliver_(*leg, &src, &hdr, &mb, arg_);
        }
        if (static_cast<size_t>(n) < kBatch) break;
    }
    Flush();
}

void MediaPorts::Send(const Leg& leg, const sa& to, const std::uint8_t* data, size_t n) {
    if (leg.ports != this || leg.media_socket < 0 || n > kMaxDatagram) return;
    Socket& s = sockets_[static_cast<size_t>(leg.media_socket)];
    Outbox& o = *s.outbox;
    size_t i = o.queued++;
    std::memcpy(o.data[i].data(), data, n);
    std::memcpy(&o.to[i], &to.u, to.len);
    o.iov[i] = {o.data[i].data(), n};
    auto& h = o.msgs[i].msg_hdr;
    h = {};
    h.msg_name = &o.to[i];
    h.msg_namelen = to.len;
    h.msg_iov = &o.iov[i];
    h.msg_iovlen = 1;
    if (o.queued == kBatch) FlushSocket(s);
}

void MediaPorts::FlushSocket(Socket& s) {
    Outbox& o = *s.outbox;
    size_t sent = 0;
    while (sent < o.queued) {
        int n = sendmmsg(s.fd, o.msgs.data() + sent, static_cast<unsigned>(o.queued - sent), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            // A full send buffer or an unreachable peer (ICMP from an earlier packet): that packet is lost;
            // the rest of the batch still goes.
            ++send_errors_;
            ++sent;
            continue;
        }
        sent += static_cast<size_t>(n);
    }
    o.queued = 0;
}

void MediaPorts::Flush() {
    for (auto& s : sockets_) {
        if (s.outbox->queued) FlushSocket(s);
    }
}

}  // namespace crisisline::telephony
