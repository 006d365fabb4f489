#include "http/server.hpp"

#include <sched.h>
#include <sys/resource.h>

#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

#include "http/detail/connections.hpp"
#include "http/detail/http_session.hpp"
#include "http/detail/listener.hpp"

namespace crisisline::http {
namespace net = boost::asio;

namespace {

constexpr int kMaxThreads = 256;

detail::Instruments RegisterInstruments(Metrics* metrics) {
    detail::Instruments instruments;
    if (metrics == nullptr) {
        return instruments;
    }
    static const char* const kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    for (std::size_t i = 0; i < instruments.requests_by_class.size(); ++i) {
        instruments.requests_by_class.at(i) = &metrics->AddCounter(
            "crisisline_http_requests_total", "HTTP requests answered, by status class.", {{"class", kClasses[i]}});
    }
    instruments.duration =
        &metrics->AddHistogram("crisisline_http_request_duration_seconds",
                               "Time from a request's arrival to its response being queued, in seconds.",
                               {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    instruments.connections_open =
        &metrics->AddGauge("crisisline_http_connections_open", "HTTP connections open now, WebSockets included.");
    instruments.refused_per_address =
        &metrics->AddCounter("crisisline_http_connections_refused_total",
                             "Connections closed as soon as accepted, over a limit.", {{"reason", "address"}});
    instruments.refused_total =
        &metrics->AddCounter("crisisline_http_connections_refused_total",
                             "Connections closed as soon as accepted, over a limit.", {{"reason", "total"}});
    instruments.websockets_open = &metrics->AddGauge("crisisline_websockets_open", "WebSocket connections open now.");
    instruments.websocket_overflows =
        &metrics->AddCounter("crisisline_websocket_overflow_closes_total",
                             "WebSocket clients closed for falling too far behind (1013, try again later).");
    return instruments;
}

Result<void> CheckOptions(const ServerOptions& options) {
    if (options.threads < 1 || options.threads > kMaxThreads) {
        return Fail(ErrorCode::kInvalid, "threads", "threads must be between 1 and 256");
    }
    if (options.body_limit == 0 || options.header_limit < 1024 || options.header_limit > (1U << 20) ||
        options.target_limit == 0) {
        return Fail(ErrorCode::kInvalid, "body_limit",
                    "body_limit and target_limit must be positive and header_limit between 1 KiB and 1 MiB");
    }
    if (options.websocket_read_limit == 0 || options.websocket_queue_messages == 0 ||
        options.websocket_queue_bytes == 0 || options.websocket_idle_timeout.count() <= 0) {
        return Fail(ErrorCode::kInvalid, "websocket_queue_messages",
                    "websocket_read_limit, websocket_queue_messages, websocket_queue_bytes and "
                    "websocket_idle_timeout must be positive");
    }
    if (options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0) {
        return Fail(ErrorCode::kInvalid, "read_timeout", "read_timeout and write_timeout must be positive");
    }
    std::error_code ec;
    if (!options.static_dir.empty() && !std::filesystem::is_directory(options.static_dir, ec)) {
        return Fail(ErrorCode::kInvalid, "static_dir",
                    "static_dir '" + options.static_dir + "' is not a folder; build the console or unset it");
    }
    return {};
}

// The descriptors this process may open (RLIMIT_NOFILE's soft limit); 1024 when it cannot be read.
std::size_t OpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : 1024;
    }
    return static_cast<std::size_t>(limit.rlim_cur);
}

// What the open-file limit leaves for HTTP connections: a quarter of it, and at least 256, is kept for storage,
// SIP, media and the process itself.
std::size_t ConnectionRoom() {
    const std::size_t files = OpenFileLimit();
    const std::size_t kept = std::max<std::size_t>(files / 4, 256);
    return files > kept + 64 ? files - kept : 64;
}

Result<std::size_t> MaxConnections(const ServerOptions& options) {
    const std::size_t room = ConnectionRoom();
    if (options.max_connections == 0) {
        return room;
    }
    if (options.max_connections > room) {
        return Fail(ErrorCode::kInvalid, "max_connections",
                    "max_connections " + std::to_string(options.max_connections) + " is more than the open-file " +
                        "limit of " + std::to_string(OpenFileLimit()) + " leaves (" + std::to_string(room) +
                        "); lower it, or raise the limit (LimitNOFILE= in the systemd unit)");
    }
    return options.max_connections;
}

}  // namespace

int AvailableCpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        return std::max(1, CPU_COUNT(&set));
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

struct Server::Impl {
    Impl(ServerOptions options, std::shared_ptr<const Router> router) : ioc(std::max(1, options.threads)) {
        auto shared = std::make_shared<detail::SessionContext>();
        shared->instruments = RegisterInstruments(options.metrics);
        shared->connections = std::make_shared<detail::Connections>(shared->instruments.connections_open);
        shared->options = std::move(options);
        shared->router = std::move(router);
        context = std::move(shared);
    }

