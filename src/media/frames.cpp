#include "media/frames.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>

#include "media/detail/re.hpp"
#include "media/detail/wav_header.hpp"

namespace crisisline::media {
namespace {

constexpr uint16_t kPcmTag = 1;
constexpr uint32_t kRampMs = 5;
constexpr char kConvertHint[] =
    "must be 8 kHz mono 16-bit PCM; run scripts/render-prompts or convert with sox: "
    "sox in.wav -r 8000 -c 1 -b 16 out.wav";

struct AufileDeleter {
    void operator()(aufile* file) const { mem_deref(file); }
};
using AufilePtr = std::unique_ptr<aufile, AufileDeleter>;

uint32_t WholeFrames(uint32_t ms) { return (ms + kFrameMs - 1) / kFrameMs; }

// Reads every sample of an already inspected 8 kHz mono S16LE file.
Result<std::vector<int16_t>> ReadSamples(const std::string& wav_path) {
    aufile* raw = nullptr;
    aufile_prm prm{};
    if (int err = aufile_open(&raw, &prm, wav_path.c_str(), AUFILE_READ); err != 0) {
        return Fail(ErrorCode::kInvalid, wav_path + ": librem cannot open it: " + std::strerror(err));
    }
    AufilePtr file(raw);
    if (prm.srate != kSampleRate || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
        return Fail(ErrorCode::kInvalid, wav_path + ": " + kConvertHint);
    }
    std::vector<int16_t> samples;
    std::array<uint8_t, 4096> buffer{};
    for (;;) {
        size_t size = buffer.size();
        if (int err = aufile_read(file.get(), buffer.data(), &size); err != 0) {
            return Fail(ErrorCode::kInternal, wav_path + ": read failed: " + std::strerror(err));
        }
        if (size == 0) break;
        // The file is little-endian whatever the host is; a trailing odd byte is dropped.
        for (size_t i = 0; i + 1 < size; i += 2) {
            samples.push_back(static_cast<int16_t>(buffer[i] | (buffer[i + 1] << 8)));
        }
    }
    return samples;
}

}  // namespace

std::optional<Codec> CodecForPayloadType(uint8_t payload_type) {
    if (payload_type == 0) return Codec::kPcmu;
    if (payload_type == 8) return Codec::kPcma;
    return std::nullopt;
}

const char* CodecName(Codec codec) { return codec == Codec::kPcmu ? "PCMU" : "PCMA"; }

uint8_t EncodeSample(Codec codec, int16_t sample) {
    // librem's encoders negate negative samples; -32768 has no positive twin.
    sample = std::max<int16_t>(sample, -32767);
    return codec == Codec::kPcmu ? g711_pcm2ulaw(sample) : g711_pcm2alaw(sample);
}

int16_t DecodeSample(Codec codec, uint8_t byte) {
    return codec == Codec::kPcmu ? g711_ulaw2pcm(byte) : g711_alaw2pcm(byte);
}

Prompt EncodePrompt(std::string name, std::span<const int16_t> pcm) {
    Prompt prompt{std::move(name), {}, {}};
    const size_t frames = (pcm.size() + kFrameSamples - 1) / kFrameSamples;
    prompt.pcmu.resize(frames);
    prompt.pcma.resize(frames);
    for (size_t f = 0; f < frames; ++f) {
        for (size_t i = 0; i < kFrameSamples; ++i) {
            const size_t at = f * kFrameSamples + i;
            const int16_t sample = at < pcm.size() ? pcm[at] : 0;
            prompt.pcmu[f][i] = EncodeSample(Codec::kPcmu, sample);
            prompt.pcma[f][i] = EncodeSample(Codec::kPcma, sample);
        }
    }
    return prompt;
}

Result<Prompt> LoadPrompt(const std::string& name, const std::string& wav_path) {
    auto format = detail::InspectWav(wav_path);
    if (!format) return tl::unexpected(format.error());
    if (format->format_tag != kPcmTag || format->sample_rate != kSampleRate || format->channels != 1 ||
        format->bits_per_sample != 16) {
        return Fail(ErrorCode::kInvalid, "prompt '" + name + "': " + wav_path + " " + kConvertHint + "; found " +
                                             detail::DescribeWav(*format));
    }
    if (format->data_bytes > uint64_t{kMaxPromptMs} * (kSampleRate / 1000) * 2) {
        return Fail(ErrorCode::kInvalid, "prompt '" + name + "': " + wav_path + " is longer than " +
                                             std::to_string(kMaxPromptMs / 1000) + " s");
    }
    auto samples = ReadSamples(wav_path);
    if (!samples) return tl::unexpected(samples.error());
    if (samples->empty()) {
        return Fail(ErrorCode::kInvalid, "prompt '" + name + "': " + wav_path + " holds no audio");
    }
    return EncodePrompt(name, *samples);
}

Prompt Silence(std::string name, uint32_t ms) {
    const std::vector<int16_t> zeros(size_t{WholeFrames(ms)} * kFrameSamples, 0);
    return EncodePrompt(std::move(name), zeros);
}

Prompt Tone(std::string name, double freq_hz, uint32_t on_ms, uint32_t off_ms, uint32_t total_ms, double amplitude) {
    const double peak = std::clamp(amplitude, 0.0, 1.0) * 32767.0;
    const uint32_t per_ms = kSampleRate / 1000;
    const uint64_t on = uint64_t{on_ms} * per_ms;
    const uint64_t period = on + uint64_t{off_ms} * per_ms;
    const uint64_t ramp = uint64_t{kRampMs} * per_ms;
    std::vector<int16_t> pcm(size_t{WholeFrames(total_ms)} * kFrameSamples, 0);
    for (size_t i = 0; i < pcm.size() && period > 0; ++i) {
        const uint64_t in_period = i % period;
        if (in_period >= on) continue;
        // Ramp in and out so each burst starts and stops without a click (continuous tones ramp once).
        const uint64_t from_start = off_ms == 0 ? i : in_period;
        const uint64_t to_end = off_ms == 0 ? pcm.size() - 1 - i : on - 1 - in_period;
        const double envelope = std::min({1.0, static_cast<double>(from_start) / static_cast<double>(ramp),
                                          static_cast<double>(to_end) / static_cast<double>(ramp)});
        const double phase = 2.0 * std::numbers::pi * freq_hz * static_cast<double>(i) / kSampleRate;
        pcm[i] = static_cast<int16_t>(std::lround(peak * envelope * std::sin(phase)));
    }
    return EncodePrompt(std::move(name), pcm);
}

void Transcode(Codec from, Codec to, const uint8_t* in, size_t n, uint8_t* out) {
    if (from == to) {
        if (in != out) std::memmove(out, in, n);
        return;
    }
    for (size_t i = 0; i < n; ++i) out[i] = EncodeSample(to, DecodeSample(from, in[i]));
}

}  // namespace crisisline::media
