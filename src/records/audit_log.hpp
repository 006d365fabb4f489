#pragma once

#include <nlohmann/json.hpp>

#include "audit/audit.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// Reading the audit log (auditors only) and checking its chain.
nlohmann::json AuditJson(const store::AuditRow& row);

// Entries from `from_seq` on, at most `limit`.
Result<nlohmann::json> ListAudit(store::Store& store, std::int64_t from_seq, size_t limit);

// Walks the whole chain in pages; reports the first entry that was altered,
// removed or moved.
Result<audit::VerifyReport> VerifyAudit(store::Store& store);

}  // namespace crisisline::records
