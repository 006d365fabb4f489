#include "media/rtp_rewriter.hpp"

#include <algorithm>

#include "media/frames.hpp"

namespace crisisline::media {
namespace {

// RFC 3550 A.1's limits: further ahead than this is a jump, further behind a
// jump too; in between behind is a duplicate or a late packet.
constexpr uint16_t kMaxDropout = 3000;
constexpr uint16_t kMaxMisorder = 100;
constexpr uint32_t kSeqModulo = 65536;
constexpr uint32_t kSamplesPerMs = kSampleRate / 1000;

}  // namespace

RtpRewriter::RtpRewriter(uint32_t ssrc, uint16_t first_seq, uint32_t first_ts)
    : ssrc_(ssrc),
      out_seq_(static_cast<uint16_t>(first_seq - 1)),
      out_ts_(first_ts - static_cast<uint32_t>(kFrameSamples)) {}

std::optional<RtpOut> RtpRewriter::Next(const RtpIn& in, uint64_t now_ms) {
    if (!source_ || *source_ != in.source_key) return Emit(Rebase(in, now_ms), now_ms);

    const auto ahead = static_cast<uint16_t>(in.seq - source_last_seq_);
    if (ahead == 0 || ahead > kSeqModulo - kMaxMisorder) {
        ++packets_dropped_;  // a duplicate, or late: its slot has been passed
        return std::nullopt;
    }
    if (ahead >= kMaxDropout) {
        if (bad_seq_ && *bad_seq_ == in.seq) return Emit(Rebase(in, now_ms), now_ms);
        bad_seq_ = static_cast<uint16_t>(in.seq + 1);
        ++packets_dropped_;
        return std::nullopt;
    }
    bad_seq_.reset();
    source_last_seq_ = in.seq;
    RtpOut out{ssrc_, static_cast<uint16_t>(out_seq_ + ahead), source_base_ts_ + (in.ts - source_first_ts_), in.marker,
               in.pt};
    return Emit(out, now_ms);
}

RtpOut RtpRewriter::Rebase(const RtpIn& in, uint64_t now_ms) {
    uint64_t elapsed_ms = 0;
    if (last_sent_ms_ && now_ms > *last_sent_ms_) elapsed_ms = now_ms - *last_sent_ms_;
    // At least one frame on: the last packet sent still occupies its 20 ms.
    const uint64_t step = std::max<uint64_t>(kFrameSamples, elapsed_ms * kSamplesPerMs);
    const uint32_t ts = last_sent_ms_ ? out_ts_ + static_cast<uint32_t>(step) : out_ts_ + kFrameSamples;
    source_ = in.source_key;
    source_last_seq_ = in.seq;
    source_first_ts_ = in.ts;
    source_base_ts_ = ts;
    bad_seq_.reset();
    return RtpOut{ssrc_, static_cast<uint16_t>(out_seq_ + 1), ts, true, in.pt};
}

RtpOut RtpRewriter::Emit(RtpOut out, uint64_t now_ms) {
    out_seq_ = out.seq;
    out_ts_ = out.ts;
    last_sent_ms_ = now_ms;
    ++packets_out_;
    return out;
}

void RtpReceiveStats::Restart(uint16_t seq) {
    base_seq_ = seq;
    max_seq_ = seq;
    cycles_ = 0;
    bad_seq_.reset();
    received_ = 0;
}

void RtpReceiveStats::Seen(uint16_t seq) {
    if (!started_) {
        started_ = true;
        Restart(seq);
    } else {
        const auto ahead = static_cast<uint16_t>(seq - max_seq_);
        if (ahead < kMaxDropout) {
            if (seq < max_seq_) cycles_ += kSeqModulo;  // wrapped
            max_seq_ = seq;
        } else if (ahead <= kSeqModulo - kMaxMisorder) {
            // A big jump: a restart if the next packet follows on from it, else a stray packet.
            if (!bad_seq_ || *bad_seq_ != seq) {
                bad_seq_ = static_cast<uint16_t>(seq + 1);
                return;
            }
            Restart(seq);
        }
        // Otherwise a duplicate or a late packet: received, but the highest seq stays.
    }
    ++received_;
}

uint64_t RtpReceiveStats::expected() const {
    if (!started_) return 0;
    return cycles_ + uint64_t{max_seq_} + 1 - uint64_t{base_seq_};
}

uint64_t RtpReceiveStats::lost() const {
    const uint64_t want = expected();
    return want > received_ ? want - received_ : 0;
}

}  // namespace crisisline::media
