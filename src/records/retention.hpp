#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "records/services.hpp"

namespace crisisline::records {

struct PurgeReport {
    std::int64_t contacts = 0;
    std::int64_t follow_ups = 0;
    std::int64_t escalations = 0;
    std::int64_t lapsed_staff_changes = 0;  // pending creates past their expiry whose password hash was removed
};

// Retention: contacts that arrived before their line's retention period are
// crypto-shredded (rows, sealed content and wrapped data keys deleted, with
// SQLite's secure_delete overwriting the freed pages) together with their
// follow-ups and escalations. What remains is anonymous monthly counts.
// The audit entries about them remain (they hold ids and codes only). The counts are by month and coded fact
// (keys "contacts", "caller_role:…", "region:…", "theme:…", "outcome:…", "action:…", "region_role:R|role",
// "region_force:R|force" with the force opened from its sealed form under the line's key, or not_recorded),
// never published as they are: the reports (records/reports.hpp) add them in before disclosure control.
// Pending staff creates that lapsed undecided lose the password hash they held for their approval.
Result<PurgeReport> Purge(Services& s);

}  // namespace crisisline::records
