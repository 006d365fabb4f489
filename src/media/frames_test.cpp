#include "media/frames.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace crisisline::media {
namespace {

namespace fs = std::filesystem;

constexpr uint8_t kUlawSilence = 0xFF;
constexpr uint8_t kAlawSilence = 0xD5;

// Writes a WAV with the given header fields and `data` as its data chunk; `extra` goes after the fmt chunk.
void WriteWav(const fs::path& path,
              uint16_t tag,
              uint16_t channels,
              uint32_t rate,
              uint16_t bits,
              const std::vector<uint8_t>& data,
              const std::string& extra = "") {
    std::string out;
    auto u16 = [&out](uint16_t v) { out.push_back(char(v & 0xFF)), out.push_back(char(v >> 8)); };
    auto u32 = [&](uint32_t v) { u16(uint16_t(v & 0xFFFF)), u16(uint16_t(v >> 16)); };
    out += "RIFF";
    u32(uint32_t(4 + 24 + extra.size() + 8 + data.size()));
    out += "WAVEfmt ";
    u32(16);
    u16(tag), u16(channels), u32(rate), u32(rate * channels * bits / 8), u16(uint16_t(channels * bits / 8)), u16(bits);
    out += extra;
    out += "data";
    u32(uint32_t(data.size()));
    out.append(data.begin(), data.end());
    std::ofstream(path, std::ios::binary) << out;
}

std::vector<uint8_t> Pcm16(const std::vector<int16_t>& samples) {
    std::vector<uint8_t> out;
    for (int16_t s : samples) out.push_back(uint8_t(s & 0xFF)), out.push_back(uint8_t((uint16_t(s) >> 8) & 0xFF));
    return out;
}

class FramesTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("media_frames_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST(CodecTest, PayloadTypesAreTheStaticOnes) {
    EXPECT_EQ(PayloadType(Codec::kPcmu), 0);
    EXPECT_EQ(PayloadType(Codec::kPcma), 8);
    EXPECT_EQ(CodecForPayloadType(0), Codec::kPcmu);
    EXPECT_EQ(CodecForPayloadType(8), Codec::kPcma);
    EXPECT_FALSE(CodecForPayloadType(101).has_value());
    EXPECT_STREQ(CodecName(Codec::kPcma), "PCMA");
}

TEST(EncodeTest, PadsTheLastFrameWithSilenceInBothLaws) {
    std::vector<int16_t> pcm(kFrameSamples + 10, 8000);
    const Prompt p = EncodePrompt("x", pcm);
    ASSERT_EQ(p.pcmu.size(), 2u);
    ASSERT_EQ(p.pcma.size(), 2u);
    EXPECT_EQ(p.duration_ms(), 40u);
    EXPECT_NE(p.pcmu[1][9], kUlawSilence);
    EXPECT_EQ(p.pcmu[1][10], kUlawSilence);
    EXPECT_EQ(p.pcma[1][10], kAlawSilence);
    EXPECT_EQ(p.pcmu[1][kFrameSamples - 1], kUlawSilence);
}

TEST(EncodeTest, RoundTripsWithinG711Precision) {
    for (int sample : {-32768, -32767, -20000, -1000, -5, 0, 5, 1000, 20000, 32767}) {
        for (Codec codec : {Codec::kPcmu, Codec::kPcma}) {
            const int16_t back = DecodeSample(codec, EncodeSample(codec, static_cast<int16_t>(sample)));
            // G.711 keeps about 4% (segment step over value) of the magnitude, and 16 near zero.
            EXPECT_LE(std::abs(back - sample), std::max(16.0, std::abs(sample) * 0.07))
                << CodecName(codec) << " " << sample << " -> " << back;
        }
    }
}

TEST(SilenceTest, RoundsUpToWholeFrames) {
    EXPECT_EQ(Silence("s", 0).pcmu.size(), 0u);
    EXPECT_EQ(Silence("s", 1).pcmu.size(), 1u);
    const Prompt s = Silence("s", 1000);
    ASSERT_EQ(s.pcmu.size(), 50u);
    EXPECT_EQ(s.name, "s");
    for (const auto& frame : s.pcmu) {
        for (uint8_t b : frame) ASSERT_EQ(b, kUlawSilence);
    }
    for (const auto& frame : s.pcma) {
        for (uint8_t b : frame) ASSERT_EQ(b, kAlawSilence);
    }
}

TEST(ToneTest, SoundsOnlyDuringItsCadenceAtItsLevel) {
    // 100 ms on, 100 ms off, for 400 ms at half scale.
    const Prompt t = Tone("t", 400.0, 100, 100, 400, 0.5);
    ASSERT_EQ(t.pcmu.size(), 20u);
    auto peak = [&t](size_t frame) {
        int max = 0;
        for (uint8_t b : t.pcmu[frame]) max = std::max(max, std::abs(int(DecodeSample(Codec::kPcmu, b))));
        return max;
    };
    EXPECT_NEAR(peak(2), 16384, 1200);  // within the first burst
    auto silent = [&t](size_t frame) {
        return std::all_of(t.pcmu[frame].begin(), t.pcmu[frame].end(), [](uint8_t b) { return b == kUlawSilence; });
    };
    EXPECT_TRUE(silent(7));              // in the gap (frames 5-9)
    EXPECT_NEAR(peak(12), 16384, 1200);  // second burst
    EXPECT_TRUE(silent(17));
    // The burst ramps in: the first sample is quiet.
    EXPECT_LT(std::abs(DecodeSample(Codec::kPcmu, t.pcmu[0][1])), 2000);
}

TEST(ToneTest, ClampsAmplitude) {
    const Prompt t = Tone("t", 1000.0, 100, 0, 100, 7.0);
    int max = 0;
    for (const auto& frame : t.pcma) {
        for (uint8_t b : frame) max = std::max(max, std::abs(int(DecodeSample(Codec::kPcma, b))));
    }
    EXPECT_GT(max, 30000);
}

TEST(TranscodeTest, ConvertsBetweenLawsAndCopiesWhenEqual) {
    std::vector<uint8_t> ulaw(256), alaw(256), back(256);
    for (int i = 0; i < 256; ++i) ulaw[i] = uint8_t(i);
    Transcode(Codec::kPcmu, Codec::kPcma, ulaw.data(), ulaw.size(), alaw.data());
    for (int i = 0; i < 256; ++i) {
        EXPECT_EQ(alaw[i], EncodeSample(Codec::kPcma, DecodeSample(Codec::kPcmu, ulaw[i]))) << i;
    }
    EXPECT_EQ(alaw[0xFF], kAlawSilence);  // silence stays silence
    Transcode(Codec::kPcma, Codec::kPcma, alaw.data(), alaw.size(), back.data());
    EXPECT_EQ(back, alaw);
    // In place.
    std::vector<uint8_t> in_place = ulaw;
    Transcode(Codec::kPcmu, Codec::kPcma, in_place.data(), in_place.size(), in_place.data());
    EXPECT_EQ(in_place, alaw);
}

TEST_F(FramesTest, LoadsAn8kMonoPcmWav) {
    std::vector<int16_t> samples(500);
    for (size_t i = 0; i < samples.size(); ++i) samples[i] = int16_t(1000 * std::sin(double(i) / 5));
    WriteWav(dir_ / "a.wav", 1, 1, 8000, 16, Pcm16(samples));
    auto p = LoadPrompt("a", (dir_ / "a.wav").string());
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(p->name, "a");
    ASSERT_EQ(p->pcmu.size(), 4u);  // 500 samples: 3 full frames and one padded
    EXPECT_EQ(p->pcmu[0][7], EncodeSample(Codec::kPcmu, samples[7]));
    EXPECT_EQ(p->pcma[3][499 - 480], EncodeSample(Codec::kPcma, samples[499]));
    EXPECT_EQ(p->pcma[3][20], kAlawSilence);
}

TEST_F(FramesTest, SkipsChunksBeforeTheData) {
    std::string list = "LIST";
    list += std::string("\x04\x00\x00\x00", 4) + "INFO";
    WriteWav(dir_ / "l.wav", 1, 1, 8000, 16, Pcm16(std::vector<int16_t>(160, 100)), list);
    auto p = LoadPrompt("l", (dir_ / "l.wav").string());
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_EQ(p->pcmu.size(), 1u);
}

TEST_F(FramesTest, RefusesOtherFormatsSayingWhatItFound) {
    struct Case {
        uint16_t tag, channels;
        uint32_t rate;
        uint16_t bits;
        std::string found;
    };
    const Case cases[] = {
        {1, 1, 22050, 16, "found 22050 Hz, 1 channel, 16-bit PCM"},
        {1, 2, 8000, 16, "found 8000 Hz, 2 channels, 16-bit PCM"},
        {1, 1, 8000, 8, "found 8000 Hz, 1 channel, 8-bit PCM"},
        {7, 1, 8000, 8, "found 8000 Hz, 1 channel, u-law"},
        {3, 1, 8000, 32, "found 8000 Hz, 1 channel, 32-bit float"},
    };
    for (const Case& c : cases) {
        const fs::path path = dir_ / "bad.wav";
        WriteWav(path, c.tag, c.channels, c.rate, c.bits, std::vector<uint8_t>(640, 0));
        auto p = LoadPrompt("greeting_en", path.string());
        ASSERT_FALSE(p.has_value()) << c.found;
        EXPECT_EQ(p.error().code, ErrorCode::kInvalid);
        const std::string& m = p.error().message;
        EXPECT_NE(m.find("greeting_en"), std::string::npos) << m;
        EXPECT_NE(m.find(path.string()), std::string::npos) << m;
        EXPECT_NE(m.find("must be 8 kHz mono 16-bit PCM; run scripts/render-prompts or convert with sox"),
                  std::string::npos)
            << m;
        EXPECT_NE(m.find(c.found), std::string::npos) << m;
    }
}

TEST_F(FramesTest, MissingFileIsNotFound) {
    auto p = LoadPrompt("x", (dir_ / "nope.wav").string());
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, ErrorCode::kNotFound);
}

