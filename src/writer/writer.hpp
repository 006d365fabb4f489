#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "audit/audit.hpp"
#include "store/store.hpp"

namespace crisisline::writer {

// The one storage writer. Every write in crisisline is a unit of work handed
// to this thread; it takes whatever units are waiting and commits them together
// (group commit: one transaction, one durable sync, each unit in its own
// savepoint so a failing unit is rolled back alone). A unit's result is
// delivered only after its commit is durable.
//
// Thread-safe: Submit and Run may be called from any thread.
class StorageWriter {
public:
    // `store` (and the audit key `chain` points to) must outlive the writer.
    // Units appending audit entries (AppendAudit) chain them with `chain`.
    // `max_batch` bounds one transaction.
    StorageWriter(store::Store& store, audit::ChainKey chain, size_t max_batch = 512);
    ~StorageWriter();  // drains what was submitted, then stops

    StorageWriter(const StorageWriter&) = delete;
    StorageWriter& operator=(const StorageWriter&) = delete;

    // Queues `work`; the future becomes ready once it is durably committed or rolled back.
    // After Stop() it is ready at once with kUnavailable.
    std::future<Result<void>> Submit(store::Work work);

    // Submit and wait. REQUIRES: not called from the writer thread itself.
    Result<void> Run(store::Work work);

    // Finishes every queued unit, then stops taking new ones. Idempotent.
    void Stop();

    // How this writer chains audit entries (for verifying the log as it writes it).
    const audit::ChainKey& Chain() const { return chain_; }

    // Totals for metrics.
    std::uint64_t Commits() const;
    std::uint64_t Units() const;

private:
    struct Pending {
        store::Work work;
        std::promise<Result<void>> done;
    };

    void Loop();

    store::Store& store_;
    const audit::ChainKey chain_;
    const size_t max_batch_;
    mutable std::mutex mu_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;  // guarded by mu_
    bool stopping_ = false;      // guarded by mu_
    std::uint64_t commits_ = 0;  // guarded by mu_
    std::uint64_t units_ = 0;    // guarded by mu_
    std::thread thread_;
};

}  // namespace crisisline::writer
