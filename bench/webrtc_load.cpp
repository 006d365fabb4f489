// webrtc_load: the WebRTC load generator of the browser-phone benchmark (bench/sip/webrtcbench.py) and of
// tests/sip/test_browser_wrap.py. It plays N counsellors' browsers on the media side (bench/webrtc_leg.*: full
// ICE controlling, DTLS active, SRTP, rtcp-mux) and the callers' plain RTP, in one process on one clock, so
// delivery and one-way delay through the server's relay are counted both ways. The signalling (sign-in,
// holding the phone, rings, POST .../answer) is the driver's: it hands the generator the server's answer.
//
// Every flow sends 20 ms PCMU (12-byte header + 160 bytes) at 50 packets/s; the first 20 payload bytes carry
// a marker, the flow id, a counter and the send time (CLOCK_MONOTONIC ns), as bench/rtp_load.cpp does, the
// rest PCMU silence. A browser flow sends SRTP once its DTLS handshake is done; what reaches a caller socket
// from a browser flow counts as delivered "to_caller", what a browser leg unprotects from a caller flow
// "to_browser". Packets without the marker (the server's prompts) are "foreign".
//
//   webrtc_load [--seq-start N] [--drain-ms MS] [--profile cm|gcm] [--bind IP]   commands on stdin:
//       browser ID                    a browser leg on a fresh socket; replies: offer ID "<SDP, JSON string>"
//       answer ID "<SDP>"             the server's answer (JSON string): ICE checks, then DTLS, then SRTP;
//                                     replies later: ready ID CHECKS_US HANDSHAKE_US, or failed ID REASON
//       caller ID LOCAL_PORT [IP:PORT] a plain RTP flow (flows may share LOCAL_PORT; 0: a free port of its own),
//                                     sending once it has a remote; replies: caller ID PORT
//       remote ID IP:PORT             set a caller flow's remote
//       close ID                      a browser leg hangs up: it stops sending and its socket closes
//       mark | stop | report | quit   measurement window (as rtp_load): stop drains --drain-ms, then reports
//   --seq-start N: every flow's first RTP sequence number (default random), e.g. 65500 to cross the 16-bit
//   wrap (and the SRTP rollover counter) after 36 packets.
//   The report is one JSON line prefixed "report ".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "libre/re.hpp"
#include "telephony/dtls_srtp.hpp"
#include "webrtc_leg.hpp"

namespace {

using crisisline::bench::BrowserLeg;
using crisisline::telephony::SrtpRefusal;

constexpr std::uint32_t kMagic = 0x434c5254;  // "CLRT", as rtp_load
constexpr int kPayload = 160;
constexpr std::int64_t kPeriodNs = 20'000'000;
constexpr std::int64_t kHistMaxUs = 2'000'000;

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

bool ParseAddr(const std::string& text, sockaddr_in& out) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    out = {};
    out.sin_family = AF_INET;
    if (inet_pton(AF_INET, text.substr(0, colon).c_str(), &out.sin_addr) != 1) return false;
    int port = std::atoi(text.c_str() + colon + 1);
    if (port <= 0 || port > 65535) return false;
    out.sin_port = htons(static_cast<std::uint16_t>(port));
    return true;
}

// JSON strings of SDP: quotes, backslashes and control characters escaped; nothing else appears in SDP.
std::string JsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\r') out += "\\r";
        else if (c == '\n') out += "\\n";
        else if (c == '"' || c == '\\') (out += '\\') += c;
        else out += c;
    }
    return out + "\"";
}
std::optional<std::string> FromJsonString(const std::string& s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i + 1 >= s.size() + 1) return std::nullopt;
        switch (s[i]) {
            case 'r': out += '\r'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case '"': case '\\': case '/': out += s[i]; break;
            default: return std::nullopt;  // \uXXXX does not occur in an SDP answer
        }
    }
    return out;
}

