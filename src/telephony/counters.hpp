#pragma once

#include <atomic>
#include <cstdint>

namespace crisisline::telephony {

// Why a packet on a browser phone's media was dropped (fail closed), as /metrics names it.
enum class BrowserDrop {
    kStunMalformed,         // not a well-formed binding request with a FINGERPRINT
    kStunUnknownUser,       // USERNAME names no browser leg on that socket
    kStunWrongCredentials,  // MESSAGE-INTEGRITY not made with the leg's password, or the wrong peer
    kDtlsFailed,            // the DTLS handshake failed
    kFingerprintMismatch,   // the browser's certificate is not the one its SDP named
    kSrtpAuth,              // SRTP that does not authenticate (tampered, replayed, wrong keys)
    kSrtcpAuth,             // the same for SRTCP
    kBeforeKeys,            // SRTP before the handshake gave keys
};
constexpr const char* kBrowserDropNames[] = {"stun_malformed",    "stun_unknown_user",    "stun_wrong_credentials",
                                             "dtls_failed",       "fingerprint_mismatch", "srtp_auth",
                                             "srtcp_auth",        "before_keys"};

// What the telephony loop counts, read by /metrics from other threads.
// Counters only ever go up; gauges are set from the live picture.
struct Counters {
    std::atomic<std::uint64_t> calls_offered{0};    // INVITEs accepted for a line
    std::atomic<std::uint64_t> calls_answered{0};   // bridged to a counsellor or the overflow destination
    std::atomic<std::uint64_t> calls_abandoned{0};  // caller hung up before an answer
    std::atomic<std::uint64_t> calls_interrupted{0};  // the counsellor's connection failed: caller requeued
    std::atomic<std::uint64_t> calls_refused{0};    // 403/404/420/488 to an INVITE
    std::atomic<std::uint64_t> calls_over_capacity{0};  // 503: over trunk_calls_per_s or a line's limits
    std::atomic<std::uint64_t> forged_requests{0};  // in-dialog requests not from the dialog's peer (403)
    std::atomic<std::uint64_t> registrations_refused{0};  // REGISTERs with wrong credentials or throttled
    std::atomic<std::uint64_t> rtp_relayed{0};      // packets relayed from one leg to the other
    std::atomic<std::uint64_t> rtp_sent{0};         // packets sent from prompts and hold audio
    std::atomic<std::uint64_t> rtp_lost{0};         // gaps in received sequence numbers
    std::atomic<std::uint64_t> rtp_ignored{0};      // from an unexpected source, or not RTP we offered
    // Browser phones (WebRTC): packets dropped because a check failed, by reason (BrowserDrop).
    std::atomic<std::uint64_t> browser_dropped[8] = {};
    std::atomic<std::uint64_t> browser_handshakes{0};  // DTLS-SRTP handshakes completed with a matching fingerprint
    std::atomic<std::int64_t> queue_length{0};
    std::atomic<std::int64_t> longest_wait_ms{0};
    std::atomic<std::int64_t> active_calls{0};
    std::atomic<std::int64_t> registered_phones{0};
};

}  // namespace crisisline::telephony
