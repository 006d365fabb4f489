#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

// DTMF key presses carried as RFC 4733 telephone-events, as pure logic.
//
// Thread safety: ParseTelephoneEvent and DtmfDigit share no state; a
// DtmfDetector belongs to one incoming stream (REQUIRES: external
// synchronisation).
namespace crisisline::media {

// The payload type the server offers for telephone-event/8000 in its SDP.
constexpr uint8_t kTelephoneEventPayloadType = 101;

// One telephone-event payload (RFC 4733 2.3).
struct DtmfEvent {
    uint8_t event = 0;      // 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D'; others are not DTMF
    bool end = false;       // E bit: the event has ended
    uint8_t volume = 0;     // 0..63, in -dBm0
    uint16_t duration = 0;  // in RTP timestamp units since the event's timestamp
};

// Parses the first 4 bytes of a telephone-event payload (more may follow when
// a sender packs several events; only the first is read). nullopt if n < 4.
std::optional<DtmfEvent> ParseTelephoneEvent(const uint8_t* payload, size_t n);

// '0'-'9', '*', '#', 'A'-'D' for events 0-15; nullopt for anything else.
std::optional<char> DtmfDigit(uint8_t event);

// Turns the telephone-event packets of one stream into key presses, each
// exactly once. A press is known by its RTP timestamp (every packet of one
// event, including the end packet sent three times, carries the event's first
// timestamp), so the digit is reported on the first packet of a new event
// that arrives, whichever it is: a lost start or lost end packet loses no
// digit. A long press that the sender splits into segments (RFC 4733 2.5.2.3:
// the same event, a new timestamp where the last segment's duration ends,
// the last segment not ended) stays one press. A late packet of one of the
// last few events is not taken for a new press.
class DtmfDetector {
public:
    // The digit that `event` (carried with RTP timestamp `rtp_ts`) starts, or nullopt.
    std::optional<char> OnPacket(const DtmfEvent& event, uint32_t rtp_ts);

private:
    struct Seen {
        uint32_t ts = 0;
        uint8_t event = 0;
        bool end = false;
        uint16_t duration = 0;
    };
    static constexpr size_t kRemembered = 8;

    Seen* Find(uint32_t ts);

    std::array<Seen, kRemembered> seen_{};
    size_t count_ = 0;  // entries of seen_ in use, up to kRemembered
    size_t last_ = 0;   // index of the latest event
};

}  // namespace crisisline::media
