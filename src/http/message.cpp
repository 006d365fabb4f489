#include "http/message.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace crisisline::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view Trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Finds `name` in one Cookie header value ("a=1; b=2").
std::optional<std::string> FindCookie(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto end = header.find(';');
        const std::string_view pair = Trim(header.substr(0, end));
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) {
            continue;
        }
        std::string_view value = Trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        return std::string(value);
    }
    return std::nullopt;
}

}  // namespace

std::string Request::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (EqualsIgnoreCase(key, name)) {
            return value;
        }
    }
    return {};
}

std::string Request::Cookie(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (!EqualsIgnoreCase(key, "cookie")) {
            continue;
        }
        if (auto found = FindCookie(value, name)) {
            return *found;
        }
    }
    return {};
}

Response Response::Json(unsigned status, const nlohmann::json& body) {
    Response response;
    response.status = status;
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response Response::FromError(const Error& e) {
    return ErrorBody(StatusFor(e.code), ErrorCodeName(e.code), e.field, e.message);
}

Response Response::ErrorBody(unsigned status,
                             std::string_view code,
                             std::string_view field,
                             std::string_view message) {
    return Json(status, {{"error", {{"code", code}, {"field", field}, {"message", message}}}});
}

unsigned StatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalid: return 400;
        case ErrorCode::kUnauthenticated: return 401;
        case ErrorCode::kForbidden: return 403;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kConflict: return 409;
        case ErrorCode::kTooLarge: return 413;
        case ErrorCode::kThrottled: return 429;
        case ErrorCode::kInternal: return 500;
        case ErrorCode::kUnavailable: return 503;
    }
    return 500;
}

}  // namespace crisisline::http
