#include "http/detail/connections.hpp"

#include <boost/asio/post.hpp>

namespace crisisline::http::detail {

Admission Connections::Admit(std::shared_ptr<Connection> session, const std::string& address, bool capped) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
        return Admission::kStopping;
    }
    if (capped && limits_.per_address > 0) {
        const auto found = per_address_.find(address);
        if (found != per_address_.end() && found->second >= limits_.per_address) {
            return Admission::kTooManyFromAddress;
        }
    }
    if (limits_.total > 0 && open_.size() >= limits_.total - limits_.total / 8) {
        ShedOldest(2);
    }
    if (limits_.total > 0 && open_.size() >= limits_.total) {
        return Admission::kTooMany;
    }
    const Connection* key = session.get();
    const std::uint64_t order = next_order_++;
    sheddable_.emplace(order, key);
    ++per_address_[address];
    open_.emplace(key, Entry{std::move(session), address, order});
    Publish();
    return Admission::kAdmitted;
}

bool Connections::Add(std::shared_ptr<Connection> session) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
        return false;
    }
    const Connection* key = session.get();
    open_.emplace(key, Entry{std::move(session), "", 0});
    Publish();
    return true;
}

void Connections::ShedOldest(std::size_t count) {
    for (std::size_t i = 0; i < count && !sheddable_.empty(); ++i) {
        auto oldest = sheddable_.begin();
        const Connection* key = oldest->second;
        sheddable_.erase(oldest);
        Entry& entry = open_.at(key);
        // A busy session stays open; it goes to the back of the line and is asked again later.
        entry.order = next_order_++;
        sheddable_.emplace(entry.order, key);
        boost::asio::post(entry.session->Executor(), [session = entry.session] { session->CloseIfIdle(); });
    }
}

void Connections::Publish() {
    if (open_gauge_ != nullptr) {
        open_gauge_->Set(static_cast<double>(open_.size()));
    }
}

void Connections::Remove(const Connection* session) {
    std::shared_ptr<Connection> released;  // dropped after the lock, in case it is the last reference
    std::lock_guard lock(mutex_);
    const auto found = open_.find(session);
    if (found == open_.end()) {
        return;
    }
    Entry& entry = found->second;
    released = std::move(entry.session);
    if (entry.order != 0) {
        sheddable_.erase(entry.order);
        const auto count = per_address_.find(entry.address);
        if (count != per_address_.end() && --count->second == 0) {
            per_address_.erase(count);
        }
    }
    open_.erase(found);
    Publish();
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
    for (const auto& [key, entry] : open_) {
        boost::asio::post(entry.session->Executor(), [session = entry.session] { session->CloseIfIdle(); });
    }
}

void Connections::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    emptied_.wait_until(lock, deadline, [this] { return open_.empty(); });
}

void Connections::Shutdown() {
    std::unordered_map<const Connection*, Entry> released;
    {
        std::lock_guard lock(mutex_);
        shut_down_ = true;
        released.swap(open_);
        per_address_.clear();
        sheddable_.clear();
    }
    if (open_gauge_ != nullptr) {
        open_gauge_->Set(0);
    }
}

}  // namespace crisisline::http::detail
