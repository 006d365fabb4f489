#include "http/server.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace crisisline::http {
namespace {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Reply = bhttp::response<bhttp::string_body>;
using namespace std::chrono_literals;

// A small synchronous HTTP/1.1 client on one connection.
class Client {
public:
    explicit Client(std::uint16_t port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }

    Reply Send(bhttp::verb method,
               const std::string& target,
               const std::string& body = "",
               const std::string& content_type = "text/plain") {
        bhttp::request<bhttp::string_body> request{method, target, 11};
        request.set(bhttp::field::host, "127.0.0.1");
        if (!body.empty()) {
            request.set(bhttp::field::content_type, content_type);
            request.body() = body;
        }
        request.prepare_payload();
        bhttp::write(socket_, request);
        return Read(method == bhttp::verb::head);
    }

    Reply Read(bool head = false) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        parser.skip(head);
        bhttp::read(socket_, buffer_, parser);
        return parser.release();
    }

    void WriteRaw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }
    void WriteRaw(const std::string& bytes, beast::error_code& ec) { net::write(socket_, net::buffer(bytes), ec); }

    // Everything until the server closes the connection.
    std::string ReadUntilClosed() {
        std::string all(static_cast<const char*>(buffer_.data().data()), buffer_.size());
        buffer_.consume(buffer_.size());
        beast::error_code ec;
        char chunk[4096];
        while (true) {
            const std::size_t n = socket_.read_some(net::buffer(chunk), ec);
            all.append(chunk, n);
            if (ec) {
                return all;
            }
        }
    }

private:
    net::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

nlohmann::json JsonOf(const Reply& reply) {
    return nlohmann::json::parse(reply.body());
}

