#include "http/websocket.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "http/server.hpp"

namespace crisisline::http {
namespace {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A synchronous WebSocket client (Beast's own, so the server is tested against an independent peer).
class WsClient {
public:
    WsClient(std::uint16_t port, const std::string& target, const std::string& origin = "") : ws_(ioc_) {
        beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        ws_.set_option(websocket::stream_base::decorator([origin](websocket::request_type& request) {
            if (!origin.empty()) {
                request.set(bhttp::field::origin, origin);
            }
        }));
        ws_.handshake("127.0.0.1:" + std::to_string(port), target);
    }

    std::string Read() {
        beast::flat_buffer buffer;
        ws_.read(buffer);
        return beast::buffers_to_string(buffer.data());
    }

    void Write(const std::string& text) { ws_.write(net::buffer(text)); }

    // Reads until the server closes; the close code it sent, or 0 when the connection just ended.
    std::uint16_t ReadUntilClosed() {
        beast::error_code ec;
        while (!ec) {
            beast::flat_buffer buffer;
            ws_.read(buffer, ec);
        }
        return ec == websocket::error::closed ? static_cast<std::uint16_t>(ws_.reason().code) : 0;
    }

private:
    net::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
};

// An upgrade request over plain HTTP, for the refusals (which are ordinary HTTP responses).
bhttp::response<bhttp::string_body> RawUpgrade(std::uint16_t port,
                                                const std::string& target,
                                                const std::string& origin,
                                                bool upgrade = true) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    if (upgrade) {
        request.set(bhttp::field::connection, "Upgrade");
        request.set(bhttp::field::upgrade, "websocket");
        request.set(bhttp::field::sec_websocket_version, "13");
        request.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    }
    if (!origin.empty()) {
        request.set(bhttp::field::origin, origin);
    }
    bhttp::write(socket, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    return response;
}

class WebSocketTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_->AddWebSocket("/api/ws", [this](Request request, UpgradeRespond respond) {
            ++handler_calls_;
            std::lock_guard lock(mutex_);
            if (request.query["refuse"] == "1") {
                // As an application refuses: an ordinary JSON error, from another thread.
                workers_.emplace_back([respond] {
                    respond(Response::ErrorBody(401, "unauthenticated", "", "sign in first"));
                });
                return;
            }
            WebSocketCallbacks callbacks;
            callbacks.on_open = [this](std::shared_ptr<WebSocketPeer> peer) { opened_.set_value(std::move(peer)); };
            callbacks.on_message = [this](std::string message) {
                std::lock_guard received(mutex_);
                received_.push_back(std::move(message));
            };
            callbacks.on_close = [this] { closed_.set_value(); };
            workers_.emplace_back([respond, callbacks = std::move(callbacks)] { respond(callbacks); });
        });
    }

    void TearDown() override {
        server_.reset();
        for (auto& worker : workers_) {
            worker.join();
        }
    }

    void Start(ServerOptions options = {}) {
        server_ = std::make_unique<Server>(std::move(options), router_);
        auto started = server_->Start();
        ASSERT_TRUE(started) << started.error().message;
    }

    std::shared_ptr<WebSocketPeer> Opened() {
        auto future = opened_.get_future();
        EXPECT_EQ(future.wait_for(5s), std::future_status::ready);
        return future.get();
    }

    bool ClosedWithin(std::chrono::seconds limit) {
        return closed_future_.wait_for(limit) == std::future_status::ready;
    }

