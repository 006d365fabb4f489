#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "records/services.hpp"

namespace crisisline::records {

// What one pass of the force backfill did, in counts only (never a force, an id or anything of the content).
struct ForceBackfillCounts {
    std::int64_t sealed = 0;         // contacts whose force is now sealed on its own
    std::int64_t without_force = 0;  // contacts opened whose content names no force: left as they are
    std::int64_t unreadable = 0;     // contacts whose content does not open with the line's key: left as they are
};

// The upgrade to schema version 8: contacts written before it hold their force only inside their sealed content,
// so the monthly demand report counts them as not_recorded. This seals each such force on its own
// (records/sealed_force.hpp), exactly as a contact's creation or change does, in bounded batches: each Step reads
// at most `batch` contacts of one line whose force_sealed is empty and whose content is still there (a shredded
// contact is never read), opens their content with the line's key off the storage writer, and writes the forces
// found in one writer unit, each only while the contact's force_sealed is still empty and its version unchanged
// (store::Tx::SealContactForce: the version stays, so a counsellor editing the contact is not disturbed), with the
// audit entry `contact.seal_force` (actor `system`, purpose `upgrade`, no detail) beside each. Idempotent: a pass
// over contacts already sealed changes nothing. Once a pass has gone through every line, the store records the
// upgrade done (store::Tx::RecordUpgradeDone under kForceUpgrade) and every later pass reads nothing: a contact
// whose content names no force, or does not open, is read once and not at each start. Not thread-safe: one pass
// is driven by one thread.
// REQUIRES: the line keys load (app::Opened::CheckLineKeys).
// The name under which the store records this upgrade done. Until then the monthly demand report leaves out
// contacts by force (records/reports.hpp): it would count the contacts not sealed yet as not_recorded.
inline constexpr const char* kForceUpgrade = "force_sealed";

class ForceBackfill {
public:
    static constexpr size_t kBatch = 256;

    explicit ForceBackfill(Services s, size_t batch = kBatch) : s_(s), batch_(batch) {}

    // Does the next batch. True when more may be left, false once every line is done. On failure (storage, a line's
    // key) nothing of the batch is written and the next Step tries it again.
    [[nodiscard]] Result<bool> Step();

    const ForceBackfillCounts& Counts() const { return counts_; }
    // True once a Step found the upgrade recorded done before this pass began (so the pass read nothing).
    bool DoneBefore() const { return done_before_; }

private:
    Services s_;
    const size_t batch_;
    bool listed_ = false;
    bool done_before_ = false;
    bool recorded_ = false;
    std::vector<std::string> lines_;
    size_t line_ = 0;       // the line being done
    std::string after_id_;  // the last contact id of that line done
    ForceBackfillCounts counts_;
};

// Runs a ForceBackfill to the end. Blocking.
Result<ForceBackfillCounts> BackfillSealedForce(Services s, size_t batch = ForceBackfill::kBatch);

}  // namespace crisisline::records
