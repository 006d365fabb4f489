// rtp_load: a light RTP load generator for the telephony benchmark (bench/sip/).
//
// Sends 20 ms G.711 PCMU packets (12-byte RTP header + 160 bytes) at 50 packets/s on each flow, receives on
// every local socket, and counts per flow how many of the packets it sent came back (through the relay under
// test) and how long they took. Linux sendmmsg/recvmmsg/epoll, one thread; libre's SRTP (through
// telephony::SrtpSession) only for flows given keys.
//
// A flow is "ID LOCAL_PORT REMOTE_IP:REMOTE_PORT": packets leave from LOCAL_PORT (flows may share a local
// port: they share one socket) towards the remote. The first 20 payload bytes carry a marker, the flow id, a
// sequence number and the send time (CLOCK_MONOTONIC ns); the rest is PCMU silence (0xFF). A relay that keeps
// the payload (same codec on both legs) delivers the packet to the peer's socket — here, also this process —
// so the receiver reads the sender's flow id and send time: received-vs-sent per flow and the one-way delay
// through the relay (plus the loopback kernel paths) on one clock. Packets without the marker (the server's
// own prompts and hold audio) are counted as "foreign".
//
// Flows start with a phase spread over the 20 ms period so the load is smooth rather than one burst per tick.
//
// SRTP (SDES-keyed legs, bench/sip/srtpbench.py): a flow given keys (`srtp`) protects what it sends with
// telephony::SrtpSession (libre's SRTP, the server's own layer) and unprotects what arrives on its socket from
// its remote — a packet on a socket that has SRTP flows is matched to the flow whose remote is its source
// (address and port; a server places one source per media socket at most). A packet that does not
// authenticate is counted (auth / replay / malformed) and not delivered; one that does is then read as
// above: delivered = authenticated and carrying the marker. Flows without keys take the plain path unchanged.
//
//   rtp_load --flows FILE --duration 30 [--warmup 2] [--out result.json]
//   rtp_load --control            # commands on stdin, one per line:
//       add ID LOCAL_PORT [REMOTE_IP:PORT]   open/share the socket, start sending once a remote is known
//       remote ID REMOTE_IP:PORT             set/replace a flow's remote
//       srtp ID SEND_KEY RECV_KEY SUITE      SRTP for the flow: master key||salt in base64 (as in a=crypto's
//                                            inline:), SUITE AES_CM_128_HMAC_SHA1_80 | _32 | AEAD_AES_128_GCM;
//                                            send it before `remote` so that nothing leaves in clear
//       mark                                 start the measurement window (counts only packets sent from now)
//       stop                                 end the window: stop sending, drain --drain-ms, then report
//       report                               print the JSON report now (and keep going)
//       quit                                 exit (after stop's report)
//   Replies "ok ..." / "error ..." lines on stdout; the report is one JSON line prefixed "report ".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/detail/re.hpp"
#include "telephony/srtp_session.hpp"

namespace {

using crisisline::telephony::SrtpKey;
using crisisline::telephony::SrtpRefusal;
using crisisline::telephony::SrtpSession;
using crisisline::telephony::SrtpSuite;

constexpr std::uint32_t kMagic = 0x434c5254;  // "CLRT"
constexpr int kPayload = 160;
constexpr int kPacket = 12 + kPayload;
constexpr std::int64_t kPeriodNs = 20'000'000;
constexpr int kBatch = 256;
constexpr std::int64_t kHistMaxUs = 2'000'000;  // delays beyond 2 s go into the last bucket

std::int64_t NowNs() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void Put32(std::uint8_t* p, std::uint32_t v) {
    v = htonl(v);
    std::memcpy(p, &v, 4);
}
std::uint32_t Get32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return ntohl(v);
}
void Put64(std::uint8_t* p, std::uint64_t v) {
    Put32(p, static_cast<std::uint32_t>(v >> 32));
    Put32(p + 4, static_cast<std::uint32_t>(v));
}
std::uint64_t Get64(const std::uint8_t* p) { return (std::uint64_t{Get32(p)} << 32) | Get32(p + 4); }

