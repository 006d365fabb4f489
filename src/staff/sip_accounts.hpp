#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"
#include "writer/writer.hpp"

namespace crisisline::staff {

// SIP user names: 3-32 of [a-z0-9._-] (documented in docs/api.md).
constexpr size_t kMinSipUsername = 3;
constexpr size_t kMaxSipUsername = 32;
// Length of an issued SIP password, of [A-Za-z0-9] (about 119 bits).
constexpr size_t kSipPasswordLength = 20;

// Fails with kInvalid, field "sip_username", unless `name` is a valid SIP user name.
Result<void> CheckSipUsername(std::string_view name);

// Opens an account's sealed secret with the service key; kInternal if it does not open.
Result<std::string> OpenSipSecret(const crypto::SecretKey& service_key, const store::SipAccountRow& row);

// The SIP accounts counsellors' phones register with: one per member of staff.
// The password is password-equivalent: generated here, sealed with the service
// key, handed out once by Issue and otherwise only to telephony (records::LoadTelephonyBook);
// never logged. Blocking: call from a worker thread, never an event loop. Thread-safe.
class SipAccounts {
public:
    // All references outlive the SipAccounts. REQUIRES: keys.LoadService succeeded.
    SipAccounts(store::Store& store, writer::StorageWriter& writer, const crypto::Keyring& keys, const Clock& clock);

    // Gives `staff_id` a SIP account named `sip_username` with a new random password,
    // replacing any account they had (the old password stops working), audited as
    // "sip_account.issue" in the same transaction. On success returns the password: the only
    // time it is shown. Fails with kInvalid (field "sip_username") on a bad name, kConflict
    // (field "sip_username") when another member of staff has the name, kNotFound when there
    // is no such member of staff.
    // `encryption` ("required", "preferred" or "off"; kInvalid, field "encryption", otherwise): whether the
    // phone must register and be rung over TLS (records::Encryption).
    Result<std::string> Issue(const std::string& staff_id, const std::string& sip_username, const std::string& actor,
                              const std::string& encryption = "preferred");
    // Removes the account, audited as "sip_account.revoke". kNotFound when there is none.
    Result<void> Revoke(const std::string& staff_id, const std::string& actor);

    // The SIP user name of `staff_id`, or nullopt when they have no account.
    Result<std::optional<std::string>> UsernameOf(const std::string& staff_id);
    // staff id -> SIP user name, for every account.
    Result<std::map<std::string, std::string>> UsernamesByStaff();

private:
    store::Store& store_;
    writer::StorageWriter& writer_;
    const crypto::Keyring& keys_;
    const Clock& clock_;
};

}  // namespace crisisline::staff
