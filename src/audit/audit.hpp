#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/rows.hpp"

namespace crisisline::audit {

// The append-only audit log is a hash chain: each entry's hash covers its own
// fields and the previous entry's hash, so altering, removing or reordering an
// entry breaks every later link. Removing entries from the end (truncation) leaves
// a valid shorter chain; catch it by comparing the head hash with one recorded
// elsewhere (e.g. in the daily operations report).

// prev_hash of the first entry: 64 '0's.
extern const char* const kGenesisHash;

// Lower-case hex SHA-256 over a length-prefixed encoding of seq, at, actor, action,
// line_id, record_type, record_id, purpose and prev_hash (not `hash`). No two
// different rows share an encoding. Thread-safe.
std::string ComputeHash(const store::AuditRow& row);

// Links `row` after `last` (nullopt for the first entry): sets row.seq (last->seq + 1,
// or 1), row.prev_hash (last->hash, or kGenesisHash) and then row.hash.
void Chain(store::AuditRow& row, const std::optional<store::AuditRow>& last);

struct VerifyReport {
    bool ok = true;
    std::int64_t entries = 0;        // entries fed, including any after the first fault
    std::int64_t first_bad_seq = 0;  // when !ok: the seq expected where the chain broke;
                                     // entries 1 .. first_bad_seq - 1 are intact
    std::string reason;              // when !ok: what broke, in words; never personal data
    std::string head_hash;           // hash of the last intact entry (kGenesisHash when none)
};

// Checks a chain incrementally; feed entries in stored order, from the first.
// Detects an altered entry (its hash does not match its content), a removed entry
// (a seq gap or a prev_hash that does not match), a reordered entry, and a chain
// that does not start at seq 1 on kGenesisHash. Stops checking at the first fault.
// Not thread-safe: one Verifier per pass.
class Verifier {
public:
    void Feed(const store::AuditRow& row);
    VerifyReport Report() const { return report_; }

private:
    void Break(std::string reason);

    std::int64_t expected_seq_ = 1;
    VerifyReport report_{true, 0, 0, std::string(), kGenesisHash};
};

}  // namespace crisisline::audit
