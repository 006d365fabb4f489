#include "http/detail/http_session.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>
#include <optional>
#include <typeinfo>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "http/detail/static_files.hpp"
#include "http/detail/target.hpp"
#include "http/detail/websocket_session.hpp"

namespace crisisline::http::detail {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
// A refused request's unread body is drained before closing, within these bounds (as nginx's lingering close):
// a client still sending reads the refusal instead of a reset, and a client that never stops costs at most this.
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;
constexpr std::chrono::seconds kLingerTotal{5};
constexpr std::chrono::seconds kLingerIdle{2};
constexpr std::size_t kLingerChunk = 64 * 1024;
constexpr std::size_t kMaxStaticFileBytes = 32 * 1024 * 1024;

Response InternalError() {
    return Response::FromError(Error{ErrorCode::kInternal, "", "internal error"});
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

bool IsToken(std::string_view name) {
    static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || kExtra.find(c) != std::string_view::npos;
    });
}

// A response the server may send as it is: a final status and headers that cannot split the response or
// contradict the framing the server owns.
bool IsSendable(const Response& response) {
    if (response.status < 200 || response.status > 599 ||
        response.content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return false;
    }
    return std::all_of(response.headers.begin(), response.headers.end(), [](const auto& header) {
        const auto& [name, value] = header;
        return IsToken(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos &&
               !EqualsIgnoreCase(name, "content-length") && !EqualsIgnoreCase(name, "transfer-encoding") &&
               !EqualsIgnoreCase(name, "connection");
    });
}

// The one Respond (or UpgradeRespond) of one request. Sends at most once; if no copy ever calls, its
// destruction sends a 500 so that the client is not left waiting. While the handler call is on the session's
// stack (between Hold and TakeHeld), an answer is held for the session to send when the handler returns, rather
// than posted to it: an answer given on the I/O thread then costs no trip through the event loop.
template <class Answer>
class Reply {
public:
    Reply(std::weak_ptr<HttpSession> session, std::shared_ptr<Connections> connections)
        : session_(std::move(session)), connections_(std::move(connections)) {}
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;

    ~Reply() {
        if (sent_.load()) {
            return;
        }
        try {
            spdlog::error("http handler dropped its Respond without calling it; answered 500");
            Send(InternalError());
        } catch (...) {
            // A destructor must not throw; the connection then closes on its read timeout or at Stop.
        }
    }

    // False when an answer was already sent.
    bool Send(Answer answer) {
        if (sent_.exchange(true)) {
            return false;
        }
        {
            std::lock_guard lock(mutex_);
            if (holding_) {
                held_.emplace(std::move(answer));
                return true;
            }
        }
        connections_->Post<HttpSession>(session_, [answer = std::move(answer)](HttpSession& session) mutable {
            session.Finish(std::move(answer));
        });
        return true;
    }

    // Called by the session just before it calls the handler.
    void Hold() {
        std::lock_guard lock(mutex_);
        holding_ = true;
    }

    // Called by the session once the handler has returned: the answer given meanwhile (from any thread), if
    // any. Later answers are posted to the session.
    std::optional<Answer> TakeHeld() {
        std::lock_guard lock(mutex_);
        holding_ = false;
        return std::exchange(held_, std::nullopt);
    }

private:
    std::weak_ptr<HttpSession> session_;
    std::shared_ptr<Connections> connections_;
    std::atomic<bool> sent_{false};
    std::mutex mutex_;
    bool holding_ = false;         // guarded by mutex_
    std::optional<Answer> held_;  // guarded by mutex_
};

// True when a browser's Origin names this server: "http://" or "https://" followed by the Host header.
// Clients that are not browsers send no Origin and are let through; the session cookie still decides.
// Under TLS only "https://" is this server.
bool SameOrigin(const Request& request, bool secure) {
    const std::string origin = request.Header("origin");
    if (origin.empty()) {
        return true;
    }
    const std::string host = request.Header("host");
    if (host.empty()) {
        return false;
    }
    return EqualsIgnoreCase(origin, "https://" + host) || (!secure && EqualsIgnoreCase(origin, "http://" + host));
}

std::string_view ToStd(beast::string_view text) {
    return {text.data(), text.size()};
}

std::string LowerCase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// A Set-Cookie value with the Secure attribute, added unless it is there already.
std::string MarkedSecure(const std::string& cookie) {
    std::string lower = LowerCase(cookie);
    lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
    if (lower.find(";secure;") != std::string::npos || lower.ends_with(";secure")) {
        return cookie;
    }
    return cookie + "; Secure";
}

}  // namespace

HttpSession::HttpSession(Transport&& transport, std::shared_ptr<const SessionContext> context)
    : stream_(std::move(transport)), executor_(stream_.get_executor()), context_(std::move(context)) {
    beast::error_code ec;
    const auto remote = stream_.next_layer().socket().remote_endpoint(ec);
    if (!ec) {
        peer_ = remote.address();
    }
}

