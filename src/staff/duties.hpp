#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "staff/principal.hpp"

// Separation of duties for administrators (docs/security.md, "Separation of duties"): which staff changes
// give access to contact content, who may make them alone, and who may approve the rest. Pure: no I/O.
namespace crisisline::staff {

// How long a staff change waits for a second administrator before it lapses (default; [staff]
// change_approval_s in crisisline.toml).
constexpr TimeMs kStaffChangeLifetimeMs = 24LL * 60 * 60 * 1000;
// How long the lines' supervisors see a new content reader announced (unless acknowledged sooner).
constexpr TimeMs kAnnouncementLifetimeMs = 7LL * 24 * 60 * 60 * 1000;

// What of an account decides its access: its roles, its lines, whether it is disabled.
struct Access {
    std::vector<std::string> roles;
    std::vector<std::string> lines;
    bool disabled = false;
};

// Reading a line's contacts: `role` (counsellor or supervisor) on `line`.
struct ContentGrant {
    std::string role;
    std::string line;
    bool operator==(const ContentGrant& other) const { return role == other.role && line == other.line; }
};

// The content grants `after` holds that `before` did not, in role then line order. A disabled account reads
// nothing, so enabling one grants whatever it holds. `before` is empty ({}) for a new account.
std::vector<ContentGrant> NewContentGrants(const Access& before, const Access& after);

// Whether `actor` may make `grants` take effect alone: they are an administrator and the service manager of
// every line granted. Anything else needs a second administrator. No grants: always.
bool GrantsAlone(const Principal& actor, const std::vector<ContentGrant>& grants);

// Succeeds when `approver` may approve or reject a change asked by `requested_by` about `subject`: an
// administrator who is neither. kForbidden saying which rule it breaks otherwise.
Result<void> MayDecide(const Principal& approver, const std::string& requested_by, const std::string& subject);

// {"roles": [...], "lines": [...], "disabled": bool}: what the audit detail says of an account.
nlohmann::json AccessJson(const Access& access);

// The audit detail of a staff change: {"before": AccessJson or null, "after": AccessJson}, plus the grants
// it gives ([{"role", "line"}]) when any. Never a password, a TOTP secret or anything secret.
nlohmann::json ChangeDetail(const Access* before, const Access& after);

}  // namespace crisisline::staff
