#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"

// media: G.711 audio frames for the telephony, as pure logic plus files.
//
// Everything the server plays is held pre-encoded in 20 ms frames for both
// G.711 laws, so sending a prompt costs a copy, never an encode. Audio comes
// from 8 kHz mono 16-bit PCM WAV files (scripts/render-prompts writes them) or
// is generated in code (silence, tones) as a licence-free fallback.
//
// Thread safety: free functions share no state; a Prompt is a plain value,
// safe to read from many threads once built.
namespace crisisline::media {

// The two G.711 laws; RTP static payload types 0 (PCMU) and 8 (PCMA).
enum class Codec { kPcmu, kPcma };

constexpr uint32_t kSampleRate = 8000;  // samples per second
constexpr size_t kFrameSamples = 160;   // 20 ms at 8 kHz; one byte per sample in G.711
constexpr uint32_t kFrameMs = 20;
constexpr uint32_t kMaxPromptMs = 10 * 60 * 1000;  // longer WAVs are refused (memory bound)

using Frame = std::array<uint8_t, kFrameSamples>;

// The RTP payload type of a codec: 0 or 8.
constexpr uint8_t PayloadType(Codec codec) { return codec == Codec::kPcmu ? 0 : 8; }
// The codec of RTP payload type 0 or 8; nullopt for any other.
std::optional<Codec> CodecForPayloadType(uint8_t payload_type);
// "PCMU" / "PCMA", as in SDP.
const char* CodecName(Codec codec);

// One piece of audio ready to send: the same samples encoded both ways, in
// 20 ms frames; the last frame is padded with silence. pcmu.size() == pcma.size().
struct Prompt {
    std::string name;
    std::vector<Frame> pcmu;
    std::vector<Frame> pcma;

    const std::vector<Frame>& frames(Codec codec) const { return codec == Codec::kPcmu ? pcmu : pcma; }
    uint32_t duration_ms() const { return static_cast<uint32_t>(pcmu.size()) * kFrameMs; }
};

// Encodes 8 kHz 16-bit PCM samples into a Prompt (silence-padded last frame).
// Never fails; an empty input gives an empty Prompt.
Prompt EncodePrompt(std::string name, std::span<const int16_t> pcm);

// Reads `wav_path`, which must be a WAV of 8 kHz mono 16-bit PCM of at most
// kMaxPromptMs, through librem's aufile, and encodes it.
// On failure: kNotFound if the file does not exist; kInvalid if it is not such
// a WAV (the message names the file, says what it holds and how to convert it)
// or holds no audio; kInternal if it cannot be read.
[[nodiscard]] Result<Prompt> LoadPrompt(const std::string& name, const std::string& wav_path);

// `ms` of silence, rounded up to whole 20 ms frames (0 gives no frames).
Prompt Silence(std::string name, uint32_t ms);

// A sine tone at `freq_hz`, sounding `on_ms` then quiet `off_ms`, repeating,
// for `total_ms` (rounded up to whole frames). `amplitude` is a fraction of
// full scale, clamped to [0, 1]. Each burst ramps in and out over 5 ms so it
// does not click. off_ms == 0 gives a continuous tone.
Prompt Tone(std::string name, double freq_hz, uint32_t on_ms, uint32_t off_ms, uint32_t total_ms, double amplitude);

// Re-encodes `n` G.711 bytes from one law to the other (through 16-bit PCM);
// copies when from == to. `out` may be the same buffer as `in`.
// REQUIRES: in and out each hold n bytes.
void Transcode(Codec from, Codec to, const uint8_t* in, size_t n, uint8_t* out);

// G.711 encoding and decoding of one sample (librem's tables).
uint8_t EncodeSample(Codec codec, int16_t sample);
int16_t DecodeSample(Codec codec, uint8_t byte);

}  // namespace crisisline::media
