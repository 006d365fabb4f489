#pragma once

#include <cstdint>
#include <string>

#include "core/error.hpp"

// A read-only look at a WAV file's header, for two reasons:
//  - librem 0.6.0's aufile_open walks the chunks until it finds "data" and does
//    not notice the end of the file: a WAV whose chunks do not lead to a data
//    chunk (truncated, or a trailing LIST chunk) makes it loop forever. This
//    walk follows the same rules as aufile_open (fmt first, its cbSize rule, no
//    pad bytes) but stops at the end of the file, so a file that passes here
//    cannot hang aufile_open.
//  - aufile_open answers only ENOSYS for a format it does not read; this says
//    what the file holds, so the error can tell an operator what they have.
// Thread safety: none needed (no shared state).
namespace crisisline::media::detail {

struct WavFormat {
    uint16_t format_tag = 0;  // 1 PCM, 3 float, 6 A-law, 7 u-law; 0xFFFE resolved to its sub-format
    uint16_t channels = 0;
    uint32_t sample_rate = 0;
    uint16_t bits_per_sample = 0;
    uint64_t data_bytes = 0;   // as declared by the data chunk
    uint64_t data_offset = 0;  // where the data chunk's samples start in the file
    uint64_t file_bytes = 0;   // the size of the whole file
};

// On success the file's format. On failure kNotFound (no such file), kInternal
// (cannot be read) or kInvalid (not a WAV file, or a header aufile cannot walk),
// with a message naming `path`.
[[nodiscard]] Result<WavFormat> InspectWav(const std::string& path);

// "22050 Hz, 2 channels, 16-bit PCM" and the like.
std::string DescribeWav(const WavFormat& format);

}  // namespace crisisline::media::detail
