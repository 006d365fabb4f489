#include "store/detail/sqlite_tx.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/detail/sqlite_migrations.hpp"

namespace crisisline::store::detail {
namespace {

constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

// Column lists, in the order both the binders (?1, ?2, ...) and the readers use.
constexpr const char* kLineColumns = "id, name, config_json, created_at, updated_at";
constexpr const char* kStaffColumns =
    "id, username, display_name, profile_json, password_hash, totp_secret_sealed, totp_enrolled, "
    "totp_last_step, disabled, failed_sign_ins, locked_until, created_at, updated_at";
constexpr const char* kSipAccountColumns = "username, staff_id, secret_sealed, created_at, updated_at, encryption";
constexpr const char* kTrunkColumns =
    "name, allow_json, username, secret_sealed, outbound, created_at, updated_at, encryption";
constexpr const char* kPhoneRegistrationColumns = "username, staff_id, contact_uri, expires_at, behind_nat, updated_at";
constexpr const char* kSessionColumns = "token_hash, staff_id, csrf_hash, mfa_complete, created_at, last_seen_at";
constexpr const char* kContactColumns =
    "line_id, id, status, arrived_at, answered_at, ended_at, counsellor_id, caller_hash, facts_json, "
    "wrapped_key, ciphertext, version, created_at, updated_at, force_sealed";
constexpr const char* kFollowUpColumns =
    "line_id, id, contact_id, status, earliest, latest, assigned_to, attempts_json, max_attempts, "
    "wrapped_key, ciphertext, version, created_at, updated_at";
constexpr const char* kEscalationColumns =
    "line_id, id, contact_id, raised_by, raised_at, emergency_service, supervisor_id, wrapped_key, ciphertext";
constexpr const char* kDirectoryColumns = "line_id, id, service_json, updated_at";
constexpr const char* kAuditColumns =
    "seq, at, actor, action, line_id, record_type, record_id, purpose, prev_hash, hash, detail";
constexpr const char* kStaffChangeColumns =
    "id, kind, staff_id, requested_by, requested_at, expires_at, before_json, after_json, password_hash, status, "
    "decided_by, decided_at";
constexpr const char* kAnnouncementColumns =
    "id, line_id, kind, staff_id, role, at, expires_at, acknowledged_by, acknowledged_at";
constexpr const char* kRetainedColumns = "line_id, month, key, count";
constexpr const char* kShiftColumns = "line_id, id, counsellor_id, start_at, end_at, updated_by, updated_at";

std::string Select(const char* columns, const char* rest) { return std::string("SELECT ") + columns + " FROM " + rest; }

std::string Insert(const char* table, const char* columns, int count, const char* rest = "") {
    std::string sql = std::string("INSERT INTO ") + table + " (" + columns + ") VALUES (";
    for (int i = 1; i <= count; ++i) sql += (i > 1 ? ", ?" : "?") + std::to_string(i);
    return sql + ")" + rest;
}

std::int64_t ClampLimit(size_t limit) {
    return static_cast<std::int64_t>(std::min<size_t>(limit, std::numeric_limits<std::int64_t>::max()));
}

bool IsDuplicate(int rc) { return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE; }

LineRow ReadLine(const Statement& s) { return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4)}; }

StaffRow ReadStaff(const Statement& s) {
    StaffRow r;
    r.id = s.Text(0);
    r.username = s.Text(1);
    r.display_name = s.Text(2);
    r.profile_json = s.Text(3);
    r.password_hash = s.Text(4);
    r.totp_secret_sealed = s.Blob(5);
    r.totp_enrolled = s.Bool(6);
    r.totp_last_step = s.Int(7);
    r.disabled = s.Bool(8);
    r.failed_sign_ins = s.Int(9);
    r.locked_until = s.Int(10);
    r.created_at = s.Int(11);
    r.updated_at = s.Int(12);
    return r;
}

void BindStaff(Statement& s, const StaffRow& r) {
    s.BindAll(r.id, r.username, r.display_name, r.profile_json, r.password_hash, r.totp_secret_sealed, r.totp_enrolled,
              r.totp_last_step, r.disabled, r.failed_sign_ins, r.locked_until, r.created_at, r.updated_at);
}

SipAccountRow ReadSipAccount(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Blob(2), s.Int(3), s.Int(4), s.Text(5)};
}

TrunkRow ReadTrunk(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Text(2), s.Blob(3), s.Text(4), s.Int(5), s.Int(6), s.Text(7)};
}

PhoneRegistrationRow ReadPhoneRegistration(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Bool(4), s.Int(5)};
}

SessionRow ReadSession(const Statement& s) { return {s.Text(0), s.Text(1), s.Text(2), s.Bool(3), s.Int(4), s.Int(5)}; }

ContactRow ReadContact(const Statement& s) {
    ContactRow r;
    r.line_id = s.Text(0);
    r.id = s.Text(1);
    r.status = s.Text(2);
    r.arrived_at = s.Int(3);
    r.answered_at = s.OptionalInt(4);
    r.ended_at = s.OptionalInt(5);
    r.counsellor_id = s.Text(6);
    r.caller_hash = s.Text(7);
    r.facts_json = s.Text(8);
    r.sealed = {s.Blob(9), s.Blob(10)};
    r.version = s.Int(11);
    r.created_at = s.Int(12);
    r.updated_at = s.Int(13);
    r.force_sealed = s.Blob(14);
    return r;
}

void BindContact(Statement& s, const ContactRow& r) {
    s.BindAll(r.line_id, r.id, r.status, r.arrived_at, r.answered_at, r.ended_at, r.counsellor_id, r.caller_hash,
              r.facts_json, r.sealed.wrapped_key, r.sealed.ciphertext, r.version, r.created_at, r.updated_at,
              r.force_sealed);
}

FollowUpRow ReadFollowUp(const Statement& s) {
    FollowUpRow r;
    r.line_id = s.Text(0);
    r.id = s.Text(1);
    r.contact_id = s.Text(2);
    r.status = s.Text(3);
    r.earliest = s.Int(4);
    r.latest = s.Int(5);
    r.assigned_to = s.Text(6);
    r.attempts_json = s.Text(7);
    r.max_attempts = s.Int(8);
    r.sealed = {s.Blob(9), s.Blob(10)};
    r.version = s.Int(11);
    r.created_at = s.Int(12);
    r.updated_at = s.Int(13);
    return r;
}

void BindFollowUp(Statement& s, const FollowUpRow& r) {
    s.BindAll(r.line_id, r.id, r.contact_id, r.status, r.earliest, r.latest, r.assigned_to, r.attempts_json,
              r.max_attempts, r.sealed.wrapped_key, r.sealed.ciphertext, r.version, r.created_at, r.updated_at);
}

