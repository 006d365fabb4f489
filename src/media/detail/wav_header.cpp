#include "media/detail/wav_header.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace crisisline::media::detail {
namespace {

constexpr uint16_t kTagPcm = 0x0001;
constexpr uint16_t kTagFloat = 0x0003;
constexpr uint16_t kTagAlaw = 0x0006;
constexpr uint16_t kTagUlaw = 0x0007;
constexpr uint16_t kTagExtensible = 0xFFFE;
constexpr uint32_t kFmtSize = 16;

uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t U32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
           (static_cast<uint32_t>(p[3]) << 24);
}

tl::unexpected<Error> Malformed(const std::string& path, const std::string& what) {
    return Fail(ErrorCode::kInvalid, path + ": not a WAV file aufile can read (" + what +
                                         "); re-save it with sox: sox in.wav -r 8000 -c 1 -b 16 out.wav");
}

// Reads exactly n bytes at offset, or fails.
bool ReadAt(std::ifstream& in, uint64_t offset, uint8_t* out, size_t n) {
    in.clear();
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
    return in.gcount() == static_cast<std::streamsize>(n);
}

}  // namespace

Result<WavFormat> InspectWav(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Fail(ErrorCode::kNotFound, path + ": no such file");
    const uint64_t file_size = std::filesystem::file_size(path, ec);
    if (ec) return Fail(ErrorCode::kInternal, path + ": " + ec.message());
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(ErrorCode::kInternal, path + ": cannot be opened: " + std::strerror(errno));

    std::array<uint8_t, 12> riff{};
    if (!ReadAt(in, 0, riff.data(), riff.size())) return Malformed(path, "shorter than a RIFF header");
    if (std::memcmp(riff.data(), "RIFF", 4) != 0 || std::memcmp(riff.data() + 8, "WAVE", 4) != 0) {
        return Malformed(path, "no RIFF/WAVE header");
    }
    const uint32_t riff_size = U32(riff.data() + 4);

    // aufile_open requires "fmt " to be the first chunk.
    std::array<uint8_t, 8> chunk{};
    if (!ReadAt(in, 12, chunk.data(), chunk.size()) || std::memcmp(chunk.data(), "fmt ", 4) != 0) {
        return Malformed(path, "the first chunk is not 'fmt '");
    }
    const uint32_t fmt_size = U32(chunk.data() + 4);
    std::array<uint8_t, 40> fmt{};
    if (fmt_size < kFmtSize || !ReadAt(in, 20, fmt.data(), std::min<size_t>(fmt_size, fmt.size()))) {
        return Malformed(path, "short 'fmt ' chunk");
    }
    WavFormat out;
    out.file_bytes = file_size;
    out.format_tag = U16(fmt.data());
    out.channels = U16(fmt.data() + 2);
    out.sample_rate = U32(fmt.data() + 4);
    out.bits_per_sample = U16(fmt.data() + 14);
    if (out.format_tag == kTagExtensible && fmt_size >= 40) out.format_tag = U16(fmt.data() + 24);

    // Where aufile_open goes next: past 16 bytes, or past 18 + cbSize when the chunk has a cbSize.
    uint64_t pos = 20 + kFmtSize;
    if (fmt_size >= kFmtSize + 2) pos += 2 + U16(fmt.data() + 16);
    for (;;) {
        if (!ReadAt(in, pos, chunk.data(), chunk.size())) return Malformed(path, "no 'data' chunk");
        const uint32_t size = U32(chunk.data() + 4);
        if (size > riff_size) return Malformed(path, "a chunk larger than the file");
        pos += chunk.size();
        if (std::memcmp(chunk.data(), "data", 4) == 0) {
            out.data_bytes = size;
            out.data_offset = pos;
            break;
        }
        pos += size;
        if (pos >= file_size) return Malformed(path, "no 'data' chunk");
    }
    return out;
}

std::string DescribeWav(const WavFormat& format) {
    std::string encoding;
    switch (format.format_tag) {
        case kTagPcm:
            encoding = std::to_string(format.bits_per_sample) + "-bit PCM";
            break;
        case kTagFloat:
            encoding = std::to_string(format.bits_per_sample) + "-bit float";
            break;
        case kTagAlaw:
            encoding = "A-law";
            break;
        case kTagUlaw:
            encoding = "u-law";
            break;
        default: {
            std::array<char, 32> tag{};
            std::snprintf(tag.data(), tag.size(), "format 0x%04x", format.format_tag);
            encoding = tag.data();
        }
    }
    return std::to_string(format.sample_rate) + " Hz, " + std::to_string(format.channels) +
           (format.channels == 1 ? " channel, " : " channels, ") + encoding;
}

}  // namespace crisisline::media::detail
