#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telephony/dtls_srtp.hpp"
#include "telephony/ice_lite.hpp"

// One browser's end of a browser-phone call, for the WebRTC load generator (bench/webrtc_load.cpp): full ICE
// in the controlling role (RFC 8445: USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY,
// FINGERPRINT, encoded with libre's STUN), DTLS in the active role (telephony::DtlsSrtp, as
// bench/browser_media_bench.cpp plays the browser), SRTP with rtcp-mux. It owns no socket: Tick and Receive
// say what to send to Server(). Not thread-safe; libre objects, so one thread.
namespace crisisline::bench {

// What the generator takes from the server's SDP answer.
struct ServerAnswer {
    std::string ice_ufrag, ice_pwd, fingerprint;
    sockaddr_in candidate{};  // the answer's host candidate
};
// The answer's ICE credentials, sha-256 fingerprint and first UDP IPv4 host candidate; nullopt and `why`
// when one of them is missing.
std::optional<ServerAnswer> ReadServerAnswer(const std::string& sdp, std::string* why);

class BrowserLeg {
public:
    enum class State { kOffered, kChecking, kHandshake, kReady, kFailed };
    using Datagrams = telephony::DtlsSrtp::Datagrams;

    // `local`: where this leg's socket is bound (its host candidate in the offer).
    BrowserLeg(std::shared_ptr<telephony::DtlsCertificate> identity, const sockaddr_in& local);

    // The browser's offer: one audio m-line, UDP/TLS/RTP/SAVPF, PCMU, PCMA and telephone-event, ICE
    // credentials, the fingerprint of `identity`, a=setup:actpass, a=rtcp-mux, its host candidate.
    std::string Offer() const;
    // Takes the server's answer (state kChecking from then on); false and `why` when it cannot be read.
    bool Answer(const std::string& sdp, std::int64_t now_ns, std::string* why);

    // What is due at `now_ns`: a connectivity check every 50 ms until one succeeds (then one every 5 s, for
    // consent freshness, RFC 7675) and DTLS retransmissions while the handshake runs.
    Datagrams Tick(std::int64_t now_ns);
    // A STUN or DTLS datagram from the server; returns what to send back. SRTP goes to Unprotect instead.
    Datagrams Receive(const std::uint8_t* data, size_t n, std::int64_t now_ns);

    // SRTP, with mb->pos at the RTP header, in place (telephony::DtlsSrtp). Refused before kReady.
    bool Protect(mbuf* mb) { return dtls_ && dtls_->Protect(mb); }
    telephony::SrtpRefusal Unprotect(mbuf* mb) { return dtls_ ? dtls_->Check(mb) : telephony::SrtpRefusal::kAuth; }

    State state() const { return state_; }
    const std::string& failure() const { return failure_; }
    const sockaddr_in& Server() const { return answer_.candidate; }
    std::int64_t answered_ns() const { return answered_ns_; }
    std::int64_t connected_ns() const { return connected_ns_; }  // the first check's success
    std::int64_t ready_ns() const { return ready_ns_; }          // the DTLS handshake's end, keys set
    std::uint32_t checks_sent() const { return checks_sent_; }

private:
    std::vector<std::uint8_t> Check(bool nominate);
    Datagrams OnStun(const std::uint8_t* data, size_t n, std::int64_t now_ns);
    void Fail(std::string why);

    std::shared_ptr<telephony::DtlsCertificate> identity_;
    sockaddr_in local_;
    std::string ufrag_, pwd_;
    std::uint64_t tiebreaker_ = 0;
    ServerAnswer answer_;
    std::unique_ptr<telephony::DtlsSrtp> dtls_;  // once the answer names the server's fingerprint
    State state_ = State::kOffered;
    std::string failure_;
    std::vector<std::vector<std::uint8_t>> pending_tids_;  // the last few checks' transaction ids
    std::int64_t answered_ns_ = 0, connected_ns_ = 0, ready_ns_ = 0;
    std::int64_t next_check_ns_ = 0, next_dtls_timer_ns_ = 0;
    std::uint32_t checks_sent_ = 0;
};

}  // namespace crisisline::bench
