#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records/lines.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// Who the fictional history is handled by.
struct DemoStaff {
    std::string counsellor_id;  // answers every fictional call (the demo uses an id that is nobody's account)
    std::string supervisor_id;  // the supervisor of the fictional escalations
};

// DEMO DATA: the roll-out the demo line records (LineConfig::region_starts): the North East pilot from
// 1 June 2024, every other region (and the national forces) from the national launch on 21 July 2025, each with a
// FICTIONAL workforce figure marked so in its workforce_source.
std::vector<RegionStart> DemoRegionStarts();

// DEMO DATA: a FICTIONAL workforce for every force (LineConfig::force_workforce), marked so in its source.
std::vector<ForceWorkforce> DemoForceWorkforce();

// Adds the demo's one FICTIONAL history of phone calls to `line`, from the first day in its region_starts to `now`:
// each region's calls only from the day it began, so the reports show the pilot first, then the national
// service, and the staffing forecast and today's wallboard figures learn from the same calls. Calls follow a
// weekly shape (quiet nights, busier evenings and weekends; about 400 a week once national); each is a closed
// phone contact with coded facts marked "fictional": true and sealed content saying it is fictional, and no
// caller number. Some have follow-ups (completed or unreachable, their details shredded) and a few escalations.
// One audit entry ("demo.history") records the whole batch, in the same transaction. Deterministic for a given
// `seed`. On success, the number of contacts added; kInvalid (field "region_starts") when the line records none.
// Blocking (one storage-writer unit). REQUIRES: the line exists and its key is loaded.
Result<std::int64_t> AddDemoHistory(Services& s,
                                    const LineConfig& line,
                                    const DemoStaff& staff,
                                    TimeMs now,
                                    std::uint32_t seed = 14);

}  // namespace crisisline::records