struct Histogram {
    std::vector<std::uint32_t> buckets = std::vector<std::uint32_t>(kHistMaxUs + 1, 0);  // 1 µs each
    std::uint64_t count = 0;
    std::int64_t max_us = 0;
    double sum_us = 0;
    void Add(std::int64_t us) {
        us = std::clamp<std::int64_t>(us, 0, kHistMaxUs);
        max_us = std::max(max_us, us);
        sum_us += static_cast<double>(us);
        ++buckets[static_cast<size_t>(us)];
        ++count;
    }
    double Percentile(double p) const {
        if (!count) return 0;
        auto want = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(p * static_cast<double>(count) + 0.5));
        std::uint64_t seen = 0;
        for (size_t i = 0; i < buckets.size(); ++i) {
            if ((seen += buckets[i]) >= want) return static_cast<double>(i);
        }
        return static_cast<double>(kHistMaxUs);
    }
    std::string Json() const {
        if (!count) return "null";
        std::ostringstream o;
        o << "{\"count\":" << count << ",\"mean\":" << sum_us / static_cast<double>(count)
          << ",\"p50\":" << Percentile(0.5) << ",\"p90\":" << Percentile(0.9) << ",\"p99\":" << Percentile(0.99)
          << ",\"p999\":" << Percentile(0.999) << ",\"max\":" << max_us << "}";
        return o.str();
    }
};

enum Direction { kToCaller = 0, kToBrowser = 1 };  // where a flow's packets go: a browser flow's to the caller

struct Flow {
    std::uint32_t id = 0;
    bool browser = false;
    int sock = -1;
    sockaddr_in remote{};
    bool sending = false;  // a caller flow with a remote; a browser flow once Ready
    std::uint32_t ssrc = 0;
    std::uint16_t seq_start = 0, seq = 0;
    std::uint32_t ts = 0, counter = 0;
    std::int64_t next_ns = 0;
    std::uint64_t sent = 0, delivered = 0;  // in the window
    std::unique_ptr<BrowserLeg> leg;
    int last_seq_in = -1;       // browser legs: the last sequence number received (wraps are seen here)
    bool wrapped_in = false;
    std::uint64_t refused = 0;  // browser legs: SRTP from the server that did not unprotect
    int first_refused_seq = -1, last_good_seq = -1;
};

struct Socket {
    int fd = -1;
    int leg_flow = -1;  // the browser flow that owns it, or -1 for a caller socket
};

struct Options {
    std::optional<std::uint16_t> seq_start;
    int drain_ms = 1000;
    std::string profile = "SRTP_AES128_CM_SHA1_80";
    std::string bind_ip = "127.0.0.1";
};

class Load {
public:
    explicit Load(Options opt) : opt_(std::move(opt)) {
        epfd_ = epoll_create1(0);
        auto identity = crisisline::telephony::DtlsCertificate::Generate();
        if (!identity) {
            std::fprintf(stderr, "webrtc_load: no DTLS certificate\n");
            std::exit(1);
        }
        identity_ = *identity;
        SSL_CTX_set_tlsext_use_srtp(identity_->Context(), opt_.profile.c_str());  // the browser offers this one
        rx_ = mbuf_alloc(2048);
        tx_ = mbuf_alloc(512);
    }

    std::string Browser(std::uint32_t id) {
        if (index_.count(id)) return "flow " + std::to_string(id) + " exists";
        int fd = OpenSocket(0);
        if (fd < 0) return std::string("cannot open a socket: ") + std::strerror(errno);
        sockaddr_in local{};
        socklen_t len = sizeof local;
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
        Flow& f = NewFlow(id, true);
        f.sock = AddSocket(fd, static_cast<int>(flows_.size() - 1));
        f.leg = std::make_unique<BrowserLeg>(identity_, local);
        std::printf("offer %u %s\n", id, JsonString(f.leg->Offer()).c_str());
        return {};
    }

    std::string Answer(std::uint32_t id, const std::string& json) {
        Flow* f = Find(id);
        if (!f || !f->leg) return "no browser leg " + std::to_string(id);
        auto sdp = FromJsonString(json);
        if (!sdp) return "the answer is not a JSON string";
        std::string why;
        if (!f->leg->Answer(*sdp, NowNs(), &why)) return why;
        Send(*f, f->leg->Tick(NowNs()));
        return {};
    }

