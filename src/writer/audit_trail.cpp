#include "writer/audit_trail.hpp"

#include "audit/audit.hpp"

namespace crisisline::writer {

Result<void> AppendAudit(store::Tx& tx, TimeMs at, const AuditEvent& event) {
    auto last = tx.LastAudit();
    if (!last) return tl::unexpected(last.error());
    store::AuditRow row;
    row.at = at;
    row.actor = event.actor;
    row.action = event.action;
    row.line_id = event.line_id;
    row.record_type = event.record_type;
    row.record_id = event.record_id;
    row.purpose = event.purpose;
    audit::Chain(row, *last);
    auto appended = tx.AppendAudit(row);
    if (!appended) return tl::unexpected(appended.error());
    return {};
}

}  // namespace crisisline::writer