void HttpSession::Run() {
    if (!stream_.Secure()) {
        net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::DoRead, shared_from_this()));
        return;
    }
    // The state stays kStarting during the handshake: a connection that has not finished it is idle, and Stop
    // or a flood sheds it.
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        if (self->state_ == State::kClosed) {
            return;
        }
        self->stream_.next_layer().expires_after(self->context_->options.read_timeout);
        self->stream_.AsyncHandshake(beast::bind_front_handler(&HttpSession::OnHandshake, self));
    });
}

void HttpSession::OnHandshake(beast::error_code ec) {
    if (state_ == State::kClosed) {
        return;
    }
    if (ec) {
        // A client offering only TLS 1.1 or no cipher of ours, a plain-HTTP request to the TLS port, a scanner:
        // OpenSSL has sent its alert; nothing more to say.
        spdlog::debug("http tls handshake failed: {}", ec.message());
        return Release();
    }
    DoRead();
}

void HttpSession::DoRead() {
    if (state_ == State::kClosed) {
        return;
    }
    if (context_->connections->Stopping()) {
        return DoClose();
    }
    const ServerOptions& options = context_->options;
    parser_.emplace();
    parser_->body_limit(options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options.header_limit));
    stream_.next_layer().expires_after(options.read_timeout);
    state_ = State::kReading;
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::OnRead, shared_from_this()));
}

void HttpSession::OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (state_ == State::kClosed) {
        return;
    }
    state_ = State::kHandling;
    started_ = std::chrono::steady_clock::now();
    method_ = "-";
    route_ = "-";
    version_ = 11;
    keep_alive_ = false;
    head_ = false;
    api_ = false;
    if (ec) {
        return OnReadFailed(ec);
    }
    Handle(parser_->release());
}

void HttpSession::OnReadFailed(beast::error_code ec) {
    const bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (!parse_error) {
        return DoClose();  // the peer went away, timed out, or Stop closed the socket: nobody to answer
    }
    const ServerOptions& options = context_->options;
    // A limit may strike before the header is complete; with the path unknown, no-store is the safe default.
    api_ = true;
    if (parser_->is_header_done()) {
        const auto& header = parser_->get();
        method_ = std::string(header.method_string());
        head_ = header.method() == bhttp::verb::head;
        auto target = ParseTarget(ToStd(header.target()));
        api_ = !target || IsApiPath(target->path);
    }
    linger_ = true;
    if (ec == bhttp::error::body_limit) {
        return Send(Response::ErrorBody(413, "too_large", "body",
                                        "the request body is over the limit of " +
                                            std::to_string(options.body_limit) + " bytes"),
                    true);
    }
    if (ec == bhttp::error::header_limit) {
        return Send(Response::ErrorBody(431, "too_large", "headers",
                                        "the request headers are over the limit of " +
                                            std::to_string(options.header_limit) + " bytes"),
                    true);
    }
    Send(Response::FromError(Error{ErrorCode::kInvalid, "", "malformed HTTP request"}), true);
}

void HttpSession::Handle(Message message) {
    method_ = std::string(message.method_string());
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == bhttp::verb::head;
    const ServerOptions& options = context_->options;
    if (message.target().size() > options.target_limit) {
        return Send(Response::ErrorBody(414, "too_large", "target",
                                        "the request target is over the limit of " +
                                            std::to_string(options.target_limit) + " bytes"),
                    false);
    }
    auto target = ParseTarget(ToStd(message.target()));
    if (!target) {
        return Send(Response::FromError(target.error()), false);
    }
    api_ = IsApiPath(target->path);
    RouteMatch match = context_->router->Match(method_, target->raw_path);
    if (match.outcome == RouteMatch::Outcome::kFound) {
        route_ = match.pattern;
        Request request;
        request.method = method_;
        request.path = std::move(target->path);
        request.query = std::move(target->query);
        request.params = std::move(match.params);
        for (const auto& field : message) {
            request.headers.emplace_back(LowerCase(ToStd(field.name_string())), std::string(field.value()));
        }
        request.body = std::move(message.body());
        std::vector<std::string_view> forwarded;
        for (const auto& [name, value] : request.headers) {
            if (name == "x-forwarded-for") {
                forwarded.push_back(value);
            }
        }
        request.remote_address = context_->proxies.ClientOf(peer_, forwarded);
        if (match.websocket != nullptr) {
            return CallWebSocketHandler(*match.websocket, std::move(request), std::move(message));
        }
        return CallHandler(*match.handler, std::move(request));
    }
    const bool static_path = !options.static_dir.empty() && !api_;
    if (static_path && (message.method() == bhttp::verb::get || head_)) {
        route_ = "static";
        return ServeStatic(target->path);
    }
    if (static_path && match.outcome == RouteMatch::Outcome::kNoRoute) {
        match.outcome = RouteMatch::Outcome::kMethodNotAllowed;
        match.allowed = {"GET", "HEAD"};
    }
    if (match.outcome == RouteMatch::Outcome::kMethodNotAllowed) {
        Response response = Response::ErrorBody(405, "method_not_allowed", "method",
                                                method_ + " is not allowed here; allowed: " + match.AllowHeader());
        response.headers.emplace_back("Allow", match.AllowHeader());
        return Send(std::move(response), false);
    }
    Send(Response::FromError(Error{ErrorCode::kNotFound, "", "no route for this path"}), false);
}

