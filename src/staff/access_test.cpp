#include "staff/access.hpp"

#include <gtest/gtest.h>

namespace crisisline::staff {
namespace {

Principal Person(std::vector<Role> roles, std::vector<std::string> lines = {"police"}) {
    return Principal{"st_x", "X", std::move(roles), std::move(lines)};
}

struct Case {
    const char* who;
    Principal principal;
    Permission what;
    const char* line;
    bool allowed;
};

TEST(AccessTest, RoleTimesLine) {
    const Principal counsellor = Person({Role::kCounsellor});
    const Principal supervisor = Person({Role::kSupervisor});
    const Principal manager = Person({Role::kServiceManager});
    const Principal admin = Person({Role::kAdmin});
    const Principal auditor = Person({Role::kAuditor});
    const Case cases[] = {
        {"counsellor reads content on own line", counsellor, Permission::kReadContactContent, "police", true},
        {"counsellor reads content on another line", counsellor, Permission::kReadContactContent, "fire", false},
        {"counsellor writes on own line", counsellor, Permission::kWriteContact, "police", true},
        {"counsellor reads escalation register", counsellor, Permission::kReadEscalations, "police", false},
        {"counsellor manages staff", counsellor, Permission::kManageStaff, "", false},
        {"counsellor reads aggregates", counsellor, Permission::kReadAggregates, "police", false},
        {"supervisor reads content", supervisor, Permission::kReadContactContent, "police", true},
        {"supervisor reads escalations", supervisor, Permission::kReadEscalations, "police", true},
        {"supervisor on another line", supervisor, Permission::kReadEscalations, "fire", false},
        {"admin reads content", admin, Permission::kReadContactContent, "police", false},
        {"admin lists contacts", admin, Permission::kListContacts, "police", false},
        {"admin manages staff", admin, Permission::kManageStaff, "", true},
        {"admin manages lines", admin, Permission::kManageLines, "", true},
        {"admin reads audit", admin, Permission::kReadAudit, "", false},
        {"service manager reads content", manager, Permission::kReadContactContent, "police", false},
        {"service manager reads aggregates", manager, Permission::kReadAggregates, "police", true},
        {"service manager aggregates elsewhere", manager, Permission::kReadAggregates, "fire", false},
        {"service manager staffing on any line", manager, Permission::kReadStaffing, "fire", true},
        {"counsellor staffing", counsellor, Permission::kReadStaffing, "police", false},
        {"supervisor staffing on own line", supervisor, Permission::kReadStaffing, "police", true},
        {"supervisor staffing elsewhere", supervisor, Permission::kReadStaffing, "fire", false},
        {"admin staffing", admin, Permission::kReadStaffing, "police", false},
        {"service manager's own rota", manager, Permission::kManageRota, "police", true},
        {"service manager, another line's rota", manager, Permission::kManageRota, "fire", false},
        {"supervisor's own rota", supervisor, Permission::kManageRota, "police", true},
        {"supervisor, another line's rota", supervisor, Permission::kManageRota, "fire", false},
        {"counsellor edits the rota", counsellor, Permission::kManageRota, "police", false},
        {"admin edits the rota", admin, Permission::kManageRota, "police", false},
        {"auditor reads audit", auditor, Permission::kReadAudit, "", true},
        {"auditor reads content", auditor, Permission::kReadContactContent, "police", false},
        {"auditor manages staff", auditor, Permission::kManageStaff, "", false},
        // The directory is for those who signpost (docs/api.md's role table): not service managers or auditors.
        {"counsellor searches the directory", counsellor, Permission::kReadDirectory, "police", true},
        {"counsellor searches another line's directory", counsellor, Permission::kReadDirectory, "fire", false},
        {"supervisor searches the directory", supervisor, Permission::kReadDirectory, "police", true},
        {"admin searches the directory", admin, Permission::kReadDirectory, "police", true},
        {"service manager searches the directory", manager, Permission::kReadDirectory, "police", false},
        {"auditor searches the directory", auditor, Permission::kReadDirectory, "police", false},
        {"service manager edits the directory", manager, Permission::kManageDirectory, "police", false},
        {"nobody without lines writes", Person({Role::kCounsellor}, {}), Permission::kWriteContact, "police", false},
    };
    for (const auto& c : cases) {
        auto r = Authorise(c.principal, c.what, c.line);
        EXPECT_EQ(r.has_value(), c.allowed) << c.who;
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << c.who;
        }
    }
}

}  // namespace
}  // namespace crisisline::staff
