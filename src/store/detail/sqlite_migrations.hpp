#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "store/detail/sqlite.hpp"

namespace crisisline::store::detail {

// One step of the schema. Versions start at 1 and rise by one; a released
// migration is never edited, only followed by a new one.
struct Migration {
    std::int64_t version;
    std::string description;
    std::string sql;  // one or more statements
};

// Every migration, in version order.
const std::vector<Migration>& Migrations();

// The triggers that keep audit_log append-only and contiguous: each one's name
// and its definition exactly as SQLite keeps it in sqlite_master.sql.
const std::vector<std::pair<std::string, std::string>>& AuditGuards();

// The database's schema version, or kUnavailable (with the fix in the
// message) when it is newer than LatestSchemaVersion(). Changes nothing.
Result<std::int64_t> RefuseNewer(Connection& conn);

// Brings the database on `conn` up to LatestSchemaVersion() in one
// IMMEDIATE transaction, recording the version in PRAGMA user_version.
// On success returns the version now in force. Fails with kUnavailable when
// the database is newer than this binary, leaving it untouched; on any other
// failure nothing is applied.
// REQUIRES: `conn` is writable and not inside a transaction.
Result<std::int64_t> Migrate(Connection& conn);

}  // namespace crisisline::store::detail
