#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "app.hpp"
#include "checkpointer.hpp"
#include "force_upgrade.hpp"
#include "http/server.hpp"
#include "http/tls.hpp"
#include "media/prompt_set.hpp"
#include "records/call_log.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::app {

namespace {

constexpr auto kFollowUpTick = std::chrono::seconds(30);

// The bearer token GET /metrics asks for: <data>/keys/metrics.token (64 hex characters, mode 0600, made on
// first start), so that a scraper reads it with a credentials file and nobody else reads the server's figures.
Result<std::string> MetricsToken(const DataDir& dir) {
    const std::string path = dir.Keys() + "/metrics.token";
    auto key = crypto::LoadKeyFile(path);
    if (!key && key.error().code == ErrorCode::kNotFound) {
        key = crypto::CreateKeyFile(path);
        if (!key && key.error().code == ErrorCode::kConflict) key = crypto::LoadKeyFile(path);
        if (key) spdlog::info("metrics: created the bearer token {}", path);
    }
    if (!key) return tl::unexpected(key.error());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token;
    for (std::size_t i = 0; i < crypto::SecretKey::size(); ++i) {
        token.push_back(kHex[key->data()[i] >> 4]);
        token.push_back(kHex[key->data()[i] & 0xf]);
    }
    return token;
}

// coturn's static-auth-secret from `path`: a regular file only its owner may read, one line (trailing spaces
// and newlines dropped), at least 16 characters.
Result<std::string> LoadTurnSecret(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return Fail(ErrorCode::kInvalid, "secret_file", "turn.secret_file " + path + " is not a readable file");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return Fail(ErrorCode::kInvalid, "secret_file",
                    "turn.secret_file " + path + " can be read or written by group or others; run: chmod 600 " + path);
    }
    std::ifstream in(path);
    std::string secret;
    std::getline(in, secret);
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
    if (secret.size() < 16) {
        return Fail(ErrorCode::kInvalid, "secret_file",
                    "turn.secret_file " + path + " must hold a secret of at least 16 characters (openssl rand -hex 32)");
    }
    return secret;
}

Result<std::pair<std::string, std::uint16_t>> SplitListen(const std::string& listen) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return Fail(ErrorCode::kInvalid, "listen", "must be host:port, e.g. 127.0.0.1:8080");
    try {
        int port = std::stoi(listen.substr(colon + 1));
        if (port < 0 || port > 65535) throw std::out_of_range("port");
        return std::make_pair(listen.substr(0, colon), static_cast<std::uint16_t>(port));
    } catch (const std::exception&) {
        return Fail(ErrorCode::kInvalid, "listen", "the port in '" + listen + "' is not a number from 0 to 65535");
    }
}

// Moves follow-ups to their status at the current time every 30 s, and
// hands telephony the current lines and counsellors (so an administrator's
// change reaches the phones within 30 s), until told to stop. The state lives
// in the database, so a restart loses nothing.
class FollowUpTicker {
public:
    FollowUpTicker(records::FollowUps& follow_ups, records::Services services, telephony::Telephony* telephony)
        : follow_ups_(follow_ups), services_(services), telephony_(telephony), thread_([this] { Loop(); }) {}
    ~FollowUpTicker() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

private:
    void Loop() {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, kFollowUpTick, [this] { return stop_; })) {
            lock.unlock();
            auto changed = follow_ups_.Tick();
            if (!changed) {
                spdlog::warn("follow-up schedule update failed: {}", changed.error().message);
            } else if (*changed > 0) {
                spdlog::info("follow-up schedule: {} follow-ups changed status", *changed);
            }
            if (telephony_) {
                if (auto book = records::LoadTelephonyBook(services_)) {
                    telephony_->Reload(std::move(*book));
                } else {
                    spdlog::warn("telephony: could not reload lines and counsellors: {}", book.error().message);
                }
            }
            lock.lock();
        }
    }

    records::FollowUps& follow_ups_;
    records::Services services_;
    telephony::Telephony* telephony_;
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Raises the soft open-file limit to the hard one: each HTTP connection, SIP TCP connection and media socket
// is a descriptor, and the default soft limit (often 1024) is far below what a busy night needs.
void RaiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (limit.rlim_cur >= wanted) return;
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        spdlog::warn("could not raise the open-file limit from {}; HTTP connections are capped to fit it", before);
        return;
    }
    spdlog::info("open-file limit raised from {} to {}", before, wanted);
}

