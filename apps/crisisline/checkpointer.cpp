#include "checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "records/audit_chain.hpp"

namespace crisisline::app {

Checkpointer::Checkpointer(store::Store& store,
                           const crypto::SecretKey& key,
                           const Clock& clock,
                           std::string file,
                           std::chrono::seconds interval)
    : store_(store), key_(key), clock_(clock), file_(std::move(file)), interval_(interval) {
    WriteIfMoved();
    thread_ = std::thread([this] { Loop(); });
}

Checkpointer::~Checkpointer() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    WriteIfMoved();
}

void Checkpointer::WriteIfMoved() {
    std::lock_guard lock(write_mu_);
    auto checkpoint = records::TakeCheckpoint(store_, key_, clock_.Now());
    if (!checkpoint) {
        spdlog::error("audit checkpoint: cannot read the head of the audit log: {}", checkpoint.error().message);
        return;
    }
    if (checkpoint->seq == written_seq_ && checkpoint->head_hash == written_head_) return;
    // The log stream first: a file that cannot be written still leaves the checkpoint shipped with the logs.
    spdlog::info("{}", audit::FormatCheckpoint(*checkpoint));
    if (auto appended = records::AppendCheckpoint(file_, *checkpoint); !appended) {
        spdlog::error("audit checkpoint: {}", appended.error().message);
        return;
    }
    written_seq_ = checkpoint->seq;
    written_head_ = checkpoint->head_hash;
}

void Checkpointer::Loop() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
        lock.unlock();
        WriteIfMoved();
        lock.lock();
    }
}

}  // namespace crisisline::app
