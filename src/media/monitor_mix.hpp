#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "media/frames.hpp"

// media: the audio of a call a supervisor monitors (listen, coach or join, as Asterisk ChanSpy's modes).
// Pure logic: no sockets, no clock; the switchboard feeds it the frames each party sends and, on every tick of
// its 20 ms media clock, asks what each party is to hear.
namespace crisisline::media {

enum class Party { kCaller, kCounsellor, kSupervisor };
enum class MonitorMode {
    kListen,  // the supervisor hears caller and counsellor; nobody hears the supervisor
    kCoach,   // as listen, and the counsellor (only) hears the supervisor
    kJoin,    // all three hear each other
};
const char* MonitorModeName(MonitorMode mode);                        // "listen", "coach", "join"
std::optional<MonitorMode> MonitorModeFromName(const char* name);     // nullopt for anything else

// Whether `listener` hears `speaker` in `mode` (never themselves).
bool Hears(MonitorMode mode, Party listener, Party speaker);

// Decodes G.711 from each party into a short queue of 20 ms frames (a jitter allowance of a few frames: the
// oldest goes when a party sends faster than the clock), and on each tick takes one frame per party and sums,
// for each listener, the frames of those it hears (16-bit, clipped), encoded in the listener's law.
//
// Thread safety: none (the telephony loop only).
class MonitorMix {
public:
    static constexpr size_t kMaxQueued = 4;  // 80 ms

    // A frame `party` sent: exactly kFrameSamples bytes of `codec`; false (and nothing kept) for any other size.
    bool Put(Party party, Codec codec, const std::uint8_t* payload, size_t n);
    // Takes the next frame of each party (those with none queued send nothing this tick).
    void Tick();
    // What `listener` hears this tick in `mode`, encoded in `codec`, into `out`; false when none of those it
    // hears sent anything (then nothing is to be sent: silence is not manufactured).
    bool Mix(MonitorMode mode, Party listener, Codec codec, Frame& out) const;

private:
    using Pcm = std::array<std::int16_t, kFrameSamples>;
    std::array<std::deque<Pcm>, 3> queued_;
    std::array<std::optional<Pcm>, 3> now_;
};

}  // namespace crisisline::media
