#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace crisisline::http::detail {

// A request target in origin form ("/path?query"), split and decoded.
struct Target {
    std::string raw_path;  // as sent, still percent-encoded; the router splits it before decoding
    std::string path;      // percent-decoded
    std::map<std::string, std::string> query;  // decoded, '+' as space; the last of a repeated name wins
};

// On success the parsed target. Fails with kInvalid, field "target", when the target does not start with '/',
// holds a malformed percent escape, or decodes to a NUL byte.
Result<Target> ParseTarget(std::string_view target);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). nullopt for a malformed escape or a NUL.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// "/a/b" -> {"a", "b"}; "/" -> {""}. REQUIRES: path starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path);

// True for "/api" and everything under "/api/".
bool IsApiPath(std::string_view path);

}  // namespace crisisline::http::detail
