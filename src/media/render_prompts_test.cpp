// Runs scripts/render-prompts for real (espeak-ng and sox), then loads what it wrote.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "media/prompt_set.hpp"

namespace crisisline::media {
namespace {

namespace fs = std::filesystem;

const std::string kScript = std::string(CRISISLINE_SOURCE_DIR) + "/scripts/render-prompts";

struct ShellRun {
    int status = -1;
    std::string output;
};

// Runs a shell command, capturing stdout and stderr together.
ShellRun Shell(const std::string& command) {
    ShellRun run;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 512> buffer{};
    while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) run.output += buffer.data();
    const int raw = ::pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

bool ToolsInstalled() { return Shell("command -v espeak-ng && command -v sox").status == 0; }

class RenderPromptsTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("media_render_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(RenderPromptsTest, RendersEveryPromptAndTheSetLoadsWithoutWarnings) {
    if (!ToolsInstalled()) GTEST_SKIP() << "espeak-ng or sox is not installed";
    const ShellRun run = Shell("'" + kScript + "' '" + dir_.string() + "'");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("34 rendered"), std::string::npos) << run.output;

    auto set = LoadPromptSet(dir_.string());
    ASSERT_TRUE(set.has_value()) << set.error().message;
    EXPECT_TRUE(set->warnings.empty()) << set->warnings.front();
    // Spoken, not a fallback: the greetings are long sentences, the numbers short words.
    EXPECT_GT(set->greeting_en.duration_ms(), 8000u);
    EXPECT_GT(set->greeting_cy.duration_ms(), 8000u);
    for (int n = 1; n <= 9; ++n) {
        EXPECT_GT(set->Number(n, PromptLanguage::kWelsh).duration_ms(), 300u) << n;
        EXPECT_LT(set->Number(n, PromptLanguage::kEnglish).duration_ms(), 2000u) << n;
    }
    EXPECT_NEAR(set->hold.duration_ms(), 20000u, 100u);
    std::printf("greeting_en %.2f s, greeting_cy %.2f s, welsh_choice %.2f s, hold %.2f s\n",
                set->greeting_en.duration_ms() / 1000.0, set->greeting_cy.duration_ms() / 1000.0,
                set->welsh_choice.duration_ms() / 1000.0, set->hold.duration_ms() / 1000.0);
}

TEST_F(RenderPromptsTest, KeepsAnOperatorsRecordingUnlessForced) {
    if (!ToolsInstalled()) GTEST_SKIP() << "espeak-ng or sox is not installed";
    fs::create_directories(dir_);
    // "A recording": one second of a tone, made the way operations.md says to convert one.
    const std::string recording = (dir_ / "greeting_en.wav").string();
    ASSERT_EQ(Shell("sox -n -r 8000 -c 1 -b 16 '" + recording + "' synth 1 sine 300").status, 0);
    const auto before = fs::file_size(recording);

    ShellRun run = Shell("'" + kScript + "' '" + dir_.string() + "' --line-name 'Fire Service Crisis Line'");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("33 rendered, 1 kept"), std::string::npos) << run.output;
    EXPECT_EQ(fs::file_size(recording), before);

    run = Shell("'" + kScript + "' '" + dir_.string() + "' --force");
    ASSERT_EQ(run.status, 0) << run.output;
    EXPECT_NE(run.output.find("34 rendered, 0 kept"), std::string::npos) << run.output;
    EXPECT_NE(fs::file_size(recording), before);
}

TEST_F(RenderPromptsTest, FailsWithOneClearLineWhenAToolIsMissing) {
    const fs::path empty = dir_ / "empty-path";
    fs::create_directories(empty);
    const ShellRun run =
        Shell("PATH='" + empty.string() + "' /bin/bash '" + kScript + "' '" + (dir_ / "out").string() + "'");
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.output,
              "render-prompts: espeak-ng is not installed; run 'sudo scripts/bootstrap' (Debian package "
              "espeak-ng)\n");
    EXPECT_FALSE(fs::exists(dir_ / "out"));
}

}  // namespace
}  // namespace crisisline::media