EscalationRow ReadEscalation(const Statement& s) {
    return {s.Text(1), s.Text(0), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Text(6), {s.Blob(7), s.Blob(8)}};
}

DirectoryServiceRow ReadDirectory(const Statement& s) { return {s.Text(1), s.Text(0), s.Text(2), s.Int(3)}; }

AuditRow ReadAudit(const Statement& s) {
    return {s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7), s.Text(8), s.Text(9),
            s.Text(10)};
}

StaffChangeRow ReadStaffChange(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4),  s.Int(5),
            s.Text(6), s.Text(7), s.Text(8), s.Text(9), s.Text(10), s.Int(11)};
}

AnnouncementRow ReadAnnouncement(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), s.Text(7), s.Int(8)};
}

RetainedCountRow ReadRetained(const Statement& s) { return {s.Text(0), s.Text(1), s.Text(2), s.Int(3)}; }

ShiftRow ReadShift(const Statement& s) {
    return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Text(5), s.Int(6)};
}

// Runs `sql` with `bind` and collects every row through `read`.
template <class Read, class Bind>
auto QueryAll(Connection& conn, const std::string& sql, std::string_view what, Read read, Bind bind)
    -> Result<std::vector<decltype(read(std::declval<const Statement&>()))>> {
    std::vector<decltype(read(std::declval<const Statement&>()))> rows;
    auto stmt = conn.Prepare(sql, what);
    if (!stmt) return tl::unexpected(stmt.error());
    bind(*stmt);
    for (;;) {
        auto row = stmt->Step(what);
        if (!row) return tl::unexpected(row.error());
        if (!*row) return rows;
        rows.push_back(read(*stmt));
    }
}

// As QueryAll, for a query that matches at most one row.
template <class Read, class Bind>
auto QueryOne(Connection& conn, const std::string& sql, std::string_view what, Read read, Bind bind)
    -> Result<std::optional<decltype(read(std::declval<const Statement&>()))>> {
    auto stmt = conn.Prepare(sql, what);
    if (!stmt) return tl::unexpected(stmt.error());
    bind(*stmt);
    auto row = stmt->Step(what);
    if (!row) return tl::unexpected(row.error());
    if (!*row) return std::nullopt;
    return read(*stmt);
}

// The outcome of one INSERT/UPDATE/DELETE: rows changed, or the failure with
// the extended code that tells a duplicate from a missing parent.
struct Changed {
    Result<std::int64_t> rows;
    int code = SQLITE_OK;
};

template <class Bind>
Changed Change(Connection& conn, const std::string& sql, std::string_view what, Bind bind) {
    auto stmt = conn.Prepare(sql, what);
    if (!stmt) return {tl::unexpected(stmt.error()), SQLITE_ERROR};
    bind(*stmt);
    if (auto ran = stmt->Run(what); !ran) return {tl::unexpected(ran.error()), stmt->LastCode()};
    return {stmt->Changes(), SQLITE_OK};
}

// For inserts: a duplicate key is kConflict, a missing line or contact kNotFound.
Result<void> Inserted(const Changed& c, std::string_view table) {
    if (c.rows) return {};
    if (IsDuplicate(c.code))
        return Fail(ErrorCode::kConflict, std::string(table) + ": a record with this id already exists");
    if (c.code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Fail(ErrorCode::kNotFound, std::string(table) + ": the line or record it belongs to does not exist");
    }
    return tl::unexpected(c.rows.error());
}

// For updates and deletes of one row by key: nothing changed means absent.
Result<void> ChangedOne(const Changed& c, std::string_view table) {
    if (!c.rows) return tl::unexpected(c.rows.error());
    if (*c.rows == 0) return Fail(ErrorCode::kNotFound, std::string(table) + ": no such record in this line");
    return {};
}

Result<void> Discard(const Changed& c) {
    if (!c.rows) return tl::unexpected(c.rows.error());
    return {};
}

// After a versioned UPDATE changed nothing: kConflict if the row exists (its
// version moved on), kNotFound if it does not.
Result<void> VersionMiss(Connection& conn,
                         const std::string& exists_sql,
                         std::string_view table,
                         const std::string& line_id,
                         const std::string& id) {
    auto found = QueryOne(
        conn, exists_sql, table, [](const Statement& s) { return s.Int(0); },
        [&](Statement& s) { s.BindAll(line_id, id); });
    if (!found) return tl::unexpected(found.error());
    if (!*found) return Fail(ErrorCode::kNotFound, std::string(table) + ": no such record in this line");
    return Fail(ErrorCode::kConflict, std::string(table) + ": the record was changed by someone else; reload it");
}

}  // namespace

// ---- lines

Result<void> SqliteTx::PutLine(const LineRow& row) {
    static const std::string sql =
        Insert("lines", kLineColumns, 5,
               " ON CONFLICT (id) DO UPDATE SET name = excluded.name, config_json = excluded.config_json, "
               "created_at = excluded.created_at, updated_at = excluded.updated_at");
    return Discard(Change(conn_, sql, "lines", [&](Statement& s) {
        s.BindAll(row.id, row.name, row.config_json, row.created_at, row.updated_at);
    }));
}

Result<std::optional<LineRow>> SqliteTx::GetLine(const std::string& id) {
    static const std::string sql = Select(kLineColumns, "lines WHERE id = ?1");
    return QueryOne(conn_, sql, "lines", ReadLine, [&](Statement& s) { s.BindAll(id); });
}

Result<std::vector<LineRow>> SqliteTx::ListLines() {
    static const std::string sql = Select(kLineColumns, "lines ORDER BY id");
    return QueryAll(conn_, sql, "lines", ReadLine, [](Statement&) {});
}

// ---- staff

Result<void> SqliteTx::InsertStaff(const StaffRow& row) {
    static const std::string sql = Insert("staff", kStaffColumns, 13);
    auto changed = Change(conn_, sql, "staff", [&](Statement& s) { BindStaff(s, row); });
    if (!changed.rows && changed.code == SQLITE_CONSTRAINT_UNIQUE) {
        return Fail(ErrorCode::kConflict, "username", "staff: this username is already taken");
    }
    return Inserted(changed, "staff");
}

