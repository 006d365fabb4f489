#include "webrtc_leg.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <sstream>

#include "libre/re.hpp"

namespace crisisline::bench {

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kCheckEveryNs = 50 * kMs;     // RFC 8445's Ta, one pair
constexpr std::int64_t kConsentEveryNs = 5000 * kMs;  // RFC 7675: about every 5 s
constexpr std::int64_t kDtlsTimerNs = 100 * kMs;
constexpr std::uint32_t kPriority = 1853824767;  // a prflx candidate's priority, as a browser sends
constexpr size_t kTidsKept = 8;

std::mt19937_64& Rng() {
    static std::mt19937_64 rng{std::random_device{}()};
    return rng;
}

std::string IceChars(size_t n) {
    static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, 'x');
    for (auto& c : out) c = kChars[Rng()() % 64];
    return out;
}

std::string AddressText(const sockaddr_in& a) {
    char ip[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
    return ip;
}

}  // namespace

std::optional<ServerAnswer> ReadServerAnswer(const std::string& sdp, std::string* why) {
    ServerAnswer out;
    bool have_candidate = false;
    std::istringstream lines(sdp);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("a=ice-ufrag:", 0) == 0) out.ice_ufrag = line.substr(12);
        else if (line.rfind("a=ice-pwd:", 0) == 0) out.ice_pwd = line.substr(10);
        else if (line.rfind("a=fingerprint:sha-256 ", 0) == 0) out.fingerprint = line.substr(22);
        else if (line.rfind("a=candidate:", 0) == 0 && !have_candidate) {
            // a=candidate:FOUNDATION COMPONENT udp PRIORITY IP PORT typ host
            std::istringstream c(line.substr(12));
            std::string foundation, component, transport, priority, ip, typ, type;
            unsigned port = 0;
            c >> foundation >> component >> transport >> priority >> ip >> port >> typ >> type;
            if (component == "1" && (transport == "udp" || transport == "UDP") && type == "host" && port > 0 &&
                port < 65536 && inet_pton(AF_INET, ip.c_str(), &out.candidate.sin_addr) == 1) {
                out.candidate.sin_family = AF_INET;
                out.candidate.sin_port = htons(static_cast<std::uint16_t>(port));
                have_candidate = true;
            }
        }
    }
    const char* missing = out.ice_ufrag.empty()     ? "a=ice-ufrag"
                          : out.ice_pwd.empty()     ? "a=ice-pwd"
                          : out.fingerprint.empty() ? "a=fingerprint:sha-256"
                          : !have_candidate         ? "a UDP IPv4 host candidate"
                                                    : nullptr;
    if (missing) {
        if (why) *why = std::string("the answer has no ") + missing;
        return std::nullopt;
    }
    return out;
}

BrowserLeg::BrowserLeg(std::shared_ptr<telephony::DtlsCertificate> identity, const sockaddr_in& local)
    : identity_(std::move(identity)), local_(local), ufrag_(IceChars(8)), pwd_(IceChars(24)),
      tiebreaker_(Rng()()) {}

std::string BrowserLeg::Offer() const {
    const unsigned port = ntohs(local_.sin_port);
    std::ostringstream s;
    s << "v=0\r\no=- " << (Rng()() >> 2) << " 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      << "m=audio " << port << " UDP/TLS/RTP/SAVPF 0 8 126\r\n"
      << "c=IN IP4 " << AddressText(local_) << "\r\n"
      << "a=ice-ufrag:" << ufrag_ << "\r\na=ice-pwd:" << pwd_ << "\r\n"
      << "a=fingerprint:sha-256 " << identity_->Fingerprint() << "\r\n"
      << "a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
      << "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\n"
      << "a=candidate:1 1 udp 2122260223 " << AddressText(local_) << ' ' << port << " typ host\r\n";
    return s.str();
}

bool BrowserLeg::Answer(const std::string& sdp, std::int64_t now_ns, std::string* why) {
    auto answer = ReadServerAnswer(sdp, why);
    if (!answer) return false;
    answer_ = std::move(*answer);
    // The server answers a=setup:passive, so the browser is the DTLS client.
    dtls_ = std::make_unique<telephony::DtlsSrtp>(identity_, answer_.fingerprint, telephony::DtlsRole::kActive);
    state_ = State::kChecking;
    answered_ns_ = now_ns;
    next_check_ns_ = now_ns;
    return true;
}