bool ParseAddr(const std::string& text, sockaddr_in& out) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    std::memset(&out, 0, sizeof out);
    out.sin_family = AF_INET;
    if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &out.sin_addr) != 1) return false;
    int port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return false;
    out.sin_port = htons(static_cast<std::uint16_t>(port));
    return true;
}

struct Histogram {
    std::vector<std::uint32_t> buckets = std::vector<std::uint32_t>(kHistMaxUs + 1, 0);  // 1 µs each
    std::uint64_t count = 0;
    std::int64_t max_us = 0;
    double sum_us = 0;
    void Add(std::int64_t us) {
        if (us < 0) us = 0;
        max_us = std::max(max_us, us);
        sum_us += static_cast<double>(us);
        ++buckets[static_cast<size_t>(std::min(us, kHistMaxUs))];
        ++count;
    }
    double Percentile(double p) const {
        if (!count) return 0;
        auto want = static_cast<std::uint64_t>(p * static_cast<double>(count) + 0.5);
        if (want < 1) want = 1;
        std::uint64_t seen = 0;
        for (size_t i = 0; i < buckets.size(); ++i) {
            seen += buckets[i];
            if (seen >= want) return static_cast<double>(i);
        }
        return static_cast<double>(kHistMaxUs);
    }
};

struct Flow {
    std::uint32_t id = 0;
    int sock = -1;  // index into sockets
    sockaddr_in remote{};
    bool have_remote = false;
    std::uint32_t ssrc = 0;
    std::uint16_t seq = 0;
    std::uint32_t ts = 0;
    std::uint32_t counter = 0;
    std::int64_t next_ns = 0;
    // Measurement window counts (packets whose send time is inside the window).
    std::uint64_t sent = 0;          // sent by this flow in the window
    std::uint64_t delivered = 0;     // of those, received back (by anyone of our sockets)
    std::uint64_t sent_total = 0;    // whole run
    std::uint64_t delivered_total = 0;
    std::uint64_t late = 0;          // delivered with delay > 100 ms (window)
    std::int64_t max_delay_us = 0;   // window
    SrtpSession* srtp = nullptr;     // keyed by `srtp` (owned by Load::srtp_); null: plain RTP
};

std::uint64_t SourceKey(const sockaddr_in& a) {
    return (std::uint64_t{a.sin_addr.s_addr} << 16) | a.sin_port;
}

bool SuiteByName(const std::string& name, SrtpSuite& out) {
    for (auto s : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32, SrtpSuite::kAeadAes128Gcm}) {
        if (name == crisisline::telephony::SrtpSuiteName(s)) {
            out = s;
            return true;
        }
    }
    return false;
}

std::unique_ptr<SrtpKey> KeyFromBase64(const std::string& text, SrtpSuite suite) {
    std::uint8_t raw[64];
    size_t n = sizeof raw;
    if (base64_decode(text.data(), text.size(), raw, &n) != 0 || n != crisisline::telephony::SrtpKeyLength(suite)) {
        return nullptr;
    }
    return SrtpKey::From(raw, n);
}

// What the SRTP flows refused or could not match (whole run, and since `mark`).
struct SrtpCounts {
    std::uint64_t unprotected = 0;     // authenticated and decrypted
    std::uint64_t auth = 0;            // did not authenticate (wrong key, tampered)
    std::uint64_t replay = 0;          // replayed or older than the window
    std::uint64_t malformed = 0;       // too short to be SRTP
    std::uint64_t unknown_source = 0;  // on an SRTP socket, from no SRTP flow's remote (read as plain)
    std::uint64_t protect_failures = 0;
};

struct Socket {
    int fd = -1;
    std::uint16_t port = 0;
    std::uint64_t received = 0;  // every datagram
    std::uint64_t foreign = 0;   // without our marker
    std::unordered_map<std::uint64_t, size_t> srtp_by_source;  // source -> SRTP flow (empty: all plain)
};

