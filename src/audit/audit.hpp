#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/checkpoint.hpp"
#include "crypto/keys.hpp"
#include "store/rows.hpp"

namespace crisisline::audit {

// The append-only audit log is a keyed hash chain: each entry's hash is an
// HMAC-SHA-256, under the audit key, of its own fields and the previous entry's
// hash, so altering, removing or reordering an entry breaks every later link, and
// rewriting the chain to hide that needs the audit key, which is never in the
// database. Removing entries from the end (truncation) leaves a valid shorter
// chain; signed checkpoints kept outside the database (checkpoint.hpp) catch it.
//
// Databases begun before the chain was keyed keep their first entries as they
// were (plain SHA-256, "unkeyed"); the seq up to which entries are unkeyed is
// fixed when the data directory is upgraded and kept beside the key, not in the
// database, so nobody can move the boundary by editing the file.

// prev_hash of the first entry: 64 '0's.
extern const char* const kGenesisHash;

// How entries are hashed. `key` is the audit key (it must outlive the ChainKey);
// entries with seq <= unkeyed_until predate the keyed chain.
struct ChainKey {
    const crypto::SecretKey* key = nullptr;
    std::int64_t unkeyed_until = 0;
};

// The canonical encoding hashed: a versioned domain, then seq, at, actor, action,
// line_id, record_type, record_id, purpose and prev_hash (not `hash`), each field
// length-prefixed, so no two different rows share an encoding. An entry with a non-empty
// detail is hashed under the domain with "+detail" appended and the detail as a last field;
// one without (every entry written before the detail existed) exactly as before.
//
// UnkeyedHash: lower-case hex SHA-256 (domain "crisisline.audit.v1"), as before the
// chain was keyed. KeyedHash: lower-case hex HMAC-SHA-256 under `key` (domain
// "crisisline.audit.v2"). ComputeHash picks by row.seq. All thread-safe.
std::string UnkeyedHash(const store::AuditRow& row);
std::string KeyedHash(const crypto::SecretKey& key, const store::AuditRow& row);
std::string ComputeHash(const ChainKey& chain, const store::AuditRow& row);

// Links `row` after `last` (nullopt for the first entry): sets row.seq (last->seq + 1,
// or 1), row.prev_hash (last->hash, or kGenesisHash) and then row.hash.
// REQUIRES: chain.key is set.
void Chain(const ChainKey& chain, store::AuditRow& row, const std::optional<store::AuditRow>& last);

struct VerifyReport {
    bool ok = true;
    std::int64_t entries = 0;        // entries fed, including any after the first fault
    std::int64_t first_bad_seq = 0;  // when !ok: the seq expected where the chain broke;
                                     // entries 1 .. first_bad_seq - 1 are intact
    std::string reason;              // when !ok: what broke, in words; never personal data
    std::string head_hash;           // hash of the last intact entry (kGenesisHash when none)
    std::int64_t checkpoints = 0;    // checkpoints the chain was held against
};

// Checks a chain incrementally; feed entries in stored order, from the first.
// Detects an altered entry (its hash does not match its content), a removed entry
// (a seq gap or a prev_hash that does not match), a reordered entry, a chain that
// does not start at seq 1 on kGenesisHash, and a chain recomputed without the audit
// key. Against each checkpoint Expect()ed, the entry at its seq must carry its head
// hash, and the chain must reach its seq (else entries were removed from the end).
// Stops checking at the first fault. Not thread-safe: one Verifier per pass.
class Verifier {
public:
    explicit Verifier(ChainKey chain);

    // REQUIRES: called before Feed; the checkpoint is authentic (CheckpointAuthentic).
    void Expect(const Checkpoint& checkpoint);
    void Feed(const store::AuditRow& row);
    // The verdict on the entries fed so far, with the checkpoints' truncation check.
    VerifyReport Report() const;

private:
    void Break(std::string reason);
    void Break(VerifyReport& report, std::int64_t seq, std::string reason) const;

    ChainKey chain_;
    std::vector<Checkpoint> expected_;  // sorted by seq
    size_t next_checkpoint_ = 0;        // the first in expected_ not yet reached
    std::int64_t expected_seq_ = 1;
    VerifyReport report_{true, 0, 0, std::string(), kGenesisHash, 0};
};

}  // namespace crisisline::audit
