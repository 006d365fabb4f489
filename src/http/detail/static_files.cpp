#include "http/detail/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <utility>
#include <vector>

#include "http/detail/target.hpp"

namespace crisisline::http::detail {
namespace fs = std::filesystem;
namespace {

// True when `inner` is `outer` or below it. Both must be canonical.
bool IsWithin(const fs::path& inner, const fs::path& outer) {
    auto mismatch = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return mismatch.first == outer.end();
}

bool IsRegularFile(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

}  // namespace

Result<fs::path> ResolveStaticFile(const fs::path& root, std::string_view decoded_path) {
    if (decoded_path.empty() || decoded_path.front() != '/') {
        return Fail(ErrorCode::kInvalid, "path", "the path must start with '/'");
    }
    const std::vector<std::string_view> segments = SplitPath(decoded_path);
    fs::path relative;
    for (const std::string_view segment : segments) {
        if (segment == "." || segment == "..") {
            return Fail(ErrorCode::kInvalid, "path", "the path may not contain '.' or '..' segments");
        }
        if (segment.starts_with('.')) {
            return Fail(ErrorCode::kNotFound, "path", "no such file");
        }
        if (!segment.empty()) {
            relative /= fs::path(std::string(segment));
        }
    }
    std::error_code ec;
    const fs::path real_root = fs::canonical(root, ec);
    if (ec) {
        return Fail(ErrorCode::kNotFound, "path", "no such file");
    }
    fs::path candidate = real_root / relative;
    const bool names_folder = segments.back().empty();
    if (names_folder || fs::is_directory(candidate, ec)) {
        candidate /= "index.html";
    }
    if (!IsRegularFile(candidate)) {
        const bool looks_like_file = segments.back().find('.') != std::string_view::npos;
        if (looks_like_file) {
            return Fail(ErrorCode::kNotFound, "path", "no such file");
        }
        candidate = real_root / "index.html";
        if (!IsRegularFile(candidate)) {
            return Fail(ErrorCode::kNotFound, "path", "no such file");
        }
    }
    const fs::path real = fs::canonical(candidate, ec);
    if (ec || !IsWithin(real, real_root)) {
        return Fail(ErrorCode::kNotFound, "path", "no such file");
    }
    return real;
}

std::string_view MimeTypeFor(const fs::path& file) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".htm", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff", "font/woff"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".wasm", "application/wasm"},
    }};
    const std::string extension = file.extension().string();
    for (const auto& [known, type] : kTypes) {
        if (extension.size() == known.size() &&
            std::equal(extension.begin(), extension.end(), known.begin(),
                       [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
            return type;
        }
    }
    return "application/octet-stream";
}

Result<std::string> ReadWholeFile(const fs::path& file, std::size_t max_bytes) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return Fail(ErrorCode::kNotFound, "path", "no such file");
    }
    std::string content;
    std::array<char, 16384> chunk{};
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
        content.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
        if (content.size() > max_bytes) {
            return Fail(ErrorCode::kTooLarge, "path", "the file is over the static file limit");
        }
    }
    return content;
}

}  // namespace crisisline::http::detail