struct Options {
    std::string flows_file;
    std::string out_file;
    std::string bind_ip = "127.0.0.1";
    double duration_s = 0;
    double warmup_s = 1;
    int drain_ms = 500;
    bool control = false;
    bool per_flow = false;
    int rcvbuf = 8 << 20;
};

class Load {
public:
    explicit Load(Options o) : opt_(std::move(o)) {
        epfd_ = epoll_create1(0);
        for (int i = 0; i < kBatch; ++i) {
            iov_[i] = {rxbuf_[i], sizeof rxbuf_[i]};
            rxmsg_[i].msg_hdr = {};
            rxmsg_[i].msg_hdr.msg_iov = &iov_[i];
            rxmsg_[i].msg_hdr.msg_iovlen = 1;
            rxmsg_[i].msg_hdr.msg_name = &rxaddr_[i];
            rxmsg_[i].msg_hdr.msg_namelen = sizeof rxaddr_[i];
        }
        rxmb_ = mbuf_alloc(2048);
        for (auto& m : txmb_) m = mbuf_alloc(kPacket + 32);
        std::srand(static_cast<unsigned>(NowNs()));
    }
    ~Load() {
        mem_deref(rxmb_);
        for (auto* m : txmb_) mem_deref(m);
    }
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

    std::string Add(std::uint32_t id, std::uint16_t port, const std::string& remote) {
        if (index_.count(id)) return "flow " + std::to_string(id) + " exists";
        int s = SocketFor(port);
        if (s < 0) return "cannot bind port " + std::to_string(port) + ": " + std::strerror(errno);
        Flow f;
        f.id = id;
        f.sock = s;
        f.ssrc = static_cast<std::uint32_t>(std::rand()) ^ (id * 2654435761u);
        f.seq = static_cast<std::uint16_t>(std::rand());
        f.ts = static_cast<std::uint32_t>(std::rand());
        // Spread flows over the period: the golden ratio keeps any prefix of flows evenly spread.
        double phase = std::fmod(static_cast<double>(flows_.size()) * 0.6180339887, 1.0);
        f.next_ns = NowNs() + static_cast<std::int64_t>(phase * kPeriodNs);
        if (!remote.empty()) {
            if (!ParseAddr(remote, f.remote)) return "bad remote " + remote;
            f.have_remote = true;
        }
        index_[id] = flows_.size();
        flows_.push_back(f);
        return {};
    }

    std::string SetSrtp(std::uint32_t id, const std::string& send_b64, const std::string& recv_b64,
                        const std::string& suite_name) {
        auto it = index_.find(id);
        if (it == index_.end()) return "no flow " + std::to_string(id);
        SrtpSuite suite;
        if (!SuiteByName(suite_name, suite)) return "unknown suite " + suite_name;
        auto send = KeyFromBase64(send_b64, suite);
        auto recv = KeyFromBase64(recv_b64, suite);
        if (!send || !recv) return "bad key for flow " + std::to_string(id) + " (base64 of key||salt for " + suite_name + ")";
        auto session = SrtpSession::Make(suite, *send, *recv);
        if (!session) return session.error().message;
        Flow& f = flows_[it->second];
        Unmatch(it->second);
        srtp_.push_back(std::move(*session));
        f.srtp = srtp_.back().get();
        Match(it->second);
        return {};
    }

    std::string SetRemote(std::uint32_t id, const std::string& remote) {
        auto it = index_.find(id);
        if (it == index_.end()) return "no flow " + std::to_string(id);
        Flow& f = flows_[it->second];
        Unmatch(it->second);
        if (!ParseAddr(remote, f.remote)) return "bad remote " + remote;
        f.have_remote = true;
        Match(it->second);
        return {};
    }

    void Mark() {
        window_start_ = NowNs();
        window_end_ = 0;
        for (auto& f : flows_) {
            f.sent = f.delivered = f.late = 0;
            f.max_delay_us = 0;
        }
        srtp_window_ = {};
        hist_ = std::make_unique<Histogram>();
    }

    void StopSending() {
        sending_ = false;
        window_end_ = NowNs();
    }