    std::string Caller(std::uint32_t id, std::uint16_t port, const std::string& remote) {
        if (index_.count(id)) return "flow " + std::to_string(id) + " exists";
        int s = CallerSocket(port);
        if (s < 0) return "cannot bind port " + std::to_string(port) + ": " + std::strerror(errno);
        Flow& f = NewFlow(id, false);
        f.sock = s;
        sockaddr_in local{};
        socklen_t len = sizeof local;
        getsockname(sockets_[static_cast<size_t>(s)].fd, reinterpret_cast<sockaddr*>(&local), &len);
        std::printf("caller %u %u\n", id, ntohs(local.sin_port));
        return remote.empty() ? std::string() : Remote(id, remote);
    }

    std::string Remote(std::uint32_t id, const std::string& remote) {
        Flow* f = Find(id);
        if (!f || f->browser) return "no caller flow " + std::to_string(id);
        if (!ParseAddr(remote, f->remote)) return "bad remote " + remote;
        f->sending = true;
        f->next_ns = std::max(f->next_ns, NowNs());  // from now: a flow idle until its remote is no stall
        return {};
    }

    std::string Close(std::uint32_t id) {
        Flow* f = Find(id);
        if (!f || !f->leg) return "no browser leg " + std::to_string(id);
        f->sending = false;
        Socket& s = sockets_[static_cast<size_t>(f->sock)];
        if (s.fd >= 0) {
            epoll_ctl(epfd_, EPOLL_CTL_DEL, s.fd, nullptr);
            close(s.fd);
            s.fd = -1;
        }
        ++closed_;
        return {};
    }

    void Mark() {
        window_start_ = NowNs();
        window_end_ = 0;
        for (auto& f : flows_) f.sent = f.delivered = 0;
        for (auto& h : delay_) h = std::make_unique<Histogram>();
        after_wrap_sent_[0] = after_wrap_sent_[1] = after_wrap_delivered_[0] = after_wrap_delivered_[1] = 0;
        received_after_wrap_at_browser_ = 0;
    }
    void StopSending() {
        sending_ = false;
        window_end_ = NowNs();
    }
    bool sending() const { return sending_; }

    void Step(int wait_ms) {
        const std::int64_t now = NowNs();
        if (now >= next_tick_ns_) {  // ICE checks and DTLS timers run on a 5 ms clock; media on its own
            next_tick_ns_ = now + 5'000'000;
            for (auto& f : flows_) {
                if (!f.leg) continue;
                const auto before = f.leg->state();
                if (sockets_[static_cast<size_t>(f.sock)].fd >= 0) Send(f, f.leg->Tick(now));
                Announce(f, before);
            }
        }
        if (sending_) SendDue(now);
        // Every socket with something to read is served in one pass (a browser leg has a socket of its own).
        int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), sending_ ? std::min(wait_ms, 1) : wait_ms);
        for (int i = 0; i < n; ++i) Receive(static_cast<int>(events_[static_cast<size_t>(i)].data.u32));
    }

    std::string Report() const;
    std::string Trouble() const;