Result<void> SqliteTx::UpdateStaff(const StaffRow& row) {
    static const std::string sql =
        "UPDATE staff SET username = ?2, display_name = ?3, profile_json = ?4, password_hash = ?5, "
        "totp_secret_sealed = ?6, totp_enrolled = ?7, totp_last_step = ?8, disabled = ?9, failed_sign_ins = ?10, "
        "locked_until = ?11, created_at = ?12, updated_at = ?13 WHERE id = ?1";
    auto changed = Change(conn_, sql, "staff", [&](Statement& s) { BindStaff(s, row); });
    if (!changed.rows && changed.code == SQLITE_CONSTRAINT_UNIQUE) {
        return Fail(ErrorCode::kConflict, "username", "staff: this username is already taken");
    }
    return ChangedOne(changed, "staff");
}

Result<std::optional<StaffRow>> SqliteTx::GetStaff(const std::string& id) {
    static const std::string sql = Select(kStaffColumns, "staff WHERE id = ?1");
    return QueryOne(conn_, sql, "staff", ReadStaff, [&](Statement& s) { s.BindAll(id); });
}

Result<std::optional<StaffRow>> SqliteTx::GetStaffByUsername(const std::string& username) {
    static const std::string sql = Select(kStaffColumns, "staff WHERE username = ?1");
    return QueryOne(conn_, sql, "staff", ReadStaff, [&](Statement& s) { s.BindAll(username); });
}

Result<std::vector<StaffRow>> SqliteTx::ListStaff() {
    static const std::string sql = Select(kStaffColumns, "staff ORDER BY username");
    return QueryAll(conn_, sql, "staff", ReadStaff, [](Statement&) {});
}

// ---- SIP accounts

Result<void> SqliteTx::PutSipAccount(const SipAccountRow& row) {
    static const std::string owner_sql = "SELECT staff_id FROM sip_accounts WHERE username = ?1";
    auto owner = QueryOne(
        conn_, owner_sql, "sip_accounts", [](const Statement& s) { return s.Text(0); },
        [&](Statement& s) { s.BindAll(row.username); });
    if (!owner) return tl::unexpected(owner.error());
    if (*owner && **owner != row.staff_id) {
        return Fail(ErrorCode::kConflict, "sip_username", "sip_accounts: this SIP username belongs to someone else");
    }
    static const std::string sql =
        Insert("sip_accounts", kSipAccountColumns, 6,
               " ON CONFLICT (staff_id) DO UPDATE SET username = excluded.username, "
               "secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, "
               "updated_at = excluded.updated_at, encryption = excluded.encryption");
    auto changed = Change(conn_, sql, "sip_accounts", [&](Statement& s) {
        s.BindAll(row.username, row.staff_id, row.secret_sealed, row.created_at, row.updated_at, row.encryption);
    });
    if (!changed.rows && IsDuplicate(changed.code)) {
        return Fail(ErrorCode::kConflict, "sip_username", "sip_accounts: this SIP username belongs to someone else");
    }
    if (!changed.rows && changed.code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Fail(ErrorCode::kNotFound, "sip_accounts: no staff member with this id");
    }
    return Discard(changed);
}

Result<std::optional<SipAccountRow>> SqliteTx::GetSipAccountOfStaff(const std::string& staff_id) {
    static const std::string sql = Select(kSipAccountColumns, "sip_accounts WHERE staff_id = ?1");
    return QueryOne(conn_, sql, "sip_accounts", ReadSipAccount, [&](Statement& s) { s.BindAll(staff_id); });
}

Result<std::vector<SipAccountRow>> SqliteTx::ListSipAccounts() {
    static const std::string sql = Select(kSipAccountColumns, "sip_accounts ORDER BY username");
    return QueryAll(conn_, sql, "sip_accounts", ReadSipAccount, [](Statement&) {});
}

Result<void> SqliteTx::DeleteSipAccountOfStaff(const std::string& staff_id) {
    static const std::string sql = "DELETE FROM sip_accounts WHERE staff_id = ?1";
    return ChangedOne(Change(conn_, sql, "sip_accounts", [&](Statement& s) { s.BindAll(staff_id); }),
                      "sip_accounts");
}

// ---- trunks

Result<void> SqliteTx::PutTrunk(const TrunkRow& row) {
    static const std::string sql = Insert("trunks", kTrunkColumns, 8,
                                          " ON CONFLICT (name) DO UPDATE SET allow_json = excluded.allow_json, "
                                          "username = excluded.username, secret_sealed = excluded.secret_sealed, "
                                          "outbound = excluded.outbound, updated_at = excluded.updated_at, "
                                          "encryption = excluded.encryption");
    return Discard(Change(conn_, sql, "trunks", [&](Statement& s) {
        s.BindAll(row.name, row.allow_json, row.username, row.secret_sealed, row.outbound, row.created_at,
                  row.updated_at, row.encryption);
    }));
}

Result<std::optional<TrunkRow>> SqliteTx::GetTrunk(const std::string& name) {
    static const std::string sql = Select(kTrunkColumns, "trunks WHERE name = ?1");
    return QueryOne(conn_, sql, "trunks", ReadTrunk, [&](Statement& s) { s.BindAll(name); });
}

Result<std::vector<TrunkRow>> SqliteTx::ListTrunks() {
    static const std::string sql = Select(kTrunkColumns, "trunks ORDER BY name");
    return QueryAll(conn_, sql, "trunks", ReadTrunk, [](Statement&) {});
}

Result<void> SqliteTx::DeleteTrunk(const std::string& name) {
    static const std::string sql = "DELETE FROM trunks WHERE name = ?1";
    return ChangedOne(Change(conn_, sql, "trunks", [&](Statement& s) { s.BindAll(name); }), "trunks");
}

// ---- phone registrations

Result<void> SqliteTx::PutPhoneRegistration(const PhoneRegistrationRow& row) {
    static const std::string sql = Insert("phone_registrations", kPhoneRegistrationColumns, 6,
                                          " ON CONFLICT (username) DO UPDATE SET staff_id = excluded.staff_id, "
                                          "contact_uri = excluded.contact_uri, expires_at = excluded.expires_at, "
                                          "behind_nat = excluded.behind_nat, updated_at = excluded.updated_at");
    return Discard(Change(conn_, sql, "phone_registrations", [&](Statement& s) {
        s.BindAll(row.username, row.staff_id, row.contact_uri, row.expires_at, row.behind_nat, row.updated_at);
    }));
}

Result<void> SqliteTx::DeletePhoneRegistration(const std::string& username) {
    static const std::string sql = "DELETE FROM phone_registrations WHERE username = ?1";
    return Discard(Change(conn_, sql, "phone_registrations", [&](Statement& s) { s.BindAll(username); }));
}

