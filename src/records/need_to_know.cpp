#include "records/need_to_know.hpp"

#include "records/follow_up_status.hpp"

namespace crisisline::records {

namespace {

bool Handling(const staff::Principal& who, const Relationship& to) {
    return who.Has(staff::Role::kCounsellor) && (to.own_open_contact || to.call.on_the_call || to.call.wrapping_up);
}

}  // namespace

Relationship RelationshipTo(const std::string& staff_id,
                            const store::ContactRow& contact,
                            const std::vector<store::FollowUpRow>& follow_ups,
                            const std::vector<store::EscalationRow>& escalations,
                            CallView call) {
    Relationship to;
    to.call = call;
    to.own_open_contact = !staff_id.empty() && contact.counsellor_id == staff_id && contact.status != "closed";
    for (const auto& fu : follow_ups) {
        if (fu.assigned_to == staff_id && !IsClosedFollowUpStatus(fu.status)) to.holds_follow_up = true;
    }
    for (const auto& e : escalations) {
        if (e.raised_by == staff_id || e.supervisor_id == staff_id) to.named_in_escalation = true;
    }
    return to;
}

Result<void> MayOpen(const staff::Principal& who, std::string_view purpose, const Relationship& to) {
    const bool counsellor = who.Has(staff::Role::kCounsellor);
    if (purpose == "on_call") {
        if (counsellor && (to.call.on_the_call || to.own_open_contact)) return {};
        return Fail(ErrorCode::kForbidden, "purpose",
                    "on_call is only for the counsellor on this call (or recording this contact while it is open)");
    }
    if (purpose == "wrap_up") {
        if (counsellor && (to.call.wrapping_up || to.own_open_contact)) return {};
        return Fail(ErrorCode::kForbidden, "purpose",
                    "wrap_up is only for the counsellor wrapping up this call, while the contact is open");
    }
    if (purpose == "follow_up") {
        if (counsellor && to.holds_follow_up) return {};
        return Fail(ErrorCode::kForbidden, "purpose",
                    "follow_up is only for the counsellor who holds an open follow-up of this contact "
                    "(assigned to them, or claimed from the pool)");
    }
    if (purpose == "supervision") {
        // Role x line was checked before: a supervisor here serves the contact's line.
        if (who.Has(staff::Role::kSupervisor)) return {};
        return Fail(ErrorCode::kForbidden, "purpose", "supervision is only for supervisors of this line");
    }
    if (purpose == "escalation") {
        if (to.named_in_escalation) return {};
        return Fail(ErrorCode::kForbidden, "purpose", "escalation is only for the people named in an escalation of "
                                                      "this contact");
    }
    return Fail(ErrorCode::kForbidden, "purpose", "no one may open a contact for this purpose");
}

Result<void> MayChange(const staff::Principal& who, const Relationship& to) {
    if (Handling(who, to)) return {};
    return Fail(ErrorCode::kForbidden,
                "only the counsellor handling this contact (on the call, or wrapping it up while it is open) may "
                "change it");
}

}  // namespace crisisline::records
