#pragma once

#include <cstdint>
#include <optional>

// RTP header rewriting for media the server relays or plays, as pure logic.
//
// Each outgoing RTP stream (towards a caller, or towards a counsellor) is fed
// from changing sources: the server's own prompt and hold frames, then the
// other leg's media, then perhaps hold again. The receiver must see one
// well-behaved stream: ONE SSRC of our own, sequence numbers that move on by
// one per packet, timestamps that never jump backwards, and the marker bit on
// the first packet after each change of source (so its jitter buffer resyncs).
// RtpRewriter computes those header fields; the caller copies the payload.
//
// Thread safety: none; one RtpRewriter per outgoing stream, used from the
// thread that sends it (REQUIRES: external synchronisation).
namespace crisisline::media {

// The header fields of a packet about to be sent on, and where it came from.
struct RtpIn {
    uint32_t source_key;  // identifies the source: the remote SSRC, or a fixed key for local prompts
    uint16_t seq;
    uint32_t ts;
    bool marker;
    uint8_t pt;
};

// The header fields to send it with.
struct RtpOut {
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts;
    bool marker;
    uint8_t pt;
};

class RtpRewriter {
public:
    // The stream sends as `ssrc`; its first packet carries first_seq and first_ts
    // (pick both at random, RFC 3550 5.1).
    RtpRewriter(uint32_t ssrc, uint16_t first_seq, uint32_t first_ts);

    // The header for `in`, sent at wall-clock time `now_ms`, or nullopt to drop it.
    //  - A new source (and the very first packet): seq = last + 1, ts = last ts
    //    plus the wall-clock time since the last packet sent, in samples (8 per
    //    ms, at least one 20 ms frame), marker set.
    //  - The same source: seq moves on by as much as the input's did, so loss
    //    stays visible downstream; ts = the source's base + (in.ts - the
    //    source's first ts); marker and pt as given (so telephone-event packets,
    //    pt 101, pass with the same rule).
    //  - A duplicate or late packet (input seq not after the last one) is dropped.
    //  - An input seq that jumps more than 3000 ahead or 100 behind is dropped,
    //    unless the next packet follows on from it: then the source restarted
    //    (RFC 3550 A.1) and is rebased like a new source.
    std::optional<RtpOut> Next(const RtpIn& in, uint64_t now_ms);

    uint32_t ssrc() const { return ssrc_; }
    uint64_t packets_out() const { return packets_out_; }
    uint64_t packets_dropped() const { return packets_dropped_; }

private:
    RtpOut Rebase(const RtpIn& in, uint64_t now_ms);
    RtpOut Emit(RtpOut out, uint64_t now_ms);

    uint32_t ssrc_;
    // The last packet sent (or, before the first, one frame before the first).
    uint16_t out_seq_;
    uint32_t out_ts_;
    std::optional<uint64_t> last_sent_ms_;
    // The current source.
    std::optional<uint32_t> source_;
    uint16_t source_last_seq_ = 0;
    uint32_t source_first_ts_ = 0;
    uint32_t source_base_ts_ = 0;      // output ts of the source's first packet
    std::optional<uint16_t> bad_seq_;  // a big jump is accepted if the next packet has this seq
    uint64_t packets_out_ = 0;
    uint64_t packets_dropped_ = 0;
};

// Counts what arrived on one incoming RTP stream, as RFC 3550 A.1 and A.3:
// extended (wrap-counting) sequence numbers give the packets expected, and
// expected - received the packets lost. A jump of more than 3000 is taken as a
// restart of the sender once two packets in a row agree, and counting starts
// again from there.
// Thread safety: none (REQUIRES: external synchronisation).
class RtpReceiveStats {
public:
    void Seen(uint16_t seq);

    uint64_t received() const { return received_; }
    // Extended highest seq - first seq + 1; 0 before any packet.
    uint64_t expected() const;
    // expected - received, or 0 when duplicates outnumber losses.
    uint64_t lost() const;

private:
    void Restart(uint16_t seq);

    bool started_ = false;
    uint16_t base_seq_ = 0;
    uint16_t max_seq_ = 0;
    uint64_t cycles_ = 0;  // count of seq wraps, times 65536
    std::optional<uint16_t> bad_seq_;
    uint64_t received_ = 0;
};

}  // namespace crisisline::media