void HttpSession::CallHandler(const Handler& handler, Request request) {
    auto reply = std::make_shared<Reply<Response>>(weak_from_this(), context_->connections);
    Respond respond = [reply](Response response) {
        if (!reply->Send(std::move(response))) {
            spdlog::error("http handler responded more than once; the later response was dropped");
        }
    };
    // The exception's message may quote the request, so only its type is logged.
    reply->Hold();
    try {
        handler(std::move(request), std::move(respond));
    } catch (const std::exception& e) {
        spdlog::error("http handler threw type={} method={} route={}; answered 500", typeid(e).name(), method_,
                      route_);
        reply->Send(InternalError());
    } catch (...) {
        spdlog::error("http handler threw type=unknown method={} route={}; answered 500", method_, route_);
        reply->Send(InternalError());
    }
    if (auto answer = reply->TakeHeld()) {
        Finish(std::move(*answer));
    }
}

void HttpSession::Finish(Response response) {
    if (state_ != State::kHandling) {
        return;  // assert-worthy, but Reply already guarantees one call per request
    }
    if (upgrade_) {
        return Finish(WebSocketAnswer(std::move(response)));  // a 500 for a dropped UpgradeRespond
    }
    Send(std::move(response), false);
}

void HttpSession::CallWebSocketHandler(const WebSocketHandler& handler, Request request, Message message) {
    if (!boost::beast::websocket::is_upgrade(message)) {
        Response response = Response::ErrorBody(426, "upgrade_required", "",
                                                "this is a WebSocket endpoint; connect with a WebSocket client");
        response.headers.emplace_back("Upgrade", "websocket");
        return Send(std::move(response), false);
    }
    if (!SameOrigin(request, stream_.Secure())) {
        return Send(Response::ErrorBody(403, "forbidden", "Origin",
                                        "a WebSocket may be opened only from this server's own pages"),
                    true);
    }
    upgrade_.emplace(std::move(message));
    auto reply = std::make_shared<Reply<WebSocketAnswer>>(weak_from_this(), context_->connections);
    UpgradeRespond respond = [reply](WebSocketAnswer answer) {
        if (!reply->Send(std::move(answer))) {
            spdlog::error("http websocket handler answered more than once; the later answer was dropped");
        }
    };
    reply->Hold();
    try {
        handler(std::move(request), std::move(respond));
    } catch (const std::exception& e) {
        spdlog::error("http websocket handler threw type={} route={}; answered 500", typeid(e).name(), route_);
        reply->Send(InternalError());
    } catch (...) {
        spdlog::error("http websocket handler threw type=unknown route={}; answered 500", route_);
        reply->Send(InternalError());
    }
    if (auto answer = reply->TakeHeld()) {
        Finish(std::move(*answer));
    }
}

void HttpSession::Finish(WebSocketAnswer answer) {
    if (state_ != State::kHandling || !upgrade_) {
        return;
    }
    Message upgrade = std::move(*upgrade_);
    upgrade_.reset();
    // A refused upgrade ends the connection: the client asked for a socket, not a keep-alive HTTP exchange.
    if (auto* refused = std::get_if<Response>(&answer)) {
        return Send(std::move(*refused), true);
    }
    auto& callbacks = std::get<WebSocketCallbacks>(answer);
    if (context_->connections->Stopping()) {
        if (callbacks.on_close) {
            callbacks.on_close();
        }
        return Send(Response::FromError(Error{ErrorCode::kUnavailable, "", "the server is stopping"}), true);
    }
    Record(101);
    auto websocket =
        std::make_shared<WebSocketSession>(std::move(stream_), context_, std::move(callbacks));
    // Added before this session is removed, so the count of open connections never passes through zero.
    const bool added = context_->connections->Add(websocket);
    state_ = State::kClosed;
    context_->connections->Remove(this);
    if (added) {
        websocket->Run(std::move(upgrade));
    } else {
        websocket->Abandon();
    }
}

