#include "staff/sip_accounts.hpp"

#include <sodium.h>

#include <algorithm>

#include "writer/audit_trail.hpp"

namespace crisisline::staff {

namespace {

// Associated data: a sealed secret moved onto another account does not open.
std::string SealingContext(const std::string& staff_id, const std::string& username) {
    return "sip_account:" + staff_id + ":" + username;
}

std::string NewPassword() {
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out(kSipPasswordLength, '\0');
    // randombytes_uniform has no modulo bias.
    for (auto& c : out) c = kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
    return out;
}

}  // namespace

Result<void> CheckSipUsername(std::string_view name) {
    const bool ok = name.size() >= kMinSipUsername && name.size() <= kMaxSipUsername &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                    });
    if (!ok) return Fail(ErrorCode::kInvalid, "sip_username", "must be 3-32 of a-z, 0-9, '.', '_' and '-'");
    return {};
}

Result<std::string> OpenSipSecret(const crypto::SecretKey& service_key, const store::SipAccountRow& row) {
    return crypto::OpenWithKey(service_key, row.secret_sealed, SealingContext(row.staff_id, row.username));
}

SipAccounts::SipAccounts(store::Store& store,
                         writer::StorageWriter& writer,
                         const crypto::Keyring& keys,
                         const Clock& clock)
    : store_(store), writer_(writer), keys_(keys), clock_(clock) {}

Result<std::string> SipAccounts::Issue(const std::string& staff_id,
                                       const std::string& sip_username,
                                       const std::string& actor,
                                       const std::string& encryption) {
    if (auto ok = CheckSipUsername(sip_username); !ok) return tl::unexpected(ok.error());
    if (encryption != "required" && encryption != "preferred" && encryption != "off") {
        return Fail(ErrorCode::kInvalid, "encryption", "must be \"required\", \"preferred\" or \"off\"");
    }
    std::string password = NewPassword();
    const TimeMs now = clock_.Now();
    store::SipAccountRow row{sip_username, staff_id,
                             crypto::SealWithKey(keys_.Service(), password, SealingContext(staff_id, sip_username)),
                             now, now, encryption};
    auto written = writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto staff = tx.GetStaff(staff_id);
        if (!staff) return tl::unexpected(staff.error());
        if (!*staff) return Fail(ErrorCode::kNotFound, "no staff member with this id");
        if (auto r = tx.PutSipAccount(row); !r) {
            if (r.error().code == ErrorCode::kConflict) {
                return Fail(ErrorCode::kConflict, "sip_username", "this SIP username belongs to someone else");
            }
            return r;
        }
        return writer::AppendAudit(tx, now, {actor, "sip_account.issue", "", "staff", staff_id, "administration"});
    });
    if (!written) {
        sodium_memzero(password.data(), password.size());
        return tl::unexpected(written.error());
    }
    return password;
}

Result<void> SipAccounts::Revoke(const std::string& staff_id, const std::string& actor) {
    return writer_.Run([&](store::Tx& tx) -> Result<void> {
        auto account = tx.GetSipAccountOfStaff(staff_id);
        if (!account) return tl::unexpected(account.error());
        if (!*account) return Fail(ErrorCode::kNotFound, "this staff member has no SIP account");
        if (auto d = tx.DeleteSipAccountOfStaff(staff_id); !d) return d;
        return writer::AppendAudit(tx, clock_.Now(),
                                   {actor, "sip_account.revoke", "", "staff", staff_id, "administration"});
    });
}

Result<std::optional<std::string>> SipAccounts::UsernameOf(const std::string& staff_id) {
    std::optional<std::string> out;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetSipAccountOfStaff(staff_id);
        if (!row) return tl::unexpected(row.error());
        if (*row) out = (*row)->username;
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return out;
}

Result<std::map<std::string, std::string>> SipAccounts::UsernamesByStaff() {
    std::map<std::string, std::string> out;
    auto r = store_.Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListSipAccounts();
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& row : *rows) out[row.staff_id] = row.username;
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return out;
}

}  // namespace crisisline::staff
