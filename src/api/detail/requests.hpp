#pragma once

// Small helpers shared by the route files: reading parameters, building answers.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api.hpp"
#include "core/fields.hpp"
#include "http/message.hpp"

namespace crisisline::api::detail {

inline http::Response Ok(const nlohmann::json& body, unsigned status = 200) { return http::Response::Json(status, body); }

inline http::Response NoContent() {
    http::Response r;
    r.status = 204;
    return r;
}

// The answer to a refused request; a request refused for its rate carries Retry-After (whole seconds).
inline http::Response Refused(const Error& error, TimeMs retry_after) {
    auto refused = http::Response::FromError(error);
    if (retry_after > 0) refused.headers.emplace_back("Retry-After", std::to_string((retry_after + 999) / 1000));
    return refused;
}

inline Result<Fields> BodyOf(const http::Request& req) { return Fields::Parse(req.body); }

inline std::string SessionCookie(const std::string& token, TimeMs max_age) {
    return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
           std::to_string(max_age / 1000);
}

inline std::string ClearedCookie() {
    return std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

inline const std::string& Param(const http::Request& req, const char* name) {
    static const std::string empty;
    auto it = req.params.find(name);
    return it == req.params.end() ? empty : it->second;
}

inline Result<std::optional<std::string>> Query(const http::Request& req, const char* name, size_t max_len) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) return std::optional<std::string>();
    if (it->second.size() > max_len) {
        return Fail(ErrorCode::kTooLarge, name, "is longer than " + std::to_string(max_len) + " bytes");
    }
    return std::optional<std::string>(it->second);
}

inline Result<std::int64_t> QueryInt(const http::Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) {
    auto text = Query(req, name, 20);
    if (!text) return tl::unexpected(text.error());
    if (!*text) return fallback;
    try {
        size_t used = 0;
        std::int64_t v = std::stoll(**text, &used);
        if (used != (*text)->size() || v < min || v > max) throw std::out_of_range("range");
        return v;
    } catch (const std::exception&) {
        return Fail(ErrorCode::kInvalid, name,
                    "must be a whole number between " + std::to_string(min) + " and " + std::to_string(max));
    }
}

inline Result<std::optional<TimeMs>> QueryTime(const http::Request& req, const char* name) {
    auto text = Query(req, name, 40);
    if (!text) return tl::unexpected(text.error());
    if (!*text) return std::optional<TimeMs>();
    auto t = ParseTime(**text);
    if (!t) return Fail(ErrorCode::kInvalid, name, "must be an RFC 3339 timestamp from 1970 on, such as 2026-11-27T19:04:00Z");
    return std::optional<TimeMs>(*t);
}

// Lines a person may see: the ones they serve; an admin sees all.
inline bool SeesLine(const staff::Principal& p, const std::string& id) { return p.Serves(id) || p.Has(staff::Role::kAdmin); }

}  // namespace crisisline::api::detail