    // Declared first so that it is destroyed last, after everything that holds one of its sockets.
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::shared_ptr<detail::SessionContext> context;  // changed only by Start, before the threads run
    std::shared_ptr<detail::Listener> listener;
    std::vector<std::thread> threads;
    std::uint16_t port = 0;
    bool started = false;
    bool stopped = false;
};

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() {
    Stop();
}

Result<void> Server::Start() {
    Impl& impl = *impl_;
    if (impl.started) {
        return Fail(ErrorCode::kInternal, "the HTTP server was already started; start it once");
    }
    const ServerOptions& options = impl.context->options;
    if (auto checked = CheckOptions(options); !checked) {
        return checked;
    }
    if (!impl.context->router) {
        return Fail(ErrorCode::kInvalid, "router", "the HTTP server needs a router");
    }
    auto proxies = detail::TrustedProxies::Parse(options.trusted_proxies);
    if (!proxies) {
        return tl::unexpected(proxies.error());
    }
    auto max_connections = MaxConnections(options);
    if (!max_connections) {
        return tl::unexpected(max_connections.error());
    }
    impl.context->proxies = std::move(*proxies);
    impl.context->connections = std::make_shared<detail::Connections>(
        impl.context->instruments.connections_open,
        detail::ConnectionLimits{*max_connections, options.max_connections_per_address});
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options.address, ec);
    if (ec) {
        return Fail(ErrorCode::kInvalid, "address",
                    "address '" + options.address + "' is not an IP address such as 127.0.0.1 or ::1");
    }
    if (auto plain = CheckPlainListener(options.address, options.tls.Enabled(), options.allow_plain_http); !plain) {
        return plain;
    }
    if (options.tls.Enabled()) {
        auto loaded = detail::LoadTlsContext(options.tls);
        if (!loaded) {
            return tl::unexpected(loaded.error());
        }
        impl.context->tls = std::make_shared<detail::TlsCredentials>(options.tls, std::move(*loaded));
    }
    auto listener = std::make_shared<detail::Listener>(impl.ioc, impl.context);
    auto port = listener->Listen({address, options.port});
    if (!port) {
        return tl::unexpected(port.error());
    }
    impl.port = *port;
    impl.listener = std::move(listener);
    impl.started = true;
    impl.listener->Run();
    impl.work.emplace(net::make_work_guard(impl.ioc));
    for (int i = 0; i < options.threads; ++i) {
        impl.threads.emplace_back([&ioc = impl.ioc] {
            // Handlers catch their own exceptions; this is for the rare one from Asio itself (bad_alloc).
            while (true) {
                try {
                    ioc.run();
                    return;
                } catch (const std::exception& e) {
                    spdlog::error("http event loop caught an exception: {}", e.what());
                }
            }
        });
    }
    spdlog::info("http listening on {}:{} ({}) with {} I/O thread(s), at most {} connections ({} from one address)",
                 options.address, impl.port, impl.context->tls ? "https" : "plain http", options.threads,
                 *max_connections, options.max_connections_per_address);
    return {};
}

Result<void> Server::ReloadTls() {
    // context->tls is set by Start before the threads run and never changed after.
    if (!impl_->started || !impl_->context->tls) {
        return Fail(ErrorCode::kInvalid, "tls_certificate", "the server is not serving TLS; nothing to reload");
    }
    return impl_->context->tls->Reload();
}

bool Server::Secure() const {
    return impl_->context->tls != nullptr;
}

std::uint16_t Server::Port() const {
    return impl_->port;
}

void Server::Stop(std::chrono::milliseconds grace) {
    Impl& impl = *impl_;
    if (!impl.started || impl.stopped) {
        return;
    }
    impl.stopped = true;
    impl.listener->Close();
    detail::Connections& connections = *impl.context->connections;
    connections.BeginStop();
    connections.WaitUntilEmpty(std::chrono::steady_clock::now() + grace);
    impl.work.reset();
    impl.ioc.stop();
    for (auto& thread : impl.threads) {
        thread.join();
    }
    impl.threads.clear();
    connections.Shutdown();
    impl.listener.reset();
    spdlog::info("http stopped");
}

}  // namespace crisisline::http
