#include "staff/access.hpp"

namespace crisisline::staff {

namespace {

bool OnLine(const Principal& who, std::string_view line_id) { return !line_id.empty() && who.Serves(line_id); }

bool Allowed(const Principal& who, Permission what, std::string_view line_id) {
    const bool counsellor = who.Has(Role::kCounsellor) && OnLine(who, line_id);
    const bool supervisor = who.Has(Role::kSupervisor) && OnLine(who, line_id);
    switch (what) {
        case Permission::kReadContactContent:
        case Permission::kWriteContact:
        case Permission::kListContacts:
            // Admins, service managers and auditors are deliberately absent: they never see contact content.
            return counsellor || supervisor;
        case Permission::kReadEscalations:
            return supervisor;
        case Permission::kReadDirectory:
            // Those who signpost (and the admins who keep the directory); not service managers or auditors.
            return counsellor || supervisor || who.Has(Role::kAdmin);
        case Permission::kManageDirectory:
            return supervisor || who.Has(Role::kAdmin);
        case Permission::kReadAggregates:
            return (who.Has(Role::kServiceManager) || who.Has(Role::kSupervisor)) && OnLine(who, line_id);
        case Permission::kReadStaffing:
            return !line_id.empty() && (who.Has(Role::kServiceManager) || supervisor);
        case Permission::kManageRota:
            return (who.Has(Role::kServiceManager) || who.Has(Role::kSupervisor)) && OnLine(who, line_id);
        case Permission::kReadReports:
            // The provider's service managers report on every line; a line's supervisors on their own.
            return (who.Has(Role::kServiceManager) && !line_id.empty()) || supervisor;
        case Permission::kManageStaff:
        case Permission::kManageLines:
            return who.Has(Role::kAdmin);
        case Permission::kReadLine:
            return OnLine(who, line_id) || who.Has(Role::kAdmin);
        case Permission::kReadAudit:
            return who.Has(Role::kAuditor);
    }
    return false;
}

const char* Describe(Permission what) {
    switch (what) {
        case Permission::kReadContactContent: return "reading contact content";
        case Permission::kWriteContact: return "recording contacts";
        case Permission::kListContacts: return "listing contacts";
        case Permission::kReadEscalations: return "reading escalations";
        case Permission::kReadDirectory: return "searching the directory";
        case Permission::kManageDirectory: return "managing the directory";
        case Permission::kReadAggregates: return "reading aggregate figures";
        case Permission::kReadStaffing: return "reading staffing plans";
        case Permission::kManageRota: return "managing the rota";
        case Permission::kReadReports: return "reading reports";
        case Permission::kManageStaff: return "managing staff";
        case Permission::kManageLines: return "managing lines";
        case Permission::kReadLine: return "reading this line";
        case Permission::kReadAudit: return "reading the audit log";
    }
    return "this action";
}

}  // namespace

Result<void> Authorise(const Principal& who, Permission what, std::string_view line_id) {
    if (Allowed(who, what, line_id)) return {};
    std::string where = line_id.empty() ? "" : " on line " + std::string(line_id);
    return Fail(ErrorCode::kForbidden, std::string("your roles do not allow ") + Describe(what) + where);
}

}  // namespace crisisline::staff