// The SIP TLS certificate and key pass the same checks as HTTPS's (readable PEM, matching, the key mode 0600
// or 0400), named by their telephony settings.
Result<void> CheckSipTlsFiles(const telephony::TelephonyConfig& config) {
    if (!config.enabled || config.tls_listen.empty()) return {};
    auto usable = http::CheckTlsFiles({config.tls_certificate, config.tls_key});
    if (usable) return {};
    auto error = usable.error();
    for (auto at = error.message.find("server.tls_"); at != std::string::npos; at = error.message.find("server.tls_")) {
        error.message.replace(at, 7, "telephony.");
    }
    error.field = "telephony." + error.field;
    return tl::unexpected(error);
}

// SIGHUP: each TLS certificate is read again; new handshakes present the new one, connections up keep theirs.
void ReloadCertificates(http::Server& server, telephony::Telephony* phones, const ServeOptions& options) {
    if (!server.Secure()) {
        spdlog::info("received SIGHUP; plain HTTP has no certificate to reload");
    } else if (auto reloaded = server.ReloadTls(); reloaded) {
        spdlog::info("received SIGHUP; tls certificate reloaded from {}: new connections use it", options.tls.certificate);
    } else {
        spdlog::error("received SIGHUP; tls certificate not reloaded, the previous one stays: {}",
                      reloaded.error().message);
    }
    if (!phones || options.telephony.tls_listen.empty()) return;
    auto reloaded = CheckSipTlsFiles(options.telephony);
    if (reloaded) reloaded = phones->ReloadTls();
    if (reloaded) {
        spdlog::info("received SIGHUP; SIP TLS certificate reloaded from {}: new handshakes use it, calls go on",
                     options.telephony.tls_certificate);
    } else {
        spdlog::error("received SIGHUP; SIP TLS certificate not reloaded, the previous one stays: {}",
                      reloaded.error().message);
    }
}

}  // namespace

