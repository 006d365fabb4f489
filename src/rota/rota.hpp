#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "staffing/plan.hpp"

// rota: counsellors' shifts on a line, their coverage of the staffing plan, and iCalendar import and export
// (RFC 5545, through Debian's libical). Exported times are UTC, which every calendar program shows on its own
// clock and which stay exact at the autumn change (01:00-02:00 happens twice on the UK's wall clock); imported
// times may be UTC, local to any TZID the calendar defines or libical knows, or floating (read as UK time).
// Pure apart from libical; thread-safe.
namespace crisisline::rota {

struct Shift {
    std::string counsellor;  // a staff id
    TimeMs start = 0;        // UTC
    TimeMs end = 0;          // UTC, after start
    bool welsh = false;      // the counsellor takes calls in Welsh on this shift
};

constexpr TimeMs kMaxShiftMs = 24 * kHourMs;

// Fails with kInvalid naming the field ("counsellor", "end") for an empty counsellor or a shift that does not
// end after it starts, or lasts over 24 hours.
[[nodiscard]] Result<void> CheckShift(const Shift& shift);

// One half hour of the plan against the rota: counsellors rostered for the whole half hour (a shift covering
// part of it does not count), of whom Welsh-speaking, and the gaps (required - rostered, never below 0), for
// everyone and for Welsh speakers.
struct Cover {
    TimeMs start = 0;
    int required = 0;  // the plan's Erlang C rostered figure
    int rostered = 0;
    int required_welsh = 0;  // the Welsh plan's, 0 without one
    int rostered_welsh = 0;
    int gap = 0;
    int welsh_gap = 0;
};
// REQUIRES: welsh_plan is empty or as long as plan (the same half hours).
std::vector<Cover> Coverage(const std::vector<staffing::PlanInterval>& plan,
                            const std::vector<staffing::PlanInterval>& welsh_plan, const std::vector<Shift>& shifts);

// The shifts as a VCALENDAR (one VEVENT per shift: UID from the line, counsellor and start; DTSTART/DTEND in UTC;
// X-CRISISLINE-COUNSELLOR the staff id; CATEGORIES:WELSH for Welsh cover). Only staff ids and times: no names.
std::string ShiftsToICalendar(const std::string& line_id, const std::vector<Shift>& shifts);

// Shifts from a VCALENDAR: each VEVENT's DTSTART/DTEND (UTC, floating times read as Europe/London, or any TZID
// the calendar defines or libical knows), ATTENDEE or X-CRISISLINE-COUNSELLOR as the counsellor, CATEGORIES
// containing WELSH. Fails with kInvalid (field "calendar", naming the event) on text libical cannot parse, an
// event without a start, end or counsellor, or a shift CheckShift refuses.
[[nodiscard]] Result<std::vector<Shift>> ShiftsFromICalendar(std::string_view text);

}  // namespace crisisline::rota