    // One pass of the loop: send what is due, receive what arrived, wait up to `wait_ms`.
    void Step(int wait_ms) {
        if (sending_) SendDue();
        epoll_event ev[64];
        int timeout = wait_ms;
        if (sending_) {
            std::int64_t until = NextDue() - NowNs();
            timeout = static_cast<int>(std::clamp<std::int64_t>(until / 1'000'000, 0, wait_ms));
        }
        int n = epoll_wait(epfd_, ev, 64, timeout);
        for (int i = 0; i < n; ++i) Receive(static_cast<int>(ev[i].data.u32));
    }

    std::string Report() const {
        std::uint64_t sent = 0, delivered = 0, late = 0, sent_total = 0, delivered_total = 0, received = 0,
                      foreign = 0;
        std::uint64_t flows_with_loss = 0, flows_silent = 0, flows_sending = 0;
        double worst_loss = 0;
        std::uint32_t worst_flow = 0;
        for (const auto& f : flows_) {
            sent += f.sent;
            delivered += f.delivered;
            late += f.late;
            sent_total += f.sent_total;
            delivered_total += f.delivered_total;
            if (f.sent) {
                ++flows_sending;
                if (f.delivered < f.sent) ++flows_with_loss;
                if (f.delivered == 0) ++flows_silent;
                double loss = 1.0 - static_cast<double>(std::min(f.delivered, f.sent)) / static_cast<double>(f.sent);
                if (loss > worst_loss) {
                    worst_loss = loss;
                    worst_flow = f.id;
                }
            }
        }
        for (const auto& s : sockets_) {
            received += s.received;
            foreign += s.foreign;
        }
        std::int64_t end = window_end_ ? window_end_ : NowNs();
        double window_s = window_start_ ? static_cast<double>(end - window_start_) / 1e9 : 0;
        std::ostringstream o;
        o.setf(std::ios::fixed);
        o.precision(4);
        double loss_pct = sent ? 100.0 * (1.0 - static_cast<double>(std::min(delivered, sent)) / sent) : 0;
        o << "{\"flows\":" << flows_.size() << ",\"flows_sending\":" << flows_sending << ",\"sockets\":" << sockets_.size()
          << ",\"window_s\":" << window_s << ",\"sent\":" << sent << ",\"expected\":" << sent
          << ",\"received\":" << delivered << ",\"loss_pct\":" << loss_pct << ",\"late_over_100ms\":" << late
          << ",\"flows_with_loss\":" << flows_with_loss << ",\"flows_silent\":" << flows_silent
          << ",\"worst_flow\":" << worst_flow << ",\"worst_flow_loss_pct\":" << worst_loss * 100
          << ",\"sent_total\":" << sent_total << ",\"received_total\":" << delivered_total
          << ",\"datagrams_received\":" << received << ",\"foreign_received\":" << foreign
          << ",\"send_errors\":" << send_errors_ << ",\"behind_schedule_max_ms\":" << behind_max_ns_ / 1e6;
        if (hist_ && hist_->count) {
            o << ",\"delay_us\":{\"count\":" << hist_->count << ",\"mean\":" << hist_->sum_us / hist_->count
              << ",\"p50\":" << hist_->Percentile(0.50) << ",\"p90\":" << hist_->Percentile(0.90)
              << ",\"p99\":" << hist_->Percentile(0.99) << ",\"p999\":" << hist_->Percentile(0.999)
              << ",\"max\":" << hist_->max_us << "}";
        } else {
            o << ",\"delay_us\":null";
        }
        if (opt_.per_flow) {
            o << ",\"per_flow\":[";
            bool first = true;
            for (const auto& f : flows_) {
                if (!first) o << ",";
                first = false;
                o << "{\"id\":" << f.id << ",\"port\":" << sockets_[f.sock].port << ",\"sent\":" << f.sent
                  << ",\"received\":" << f.delivered << ",\"max_delay_us\":" << f.max_delay_us << "}";
            }
            o << "]";
        }
        if (!srtp_.empty()) {
            auto counts = [&o](const SrtpCounts& c) {
                o << "{\"unprotected\":" << c.unprotected << ",\"auth_failures\":" << c.auth << ",\"replay\":" << c.replay
                  << ",\"malformed\":" << c.malformed << ",\"unknown_source\":" << c.unknown_source
                  << ",\"protect_failures\":" << c.protect_failures << "}";
            };
            o << ",\"srtp\":{\"flows\":" << srtp_.size() << ",\"window\":";
            counts(srtp_window_);
            o << ",\"total\":";
            counts(srtp_total_);
            o << "}";
        }
        o << "}";
        return o.str();
    }

