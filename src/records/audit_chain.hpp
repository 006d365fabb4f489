#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.hpp"
#include "crypto/keys.hpp"
#include "store/store.hpp"

namespace crisisline::records {

// Where the audit log's keyed chain begins, and its checkpoints outside the database.

// The chain key of the data directory whose keys are in `keys_dir`, upgrading it
// on first use. `<keys_dir>/audit-unkeyed-until` holds the seq up to which entries
// predate the keyed chain. When that file is missing (a data directory made before
// the chain was keyed, or a fresh one), the audit key is loaded or created and the
// file is written with the log's current last seq (0 for an empty log); thereafter
// the audit key must be present: kUnavailable, saying to restore it, when it is not.
// kInvalid when the file does not hold a number; kInternal on I/O errors.
// REQUIRES: nothing appends to the audit log meanwhile (call before starting the writer).
[[nodiscard]] Result<audit::ChainKey> OpenAuditChain(store::Store& store,
                                                     crypto::Keyring& keys,
                                                     const std::string& keys_dir);

// A checkpoint of the log as it is now, signed with the audit key. Blocking read.
[[nodiscard]] Result<audit::Checkpoint> TakeCheckpoint(store::Store& store, const crypto::SecretKey& key, TimeMs now);

// Appends the checkpoint's line to `path` (created with mode 0600 if need be) and
// makes it durable. kInternal on I/O errors.
[[nodiscard]] Result<void> AppendCheckpoint(const std::string& path, const audit::Checkpoint& checkpoint);

// Every checkpoint in `path` (its lines, or lines of a log that carry checkpoints;
// other lines are skipped), in file order. kNotFound when the file does not exist;
// kInvalid, naming the line, when a checkpoint is malformed or was not signed with `key`.
[[nodiscard]] Result<std::vector<audit::Checkpoint>> ReadCheckpoints(const std::string& path,
                                                                     const crypto::SecretKey& key);

// As ReadCheckpoints, over `text` (e.g. pasted from write-once storage); `source` names it in errors.
[[nodiscard]] Result<std::vector<audit::Checkpoint>> ParseCheckpoints(std::string_view text,
                                                                      const crypto::SecretKey& key,
                                                                      const std::string& source);

}  // namespace crisisline::records
