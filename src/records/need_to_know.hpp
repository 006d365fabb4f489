#pragma once

#include <string_view>

#include "core/error.hpp"
#include "staff/principal.hpp"
#include "store/rows.hpp"

namespace crisisline::records {

// What telephony shows about one person and one call at the moment of a request (the API asks it; without
// telephony both are false).
struct CallView {
    bool on_the_call = false;  // telephony shows them on this call
    bool wrapping_up = false;  // telephony shows them wrapping this call up
};

// Everything that ties one person to one contact, as the server sees it when they ask.
struct Relationship {
    CallView call;
    bool own_open_contact = false;     // they are the contact's counsellor and it is not closed yet
    bool holds_follow_up = false;      // an open follow-up of the contact is assigned to them or claimed by them
    bool named_in_escalation = false;  // they raised an escalation on the contact or are its named supervisor
};

// The relationship of `staff_id` to `contact`, from the contact's own row, its follow-ups and its escalations
// (all of the same contact) and what telephony shows. Pure.
Relationship RelationshipTo(const std::string& staff_id,
                            const store::ContactRow& contact,
                            const std::vector<store::FollowUpRow>& follow_ups,
                            const std::vector<store::EscalationRow>& escalations,
                            CallView call);

// Need to know: succeeds when `who` may open a contact of a line they serve for `purpose`, given their
// relationship to it (the matrix in docs/security.md):
//   on_call      a counsellor whom telephony shows on that call, or who is the contact's counsellor while it is open
//   wrap_up      a counsellor whom telephony shows wrapping that call up, or the contact's counsellor while it is open
//   follow_up    a counsellor who holds an open follow-up of the contact (assigned to them, or claimed from the pool)
//   supervision  a supervisor of the line
//   escalation   the counsellor who raised an escalation on the contact, or the supervisor it names
// kForbidden otherwise, saying which relationship the purpose needs (never anything about the contact).
// REQUIRES: `purpose` is one of ReadPurposes() and role x line was checked (Authorise).
Result<void> MayOpen(const staff::Principal& who, std::string_view purpose, const Relationship& to);

// Need to know for changing a contact (its content, closing it, scheduling its follow-up, raising an escalation
// on it): only the counsellor handling it, as on_call or wrap_up above; kForbidden otherwise.
Result<void> MayChange(const staff::Principal& who, const Relationship& to);

}  // namespace crisisline::records
