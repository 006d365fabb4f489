#include "http/detail/target.hpp"

#include <cassert>

namespace crisisline::http::detail {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int high = HexValue(text[i + 1]);
            const int low = HexValue(text[i + 2]);
            if (high < 0 || low < 0) {
                return std::nullopt;
            }
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') {
            return std::nullopt;
        }
        out.push_back(c);
    }
    return out;
}

Result<Target> ParseTarget(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return Fail(ErrorCode::kInvalid, "target", "the request target must be a path starting with '/'");
    }
    const auto question = target.find('?');
    Target parsed;
    parsed.raw_path = std::string(target.substr(0, question));
    auto path = PercentDecode(parsed.raw_path, false);
    if (!path) {
        return Fail(ErrorCode::kInvalid, "target", "the request path has a malformed percent escape");
    }
    parsed.path = std::move(*path);
    std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        auto name = PercentDecode(pair.substr(0, eq), true);
        auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
        if (!name || !value) {
            return Fail(ErrorCode::kInvalid, "target", "the query string has a malformed percent escape");
        }
        parsed.query[std::move(*name)] = std::move(*value);
    }
    return parsed;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
    assert(!path.empty() && path.front() == '/');  // guards callers that skipped ParseTarget
    std::vector<std::string_view> segments;
    std::string_view rest = path.substr(1);
    while (true) {
        const auto slash = rest.find('/');
        segments.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) {
            return segments;
        }
        rest = rest.substr(slash + 1);
    }
}

bool IsApiPath(std::string_view path) {
    return path == "/api" || path.starts_with("/api/");
}

}  // namespace crisisline::http::detail
