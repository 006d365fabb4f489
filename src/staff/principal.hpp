#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace crisisline::staff {

// The roles a member of staff can hold. A person may hold several.
//  counsellor      answers calls, records contacts on the lines they serve
//  supervisor      oversees the lines they serve: contacts, escalations, follow-ups, directory
//  service_manager aggregates only, never a contact
//  admin           accounts and configuration, never contact content
//  auditor         the audit log only
enum class Role { kCounsellor, kSupervisor, kServiceManager, kAdmin, kAuditor };

const std::vector<std::string>& RoleCodes();
std::string_view RoleCode(Role role);

// Who is making a request, as established by their session.
struct Principal {
    std::string staff_id;
    std::string display_name;
    std::vector<Role> roles;
    std::vector<std::string> lines;  // the lines this person serves

    bool Has(Role role) const;
    bool Serves(std::string_view line_id) const;
};

// Parses role codes; unknown codes are skipped (they were validated on the way in).
std::vector<Role> RolesFromCodes(const std::vector<std::string>& codes);

}  // namespace crisisline::staff
