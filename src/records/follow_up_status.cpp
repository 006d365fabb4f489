#include "records/follow_up_status.hpp"

namespace crisisline::records {

bool IsClosedFollowUpStatus(const std::string& status) {
    return status == "completed" || status == "unreachable" || status == "cancelled";
}

std::string FollowUpStatusAt(const std::string& current, TimeMs earliest, TimeMs latest, TimeMs max_duration, TimeMs now) {
    if (IsClosedFollowUpStatus(current)) return current;
    if (now < earliest) return "scheduled";
    if (now <= latest) return "due";
    if (now - earliest > max_duration) return "unreachable";
    return "overdue";
}

}  // namespace crisisline::records
