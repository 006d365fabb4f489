#include "store/detail/sqlite_migrations.hpp"

#include <cassert>

#include "store/store.hpp"

namespace crisisline::store {
namespace detail {
namespace {

// Version 1: the first schema. Tables are STRICT so a wrongly typed value is
// refused instead of stored. Tenant rows are keyed (line_id, id), and children
// reference their parent within the same line, so no foreign key can point
// across lines. Sealed content is two BLOB columns; an optional time is NULL.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE lines (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    config_json TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE staff (
    id                 TEXT NOT NULL PRIMARY KEY,
    username           TEXT NOT NULL UNIQUE,
    display_name       TEXT NOT NULL,
    profile_json       TEXT NOT NULL,
    password_hash      TEXT NOT NULL,
    totp_secret_sealed BLOB NOT NULL,
    totp_enrolled      INTEGER NOT NULL CHECK (totp_enrolled IN (0, 1)),
    totp_last_step     INTEGER NOT NULL,
    disabled           INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    failed_sign_ins    INTEGER NOT NULL,
    locked_until       INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    token_hash   TEXT NOT NULL PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_hash    TEXT NOT NULL,
    mfa_complete INTEGER NOT NULL CHECK (mfa_complete IN (0, 1)),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_by_staff ON sessions (staff_id);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

CREATE TABLE contacts (
    line_id       TEXT NOT NULL REFERENCES lines (id),
    id            TEXT NOT NULL,
    status        TEXT NOT NULL,
    arrived_at    INTEGER NOT NULL,
    answered_at   INTEGER,
    ended_at      INTEGER,
    counsellor_id TEXT NOT NULL,
    caller_hash   TEXT NOT NULL,
    facts_json    TEXT NOT NULL,
    wrapped_key   BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (line_id, id)
) STRICT;
CREATE INDEX contacts_by_arrival ON contacts (line_id, arrived_at);
CREATE INDEX contacts_by_caller ON contacts (line_id, caller_hash, arrived_at);

CREATE TABLE follow_ups (
    line_id       TEXT NOT NULL,
    id            TEXT NOT NULL,
    contact_id    TEXT NOT NULL,
    status        TEXT NOT NULL,
    earliest      INTEGER NOT NULL,
    latest        INTEGER NOT NULL,
    assigned_to   TEXT NOT NULL,
    attempts_json TEXT NOT NULL,
    max_attempts  INTEGER NOT NULL,
    wrapped_key   BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (line_id, id),
    FOREIGN KEY (line_id, contact_id) REFERENCES contacts (line_id, id)
) STRICT;
CREATE INDEX follow_ups_by_status ON follow_ups (line_id, status, earliest);
CREATE INDEX follow_ups_by_contact ON follow_ups (line_id, contact_id);

CREATE TABLE escalations (
    line_id           TEXT NOT NULL,
    id                TEXT NOT NULL,
    contact_id        TEXT NOT NULL,
    raised_by         TEXT NOT NULL,
    raised_at         INTEGER NOT NULL,
    emergency_service TEXT NOT NULL,
    supervisor_id     TEXT NOT NULL,
    wrapped_key       BLOB NOT NULL,
    ciphertext        BLOB NOT NULL,
    PRIMARY KEY (line_id, id),
    FOREIGN KEY (line_id, contact_id) REFERENCES contacts (line_id, id)
) STRICT;
CREATE INDEX escalations_by_raised ON escalations (line_id, raised_at);
CREATE INDEX escalations_by_contact ON escalations (line_id, contact_id);

CREATE TABLE directory_services (
    line_id      TEXT NOT NULL REFERENCES lines (id),
    id           TEXT NOT NULL,
    service_json TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (line_id, id)
) STRICT;

-- line_id is "" for events that belong to no line (sign-in, staff changes),
-- so it carries no foreign key.
CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;

-- The log is append-only whoever writes to the file. The insert trigger also
-- closes INSERT OR REPLACE (whose implicit delete fires no delete trigger)
-- and keeps the chain contiguous: each entry follows the last one exactly.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
  OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1),
                                   '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
    SELECT RAISE(ABORT, 'audit_log entry does not follow the last entry');
END;

CREATE TABLE retained_counts (
    line_id TEXT NOT NULL REFERENCES lines (id),
    month   TEXT NOT NULL,
    key     TEXT NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (line_id, month, key)
) STRICT;
)sql";

// Version 2: SIP accounts for counsellors' phones. One per member of staff; the
// secret is password-equivalent and sealed with the service key.
constexpr const char* kSipAccounts = R"sql(
CREATE TABLE sip_accounts (
    username      TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL UNIQUE REFERENCES staff (id),
    secret_sealed BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
)sql";

// Version 3: carrier trunks added by an administrator in the console. The digest
// password is sealed with the service key, like a SIP account's.
constexpr const char* kTrunks = R"sql(
CREATE TABLE trunks (
    name          TEXT PRIMARY KEY,
    allow_json    TEXT NOT NULL,
    username      TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    outbound      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
)sql";

// Version 4: counsellor phones' registrations, so routing resumes at once after a restart or a crash
// (the phones would otherwise be unknown until they register again, up to registration_max_s later).
constexpr const char* kPhoneRegistrations = R"sql(
CREATE TABLE phone_registrations (
    username    TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL,
    contact_uri TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    behind_nat  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
)sql";

// Version 5: separation of duties. Each audit entry may say what changed (a JSON detail, part of its keyed
// hash; '' for the entries before this version, which verify as they always did). Staff changes that give
// access to content wait in staff_changes for a second administrator; the lines' supervisors are told of
// new content readers through announcements.
constexpr const char* kSeparationOfDuties = R"sql(
ALTER TABLE audit_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';

CREATE TABLE staff_changes (
    id            TEXT NOT NULL PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('create', 'update')),
    staff_id      TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    before_json   TEXT NOT NULL,
    after_json    TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    TEXT NOT NULL,
    decided_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_changes_by_requested ON staff_changes (requested_at);

CREATE TABLE announcements (
    id              TEXT NOT NULL,
    line_id         TEXT NOT NULL REFERENCES lines (id),
    kind            TEXT NOT NULL,
    staff_id        TEXT NOT NULL,
    role            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    acknowledged_by TEXT NOT NULL,
    acknowledged_at INTEGER NOT NULL,
    PRIMARY KEY (line_id, id)
) STRICT;
)sql";

