#include "media/prompt_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace crisisline::media {
namespace {

namespace fs = std::filesystem;

// A minimal 8 kHz mono 16-bit WAV holding `samples` samples of a constant level.
void WriteGoodWav(const fs::path& path, uint32_t samples, int16_t level = 1000) {
    std::string out;
    auto u16 = [&out](uint16_t v) { out.push_back(char(v & 0xFF)), out.push_back(char(v >> 8)); };
    auto u32 = [&](uint32_t v) { u16(uint16_t(v & 0xFFFF)), u16(uint16_t(v >> 16)); };
    out += "RIFF";
    u32(36 + samples * 2);
    out += "WAVEfmt ";
    u32(16), u16(1), u16(1), u32(8000), u32(16000), u16(2), u16(16);
    out += "data";
    u32(samples * 2);
    for (uint32_t i = 0; i < samples; ++i) u16(uint16_t(level));
    std::ofstream(path, std::ios::binary) << out;
}

class PromptSetTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("media_prompts_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST(PromptNamesTest, NamesEveryPromptOnce) {
    const auto names = PromptNames();
    EXPECT_EQ(names.size(), 34u);
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
    for (const char* name : {"greeting_en", "greeting_cy", "welsh_choice", "reassurance_en", "reassurance_cy",
                             "reconnecting_en", "reconnecting_cy", "number_1_en", "number_9_en", "number_1_cy", "number_9_cy", "hold"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    }
}

TEST_F(PromptSetTest, TheSurveyPlaysItsPromptsInOrderInTheCallersLanguage) {
    auto set = LoadPromptSet(dir_.string());
    ASSERT_TRUE(set) << set.error().message;
    const char* english[] = {"survey_intro_en", "survey_helped_en", "survey_again_en", "survey_thanks_en"};
    const char* welsh[] = {"survey_intro_cy", "survey_helped_cy", "survey_again_cy", "survey_thanks_cy"};
    for (int step = 0; step < 4; ++step) {
        EXPECT_EQ(set->Survey(step, PromptLanguage::kEnglish).name, english[step]);
        EXPECT_EQ(set->Survey(step, PromptLanguage::kWelsh).name, welsh[step]);
    }
    EXPECT_NE(PromptText("survey_helped_en").find("1, not at all, to 5"), std::string::npos);
}

TEST(PromptTextTest, EveryPromptSaysSomethingAndOthersNothing) {
    for (const auto& name : PromptNames()) EXPECT_FALSE(PromptText(name).empty()) << name;
    EXPECT_EQ(PromptText("number_3_cy"), "tri");
    EXPECT_EQ(PromptText("number_9_en"), "nine");
    EXPECT_EQ(PromptText("hold"), "hold audio (no words)");
    EXPECT_EQ(PromptText("greeting_xx"), "");
}

TEST_F(PromptSetTest, LoadsEveryFileWithoutWarnings) {
    uint32_t samples = 800;
    for (const auto& name : PromptNames()) WriteGoodWav(dir_ / (name + ".wav"), samples += 160);
    auto set = LoadPromptSet(dir_.string());
    ASSERT_TRUE(set.has_value()) << set.error().message;
    EXPECT_TRUE(set->warnings.empty());
    // Each slot holds its own file: names match, and lengths follow the order written.
    EXPECT_EQ(set->greeting_en.name, "greeting_en");
    EXPECT_EQ(set->greeting_en.pcmu.size(), 6u);
    EXPECT_EQ(set->welsh_choice.pcmu.size(), 8u);
    EXPECT_EQ(set->Number(1, PromptLanguage::kEnglish).name, "number_1_en");
    EXPECT_EQ(set->Number(9, PromptLanguage::kWelsh).name, "number_9_cy");
    EXPECT_EQ(set->Number(12, PromptLanguage::kWelsh).name, "number_9_cy");
    EXPECT_EQ(set->Greeting(PromptLanguage::kWelsh).name, "greeting_cy");
    EXPECT_EQ(set->Reassurance(PromptLanguage::kEnglish).name, "reassurance_en");
    EXPECT_EQ(set->Reconnecting(PromptLanguage::kWelsh).name, "reconnecting_cy");
    EXPECT_EQ(set->Reconnecting(PromptLanguage::kEnglish).pcmu.size(), 11u);
    EXPECT_EQ(set->hold.name, "hold");
    EXPECT_EQ(set->hold.pcmu.size(), 39u);
}

TEST_F(PromptSetTest, MissingFilesFallBackWithOneWarningEach) {
    WriteGoodWav(dir_ / "greeting_en.wav", 1600);
    auto set = LoadPromptSet(dir_.string());
    ASSERT_TRUE(set.has_value()) << set.error().message;
    EXPECT_EQ(set->warnings.size(), 33u);
    EXPECT_EQ(set->fell_back.size(), 33u);
    EXPECT_EQ(std::count(set->fell_back.begin(), set->fell_back.end(), "greeting_en"), 0);
    EXPECT_EQ(std::count(set->fell_back.begin(), set->fell_back.end(), "hold"), 1);
    EXPECT_EQ(set->greeting_en.pcmu.size(), 10u);
    for (const auto& w : set->warnings) EXPECT_EQ(w.find("greeting_en"), std::string::npos) << w;
    const std::string& first = set->warnings.front();
    EXPECT_NE(first.find("greeting_cy"), std::string::npos) << first;
    EXPECT_NE(first.find("missing"), std::string::npos) << first;
    EXPECT_NE(first.find("scripts/render-prompts"), std::string::npos) << first;
    // Spoken prompts become a second of silence; numbers count in pips; hold is ~20 s of generated chords.
    EXPECT_EQ(set->greeting_cy.duration_ms(), 1000u);
    EXPECT_EQ(set->greeting_cy.name, "greeting_cy");
    EXPECT_GT(set->Number(3, PromptLanguage::kEnglish).duration_ms(),
              set->Number(2, PromptLanguage::kEnglish).duration_ms());
    EXPECT_EQ(set->hold.duration_ms(), 20000u);
    EXPECT_EQ(set->hold.pcma.size(), set->hold.pcmu.size());
}

TEST_F(PromptSetTest, AnEmptyDirectoryStillGivesAPlayableSet) {
    auto set = LoadPromptSet((dir_ / "does-not-exist").string());
    ASSERT_TRUE(set.has_value());
    EXPECT_EQ(set->warnings.size(), 34u);
    for (int n = 1; n <= 9; ++n) EXPECT_FALSE(set->Number(n, PromptLanguage::kWelsh).pcmu.empty()) << n;
}

TEST_F(PromptSetTest, AMalformedFileFailsNamingIt) {
    for (const auto& name : PromptNames()) WriteGoodWav(dir_ / (name + ".wav"), 320);
    std::ofstream(dir_ / "reassurance_cy.wav", std::ios::binary | std::ios::trunc) << "not a wav";
    auto set = LoadPromptSet(dir_.string());
    ASSERT_FALSE(set.has_value());
    EXPECT_EQ(set.error().code, ErrorCode::kInvalid);
    EXPECT_NE(set.error().message.find("reassurance_cy.wav"), std::string::npos) << set.error().message;
}

TEST(GeneratedHoldTest, IsQuietAndNeverSilentInTheMiddleOfAChord) {
    const Prompt hold = GeneratedHold("hold");
    ASSERT_EQ(hold.duration_ms(), 20000u);
    int peak = 0;
    for (const auto& frame : hold.pcmu) {
        for (uint8_t b : frame) peak = std::max(peak, std::abs(int(DecodeSample(Codec::kPcmu, b))));
    }
    EXPECT_GT(peak, 1000);
    EXPECT_LT(peak, 6000);  // low volume: well under -14 dBFS
}

}  // namespace
}  // namespace crisisline::media
