#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/websocket.hpp"

namespace crisisline::http {

// What the router found for one method and path.
struct RouteMatch {
    enum class Outcome {
        kFound,             // a route has this path and method
        kNoRoute,           // no route has this path: 404
        kMethodNotAllowed,  // routes have this path, none this method: 405 with `allowed`
    };
    Outcome outcome = Outcome::kNoRoute;
    const Handler* handler = nullptr;           // kFound: the route's handler; valid while the Router lives
    const WebSocketHandler* websocket = nullptr;  // kFound on a WebSocket route (handler is then null)
    std::string pattern;                        // kFound: the route's pattern, safe to log (no ids)
    std::map<std::string, std::string> params;  // kFound: the decoded {name} segments
    std::vector<std::string> allowed;           // kMethodNotAllowed: the path's methods, sorted, unique

    // "GET, PUT" from `allowed`, for the Allow header.
    std::string AllowHeader() const;
};

// Maps method and path to a handler. Pattern segments are literals or "{name}"; a {name} matches exactly one
// non-empty segment, and where several patterns match, the one with a literal at the first differing segment
// wins ("/lines/mine" before "/lines/{id}").
// REQUIRES: External synchronization for Add; Match is thread-safe once no Add runs, which is how the Server
// uses it (it takes a shared_ptr<const Router>).
class Router {
public:
    // Adds a route. Throws std::invalid_argument (a start-up error) when the method is not an upper-case token,
    // the pattern does not start with '/', a segment mixes braces with text, a {name} repeats, or the same
    // method already has a pattern of the same shape.
    void Add(std::string method, std::string pattern, Handler handler);

    // Adds a WebSocket endpoint: a GET route whose upgrade requests go to `handler`. A GET to it without
    // "Upgrade: websocket" is answered 426 by the server. Throws as Add does (it is a GET route of that shape).
    void AddWebSocket(std::string pattern, WebSocketHandler handler);

    // `raw_path` is the path as sent, still percent-encoded, without the query: segments are split on '/'
    // before being decoded, so "%2F" inside an {id} stays part of that id.
    RouteMatch Match(std::string_view method, std::string_view raw_path) const;

private:
    struct Segment {
        bool is_param = false;
        std::string text;  // the literal, or the param's name
    };
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<Segment> segments;
        Handler handler;
        WebSocketHandler websocket;  // set on a WebSocket route, whose `handler` is empty
    };

    void AddRoute(Route route);

    static bool Matches(const Route& route,
                        const std::vector<std::string>& segments,
                        std::map<std::string, std::string>* params);
    // True when both have literals and {params} at the same places, with the same literals.
    static bool SameShape(const Route& a, const Route& b);
    // True when `a` is more specific than `b` (a literal at the first segment where they differ).
    static bool MoreSpecific(const Route& a, const Route& b);

    std::vector<Route> routes_;
};

}  // namespace crisisline::http
