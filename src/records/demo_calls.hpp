#pragma once

#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// DEMO DATA for `crisisline init --demo`: a fictional history of phone calls on `line_id`, so that the staffing
// plan has something to forecast from. `weeks` weeks of calls ending at `until` (a weekly shape, quiet nights,
// busier evenings and weekends; about 1,200 calls a week), each a closed phone contact with timings only: no
// caller number, no content (the empty content sealed with the line's key, as telephony writes it), answered by
// `counsellor_id` or abandoned. Written in one unit with one audit entry (action "demo.call_history").
// Returns the number of calls written. REQUIRES: the line exists, its key is loaded. Deterministic given `seed`.
Result<std::int64_t> SeedDemoCallHistory(Services& s, const std::string& line_id, const std::string& counsellor_id,
                                         TimeMs until, int weeks, std::uint64_t seed);

}  // namespace crisisline::records
