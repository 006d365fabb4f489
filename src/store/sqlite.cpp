#include "store/detail/sqlite.hpp"

#include <utility>

namespace crisisline::store::detail {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
    ErrorCode code = ErrorCode::kInternal;
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            code = ErrorCode::kUnavailable;
            break;
        case SQLITE_FULL:
            code = ErrorCode::kUnavailable;
            break;
        case SQLITE_CONSTRAINT:
            code = ErrorCode::kConflict;
            break;
        default:
            break;
    }
    // sqlite3_errmsg describes the most recent failure on `db`; when `rc` came
    // from elsewhere (a bind), fall back to the generic text for the code.
    const char* text = (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string message = "storage: ";
    message.append(what);
    message.append(": ");
    message.append(text != nullptr ? text : "unknown error");
    if (code == ErrorCode::kUnavailable) message.append(" (storage is busy or full; try again shortly)");
    return Error{code, "", std::move(message)};
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_), last_rc_(other.last_rc_) {}

Statement::~Statement() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void Statement::Bind(int index, std::string_view text) {
    // An empty view may carry a null pointer, which SQLite would bind as NULL.
    const char* data = text.empty() ? "" : text.data();
    Remember(sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::Bind(int index, const Bytes& blob) {
    if (blob.empty()) {
        Remember(sqlite3_bind_zeroblob(stmt_, index, 0));
        return;
    }
    Remember(sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT));
}

void Statement::Bind(int index, std::optional<std::int64_t> value) {
    if (!value) {
        Remember(sqlite3_bind_null(stmt_, index));
        return;
    }
    Remember(sqlite3_bind_int64(stmt_, index, *value));
}

Result<bool> Statement::Step(std::string_view what) {
    if (bind_rc_ != SQLITE_OK) {
        last_rc_ = bind_rc_;
        return tl::unexpected(SqliteError(nullptr, bind_rc_, what));
    }
    last_rc_ = sqlite3_step(stmt_);
    if (last_rc_ == SQLITE_ROW) return true;
    if (last_rc_ == SQLITE_DONE) return false;
    // The extended code of the failed step is the connection's current error.
    last_rc_ = sqlite3_extended_errcode(db_);
    return tl::unexpected(SqliteError(db_, last_rc_, what));
}

Result<void> Statement::Run(std::string_view what) {
    for (;;) {
        auto row = Step(what);
        if (!row) return tl::unexpected(row.error());
        if (!*row) return {};
    }
}

std::string Statement::Text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);  // after column_text, as SQLite documents
    if (data == nullptr) return {};
    return std::string(data, static_cast<size_t>(size));
}

std::optional<std::int64_t> Statement::OptionalInt(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, column);
}

Bytes Statement::Blob(int column) const {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return {};  // SQLite returns null for an empty BLOB
    return Bytes(data, data + size);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    DatabaseHandle db(raw);  // sqlite3_open_v2 may hand back a handle even on failure
    if (rc != SQLITE_OK) {
        const char* text = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        return Fail(ErrorCode::kUnavailable, "path",
                    "cannot open the database " + path + ": " + text +
                        "; check that the data directory exists and is writable by crisisline");
    }
    sqlite3_extended_result_codes(raw, 1);
    return std::unique_ptr<Connection>(new Connection(std::move(db)));
}

Result<Statement> Connection::Prepare(const std::string& sql, std::string_view what) {
    auto found = cache_.find(sql);
    if (found != cache_.end()) return Statement(db_.get(), found->second.get());
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size() + 1),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StatementHandle stmt(raw);
    if (rc != SQLITE_OK) return tl::unexpected(SqliteError(db_.get(), sqlite3_extended_errcode(db_.get()), what));
    if (!stmt) return Fail(ErrorCode::kInternal, "storage: " + std::string(what) + ": empty statement");
    auto [inserted, _] = cache_.emplace(sql, std::move(stmt));
    return Statement(db_.get(), inserted->second.get());
}

Result<void> Connection::Exec(const std::string& sql) {
    auto stmt = Prepare(sql, sql);
    if (!stmt) return tl::unexpected(stmt.error());
    return stmt->Run(sql);
}

Result<void> Connection::ExecScript(const std::string& sql, std::string_view what) {
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return tl::unexpected(SqliteError(db_.get(), sqlite3_extended_errcode(db_.get()), what));
    return {};
}

Result<std::string> Connection::Pragma(const std::string& pragma) {
    // Pragmas are run uncached: some (journal_mode) cannot be re-stepped usefully.
    sqlite3_stmt* raw = nullptr;
    const std::string sql = "PRAGMA " + pragma;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
        return tl::unexpected(SqliteError(db_.get(), sqlite3_extended_errcode(db_.get()), sql));
    }
    StatementHandle stmt(raw);
    Statement use(db_.get(), stmt.get());
    auto row = use.Step(sql);
    if (!row) return tl::unexpected(row.error());
    return *row ? use.Text(0) : std::string();
}

}  // namespace crisisline::store::detail