// Version 6: the rota. Counsellors' shifts per line, as UTC instants (the console shows them on the UK's clock).
// Who and when only: the counsellor's languages are read from their account when coverage is counted.
constexpr const char* kShifts = R"sql(
CREATE TABLE shifts (
    line_id       TEXT NOT NULL REFERENCES lines (id),
    id            TEXT NOT NULL,
    counsellor_id TEXT NOT NULL,
    start_at      INTEGER NOT NULL,
    end_at        INTEGER NOT NULL CHECK (end_at > start_at),
    updated_by    TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (line_id, id)
) STRICT;
CREATE INDEX shifts_by_start ON shifts (line_id, start_at);
)sql";

// Version 7: each trunk's and each phone account's encryption policy (records::Encryption). Existing rows
// become "preferred", which accepts what they did before.
constexpr const char* kEncryptionPolicy = R"sql(
ALTER TABLE trunks ADD COLUMN encryption TEXT NOT NULL DEFAULT 'preferred'
    CHECK (encryption IN ('required', 'preferred', 'off'));
ALTER TABLE sip_accounts ADD COLUMN encryption TEXT NOT NULL DEFAULT 'preferred'
    CHECK (encryption IN ('required', 'preferred', 'off'));
)sql";

// Version 8: the force a caller names, sealed on its own (records/sealed_force.hpp) for the monthly demand report;
// empty for contacts stored before (their force is only in the sealed content, or a legacy clear fact).
constexpr const char* kSealedForce = R"sql(
ALTER TABLE contacts ADD COLUMN force_sealed BLOB NOT NULL DEFAULT x'';
)sql";

