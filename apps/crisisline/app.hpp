#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/turn_credentials.hpp"
#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "http/tls.hpp"
#include "records/services.hpp"
#include "store/store.hpp"
#include "telephony/config.hpp"
#include "writer/writer.hpp"

namespace crisisline::app {

// Where a crisisline installation keeps its state.
struct DataDir {
    std::string root;  // e.g. ./var
    std::string Database() const { return root + "/crisisline.db"; }
    std::string Keys() const { return root + "/keys"; }
    std::string Config() const { return root + "/crisisline.toml"; }
    std::string AuditCheckpoints() const { return root + "/audit-checkpoints"; }
};

// The storage stack every command needs, opened in dependency order and
// closed in reverse (the writer drains before the store closes).
class Opened {
public:
    // Fails with one clear line when the directory is not initialised, a key
    // file is unsafe or the database is newer than this binary. The first open by
    // a crisisline with the keyed audit chain upgrades the directory to it
    // (records::OpenAuditChain).
    static Result<std::unique_ptr<Opened>> Open(const DataDir& dir, bool create);

    records::Services Services() { return {*store, *writer, keys, clock}; }
    // Loads every line's key, so that a missing or unsafe key file (mode 0644) stops `serve` at start
    // with the fix, instead of failing a counsellor's request later. Fails with the first problem found.
    [[nodiscard]] Result<void> CheckLineKeys();

    SystemClock clock;
    crypto::Keyring keys;
    std::unique_ptr<store::Store> store;
    audit::ChainKey chain;  // the audit key (in `keys`) and where the keyed chain begins
    std::unique_ptr<writer::StorageWriter> writer;

    explicit Opened(std::string key_dir) : keys(std::move(key_dir)) {}
    ~Opened();
};

struct ServeOptions {
    std::string listen = "127.0.0.1:8080";
    int io_threads = 0;  // 0: one per CPU the process may run on (http::AvailableCpus), at most 64
    int workers = 32;
    std::string static_dir;
    // [server] limits and proxies, as http::ServerOptions (0: derived from the open-file limit).
    std::size_t max_connections = 0;
    std::size_t max_connections_per_address = 256;
    std::vector<std::string> trusted_proxies;
    // [server] tls_certificate and tls_key (PEM; relative to the data directory), or --tls-certificate and
    // --tls-key: HTTPS. Without them plain HTTP, which only loopback gets unless allow_plain_http is set.
    http::TlsFiles tls;
    bool allow_plain_http = false;
    // [turn] urls, secret_file (relative to the data directory; mode 0600, coturn's static-auth-secret) and
    // credential_lifetime_s: TURN for the browser phone (GET /api/v1/session/ice-servers). The secret is read by
    // Serve.
    api::TurnSettings turn;
    std::string turn_secret_file;
    telephony::TelephonyConfig telephony;  // [telephony]; enabled = false: no SIP side
    std::string audit_checkpoint_file;     // [audit] checkpoint_file; empty: <data>/audit-checkpoints
    int audit_checkpoint_s = 300;          // [audit] checkpoint_interval_s: how often the head is checkpointed
    int staff_change_approval_s = 86400;   // [staff] change_approval_s: how long a change waits for a second admin
    std::int64_t report_requests_per_hour = 60;  // [reports] requests_per_hour: per person, then 429
};

// Runs the server until SIGTERM or SIGINT; on SIGHUP reads the TLS certificate and key again. Returns the
// process exit code (2, after one line on stderr, for TLS files that cannot be used or plain HTTP refused).
int Serve(const DataDir& dir, ServeOptions options);

// Creates the data directory, keys and database; with `demo`, a demo line,
// demo staff (whose passwords are printed once) and a demo directory; with `demo_history` too, one fictional
// history of past calls from the pilot to now, for the reports and the staffing forecast alike
// (records::AddDemoHistory).
int Init(const DataDir& dir, bool demo, bool demo_history = false);

}  // namespace crisisline::app
