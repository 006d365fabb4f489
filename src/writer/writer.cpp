#include "writer/writer.hpp"

#include <vector>

#include "writer/detail/current_chain.hpp"

namespace crisisline::writer {

StorageWriter::StorageWriter(store::Store& store, audit::ChainKey chain, size_t max_batch)
    : store_(store), chain_(chain), max_batch_(max_batch), thread_([this] { Loop(); }) {}

StorageWriter::~StorageWriter() { Stop(); }

std::future<Result<void>> StorageWriter::Submit(store::Work work) {
    Pending pending{std::move(work), {}};
    auto future = pending.done.get_future();
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            pending.done.set_value(Fail(ErrorCode::kUnavailable, "the service is shutting down; try again shortly"));
            return future;
        }
        queue_.push_back(std::move(pending));
    }
    wake_.notify_one();
    return future;
}

Result<void> StorageWriter::Run(store::Work work) { return Submit(std::move(work)).get(); }

void StorageWriter::Stop() {
    {
        std::lock_guard lock(mu_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::uint64_t StorageWriter::Commits() const {
    std::lock_guard lock(mu_);
    return commits_;
}

std::uint64_t StorageWriter::Units() const {
    std::lock_guard lock(mu_);
    return units_;
}

void StorageWriter::Loop() {
    detail::CurrentChain() = &chain_;  // AppendAudit, in the units run below, chains with it
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(mu_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued has been written
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        std::vector<store::Work> works;
        works.reserve(batch.size());
        for (auto& p : batch) works.push_back(std::move(p.work));
        std::vector<Result<void>> results = store_.WriteBatch(works);
        {
            std::lock_guard lock(mu_);
            ++commits_;
            units_ += batch.size();
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            batch[i].done.set_value(i < results.size() ? std::move(results[i])
                                                       : Fail(ErrorCode::kInternal, "storage returned too few results"));
        }
    }
}

}  // namespace crisisline::writer