// Version 9: the upgrades of stored data that run after start (records/force_backfill.hpp), each recorded once it
// has gone through every row, so that no later start reads those rows again. A database with no contact yet has
// nothing to seal: its force upgrade is done from the start.
constexpr const char* kUpgradesDone = R"sql(
CREATE TABLE upgrades_done (
    name    TEXT    PRIMARY KEY,
    done_at INTEGER NOT NULL
) STRICT;
INSERT INTO upgrades_done (name, done_at) SELECT 'force_sealed', 0 WHERE NOT EXISTS (SELECT 1 FROM contacts);
)sql";

Result<std::int64_t> UserVersion(Connection& conn) {
    auto text = conn.Pragma("user_version");
    if (!text) return tl::unexpected(text.error());
    try {
        return std::stoll(*text);
    } catch (...) {
        return Fail(ErrorCode::kInternal, "storage: PRAGMA user_version returned a non-number");
    }
}

Result<std::int64_t> ApplyPending(Connection& conn) {
    auto current = RefuseNewer(conn);
    if (!current) return current;
    const std::int64_t latest = LatestSchemaVersion();
    for (const auto& migration : Migrations()) {
        if (migration.version <= *current) continue;
        const std::string what =
            "schema migration " + std::to_string(migration.version) + " (" + migration.description + ")";
        if (auto applied = conn.ExecScript(migration.sql, what); !applied) return tl::unexpected(applied.error());
        // user_version lives in the database header and commits with the transaction.
        if (auto set = conn.Pragma("user_version = " + std::to_string(migration.version)); !set) {
            return tl::unexpected(set.error());
        }
    }
    return latest;
}

}  // namespace

Result<std::int64_t> RefuseNewer(Connection& conn) {
    auto current = UserVersion(conn);
    if (!current) return current;
    const std::int64_t latest = LatestSchemaVersion();
    if (*current > latest) {
        return Fail(ErrorCode::kUnavailable, "database schema version " + std::to_string(*current) +
                                                 " is newer than this crisisline (knows up to " +
                                                 std::to_string(latest) +
                                                 "); upgrade crisisline or restore a matching backup");
    }
    return current;
}

const std::vector<Migration>& Migrations() {
    static const std::vector<Migration> migrations = {
        {1, "initial schema", kInitialSchema},
        {2, "sip accounts", kSipAccounts},
        {3, "trunks", kTrunks},
        {4, "phone registrations", kPhoneRegistrations},
        {5, "separation of duties: audit detail, pending staff changes, announcements", kSeparationOfDuties},
        {6, "the rota: counsellors' shifts", kShifts},
        {7, "encryption policy of trunks and phone accounts", kEncryptionPolicy},
        {8, "the caller's force sealed on its own, for the reports", kSealedForce},
        {9, "upgrades of stored data, once done", kUpgradesDone},
    };
    return migrations;
}

const std::vector<std::pair<std::string, std::string>>& AuditGuards() {
    // Taken from the migration that made them, so the two cannot drift apart:
    // SQLite stores a CREATE TRIGGER's text from CREATE to END, as written.
    static const std::vector<std::pair<std::string, std::string>> guards = [] {
        const std::string schema = kInitialSchema;
        std::vector<std::pair<std::string, std::string>> out;
        for (const char* name : {"audit_log_no_update", "audit_log_no_delete", "audit_log_chained"}) {
            const size_t begin = schema.find(std::string("CREATE TRIGGER ") + name + " ");
            const size_t end = schema.find("END;", begin);
            assert(begin != std::string::npos && end != std::string::npos && "the schema defines every audit guard");
            out.emplace_back(name, schema.substr(begin, end + 3 - begin));
        }
        return out;
    }();
    return guards;
}

Result<std::int64_t> Migrate(Connection& conn) {
    if (auto begun = conn.Exec("BEGIN IMMEDIATE"); !begun) return tl::unexpected(begun.error());
    auto version = ApplyPending(conn);
    if (!version) {
        (void)conn.Exec("ROLLBACK");  // the original failure is the one worth reporting
        return version;
    }
    if (auto committed = conn.Exec("COMMIT"); !committed) {
        if (conn.InTransaction()) (void)conn.Exec("ROLLBACK");
        return tl::unexpected(committed.error());
    }
    return version;
}

}  // namespace detail

std::int64_t LatestSchemaVersion() { return detail::Migrations().back().version; }

}  // namespace crisisline::store
