#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "directory/directory.hpp"
#include "records/detail/answer_cache.hpp"
#include "records/services.hpp"

namespace crisisline::records {

// A line's signposting directory: stored services, with an in-memory search
// index per line, rebuilt after every change made through this process and at
// least every kSnapshotFor (so an import from the command line shows within it). Thread-safe.
class DirectoryBook {
public:
    static constexpr TimeMs kSnapshotFor = 30 * kSecondMs;

    explicit DirectoryBook(Services services) : s_(services) {}

    // Answers kept per line (see Search): at most this many, of at most this many bytes in all.
    static constexpr size_t kAnswersKept = 1024;
    static constexpr size_t kAnswerBytesKept = 4 * 1024 * 1024;

    // The body of a search answer, {"services": [...]}, assembled from JSON rendered once per
    // service when the index is built (and again each day, as "stale" depends on the date).
    // The answer to each distinct query (need, region, text, limit) is kept with the index and
    // shared by later searches until the index is rebuilt; every change made through this
    // process (Put, Remove, Import, Add) drops the index and its answers before it returns, so
    // a search that starts after a change never sees an answer from before it.
    // REQUIRES: the caller does not change the string (it is shared).
    Result<std::shared_ptr<const std::string>> Search(const std::string& line_id, const directory::Query& query);
    // Search without I/O: answers only when the line's index is built and fresh; nullptr
    // means "use Search". Never blocks, so it may run on an event loop.
    std::shared_ptr<const std::string> SearchRemembered(const std::string& line_id, const directory::Query& query);
    Result<nlohmann::json> Get(const std::string& line_id, const std::string& id);
    // Creates (id empty) or replaces a service.
    Result<nlohmann::json> Put(const std::string& actor, const std::string& line_id, const std::string& id, const Fields& body);
    Result<void> Remove(const std::string& actor, const std::string& line_id, const std::string& id);
    // HSDS JSON in: all services are added or replaced, or none (one transaction).
    Result<size_t> Import(const std::string& actor, const std::string& line_id, std::string_view hsds_json);
    Result<std::string> Export(const std::string& line_id);
    // Stores `services` as they are (ids assigned where empty), for demo data and import.
    Result<size_t> Add(const std::string& actor, const std::string& line_id, std::vector<directory::Service> services);

private:
    struct Snapshot {
        explicit Snapshot(std::vector<directory::Service> services) : index(std::move(services)) {}
        directory::Index index;
        std::unordered_map<const directory::Service*, std::string> rendered;  // ToJson(...).dump() of each
        TimeMs built_at = 0;  // rebuilt after kSnapshotFor, or on a new day ("stale" depends on the date)
        mutable detail::AnswerCache answers{kAnswersKept, kAnswerBytesKept};  // dies with the snapshot
    };

    Result<std::shared_ptr<const Snapshot>> SnapshotOf(const std::string& line_id);
    std::shared_ptr<const Snapshot> FreshSnapshot(const std::string& line_id, TimeMs now);
    static std::shared_ptr<const std::string> Answer(const Snapshot& snapshot, const directory::Query& query);
    Result<std::vector<directory::Service>> Load(const std::string& line_id);
    void Invalidate(const std::string& line_id);

    Services s_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<const Snapshot>> snapshots_;  // guarded by mu_
    // Bumped by every Invalidate; a snapshot loaded while it moved may predate a change and is not kept.
    std::uint64_t changes_ = 0;  // guarded by mu_
};

}  // namespace crisisline::records
