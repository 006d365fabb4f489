#pragma once

#include "audit/audit.hpp"

namespace crisisline::writer::detail {

// The chain key of the storage writer running on this thread; nullptr on every
// other thread. Set once by StorageWriter's thread, read by AppendAudit, so that
// the audit key reaches every append without passing through each caller.
inline const audit::ChainKey*& CurrentChain() {
    thread_local const audit::ChainKey* chain = nullptr;
    return chain;
}

}  // namespace crisisline::writer::detail