Result<std::vector<PhoneRegistrationRow>> SqliteTx::ListPhoneRegistrations() {
    static const std::string sql = Select(kPhoneRegistrationColumns, "phone_registrations ORDER BY username");
    return QueryAll(conn_, sql, "phone_registrations", ReadPhoneRegistration, [](Statement&) {});
}

// ---- sessions

Result<void> SqliteTx::InsertSession(const SessionRow& row) {
    static const std::string sql = Insert("sessions", kSessionColumns, 6);
    return Inserted(Change(conn_, sql, "sessions",
                           [&](Statement& s) {
                               s.BindAll(row.token_hash, row.staff_id, row.csrf_hash, row.mfa_complete, row.created_at,
                                         row.last_seen_at);
                           }),
                    "sessions");
}

Result<std::optional<SessionRow>> SqliteTx::GetSession(const std::string& token_hash) {
    static const std::string sql = Select(kSessionColumns, "sessions WHERE token_hash = ?1");
    return QueryOne(conn_, sql, "sessions", ReadSession, [&](Statement& s) { s.BindAll(token_hash); });
}

Result<void> SqliteTx::UpdateSession(const SessionRow& row) {
    static const std::string sql =
        "UPDATE sessions SET staff_id = ?2, csrf_hash = ?3, mfa_complete = ?4, created_at = ?5, last_seen_at = ?6 "
        "WHERE token_hash = ?1";
    return ChangedOne(Change(conn_, sql, "sessions",
                             [&](Statement& s) {
                                 s.BindAll(row.token_hash, row.staff_id, row.csrf_hash, row.mfa_complete,
                                           row.created_at, row.last_seen_at);
                             }),
                      "sessions");
}

Result<void> SqliteTx::DeleteSession(const std::string& token_hash) {
    static const std::string sql = "DELETE FROM sessions WHERE token_hash = ?1";
    return Discard(Change(conn_, sql, "sessions", [&](Statement& s) { s.BindAll(token_hash); }));
}

Result<void> SqliteTx::DeleteSessionsOf(const std::string& staff_id) {
    static const std::string sql = "DELETE FROM sessions WHERE staff_id = ?1";
    return Discard(Change(conn_, sql, "sessions", [&](Statement& s) { s.BindAll(staff_id); }));
}

Result<void> SqliteTx::DeleteSessionsSeenBefore(TimeMs before) {
    static const std::string sql = "DELETE FROM sessions WHERE last_seen_at < ?1";
    return Discard(Change(conn_, sql, "sessions", [&](Statement& s) { s.BindAll(before); }));
}

// ---- contacts

Result<void> SqliteTx::InsertContact(const ContactRow& row) {
    static const std::string sql = Insert("contacts", kContactColumns, 15);
    return Inserted(Change(conn_, sql, "contacts", [&](Statement& s) { BindContact(s, row); }), "contacts");
}

Result<void> SqliteTx::UpdateContact(const ContactRow& row) {
    static const std::string sql =
        "UPDATE contacts SET status = ?3, arrived_at = ?4, answered_at = ?5, ended_at = ?6, counsellor_id = ?7, "
        "caller_hash = ?8, facts_json = ?9, wrapped_key = ?10, ciphertext = ?11, version = ?12, created_at = ?13, "
        "updated_at = ?14, force_sealed = ?15 WHERE line_id = ?1 AND id = ?2 AND version = ?16";
    auto changed = Change(conn_, sql, "contacts", [&](Statement& s) {
        BindContact(s, row);
        s.Bind(16, row.version - 1);
    });
    if (!changed.rows) return tl::unexpected(changed.rows.error());
    if (*changed.rows == 1) return {};
    return VersionMiss(conn_, "SELECT 1 FROM contacts WHERE line_id = ?1 AND id = ?2", "contacts", row.line_id, row.id);
}

Result<std::optional<ContactRow>> SqliteTx::GetContact(const std::string& line_id, const std::string& id) {
    static const std::string sql = Select(kContactColumns, "contacts WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "contacts", ReadContact, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<ContactRow>> SqliteTx::ListContacts(const std::string& line_id, const ContactFilter& filter) {
    // One statement per combination of present filters (at most 32, each cached);
    // the numbered parameters keep their positions whichever are left out.
    std::string sql = Select(kContactColumns, "contacts WHERE line_id = ?1");
    if (filter.status) sql += " AND status = ?2";
    if (filter.counsellor_id) sql += " AND counsellor_id = ?3";
    if (filter.arrived_since) sql += " AND arrived_at >= ?4";
    if (filter.arrived_before) sql += " AND arrived_at < ?5";
    if (filter.ended_before) sql += " AND ended_at < ?6";
    sql += " ORDER BY arrived_at DESC, id DESC LIMIT ?7";
    return QueryAll(conn_, sql, "contacts", ReadContact, [&](Statement& s) {
        s.Bind(1, line_id);
        if (filter.status) s.Bind(2, *filter.status);
        if (filter.counsellor_id) s.Bind(3, *filter.counsellor_id);
        if (filter.arrived_since) s.Bind(4, *filter.arrived_since);
        if (filter.arrived_before) s.Bind(5, *filter.arrived_before);
        if (filter.ended_before) s.Bind(6, *filter.ended_before);
        s.Bind(7, ClampLimit(filter.limit));
    });
}

Result<std::int64_t> SqliteTx::CountContactsFromCaller(const std::string& line_id,
                                                       const std::string& caller_hash,
                                                       TimeMs since) {
    // A withheld number has no hash: it links no contacts together.
    if (caller_hash.empty()) return 0;
    static const std::string sql =
        "SELECT COUNT(*) FROM contacts WHERE line_id = ?1 AND caller_hash = ?2 AND arrived_at >= ?3";
    auto count = QueryOne(
        conn_, sql, "contacts", [](const Statement& s) { return s.Int(0); },
        [&](Statement& s) { s.BindAll(line_id, caller_hash, since); });
    if (!count) return tl::unexpected(count.error());
    return count->value_or(0);
}

Result<std::vector<ContactRow>> SqliteTx::ListContactsFromCaller(const std::string& line_id,
                                                                 const std::string& caller_hash,
                                                                 TimeMs before,
                                                                 size_t limit) {
    if (caller_hash.empty()) return std::vector<ContactRow>{};
    // contacts_by_caller (line_id, caller_hash, arrived_at) serves the match and the order by time; only
    // contacts that arrived in the same millisecond are sorted (by id) apart from the index.
    static const std::string sql = Select(
        kContactColumns,
        "contacts WHERE line_id = ?1 AND caller_hash = ?2 AND arrived_at < ?3 ORDER BY arrived_at DESC, id DESC "
        "LIMIT ?4");
    return QueryAll(conn_, sql, "contacts", ReadContact,
                    [&](Statement& s) { s.BindAll(line_id, caller_hash, before, ClampLimit(limit)); });
}

Result<std::vector<ContactRow>> SqliteTx::ListUnfinishedCalls(const std::string& line_id) {
    static const std::string sql =
        Select(kContactColumns,
               "contacts WHERE line_id = ?1 AND ended_at IS NULL AND json_extract(facts_json, '$.channel') = 'phone' "
               "ORDER BY arrived_at, id");
    return QueryAll(conn_, sql, "contacts", ReadContact, [&](Statement& s) { s.BindAll(line_id); });
}

Result<PhoneTally> SqliteTx::TallyPhoneContacts(const std::string& line_id, TimeMs since, TimeMs before) {
    // One pass over the line's arrivals in the window (contacts_by_arrival); only the coded facts are read.
    // An overflowed call has an answer time (the partner's) but no counsellor, so it is not "answered".
    static const std::string sql =
        "WITH c AS (SELECT json_extract(facts_json, '$.call.end_reason') AS end_reason, "
        "  CASE WHEN answered_at IS NOT NULL AND counsellor_id <> '' THEN answered_at - arrived_at END AS wait "
        "  FROM contacts WHERE line_id = ?1 AND arrived_at >= ?2 AND arrived_at < ?3 "
        "  AND json_extract(facts_json, '$.channel') = 'phone') "
        "SELECT COUNT(*), COUNT(wait), "
        "  COALESCE(SUM(end_reason = 'abandoned'), 0), COALESCE(SUM(end_reason = 'overflowed'), 0), "
        "  COALESCE(SUM(wait <= 20000), 0), COALESCE(SUM(wait <= 60000), 0), COALESCE(SUM(wait), 0) FROM c";
    auto tally = QueryOne(
        conn_, sql, "contacts",
        [](const Statement& s) {
            return PhoneTally{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5), s.Int(6)};
        },
        [&](Statement& s) { s.BindAll(line_id, since, before); });
    if (!tally) return tl::unexpected(tally.error());
    return tally->value_or(PhoneTally{});
}

