#include "records/directory_book.hpp"

#include "writer/audit_trail.hpp"

namespace crisisline::records {

Result<std::vector<directory::Service>> DirectoryBook::Load(const std::string& line_id) {
    auto rows = ReadOne<std::vector<store::DirectoryServiceRow>>(
        s_.store, [&](store::Tx& tx) { return tx.ListDirectoryServices(line_id); });
    if (!rows) return tl::unexpected(rows.error());
    std::vector<directory::Service> out;
    for (const auto& row : *rows) {
        auto service = directory::FromStoredJson(row.service_json);
        if (!service) return Fail(ErrorCode::kInternal, "stored directory entry " + row.id + " is unreadable");
        service->id = row.id;
        out.push_back(std::move(*service));
    }
    return out;
}

std::shared_ptr<const DirectoryBook::Snapshot> DirectoryBook::FreshSnapshot(const std::string& line_id, TimeMs now) {
    std::lock_guard lock(mu_);
    auto it = snapshots_.find(line_id);
    if (it == snapshots_.end()) return nullptr;
    const bool fresh = now - it->second->built_at < kSnapshotFor && now / kDayMs == it->second->built_at / kDayMs;
    return fresh ? it->second : nullptr;
}

Result<std::shared_ptr<const DirectoryBook::Snapshot>> DirectoryBook::SnapshotOf(const std::string& line_id) {
    const TimeMs now = s_.clock.Now();
    if (auto fresh = FreshSnapshot(line_id, now)) return fresh;
    std::uint64_t changes_before = 0;
    {
        std::lock_guard lock(mu_);
        changes_before = changes_;
    }
    auto services = Load(line_id);
    if (!services) return tl::unexpected(services.error());
    auto snapshot = std::make_shared<Snapshot>(std::move(*services));
    snapshot->built_at = now;
    directory::Query all;
    all.limit = snapshot->index.size();
    for (const directory::Service* service : snapshot->index.Search(all)) {
        snapshot->rendered.emplace(service, directory::ToJson(*service, now).dump());
    }
    std::lock_guard lock(mu_);
    // A change committed while this one loaded may be missing from it: answer with it, but do not keep it.
    if (changes_ == changes_before) snapshots_[line_id] = snapshot;
    return std::shared_ptr<const Snapshot>(snapshot);
}

void DirectoryBook::Invalidate(const std::string& line_id) {
    std::lock_guard lock(mu_);
    ++changes_;
    snapshots_.erase(line_id);
}

namespace {

// Every field of the query, each length-prefixed so that no two queries share a key.
std::string AnswerKey(const directory::Query& query) {
    std::string key;
    key.reserve(query.need.size() + query.region.size() + query.text.size() + 24);
    for (const std::string* part : {&query.need, &query.region, &query.text}) {
        key += std::to_string(part->size());
        key += ':';
        key += *part;
    }
    key += std::to_string(query.limit);
    return key;
}

}  // namespace

std::shared_ptr<const std::string> DirectoryBook::Answer(const Snapshot& snapshot, const directory::Query& query) {
    std::string key = AnswerKey(query);
    if (auto kept = snapshot.answers.Find(key)) return kept;
    std::string body = R"({"services":[)";
    bool first = true;
    for (const directory::Service* service : snapshot.index.Search(query)) {
        auto it = snapshot.rendered.find(service);
        if (it == snapshot.rendered.end()) continue;  // cannot happen: every service was rendered
        if (!first) body += ',';
        body += it->second;
        first = false;
    }
    body += "]}";
    auto answer = std::make_shared<const std::string>(std::move(body));
    auto kept = snapshot.answers.Keep(std::move(key), answer);
    return kept ? kept : answer;
}

Result<std::shared_ptr<const std::string>> DirectoryBook::Search(const std::string& line_id,
                                                                 const directory::Query& query) {
    auto snapshot = SnapshotOf(line_id);
    if (!snapshot) return tl::unexpected(snapshot.error());
    return Answer(**snapshot, query);
}

std::shared_ptr<const std::string> DirectoryBook::SearchRemembered(const std::string& line_id,
                                                                   const directory::Query& query) {
    auto snapshot = FreshSnapshot(line_id, s_.clock.Now());
    if (!snapshot) return nullptr;
    return Answer(*snapshot, query);
}

Result<nlohmann::json> DirectoryBook::Get(const std::string& line_id, const std::string& id) {
    auto row = ReadOne<std::optional<store::DirectoryServiceRow>>(
        s_.store, [&](store::Tx& tx) { return tx.GetDirectoryService(line_id, id); });
    if (!row) return tl::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kNotFound, "no directory service with this id on this line");
    auto service = directory::FromStoredJson((*row)->service_json);
    if (!service) return Fail(ErrorCode::kInternal, "stored directory entry is unreadable");
    service->id = id;
    return directory::ToJson(*service, s_.clock.Now());
}

