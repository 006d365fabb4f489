#pragma once

#include <string>

#include "core/clock.hpp"

namespace crisisline::records {

// Pure scheduling rule for a follow-up, from its stored window and the time now:
//   scheduled  before the window opens (now < earliest)
//   due        inside the window (earliest <= now <= latest)
//   overdue    after the window, while attempts may still be made
//   unreachable once `max_duration` has passed since the window opened
// Closed states (completed, unreachable, cancelled) never change.
// Because the inputs are stored, the status is the same after a restart.
std::string FollowUpStatusAt(const std::string& current, TimeMs earliest, TimeMs latest, TimeMs max_duration, TimeMs now);

bool IsClosedFollowUpStatus(const std::string& status);

}  // namespace crisisline::records
