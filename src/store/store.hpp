#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/rows.hpp"

namespace crisisline::store {

struct ContactFilter {
    std::optional<std::string> status;
    std::optional<std::string> counsellor_id;
    std::optional<TimeMs> arrived_since;
    std::optional<TimeMs> arrived_before;
    std::optional<TimeMs> ended_before;
    size_t limit = 100;
};

// Which audit entries to list: every field present must match exactly.
struct AuditFilter {
    std::int64_t from_seq = 1;  // entries with seq >= from_seq, in seq order
    std::optional<std::string> actor;
    std::optional<std::string> action;
    std::optional<std::string> line_id;
    std::optional<std::string> record_id;
    std::optional<TimeMs> since;   // at >= since
    std::optional<TimeMs> before;  // at < before
    size_t limit = 100;
};

// The unit of work against storage. Every query names a line where the record
// belongs to one: there is no cross-line read of tenant data.
//
// Every method returns ErrorCode::kNotFound / kConflict for the expected cases
// and kInternal (with a message free of personal data) for storage failures.
// REQUIRES: used by one thread at a time, only within the callback it was given to.
class Tx {
public:
    virtual ~Tx() = default;

    virtual Result<void> PutLine(const LineRow& row) = 0;  // insert or replace
    virtual Result<std::optional<LineRow>> GetLine(const std::string& id) = 0;
    virtual Result<std::vector<LineRow>> ListLines() = 0;

    virtual Result<void> InsertStaff(const StaffRow& row) = 0;  // kConflict on a taken username
    virtual Result<void> UpdateStaff(const StaffRow& row) = 0;  // kNotFound if absent
    virtual Result<std::optional<StaffRow>> GetStaff(const std::string& id) = 0;
    virtual Result<std::optional<StaffRow>> GetStaffByUsername(const std::string& username) = 0;
    virtual Result<std::vector<StaffRow>> ListStaff() = 0;

    // Inserts or replaces the account of row.staff_id (one per member of staff).
    // kConflict (field "sip_username") when the username belongs to another member of staff;
    // kNotFound when the member of staff does not exist.
    virtual Result<void> PutSipAccount(const SipAccountRow& row) = 0;
    virtual Result<std::optional<SipAccountRow>> GetSipAccountOfStaff(const std::string& staff_id) = 0;
    virtual Result<std::vector<SipAccountRow>> ListSipAccounts() = 0;  // by username
    virtual Result<void> DeleteSipAccountOfStaff(const std::string& staff_id) = 0;  // kNotFound if none

    virtual Result<void> PutTrunk(const TrunkRow& row) = 0;  // insert or replace, by name
    virtual Result<std::optional<TrunkRow>> GetTrunk(const std::string& name) = 0;
    virtual Result<std::vector<TrunkRow>> ListTrunks() = 0;  // by name
    virtual Result<void> DeleteTrunk(const std::string& name) = 0;  // kNotFound if absent

    virtual Result<void> PutPhoneRegistration(const PhoneRegistrationRow& row) = 0;  // insert or replace, by username
    virtual Result<void> DeletePhoneRegistration(const std::string& username) = 0;  // none stored: not an error
    virtual Result<std::vector<PhoneRegistrationRow>> ListPhoneRegistrations() = 0;  // by username

    virtual Result<void> InsertStaffChange(const StaffChangeRow& row) = 0;
    // Writes status, decided_by and decided_at of row.id; kNotFound if absent.
    virtual Result<void> DecideStaffChange(const StaffChangeRow& row) = 0;
    virtual Result<std::optional<StaffChangeRow>> GetStaffChange(const std::string& id) = 0;
    // Changes requested at or after `since`, newest first, at most `limit`.
    virtual Result<std::vector<StaffChangeRow>> ListStaffChanges(TimeMs since, size_t limit) = 0;

    virtual Result<void> InsertAnnouncement(const AnnouncementRow& row) = 0;
    virtual Result<std::optional<AnnouncementRow>> GetAnnouncement(const std::string& line_id, const std::string& id) = 0;
    // A line's announcements not acknowledged and with expires_at > now, oldest first.
    virtual Result<std::vector<AnnouncementRow>> ListAnnouncements(const std::string& line_id, TimeMs now) = 0;
    // Writes acknowledged_by and acknowledged_at of (row.line_id, row.id); kNotFound if absent.
    virtual Result<void> AcknowledgeAnnouncement(const AnnouncementRow& row) = 0;

    virtual Result<void> InsertSession(const SessionRow& row) = 0;
    virtual Result<std::optional<SessionRow>> GetSession(const std::string& token_hash) = 0;
    virtual Result<void> UpdateSession(const SessionRow& row) = 0;
    virtual Result<void> DeleteSession(const std::string& token_hash) = 0;
    virtual Result<void> DeleteSessionsOf(const std::string& staff_id) = 0;
    virtual Result<void> DeleteSessionsSeenBefore(TimeMs before) = 0;

