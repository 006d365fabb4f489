#pragma once

#include <cstdint>
#include <string>

#include "records/services.hpp"

namespace crisisline::records {

// Who the fictional history is handled by.
struct DemoStaff {
    std::string counsellor_id;
    std::string supervisor_id;
};

// Adds `months` whole calendar months of FICTIONAL contacts to `line_id`, ending with the month before `now`'s,
// so that every report has figures to show in the demo: the North East pilot region alone for the first third,
// then every region (the national launch). Each contact is a closed phone call with coded facts marked
// "fictional": true and sealed content saying it is fictional; some have follow-ups (completed or unreachable,
// their details shredded) and a few escalations. One audit entry ("demo.history") records the whole batch, in the
// same transaction. Deterministic for a given `seed`. On success, the number of contacts added.
// Blocking (one storage-writer unit). REQUIRES: the line exists and its key is loaded.
Result<std::int64_t> AddDemoHistory(Services& s,
                                    const std::string& line_id,
                                    const DemoStaff& staff,
                                    TimeMs now,
                                    int months = 18,
                                    std::uint32_t seed = 14);

}  // namespace crisisline::records