    std::shared_ptr<Router> router_ = std::make_shared<Router>();
    Metrics metrics_;
    std::unique_ptr<Server> server_;
    std::atomic<int> handler_calls_{0};
    std::vector<std::thread> workers_;  // guarded by mutex_ while the server runs
    std::promise<std::shared_ptr<WebSocketPeer>> opened_;
    std::promise<void> closed_;
    std::future<void> closed_future_ = closed_.get_future();
    std::mutex mutex_;
    std::vector<std::string> received_;
};

TEST_F(WebSocketTest, AcceptedUpgradeDeliversMessagesInOrderBothWays) {
    Start();
    WsClient client(server_->Port(), "/api/ws");
    auto peer = Opened();
    ASSERT_TRUE(peer);
    EXPECT_TRUE(peer->IsOpen());
    std::thread sender([peer] {
        for (int i = 0; i < 200; ++i) {
            EXPECT_TRUE(peer->Send("message " + std::to_string(i)));
        }
    });
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(client.Read(), "message " + std::to_string(i));
    }
    sender.join();
    client.Write("{\"type\":\"ping\"}");
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    auto received_any = [this] {
        std::lock_guard lock(mutex_);
        return !received_.empty();
    };
    while (!received_any() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    {
        std::lock_guard lock(mutex_);
        ASSERT_EQ(received_.size(), 1U);
        EXPECT_EQ(received_[0], "{\"type\":\"ping\"}");
    }
    peer->Close(4401, "session ended");
    EXPECT_EQ(client.ReadUntilClosed(), 4401);
    EXPECT_TRUE(ClosedWithin(5s));
}

TEST_F(WebSocketTest, RefusedUpgradeIsAnOrdinaryHttpError) {
    Start();
    const auto response = RawUpgrade(server_->Port(), "/api/ws?refuse=1", "");
    EXPECT_EQ(response.result_int(), 401U);
    EXPECT_EQ(response[bhttp::field::upgrade], "");
    const auto body = nlohmann::json::parse(response.body());
    EXPECT_EQ(body["error"]["code"], "unauthenticated");
    EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
}

TEST_F(WebSocketTest, ForeignOriginIsRefusedBeforeTheHandler) {
    Start();
    const std::uint16_t port = server_->Port();
    for (const std::string origin : {"https://evil.example", "null", "http://127.0.0.1:1"}) {
        const auto response = RawUpgrade(port, "/api/ws", origin);
        EXPECT_EQ(response.result_int(), 403U) << origin;
        EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["field"], "Origin") << origin;
    }
    EXPECT_EQ(handler_calls_.load(), 0);
    // The server's own pages (either scheme: TLS may end at a proxy) may connect.
    WsClient client(port, "/api/ws", "HTTPS://127.0.0.1:" + std::to_string(port));
    EXPECT_TRUE(Opened());
}

TEST_F(WebSocketTest, PlainGetIs426WithTheJsonErrorShape) {
    Start();
    const auto response = RawUpgrade(server_->Port(), "/api/ws", "", false);
    EXPECT_EQ(response.result_int(), 426U);
    EXPECT_EQ(response[bhttp::field::upgrade], "websocket");
    EXPECT_EQ(nlohmann::json::parse(response.body())["error"]["code"], "upgrade_required");
    EXPECT_EQ(handler_calls_.load(), 0);
}

TEST_F(WebSocketTest, SlowConsumerIsClosedRatherThanBufferedFor) {
    ServerOptions options;
    options.websocket_queue_messages = 32;
    options.metrics = &metrics_;
    Start(options);
    WsClient client(server_->Port(), "/api/ws");
    auto peer = Opened();
    // The client reads nothing: once the socket buffers are full, the queue fills and the server gives up.
    const std::string chunk(64 * 1024, 'x');
    int accepted = 0;
    while (accepted < 5000 && peer->Send(chunk)) {
        ++accepted;
    }
    EXPECT_LT(accepted, 5000) << "Send never refused: the queue is unbounded";
    EXPECT_FALSE(peer->IsOpen());
    EXPECT_FALSE(peer->Send("later"));
    EXPECT_EQ(client.ReadUntilClosed(), 1013);
    EXPECT_TRUE(ClosedWithin(5s));
    EXPECT_NE(metrics_.Render().find("crisisline_websocket_overflow_closes_total 1\n"), std::string::npos);
}

TEST_F(WebSocketTest, StopClosesOpenSocketsWithGoingAway) {
    ServerOptions options;
    options.metrics = &metrics_;
    Start(options);
    WsClient client(server_->Port(), "/api/ws");
    auto peer = Opened();
    EXPECT_NE(metrics_.Render().find("crisisline_websockets_open 1\n"), std::string::npos);
    auto code = std::async(std::launch::async, [&client] { return client.ReadUntilClosed(); });
    const auto before = std::chrono::steady_clock::now();
    server_->Stop(10s);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 3s) << "an open WebSocket held Stop up";
    EXPECT_EQ(code.get(), 1001);
    EXPECT_TRUE(ClosedWithin(1s));
    EXPECT_NE(metrics_.Render().find("crisisline_websockets_open 0\n"), std::string::npos);
}

TEST_F(WebSocketTest, SendAfterCloseOrAfterTheServerIsGoneIsHarmless) {
    Start();
    auto peer = [&] {
        WsClient client(server_->Port(), "/api/ws");
        return Opened();
    }();  // the client goes away
    EXPECT_TRUE(ClosedWithin(5s));
    EXPECT_FALSE(peer->IsOpen());
    EXPECT_FALSE(peer->Send("to nobody"));
    peer->Close();
    server_.reset();
    EXPECT_FALSE(peer->Send("after the server"));
    peer->Close(kCloseGoingAway, "");
}

}  // namespace
}  // namespace crisisline::http
