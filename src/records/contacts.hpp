#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "records/need_to_know.hpp"
#include "records/services.hpp"
#include "staff/principal.hpp"

namespace crisisline::records {

// Why a person opened a contact's content; recorded in the audit log with every read.
const std::vector<std::string>& ReadPurposes();

// The coded flags a contact keeps in clear (ContactJson's "cause_for_concern" and "imminent_risk").
struct ContactFlags {
    bool cause_for_concern = false;
    bool imminent_risk = false;
    bool operator==(const ContactFlags&) const = default;
};

// The flags of a contact's JSON (or its stored facts); absent or null counts as false.
ContactFlags FlagsOf(const nlohmann::json& contact);

// Contacts (one per call). Content is sealed with the line's key before it is
// written; every read and write of content is in the audit log, in the same
// transaction as the access. Role x line is the caller's (the API layer's) job; need to
// know (records/need_to_know.hpp) is checked here, from what telephony shows (`call`,
// which the caller asks telephony for) and the contact's own records.
// Blocking: call from a worker thread. Thread-safe.
class Contacts {
public:
    explicit Contacts(Services services) : s_(services) {}

    // Creates a contact on `line_id` answered by `who` (unless the body says otherwise).
    // A caller number, if given, is kept only as a keyed hash; the answer carries the
    // number of contacts from the same number on this line in the last 30 days.
    Result<nlohmann::json> Create(const staff::Principal& who, const std::string& line_id, const Fields& body);
    // The whole contact, decrypted; audited ("contact.read") with `purpose` in the same transaction as the read.
    // kInvalid (field "purpose") when `purpose` is not one of ReadPurposes(); kNotFound when there is no such
    // contact on the line; kForbidden (field "purpose") when MayOpen refuses `who` that purpose, and then the
    // refusal is audited ("contact.read_refused", with the purpose asked for) and nothing is decrypted.
    Result<nlohmann::json> Read(const staff::Principal& who,
                                const std::string& line_id,
                                const std::string& id,
                                const std::string& purpose,
                                CallView call);
    // Appends a refused access to contact `id` to the audit log (`action`, e.g. "contact.read_refused", with the
    // purpose asked for): for refusals decided before the contact is looked at (role x line).
    Result<void> AuditRefusal(const staff::Principal& who,
                              const std::string& line_id,
                              const std::string& id,
                              const std::string& action,
                              const std::string& purpose);
    // Need to know before a change of contact `id` (PATCH, close, scheduling a follow-up, raising an
    // escalation): succeeds when MayChange allows `who`. kNotFound when there is no such contact; kConflict when
    // it is `who`'s own contact and already closed; kForbidden otherwise, audited as `action` + "_refused".
    Result<void> CheckHandling(const staff::Principal& who,
                               const std::string& line_id,
                               const std::string& id,
                               CallView call,
                               const std::string& action);
    // Applies the fields present in `body`; requires the current `version` (kConflict otherwise).
    // On success, `flags_before` (if given) holds the flags of the version that was replaced.
    Result<nlohmann::json> Update(const staff::Principal& who,
                                  const std::string& line_id,
                                  const std::string& id,
                                  const Fields& body,
                                  ContactFlags* flags_before = nullptr);
    // Wrap-up: checks CheckReadyToClose, sets ended_at (now unless given) and closes. `flags_before` as Update.
    // A contact with a counsellor is closed only by them or by a supervisor (kForbidden for anyone else); the
    // audit entry names who closed it.
    Result<nlohmann::json> Close(const staff::Principal& who,
                                 const std::string& line_id,
                                 const std::string& id,
                                 const Fields& body,
                                 ContactFlags* flags_before = nullptr);
    // A repeat caller's earlier contacts, for the counsellor on the call with them: up to 10 contacts on
    // `line_id` from the same number (same keyed caller hash) as contact `id` that arrived before it, newest
    // first, as {previous: [...]}. Each has the coded facts, the counsellor's display name and, from the sealed
    // content, only what continues care: addressed_as, the assessment's safety_plan, follow_up_plan and the
    // names of the services signposted (never the notes or the formulation). Every contact returned is audited
    // ("contact.read", purpose "repeat_caller") in the same transaction as the read. A contact without a
    // number has none: {previous: []}. kNotFound when `id` is not a contact of the line. Authorisation (need
    // to know: only the counsellor on that call) is the caller's job.
    Result<nlohmann::json> Previous(const staff::Principal& who, const std::string& line_id, const std::string& id);
    // Summaries (timings and coded flags, no content), newest first.
    Result<nlohmann::json> List(const std::string& line_id, const store::ContactFilter& filter);

private:
    Result<nlohmann::json> Change(const staff::Principal& who,
                                  const std::string& line_id,
                                  const std::string& id,
                                  const Fields& body,
                                  bool closing,
                                  ContactFlags* flags_before);

    Services s_;
};

// Shared by contacts and follow-ups: the associated data for a sealed record.
std::string SealingContext(std::string_view kind, std::string_view line_id, std::string_view id);

// A contact as JSON. `content` is the decrypted content, or null for a summary.
nlohmann::json ContactJson(const store::ContactRow& row, const nlohmann::json& content);

}  // namespace crisisline::records
