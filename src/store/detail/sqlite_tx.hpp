#pragma once

#include <string>
#include <string_view>

#include "store/detail/sqlite.hpp"
#include "store/store.hpp"

namespace crisisline::store::detail {

// The Tx of the SQLite store: every call runs on `conn` inside the transaction
// the store opened around the callback. Error codes as Tx documents; in
// addition, DeleteContact/DeleteFollowUp/DeleteEscalation/DeleteDirectoryService
// and UpdateSession return kNotFound when the row is absent, DeleteContact
// returns kConflict while follow-ups or escalations still refer to the contact,
// and inserts whose line or contact is absent return kNotFound. DeleteSession*
// succeed when nothing matched (signing out twice is not an error).
// REQUIRES: used by one thread, only while the store's transaction is open.
class SqliteTx final : public Tx {
public:
    explicit SqliteTx(Connection& conn) : conn_(conn) {}

    // The connection this transaction runs on; for tests and diagnostics.
    Connection& Conn() const { return conn_; }

    Result<void> PutLine(const LineRow& row) override;
    Result<std::optional<LineRow>> GetLine(const std::string& id) override;
    Result<std::vector<LineRow>> ListLines() override;
    Result<void> InsertStaff(const StaffRow& row) override;
    Result<void> UpdateStaff(const StaffRow& row) override;
    Result<std::optional<StaffRow>> GetStaff(const std::string& id) override;
    Result<std::optional<StaffRow>> GetStaffByUsername(const std::string& username) override;
    Result<std::vector<StaffRow>> ListStaff() override;
    Result<void> PutSipAccount(const SipAccountRow& row) override;
    Result<std::optional<SipAccountRow>> GetSipAccountOfStaff(const std::string& staff_id) override;
    Result<std::vector<SipAccountRow>> ListSipAccounts() override;
    Result<void> DeleteSipAccountOfStaff(const std::string& staff_id) override;
    Result<void> PutTrunk(const TrunkRow& row) override;
    Result<std::optional<TrunkRow>> GetTrunk(const std::string& name) override;
    Result<std::vector<TrunkRow>> ListTrunks() override;
    Result<void> DeleteTrunk(const std::string& name) override;
    Result<void> PutPhoneRegistration(const PhoneRegistrationRow& row) override;
    Result<void> DeletePhoneRegistration(const std::string& username) override;
    Result<std::vector<PhoneRegistrationRow>> ListPhoneRegistrations() override;
    Result<void> InsertSession(const SessionRow& row) override;
    Result<std::optional<SessionRow>> GetSession(const std::string& token_hash) override;
    Result<void> UpdateSession(const SessionRow& row) override;
    Result<void> DeleteSession(const std::string& token_hash) override;
    Result<void> DeleteSessionsOf(const std::string& staff_id) override;
    Result<void> DeleteSessionsSeenBefore(TimeMs before) override;
    Result<void> InsertContact(const ContactRow& row) override;
    Result<void> UpdateContact(const ContactRow& row) override;
    Result<std::optional<ContactRow>> GetContact(const std::string& line_id, const std::string& id) override;
    Result<std::vector<ContactRow>> ListContacts(const std::string& line_id, const ContactFilter& filter) override;
    Result<std::int64_t> CountContactsFromCaller(const std::string& line_id,
                                                 const std::string& caller_hash,
                                                 TimeMs since) override;
    Result<std::vector<ContactRow>> ListContactsFromCaller(const std::string& line_id,
                                                           const std::string& caller_hash,
                                                           TimeMs before,
                                                           size_t limit) override;
    Result<void> DeleteContact(const std::string& line_id, const std::string& id) override;
    Result<std::vector<ContactRow>> ListUnfinishedCalls(const std::string& line_id) override;
    Result<PhoneTally> TallyPhoneContacts(const std::string& line_id, TimeMs since, TimeMs before) override;
    Result<std::vector<HalfHourCount>> CountPhoneArrivalsByHalfHour(const std::string& line_id, TimeMs since,
                                                                    TimeMs before) override;
    Result<CallTimings> SumCallTimings(const std::string& line_id, TimeMs since, TimeMs before) override;
    Result<std::vector<ContactRow>> ListContactFacts(const std::string& line_id, TimeMs since, TimeMs before) override;
    Result<std::vector<ContactRow>> ListContactsWithoutSealedForce(const std::string& line_id,
                                                                   const std::string& after_id,
                                                                   size_t limit) override;
    Result<bool> SealContactForce(const std::string& line_id,
                                  const std::string& id,
                                  std::int64_t version,
                                  const Bytes& force_sealed) override;
    Result<bool> UpgradeDone(const std::string& name) override;
    Result<void> RecordUpgradeDone(const std::string& name, TimeMs at) override;
    Result<void> InsertFollowUp(const FollowUpRow& row) override;
    Result<void> UpdateFollowUp(const FollowUpRow& row) override;
    Result<std::optional<FollowUpRow>> GetFollowUp(const std::string& line_id, const std::string& id) override;
    Result<std::vector<FollowUpRow>> ListFollowUps(const std::string& line_id,
                                                   const std::vector<std::string>& statuses) override;
    Result<std::vector<FollowUpRow>> ListFollowUpsOfContact(const std::string& line_id,
                                                            const std::string& contact_id) override;
    Result<void> DeleteFollowUp(const std::string& line_id, const std::string& id) override;
    Result<std::int64_t> CountFollowUps(const std::string& line_id, const std::string& status) override;
    Result<void> InsertEscalation(const EscalationRow& row) override;
    Result<std::optional<EscalationRow>> GetEscalation(const std::string& line_id, const std::string& id) override;
    Result<std::vector<EscalationRow>> ListEscalations(const std::string& line_id) override;
    Result<std::vector<EscalationRow>> ListEscalationsOfContact(const std::string& line_id,
                                                                const std::string& contact_id) override;
    Result<void> DeleteEscalation(const std::string& line_id, const std::string& id) override;
    Result<void> PutDirectoryService(const DirectoryServiceRow& row) override;
    Result<std::optional<DirectoryServiceRow>> GetDirectoryService(const std::string& line_id,
                                                                   const std::string& id) override;
    Result<std::vector<DirectoryServiceRow>> ListDirectoryServices(const std::string& line_id) override;
    Result<void> DeleteDirectoryService(const std::string& line_id, const std::string& id) override;
    Result<void> InsertStaffChange(const StaffChangeRow& row) override;
    Result<void> DecideStaffChange(const StaffChangeRow& row) override;
    Result<std::optional<StaffChangeRow>> GetStaffChange(const std::string& id) override;
    Result<std::vector<StaffChangeRow>> ListStaffChanges(TimeMs since, size_t limit) override;
    Result<void> InsertAnnouncement(const AnnouncementRow& row) override;
    Result<std::optional<AnnouncementRow>> GetAnnouncement(const std::string& line_id, const std::string& id) override;
    Result<std::vector<AnnouncementRow>> ListAnnouncements(const std::string& line_id, TimeMs now) override;
    Result<void> AcknowledgeAnnouncement(const AnnouncementRow& row) override;
    Result<std::int64_t> AppendAudit(const AuditRow& row) override;
    Result<std::optional<AuditRow>> LastAudit() override;
    Result<std::vector<AuditRow>> ListAudit(std::int64_t from_seq, size_t limit) override;
    Result<std::vector<AuditRow>> FindAudit(const AuditFilter& filter) override;
    Result<std::vector<std::string>> AuditGuardFaults() override;
    Result<void> InsertShift(const ShiftRow& row) override;
    Result<void> UpdateShift(const ShiftRow& row) override;
    Result<std::optional<ShiftRow>> GetShift(const std::string& line_id, const std::string& id) override;
    Result<std::vector<ShiftRow>> ListShifts(const std::string& line_id, TimeMs since, TimeMs before) override;
    Result<void> DeleteShift(const std::string& line_id, const std::string& id) override;
    Result<std::vector<SessionRow>> ListSessionsOf(const std::string& staff_id) override;
    Result<void> AddRetainedCount(const RetainedCountRow& row) override;
    Result<std::vector<RetainedCountRow>> ListRetainedCounts(const std::string& line_id) override;

private:
    Connection& conn_;
};

}  // namespace crisisline::store::detail