private:
    Flow& NewFlow(std::uint32_t id, bool browser) {
        Flow f;
        f.id = id;
        f.browser = browser;
        f.ssrc = static_cast<std::uint32_t>(rng_());
        f.seq_start = f.seq = opt_.seq_start ? *opt_.seq_start : static_cast<std::uint16_t>(rng_());
        f.ts = static_cast<std::uint32_t>(rng_());
        // Spread over the period (golden ratio) so the load is smooth rather than one burst per tick.
        const double phase = std::fmod(static_cast<double>(flows_.size()) * 0.6180339887, 1.0);
        f.next_ns = NowNs() + static_cast<std::int64_t>(phase * kPeriodNs);
        index_[id] = flows_.size();
        flows_.push_back(std::move(f));
        return flows_.back();
    }
    Flow* Find(std::uint32_t id) {
        auto it = index_.find(id);
        return it == index_.end() ? nullptr : &flows_[it->second];
    }

    int OpenSocket(std::uint16_t port) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) return -1;
        int buf = 4 << 20;
        // No SO_REUSEADDR: with it on every socket, Linux may hand a browser leg's port 0 bind a port another
        // leg already holds, and the two legs then share (and cross) each other's media.
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
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
        return fd;
    }
    int AddSocket(int fd, int leg_flow) {
        const int index = static_cast<int>(sockets_.size());
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<std::uint32_t>(index);
        epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
        sockets_.push_back({fd, leg_flow});
        return index;
    }
    // Flows given one port share its socket; port 0 is a socket of the flow's own on a free port.
    int CallerSocket(std::uint16_t port) {
        auto it = caller_ports_.find(port);
        if (port && it != caller_ports_.end()) return it->second;
        int fd = OpenSocket(port);
        if (fd < 0) return -1;
        const int index = AddSocket(fd, -1);
        if (port) caller_ports_[port] = index;
        return index;
    }

    void Send(const Flow& f, const BrowserLeg::Datagrams& datagrams) {
        const int fd = sockets_[static_cast<size_t>(f.sock)].fd;
        for (const auto& d : datagrams) {
            if (d.empty() || fd < 0) continue;
            if (sendto(fd, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&f.leg->Server()),
                       sizeof(sockaddr_in)) < 0) {
                ++send_errors_;
            }
        }
    }

    // Says when a leg became ready (and starts its media) or failed.
    void Announce(Flow& f, BrowserLeg::State before) {
        const auto now_state = f.leg->state();
        if (now_state == before) return;
        if (now_state == BrowserLeg::State::kReady) {
            f.remote = f.leg->Server();
            f.sending = true;
            f.next_ns = std::max(f.next_ns, NowNs());
            ++ready_;
            const auto checks_us = (f.leg->connected_ns() - f.leg->answered_ns()) / 1000;
            const auto handshake_us = (f.leg->ready_ns() - f.leg->connected_ns()) / 1000;
            setup_.Add((f.leg->ready_ns() - f.leg->answered_ns()) / 1000);
            std::printf("ready %u %lld %lld\n", f.id, static_cast<long long>(checks_us),
                        static_cast<long long>(handshake_us));
            std::fflush(stdout);
        } else if (now_state == BrowserLeg::State::kFailed) {
            ++failed_[f.leg->failure()];
            std::printf("failed %u %s\n", f.id, f.leg->failure().c_str());
            std::fflush(stdout);
        }
    }

    void SendDue(std::int64_t now) {
        for (auto& f : flows_) {
            if (!f.sending || f.next_ns > now) continue;
            const int fd = sockets_[static_cast<size_t>(f.sock)].fd;
            if (fd < 0) continue;
            behind_max_ns_ = std::max(behind_max_ns_, now - f.next_ns);
            mbuf_rewind(tx_);
            rtp_header hdr{};
            hdr.ver = RTP_VERSION;
            hdr.pt = 0;
            hdr.seq = f.seq;
            hdr.ts = f.ts;
            hdr.ssrc = f.ssrc;
            rtp_hdr_encode(tx_, &hdr);
            std::uint8_t pl[kPayload];
            const std::int64_t stamp = NowNs();
            Put32(pl, kMagic);
            Put32(pl + 4, f.id);
            Put32(pl + 8, f.counter);
            Put32(pl + 12, static_cast<std::uint32_t>(static_cast<std::uint64_t>(stamp) >> 32));
            Put32(pl + 16, static_cast<std::uint32_t>(stamp));
            std::memset(pl + 20, 0xFF, kPayload - 20);
            mbuf_write_mem(tx_, pl, sizeof pl);
            tx_->pos = 0;
            bool ok = !f.browser || f.leg->Protect(tx_);
            if (ok && sendto(fd, tx_->buf, tx_->end, 0, reinterpret_cast<const sockaddr*>(&f.remote),
                             sizeof f.remote) >= 0) {
                if (window_start_ && stamp >= window_start_) {
                    ++f.sent;
                    if (Wrapped(f, f.counter)) ++after_wrap_sent_[f.browser ? kToCaller : kToBrowser];
                }
            } else {
                ++send_errors_;
            }
            ++f.seq;
            f.ts += kPayload;
            ++f.counter;
            f.next_ns += kPeriodNs;
            if (f.next_ns < now - 5 * kPeriodNs) f.next_ns = now + kPeriodNs;  // a stall: skip, never burst
        }
    }

    // Whether the packet with this counter went out after the flow's sequence number wrapped past 65535.
    static bool Wrapped(const Flow& f, std::uint32_t counter) {
        return static_cast<std::uint64_t>(f.seq_start) + counter > 65535;
    }

    void Receive(int s) {
        Socket& sock = sockets_[static_cast<size_t>(s)];
        for (int round = 0; round < 64 && sock.fd >= 0; ++round) {
            sockaddr_in from{};
            socklen_t from_len = sizeof from;
            ssize_t n = recvfrom(sock.fd, rx_->buf, rx_->size, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                                 &from_len);
            if (n <= 0) return;
            const std::int64_t now = NowNs();
            rx_->pos = 0;
            rx_->end = static_cast<size_t>(n);
            if (sock.leg_flow < 0) {
                Count(rx_->buf, rx_->end, now, kToCaller);
                continue;
            }
            Flow& f = flows_[static_cast<size_t>(sock.leg_flow)];
            const auto kind = crisisline::telephony::DemuxFirstByte(rx_->buf[0]);
            if (kind != crisisline::telephony::Demux::kRtp) {
                const auto before = f.leg->state();
                Send(f, f.leg->Receive(rx_->buf, rx_->end, now));
                Announce(f, before);
                continue;
            }
            const SrtpRefusal refusal = f.leg->Unprotect(rx_);
            if (refusal != SrtpRefusal::kNone) {
                ++srtp_refused_[static_cast<int>(refusal)];
                if (!f.refused++) f.first_refused_seq = (rx_->buf[2] << 8) | rx_->buf[3];
                continue;
            }
            const std::uint8_t* p = rx_->buf + rx_->pos;
            const int seq = (p[2] << 8) | p[3];
            f.last_good_seq = seq;
            if (f.last_seq_in >= 0 && seq < f.last_seq_in && f.last_seq_in - seq > 32768) {
                f.wrapped_in = true;
                ++wraps_seen_at_browser_;
            }
            f.last_seq_in = seq;
            if (Count(p, rx_->end - rx_->pos, now, kToBrowser) && f.wrapped_in) ++received_after_wrap_at_browser_;
        }
    }

    // Counts a plain RTP packet carrying a flow's marker; false for foreign ones.
    bool Count(const std::uint8_t* p, size_t len, std::int64_t now, Direction at) {
        ++datagrams_received_;
        if (len < 12 + 20 || (p[0] >> 6) != 2) return Foreign();
        const size_t header = 12 + 4 * (p[0] & 0x0F);
        if (len < header + 20 || Get32(p + header) != kMagic) return Foreign();
        const std::uint8_t* pl = p + header;
        Flow* from = Find(Get32(pl + 4));
        if (!from || from->browser != (at == kToCaller)) return Foreign();
        const auto stamp = static_cast<std::int64_t>((static_cast<std::uint64_t>(Get32(pl + 12)) << 32) | Get32(pl + 16));
        if (!window_start_ || stamp < window_start_ || (window_end_ && stamp >= window_end_)) return true;
        ++from->delivered;
        if (Wrapped(*from, Get32(pl + 8))) ++after_wrap_delivered_[at];
        delay_[at]->Add((now - stamp) / 1000);
        return true;
    }
    bool Foreign() {
        ++foreign_;
        return false;
    }

    Options opt_;
    std::mt19937_64 rng_{std::random_device{}()};
    std::shared_ptr<crisisline::telephony::DtlsCertificate> identity_;
    int epfd_ = -1;
    mbuf* rx_ = nullptr;
    mbuf* tx_ = nullptr;
    std::vector<Flow> flows_;
    std::unordered_map<std::uint32_t, size_t> index_;
    std::vector<Socket> sockets_;
    std::map<std::uint16_t, int> caller_ports_;
    std::unique_ptr<Histogram> delay_[2] = {std::make_unique<Histogram>(), std::make_unique<Histogram>()};
    Histogram setup_;  // answer -> DTLS done, µs
    std::vector<epoll_event> events_ = std::vector<epoll_event>(2048);
    std::int64_t next_tick_ns_ = 0;
    std::int64_t window_start_ = 0, window_end_ = 0, behind_max_ns_ = 0;
    std::uint64_t send_errors_ = 0, datagrams_received_ = 0, foreign_ = 0, ready_ = 0, closed_ = 0;
    std::uint64_t srtp_refused_[4] = {};
    std::map<std::string, std::uint64_t> failed_;
    std::uint64_t after_wrap_sent_[2] = {}, after_wrap_delivered_[2] = {};
    std::uint64_t wraps_seen_at_browser_ = 0, received_after_wrap_at_browser_ = 0;
    bool sending_ = true;
};

