#pragma once

#include <string_view>

#include "core/error.hpp"
#include "staff/principal.hpp"

namespace crisisline::staff {

// What a request wants to do. Each is checked, on the server, against role x line.
enum class Permission {
    kReadContactContent,   // open a contact, its assessment, follow-up details
    kWriteContact,         // create or change a contact, schedule follow-ups, escalate
    kListContacts,         // contact summaries: timings and flags, no content
    kReadEscalations,      // the escalation register of a line
    kReadDirectory,        // search the signposting directory
    kManageDirectory,      // edit, import, export the directory
    kReadAggregates,       // counts and rates, never a contact (the wallboard)
    kReadStaffing,         // a line's staffing plan (forecast and counsellors needed): service managers on any
                           // line (they plan the whole service), supervisors on their own
    kManageRota,           // a line's rota (shifts, coverage, who is rostered now): its own service managers and
                           // supervisors only; counsellors see no one's shifts here
    kReadReports,          // the fixed reports under disclosure control: service managers any line, supervisors theirs
    kManageStaff,          // accounts, roles, MFA resets
    kManageLines,          // line configuration
    kReadLine,             // a line's public configuration
    kReadAudit,            // the audit log
};

// Succeeds when `who` may do `what` on `line_id` (empty for actions that are
// not about one line: staff and audit). Fails with kForbidden naming nothing
// about the record, only the missing permission.
Result<void> Authorise(const Principal& who, Permission what, std::string_view line_id);

}  // namespace crisisline::staff