Result<std::vector<HalfHourCount>> SqliteTx::CountPhoneArrivalsByHalfHour(const std::string& line_id, TimeMs since,
                                                                          TimeMs before) {
    // contacts_by_arrival serves the window; the grouping is by the half hour the call arrived in.
    static const std::string sql =
        "SELECT arrived_at / 1800000 AS half_hour, COUNT(*), "
        "  COALESCE(SUM(json_extract(facts_json, '$.language') = 'cy'), 0) FROM contacts "
        "WHERE line_id = ?1 AND arrived_at >= ?2 AND arrived_at < ?3 "
        "AND json_extract(facts_json, '$.channel') = 'phone' "
        "AND COALESCE(json_extract(facts_json, '$.call.end_reason'), '') NOT IN ('failed', 'server_restart') "
        "AND json_extract(facts_json, '$.call.continues') IS NULL "  // a requeued call arrived once
        "GROUP BY half_hour ORDER BY half_hour";
    return QueryAll(
        conn_, sql, "contacts", [](const Statement& s) { return HalfHourCount{s.Int(0), s.Int(1), s.Int(2)}; },
        [&](Statement& s) { s.BindAll(line_id, since, before); });
}

Result<CallTimings> SqliteTx::SumCallTimings(const std::string& line_id, TimeMs since, TimeMs before) {
    static const std::string sql =
        "WITH c AS (SELECT json_extract(facts_json, '$.call.end_reason') AS end_reason, status, arrived_at, "
        "  answered_at, ended_at, updated_at, (answered_at IS NOT NULL AND counsellor_id <> '') AS by_counsellor "
        "  FROM contacts WHERE line_id = ?1 AND arrived_at >= ?2 AND arrived_at < ?3 AND ended_at IS NOT NULL "
        "  AND json_extract(facts_json, '$.channel') = 'phone') "
        "SELECT COALESCE(SUM(by_counsellor), 0), "
        "  COALESCE(SUM(CASE WHEN by_counsellor THEN MAX(ended_at - answered_at, 0) END), 0), "
        "  COALESCE(SUM(by_counsellor AND status = 'closed'), 0), "
        "  COALESCE(SUM(CASE WHEN by_counsellor AND status = 'closed' "
        "    THEN MIN(MAX(updated_at - ended_at, 0), 7200000) END), 0), "
        "  COALESCE(SUM(end_reason = 'abandoned'), 0), "
        "  COALESCE(SUM(MAX(COALESCE(answered_at, ended_at) - arrived_at, 0)), 0) "
        "FROM c WHERE COALESCE(end_reason, '') NOT IN ('failed', 'server_restart')";
    auto sums = QueryOne(
        conn_, sql, "contacts",
        [](const Statement& s) { return CallTimings{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5)}; },
        [&](Statement& s) { s.BindAll(line_id, since, before); });
    if (!sums) return tl::unexpected(sums.error());
    return sums->value_or(CallTimings{});
}

Result<std::vector<ContactRow>> SqliteTx::ListContactFacts(const std::string& line_id, TimeMs since, TimeMs before) {
    // contacts_by_arrival; of the sealed columns only the force, sealed on its own, is read.
    static const std::string sql =
        "SELECT line_id, id, status, arrived_at, answered_at, ended_at, counsellor_id, facts_json, force_sealed, "
        "updated_at FROM contacts WHERE line_id = ?1 AND arrived_at >= ?2 AND arrived_at < ?3";
    return QueryAll(
        conn_, sql, "contacts",
        [](const Statement& st) {
            ContactRow r;
            r.line_id = st.Text(0);
            r.id = st.Text(1);
            r.status = st.Text(2);
            r.arrived_at = st.Int(3);
            r.answered_at = st.OptionalInt(4);
            r.ended_at = st.OptionalInt(5);
            r.counsellor_id = st.Text(6);
            r.facts_json = st.Text(7);
            r.force_sealed = st.Blob(8);
            r.updated_at = st.Int(9);
            return r;
        },
        [&](Statement& st) { st.BindAll(line_id, since, before); });
}

