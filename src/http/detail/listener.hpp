#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "core/error.hpp"
#include "http/detail/http_session.hpp"

namespace crisisline::http::detail {

// Accepts connections and starts an HttpSession on its own strand for each.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(boost::asio::io_context& ioc, std::shared_ptr<const SessionContext> context);

    // Opens, binds and listens. On success the bound port; on failure an error naming the endpoint and the
    // operating system's reason. REQUIRES: called once, before Run.
    Result<std::uint16_t> Listen(const boost::asio::ip::tcp::endpoint& endpoint);
    void Run();
    // Stops accepting. Thread-safe.
    void Close();

private:
    void DoAccept();
    void OnAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;  // after an accept error such as EMFILE, so that it does not spin
    std::shared_ptr<const SessionContext> context_;
};

}  // namespace crisisline::http::detail
