// The console's live events end to end, in one process: the real Api and http::Server on a scratch data
// directory, N signed-in supervisors each with a WebSocket on GET /api/v1/events, and events published on the
// Bus at a steady rate (as telephony's loop would). Measures publish-to-receive latency on the steady clock
// (p50, p99, max) and messages delivered against expected.
// Run: build/bench/console_events [clients=200] [events_per_second=50] [seconds=20]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "crypto/crypto.hpp"
#include "crypto/totp.hpp"
#include "http/server.hpp"
#include "staff/accounts.hpp"

namespace crisisline::bench {
namespace {
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::int64_t NowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Everything the clients measured; one lock, taken once per message.
struct Tally {
    std::mutex mu;
    std::vector<std::int64_t> latencies_ns;
    std::int64_t received = 0;
};

// One console: reads every message and records the latency of each published event (its data.t).
class Watcher : public std::enable_shared_from_this<Watcher> {
public:
    Watcher(net::io_context& ioc, Tally& tally) : ws_(ioc), tally_(tally) {}

    void Open(std::uint16_t port, const std::string& token) {
        beast::get_lowest_layer(ws_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
            request.set(beast::http::field::cookie, std::string(api::kSessionCookie) + "=" + token);
        }));
        ws_.handshake("127.0.0.1:" + std::to_string(port), "/api/v1/events");
        beast::flat_buffer hello;
        ws_.read(hello);  // the hello, before any measured event
    }

    void Read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            const std::int64_t now = NowNs();
            const std::string text = beast::buffers_to_string(self->buffer_.data());
            self->buffer_.consume(self->buffer_.size());
            const auto at = text.find("\"t\":");
            if (at != std::string::npos) {
                const std::int64_t sent = std::strtoll(text.c_str() + at + 4, nullptr, 10);
                std::lock_guard lock(self->tally_.mu);
                self->tally_.latencies_ns.push_back(now - sent);
                ++self->tally_.received;
            }
            self->Read();
        });
    }

    void Close() {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

private:
    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    Tally& tally_;
};

double Ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