    bool sending() const { return sending_; }
    size_t flow_count() const { return flows_.size(); }

private:
    // The flow's remote as the source its socket's SRTP packets are matched by (only for keyed flows).
    void Match(size_t i) {
        const Flow& f = flows_[i];
        if (f.srtp && f.have_remote) sockets_[f.sock].srtp_by_source[SourceKey(f.remote)] = i;
    }
    void Unmatch(size_t i) {
        const Flow& f = flows_[i];
        if (!f.srtp || !f.have_remote) return;
        auto& m = sockets_[f.sock].srtp_by_source;
        auto it = m.find(SourceKey(f.remote));
        if (it != m.end() && it->second == i) m.erase(it);
    }

    void Count(SrtpRefusal r, bool in_window) {
        for (SrtpCounts* c : {&srtp_total_, in_window ? &srtp_window_ : nullptr}) {
            if (!c) continue;
            switch (r) {
                case SrtpRefusal::kNone: ++c->unprotected; break;
                case SrtpRefusal::kAuth: ++c->auth; break;
                case SrtpRefusal::kReplay: ++c->replay; break;
                case SrtpRefusal::kMalformed: ++c->malformed; break;
            }
        }
    }

    int SocketFor(std::uint16_t port) {
        auto it = by_port_.find(port);
        if (it != by_port_.end()) return it->second;
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return -1;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        // As root, go past net.core.rmem_max; otherwise take what the kernel allows.
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &opt_.rcvbuf, sizeof opt_.rcvbuf) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt_.rcvbuf, sizeof opt_.rcvbuf);
        }
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &opt_.rcvbuf, sizeof opt_.rcvbuf) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &opt_.rcvbuf, sizeof opt_.rcvbuf);
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        inet_pton(AF_INET, opt_.bind_ip.c_str(), &a.sin_addr);
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        int index = static_cast<int>(sockets_.size());
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<std::uint32_t>(index);
        epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
        sockets_.push_back({fd, port, 0, 0, {}});
        by_port_[port] = index;
        due_.resize(sockets_.size());
        return index;
    }

    std::int64_t NextDue() const {
        std::int64_t next = NowNs() + kPeriodNs;
        for (const auto& f : flows_) {
            if (f.have_remote && f.next_ns < next) next = f.next_ns;
        }
        return next;
    }

    void SendDue() {
        std::int64_t now = NowNs();
        for (auto& d : due_) d.clear();
        for (size_t i = 0; i < flows_.size(); ++i) {
            Flow& f = flows_[i];
            if (!f.have_remote) {
                if (f.next_ns < now) f.next_ns += kPeriodNs * ((now - f.next_ns) / kPeriodNs + 1);
                continue;
            }
            if (f.next_ns <= now) {
                behind_max_ns_ = std::max(behind_max_ns_, now - f.next_ns);
                due_[f.sock].push_back(i);
            }
        }
        for (size_t s = 0; s < sockets_.size(); ++s) {
            auto& list = due_[s];
            for (size_t start = 0; start < list.size(); start += kBatch) {
                size_t count = std::min<size_t>(kBatch, list.size() - start);
                std::int64_t stamp = NowNs();
                for (size_t k = 0; k < count; ++k) {
                    Flow& f = flows_[list[start + k]];
                    std::uint8_t* p = txbuf_[k];
                    p[0] = 0x80;
                    p[1] = 0;  // PCMU
                    p[2] = static_cast<std::uint8_t>(f.seq >> 8);
                    p[3] = static_cast<std::uint8_t>(f.seq);
                    Put32(p + 4, f.ts);
                    Put32(p + 8, f.ssrc);
                    std::uint8_t* pl = p + 12;
                    Put32(pl, kMagic);
                    Put32(pl + 4, f.id);
                    Put32(pl + 8, f.counter);
                    Put64(pl + 12, static_cast<std::uint64_t>(stamp));
                    std::memset(pl + 20, 0xFF, kPayload - 20);
                    txiov_[k] = {p, kPacket};
                    if (f.srtp) {
                        mbuf* m = txmb_[k];
                        mbuf_rewind(m);
                        mbuf_write_mem(m, p, kPacket);
                        m->pos = 0;
                        if (f.srtp->Protect(m)) {
                            txiov_[k] = {m->buf, m->end};
                        } else {
                            ++srtp_total_.protect_failures;  // sent as is: the server will refuse it
                            if (window_start_) ++srtp_window_.protect_failures;
                        }
                    }
                    txmsg_[k].msg_hdr = {};
                    txmsg_[k].msg_hdr.msg_iov = &txiov_[k];
                    txmsg_[k].msg_hdr.msg_iovlen = 1;
                    txmsg_[k].msg_hdr.msg_name = &f.remote;
                    txmsg_[k].msg_hdr.msg_namelen = sizeof f.remote;
                }
                size_t done = 0;
                while (done < count) {
                    int r = sendmmsg(sockets_[s].fd, &txmsg_[done], static_cast<unsigned>(count - done), 0);
                    if (r < 0) {
                        if (errno == EINTR) continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK) {
                            pollfd p{sockets_[s].fd, POLLOUT, 0};
                            poll(&p, 1, 5);
                            continue;
                        }
                        // e.g. ECONNREFUSED left by an ICMP error: count this packet as not sent, go on.
                        ++send_errors_;
                        ++done;
                        continue;
                    }
                    for (int k = 0; k < r; ++k) {
                        Flow& f = flows_[list[start + done + static_cast<size_t>(k)]];
                        ++f.sent_total;
                        if (window_start_ && stamp >= window_start_) ++f.sent;
                    }
                    done += static_cast<size_t>(r);
                }
                for (size_t k = 0; k < count; ++k) {
                    Flow& f = flows_[list[start + k]];
                    ++f.seq;
                    f.ts += kPayload;
                    ++f.counter;
                    f.next_ns += kPeriodNs;
                    // Far behind (a stall): skip rather than burst to catch up.
                    if (f.next_ns < now - 5 * kPeriodNs) f.next_ns = now + kPeriodNs;
                }
            }
        }
    }

    void Receive(int s) {
        Socket& sock = sockets_[s];
        for (;;) {
            for (int i = 0; i < kBatch; ++i) rxmsg_[i].msg_hdr.msg_namelen = sizeof rxaddr_[i];
            int n = recvmmsg(sock.fd, rxmsg_, kBatch, MSG_DONTWAIT, nullptr);
            if (n <= 0) return;
            std::int64_t now = NowNs();
            for (int i = 0; i < n; ++i) {
                ++sock.received;
                const std::uint8_t* p = rxbuf_[i];
                unsigned len = rxmsg_[i].msg_len;
                if (!sock.srtp_by_source.empty()) {
                    const bool in_window = window_start_ != 0;
                    auto match = sock.srtp_by_source.find(SourceKey(rxaddr_[i]));
                    if (match == sock.srtp_by_source.end()) {
                        ++srtp_total_.unknown_source;
                        if (in_window) ++srtp_window_.unknown_source;
                    } else {
                        mbuf_rewind(rxmb_);
                        mbuf_write_mem(rxmb_, p, len);
                        rxmb_->pos = 0;
                        const SrtpRefusal refusal = flows_[match->second].srtp->Unprotect(rxmb_);
                        Count(refusal, in_window);
                        if (refusal != SrtpRefusal::kNone) continue;
                        p = rxmb_->buf + rxmb_->pos;
                        len = static_cast<unsigned>(rxmb_->end - rxmb_->pos);
                    }
                }
                if (len < 12 + 20 || (p[0] >> 6) != 2) {
                    ++sock.foreign;
                    continue;
                }
                size_t cc = p[0] & 0x0F;
                const std::uint8_t* pl = p + 12 + 4 * cc;
                if (len < 12 + 4 * cc + 20 || Get32(pl) != kMagic) {
                    ++sock.foreign;
                    continue;
                }
                auto it = index_.find(Get32(pl + 4));
                if (it == index_.end()) {
                    ++sock.foreign;
                    continue;
                }
                Flow& f = flows_[it->second];
                auto stamp = static_cast<std::int64_t>(Get64(pl + 12));
                ++f.delivered_total;
                bool in_window = window_start_ && stamp >= window_start_ && (!window_end_ || stamp < window_end_);
                if (!in_window) continue;
                ++f.delivered;
                std::int64_t us = (now - stamp) / 1000;
                if (us > 100'000) ++f.late;
                f.max_delay_us = std::max(f.max_delay_us, us);
                hist_->Add(us);
            }
            if (n < kBatch) return;
        }
    }

    Options opt_;
    int epfd_ = -1;
    std::vector<Flow> flows_;
    std::vector<std::unique_ptr<SrtpSession>> srtp_;
    SrtpCounts srtp_total_, srtp_window_;
    mbuf* rxmb_ = nullptr;
    mbuf* txmb_[kBatch] = {};
    std::unordered_map<std::uint32_t, size_t> index_;
    std::vector<Socket> sockets_;
    std::map<std::uint16_t, int> by_port_;
    std::vector<std::vector<size_t>> due_;
    std::unique_ptr<Histogram> hist_ = std::make_unique<Histogram>();
    std::int64_t window_start_ = 0;
    std::int64_t window_end_ = 0;
    std::int64_t behind_max_ns_ = 0;
    std::uint64_t send_errors_ = 0;
    bool sending_ = true;

    std::uint8_t txbuf_[kBatch][kPacket];
    iovec txiov_[kBatch];
    mmsghdr txmsg_[kBatch];
    std::uint8_t rxbuf_[kBatch][2048];
    iovec iov_[kBatch];
    sockaddr_in rxaddr_[kBatch];
    mmsghdr rxmsg_[kBatch];
};

