#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/fields.hpp"
#include "crypto/crypto.hpp"
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

// Staff accounts: creation, changes, and the audit entries that go with them.
// Disabled accounts are kept (their history refers to them). Blocking: call
// from a worker thread, never from an event loop. Thread-safe.
class Accounts {
public:
    Accounts(store::Store& store, writer::StorageWriter& writer, const Clock& clock);

    // kConflict when the username is taken.
    Result<store::StaffRow> Create(const NewStaff& who, const std::string& actor);
    Result<std::vector<store::StaffRow>> List();
    Result<store::StaffRow> Get(const std::string& id);
    // Changes display_name, roles, lines, languages, specialisms and/or disabled.
    // Disabling signs the person out everywhere. Separation of duties: kForbidden (field "roles" or
    // "lines") when `actor` is `id` and the patch names roles or lines: nobody changes their own.
    Result<store::StaffRow> Update(const std::string& id, const Fields& patch, const std::string& actor);
    // Clears the TOTP enrolment (next sign-in enrols again) and signs the person out everywhere.
    Result<void> ResetMfa(const std::string& id, const std::string& actor);
    // Sets a new password (CheckPasswordPolicy) and signs the person out everywhere.
    Result<void> SetPassword(const std::string& id, std::string_view password, const std::string& actor);

private:
    Result<store::StaffRow> Change(const std::string& id,
                                   const std::string& actor,
                                   const std::string& action,
                                   const std::function<Result<void>(store::StaffRow&)>& edit,
                                   bool sign_out);

    store::Store& store_;
    writer::StorageWriter& writer_;
    const Clock& clock_;
};

}  // namespace crisisline::staff