std::vector<std::uint8_t> BrowserLeg::Check(bool nominate) {
    std::vector<std::uint8_t> tid(STUN_TID_SIZE);
    for (auto& b : tid) b = static_cast<std::uint8_t>(Rng()());
    const std::string username = answer_.ice_ufrag + ":" + ufrag_;  // RFC 8445 7.2.2: "remote:local"
    std::uint32_t priority = kPriority;
    mbuf* mb = mbuf_alloc(256);
    std::vector<std::uint8_t> out;
    if (!mb) return out;
    const auto* key = reinterpret_cast<const std::uint8_t*>(answer_.ice_pwd.data());
    // USE-CANDIDATE has no value; libre skips an attribute whose value pointer is null, so it gets any non-null one.
    int err = stun_msg_encode(mb, STUN_METHOD_BINDING, STUN_CLASS_REQUEST, tid.data(), nullptr, key,
                              answer_.ice_pwd.size(), true, 0x00, 4, STUN_ATTR_USERNAME, username.c_str(),
                              STUN_ATTR_PRIORITY, &priority, STUN_ATTR_CONTROLLING, &tiebreaker_, STUN_ATTR_USE_CAND,
                              nominate ? &tiebreaker_ : nullptr);
    if (!err) out.assign(mb->buf, mb->buf + mb->end);
    mem_deref(mb);
    pending_tids_.push_back(std::move(tid));
    if (pending_tids_.size() > kTidsKept) pending_tids_.erase(pending_tids_.begin());
    ++checks_sent_;
    return out;
}

BrowserLeg::Datagrams BrowserLeg::Tick(std::int64_t now_ns) {
    Datagrams out;
    if (state_ == State::kOffered || state_ == State::kFailed) return out;
    if (now_ns >= next_check_ns_) {
        const bool connected = state_ != State::kChecking;
        out.push_back(Check(!connected));
        next_check_ns_ = now_ns + (connected ? kConsentEveryNs : kCheckEveryNs);
    }
    if (state_ == State::kHandshake && now_ns >= next_dtls_timer_ns_) {
        for (auto& d : dtls_->OnTimer()) out.push_back(std::move(d));
        next_dtls_timer_ns_ = now_ns + kDtlsTimerNs;
    }
    return out;
}

BrowserLeg::Datagrams BrowserLeg::Receive(const std::uint8_t* data, size_t n, std::int64_t now_ns) {
    if (state_ == State::kOffered || state_ == State::kFailed || n == 0) return {};
    const auto kind = telephony::DemuxFirstByte(data[0]);
    if (kind == telephony::Demux::kStun) return OnStun(data, n, now_ns);
    if (kind != telephony::Demux::kDtls || state_ == State::kChecking) return {};
    Datagrams out = dtls_->Receive(data, n);
    if (dtls_->fault() != telephony::DtlsFault::kNone) {
        Fail(telephony::DtlsFaultName(dtls_->fault()));
    } else if (state_ == State::kHandshake && dtls_->Ready()) {
        state_ = State::kReady;
        ready_ns_ = now_ns;
    }
    return out;
}

BrowserLeg::Datagrams BrowserLeg::OnStun(const std::uint8_t* data, size_t n, std::int64_t now_ns) {
    Datagrams out;
    mbuf* mb = mbuf_alloc(n);
    stun_msg* msg = nullptr;
    if (!mb || mbuf_write_mem(mb, data, n) != 0) {
        mem_deref(mb);
        return out;
    }
    mb->pos = 0;
    bool ok = stun_msg_decode(&msg, mb, nullptr) == 0 && msg && stun_msg_method(msg) == STUN_METHOD_BINDING &&
              stun_msg_class(msg) == STUN_CLASS_SUCCESS_RESP && stun_msg_chk_fingerprint(msg) == 0 &&
              stun_msg_chk_mi(msg, reinterpret_cast<const std::uint8_t*>(answer_.ice_pwd.data()),
                              answer_.ice_pwd.size()) == 0;
    if (ok) {
        const std::uint8_t* tid = stun_msg_tid(msg);
        ok = std::any_of(pending_tids_.begin(), pending_tids_.end(),
                         [tid](const auto& t) { return std::memcmp(t.data(), tid, STUN_TID_SIZE) == 0; });
    }
    mem_deref(msg);
    mem_deref(mb);
    if (!ok || state_ != State::kChecking) return out;
    // The nominated pair works: DTLS starts on it (the browser is the client).
    state_ = State::kHandshake;
    connected_ns_ = now_ns;
    next_check_ns_ = now_ns + kConsentEveryNs;
    next_dtls_timer_ns_ = now_ns + kDtlsTimerNs;
    out = dtls_->Start();
    return out;
}

void BrowserLeg::Fail(std::string why) {
    state_ = State::kFailed;
    failure_ = std::move(why);
}

}  // namespace crisisline::bench
