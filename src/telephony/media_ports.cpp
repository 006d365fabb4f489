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

#include "telephony/ice_lite.hpp"
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
        if (s) CloseSocket(*s);
    }
    delete inbox_;
}

void MediaPorts::CloseSocket(Socket& s) {
    if (s.fd >= 0) {
        if (listening_) fd_close(s.fd);
        close(s.fd);
        s.fd = -1;
    }
    delete s.outbox;
    s.outbox = nullptr;
}

size_t MediaPorts::OpenSockets() const {
    size_t n = 0;
    for (const auto& s : sockets_) n += (s && s->fd >= 0) ? 1 : 0;
    return n;
}

Result<int> MediaPorts::Bind(std::uint16_t port) {
    int fd = socket(sa_af(&local_), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) return Fail(ErrorCode::kUnavailable, std::string("cannot open an RTP socket: ") + strerror(errno));
    sa at = local_;
    sa_set_port(&at, port);
    if (bind(fd, &at.u.sa, at.len) != 0) {
        close(fd);
        return Fail(ErrorCode::kUnavailable, "port in use");
    }
    SetBuffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, kSocketBuffer);
    SetBuffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, kSocketBuffer);
    return fd;
}

Result<void> MediaPorts::Open(const std::string& address, std::uint16_t port_min, std::uint16_t port_max,
                              size_t count, Deliver deliver, void* arg) {
    if (sa_set_str(&local_, address.c_str(), 0) != 0) {
        return Fail(ErrorCode::kInvalid, "telephony.rtp_address", "is not an IP address");
    }
    deliver_ = deliver;
    arg_ = arg;
    port_min_ = port_min;
    port_max_ = port_max;
    unsigned first = port_min + (port_min % 2);
    unsigned port = first;
    for (; port + 1 <= port_max && sockets_.size() < count; port += 2) {
        auto fd = Bind(static_cast<std::uint16_t>(port));
        if (!fd) continue;  // in use: the next even port
        auto s = std::make_unique<Socket>();
        s->owner = this;
        s->index = sockets_.size();
        s->fd = *fd;
        s->port = static_cast<std::uint16_t>(port);
        s->outbox = new Outbox();
        sockets_.push_back(std::move(s));
    }
    shared_ = sockets_.size();
    if (shared_ < count) {
        return Fail(ErrorCode::kUnavailable, "only " + std::to_string(shared_) + " of " + std::to_string(count) +
                                                 " RTP ports free in telephony.rtp_ports [" +
                                                 std::to_string(port_min) + ", " + std::to_string(port_max) + "]");
    }
    next_alone_ = port_max;  // OpenAlone starts from the top
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
    for (auto& s : sockets_) {
        if (s && s->fd >= 0 && fd_listen(s->fd, FD_READ, Readable, s.get()) != 0) {
            return Fail(ErrorCode::kInternal, "could not listen on the RTP sockets");
        }
    }
    listening_ = true;
    return {};
}

void MediaPorts::Readable(int flags, void* arg) {
    auto* s = static_cast<Socket*>(arg);
    if (flags & FD_READ) s->owner->Receive(s->index);
}

size_t MediaPorts::OpenAlone() {
    // Even ports from the top of the range down to just above the shared ones; each search resumes below the
    // port last handed out, so ports in use are not tried again and again.
    unsigned lowest = shared_ ? sockets_[shared_ - 1]->port + 2u : port_min_ + (port_min_ % 2u);
    unsigned highest = port_max_ - 1u;
    if (highest % 2) --highest;
    if (lowest > highest) return sockets_.size();
    unsigned port = (next_alone_ >= lowest && next_alone_ <= highest) ? next_alone_ : highest;
    for (unsigned tries = 0, count = (highest - lowest) / 2 + 1; tries < count; ++tries) {
        unsigned candidate = port;
        port = port == lowest ? highest : port - 2;
        auto fd = Bind(static_cast<std::uint16_t>(candidate));
        if (!fd) continue;
        next_alone_ = static_cast<std::uint16_t>(port);
        size_t slot = shared_;
        while (slot < sockets_.size() && sockets_[slot]->fd >= 0) ++slot;
        if (slot == sockets_.size()) sockets_.push_back(std::make_unique<Socket>());
        Socket& s = *sockets_[slot];
        s = Socket{};
        s.owner = this;
        s.index = slot;
        s.fd = *fd;
        s.port = static_cast<std::uint16_t>(candidate);
        s.shared = false;
        s.outbox = new Outbox();
        if (listening_ && fd_listen(s.fd, FD_READ, Readable, &s) != 0) {
            close(s.fd);
            s.fd = -1;
            delete s.outbox;
            s.outbox = nullptr;
            return sockets_.size();
        }
        return slot;
    }
    return sockets_.size();
}

