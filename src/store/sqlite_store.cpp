#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "store/detail/sqlite.hpp"
#include "store/detail/sqlite_migrations.hpp"
#include "store/detail/sqlite_tx.hpp"
#include "store/store.hpp"

namespace crisisline::store {
namespace {

using detail::Connection;

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kMaxReaders = 8;

// Runs a caller's unit of work; an exception from it becomes an error, so
// none escapes the store and the transaction is always ended.
Result<void> RunWork(const Work& work, Tx& tx) {
    try {
        return work(tx);
    } catch (...) {
        // The exception's text is not used: it may quote record content.
        return Fail(ErrorCode::kInternal, "storage: a unit of work threw an exception; it was rolled back");
    }
}

// Ends the current transaction without masking the failure that caused it.
void RollBack(Connection& conn) {
    if (conn.InTransaction()) (void)conn.Exec("ROLLBACK");
}

// Creates the file owner-only before SQLite does, so the database (and the
// -wal/-shm files SQLite gives the same mode) never sit world-readable.
Result<void> CreatePrivateFile(const std::string& path, bool must_be_new) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (must_be_new ? O_EXCL : 0);
    const int fd = ::open(path.c_str(), flags, 0600);
    if (fd < 0) {
        const int err = errno;
        if (err == EEXIST) {
            return Fail(ErrorCode::kConflict, "path", path + " already exists; choose a new file for the backup");
        }
        return Fail(ErrorCode::kUnavailable, "path", "cannot create " + path + ": " + std::strerror(err));
    }
    ::close(fd);
    return {};
}

Result<void> ConfigureWriter(Connection& conn) {
    auto mode = conn.Pragma("journal_mode = WAL");
    if (!mode) return tl::unexpected(mode.error());
    if (*mode != "wal") {
        return Fail(ErrorCode::kUnavailable, "storage: the database refused WAL mode (got '" + *mode +
                                                 "'); put the data directory on a local file system");
    }
    for (const char* pragma : {"synchronous = FULL", "foreign_keys = ON", "secure_delete = ON"}) {
        if (auto set = conn.Pragma(pragma); !set) return tl::unexpected(set.error());
    }
    return {};
}

// Connections for Read: read-only at open and by pragma, so a write inside
// Read fails instead of slipping past the writer.
class ReaderPool {
public:
    explicit ReaderPool(std::string path) : path_(std::move(path)) {}

    class Lease {
    public:
        Lease(ReaderPool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) pool_.Return(std::move(conn_));
        }
        Connection& operator*() const { return *conn_; }

    private:
        ReaderPool& pool_;
        std::unique_ptr<Connection> conn_;
    };

    // An idle connection, a new one while fewer than kMaxReaders exist, or
    // the next one returned.
    Result<Lease> Acquire() {
        std::unique_lock lock(mu_);
        returned_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxReaders; });
        if (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(conn));
        }
        ++open_;
        lock.unlock();
        auto conn = OpenReader();
        if (!conn) {
            Forget();
            return tl::unexpected(conn.error());
        }
        return Lease(*this, std::move(*conn));
    }

private:
    Result<std::unique_ptr<Connection>> OpenReader() {
        auto conn = Connection::Open(path_, SQLITE_OPEN_READONLY);
        if (!conn) return conn;
        if (auto set = (*conn)->Pragma("query_only = ON"); !set) return tl::unexpected(set.error());
        sqlite3_busy_timeout((*conn)->Raw(), kBusyTimeoutMs);
        return conn;
    }

    void Return(std::unique_ptr<Connection> conn) {
        RollBack(*conn);  // a lease never hands on an open transaction
        {
            std::lock_guard lock(mu_);
            idle_.push_back(std::move(conn));
        }
        returned_.notify_one();
    }

    void Forget() {
        {
            std::lock_guard lock(mu_);
            --open_;
        }
        returned_.notify_one();
    }

    const std::string path_;
    std::mutex mu_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
    size_t open_ = 0;                                // guarded by mu_; idle plus leased
};

class SqliteStore final : public Store {
public:
    SqliteStore(std::string path, std::unique_ptr<Connection> writer, std::int64_t version)
        : path_(std::move(path)), writer_(std::move(writer)), readers_(path_), version_(version) {}

    Result<void> Write(const Work& work) override;
    std::vector<Result<void>> WriteBatch(const std::vector<Work>& works) override;
    Result<void> Read(const Work& work) override;
    Result<void> Backup(const std::string& path) override;
    std::int64_t SchemaVersion() const override { return version_; }

private:
    Result<void> RunUnit(const Work& work, detail::SqliteTx& tx);
    Result<void> CopyTo(Connection& source, const std::string& path);

    const std::string path_;
    // Write and WriteBatch are documented for the single writer thread; the
    // mutex makes a second caller wait rather than corrupt the transaction.
    std::mutex write_mu_;
    std::unique_ptr<Connection> writer_;  // guarded by write_mu_
    ReaderPool readers_;
    const std::int64_t version_;
};