// The flows that lost everything or had SRTP refused, at most 20, to tell why.
std::string Load::Trouble() const {
    std::ostringstream o;
    int listed = 0;
    for (const auto& f : flows_) {
        if (!(f.refused || (f.sent && !f.delivered)) || ++listed > 20) continue;
        o << (listed > 1 ? "," : "") << "{\"id\":" << f.id << ",\"browser\":" << (f.browser ? "true" : "false")
          << ",\"seq_start\":" << f.seq_start << ",\"sent\":" << f.sent << ",\"delivered\":" << f.delivered
          << ",\"refused\":" << f.refused << ",\"first_refused_seq\":" << f.first_refused_seq
          << ",\"last_good_seq\":" << f.last_good_seq << ",\"wrapped_in\":" << (f.wrapped_in ? "true" : "false")
          << "}";
    }
    return o.str();
}

std::string Load::Report() const {
    std::uint64_t sent[2] = {}, delivered[2] = {}, silent[2] = {}, legs = 0;
    for (const auto& f : flows_) {
        const int d = f.browser ? kToCaller : kToBrowser;
        sent[d] += f.sent;
        delivered[d] += std::min(f.delivered, f.sent);
        if (f.sent && !f.delivered) ++silent[d];
        if (f.browser) ++legs;
    }
    const std::int64_t end = window_end_ ? window_end_ : NowNs();
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(3);
    o << "{\"browser_legs\":" << legs << ",\"ready\":" << ready_ << ",\"closed\":" << closed_
      << ",\"window_s\":" << (window_start_ ? static_cast<double>(end - window_start_) / 1e9 : 0.0)
      << ",\"setup_us\":" << setup_.Json() << ",\"failed\":{";
    bool first = true;
    for (const auto& [why, n] : failed_) {
        o << (first ? "" : ",") << '"' << why << "\":" << n;
        first = false;
    }
    o << "},\"srtp_refused\":{\"auth\":" << srtp_refused_[1] << ",\"replay\":" << srtp_refused_[2]
      << ",\"malformed\":" << srtp_refused_[3] << "}";
    const char* names[2] = {"to_caller", "to_browser"};
    for (int d = 0; d < 2; ++d) {
        o << ",\"" << names[d] << "\":{\"sent\":" << sent[d] << ",\"received\":" << delivered[d]
          << ",\"delivered_pct\":" << (sent[d] ? 100.0 * static_cast<double>(delivered[d]) / static_cast<double>(sent[d]) : 0.0)
          << ",\"flows_silent\":" << silent[d] << ",\"after_wrap_sent\":" << after_wrap_sent_[d]
          << ",\"after_wrap_received\":" << after_wrap_delivered_[d] << ",\"delay_us\":" << delay_[d]->Json() << "}";
    }
    o << ",\"wraps_seen_at_browser\":" << wraps_seen_at_browser_
      << ",\"received_after_wrap_at_browser\":" << received_after_wrap_at_browser_
      << ",\"datagrams_received\":" << datagrams_received_ << ",\"foreign_received\":" << foreign_
      << ",\"trouble\":[" << Trouble() << "]"
      << ",\"send_errors\":" << send_errors_ << ",\"behind_schedule_max_ms\":" << static_cast<double>(behind_max_ns_) / 1e6
      << "}";
    return o.str();
}

