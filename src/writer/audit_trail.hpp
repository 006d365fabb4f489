#pragma once

#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace crisisline::writer {

// One thing that happened, for the audit log: who did what to which record, and why.
// Never carries content: ids and codes only.
struct AuditEvent {
    std::string actor;  // staff id, or "system"
    std::string action;
    std::string line_id;
    std::string record_type;
    std::string record_id;
    std::string purpose;
    std::string detail = {};  // JSON of what changed (ids, codes, roles, lines); never a secret. Part of the hash.
};

// Chains `event` onto the last entry with the writer's audit key and appends it
// inside `tx`, so the entry commits (or rolls back) together with the change it
// records. kInternal when called off the storage writer's thread.
// REQUIRES: `tx` is a write transaction (a unit run by the storage writer).
Result<void> AppendAudit(store::Tx& tx, TimeMs at, const AuditEvent& event);

}  // namespace crisisline::writer
