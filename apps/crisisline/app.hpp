#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
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
};

// The storage stack every command needs, opened in dependency order and
// closed in reverse (the writer drains before the store closes).
class Opened {
public:
    // Fails with one clear line when the directory is not initialised, a key
    // file is unsafe or the database is newer than this binary.
    static Result<std::unique_ptr<Opened>> Open(const DataDir& dir, bool create);

    records::Services Services() { return {*store, *writer, keys, clock}; }

    SystemClock clock;
    crypto::Keyring keys;
    std::unique_ptr<store::Store> store;
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
    telephony::TelephonyConfig telephony;  // [telephony]; enabled = false: no SIP side
};

// Runs the server until SIGTERM or SIGINT; returns the process exit code.
int Serve(const DataDir& dir, ServeOptions options);

// Creates the data directory, keys and database; with `demo`, a demo line,
// demo staff (whose passwords are printed once) and a demo directory.
int Init(const DataDir& dir, bool demo);

}  // namespace crisisline::app
