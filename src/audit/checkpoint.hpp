#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "crypto/keys.hpp"

namespace crisisline::audit {

// A checkpoint says "at time `at` the audit log had `seq` entries and its head
// hash was `head_hash`", signed (HMAC-SHA-256) with the audit key. The server
// writes one periodically to its log stream and to a file the operator ships to
// write-once storage; held against the database later, it proves that nothing up
// to `seq` was removed or rewritten since, even by someone who holds the key.
struct Checkpoint {
    std::int64_t seq = 0;   // entries in the log (0: empty)
    std::string head_hash;  // hash of entry `seq` (kGenesisHash when empty)
    TimeMs at = 0;
    std::string mac;  // 64 lower-case hex characters
};

// A checkpoint of the log's state, signed with `key`. Thread-safe.
Checkpoint SignCheckpoint(const crypto::SecretKey& key, std::int64_t seq, std::string head_hash, TimeMs at);

// True when `checkpoint.mac` was made with `key` over its seq, head_hash and at.
bool CheckpointAuthentic(const crypto::SecretKey& key, const Checkpoint& checkpoint);

// One line, no newline, no quotes (so it also fits inside a JSON log message):
// "crisisline-audit-checkpoint v1 seq=12 head=<hex> at=2026-12-03T07:00:00.000Z mac=<hex>".
std::string FormatCheckpoint(const Checkpoint& checkpoint);

// Finds a checkpoint in `line` (a line of the checkpoint file, or a log line that
// carries one). kNotFound when the line holds none; kInvalid when it holds a
// malformed one. Does not check the mac.
[[nodiscard]] Result<Checkpoint> ParseCheckpoint(std::string_view line);

}  // namespace crisisline::audit