void Usage() {
    std::fprintf(stderr,
                 "usage: rtp_load --flows FILE --duration S [--warmup S] [--drain-ms MS] [--out FILE] [--per-flow]\n"
                 "       rtp_load --control [--drain-ms MS] [--per-flow]   (commands on stdin: add/remote/srtp/mark/"
                 "stop/report/quit)\n"
                 "  FILE: lines \"ID LOCAL_PORT REMOTE_IP:PORT\" ('#' comments)\n"
                 "  --bind IP (127.0.0.1)  --rcvbuf BYTES (8 MiB)\n");
}

void Emit(const Options& opt, const std::string& json) {
    std::printf("report %s\n", json.c_str());
    std::fflush(stdout);
    if (!opt.out_file.empty()) {
        std::ofstream(opt.out_file) << json << "\n";
    }
}

// Commands from stdin, read without blocking the send loop.
bool HandleCommand(Load& load, const Options& opt, const std::string& line, bool& stop_requested, bool& quit) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::string err;
    if (cmd.empty() || cmd[0] == '#') return true;
    if (cmd == "add") {
        std::uint32_t id = 0;
        unsigned port = 0;
        std::string remote;
        in >> id >> port >> remote;
        if (!port || port > 65535) err = "usage: add ID LOCAL_PORT [REMOTE]";
        else err = load.Add(id, static_cast<std::uint16_t>(port), remote);
    } else if (cmd == "remote") {
        std::uint32_t id = 0;
        std::string remote;
        in >> id >> remote;
        err = load.SetRemote(id, remote);
    } else if (cmd == "srtp") {
        std::uint32_t id = 0;
        std::string send, recv, suite;
        in >> id >> send >> recv >> suite;
        if (suite.empty()) err = "usage: srtp ID SEND_KEY_B64 RECV_KEY_B64 SUITE";
        else err = load.SetSrtp(id, send, recv, suite);
    } else if (cmd == "mark") {
        load.Mark();
    } else if (cmd == "stop") {
        stop_requested = true;
        return true;  // the loop answers after the drain
    } else if (cmd == "report") {
        Emit(opt, load.Report());
        return true;
    } else if (cmd == "quit") {
        quit = true;
        return true;
    } else {
        err = "unknown command " + cmd;
    }
    if (err.empty()) {
        if (cmd != "add" && cmd != "remote" && cmd != "srtp") std::printf("ok %s\n", cmd.c_str());
    } else {
        std::printf("error %s\n", err.c_str());
    }
    std::fflush(stdout);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                Usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--flows") opt.flows_file = next();
        else if (a == "--duration") opt.duration_s = std::atof(next().c_str());
        else if (a == "--warmup") opt.warmup_s = std::atof(next().c_str());
        else if (a == "--drain-ms") opt.drain_ms = std::atoi(next().c_str());
        else if (a == "--out") opt.out_file = next();
        else if (a == "--bind") opt.bind_ip = next();
        else if (a == "--rcvbuf") opt.rcvbuf = std::atoi(next().c_str());
        else if (a == "--control") opt.control = true;
        else if (a == "--per-flow") opt.per_flow = true;
        else if (a == "-h" || a == "--help") {
            Usage();
            return 0;
        } else {
            Usage();
            return 2;
        }
    }
    if (!opt.control && (opt.flows_file.empty() || opt.duration_s <= 0)) {
        Usage();
        return 2;
    }
    auto load = std::make_unique<Load>(opt);
    if (!opt.flows_file.empty()) {
        std::ifstream f(opt.flows_file);
        if (!f) {
            std::fprintf(stderr, "rtp_load: cannot read %s\n", opt.flows_file.c_str());
            return 2;
        }
        std::string line;
        while (std::getline(f, line)) {
            std::istringstream in(line);
            std::uint32_t id;
            unsigned port;
            std::string remote;
            if (line.empty() || line[0] == '#' || !(in >> id >> port >> remote)) continue;
            if (auto err = load->Add(id, static_cast<std::uint16_t>(port), remote); !err.empty()) {
                std::fprintf(stderr, "rtp_load: %s\n", err.c_str());
                return 2;
            }
        }
    }
    if (!opt.control) {
        std::int64_t start = NowNs();
        auto warm_end = start + static_cast<std::int64_t>(opt.warmup_s * 1e9);
        auto end = warm_end + static_cast<std::int64_t>(opt.duration_s * 1e9);
        bool marked = false;
        while (NowNs() < end) {
            if (!marked && NowNs() >= warm_end) {
                load->Mark();
                marked = true;
            }
            load->Step(5);
        }
        load->StopSending();
        auto drain_end = NowNs() + static_cast<std::int64_t>(opt.drain_ms) * 1'000'000;
        while (NowNs() < drain_end) load->Step(5);
        Emit(opt, load->Report());
        return 0;
    }
    // Control mode: stdin is polled between sends.
    std::string pending;
    bool stop_requested = false, quit = false, stdin_open = true;
    std::int64_t drain_end = 0;
    bool reported = false;
    while (!quit) {
        pollfd p{0, POLLIN, 0};
        if (stdin_open && poll(&p, 1, 0) > 0) {
            char buf[65536];
            ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) {
                stdin_open = false;
                stop_requested = true;
            } else {
                pending.append(buf, static_cast<size_t>(n));
                size_t pos;
                while ((pos = pending.find('\n')) != std::string::npos) {
                    std::string line = pending.substr(0, pos);
                    pending.erase(0, pos + 1);
                    HandleCommand(*load, opt, line, stop_requested, quit);
                }
            }
        }
        if (stop_requested && load->sending()) {
            load->StopSending();
            drain_end = NowNs() + static_cast<std::int64_t>(opt.drain_ms) * 1'000'000;
        }
        if (drain_end && !reported && NowNs() >= drain_end) {
            Emit(opt, load->Report());
            reported = true;
            if (!stdin_open) quit = true;
        }
        load->Step(2);
    }
    return 0;
}
