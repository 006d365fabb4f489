#include "http/detail/listener.hpp"

#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

namespace crisisline::http::detail {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace {

std::string Describe(const tcp::endpoint& endpoint) {
    const std::string address = endpoint.address().to_string();
    const std::string host = endpoint.address().is_v6() ? "[" + address + "]" : address;
    return host + ":" + std::to_string(endpoint.port());
}

void Count(Counter* counter) {
    if (counter != nullptr) {
        counter->Increment();
    }
}

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<const SessionContext> context)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_(acceptor_.get_executor()), context_(std::move(context)) {}

Result<std::uint16_t> Listener::Listen(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    auto failed = [&endpoint, &ec] {
        return Fail(ErrorCode::kUnavailable, "address", "cannot listen on " + Describe(endpoint) + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) {
        return failed();
    }
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) {
        return failed();
    }
    acceptor_.bind(endpoint, ec);
    if (ec) {
        return failed();
    }
    acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return failed();
    }
    const tcp::endpoint bound = acceptor_.local_endpoint(ec);
    if (ec) {
        return failed();
    }
    return bound.port();
}

void Listener::Run() {
    net::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
}

void Listener::Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
}

void Listener::DoAccept() {
    if (!acceptor_.is_open()) {
        return;
    }
    acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
        return;
    }
    if (ec) {
        spdlog::warn("http accept failed: {}; retrying in 100 ms", ec.message());
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
            if (!wait_ec) {
                self->DoAccept();
            }
        });
        return;
    }
    auto session = context_->tls ? std::make_shared<HttpSession>(Transport(std::move(socket), context_->tls->Current()),
                                                                 context_)
                                 : std::make_shared<HttpSession>(Transport(std::move(socket)), context_);
    const std::string peer = session->Peer().to_string();
    const bool capped = !context_->proxies.Contains(session->Peer());
    switch (context_->connections->Admit(session, peer, capped)) {
        case Admission::kAdmitted:
            session->Run();
            break;
        case Admission::kTooManyFromAddress:
            Count(context_->instruments.refused_per_address);
            break;
        case Admission::kTooMany:
            Count(context_->instruments.refused_total);
            break;
        case Admission::kStopping:
            break;
    }
    // A session not admitted is dropped here, which closes its socket at once: the excess costs a descriptor
    // for microseconds, not for the read timeout.
    DoAccept();
}

}  // namespace crisisline::http::detail