int Run(int clients, int rate, int seconds) {
    if (!crypto::Initialise()) return 1;
    spdlog::set_level(spdlog::level::warn);
    char pattern[] = "/tmp/crisisline-bench-XXXXXX";
    const std::string dir = mkdtemp(pattern);
    auto opened = store::OpenSqlite({dir + "/crisisline.db"});
    if (!opened) return 1;
    auto store = std::move(*opened);
    crypto::Keyring keys(dir);
    if (!keys.LoadService(true) || !keys.LoadAudit(true)) return 1;
    writer::StorageWriter writer(*store, audit::ChainKey{&keys.Audit(), 0});
    SystemClock clock;
    records::Services services{*store, writer, keys, clock};
    if (!records::Lines(services).Create(Fields({{"id", "police"}, {"name", "Police (bench)"}}, ""), "bench")) return 1;

    // One supervisor signed in as the console does (password, then TOTP enrolment). The other sessions are
    // rows of the same kind written straight to the store: N Argon2id sign-ins would take minutes and
    // measure nothing this benchmark is about.
    staff::Accounts accounts(*store, writer, clock);
    auto supervisor = accounts.Create(
        {"bench.supervisor", "Bench", "bench-password-1234", {{"supervisor"}, {"police"}, {"en"}, {}}}, "bench");
    if (!supervisor) return 1;
    staff::Sessions sessions(*store, writer, keys, clock);
    auto first = sessions.SignIn("bench.supervisor", "bench-password-1234", "");
    if (!first || !first->totp_secret) return 1;
    auto secret = crypto::Base32Decode(*first->totp_secret);
    if (!secret || !sessions.ConfirmTotp(first->token, crypto::TotpCode(*secret, clock.Now() / 1000))) return 1;
    std::vector<std::string> tokens = {first->token};
    while (static_cast<int>(tokens.size()) < clients) {
        std::string token = crypto::RandomToken();
        store::SessionRow row{crypto::Sha256Hex(token), supervisor->id, crypto::Sha256Hex(crypto::RandomToken()), true,
                              clock.Now(), clock.Now()};
        if (!writer.Run([&row](store::Tx& tx) { return tx.InsertSession(row); })) return 1;
        tokens.push_back(std::move(token));
    }

    http::Metrics metrics;
    events::Bus bus;
    auto api = std::make_unique<api::Api>(services, metrics, 32);
    api->AttachEvents(bus);
    http::ServerOptions options;
    options.metrics = &metrics;
    http::Server server(options, api->Routes());
    if (!server.Start()) return 1;

    net::io_context client_ioc;
    Tally tally;
    std::vector<std::shared_ptr<Watcher>> watchers;
    const auto connect_started = Clock::now();
    for (const auto& token : tokens) {
        auto w = std::make_shared<Watcher>(client_ioc, tally);
        w->Open(server.Port(), token);
        w->Read();
        watchers.push_back(std::move(w));
    }
    const double connect_s = std::chrono::duration<double>(Clock::now() - connect_started).count();
    std::thread client_thread([&client_ioc] { client_ioc.run(); });

    // The publisher: one thread, as telephony's loop, at a steady rate.
    const int total = rate * seconds;
    const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
    auto next = Clock::now();
    std::int64_t publish_ns_max = 0;
    std::int64_t publish_ns_total = 0;
    for (int i = 0; i < total; ++i) {
        std::this_thread::sleep_until(next);
        next += interval;
        events::Event e;
        e.at = clock.Now();
        e.type = "call.queued";
        e.line = "police";
        const std::int64_t before = NowNs();
        e.data = {{"call", "ct_bench" + std::to_string(i)}, {"language", "en"}, {"t", before}};
        bus.Publish(std::move(e));
        const std::int64_t took = NowNs() - before;
        publish_ns_max = std::max(publish_ns_max, took);
        publish_ns_total += took;
    }
    const std::int64_t expected = static_cast<std::int64_t>(total) * clients;
    const auto drain_until = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < drain_until) {
        {
            std::lock_guard lock(tally.mu);
            if (tally.received >= expected) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    std::vector<std::int64_t> latencies;
    std::int64_t received = 0;
    {
        std::lock_guard lock(tally.mu);
        latencies = tally.latencies_ns;
        received = tally.received;
    }
    std::sort(latencies.begin(), latencies.end());
    auto at = [&latencies](double q) {
        if (latencies.empty()) return std::int64_t{0};
        return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * latencies.size()))];
    };
    std::printf("console live events: %d WebSocket clients, %d events/s for %d s (%d events)\n", clients, rate,
                seconds, total);
    std::printf("  connected in        %.2f s\n", connect_s);
    std::printf("  delivered           %lld of %lld expected (%.3f%%)\n", static_cast<long long>(received),
                static_cast<long long>(expected), 100.0 * static_cast<double>(received) / static_cast<double>(expected));
    std::printf("  latency p50         %.3f ms\n", Ms(at(0.50)));
    std::printf("  latency p99         %.3f ms\n", Ms(at(0.99)));
    std::printf("  latency max         %.3f ms\n", Ms(latencies.empty() ? 0 : latencies.back()));
    std::printf("  Bus::Publish        mean %.3f ms, max %.3f ms (the publishing thread's cost, %d clients)\n",
                Ms(publish_ns_total / total), Ms(publish_ns_max), clients);
    const std::string rendered = metrics.Render();
    const std::string overflow_name = "\ncrisisline_websocket_overflow_closes_total ";
    if (const auto overflow = rendered.find(overflow_name); overflow != std::string::npos) {
        const auto from = overflow + overflow_name.size();
        std::printf("  overflow closes     %s\n", rendered.substr(from, rendered.find('\n', from) - from).c_str());
    }

    for (auto& w : watchers) net::post(client_ioc, [w] { w->Close(); });
    server.Stop(std::chrono::seconds(2));
    client_ioc.stop();
    client_thread.join();
    api->Drain();
    api.reset();
    writer.Stop();
    std::filesystem::remove_all(dir);
    return received == expected ? 0 : 3;
}

}  // namespace
}  // namespace crisisline::bench

int main(int argc, char** argv) {
    const int clients = argc > 1 ? std::atoi(argv[1]) : 200;
    const int rate = argc > 2 ? std::atoi(argv[2]) : 50;
    const int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
    if (clients < 1 || rate < 1 || seconds < 1) {
        std::fprintf(stderr, "usage: console_events [clients>=1] [events_per_second>=1] [seconds>=1]\n");
        return 2;
    }
    return crisisline::bench::Run(clients, rate, seconds);
}