// Reads the file on this thread: the console's assets are small and the page cache holds them.
void HttpSession::ServeStatic(const std::string& path) {
    auto file = ResolveStaticFile(context_->options.static_dir, path);
    if (!file) {
        return Send(Response::FromError(file.error()), false);
    }
    auto content = ReadWholeFile(*file, kMaxStaticFileBytes);
    if (!content) {
        spdlog::error("http static file could not be served: {}", content.error().message);
        return Send(InternalError(), false);
    }
    Response response;
    response.content_type = std::string(MimeTypeFor(*file));
    response.body = std::move(*content);
    if (file->extension() == ".html") {
        response.headers.emplace_back("Cache-Control", "no-cache");
    }
    Send(std::move(response), false);
}

void HttpSession::Send(Response response, bool close) {
    state_ = State::kWriting;
    close = close || !keep_alive_ || context_->connections->Stopping();
    if (!IsSendable(response)) {
        spdlog::error("http handler response is not sendable status={} method={} route={}; answered 500",
                      response.status, method_, route_);
        response = InternalError();
    }
    auto& res = response_.emplace();
    res.version(version_);
    res.result(response.status);
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Frame-Options", "DENY");
    if (api_) {
        res.set(bhttp::field::cache_control, "no-store");
    }
    if (stream_.Secure()) {
        res.set(bhttp::field::strict_transport_security, kStrictTransportSecurity);
    }
    const bool has_body = response.status != 204 && response.status != 304;
    if (has_body) {
        res.set(bhttp::field::content_type, response.content_type);
        res.body().owned = std::move(response.body);
        res.body().shared = std::move(response.shared_body);
    }
    for (auto& [name, value] : response.headers) {
        if (EqualsIgnoreCase(name, "set-cookie")) {
            res.insert(name, stream_.Secure() ? MarkedSecure(value) : value);
        } else {
            res.set(name, value);
        }
    }
    res.keep_alive(!close);
    res.prepare_payload();
    if (head_) {
        const auto length = ResponseBody::size(res.body());
        res.body().Clear();
        res.content_length(length);
    }
    Record(response.status);
    stream_.next_layer().expires_after(context_->options.write_timeout);
    bhttp::async_write(stream_, res,
                       beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this(), close));
}

void HttpSession::Record(unsigned status) {
    const auto elapsed = std::chrono::steady_clock::now() - started_;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    spdlog::debug("http request method={} route={} status={} duration_ms={:.3f}", method_, route_, status,
                  seconds * 1000);
    const Instruments& instruments = context_->instruments;
    if (Counter* counter = instruments.requests_by_class.at(status / 100 - 1); counter != nullptr) {
        counter->Increment();
    }
    if (instruments.duration != nullptr) {
        instruments.duration->Observe(seconds);
    }
}

void HttpSession::OnWrite(bool close, beast::error_code ec, std::size_t /*bytes*/) {
    response_.reset();
    if (state_ == State::kClosed) {
        return;
    }
    if (ec || close) {
        return DoClose();
    }
    DoRead();
}

void HttpSession::DoClose() {
    if (state_ == State::kClosed) {
        return;
    }
    beast::error_code ec;
    // Under TLS this ends the connection without a close_notify: the response was framed by its length, and
    // waiting for the client's close_notify would hold the connection open for nothing.
    stream_.next_layer().socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
    if (linger_ && !ec) {
        state_ = State::kLingering;
        drain_.resize(kLingerChunk);
        linger_deadline_ = std::chrono::steady_clock::now() + kLingerTotal;
        return DoLinger();
    }
    Release();
}

void HttpSession::DoLinger() {
    const auto left = linger_deadline_ - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
        return Release();
    }
    stream_.next_layer().expires_after(std::min<std::chrono::steady_clock::duration>(left, kLingerIdle));
    // The raw TCP bytes: under TLS too, what is drained is discarded unread.
    stream_.next_layer().async_read_some(net::buffer(drain_),
                                         beast::bind_front_handler(&HttpSession::OnLinger, shared_from_this()));
}

void HttpSession::OnLinger(beast::error_code ec, std::size_t bytes) {
    if (state_ == State::kClosed) {
        return;
    }
    lingered_ += bytes;
    if (ec || lingered_ > kMaxLingerBytes) {
        return Release();
    }
    DoLinger();
}

void HttpSession::CloseIfIdle() {
    const bool receiving = state_ == State::kReading && parser_ && parser_->got_some();
    if (state_ == State::kStarting || state_ == State::kLingering || (state_ == State::kReading && !receiving)) {
        Release();
    }
}

void HttpSession::Release() {
    if (state_ == State::kClosed) {
        return;
    }
    state_ = State::kClosed;
    stream_.next_layer().close();  // completes any pending operation with operation_aborted
    context_->connections->Remove(this);
}

}  // namespace crisisline::http::detail