Result<std::vector<ContactRow>> SqliteTx::ListContactsWithoutSealedForce(const std::string& line_id,
                                                                         const std::string& after_id,
                                                                         size_t limit) {
    // The primary key (line_id, id) serves the order and the cursor; both sealed columns empty is shredded.
    static const std::string sql =
        Select(kContactColumns,
               "contacts WHERE line_id = ?1 AND id > ?2 AND force_sealed = x'' "
               "AND (length(wrapped_key) > 0 OR length(ciphertext) > 0) ORDER BY id LIMIT ?3");
    return QueryAll(conn_, sql, "contacts", ReadContact,
                    [&](Statement& s) { s.BindAll(line_id, after_id, ClampLimit(limit)); });
}

Result<bool> SqliteTx::SealContactForce(const std::string& line_id,
                                        const std::string& id,
                                        std::int64_t version,
                                        const Bytes& force_sealed) {
    static const std::string sql =
        "UPDATE contacts SET force_sealed = ?4 WHERE line_id = ?1 AND id = ?2 AND version = ?3 AND force_sealed = x''";
    auto changed =
        Change(conn_, sql, "contacts", [&](Statement& s) { s.BindAll(line_id, id, version, force_sealed); });
    if (!changed.rows) return tl::unexpected(changed.rows.error());
    return *changed.rows == 1;
}

Result<bool> SqliteTx::UpgradeDone(const std::string& name) {
    static const std::string sql = "SELECT 1 FROM upgrades_done WHERE name = ?1";
    auto found = QueryOne(
        conn_, sql, "upgrades_done", [](const Statement& s) { return s.Int(0); },
        [&](Statement& s) { s.BindAll(name); });
    if (!found) return tl::unexpected(found.error());
    return found->has_value();
}

Result<void> SqliteTx::RecordUpgradeDone(const std::string& name, TimeMs at) {
    static const std::string sql = "INSERT INTO upgrades_done (name, done_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
    return Discard(Change(conn_, sql, "upgrades_done", [&](Statement& s) { s.BindAll(name, at); }));
}

Result<void> SqliteTx::DeleteContact(const std::string& line_id, const std::string& id) {
    static const std::string sql = "DELETE FROM contacts WHERE line_id = ?1 AND id = ?2";
    auto changed = Change(conn_, sql, "contacts", [&](Statement& s) { s.BindAll(line_id, id); });
    if (!changed.rows && changed.code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Fail(ErrorCode::kConflict,
                    "contacts: the contact still has follow-ups or escalations; delete them first");
    }
    return ChangedOne(changed, "contacts");
}

// ---- follow-ups

Result<void> SqliteTx::InsertFollowUp(const FollowUpRow& row) {
    static const std::string sql = Insert("follow_ups", kFollowUpColumns, 14);
    return Inserted(Change(conn_, sql, "follow_ups", [&](Statement& s) { BindFollowUp(s, row); }), "follow_ups");
}

Result<void> SqliteTx::UpdateFollowUp(const FollowUpRow& row) {
    static const std::string sql =
        "UPDATE follow_ups SET contact_id = ?3, status = ?4, earliest = ?5, latest = ?6, assigned_to = ?7, "
        "attempts_json = ?8, max_attempts = ?9, wrapped_key = ?10, ciphertext = ?11, version = ?12, "
        "created_at = ?13, updated_at = ?14 WHERE line_id = ?1 AND id = ?2 AND version = ?15";
    auto changed = Change(conn_, sql, "follow_ups", [&](Statement& s) {
        BindFollowUp(s, row);
        s.Bind(15, row.version - 1);
    });
    if (!changed.rows && changed.code == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return Fail(ErrorCode::kNotFound, "follow_ups: the contact it belongs to does not exist");
    }
    if (!changed.rows) return tl::unexpected(changed.rows.error());
    if (*changed.rows == 1) return {};
    return VersionMiss(conn_, "SELECT 1 FROM follow_ups WHERE line_id = ?1 AND id = ?2", "follow_ups", row.line_id,
                       row.id);
}

