#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/fields.hpp"
#include "crypto/crypto.hpp"
#include "staff/duties.hpp"
#include "staff/principal.hpp"
#include "store/store.hpp"
#include "writer/writer.hpp"

namespace crisisline::staff {

// Field limits for staff accounts (documented in docs/api.md).
constexpr size_t kMaxUsername = 64;
constexpr size_t kMaxDisplayName = 100;
constexpr size_t kMaxListItems = 32;
constexpr size_t kMaxListItem = 64;

struct Profile {
    std::vector<std::string> roles;
    std::vector<std::string> lines;
    std::vector<std::string> languages;
    std::vector<std::string> specialisms;
};

struct NewStaff {
    std::string username;
    std::string display_name;
    std::string password;
    Profile profile;
};

// Reads a create-staff request. Username: 3-64 of [a-z0-9._-] (upper case folded).
Result<NewStaff> NewStaffFromFields(const Fields& f);

Profile ProfileOf(const store::StaffRow& row);
Principal PrincipalOf(const store::StaffRow& row);

// The account as the API shows it: never the password hash or TOTP secret.
nlohmann::json StaffJson(const store::StaffRow& row);

Access AccessOf(const store::StaffRow& row);

// A staff change awaiting a second administrator, as the API shows it (never the password hash).
// `now` decides whether a pending one has lapsed (status "expired").
nlohmann::json StaffChangeJson(const store::StaffChangeRow& row, TimeMs now);
// A wallboard announcement of a new content reader, with their display name.
nlohmann::json AnnouncementJson(const store::AnnouncementRow& row, const std::string& display_name);

// What an administrator's staff change came to.
struct StaffDecision {
    // Applied: the account as it is now. Waiting: the account as it stays until approved (an update) or as
    // it would be (a create: not stored yet).
    store::StaffRow row;
    std::optional<store::StaffChangeRow> pending;  // set when the change waits for a second administrator
    std::vector<store::AnnouncementRow> announced;  // the content grants that took effect, one per line and role
};

// Staff accounts: creation, changes, and the audit entries that go with them.
// Disabled accounts are kept (their history refers to them). Blocking: call
// from a worker thread, never from an event loop. Thread-safe.
class Accounts {
public:
    Accounts(store::Store& store, writer::StorageWriter& writer, const Clock& clock);

    // How long a change waits for a second administrator (kStaffChangeLifetimeMs by default).
    // REQUIRES: called before any other method.
    void SetChangeLifetime(TimeMs lifetime_ms) { change_lifetime_ms_ = lifetime_ms; }

    // kConflict when the username is taken. Applied at once, as asked by `actor` (an operator at the
    // server, "system", or a test): the two-person rule is for administrators (the overload below).
    Result<store::StaffRow> Create(const NewStaff& who, const std::string& actor);
    // An administrator's create. When it gives a content role (counsellor or supervisor on a line) and
    // `actor` is not the service manager of every such line, nothing is created: a pending change is
    // stored (password hash included, never shown) and audited as "staff.change.request".
    Result<StaffDecision> Create(const NewStaff& who, const Principal& actor);
    Result<std::vector<store::StaffRow>> List();
    Result<store::StaffRow> Get(const std::string& id);
    // Changes display_name, roles, lines, languages, specialisms and/or disabled.
    // Disabling signs the person out everywhere. Separation of duties: kForbidden (field "roles" or
    // "lines") when `actor` is `id` and the patch names roles or lines: nobody changes their own.
    Result<store::StaffRow> Update(const std::string& id, const Fields& patch, const std::string& actor);
    // An administrator's update, under the same two-person rule as Create: a content grant that `actor`
    // may not make alone leaves the account as it is and stores a pending change instead.
    Result<StaffDecision> Update(const std::string& id, const Fields& patch, const Principal& actor);

    // Changes asked for in the last 30 days, newest first.
    Result<std::vector<store::StaffChangeRow>> Changes();
    // Approves a pending change (MayDecide: an administrator other than the requester and the subject).
    // kNotFound for an unknown id; kConflict when it was decided already, has expired, or the account
    // changed since it was asked (its name, roles, lines, languages, specialisms or disabled), or a
    // create's username was taken meanwhile. Audited as "staff.change.approve" with before and after.
    Result<StaffDecision> Approve(const std::string& change_id, const Principal& approver);
    // Rejects a pending change; the same rules and refusals as Approve. Audited as "staff.change.reject".
    Result<store::StaffChangeRow> Reject(const std::string& change_id, const Principal& approver);

    // A line's announcements still shown (not acknowledged, not expired), oldest first, with display names.
    Result<nlohmann::json> Announcements(const std::string& line_id);
    // Acknowledges one (a supervisor of the line: the caller checks), audited. kNotFound when the line has
    // no such announcement still shown.
    Result<store::AnnouncementRow> Acknowledge(const std::string& line_id, const std::string& id, const std::string& actor);
    // Clears the TOTP enrolment (next sign-in enrols again) and signs the person out everywhere.
    Result<void> ResetMfa(const std::string& id, const std::string& actor);
    // Sets a new password (CheckPasswordPolicy) and signs the person out everywhere.
    Result<void> SetPassword(const std::string& id, std::string_view password, const std::string& actor);

private:
    Result<StaffDecision> CreateAs(const NewStaff& who, const Principal* actor, const std::string& actor_id);
    Result<StaffDecision> UpdateAs(const std::string& id, const Fields& patch, const Principal* actor,
                                   const std::string& actor_id);
    Result<store::StaffChangeRow> Decide(const std::string& change_id,
                                         const Principal& approver,
                                         bool approve,
                                         StaffDecision* applied);
    Result<store::StaffRow> Change(const std::string& id,
                                   const std::string& actor,
                                   const std::string& action,
                                   const std::function<Result<void>(store::StaffRow&)>& edit,
                                   bool sign_out);

    store::Store& store_;
    writer::StorageWriter& writer_;
    const Clock& clock_;
    TimeMs change_lifetime_ms_ = kStaffChangeLifetimeMs;
};

}  // namespace crisisline::staff
