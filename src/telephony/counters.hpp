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

// Why an SRTP packet on a SIP leg (SDES) was refused, as /metrics names it. Never relayed.
enum class SrtpDrop { kAuth, kReplay, kMalformed };
constexpr const char* kSrtpDropNames[] = {"auth", "replay", "malformed"};

// How a leg's media was protected, as /metrics names it (LegEncryption).
constexpr const char* kLegEncryptionNames[] = {"plain", "srtp", "dtls_srtp"};
// Which side of a bridged call a leg is.
constexpr const char* kLegSideNames[] = {"caller", "answerer"};
// Why a TLS handshake failed, as /metrics names it (crisisline_sip_tls_handshake_failures_total{reason}).
enum class TlsFailure {
    kProtocolVersion,   // the peer offered only TLS older than 1.2 (or spoke something else)
    kHandshake,         // no cipher or group in common, or another handshake failure
    kUntrusted,         // the carrier's certificate does not chain to the trunk's tls_ca
    kNameMismatch,      // the carrier's certificate does not carry the trunk's name
    kExpired,           // the carrier's certificate has expired or is not valid yet
    kPeerRefused,       // the peer sent a fatal alert during the handshake (e.g. it refused our certificate)
    kOther,
};
constexpr const char* kTlsFailureNames[] = {"protocol_version", "handshake", "untrusted", "name_mismatch",
                                            "expired",          "peer_refused", "other"};

// The SIP transports requests arrive on, as /metrics names them (crisisline_sip_requests_total{transport}).
enum class SipTransport { kUdp, kTcp, kTls };
constexpr const char* kSipTransportNames[] = {"udp", "tcp", "tls"};

// What the telephony loop counts, read by /metrics from other threads.
// Counters only ever go up; gauges are set from the live picture.
struct Counters {
    std::atomic<std::uint64_t> calls_offered{0};    // INVITEs accepted for a line
    std::atomic<std::uint64_t> calls_answered{0};   // bridged to a counsellor or the overflow destination
    std::atomic<std::uint64_t> calls_abandoned{0};  // caller hung up before an answer
    std::atomic<std::uint64_t> calls_interrupted{0};  // the counsellor's connection failed: caller requeued
    std::atomic<std::uint64_t> browser_feed_drops_kept{0};  // a tab's feed dropped mid-call, its audio went on
    std::atomic<std::uint64_t> surveys_offered{0};  // callers who heard the post-call survey's first question
    std::atomic<std::uint64_t> survey_answers{0};   // answers to its questions (counted, never linked to a call)
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
    std::atomic<std::uint64_t> browser_ice_restarts{0};  // re-offers answered with new ICE credentials
    // SIP legs keyed by SDES: SRTP packets refused (not authentic, replayed, too short), by reason (SrtpDrop).
    std::atomic<std::uint64_t> srtp_dropped[3] = {};
    // Bridged calls by how each leg's media was protected: [side][encryption] (kLegSideNames, kLegEncryptionNames);
    // and those whose two legs were both encrypted.
    std::atomic<std::uint64_t> bridged_legs[2][3] = {};
    std::atomic<std::uint64_t> calls_encrypted{0};
    std::atomic<std::uint64_t> sip_requests[3] = {};     // by SipTransport
    std::atomic<std::uint64_t> tls_failures[7] = {};     // TLS handshakes that failed, by TlsFailure
    std::atomic<std::uint64_t> plaintext_refused{0};     // requests refused: plaintext from a trunk or phone that requires TLS
    // INVITEs refused 488 because their line requires every leg encrypted (plain SIP, plain RTP, or a trunk
    // whose encryption is off).
    std::atomic<std::uint64_t> line_encryption_refused{0};
    // Calls bridged now, by whether both legs are encrypted (gauges, from RefreshGauges).
    std::atomic<std::int64_t> active_encrypted{0};
    std::atomic<std::int64_t> active_plain{0};
    std::atomic<std::int64_t> queue_length{0};
    std::atomic<std::int64_t> longest_wait_ms{0};
    std::atomic<std::int64_t> active_calls{0};
    std::atomic<std::int64_t> registered_phones{0};
};

}  // namespace crisisline::telephony