// librem 0.6.0's aufile_open loops forever on a WAV whose chunks never reach
// "data"; these must come back as kInvalid, promptly.
TEST_F(FramesTest, RefusesMalformedFilesWithoutHanging) {
    const fs::path good = dir_ / "good.wav";
    WriteWav(good, 1, 1, 8000, 16, Pcm16(std::vector<int16_t>(160, 100)));
    std::ifstream in(good, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::pair<std::string, std::string> cases[] = {
        {"empty", ""},
        {"not riff", "hello, this is not a wav file at all, not at all"},
        {"truncated in fmt", bytes.substr(0, 30)},
        {"no data chunk", bytes.substr(0, 36)},
        {"trailing LIST, no data", bytes.substr(0, 36) + "LIST" + std::string("\x04\x00\x00\x00", 4) + "abcd"},
        {"no audio", bytes.substr(0, 44)},
    };
    for (const auto& [what, content] : cases) {
        const fs::path path = dir_ / "m.wav";
        std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
        auto p = LoadPrompt("m", path.string());
        ASSERT_FALSE(p.has_value()) << what;
        EXPECT_EQ(p.error().code, ErrorCode::kInvalid) << what << ": " << p.error().message;
        EXPECT_NE(p.error().message.find(path.string()), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace crisisline::media
