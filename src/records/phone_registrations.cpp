#include "records/phone_registrations.hpp"

#include <spdlog/spdlog.h>

namespace crisisline::records {

namespace {

void Logged(const char* action, const std::string& username, const Result<void>& r) {
    if (!r) {
        spdlog::warn("phone registrations: {} of '{}' failed ({}): {}", action, username,
                     ErrorCodeName(r.error().code), r.error().message);
    }
}

}  // namespace

PhoneRegistrations::PhoneRegistrations(Services s) : s_(s) {}

void PhoneRegistrations::Registered(const PhoneRegistration& registration) {
    store::PhoneRegistrationRow row{registration.sip_username, registration.counsellor, registration.contact_uri,
                                    registration.expires_at,   registration.behind_nat, s_.clock.Now()};
    (void)s_.writer.Submit([row](store::Tx& tx) -> Result<void> {
        auto r = tx.PutPhoneRegistration(row);
        Logged("saving", row.username, r);
        return r;
    });
}

void PhoneRegistrations::Unregistered(const std::string& sip_username) {
    (void)s_.writer.Submit([sip_username](store::Tx& tx) -> Result<void> {
        auto r = tx.DeletePhoneRegistration(sip_username);
        Logged("removing", sip_username, r);
        return r;
    });
}

Result<std::vector<PhoneRegistration>> PhoneRegistrations::Load() {
    auto rows = ReadOne<std::vector<store::PhoneRegistrationRow>>(
        s_.store, [](store::Tx& tx) { return tx.ListPhoneRegistrations(); });
    if (!rows) return tl::unexpected(rows.error());
    const TimeMs now = s_.clock.Now();
    std::vector<PhoneRegistration> live;
    for (const auto& row : *rows) {
        if (row.expires_at <= now) continue;  // expired while the server was down: the phone must register again
        live.push_back({row.username, row.staff_id, row.contact_uri, row.expires_at, row.behind_nat});
    }
    return live;
}

}  // namespace crisisline::records