Result<std::optional<FollowUpRow>> SqliteTx::GetFollowUp(const std::string& line_id, const std::string& id) {
    static const std::string sql = Select(kFollowUpColumns, "follow_ups WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "follow_ups", ReadFollowUp, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<FollowUpRow>> SqliteTx::ListFollowUps(const std::string& line_id,
                                                         const std::vector<std::string>& statuses) {
    std::string sql = Select(kFollowUpColumns, "follow_ups WHERE line_id = ?1");
    if (!statuses.empty()) {
        sql += " AND status IN (";
        for (size_t i = 0; i < statuses.size(); ++i) sql += (i > 0 ? ", ?" : "?") + std::to_string(i + 2);
        sql += ")";
    }
    sql += " ORDER BY earliest, id";
    return QueryAll(conn_, sql, "follow_ups", ReadFollowUp, [&](Statement& s) {
        s.Bind(1, line_id);
        for (size_t i = 0; i < statuses.size(); ++i) s.Bind(static_cast<int>(i + 2), statuses[i]);
    });
}

Result<std::vector<FollowUpRow>> SqliteTx::ListFollowUpsOfContact(const std::string& line_id,
                                                                  const std::string& contact_id) {
    static const std::string sql =
        Select(kFollowUpColumns, "follow_ups WHERE line_id = ?1 AND contact_id = ?2 ORDER BY earliest, id");
    return QueryAll(conn_, sql, "follow_ups", ReadFollowUp, [&](Statement& s) { s.BindAll(line_id, contact_id); });
}

Result<std::int64_t> SqliteTx::CountFollowUps(const std::string& line_id, const std::string& status) {
    static const std::string sql = "SELECT COUNT(*) FROM follow_ups WHERE line_id = ?1 AND status = ?2";
    auto count = QueryOne(
        conn_, sql, "follow_ups", [](const Statement& s) { return s.Int(0); },
        [&](Statement& s) { s.BindAll(line_id, status); });
    if (!count) return tl::unexpected(count.error());
    return count->value_or(0);
}

Result<void> SqliteTx::DeleteFollowUp(const std::string& line_id, const std::string& id) {
    static const std::string sql = "DELETE FROM follow_ups WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "follow_ups", [&](Statement& s) { s.BindAll(line_id, id); }), "follow_ups");
}

// ---- escalations

Result<void> SqliteTx::InsertEscalation(const EscalationRow& row) {
    static const std::string sql = Insert("escalations", kEscalationColumns, 9);
    return Inserted(Change(conn_, sql, "escalations",
                           [&](Statement& s) {
                               s.BindAll(row.line_id, row.id, row.contact_id, row.raised_by, row.raised_at,
                                         row.emergency_service, row.supervisor_id, row.sealed.wrapped_key,
                                         row.sealed.ciphertext);
                           }),
                    "escalations");
}

Result<std::optional<EscalationRow>> SqliteTx::GetEscalation(const std::string& line_id, const std::string& id) {
    static const std::string sql = Select(kEscalationColumns, "escalations WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "escalations", ReadEscalation, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<EscalationRow>> SqliteTx::ListEscalations(const std::string& line_id) {
    static const std::string sql = Select(kEscalationColumns, "escalations WHERE line_id = ?1 ORDER BY raised_at, id");
    return QueryAll(conn_, sql, "escalations", ReadEscalation, [&](Statement& s) { s.BindAll(line_id); });
}

Result<std::vector<EscalationRow>> SqliteTx::ListEscalationsOfContact(const std::string& line_id,
                                                                      const std::string& contact_id) {
    static const std::string sql =
        Select(kEscalationColumns, "escalations WHERE line_id = ?1 AND contact_id = ?2 ORDER BY raised_at, id");
    return QueryAll(conn_, sql, "escalations", ReadEscalation, [&](Statement& s) { s.BindAll(line_id, contact_id); });
}

Result<void> SqliteTx::DeleteEscalation(const std::string& line_id, const std::string& id) {
    static const std::string sql = "DELETE FROM escalations WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "escalations", [&](Statement& s) { s.BindAll(line_id, id); }), "escalations");
}

// ---- directory

Result<void> SqliteTx::PutDirectoryService(const DirectoryServiceRow& row) {
    static const std::string sql =
        Insert("directory_services", kDirectoryColumns, 4,
               " ON CONFLICT (line_id, id) DO UPDATE SET service_json = excluded.service_json, "
               "updated_at = excluded.updated_at");
    return Inserted(Change(conn_, sql, "directory_services",
                           [&](Statement& s) { s.BindAll(row.line_id, row.id, row.service_json, row.updated_at); }),
                    "directory_services");
}

Result<std::optional<DirectoryServiceRow>> SqliteTx::GetDirectoryService(const std::string& line_id,
                                                                         const std::string& id) {
    static const std::string sql = Select(kDirectoryColumns, "directory_services WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "directory_services", ReadDirectory, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<DirectoryServiceRow>> SqliteTx::ListDirectoryServices(const std::string& line_id) {
    static const std::string sql = Select(kDirectoryColumns, "directory_services WHERE line_id = ?1 ORDER BY id");
    return QueryAll(conn_, sql, "directory_services", ReadDirectory, [&](Statement& s) { s.BindAll(line_id); });
}

Result<void> SqliteTx::DeleteDirectoryService(const std::string& line_id, const std::string& id) {
    static const std::string sql = "DELETE FROM directory_services WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "directory_services", [&](Statement& s) { s.BindAll(line_id, id); }),
                      "directory_services");
}

// ---- staff changes awaiting a second administrator

Result<void> SqliteTx::InsertStaffChange(const StaffChangeRow& row) {
    static const std::string sql = Insert("staff_changes", kStaffChangeColumns, 12);
    return Inserted(Change(conn_, sql, "staff_changes",
                           [&](Statement& s) {
                               s.BindAll(row.id, row.kind, row.staff_id, row.requested_by, row.requested_at,
                                         row.expires_at, row.before_json, row.after_json, row.password_hash,
                                         row.status, row.decided_by, row.decided_at);
                           }),
                    "staff_changes");
}

Result<void> SqliteTx::DecideStaffChange(const StaffChangeRow& row) {
    static const std::string sql =
        "UPDATE staff_changes SET status = ?2, decided_by = ?3, decided_at = ?4, password_hash = '' WHERE id = ?1";
    return ChangedOne(Change(conn_, sql, "staff_changes",
                             [&](Statement& s) { s.BindAll(row.id, row.status, row.decided_by, row.decided_at); }),
                      "staff_changes");
}

Result<std::optional<StaffChangeRow>> SqliteTx::GetStaffChange(const std::string& id) {
    static const std::string sql = Select(kStaffChangeColumns, "staff_changes WHERE id = ?1");
    return QueryOne(conn_, sql, "staff_changes", ReadStaffChange, [&](Statement& s) { s.BindAll(id); });
}

Result<std::vector<StaffChangeRow>> SqliteTx::ListStaffChanges(TimeMs since, size_t limit) {
    static const std::string sql =
        Select(kStaffChangeColumns, "staff_changes WHERE requested_at >= ?1 ORDER BY requested_at DESC, id LIMIT ?2");
    return QueryAll(conn_, sql, "staff_changes", ReadStaffChange,
                    [&](Statement& s) { s.BindAll(since, ClampLimit(limit)); });
}

// ---- wallboard announcements

Result<void> SqliteTx::InsertAnnouncement(const AnnouncementRow& row) {
    static const std::string sql = Insert("announcements", kAnnouncementColumns, 9);
    return Inserted(Change(conn_, sql, "announcements",
                           [&](Statement& s) {
                               s.BindAll(row.id, row.line_id, row.kind, row.staff_id, row.role, row.at,
                                         row.expires_at, row.acknowledged_by, row.acknowledged_at);
                           }),
                    "announcements");
}

Result<std::optional<AnnouncementRow>> SqliteTx::GetAnnouncement(const std::string& line_id, const std::string& id) {
    static const std::string sql = Select(kAnnouncementColumns, "announcements WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "announcements", ReadAnnouncement, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<AnnouncementRow>> SqliteTx::ListAnnouncements(const std::string& line_id, TimeMs now) {
    static const std::string sql = Select(
        kAnnouncementColumns,
        "announcements WHERE line_id = ?1 AND acknowledged_by = '' AND expires_at > ?2 ORDER BY at, id");
    return QueryAll(conn_, sql, "announcements", ReadAnnouncement, [&](Statement& s) { s.BindAll(line_id, now); });
}

Result<void> SqliteTx::AcknowledgeAnnouncement(const AnnouncementRow& row) {
    static const std::string sql =
        "UPDATE announcements SET acknowledged_by = ?3, acknowledged_at = ?4 WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "announcements",
                             [&](Statement& s) {
                                 s.BindAll(row.line_id, row.id, row.acknowledged_by, row.acknowledged_at);
                             }),
                      "announcements");
}

// ---- audit

Result<std::int64_t> SqliteTx::AppendAudit(const AuditRow& row) {
    auto last = LastAudit();
    if (!last) return tl::unexpected(last.error());
    const std::int64_t want_seq = *last ? (*last)->seq + 1 : 1;
    const std::string& want_prev = *last ? (*last)->hash : std::string(kGenesisHash);
    if (row.seq != want_seq || row.prev_hash != want_prev) {
        return Fail(ErrorCode::kConflict, "audit_log: the entry does not follow the last entry (expected seq " +
                                              std::to_string(want_seq) + "); chain it on LastAudit() again");
    }
    static const std::string sql = Insert("audit_log", kAuditColumns, 11);
    auto changed = Change(conn_, sql, "audit_log", [&](Statement& s) {
        s.BindAll(row.seq, row.at, row.actor, row.action, row.line_id, row.record_type, row.record_id, row.purpose,
                  row.prev_hash, row.hash, row.detail);
    });
    if (auto inserted = Inserted(changed, "audit_log"); !inserted) return tl::unexpected(inserted.error());
    return row.seq;
}

Result<std::optional<AuditRow>> SqliteTx::LastAudit() {
    static const std::string sql = Select(kAuditColumns, "audit_log ORDER BY seq DESC LIMIT 1");
    return QueryOne(conn_, sql, "audit_log", ReadAudit, [](Statement&) {});
}

Result<std::vector<AuditRow>> SqliteTx::ListAudit(std::int64_t from_seq, size_t limit) {
    static const std::string sql = Select(kAuditColumns, "audit_log WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
    return QueryAll(conn_, sql, "audit_log", ReadAudit, [&](Statement& s) { s.BindAll(from_seq, ClampLimit(limit)); });
}

Result<std::vector<AuditRow>> SqliteTx::FindAudit(const AuditFilter& filter) {
    // As ListContacts: one statement per combination of present filters, numbered parameters.
    std::string sql = Select(kAuditColumns, "audit_log WHERE seq >= ?1");
    if (filter.actor) sql += " AND actor = ?2";
    if (filter.action) sql += " AND action = ?3";
    if (filter.line_id) sql += " AND line_id = ?4";
    if (filter.record_id) sql += " AND record_id = ?5";
    if (filter.since) sql += " AND at >= ?6";
    if (filter.before) sql += " AND at < ?7";
    sql += " ORDER BY seq LIMIT ?8";
    return QueryAll(conn_, sql, "audit_log", ReadAudit, [&](Statement& s) {
        s.Bind(1, filter.from_seq);
        if (filter.actor) s.Bind(2, *filter.actor);
        if (filter.action) s.Bind(3, *filter.action);
        if (filter.line_id) s.Bind(4, *filter.line_id);
        if (filter.record_id) s.Bind(5, *filter.record_id);
        if (filter.since) s.Bind(6, *filter.since);
        if (filter.before) s.Bind(7, *filter.before);
        s.Bind(8, ClampLimit(filter.limit));
    });
}

Result<std::vector<std::string>> SqliteTx::AuditGuardFaults() {
    static const std::string sql = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1";
    std::vector<std::string> faults;
    for (const auto& [name, definition] : detail::AuditGuards()) {
        auto found = QueryOne(
            conn_, sql, "sqlite_master", [](const Statement& s) { return s.Text(0); },
            [&](Statement& s) { s.Bind(1, name); });
        if (!found) return tl::unexpected(found.error());
        if (!*found) {
            faults.push_back("trigger " + name + " is missing (dropped)");
        } else if (**found != definition) {
            faults.push_back("trigger " + name + " is not as the schema made it (replaced)");
        }
    }
    return faults;
}

// ---- retained counts

Result<void> SqliteTx::AddRetainedCount(const RetainedCountRow& row) {
    static const std::string sql =
        Insert("retained_counts", kRetainedColumns, 4,
               " ON CONFLICT (line_id, month, key) DO UPDATE SET count = count + excluded.count");
    return Inserted(Change(conn_, sql, "retained_counts",
                           [&](Statement& s) { s.BindAll(row.line_id, row.month, row.key, row.count); }),
                    "retained_counts");
}

Result<std::vector<RetainedCountRow>> SqliteTx::ListRetainedCounts(const std::string& line_id) {
    static const std::string sql = Select(kRetainedColumns, "retained_counts WHERE line_id = ?1 ORDER BY month, key");
    return QueryAll(conn_, sql, "retained_counts", ReadRetained, [&](Statement& s) { s.BindAll(line_id); });
}

// ---- the rota

Result<void> SqliteTx::InsertShift(const ShiftRow& row) {
    static const std::string sql = Insert("shifts", kShiftColumns, 7);
    return Inserted(Change(conn_, sql, "shifts",
                           [&](Statement& s) {
                               s.BindAll(row.line_id, row.id, row.counsellor_id, row.start_at, row.end_at,
                                         row.updated_by, row.updated_at);
                           }),
                    "shifts");
}

Result<void> SqliteTx::UpdateShift(const ShiftRow& row) {
    static const std::string sql =
        "UPDATE shifts SET counsellor_id = ?3, start_at = ?4, end_at = ?5, updated_by = ?6, updated_at = ?7 "
        "WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "shifts",
                             [&](Statement& s) {
                                 s.BindAll(row.line_id, row.id, row.counsellor_id, row.start_at, row.end_at,
                                           row.updated_by, row.updated_at);
                             }),
                      "shifts");
}

