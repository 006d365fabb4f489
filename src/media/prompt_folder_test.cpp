#include "media/prompt_folder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace crisisline::media {
namespace {

namespace fs = std::filesystem;

struct WavSpec {
    uint16_t tag = 1;
    uint16_t channels = 1;
    uint32_t rate = 8000;
    uint16_t bits = 16;
    uint32_t data_bytes = 16000;  // 1 s of 8 kHz 16-bit mono
    bool with_data_chunk = true;
    int64_t declared_extra = 0;  // added to the data chunk's declared size (a truncated file declares more)
    uint8_t level = 0x10;
};

// A WAV built byte by byte from `spec`, so every header field can be wrong on purpose.
std::string Wav(const WavSpec& spec) {
    std::string out;
    auto u16 = [&out](uint16_t v) { out.push_back(char(v & 0xFF)), out.push_back(char(v >> 8)); };
    auto u32 = [&](uint32_t v) { u16(uint16_t(v & 0xFFFF)), u16(uint16_t(v >> 16)); };
    out += "RIFF";
    u32(uint32_t(4 + 24 + 8 + int64_t(spec.data_bytes) + spec.declared_extra));
    out += "WAVEfmt ";
    u32(16);
    u16(spec.tag), u16(spec.channels), u32(spec.rate), u32(spec.rate * spec.channels * spec.bits / 8);
    u16(uint16_t(spec.channels * spec.bits / 8)), u16(spec.bits);
    out += spec.with_data_chunk ? "data" : "LIST";
    u32(uint32_t(int64_t(spec.data_bytes) + spec.declared_extra));
    out.append(spec.data_bytes, char(spec.level));
    return out;
}

std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class PromptFolderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("media_prompt_folder_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    // Files in the folder other than prompts and previous ones: staged uploads left behind.
    int Strays() const {
        int n = 0;
        for (const auto& e : fs::directory_iterator(dir_)) n += e.path().filename().string().front() == '.';
        return n;
    }
    fs::path dir_;
};

TEST_F(PromptFolderTest, CheckRecordingAcceptsGoodAudioAndRefusesTheRestSayingWhy) {
    struct Case {
        const char* what;
        WavSpec spec;
        const char* says;  // empty: accepted
    };
    const Case cases[] = {
        {"good, 1 s", {}, ""},
        {"shortest", {.data_bytes = 3200}, ""},
        {"longest", {.data_bytes = 65000 * 16}, ""},
        {"44.1 kHz", {.rate = 44100}, "this file is 44100 Hz, 1 channel, 16-bit PCM"},
        {"stereo", {.channels = 2}, "this file is 8000 Hz, 2 channels, 16-bit PCM"},
        {"8-bit", {.bits = 8}, "8-bit PCM"},
        {"u-law", {.tag = 7, .bits = 8}, "u-law"},
        {"no data chunk", {.with_data_chunk = false}, "no 'data' chunk"},
        {"truncated", {.declared_extra = 8000}, "cut short"},
        {"too short", {.data_bytes = 1600}, "this recording lasts 0.1 s"},
        {"too long", {.data_bytes = 66000 * 16}, "this recording lasts 66.0 s"},
    };
    fs::create_directories(dir_);
    for (const auto& c : cases) {
        const auto path = (dir_ / "check.wav").string();
        std::ofstream(path, std::ios::binary | std::ios::trunc) << Wav(c.spec);
        auto checked = CheckRecording(path);
        if (std::string(c.says).empty()) {
            ASSERT_TRUE(checked.has_value()) << c.what << ": " << checked.error().message;
            EXPECT_NEAR(*checked, c.spec.data_bytes / 16000.0, 0.001) << c.what;
            continue;
        }
        ASSERT_FALSE(checked.has_value()) << c.what;
        EXPECT_EQ(checked.error().code, ErrorCode::kInvalid) << c.what;
        EXPECT_EQ(checked.error().field, "body") << c.what;
        EXPECT_NE(checked.error().message.find(c.says), std::string::npos) << c.what << ": " << checked.error().message;
        EXPECT_EQ(checked.error().message.find(path), std::string::npos) << c.what << ": the temporary path is private";
    }
}

TEST_F(PromptFolderTest, CheckRecordingRefusesWhatIsNotAWavAtAll) {
    fs::create_directories(dir_);
    const auto path = (dir_ / "text.wav").string();
    std::ofstream(path) << "hello, this is not audio";
    auto checked = CheckRecording(path);
    ASSERT_FALSE(checked.has_value());
    EXPECT_EQ(checked.error().code, ErrorCode::kInvalid);
    EXPECT_NE(checked.error().message.find("must be 8 kHz mono 16-bit PCM WAV"), std::string::npos);
    EXPECT_EQ(CheckRecording((dir_ / "none.wav").string()).error().code, ErrorCode::kNotFound);
}

TEST_F(PromptFolderTest, InstallKeepsTheReplacedFileAndRestoreSwapsBack) {
    PromptFolder folder(dir_.string());
    const std::string first = Wav({.level = 0x01});
    const std::string second = Wav({.data_bytes = 32000, .level = 0x02});

    auto staged = folder.Stage("hold", first);
    ASSERT_TRUE(staged.has_value()) << staged.error().message;
    EXPECT_NEAR(staged->seconds(), 1.0, 0.001);
    ASSERT_TRUE(folder.Install(*staged).has_value());
    EXPECT_EQ(Slurp(dir_ / "hold.wav"), first);
    EXPECT_FALSE(fs::exists(dir_ / "hold.wav.previous")) << "nothing was replaced";
    EXPECT_EQ(folder.RestorePrevious("hold").error().code, ErrorCode::kNotFound);

    auto again = folder.Stage("hold", second);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    ASSERT_TRUE(folder.Install(*again).has_value());
    EXPECT_EQ(Slurp(dir_ / "hold.wav"), second);
    EXPECT_EQ(Slurp(dir_ / "hold.wav.previous"), first);

    ASSERT_TRUE(folder.RestorePrevious("hold").has_value());
    EXPECT_EQ(Slurp(dir_ / "hold.wav"), first);
    EXPECT_EQ(Slurp(dir_ / "hold.wav.previous"), second);
    EXPECT_EQ(Strays(), 0);

    const auto listed = folder.List();
    ASSERT_EQ(listed.size(), 34u);
    for (const auto& entry : listed) {
        EXPECT_EQ(entry.present, entry.name == "hold") << entry.name;
        EXPECT_EQ(entry.has_previous, entry.name == "hold") << entry.name;
        if (entry.name == "hold") {
            EXPECT_NEAR(entry.seconds.value_or(0), 1.0, 0.001);
        }
    }
    auto read = folder.Read("hold");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, first);
    EXPECT_EQ(folder.Read("greeting_en").error().code, ErrorCode::kNotFound);
}

TEST_F(PromptFolderTest, RefusedUploadsLeaveTheFolderAsItWas) {
    PromptFolder folder(dir_.string());
    auto staged = folder.Stage("greeting_en", Wav({}));
    ASSERT_TRUE(staged.has_value());
    ASSERT_TRUE(folder.Install(*staged).has_value());

    auto bad = folder.Stage("greeting_en", Wav({.rate = 44100}));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().field, "body");
    EXPECT_EQ(Slurp(dir_ / "greeting_en.wav"), Wav({}));
    EXPECT_EQ(Strays(), 0) << "the refused upload's temporary file is removed";

    EXPECT_EQ(folder.Stage("../secrets", Wav({})).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(folder.Stage("greeting_xx", Wav({})).error().code, ErrorCode::kNotFound);
    {
        auto abandoned = folder.Stage("greeting_cy", Wav({}));
        ASSERT_TRUE(abandoned.has_value());
    }
    EXPECT_EQ(Strays(), 0) << "a staged recording never installed is removed";
    EXPECT_FALSE(fs::exists(dir_ / "greeting_cy.wav"));
}

}  // namespace
}  // namespace crisisline::media