int Serve(const DataDir& dir, ServeOptions options) {
    auto address = SplitListen(options.listen);
    if (!address) {
        spdlog::error("--listen {}", address.error().message);
        return 2;
    }
    // Before anything is opened: a certificate that cannot be used, or plain HTTP where it must not be, is one
    // line and exit 2, not a half-started server.
    if (options.tls.Enabled()) {
        if (auto usable = http::CheckTlsFiles(options.tls); !usable) {
            std::fprintf(stderr, "crisisline serve: %s\n", usable.error().message.c_str());
            return 2;
        }
    }
    if (auto sip_tls = CheckSipTlsFiles(options.telephony); !sip_tls) {
        std::fprintf(stderr, "crisisline serve: %s\n", sip_tls.error().message.c_str());
        return 2;
    }
    if (auto plain = http::CheckPlainListener(address->first, options.tls.Enabled(), options.allow_plain_http);
        !plain) {
        std::fprintf(stderr, "crisisline serve: %s\n", plain.error().message.c_str());
        return 2;
    }
    if (!options.turn_secret_file.empty()) {
        auto secret = LoadTurnSecret(options.turn_secret_file);
        if (!secret) {
            std::fprintf(stderr, "crisisline serve: %s\n", secret.error().message.c_str());
            return 2;
        }
        options.turn.secret = std::move(*secret);
    }
    // Block the stop signals (and SIGHUP, the TLS reload) in every thread; the main thread waits for them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    RaiseOpenFileLimit();
    auto opened = Opened::Open(dir, false);
    if (!opened) {
        spdlog::error("{}", opened.error().message);
        return 1;
    }
    if (auto keys = (*opened)->CheckLineKeys(); !keys) {
        spdlog::error("{}", keys.error().message);
        return 1;
    }
    auto metrics_token = MetricsToken(dir);
    if (!metrics_token) {
        spdlog::error("metrics token: {}", metrics_token.error().message);
        return 1;
    }
    http::Metrics metrics;
    // Declared before the Api, so that it outlives the Api's subscription on every way out of here.
    events::Bus bus;
    auto api = std::make_unique<api::Api>((*opened)->Services(), metrics, options.workers);
    api->AttachEvents(bus);  // the console's live events, with telephony or without
    api->RequireMetricsToken(std::move(*metrics_token));
    api->AttachTurn(options.turn);
    http::ServerOptions server_options;
    server_options.address = address->first;
    server_options.port = address->second;
    server_options.threads = options.io_threads > 0 ? options.io_threads : std::min(http::AvailableCpus(), 64);
    server_options.static_dir = options.static_dir;
    server_options.metrics = &metrics;
    server_options.max_connections = options.max_connections;
    server_options.max_connections_per_address = options.max_connections_per_address;
    server_options.trusted_proxies = options.trusted_proxies;
    server_options.tls = options.tls;
    server_options.allow_plain_http = options.allow_plain_http;
    // Bring follow-ups up to date before the first request, so nobody sees yesterday's status.
    if (auto changed = api->FollowUpsService().Tick(); !changed) {
        spdlog::error("follow-up schedule: {}", changed.error().message);
        return 1;
    }
    // The SIP side: lines, counsellors' phone accounts and prompts are read before the first call.
    records::CallLog call_log((*opened)->Services());
    records::PhoneRegistrations registrations((*opened)->Services());
    std::unique_ptr<telephony::Telephony> phones;
    const std::string prompts_dir = options.telephony.prompts_dir.empty() ? dir.root + "/prompts"
                                    : options.telephony.prompts_dir.front() == '/'
                                        ? options.telephony.prompts_dir
                                        : dir.root + "/" + options.telephony.prompts_dir;
    std::vector<std::string> fell_back;  // prompts the running telephony plays generated audio for
    // The previous process may have stopped without ending its calls (kill -9, a crash): end them now, before
    // any new call can arrive, whether or not this one runs telephony.
    auto cut_short = call_log.EndUnfinished();
    if (!cut_short) {
        spdlog::error("telephony: could not end the calls left unfinished: {}", cut_short.error().message);
        return 1;
    }
    if (!cut_short->empty()) {
        spdlog::warn("telephony: {} calls left unfinished by the previous process were ended (server_restart)",
                     cut_short->size());
    }
    if (options.telephony.enabled) {
        auto services = (*opened)->Services();
        auto book = records::LoadTelephonyBook(services);
        if (!book) {
            spdlog::error("telephony: {}", book.error().message);
            return 1;
        }
        auto prompts = media::LoadPromptSet(prompts_dir);
        if (!prompts) {
            spdlog::error("telephony prompts: {}", prompts.error().message);
            return 1;
        }
        fell_back = prompts->fell_back;
        auto& routing = metrics.AddHistogram(
            "crisisline_routing_seconds",
            "From the event that made a phone ring (caller queued, counsellor available, timer) to its INVITE sent",
            {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05});
        // What the previous process left: its phones' registrations, and the counsellors whose calls it cut.
        telephony::Carryover carried;
        carried.cut_short = std::move(*cut_short);
        auto restored = registrations.Load();
        if (!restored) {
            spdlog::error("telephony: could not read the phone registrations: {}", restored.error().message);
            return 1;
        }
        carried.registrations = std::move(*restored);
        phones = std::make_unique<telephony::Telephony>(options.telephony, std::move(*prompts), call_log,
                                                        registrations, bus, (*opened)->clock,
                                                        [&routing](double seconds) { routing.Observe(seconds); });
        if (auto started = phones->Start(*book, carried); !started) {
            spdlog::error("{}", started.error().message);
            return 1;
        }
        api->AttachTelephony(*phones, bus);
    }
    api->AttachTelephonySetup(options.telephony, prompts_dir, std::move(fell_back));
    const std::string checkpoint_file =
        options.audit_checkpoint_file.empty()       ? dir.AuditCheckpoints()
        : options.audit_checkpoint_file.front() == '/' ? options.audit_checkpoint_file
                                                       : dir.root + "/" + options.audit_checkpoint_file;
    api->AttachAuditCheckpoints(checkpoint_file);
    api->SetStaffChangeLifetime(static_cast<TimeMs>(options.staff_change_approval_s) * 1000);
    api->LimitReports(options.report_requests_per_hour);
    api->LimitStaffingPlans(options.report_requests_per_hour);  // the same allowance, counted apart
    auto checkpointer = std::make_unique<Checkpointer>(*(*opened)->store, *(*opened)->chain.key, (*opened)->clock,
                                                       checkpoint_file,
                                                       std::chrono::seconds(options.audit_checkpoint_s));
    http::Server server(server_options, api->Routes());
    if (auto started = server.Start(); !started) {
        spdlog::error("{}", started.error().message);
        return 1;
    }
    auto ticker = std::make_unique<FollowUpTicker>(api->FollowUpsService(), (*opened)->Services(), phones.get());
    // Contacts written before schema version 8 get their force sealed for the reports, in the background.
    auto force_upgrade = std::make_unique<ForceUpgrade>((*opened)->Services());
    const std::string scheme = server.Secure() ? "https://" : "http://";
    spdlog::info("crisisline serving on {}{}:{}/", scheme, address->first, server.Port());
    const std::string base = scheme + address->first + ":" + std::to_string(server.Port());
    std::printf("\ncrisisline is running (Ctrl-C stops it):\n");
    if (!options.static_dir.empty()) {
        std::printf("  console          %s/  (sign in; counsellors land on %s/desk)\n"
                    "  wallboard        %s/wallboard  (large screen: /wallboard/large)\n"
                    "  administration   %s/admin\n"
                    "  public page      %s/info/<line id>  and its poster /info/<line id>/poster\n",
                    base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str());
    } else {
        std::printf("  console          not served (start with --static web/dist after `make web`)\n");
    }
    std::printf("  API              %s/api/v1\n"
                "  health           %s/healthz  and  /readyz\n"
                "  metrics          %s/metrics  (Authorization: Bearer <keys/metrics.token>)\n\n",
                base.c_str(), base.c_str(), base.c_str());
    if (phones) {
        auto hp = telephony::SplitHostPort(options.telephony.listen, "listen");
        std::printf("  SIP              sip:%s:%u  (udp and tcp; counsellor phones register here)\n",
                    hp ? hp->first.c_str() : "?", phones->SipPort());
        if (phones->TlsPort()) {
            auto tls_hp = telephony::SplitHostPort(options.telephony.tls_listen, "tls_listen");
            std::printf("  SIP over TLS     sips:%s:%u\n", tls_hp ? tls_hp->first.c_str() : "?", phones->TlsPort());
        }
        std::printf("\n");
    }
    std::fflush(stdout);

    int signal = 0;
    while (sigwait(&stop_signals, &signal) == 0 && signal == SIGHUP) ReloadCertificates(server, phones.get(), options);
    spdlog::info("received {}; finishing requests in flight", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    server.Stop();  // stops accepting, lets in-flight requests finish
    ticker.reset();
    force_upgrade.reset();  // after the batch in progress; before the writer drains
    if (phones) phones->Stop();  // every call ends and its record is queued before the writer drains
    api->Drain();
    api.reset();
    (*opened)->writer->Stop();  // everything answered is durable before exit
    checkpointer.reset();       // the last checkpoint covers the last entry written
    spdlog::info("crisisline stopped cleanly");
    return 0;
}

}  // namespace crisisline::app