    virtual Result<void> InsertContact(const ContactRow& row) = 0;
    // Writes `row` only if the stored version is row.version - 1 (optimistic concurrency): kConflict otherwise.
    virtual Result<void> UpdateContact(const ContactRow& row) = 0;
    virtual Result<std::optional<ContactRow>> GetContact(const std::string& line_id, const std::string& id) = 0;
    virtual Result<std::vector<ContactRow>> ListContacts(const std::string& line_id, const ContactFilter& filter) = 0;
    virtual Result<std::int64_t> CountContactsFromCaller(const std::string& line_id,
                                                         const std::string& caller_hash,
                                                         TimeMs since) = 0;
    // A line's contacts from one caller (same keyed hash) that arrived before `before`, newest first,
    // at most `limit`. An empty hash (a withheld number) links nothing: the answer is empty.
    virtual Result<std::vector<ContactRow>> ListContactsFromCaller(const std::string& line_id,
                                                                   const std::string& caller_hash,
                                                                   TimeMs before,
                                                                   size_t limit) = 0;
    virtual Result<void> DeleteContact(const std::string& line_id, const std::string& id) = 0;
    // A line's phone contacts (facts channel "phone") with no end time: calls in progress, or calls a
    // previous process left unfinished when it stopped without ending them. Oldest first.
    virtual Result<std::vector<ContactRow>> ListUnfinishedCalls(const std::string& line_id) = 0;
    // The phone contacts of a line that arrived in [since, before), counted without reading them out.
    virtual Result<PhoneTally> TallyPhoneContacts(const std::string& line_id, TimeMs since, TimeMs before) = 0;
    // Staffing's history: the line's phone calls that arrived in [since, before), counted per half hour (only half
    // hours with calls, in order), and the sums of their waits, talk and wrap-up; nothing is read out of a call.
    virtual Result<std::vector<HalfHourCount>> CountPhoneArrivalsByHalfHour(const std::string& line_id, TimeMs since,
                                                                            TimeMs before) = 0;
    virtual Result<CallTimings> SumCallTimings(const std::string& line_id, TimeMs since, TimeMs before) = 0;

    // A line's contacts that arrived in [since, before), for counting (the reports): only id, line_id, status,
    // arrived_at, answered_at, ended_at, counsellor_id, facts_json, force_sealed and updated_at are filled; no sealed content,
    // no caller hash is read. In no particular order.
    virtual Result<std::vector<ContactRow>> ListContactFacts(const std::string& line_id, TimeMs since, TimeMs before) = 0;
    // The upgrade to the sealed force (records/force_backfill.hpp): a line's contacts whose force_sealed is empty and
    // whose content is still there (not shredded), with ids after `after_id` in id order, at most `limit`; all columns.
    virtual Result<std::vector<ContactRow>> ListContactsWithoutSealedForce(const std::string& line_id,
                                                                           const std::string& after_id,
                                                                           size_t limit) = 0;
    // Sets the contact's force_sealed, only while it is still empty and the contact still at `version`; nothing else
    // of the row changes (not its version: a counsellor editing it is not disturbed). True when the row was written,
    // false when it was not (sealed meanwhile, changed, or gone).
    virtual Result<bool> SealContactForce(const std::string& line_id,
                                          const std::string& id,
                                          std::int64_t version,
                                          const Bytes& force_sealed) = 0;
    // An upgrade of stored data run after start (e.g. "force_sealed"): whether it went through every row, and
    // recording that it did (at `at`; recording it again keeps the first time).
    virtual Result<bool> UpgradeDone(const std::string& name) = 0;
    virtual Result<void> RecordUpgradeDone(const std::string& name, TimeMs at) = 0;

    virtual Result<void> InsertFollowUp(const FollowUpRow& row) = 0;
    virtual Result<void> UpdateFollowUp(const FollowUpRow& row) = 0;  // same versioning as UpdateContact
    virtual Result<std::optional<FollowUpRow>> GetFollowUp(const std::string& line_id, const std::string& id) = 0;
    // Follow-ups of a line whose status is one of `statuses` (all when empty), earliest first.
    virtual Result<std::vector<FollowUpRow>> ListFollowUps(const std::string& line_id,
                                                           const std::vector<std::string>& statuses) = 0;
    virtual Result<std::vector<FollowUpRow>> ListFollowUpsOfContact(const std::string& line_id,
                                                                    const std::string& contact_id) = 0;
    virtual Result<void> DeleteFollowUp(const std::string& line_id, const std::string& id) = 0;
    // How many of a line's follow-ups have `status` as stored.
    virtual Result<std::int64_t> CountFollowUps(const std::string& line_id, const std::string& status) = 0;

