#include "http/detail/websocket_session.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

namespace crisisline::http::detail {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;
namespace {

// How long a client has to answer our close frame before its socket is simply closed.
constexpr std::chrono::seconds kCloseGrace{5};

// Application callbacks must not take the event loop down with them.
template <class F>
void Guarded(const char* what, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        spdlog::error("http websocket {} callback threw type={}", what, typeid(e).name());
    } catch (...) {
        spdlog::error("http websocket {} callback threw type=unknown", what);
    }
}

}  // namespace

Peer::Peer(std::weak_ptr<WebSocketSession> session, std::shared_ptr<const SessionContext> context)
    : session_(std::move(session)), context_(std::move(context)) {}

bool Peer::Send(std::string text) {
    if (!open_.load()) {
        return false;
    }
    const std::size_t bytes = text.size();
    const std::size_t messages = queued_messages_.fetch_add(1) + 1;
    const std::size_t total = queued_bytes_.fetch_add(bytes) + bytes;
    const ServerOptions& options = context_->options;
    if (messages > options.websocket_queue_messages || total > options.websocket_queue_bytes) {
        Done(bytes);
        if (open_.exchange(false)) {
            if (Counter* overflows = context_->instruments.websocket_overflows; overflows != nullptr) {
                overflows->Increment();
            }
            spdlog::info("http websocket client fell {} messages behind; closed with 1013", messages - 1);
            context_->connections->Post<WebSocketSession>(session_, [](WebSocketSession& session) {
                session.StartClose(kCloseTryAgainLater, "too far behind; reconnect");
            });
        }
        return false;
    }
    const bool posted = context_->connections->Post<WebSocketSession>(
        session_, [text = std::move(text)](WebSocketSession& session) mutable { session.Write(std::move(text)); });
    if (!posted) {
        Done(bytes);
        open_.store(false);
    }
    return posted;
}

void Peer::Close(std::uint16_t code, std::string reason) {
    if (!open_.exchange(false)) {
        return;
    }
    context_->connections->Post<WebSocketSession>(
        session_, [code, reason = std::move(reason)](WebSocketSession& session) mutable {
            session.StartClose(code, std::move(reason));
        });
}

void Peer::Done(std::size_t bytes) {
    queued_messages_.fetch_sub(1);
    queued_bytes_.fetch_sub(bytes);
}

WebSocketSession::WebSocketSession(Transport&& transport,
                                   std::shared_ptr<const SessionContext> context,
                                   WebSocketCallbacks callbacks)
    : ws_(std::move(transport)),
      context_(std::move(context)),
      callbacks_(std::move(callbacks)),
      close_timer_(ws_.get_executor()) {}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::Run(Upgrade upgrade) {
    peer_ = std::make_shared<Peer>(weak_from_this(), context_);
    if (Gauge* open = context_->instruments.websockets_open; open != nullptr) {
        open->Add(1);
    }
    const ServerOptions& options = context_->options;
    // The websocket stream keeps its own timers (handshake, idle with pings); the TCP stream's would cut a
    // quiet but healthy connection.
    beast::get_lowest_layer(ws_).expires_never();
    auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = options.websocket_idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.read_message_max(options.websocket_read_limit);
    ws_.text(true);
    if (ws_.next_layer().Secure()) {
        ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
            response.set(boost::beast::http::field::strict_transport_security, kStrictTransportSecurity);
        }));
    }
    ws_.async_accept(upgrade, beast::bind_front_handler(&WebSocketSession::OnAccept, shared_from_this()));
}

void WebSocketSession::Abandon() {
    End();
}

void WebSocketSession::OnAccept(beast::error_code ec) {
    if (state_ != State::kHandshake) {
        return;  // Stop came first
    }
    if (ec) {
        return End();
    }
    state_ = State::kOpen;
    if (callbacks_.on_open) {
        Guarded("on_open", [&] { callbacks_.on_open(peer_); });
    }
    DoRead();
}

void WebSocketSession::DoRead() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&WebSocketSession::OnRead, shared_from_this()));
}

void WebSocketSession::OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (state_ == State::kEnded) {
        return;
    }
    // Any error ends it: the client's close frame (error::closed), a message over the limit (Beast has sent
    // 1009), the idle timeout, a reset, or our own close timer cutting the socket.
    if (ec) {
        return End();
    }
    if (callbacks_.on_message && state_ == State::kOpen) {
        std::string message = beast::buffers_to_string(read_buffer_.data());
        Guarded("on_message", [&] { callbacks_.on_message(std::move(message)); });
    }
    read_buffer_.consume(read_buffer_.size());
    DoRead();
}

void WebSocketSession::Write(std::string text) {
    if (state_ != State::kOpen) {
        peer_->Done(text.size());
        return;
    }
    outbox_.push_back(std::move(text));
    if (!writing_) {
        DoWrite();
    }
}

void WebSocketSession::DoWrite() {
    writing_ = true;
    ws_.async_write(net::buffer(outbox_.front()),
                    beast::bind_front_handler(&WebSocketSession::OnWrite, shared_from_this()));
}

void WebSocketSession::OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    peer_->Done(outbox_.front().size());
    outbox_.pop_front();
    if (state_ == State::kEnded) {
        return;
    }
    if (ec) {
        return End();
    }
    if (state_ == State::kClosing) {
        return SendClose();
    }
    if (!outbox_.empty()) {
        DoWrite();
    }
}

void WebSocketSession::StartClose(std::uint16_t code, std::string reason) {
    if (state_ == State::kHandshake) {
        return End();
    }
    if (state_ != State::kOpen) {
        return;
    }
    state_ = State::kClosing;
    peer_->MarkClosed();
    // What is not yet being written is dropped: the client resynchronises when it reconnects.
    while (outbox_.size() > (writing_ ? 1U : 0U)) {
        peer_->Done(outbox_.back().size());
        outbox_.pop_back();
    }
    close_reason_.code = code;
    // A close frame's payload is at most 125 bytes, the code included.
    close_reason_.reason.assign(reason.data(), std::min(reason.size(), close_reason_.reason.max_size()));
    close_timer_.expires_after(kCloseGrace);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec && self->state_ != State::kEnded) {
            self->End();
        }
    });
    if (!writing_) {
        SendClose();
    }
}

void WebSocketSession::SendClose() {
    if (close_sent_) {
        return;
    }
    close_sent_ = true;
    // The read loop goes on until the client's answering close frame ends it (or the close timer does).
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code ec) {
        if (ec && self->state_ != State::kEnded) {
            self->End();
        }
    });
}

void WebSocketSession::CloseIfIdle() {
    StartClose(kCloseGoingAway, "server stopping");
}

void WebSocketSession::End() {
    if (state_ == State::kEnded) {
        return;
    }
    state_ = State::kEnded;
    if (peer_) {
        peer_->MarkClosed();
        if (Gauge* open = context_->instruments.websockets_open; open != nullptr) {
            open->Add(-1);
        }
    }
    close_timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();  // completes pending operations with operation_aborted
    if (callbacks_.on_close) {
        Guarded("on_close", [&] { callbacks_.on_close(); });
    }
    // Dropped here so that the application's callbacks (and what they hold) go with the connection.
    callbacks_ = {};
    context_->connections->Remove(this);
}

}  // namespace crisisline::http::detail