Result<size_t> DirectoryBook::Add(const std::string& actor,
                                  const std::string& line_id,
                                  std::vector<directory::Service> services) {
    const TimeMs now = s_.clock.Now();
    for (auto& service : services) {
        if (service.id.empty()) service.id = crypto::NewId("sv");
    }
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto line = tx.GetLine(line_id);
        if (!line) return tl::unexpected(line.error());
        if (!*line) return Fail(ErrorCode::kNotFound, "no line with this id");
        for (const auto& service : services) {
            if (auto p = tx.PutDirectoryService({service.id, line_id, directory::ToStoredJson(service), now}); !p) {
                return p;
            }
        }
        return writer::AppendAudit(tx, now,
                                   {actor, "directory.update", line_id, "directory", std::to_string(services.size()),
                                    "administration"});
    });
    Invalidate(line_id);
    if (!written) return tl::unexpected(written.error());
    return services.size();
}

Result<nlohmann::json> DirectoryBook::Put(const std::string& actor,
                                          const std::string& line_id,
                                          const std::string& id,
                                          const Fields& body) {
    auto service = directory::ServiceFromFields(body);
    if (!service) return tl::unexpected(service.error());
    if (!id.empty()) {
        auto existing = Get(line_id, id);
        if (!existing) return tl::unexpected(existing.error());
    }
    service->id = id.empty() ? crypto::NewId("sv") : id;
    auto added = Add(actor, line_id, {*service});
    if (!added) return tl::unexpected(added.error());
    return Get(line_id, service->id);
}

Result<void> DirectoryBook::Remove(const std::string& actor, const std::string& line_id, const std::string& id) {
    const TimeMs now = s_.clock.Now();
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto found = tx.GetDirectoryService(line_id, id);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return Fail(ErrorCode::kNotFound, "no directory service with this id on this line");
        if (auto d = tx.DeleteDirectoryService(line_id, id); !d) return d;
        return writer::AppendAudit(tx, now, {actor, "directory.remove", line_id, "directory", id, "administration"});
    });
    Invalidate(line_id);
    return written;
}

Result<size_t> DirectoryBook::Import(const std::string& actor, const std::string& line_id, std::string_view hsds_json) {
    auto services = directory::ImportHsds(hsds_json);
    if (!services) return tl::unexpected(services.error());
    return Add(actor, line_id, std::move(*services));
}

Result<std::string> DirectoryBook::Export(const std::string& line_id) {
    auto line = ReadOne<std::optional<store::LineRow>>(s_.store, [&](store::Tx& tx) { return tx.GetLine(line_id); });
    if (!line) return tl::unexpected(line.error());
    if (!*line) return Fail(ErrorCode::kNotFound, "no line with id '" + line_id + "'");
    auto services = Load(line_id);
    if (!services) return tl::unexpected(services.error());
    return directory::ExportHsds(*services);
}

}  // namespace crisisline::records
