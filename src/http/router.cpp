#include "http/router.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "http/detail/target.hpp"

namespace crisisline::http {
namespace {

bool IsUpperToken(std::string_view method) {
    return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool IsParamName(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace

std::string RouteMatch::AllowHeader() const {
    std::string header;
    for (const auto& method : allowed) {
        if (!header.empty()) {
            header += ", ";
        }
        header += method;
    }
    return header;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
    AddRoute(Route{std::move(method), std::move(pattern), {}, std::move(handler), {}});
}

void Router::AddWebSocket(std::string pattern, WebSocketHandler handler) {
    AddRoute(Route{"GET", std::move(pattern), {}, {}, std::move(handler)});
}

void Router::AddRoute(Route route) {
    if (!IsUpperToken(route.method)) {
        throw std::invalid_argument("route method '" + route.method + "' must be an upper-case token such as GET");
    }
    if (route.pattern.empty() || route.pattern.front() != '/') {
        throw std::invalid_argument("route pattern '" + route.pattern + "' must start with '/'");
    }
    std::set<std::string, std::less<>> names;
    for (const std::string_view segment : detail::SplitPath(route.pattern)) {
        const bool braced = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
        if (!braced && segment.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("route pattern '" + route.pattern + "' has a segment mixing braces and text");
        }
        if (!braced) {
            route.segments.push_back({false, std::string(segment)});
            continue;
        }
        const std::string_view name = segment.substr(1, segment.size() - 2);
        if (!IsParamName(name) || !names.emplace(name).second) {
            throw std::invalid_argument("route pattern '" + route.pattern + "' has an empty, invalid or repeated {" +
                                        std::string(name) + "}");
        }
        route.segments.push_back({true, std::string(name)});
    }
    for (const auto& existing : routes_) {
        if (existing.method == route.method && SameShape(existing, route)) {
            throw std::invalid_argument("route " + route.method + " " + route.pattern + " duplicates " +
                                        existing.method + " " + existing.pattern);
        }
    }
    routes_.push_back(std::move(route));
}

RouteMatch Router::Match(std::string_view method, std::string_view raw_path) const {
    RouteMatch match;
    if (raw_path.empty() || raw_path.front() != '/') {
        return match;
    }
    std::vector<std::string> segments;
    for (const std::string_view raw : detail::SplitPath(raw_path)) {
        auto decoded = detail::PercentDecode(raw, false);
        if (!decoded) {
            return match;
        }
        segments.push_back(std::move(*decoded));
    }
    const Route* best = nullptr;
    std::set<std::string> allowed;
    for (const auto& route : routes_) {
        std::map<std::string, std::string> params;
        if (!Matches(route, segments, &params)) {
            continue;
        }
        allowed.insert(route.method);
        if (route.method == method && (best == nullptr || MoreSpecific(route, *best))) {
            best = &route;
            match.params = std::move(params);
        }
    }
    if (best != nullptr) {
        match.outcome = RouteMatch::Outcome::kFound;
        if (best->websocket) {
            match.websocket = &best->websocket;
        } else {
            match.handler = &best->handler;
        }
        match.pattern = best->pattern;
    } else if (!allowed.empty()) {
        match.outcome = RouteMatch::Outcome::kMethodNotAllowed;
        match.allowed.assign(allowed.begin(), allowed.end());
    }
    return match;
}

bool Router::Matches(const Route& route,
                     const std::vector<std::string>& segments,
                     std::map<std::string, std::string>* params) {
    if (route.segments.size() != segments.size()) {
        return false;
    }
    // Checked in full before any param is copied: most routes fail on a literal, and cost no allocation.
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment& segment = route.segments[i];
        if (segment.is_param ? segments[i].empty() : segment.text != segments[i]) {
            return false;
        }
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (route.segments[i].is_param) {
            (*params)[route.segments[i].text] = segments[i];
        }
    }
    return true;
}

bool Router::SameShape(const Route& a, const Route& b) {
    return std::equal(a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
                      [](const Segment& x, const Segment& y) {
                          return x.is_param == y.is_param && (x.is_param || x.text == y.text);
                      });
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
    const std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a.segments[i].is_param != b.segments[i].is_param) {
            return !a.segments[i].is_param;
        }
    }
    return false;
}

}  // namespace crisisline::http
