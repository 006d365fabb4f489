#include "media/prompt_folder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "media/detail/wav_header.hpp"
#include "media/frames.hpp"
#include "media/prompt_set.hpp"

namespace crisisline::media {
namespace {

namespace fs = std::filesystem;

constexpr uint16_t kPcmTag = 1;
constexpr uint32_t kBytesPerMs = kSampleRate / 1000 * 2;
constexpr char kWanted[] = "must be 8 kHz mono 16-bit PCM WAV";

// The loaders' messages start with the file's path; an upload's path is a temporary name the
// administrator never chose, so it is left out of what they are told.
std::string WithoutPath(const std::string& message, const std::string& path) {
    for (const std::string& prefix : {path + ": ", path + " "}) {
        if (message.rfind(prefix, 0) == 0) return message.substr(prefix.size());
    }
    const auto at = message.find(path);
    if (at == std::string::npos) return message;
    return message.substr(0, at) + "the file" + message.substr(at + path.size());
}

tl::unexpected<Error> Refused(const std::string& message) { return Fail(ErrorCode::kInvalid, "body", message); }

std::string Seconds(uint64_t ms) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f s", static_cast<double>(ms) / 1000.0);
    return text.data();
}

Result<void> Renamed(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) {
        return Fail(ErrorCode::kInternal, "cannot rename " + from + " to " + to + ": " + std::strerror(errno));
    }
    return {};
}

// A second name for `path` (a hard link, or a copy where links are refused), for keeping it as the previous file
// while the prompt's own name stays in place.
Result<void> Duplicate(const std::string& path, const std::string& copy) {
    std::error_code ec;
    fs::remove(copy, ec);
    if (::link(path.c_str(), copy.c_str()) == 0) return {};
    if (fs::copy_file(path, copy, fs::copy_options::overwrite_existing, ec)) return {};
    return Fail(ErrorCode::kInternal, "cannot keep " + path + " as " + copy + ": " + ec.message());
}

}  // namespace

Result<double> CheckRecording(const std::string& path) {
    auto format = detail::InspectWav(path);
    if (!format) {
        if (format.error().code != ErrorCode::kInvalid) return tl::unexpected(format.error());
        return Refused(std::string(kWanted) + "; this file is " + WithoutPath(format.error().message, path));
    }
    if (format->format_tag != kPcmTag || format->sample_rate != kSampleRate || format->channels != 1 ||
        format->bits_per_sample != 16) {
        return Refused(std::string(kWanted) + "; this file is " + detail::DescribeWav(*format));
    }
    if (format->data_offset + format->data_bytes > format->file_bytes) {
        return Refused("the file is cut short: its data chunk declares " + std::to_string(format->data_bytes) +
                       " bytes of audio but holds " + std::to_string(format->file_bytes - format->data_offset));
    }
    const uint64_t ms = format->data_bytes / kBytesPerMs;
    if (ms < kMinRecordingMs || ms > kMaxRecordingMs) {
        return Refused("must last from " + Seconds(kMinRecordingMs) + " to " + Seconds(kMaxRecordingMs) +
                       "; this recording lasts " + Seconds(ms));
    }
    // The header walk above guarantees aufile_open ends; reading the samples through it proves the
    // telephony's loader will take the file at the next start.
    auto loaded = LoadPrompt("upload", path);
    if (!loaded) {
        if (loaded.error().code != ErrorCode::kInvalid) return tl::unexpected(loaded.error());
        return Refused(WithoutPath(loaded.error().message, path));
    }
    return static_cast<double>(format->data_bytes) / kBytesPerMs / 1000.0;
}

StagedRecording::StagedRecording(StagedRecording&& other) noexcept
    : name_(std::move(other.name_)), path_(std::exchange(other.path_, std::string())), seconds_(other.seconds_) {}

StagedRecording::~StagedRecording() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove(path_, ec);  // nothing more to do when it fails: a stray temporary file harms nothing
}

