#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace crisisline::http::detail {

// Maps a decoded request path to a file under `root`, for the console's single-page app:
//   "/" and paths ending in '/' -> that folder's index.html, else the root's;
//   an existing regular file    -> that file;
//   a missing path whose last segment has no '.' (an app route such as "/lines/42") -> the root's index.html.
// On success the file's path. Fails with kInvalid (field "path") for a "." or ".." segment, and with kNotFound
// for missing files, hidden (dot) segments, and anything whose real path (after symlinks) leaves `root`.
Result<std::filesystem::path> ResolveStaticFile(const std::filesystem::path& root, std::string_view decoded_path);

// The Content-Type for a file name's extension; "application/octet-stream" when unknown.
std::string_view MimeTypeFor(const std::filesystem::path& file);

// Reads a whole file. Fails with kNotFound when it cannot be opened, kTooLarge over `max_bytes`.
Result<std::string> ReadWholeFile(const std::filesystem::path& file, std::size_t max_bytes);

}  // namespace crisisline::http::detail
