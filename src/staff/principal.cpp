#include "staff/principal.hpp"

#include <algorithm>

namespace crisisline::staff {

namespace {
constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::kCounsellor, "counsellor"}, {Role::kSupervisor, "supervisor"}, {Role::kServiceManager, "service_manager"},
    {Role::kAdmin, "admin"},           {Role::kAuditor, "auditor"},
};
}  // namespace

const std::vector<std::string>& RoleCodes() {
    static const std::vector<std::string> codes = [] {
        std::vector<std::string> out;
        for (const auto& [role, name] : kRoleNames) out.emplace_back(name);
        return out;
    }();
    return codes;
}

std::string_view RoleCode(Role role) {
    for (const auto& [r, name] : kRoleNames) {
        if (r == role) return name;
    }
    return "unknown";
}

std::vector<Role> RolesFromCodes(const std::vector<std::string>& codes) {
    std::vector<Role> out;
    for (const auto& code : codes) {
        for (const auto& [role, name] : kRoleNames) {
            if (name == code) out.push_back(role);
        }
    }
    return out;
}

bool Principal::Has(Role role) const { return std::find(roles.begin(), roles.end(), role) != roles.end(); }

bool Principal::Serves(std::string_view line_id) const {
    return std::find(lines.begin(), lines.end(), line_id) != lines.end();
}

}  // namespace crisisline::staff