    virtual Result<void> InsertEscalation(const EscalationRow& row) = 0;
    virtual Result<std::optional<EscalationRow>> GetEscalation(const std::string& line_id, const std::string& id) = 0;
    virtual Result<std::vector<EscalationRow>> ListEscalations(const std::string& line_id) = 0;
    virtual Result<std::vector<EscalationRow>> ListEscalationsOfContact(const std::string& line_id,
                                                                        const std::string& contact_id) = 0;
    virtual Result<void> DeleteEscalation(const std::string& line_id, const std::string& id) = 0;

    virtual Result<void> PutDirectoryService(const DirectoryServiceRow& row) = 0;  // insert or replace
    virtual Result<std::optional<DirectoryServiceRow>> GetDirectoryService(const std::string& line_id,
                                                                           const std::string& id) = 0;
    virtual Result<std::vector<DirectoryServiceRow>> ListDirectoryServices(const std::string& line_id) = 0;
    virtual Result<void> DeleteDirectoryService(const std::string& line_id, const std::string& id) = 0;

    // Appends `row` as the next entry. The caller has chained it on LastAudit()
    // (row.seq = last seq + 1, or 1; row.prev_hash = last hash, or the genesis hash);
    // the store refuses with kConflict when either does not match, so the chain cannot fork.
    virtual Result<std::int64_t> AppendAudit(const AuditRow& row) = 0;
    virtual Result<std::optional<AuditRow>> LastAudit() = 0;
    // Entries with seq >= from_seq in seq order, at most `limit`.
    virtual Result<std::vector<AuditRow>> ListAudit(std::int64_t from_seq, size_t limit) = 0;
    // Entries matching `filter`, in seq order, at most filter.limit.
    virtual Result<std::vector<AuditRow>> FindAudit(const AuditFilter& filter) = 0;
    // The store's own guards on the audit log (for SQLite, the triggers refusing
    // UPDATE, DELETE and an insert that does not continue the chain): one line for
    // each that is missing or not as the schema made it; empty when all are in place.
    virtual Result<std::vector<std::string>> AuditGuardFaults() = 0;

    // The rota. A shift is keyed (line_id, id); InsertShift is kConflict on a taken id, kNotFound for an unknown line.
    virtual Result<void> InsertShift(const ShiftRow& row) = 0;
    virtual Result<void> UpdateShift(const ShiftRow& row) = 0;  // kNotFound if absent
    virtual Result<std::optional<ShiftRow>> GetShift(const std::string& line_id, const std::string& id) = 0;
    // A line's shifts overlapping [since, before) (start_at < before and end_at > since), by start then id.
    virtual Result<std::vector<ShiftRow>> ListShifts(const std::string& line_id, TimeMs since, TimeMs before) = 0;
    virtual Result<void> DeleteShift(const std::string& line_id, const std::string& id) = 0;  // kNotFound if absent
    // A member of staff's sessions (for "rostered but not signed in"), oldest first.
    virtual Result<std::vector<SessionRow>> ListSessionsOf(const std::string& staff_id) = 0;

    virtual Result<void> AddRetainedCount(const RetainedCountRow& row) = 0;  // adds row.count to the stored count
    virtual Result<std::vector<RetainedCountRow>> ListRetainedCounts(const std::string& line_id) = 0;
};

using Work = std::function<Result<void>(Tx&)>;

// Storage. One writer: all writes go through Write/WriteBatch, which callers
// serialise on a single storage thread; reads may run concurrently on other threads.
// Thread-safe as stated per method.
class Store {
public:
    virtual ~Store() = default;

    // Runs `work` in one transaction: committed durably if it returns a value,
    // rolled back entirely otherwise (nothing half-written). REQUIRES: the writer thread.
    virtual Result<void> Write(const Work& work) = 0;

    // Group commit: runs each unit of `works` inside one transaction, each within
    // its own savepoint, so a failing unit is rolled back alone and the others
    // commit together with one durable sync. Returns one result per unit, in order;
    // if the commit itself fails every result is that failure. REQUIRES: the writer thread.
    virtual std::vector<Result<void>> WriteBatch(const std::vector<Work>& works) = 0;

    // Runs `work` in a read-only snapshot. Thread-safe: any thread, concurrently.
    virtual Result<void> Read(const Work& work) = 0;

    // Copies the whole database to `path` consistently while the service runs.
    virtual Result<void> Backup(const std::string& path) = 0;

    virtual std::int64_t SchemaVersion() const = 0;
};

struct SqliteOptions {
    std::string path;  // the database file; its -wal and -shm files sit beside it
};

// Opens (creating if absent) the SQLite database, sets WAL, synchronous=FULL,
// foreign_keys=ON and secure_delete=ON, and applies pending migrations.
// Fails with a clear message when the database was written by a newer
// crisisline (its schema version is above the binary's) or cannot be opened.
Result<std::unique_ptr<Store>> OpenSqlite(const SqliteOptions& options);

// The schema version this binary writes.
std::int64_t LatestSchemaVersion();

}  // namespace crisisline::store
