#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

// The prompts folder as an administrator changes it from the console: one
// recording replaced at a time, the file it replaced kept beside it.
//
// Files: <dir>/<name>.wav is the prompt (see prompt_set.hpp for the names and
// the format); <dir>/<name>.wav.previous is the file the last replacement
// replaced. Every change is a rename inside <dir>, so a reader (the telephony
// at start-up) sees the old file or the new one, never half of one.
//
// Thread safety: none. Two changes to the same folder at once must be
// serialised by the caller (REQUIRES: External synchronization).
namespace crisisline::media {

constexpr uint32_t kMinRecordingMs = 200;    // shorter uploads are refused (a slip of the mouse)
constexpr uint32_t kMaxRecordingMs = 65000;  // about what fits in the HTTP server's 1 MiB body limit

// Checks that the file at `path` is fit to be played as a prompt: a RIFF/WAVE
// file aufile can read, 8 kHz mono 16-bit PCM, with a complete data chunk of
// kMinRecordingMs..kMaxRecordingMs. On success its duration in seconds.
// On failure kInvalid whose message says what is wrong without naming `path`,
// e.g. "must be 8 kHz mono 16-bit PCM WAV; this file is 44100 Hz, 2 channels,
// 16-bit PCM"; kNotFound when there is no file; kInternal when it cannot be read.
[[nodiscard]] Result<double> CheckRecording(const std::string& path);

// An uploaded recording written beside the prompts, checked, not yet in place.
// Its destructor removes the file unless Install moved it.
class StagedRecording {
public:
    StagedRecording(std::string name, std::string path, double seconds)
        : name_(std::move(name)), path_(std::move(path)), seconds_(seconds) {}
    StagedRecording(StagedRecording&& other) noexcept;
    StagedRecording& operator=(StagedRecording&&) = delete;
    StagedRecording(const StagedRecording&) = delete;
    StagedRecording& operator=(const StagedRecording&) = delete;
    ~StagedRecording();

    const std::string& name() const { return name_; }
    double seconds() const { return seconds_; }

private:
    friend class PromptFolder;
    std::string name_;
    std::string path_;  // empty once installed or moved from
    double seconds_;
};

class PromptFolder {
public:
    struct Entry {
        std::string name;
        bool present = false;           // <name>.wav exists
        std::optional<double> seconds;  // its duration, when it is a readable prompt
        bool has_previous = false;      // <name>.wav.previous exists
    };

    // `dir` need not exist until the first Stage, which creates it.
    explicit PromptFolder(std::string dir) : dir_(std::move(dir)) {}

    const std::string& dir() const { return dir_; }

    // Every prompt of PromptNames(), in that order.
    std::vector<Entry> List() const;

    // The bytes of <name>.wav. kNotFound when `name` is not a prompt or has no file.
    [[nodiscard]] Result<std::string> Read(const std::string& name) const;

    // Writes `wav` to a new temporary file in the folder and checks it (CheckRecording).
    // kNotFound when `name` is not a prompt; kInvalid (field "body") when the audio is refused;
    // kInternal when the folder cannot be written.
    [[nodiscard]] Result<StagedRecording> Stage(const std::string& name, std::string_view wav) const;

    // Puts a staged recording in place: the current <name>.wav (if any) becomes <name>.wav.previous,
    // then the recording becomes <name>.wav. On failure (kInternal) the current file is unchanged.
    [[nodiscard]] Result<void> Install(StagedRecording& staged) const;

    // Swaps <name>.wav.previous and <name>.wav, so restoring twice returns to where it started.
    // kNotFound when `name` is not a prompt or has no previous file; kConflict when the previous
    // file is not a usable prompt (it is then left alone); kInternal when the renames fail.
    [[nodiscard]] Result<void> RestorePrevious(const std::string& name) const;

    // True when `name` is one of PromptNames().
    static bool IsPrompt(const std::string& name);

private:
    std::string PathOf(const std::string& name) const { return dir_ + "/" + name + ".wav"; }

    std::string dir_;
};

}  // namespace crisisline::media
