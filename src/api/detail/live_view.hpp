#pragma once

// What one person may see of the live telephony: the picture (GET /api/v1/live, the WebSocket's hello) and
// the events (GET /api/v1/live/events, the WebSocket). Pure: no I/O, no clock. Identifiers, states and
// timings only: never contact content, never a caller's number.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/bus.hpp"
#include "staff/principal.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api::detail {

// The lines of each counsellor telephony knows, by staff id: to place events that carry no line (a phone
// registering, a counsellor's state) on the lines of the counsellor they are about.
using CounsellorLines = std::map<std::string, std::vector<std::string>>;

CounsellorLines CounsellorLinesOf(const telephony::Telephony::Live& live);

// Counsellors, supervisors and service managers watch the live picture; nobody else.
bool WatchesLive(const staff::Principal& who);
// Supervisors and service managers see the whole floor of the lines they serve.
bool Oversees(const staff::Principal& who);

// The one rule for events. Everyone sees events about themselves (e.counsellor is their staff id).
// A counsellor also sees queue.summary for the lines they serve, and nothing else. A supervisor or service
// manager sees every event of a line they serve, and the line-less events of counsellors who share one of
// their lines (by `lines_of`). Announcements (type "announcement.*": a new content reader on a line) go to
// the supervisors of that line only.
bool SeesEvent(const staff::Principal& who, const events::Event& e, const CounsellorLines& lines_of);

// The JSON of GET /api/v1/live for `who` (see docs/api.md). REQUIRES: WatchesLive(who).
nlohmann::json LivePicture(const staff::Principal& who, const telephony::Telephony::Live& live);

}  // namespace crisisline::api::detail
