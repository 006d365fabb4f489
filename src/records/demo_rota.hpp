#pragma once

#include <string>
#include <vector>

#include "records/services.hpp"
#include "rota/rota.hpp"
#include "staffing/plan.hpp"

// records/demo_rota: a FICTIONAL rota for the demo line, so that a newcomer sees coverage with its gaps.
namespace crisisline::records {

// Shifts for the half hours of `plan` (pure, deterministic): three eight-hour shifts a day on the UK clock
// (07:00, 15:00, 23:00), each staffed with the most the plan requires in any of its half hours, except every
// `short_every`-th shift, which is one counsellor short (the demo's gaps) unless it needs only one (a shift is
// never left empty, so someone is always rostered). Of them, as many as `welsh_plan` (empty: none) requires in
// the shift are Welsh speakers from `welsh_pool`, except the shifts half way between the short ones (the 3rd,
// 8th, ... for 5), where one Welsh speaker more than one gives way to a counsellor from `pool` (the demo's Welsh
// gaps, the total unchanged). Each pool is taken in turn, so no one works two shifts at once. `plan` is
// consecutive half hours (several weeks in one call, or the shifts at their joins would be made twice).
// REQUIRES: pool is not empty; short_every > 0; welsh_plan is empty or as long as plan; the pools share no one.
std::vector<rota::Shift> DemoRotaShifts(const std::vector<staffing::PlanInterval>& plan,
                                        const std::vector<staffing::PlanInterval>& welsh_plan,
                                        const std::vector<std::string>& pool,
                                        const std::vector<std::string>& welsh_pool,
                                        int short_every);

// Stores `shifts` on `line_id` in one unit with one audit entry ("demo.rota", actor "system"). Returns how many.
// REQUIRES: the line and the counsellors exist; the shifts do not overlap per counsellor.
Result<size_t> AddDemoRota(Services& s, const std::string& line_id, const std::vector<rota::Shift>& shifts);

}  // namespace crisisline::records