void ExpectSecurityHeaders(const Reply& reply, bool api, const std::string& what) {
    EXPECT_EQ(reply["Content-Security-Policy"],
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
              "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        << what;
    EXPECT_EQ(reply["X-Content-Type-Options"], "nosniff") << what;
    EXPECT_EQ(reply["Referrer-Policy"], "no-referrer") << what;
    EXPECT_EQ(reply["X-Frame-Options"], "DENY") << what;
    if (api) {
        EXPECT_EQ(reply[bhttp::field::cache_control], "no-store") << what;
    }
}

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_->Add("GET", "/api/v1/lines/{line}/contacts/{id}", [](Request request, Respond respond) {
            respond(Response::Json(200, {{"line", request.params["line"]},
                                         {"id", request.params["id"]},
                                         {"path", request.path},
                                         {"q", request.query["q"]},
                                         {"agent", request.Header("user-agent")},
                                         {"remote", request.remote_address}}));
        });
        router_->Add("PUT", "/api/v1/lines/{line}/contacts/{id}", [](Request, Respond respond) {
            respond(Response::Json(200, nlohmann::json::object()));
        });
        router_->Add("POST", "/api/echo", [](Request request, Respond respond) {
            Response response;
            response.content_type = "text/plain";
            response.body = std::move(request.body);
            respond(std::move(response));
        });
        router_->Add("GET", "/api/later", [this](Request, Respond respond) {
            RunLater(20ms, [respond] { respond(Response::Json(200, {{"answer", "later"}})); });
        });
        router_->Add("GET", "/api/throw",
                     [](Request, Respond) -> void { throw std::runtime_error("contact name Jane Doe"); });
        router_->Add("GET", "/api/slow", [this](Request, Respond respond) {
            slow_entered_.set_value();
            RunLater(400ms, [respond] { respond(Response::Json(200, {{"answer", "slow"}})); });
        });
        router_->Add("GET", "/api/held", [this](Request, Respond respond) {
            std::lock_guard lock(mutex_);
            held_ = respond;
            held_entered_.set_value();
        });
        router_->Add("GET", "/api/cookies", [](Request request, Respond respond) {
            Response response = Response::Json(200, {{"session", request.Cookie("session")}});
            response.headers = {{"Set-Cookie", "a=1; HttpOnly"}, {"Set-Cookie", "b=2; HttpOnly"}};
            respond(std::move(response));
        });
        router_->Add("GET", "/api/split", [](Request, Respond respond) {
            Response response;
            response.headers = {{"X-Injected", "a\r\nSet-Cookie: evil=1"}};
            respond(std::move(response));
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
        ASSERT_NE(server_->Port(), 0);
    }

    // Runs `task` on a test-owned thread after `delay`, as a worker pool would.
    void RunLater(std::chrono::milliseconds delay, std::function<void()> task) {
        std::lock_guard lock(mutex_);
        workers_.emplace_back([delay, task = std::move(task)] {
            std::this_thread::sleep_for(delay);
            task();
        });
    }

    std::shared_ptr<Router> router_ = std::make_shared<Router>();
    Metrics metrics_;  // declared before server_: the Server requires that it outlives it
    std::unique_ptr<Server> server_;
    std::mutex mutex_;
    std::vector<std::thread> workers_;
    std::promise<void> slow_entered_;
    std::promise<void> held_entered_;
    Respond held_;
};

TEST_F(ServerTest, RouteParamsAndQueryAreDecoded) {
    Start();
    Client client(server_->Port());
    const Reply reply = client.Send(bhttp::verb::get, "/api/v1/lines/north%20east/contacts/42?q=a+b%26c&x=1");
    ASSERT_EQ(reply.result_int(), 200U) << reply.body();
    EXPECT_EQ(reply[bhttp::field::content_type], "application/json");
    const auto body = JsonOf(reply);
    EXPECT_EQ(body["line"], "north east");
    EXPECT_EQ(body["id"], "42");
    EXPECT_EQ(body["path"], "/api/v1/lines/north east/contacts/42");
    EXPECT_EQ(body["q"], "a b&c");
    EXPECT_EQ(body["remote"], "127.0.0.1");
}

TEST_F(ServerTest, UnknownRouteIs404Json) {
    Start();
    Client client(server_->Port());
    const Reply reply = client.Send(bhttp::verb::get, "/api/v1/nothing/here");
    EXPECT_EQ(reply.result_int(), 404U);
    EXPECT_EQ(reply[bhttp::field::content_type], "application/json");
    EXPECT_EQ(JsonOf(reply)["error"]["code"], "not_found");
    ExpectSecurityHeaders(reply, true, "404");
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
    Start();
    Client client(server_->Port());
    const Reply reply = client.Send(bhttp::verb::delete_, "/api/v1/lines/n/contacts/1");
    EXPECT_EQ(reply.result_int(), 405U);
    EXPECT_EQ(reply[bhttp::field::allow], "GET, PUT");
    const auto body = JsonOf(reply);
    EXPECT_EQ(body["error"]["code"], "method_not_allowed");
    EXPECT_EQ(body["error"]["field"], "method");
    ExpectSecurityHeaders(reply, true, "405");
}

TEST_F(ServerTest, BodyOverTheLimitIs413WithoutWaitingForIt) {
    ServerOptions options;
    options.body_limit = 1024;
    Start(options);
    {
        // Only the headers are sent: a server that waited for the 5 MB body would never answer.
        Client client(server_->Port());
        client.WriteRaw("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
        const Reply reply = client.Read();
        EXPECT_EQ(reply.result_int(), 413U);
        const auto body = JsonOf(reply);
        EXPECT_EQ(body["error"]["code"], "too_large");
        EXPECT_EQ(body["error"]["field"], "body");
        EXPECT_NE(body["error"]["message"].get<std::string>().find("1024"), std::string::npos);
        EXPECT_FALSE(reply.keep_alive());
        ExpectSecurityHeaders(reply, true, "413");
    }
    {
        Client client(server_->Port());
        EXPECT_EQ(client.Send(bhttp::verb::post, "/api/echo", std::string(3000, 'x')).result_int(), 413U);
    }
    {
        Client client(server_->Port());
        const Reply reply = client.Send(bhttp::verb::post, "/api/echo", std::string(1024, 'y'));
        EXPECT_EQ(reply.result_int(), 200U);
        EXPECT_EQ(reply.body(), std::string(1024, 'y'));
    }
}

// A client that sends its whole body before reading (as most do) still reads the 413: the server drains what
// follows the refusal instead of closing on unread data, which would reset the connection under the client.
TEST_F(ServerTest, ClientStillSendingItsBodyReadsThe413) {
    ServerOptions options;
    options.body_limit = 1024;
    Start(options);
    const std::string body(8 * 1024 * 1024, 'z');
    for (int attempt = 0; attempt < 3; ++attempt) {
        Client client(server_->Port());
        beast::error_code ec;
        client.WriteRaw("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body,
                        ec);
        ASSERT_FALSE(ec) << "attempt " << attempt << ": the body could not be sent: " << ec.message();
        const Reply reply = client.Read();
        EXPECT_EQ(reply.result_int(), 413U) << "attempt " << attempt;
        EXPECT_FALSE(reply.keep_alive());
    }
}

TEST_F(ServerTest, MalformedRequestIs400ThenClosed) {
    Start();
    const char* requests[] = {
        "NOT A REQUEST\r\n\r\n",
        "GET /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET /api/v1/lines/n/contacts/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    };
    for (const char* request : requests) {
        Client client(server_->Port());
        client.WriteRaw(request);
        const std::string all = client.ReadUntilClosed();  // returns only once the server closes
        EXPECT_TRUE(all.starts_with("HTTP/1.1 400 ")) << request << "\n" << all;
        EXPECT_NE(all.find("\"code\":\"invalid\""), std::string::npos) << all;
    }
}

TEST_F(ServerTest, OversizedTargetAndHeadersAreRefused) {
    Start();
    {
        Client client(server_->Port());
        EXPECT_EQ(client.Send(bhttp::verb::get, "/api/echo?x=" + std::string(9000, 'a')).result_int(), 414U);
    }
    {
        Client client(server_->Port());
        client.WriteRaw("GET /api/later HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n");
        EXPECT_EQ(client.Read().result_int(), 431U);
    }
}

TEST_F(ServerTest, HandlerMayRespondLaterFromAnotherThread) {
    Start();
    Client client(server_->Port());
    const Reply reply = client.Send(bhttp::verb::get, "/api/later");
    EXPECT_EQ(reply.result_int(), 200U);
    EXPECT_EQ(JsonOf(reply)["answer"], "later");
}

TEST_F(ServerTest, ThrowingHandlerGives500AndConnectionKeepsServing) {
    Start();
    Client client(server_->Port());
    const Reply failed = client.Send(bhttp::verb::get, "/api/throw");
    EXPECT_EQ(failed.result_int(), 500U);
    EXPECT_EQ(JsonOf(failed)["error"]["message"], "internal error");
    EXPECT_EQ(failed.body().find("Jane"), std::string::npos);
    EXPECT_TRUE(failed.keep_alive());
    EXPECT_EQ(client.Send(bhttp::verb::get, "/api/later").result_int(), 200U);
    EXPECT_EQ(client.Send(bhttp::verb::post, "/api/echo", "again").body(), "again");
}

TEST_F(ServerTest, HeadersThatWouldSplitTheResponseGive500) {
    Start();
    Client client(server_->Port());
    const Reply reply = client.Send(bhttp::verb::get, "/api/split");
    EXPECT_EQ(reply.result_int(), 500U);
    EXPECT_EQ(reply.count(bhttp::field::set_cookie), 0U);
}

TEST_F(ServerTest, CookiesInAndRepeatedSetCookieOut) {
    Start();
    Client client(server_->Port());
    client.WriteRaw("GET /api/cookies HTTP/1.1\r\nHost: x\r\nCookie: theme=dark; session=s3cr3t\r\n\r\n");
    const Reply reply = client.Read();
    EXPECT_EQ(JsonOf(reply)["session"], "s3cr3t");
    EXPECT_EQ(reply.count(bhttp::field::set_cookie), 2U);
}

TEST_F(ServerTest, SecurityHeadersOnEveryResponse) {
    Start();
    Client client(server_->Port());
    ExpectSecurityHeaders(client.Send(bhttp::verb::get, "/api/later"), true, "200");
    ExpectSecurityHeaders(client.Send(bhttp::verb::get, "/api/throw"), true, "500");
    const Reply outside = client.Send(bhttp::verb::get, "/not-api");
    EXPECT_EQ(outside.result_int(), 404U);
    ExpectSecurityHeaders(outside, false, "404 outside /api/");
    EXPECT_EQ(outside.count(bhttp::field::cache_control), 0U);
}

class StaticServerTest : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        char tmpl[] = "/tmp/crisisline-http-XXXXXX";
        base_ = mkdtemp(tmpl);
        std::filesystem::create_directories(base_ / "web" / "assets");
        std::ofstream(base_ / "web" / "index.html") << "<!doctype html><title>console</title>";
        std::ofstream(base_ / "web" / "assets" / "app.js") << "console.log(1);";
        std::ofstream(base_ / "web" / "assets" / "app.css") << "body{}";
        std::ofstream(base_ / "secret.txt") << "do not serve";
        ServerOptions options;
        options.static_dir = (base_ / "web").string();
        Start(options);
    }
    void TearDown() override {
        ServerTest::TearDown();
        std::filesystem::remove_all(base_);
    }
    std::filesystem::path base_;
};

TEST_F(StaticServerTest, ServesFilesWithTheirTypes) {
    Client client(server_->Port());
    struct Case {
        const char* target;
        unsigned status;
        const char* type;
        const char* body;
    };
    const Case cases[] = {
        {"/", 200, "text/html; charset=utf-8", "<!doctype html><title>console</title>"},
        {"/assets/app.js", 200, "text/javascript; charset=utf-8", "console.log(1);"},
        {"/assets/app.css", 200, "text/css; charset=utf-8", "body{}"},
        {"/lines/north/contacts/42", 200, "text/html; charset=utf-8", "<!doctype html><title>console</title>"},
        {"/assets/missing.js", 404, "application/json", nullptr},
        {"/api/v1/unknown", 404, "application/json", nullptr},
    };
    for (const auto& c : cases) {
        const Reply reply = client.Send(bhttp::verb::get, c.target);
        EXPECT_EQ(reply.result_int(), c.status) << c.target;
        EXPECT_EQ(reply[bhttp::field::content_type], c.type) << c.target;
        if (c.body != nullptr) {
            EXPECT_EQ(reply.body(), c.body) << c.target;
        }
        ExpectSecurityHeaders(reply, std::string_view(c.target).starts_with("/api/"), c.target);
    }
}

TEST_F(StaticServerTest, RefusesTraversal) {
    const char* targets[] = {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2F..%2Fsecret.txt",
                             "/assets/%2E%2E/%2E%2E/secret.txt"};
    for (const char* target : targets) {
        Client client(server_->Port());
        const Reply reply = client.Send(bhttp::verb::get, target);
        EXPECT_EQ(reply.result_int(), 400U) << target;
        EXPECT_EQ(reply.body().find("do not serve"), std::string::npos) << target;
    }
}

TEST_F(StaticServerTest, HeadHasLengthButNoBodyAndOtherMethodsAre405) {
    Client client(server_->Port());
    const Reply head = client.Send(bhttp::verb::head, "/assets/app.js");
    EXPECT_EQ(head.result_int(), 200U);
    EXPECT_EQ(head[bhttp::field::content_length], "15");
    EXPECT_TRUE(head.body().empty());
    const Reply post = client.Send(bhttp::verb::post, "/assets/app.js", "x");
    EXPECT_EQ(post.result_int(), 405U);
    EXPECT_EQ(post[bhttp::field::allow], "GET, HEAD");
    // The connection still works after a HEAD: no stray body bytes were sent.
    EXPECT_EQ(client.Send(bhttp::verb::get, "/assets/app.css").body(), "body{}");
}

TEST_F(ServerTest, GracefulStopWaitsForSlowHandler) {
    Start();
    const std::uint16_t port = server_->Port();
    auto reply = std::async(std::launch::async, [port] {
        Client client(port);
        return client.Send(bhttp::verb::get, "/api/slow");
    });
    Client idle(port);  // a keep-alive connection with nothing in flight must not hold Stop up
    EXPECT_EQ(idle.Send(bhttp::verb::get, "/api/later").result_int(), 200U);
    slow_entered_.get_future().wait();
    const auto before = std::chrono::steady_clock::now();
    server_->Stop(5s);
    const auto waited = std::chrono::steady_clock::now() - before;
    const Reply answered = reply.get();
    EXPECT_EQ(answered.result_int(), 200U);
    EXPECT_EQ(JsonOf(answered)["answer"], "slow");
    EXPECT_FALSE(answered.keep_alive());
    EXPECT_LT(waited, 3s);
    EXPECT_THROW(Client late(port), boost::system::system_error);
}

TEST_F(ServerTest, StopGivesUpAfterGraceAndALateRespondIsHarmless) {
    Start();
    const std::uint16_t port = server_->Port();
    auto outcome = std::async(std::launch::async, [port] {
        Client client(port);
        client.WriteRaw("GET /api/held HTTP/1.1\r\nHost: x\r\n\r\n");
        return client.ReadUntilClosed();
    });
    held_entered_.get_future().wait();
    const auto before = std::chrono::steady_clock::now();
    server_->Stop(200ms);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
    EXPECT_EQ(outcome.get(), "");  // closed without an answer
    held_(Response::Json(200, {}));  // after Stop: ignored
    server_.reset();
    held_(Response::Json(200, {}));  // after the Server is gone: still harmless
    held_ = nullptr;
}

TEST_F(ServerTest, MetricsCountRequestsByClass) {
    ServerOptions options;
    options.metrics = &metrics_;
    Start(options);
    {
        Client client(server_->Port());
        EXPECT_EQ(client.Send(bhttp::verb::get, "/api/later").result_int(), 200U);
        EXPECT_EQ(client.Send(bhttp::verb::get, "/api/nothing").result_int(), 404U);
        EXPECT_EQ(client.Send(bhttp::verb::get, "/api/throw").result_int(), 500U);
    }
    const std::string text = metrics_.Render();
    EXPECT_NE(text.find("# TYPE crisisline_http_requests_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("crisisline_http_requests_total{class=\"2xx\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("crisisline_http_requests_total{class=\"4xx\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("crisisline_http_requests_total{class=\"5xx\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE crisisline_http_request_duration_seconds histogram\n"), std::string::npos) << text;
    EXPECT_NE(text.find("crisisline_http_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("crisisline_http_request_duration_seconds_count 3\n"), std::string::npos) << text;
}

TEST_F(ServerTest, StartFailureNamesTheAddressAndReason) {
    Start();
    ServerOptions options;
    options.port = server_->Port();
    Server second(options, router_);
    auto started = second.Start();
    ASSERT_FALSE(started);
    const std::string expected = "127.0.0.1:" + std::to_string(server_->Port());
    EXPECT_NE(started.error().message.find(expected), std::string::npos) << started.error().message;
    EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;

    ServerOptions bad;
    bad.address = "not-an-address";
    auto refused = Server(bad, router_).Start();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "address");
}

// A server pinned to one CPU (taskset -c 1) should run one event-loop thread, not two fighting for it.
TEST(AvailableCpusTest, CountsTheCpusThisThreadMayRunOn) {
    cpu_set_t all;
    CPU_ZERO(&all);
    ASSERT_EQ(sched_getaffinity(0, sizeof all, &all), 0);
    EXPECT_EQ(AvailableCpus(), CPU_COUNT(&all));

    int first = 0;
    while (!CPU_ISSET(first, &all)) {
        ++first;
    }
    int pinned = 0;
    std::thread([&] {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(first, &one);
        if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0) {
            pinned = AvailableCpus();
        }
    }).join();
    EXPECT_EQ(pinned, 1);
}

}  // namespace
}  // namespace crisisline::http
