#include "writer/audit_trail.hpp"

#include "audit/audit.hpp"
#include "writer/detail/current_chain.hpp"

namespace crisisline::writer {

Result<void> AppendAudit(store::Tx& tx, TimeMs at, const AuditEvent& event) {
    const audit::ChainKey* chain = detail::CurrentChain();
    if (chain == nullptr || chain->key == nullptr) {
        return Fail(ErrorCode::kInternal, "audit: an entry can only be appended by the storage writer, with the audit key");
    }
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
    row.detail = event.detail;
    audit::Chain(*chain, row, *last);
    auto appended = tx.AppendAudit(row);
    if (!appended) return tl::unexpected(appended.error());
    return {};
}

}  // namespace crisisline::writer
