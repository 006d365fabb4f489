#include "media/dtmf.hpp"

namespace crisisline::media {

std::optional<DtmfEvent> ParseTelephoneEvent(const uint8_t* payload, size_t n) {
    if (payload == nullptr || n < 4) return std::nullopt;
    DtmfEvent out;
    out.event = payload[0];
    out.end = (payload[1] & 0x80) != 0;
    out.volume = payload[1] & 0x3F;  // the R bit (0x40) is reserved and ignored
    out.duration = static_cast<uint16_t>((payload[2] << 8) | payload[3]);
    return out;
}

std::optional<char> DtmfDigit(uint8_t event) {
    static constexpr char kDigits[] = "0123456789*#ABCD";
    if (event >= 16) return std::nullopt;
    return kDigits[event];
}

DtmfDetector::Seen* DtmfDetector::Find(uint32_t ts) {
    for (size_t i = 0; i < count_; ++i) {
        if (seen_[i].ts == ts) return &seen_[i];
    }
    return nullptr;
}

std::optional<char> DtmfDetector::OnPacket(const DtmfEvent& event, uint32_t rtp_ts) {
    if (Seen* known = Find(rtp_ts)) {
        // Another packet of an event already reported: keep its progress for segment matching.
        known->end = known->end || event.end;
        if (event.duration > known->duration) known->duration = event.duration;
        return std::nullopt;
    }
    const bool continues = count_ > 0 && !seen_[last_].end && seen_[last_].event == event.event &&
                           rtp_ts == seen_[last_].ts + seen_[last_].duration;
    // Remember it in the next slot (the oldest goes once all are in use).
    last_ = count_ == 0 ? 0 : (last_ + 1) % kRemembered;
    if (count_ < kRemembered) count_ = last_ + 1;
    seen_[last_] = Seen{rtp_ts, event.event, event.end, event.duration};
    if (continues) return std::nullopt;
    return DtmfDigit(event.event);
}

}  // namespace crisisline::media
