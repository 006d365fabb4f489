#pragma once

#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "store/rows.hpp"

// Thin RAII wrappers over the SQLite C API, private to the store.
namespace crisisline::store::detail {

struct DatabaseCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, DatabaseCloser>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// The Error for a failed SQLite call: kUnavailable when storage is busy or
// full, kConflict for a constraint, kInternal otherwise. The message names
// `what` (an operation or table) and SQLite's own text, which never holds
// bound values.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement borrowed from a Connection's cache. On destruction it
// is reset and its bindings cleared, ready for the next use. Move-only.
// Parameters are numbered from 1, columns from 0, as in SQLite.
class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Binding never fails on its own: the first bad bind is reported by Step().
    void Bind(int index, std::string_view text);
    void Bind(int index, const char* text) { Bind(index, std::string_view(text)); }
    void Bind(int index, const std::string& text) { Bind(index, std::string_view(text)); }
    void Bind(int index, const Bytes& blob);                  // an empty vector binds an empty BLOB, never NULL
    void Bind(int index, std::optional<std::int64_t> value);  // nullopt binds NULL
    template <std::integral T>
    void Bind(int index, T value) {
        Remember(sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value)));
    }

    // Binds `values` to parameters 1, 2, 3, ... in order.
    template <class... Values>
    void BindAll(const Values&... values) {
        int index = 0;
        (Bind(++index, values), ...);
    }

    // Advances: true when a row is ready, false when the statement is done.
    // On failure, `what` names the table or operation in the error.
    Result<bool> Step(std::string_view what);
    // Runs a statement that returns no rows to completion.
    Result<void> Run(std::string_view what);
    // The extended result code of the last Step, for telling constraint kinds apart.
    int LastCode() const { return last_rc_; }
    // Rows changed by the last completed INSERT, UPDATE or DELETE on this connection.
    std::int64_t Changes() const { return sqlite3_changes64(db_); }

    std::string Text(int column) const;
    std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
    bool Bool(int column) const { return Int(column) != 0; }
    std::optional<std::int64_t> OptionalInt(int column) const;
    Bytes Blob(int column) const;

private:
    void Remember(int rc) {
        if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_;
    int bind_rc_ = SQLITE_OK;
    int last_rc_ = SQLITE_OK;
};

// One SQLite connection with a cache of prepared statements, keyed by SQL text.
// REQUIRES: used by one thread at a time (the pool and the writer mutex ensure it).
class Connection {
public:
    // Opens `path` with sqlite3_open_v2 `flags` (SQLITE_OPEN_NOMUTEX is added).
    // Fails with kUnavailable naming the path.
    static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags);

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // A cached statement for `sql`, preparing it on first use. `sql` must be
    // one statement. Fails with kInternal naming `what`.
    Result<Statement> Prepare(const std::string& sql, std::string_view what);
    // Prepares (cached) and runs one statement that returns no rows.
    Result<void> Exec(const std::string& sql);
    // Runs several statements once, uncached (migrations).
    Result<void> ExecScript(const std::string& sql, std::string_view what);
    // Runs "PRAGMA name" or "PRAGMA name=value" and returns the first column of
    // its first row as text ("" when it returns no row).
    Result<std::string> Pragma(const std::string& pragma);

    bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }
    sqlite3* Raw() const { return db_.get(); }

private:
    explicit Connection(DatabaseHandle db) : db_(std::move(db)) {}

    DatabaseHandle db_;  // declared first: statements are finalized before the database closes
    std::unordered_map<std::string, StatementHandle> cache_;
};

}  // namespace crisisline::store::detail
