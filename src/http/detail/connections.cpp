#include "http/detail/connections.hpp"

#include <boost/asio/post.hpp>

namespace crisisline::http::detail {

bool Connections::Add(std::shared_ptr<Connection> session) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
        return false;
    }
    open_.emplace(session.get(), std::move(session));
    if (open_gauge_ != nullptr) {
        open_gauge_->Set(static_cast<double>(open_.size()));
    }
    return true;
}

void Connections::Remove(const Connection* session) {
    std::shared_ptr<Connection> released;  // dropped after the lock, in case it is the last reference
    std::lock_guard lock(mutex_);
    const auto found = open_.find(session);
    if (found == open_.end()) {
        return;
    }
    released = std::move(found->second);
    open_.erase(found);
    if (open_gauge_ != nullptr) {
        open_gauge_->Set(static_cast<double>(open_.size()));
    }
    if (open_.empty()) {
        emptied_.notify_all();
    }
}

bool Connections::Stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
}

void Connections::BeginStop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& [key, session] : open_) {
        boost::asio::post(session->Executor(), [session = session] { session->CloseIfIdle(); });
    }
}

void Connections::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    emptied_.wait_until(lock, deadline, [this] { return open_.empty(); });
}

void Connections::Shutdown() {
    std::unordered_map<const Connection*, std::shared_ptr<Connection>> released;
    {
        std::lock_guard lock(mutex_);
        shut_down_ = true;
        released.swap(open_);
    }
    if (open_gauge_ != nullptr) {
        open_gauge_->Set(0);
    }
}

}  // namespace crisisline::http::detail