std::uint16_t MediaPorts::Place(Leg& leg, const sa* remote, bool alone) {
    Remove(leg);
    size_t chosen = sockets_.size();
    if (alone) {
        chosen = OpenAlone();
        if (chosen == sockets_.size()) {
            spdlog::warn("telephony: no free RTP port for a leg behind NAT; it shares a media socket instead");
        }
    }
    if (chosen == sockets_.size()) {
        size_t best_load = std::numeric_limits<size_t>::max();
        bool best_free = false;
        Key key = remote ? KeyOf(*remote) : Key{};
        for (size_t i = 0; i < shared_; ++i) {
            bool free = !remote || sockets_[i]->legs.find(key) == sockets_[i]->legs.end();
            size_t load = sockets_[i]->placed;
            if (chosen == sockets_.size() || (free && !best_free) || (free == best_free && load < best_load)) {
                chosen = i;
                best_load = load;
                best_free = free;
            }
        }
    }
    Socket& s = *sockets_[chosen];
    leg.ports = this;
    leg.media_socket = static_cast<int>(chosen);
    ++s.placed;
    if (!s.shared) s.alone = &leg;
    if (leg.have_remote) Expect(leg);
    return s.port;
}

bool MediaPorts::Expect(Leg& leg) {
    if (leg.ports != this || leg.media_socket < 0) return false;
    Unexpect(leg);
    if (!leg.have_remote) return false;
    Socket& s = *sockets_[static_cast<size_t>(leg.media_socket)];
    leg.expected = leg.remote;
    if (!s.shared) {
        leg.expecting = true;
        return true;
    }
    auto [it, inserted] = s.legs.emplace(KeyOf(leg.remote), &leg);
    if (!inserted && it->second != &leg) return false;
    leg.expecting = true;
    return true;
}

void MediaPorts::Unexpect(Leg& leg) {
    if (!leg.expecting) return;
    leg.expecting = false;
    Socket& s = *sockets_[static_cast<size_t>(leg.media_socket)];
    if (!s.shared) return;
    auto it = s.legs.find(KeyOf(leg.expected));
    if (it != s.legs.end() && it->second == &leg) s.legs.erase(it);
}

void MediaPorts::Remove(Leg& leg) {
    if (leg.ports != this || leg.media_socket < 0) return;
    Unexpect(leg);
    Socket& s = *sockets_[static_cast<size_t>(leg.media_socket)];
    --s.placed;
    leg.media_socket = -1;
    if (!s.shared) {
        s.alone = nullptr;
        CloseSocket(s);  // the slot is reused by the next leg alone
    }
}

Leg* MediaPorts::Owner(Socket& s, const sa& src) {
    if (s.shared) {
        auto it = s.legs.find(KeyOf(src));
        return it == s.legs.end() ? nullptr : it->second;
    }
    Leg* leg = s.alone;
    if (!leg || !leg->have_remote) return nullptr;
    if (sa_cmp(&leg->remote, &src, SA_ALL)) return leg;
    if (leg->latched) return nullptr;
    // Symmetric RTP behind NAT: the first packet from the SDP's host, or from anywhere when the SDP names a
    // private address, fixes where this leg's media comes from and goes to.
    if (!sa_cmp(&leg->remote, &src, SA_ADDR) && !IsPrivateAddress(leg->remote)) return nullptr;
    sa_cpy(&leg->remote, &src);
    leg->latched = true;
    return leg;
}

void MediaPorts::Receive(size_t index) {
    if (index >= sockets_.size()) return;
    Socket& s = *sockets_[index];
    if (s.fd < 0) return;
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
            Demux kind = mb.end ? DemuxFirstByte(mb.buf[0]) : Demux::kOther;
            if (kind == Demux::kStun) {
                if (stun_) {
                    stun_(index, src, mb.buf, mb.end, arg_);
                } else {
                    ++ignored_;
                }
                continue;
            }
            if ((kind == Demux::kDtls || kind == Demux::kRtp) && s.shared && secure_) {
                auto it = s.legs.find(KeyOf(src));
                if (it != s.legs.end() && it->second->browser) {
                    secure_(*it->second, &mb, arg_);
                    continue;
                }
            }
            if (kind == Demux::kDtls) {
                ++ignored_;
                continue;
            }
            rtp_header hdr{};
            // RTCP (payload types 72-76 as RTP reads them, RFC 5761) and anything not RTP version 2 is not audio.
            if (rtp_hdr_decode(&hdr, &mb) != 0 || hdr.ver != RTP_VERSION || (hdr.pt >= 64 && hdr.pt <= 95)) {
                ++ignored_;
                continue;
            }
            Leg* leg = Owner(s, src);
            if (!leg) {
                ++ignored_;
                continue;
            }
            if (leg->srtp && secure_) {
                // SRTP keyed by SDES: authenticated and decrypted before anything reads its payload.
                mb.pos = 0;
                secure_(*leg, &mb, arg_);
                if (s.fd < 0) break;
                continue;
            }
            deliver_(*leg, &hdr, &mb, arg_);
            if (s.fd < 0) break;  // its one leg went, and its socket with it
        }
        if (s.fd < 0 || static_cast<size_t>(n) < kBatch) break;
    }
    Flush();
}

std::uint16_t MediaPorts::PortOf(const Leg& leg) const {
    if (leg.ports != this || leg.media_socket < 0) return 0;
    return sockets_[static_cast<size_t>(leg.media_socket)]->port;
}

void MediaPorts::Send(const Leg& leg, const sa& to, const std::uint8_t* data, size_t n) {
    if (leg.ports != this || leg.media_socket < 0 || n > kMaxDatagram) return;
    Socket& s = *sockets_[static_cast<size_t>(leg.media_socket)];
    if (!s.outbox) return;
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
        if (s->outbox && s->outbox->queued) FlushSocket(*s);
    }
}

}  // namespace crisisline::telephony