void Reply(const std::string& err, const std::string& cmd) {
    if (!err.empty()) std::printf("error %s: %s\n", cmd.c_str(), err.c_str());
    std::fflush(stdout);
}

void Handle(Load& load, const std::string& line, bool& stop, bool& quit) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::uint32_t id = 0;
    if (cmd.empty() || cmd[0] == '#') return;
    if (cmd == "browser") {
        in >> id;
        Reply(load.Browser(id), cmd);
    } else if (cmd == "answer") {
        in >> id >> std::ws;
        std::string rest;
        std::getline(in, rest);
        Reply(load.Answer(id, rest), cmd);
    } else if (cmd == "caller") {
        unsigned port = 0;
        std::string remote;
        in >> id >> port >> remote;
        Reply(port < 65536 ? load.Caller(id, static_cast<std::uint16_t>(port), remote) : "usage: caller ID PORT [IP:PORT]",
              cmd);
    } else if (cmd == "remote") {
        std::string remote;
        in >> id >> remote;
        Reply(load.Remote(id, remote), cmd);
    } else if (cmd == "close") {
        in >> id;
        Reply(load.Close(id), cmd);
    } else if (cmd == "mark") {
        load.Mark();
        std::printf("ok mark\n");
        std::fflush(stdout);
    } else if (cmd == "stop") {
        stop = true;
    } else if (cmd == "report") {
        std::printf("report %s\n", load.Report().c_str());
        std::fflush(stdout);
    } else if (cmd == "quit") {
        quit = true;
    } else {
        Reply("unknown command", cmd);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--seq-start" && v) opt.seq_start = static_cast<std::uint16_t>(std::atoi(argv[++i]));
        else if (a == "--drain-ms" && v) opt.drain_ms = std::atoi(argv[++i]);
        else if (a == "--bind" && v) opt.bind_ip = argv[++i];
        else if (a == "--profile" && v) {
            const std::string p = argv[++i];
            opt.profile = p == "gcm" ? "SRTP_AEAD_AES_128_GCM" : "SRTP_AES128_CM_SHA1_80";
        } else {
            std::fprintf(stderr, "usage: webrtc_load [--seq-start N] [--drain-ms MS] [--profile cm|gcm] [--bind IP]"
                                 " (commands on stdin; see bench/webrtc_load.cpp)\n");
            return 2;
        }
    }
    Load load(opt);
    std::string pending;
    bool stop = false, quit = false, stdin_open = true, reported = false;
    std::int64_t drain_end = 0;
    while (!quit) {
        pollfd p{0, POLLIN, 0};
        if (stdin_open && poll(&p, 1, 0) > 0) {
            char buf[65536];
            const ssize_t n = read(0, buf, sizeof buf);
            if (n <= 0) {
                stdin_open = false;
                stop = true;
            } else {
                pending.append(buf, static_cast<size_t>(n));
                for (size_t pos; (pos = pending.find('\n')) != std::string::npos;) {
                    const std::string line = pending.substr(0, pos);
                    pending.erase(0, pos + 1);
                    Handle(load, line, stop, quit);
                }
            }
        }
        if (stop && load.sending()) {
            load.StopSending();
            drain_end = NowNs() + static_cast<std::int64_t>(opt.drain_ms) * 1'000'000;
        }
        if (drain_end && !reported && NowNs() >= drain_end) {
            std::printf("report %s\n", load.Report().c_str());
            std::fflush(stdout);
            reported = true;
            if (!stdin_open) quit = true;
        }
        load.Step(2);
    }
    return 0;
}
