#include "staff/duties.hpp"

#include <algorithm>

namespace crisisline::staff {

namespace {

bool Holds(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

bool ReadsContent(const Access& access, const std::string& role, const std::string& line) {
    return !access.disabled && Holds(access.roles, role) && Holds(access.lines, line);
}

}  // namespace

std::vector<ContentGrant> NewContentGrants(const Access& before, const Access& after) {
    std::vector<ContentGrant> out;
    if (after.disabled) return out;
    for (const char* role : {"counsellor", "supervisor"}) {
        if (!Holds(after.roles, role)) continue;
        std::vector<std::string> lines = after.lines;
        std::sort(lines.begin(), lines.end());
        lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
        for (const auto& line : lines) {
            if (!ReadsContent(before, role, line)) out.push_back({role, line});
        }
    }
    return out;
}

bool GrantsAlone(const Principal& actor, const std::vector<ContentGrant>& grants) {
    return std::all_of(grants.begin(), grants.end(), [&](const ContentGrant& g) {
        return actor.Has(Role::kAdmin) && actor.Has(Role::kServiceManager) && actor.Serves(g.line);
    });
}

Result<void> MayDecide(const Principal& approver, const std::string& requested_by, const std::string& subject) {
    if (!approver.Has(Role::kAdmin)) return Fail(ErrorCode::kForbidden, "only an administrator decides staff changes");
    if (approver.staff_id == requested_by) {
        return Fail(ErrorCode::kForbidden, "a second administrator must decide a change you asked for");
    }
    if (approver.staff_id == subject) {
        return Fail(ErrorCode::kForbidden, "nobody may decide a change to their own roles or lines");
    }
    return {};
}

nlohmann::json AccessJson(const Access& access) {
    return {{"roles", access.roles}, {"lines", access.lines}, {"disabled", access.disabled}};
}

nlohmann::json ChangeDetail(const Access* before, const Access& after) {
    nlohmann::json out = {{"before", before ? AccessJson(*before) : nlohmann::json()}, {"after", AccessJson(after)}};
    auto grants = NewContentGrants(before ? *before : Access{}, after);
    if (!grants.empty()) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& g : grants) list.push_back({{"role", g.role}, {"line", g.line}});
        out["grants"] = std::move(list);
    }
    return out;
}

}  // namespace crisisline::staff
