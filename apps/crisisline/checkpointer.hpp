#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "audit/audit.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"

namespace crisisline::app {

// Writes a signed checkpoint of the audit log's head (audit::Checkpoint) to the
// log stream and to `file`: once at start, then every `interval` when the head
// has moved, and once more when destroyed (after the writer has drained, the
// caller's job), so the last entries written are covered too. A failure is
// logged as an error and tried again at the next tick; it never stops the service.
class Checkpointer {
public:
    Checkpointer(store::Store& store,
                 const crypto::SecretKey& key,
                 const Clock& clock,
                 std::string file,
                 std::chrono::seconds interval);
    ~Checkpointer();  // stops the thread, then writes a last checkpoint

    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Writes a checkpoint now if the head moved since the last one written.
    void WriteIfMoved();

private:
    void Loop();

    store::Store& store_;
    const crypto::SecretKey& key_;
    const Clock& clock_;
    const std::string file_;
    const std::chrono::seconds interval_;
    std::mutex write_mu_;      // one checkpoint written at a time
    std::int64_t written_seq_ = -1;  // guarded by write_mu_
    std::string written_head_;       // guarded by write_mu_
    std::mutex mu_;
    std::condition_variable wake_;
    bool stop_ = false;  // guarded by mu_
    std::thread thread_;
};

}  // namespace crisisline::app