Result<void> SqliteStore::Write(const Work& work) {
    std::lock_guard lock(write_mu_);
    Connection& conn = *writer_;
    if (auto begun = conn.Exec("BEGIN IMMEDIATE"); !begun) return begun;
    detail::SqliteTx tx(conn);
    if (auto done = RunWork(work, tx); !done) {
        RollBack(conn);
        return done;
    }
    if (auto committed = conn.Exec("COMMIT"); !committed) {
        RollBack(conn);
        return committed;
    }
    return {};
}

// One unit inside the batch transaction, in its own savepoint.
Result<void> SqliteStore::RunUnit(const Work& work, detail::SqliteTx& tx) {
    Connection& conn = *writer_;
    if (auto saved = conn.Exec("SAVEPOINT unit"); !saved) return saved;
    auto done = RunWork(work, tx);
    if (done) done = conn.Exec("RELEASE unit");
    if (!done && conn.InTransaction()) {
        (void)conn.Exec("ROLLBACK TO unit");
        (void)conn.Exec("RELEASE unit");
    }
    return done;
}

std::vector<Result<void>> SqliteStore::WriteBatch(const std::vector<Work>& works) {
    std::vector<Result<void>> results;
    if (works.empty()) return results;
    std::lock_guard lock(write_mu_);
    Connection& conn = *writer_;
    if (auto begun = conn.Exec("BEGIN IMMEDIATE"); !begun) return std::vector<Result<void>>(works.size(), begun);
    detail::SqliteTx tx(conn);
    results.reserve(works.size());
    for (const Work& work : works) {
        results.push_back(RunUnit(work, tx));
        if (!conn.InTransaction()) {
            // SQLite ended the whole transaction itself (I/O error, disk full):
            // the units before this one are lost too, and none after can run.
            Result<void> lost = results.back() ? Fail(ErrorCode::kUnavailable,
                                                      "storage: the batch transaction ended unexpectedly; retry")
                                               : results.back();
            return std::vector<Result<void>>(works.size(), lost);
        }
    }
    if (auto committed = conn.Exec("COMMIT"); !committed) {
        RollBack(conn);
        return std::vector<Result<void>>(works.size(), committed);
    }
    return results;
}

Result<void> SqliteStore::Read(const Work& work) {
    auto lease = readers_.Acquire();
    if (!lease) return tl::unexpected(lease.error());
    Connection& conn = **lease;
    if (auto begun = conn.Exec("BEGIN"); !begun) return begun;
    detail::SqliteTx tx(conn);
    auto done = RunWork(work, tx);
    if (!done) {
        RollBack(conn);
        return done;
    }
    if (auto ended = conn.Exec("COMMIT"); !ended) {
        RollBack(conn);
        return ended;
    }
    return {};
}

Result<void> SqliteStore::Backup(const std::string& path) {
    if (path.empty()) return Fail(ErrorCode::kInvalid, "path", "the backup path is empty; name a new file");
    if (auto created = CreatePrivateFile(path, true); !created) return created;
    auto lease = readers_.Acquire();
    Result<void> copied = lease ? CopyTo(**lease, path) : Result<void>(tl::unexpected(lease.error()));
    if (!copied) ::unlink(path.c_str());  // no half-written backup is left to be mistaken for a good one
    return copied;
}

Result<void> SqliteStore::CopyTo(Connection& source, const std::string& path) {
    auto target = Connection::Open(path, SQLITE_OPEN_READWRITE);
    if (!target) return tl::unexpected(target.error());
    sqlite3* dest = (*target)->Raw();
    sqlite3_backup* backup = sqlite3_backup_init(dest, "main", source.Raw(), "main");
    if (backup == nullptr) return tl::unexpected(detail::SqliteError(dest, sqlite3_extended_errcode(dest), "backup"));
    // One step copies every page under a single read lock: a consistent snapshot
    // while the writer carries on in the WAL.
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE) return tl::unexpected(detail::SqliteError(nullptr, stepped, "backup"));
    if (finished != SQLITE_OK) return tl::unexpected(detail::SqliteError(dest, finished, "backup"));
    return {};
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options) {
    if (options.path.empty())
        return Fail(ErrorCode::kInvalid, "path", "the database path is empty; set the data directory");
    if (auto created = CreatePrivateFile(options.path, false); !created) return tl::unexpected(created.error());
    auto conn = Connection::Open(options.path, SQLITE_OPEN_READWRITE);
    if (!conn) return tl::unexpected(conn.error());
    sqlite3_busy_timeout((*conn)->Raw(), kBusyTimeoutMs);
    // Checked before anything is set, so a newer database is left exactly as it was;
    // Migrate checks again inside its transaction.
    if (auto newer = detail::RefuseNewer(**conn); !newer) return tl::unexpected(newer.error());
    if (auto configured = ConfigureWriter(**conn); !configured) return tl::unexpected(configured.error());
    auto version = detail::Migrate(**conn);
    if (!version) return tl::unexpected(version.error());
    return std::make_unique<SqliteStore>(options.path, std::move(*conn), *version);
}

}  // namespace crisisline::store
