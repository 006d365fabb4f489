#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace crisisline::http {

// One HTTP request as a handler sees it. Plain data; no I/O behind it.
struct Request {
    std::string method;                         // "GET", "POST", ... as sent
    std::string path;                           // percent-decoded path, without the query
    std::map<std::string, std::string> query;   // decoded query parameters; the last of a repeated name wins
    std::map<std::string, std::string> params;  // decoded {name} segments of the matched route pattern
    std::vector<std::pair<std::string, std::string>> headers;  // in arrival order; names lower-cased
    std::string body;
    // The client's IP address: the peer's, or when the peer is a trusted proxy (ServerOptions::trusted_proxies)
    // the one its X-Forwarded-For names.
    std::string remote_address;

    // The value of the first header called `name` (case-insensitive), or "" when there is none.
    std::string Header(std::string_view name) const;
    // The value of cookie `name` from the Cookie header(s), surrounding quotes removed; "" when absent.
    // When a name repeats, the first wins.
    std::string Cookie(std::string_view name) const;
};

// What a handler answers. The server adds the security headers, Content-Length and Connection.
struct Response {
    unsigned status = 200;  // 200..599; anything else is sent as a 500
    std::string content_type = "application/json";
    std::string body;
    // When set, sent as the body instead of `body`, and never copied: for an answer rendered once and shared by
    // many requests (the directory search's answer cache). REQUIRES: the string is not changed once shared.
    std::shared_ptr<const std::string> shared_body;
    // Extra headers. Set-Cookie may repeat; any other name replaces the server's default for it.
    // Content-Length, Transfer-Encoding and Connection are the server's alone, and a name or value that is
    // not a valid header (CR, LF, NUL) turns the whole response into a 500 rather than being sent.
    std::vector<std::pair<std::string, std::string>> headers;

    // `body` serialised; invalid UTF-8 in strings is replaced rather than thrown on.
    static Response Json(unsigned status, const nlohmann::json& body);
    // {"error": {"code": ErrorCodeName(e.code), "field": e.field, "message": e.message}} with StatusFor(e.code).
    static Response FromError(const Error& e);
    // The same JSON shape for errors that have no ErrorCode, e.g. 405 "method_not_allowed".
    static Response ErrorBody(unsigned status, std::string_view code, std::string_view field, std::string_view message);
};

// kInvalid 400, kUnauthenticated 401, kForbidden 403, kNotFound 404, kConflict 409, kTooLarge 413,
// kThrottled 429, kInternal 500, kUnavailable 503.
unsigned StatusFor(ErrorCode code);

// Sends the response of one request. Call it exactly once, from any thread, at any time; later calls are
// ignored and logged. If every copy is destroyed without a call, the client gets a 500. Calling it after the
// Server has stopped does nothing.
using Respond = std::function<void(Response)>;

// Handles one request. Runs on a server thread, so it must not block: long work goes to a worker pool, which
// then calls `respond`. An exception escaping a handler becomes a 500 with a generic message.
using Handler = std::function<void(Request, Respond)>;

}  // namespace crisisline::http