bool PromptFolder::IsPrompt(const std::string& name) {
    const auto names = PromptNames();
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<PromptFolder::Entry> PromptFolder::List() const {
    std::vector<Entry> out;
    for (auto& name : PromptNames()) {
        Entry entry;
        std::error_code ec;
        entry.present = fs::is_regular_file(PathOf(name), ec);
        entry.has_previous = fs::is_regular_file(PathOf(name) + ".previous", ec);
        if (entry.present) {
            if (auto format = detail::InspectWav(PathOf(name)); format && format->sample_rate == kSampleRate &&
                                                                format->channels == 1 &&
                                                                format->bits_per_sample == 16) {
                entry.seconds = static_cast<double>(format->data_bytes) / kBytesPerMs / 1000.0;
            }
        }
        entry.name = std::move(name);
        out.push_back(std::move(entry));
    }
    return out;
}

Result<std::string> PromptFolder::Read(const std::string& name) const {
    if (!IsPrompt(name)) return Fail(ErrorCode::kNotFound, "name", "there is no prompt called '" + name + "'");
    std::ifstream in(PathOf(name), std::ios::binary);
    if (!in)
        return Fail(ErrorCode::kNotFound, "name", "prompt '" + name + "' has no recording; it plays generated audio");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Fail(ErrorCode::kInternal, "prompt '" + name + "' could not be read");
    return bytes;
}

Result<StagedRecording> PromptFolder::Stage(const std::string& name, std::string_view wav) const {
    if (!IsPrompt(name)) return Fail(ErrorCode::kNotFound, "name", "there is no prompt called '" + name + "'");
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return Fail(ErrorCode::kInternal, "cannot create " + dir_ + ": " + ec.message());
    std::string path = dir_ + "/." + name + ".wav.XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) return Fail(ErrorCode::kInternal, "cannot write in " + dir_ + ": " + std::strerror(errno));
    StagedRecording staged(name, path, 0);  // removes the file on every way out below
    size_t written = 0;
    while (written < wav.size()) {
        const ssize_t n = ::write(fd, wav.data() + written, wav.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        written += static_cast<size_t>(n);
    }
    // fsync before the rename, so a crash never leaves a prompt named but empty.
    const bool durable = written == wav.size() && ::fsync(fd) == 0;
    ::close(fd);
    if (!durable) return Fail(ErrorCode::kInternal, "cannot write in " + dir_ + ": " + std::strerror(errno));
    auto seconds = CheckRecording(path);
    if (!seconds) return tl::unexpected(seconds.error());
    staged.seconds_ = *seconds;
    return staged;
}

Result<void> PromptFolder::Install(StagedRecording& staged) const {
    assert(!staged.path_.empty());  // a recording is installed once
    const std::string current = PathOf(staged.name_);
    std::error_code ec;
    if (fs::exists(current, ec)) {
        // The previous file gets its second name first, so <name>.wav never goes missing.
        const std::string keeping = staged.path_ + ".previous";
        if (auto kept = Duplicate(current, keeping); !kept) return kept;
        if (auto moved = Renamed(keeping, current + ".previous"); !moved) {
            fs::remove(keeping, ec);
            return moved;
        }
    }
    if (auto moved = Renamed(staged.path_, current); !moved) return moved;
    staged.path_.clear();
    return {};
}

Result<void> PromptFolder::RestorePrevious(const std::string& name) const {
    if (!IsPrompt(name)) return Fail(ErrorCode::kNotFound, "name", "there is no prompt called '" + name + "'");
    const std::string current = PathOf(name);
    const std::string previous = current + ".previous";
    std::error_code ec;
    if (!fs::is_regular_file(previous, ec)) {
        return Fail(ErrorCode::kNotFound, "name", "prompt '" + name + "' has no previous recording to restore");
    }
    if (auto usable = CheckRecording(previous); !usable) {
        return Fail(
            ErrorCode::kConflict, "name",
            "the previous recording of '" + name + "' is not usable: " + WithoutPath(usable.error().message, previous));
    }
    if (!fs::exists(current, ec)) return Renamed(previous, current);
    const std::string swapping = dir_ + "/." + name + ".wav.swap";
    if (auto kept = Duplicate(current, swapping); !kept) return kept;
    if (auto moved = Renamed(previous, current); !moved) {
        fs::remove(swapping, ec);
        return moved;
    }
    return Renamed(swapping, previous);
}

}  // namespace crisisline::media