Result<std::optional<ShiftRow>> SqliteTx::GetShift(const std::string& line_id, const std::string& id) {
    static const std::string sql = Select(kShiftColumns, "shifts WHERE line_id = ?1 AND id = ?2");
    return QueryOne(conn_, sql, "shifts", ReadShift, [&](Statement& s) { s.BindAll(line_id, id); });
}

Result<std::vector<ShiftRow>> SqliteTx::ListShifts(const std::string& line_id, TimeMs since, TimeMs before) {
    static const std::string sql =
        Select(kShiftColumns, "shifts WHERE line_id = ?1 AND start_at < ?3 AND end_at > ?2 ORDER BY start_at, id");
    return QueryAll(conn_, sql, "shifts", ReadShift, [&](Statement& s) { s.BindAll(line_id, since, before); });
}

Result<void> SqliteTx::DeleteShift(const std::string& line_id, const std::string& id) {
    static const std::string sql = "DELETE FROM shifts WHERE line_id = ?1 AND id = ?2";
    return ChangedOne(Change(conn_, sql, "shifts", [&](Statement& s) { s.BindAll(line_id, id); }), "shifts");
}

Result<std::vector<SessionRow>> SqliteTx::ListSessionsOf(const std::string& staff_id) {
    static const std::string sql = Select(kSessionColumns, "sessions WHERE staff_id = ?1 ORDER BY created_at");
    return QueryAll(conn_, sql, "sessions", ReadSession, [&](Statement& s) { s.BindAll(staff_id); });
}

}  // namespace crisisline::store::detail
