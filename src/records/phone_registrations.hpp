#pragma once

#include <string>
#include <vector>

#include "core/clock.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// A counsellor phone's registration as the registrar holds it.
struct PhoneRegistration {
    std::string sip_username;
    std::string counsellor;   // staff id
    std::string contact_uri;  // where the phone takes INVITEs
    TimeMs expires_at = 0;
    bool behind_nat = false;
};

// Keeps the registrar's bindings in storage (as Kamailio's usrloc does with a database mode), so that after a
// restart, a crash included, the phones are rung at once instead of being unknown until each registers again
// (up to telephony.registration_max_s later).
//
// Registered and Unregistered queue one unit of work each on the StorageWriter and return at once (the
// telephony loop never waits on storage); units run in the order queued, so call them from one thread. A
// failed unit changes nothing and is logged. Thread-safe; keeps no state.
class PhoneRegistrations {
public:
    // REQUIRES: everything in `s` outlives the units queued (the writer drains before it stops).
    explicit PhoneRegistrations(Services s);

    void Registered(const PhoneRegistration& registration);
    void Unregistered(const std::string& sip_username);

    // The stored registrations that have not expired at s.clock.Now(), by user name. Blocking read: call at
    // start, before telephony runs. kInternal on a storage failure.
    [[nodiscard]] Result<std::vector<PhoneRegistration>> Load();

private:
    Services s_;
};

}  // namespace crisisline::records
