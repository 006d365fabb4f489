#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// Reading the audit log (auditors only) and checking it.
nlohmann::json AuditJson(const store::AuditRow& row);
nlohmann::json CheckpointJson(const audit::Checkpoint& checkpoint);

// Entries from `from_seq` on, at most `limit`.
Result<nlohmann::json> ListAudit(store::Store& store, std::int64_t from_seq, size_t limit);

// Entries matching `filter`: {"entries": [...], "next_from_seq": seq to ask from for
// the next page, or null when this page is the last}.
Result<nlohmann::json> FindAudit(store::Store& store, const store::AuditFilter& filter);

// What a verification found.
struct AuditVerification {
    audit::VerifyReport chain;
    std::vector<std::string> guard_faults;             // the store's append-only guards missing or altered
    std::optional<audit::Checkpoint> last_checkpoint;  // the latest checkpoint the chain was held against

    bool Ok() const { return chain.ok && guard_faults.empty(); }
};

// Walks the whole chain in pages with `chain`'s key, holding it against every
// checkpoint given (REQUIRES: each authentic), and checks the store's guards.
// Reports the first entry that was altered, removed, moved or rechained without
// the key, the entries removed after a checkpoint, and the guards removed.
Result<AuditVerification> VerifyAudit(store::Store& store,
                                      const audit::ChainKey& chain,
                                      const std::vector<audit::Checkpoint>& checkpoints = {});

}  // namespace crisisline::records
