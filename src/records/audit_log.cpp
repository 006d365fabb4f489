#include "records/audit_log.hpp"

#include <algorithm>

namespace crisisline::records {

namespace {

// The detail as the JSON it was written as; the text itself should it not parse (it was then edited, and
// verification says so).
nlohmann::json DetailJson(const std::string& detail) {
    if (detail.empty()) return nullptr;
    auto parsed = nlohmann::json::parse(detail, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json(detail) : parsed;
}

}  // namespace

nlohmann::json AuditJson(const store::AuditRow& row) {
    return {{"seq", row.seq},
            {"at", FormatTime(row.at)},
            {"actor", row.actor},
            {"action", row.action},
            {"line_id", row.line_id},
            {"record_type", row.record_type},
            {"record_id", row.record_id},
            {"purpose", row.purpose},
            {"detail", DetailJson(row.detail)},
            {"prev_hash", row.prev_hash},
            {"hash", row.hash}};
}

nlohmann::json CheckpointJson(const audit::Checkpoint& checkpoint) {
    return {{"seq", checkpoint.seq}, {"head_hash", checkpoint.head_hash}, {"at", FormatTime(checkpoint.at)}};
}

Result<nlohmann::json> ListAudit(store::Store& store, std::int64_t from_seq, size_t limit) {
    store::AuditFilter filter;
    filter.from_seq = from_seq;
    filter.limit = limit;
    auto page = FindAudit(store, filter);
    if (!page) return page;
    page->erase("next_from_seq");
    return page;
}

Result<nlohmann::json> FindAudit(store::Store& store, const store::AuditFilter& filter) {
    // One more than asked for tells whether another page follows.
    store::AuditFilter probe = filter;
    probe.limit = filter.limit + 1;
    auto rows = ReadOne<std::vector<store::AuditRow>>(store, [&](store::Tx& tx) { return tx.FindAudit(probe); });
    if (!rows) return tl::unexpected(rows.error());
    nlohmann::json next = nullptr;
    if (rows->size() > filter.limit) {
        rows->resize(filter.limit);
        next = rows->back().seq + 1;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(AuditJson(row));
    return nlohmann::json{{"entries", out}, {"next_from_seq", next}};
}

Result<AuditVerification> VerifyAudit(store::Store& store,
                                      const audit::ChainKey& chain,
                                      const std::vector<audit::Checkpoint>& checkpoints) {
    constexpr size_t kPage = 5000;
    AuditVerification out;
    auto guards = ReadOne<std::vector<std::string>>(store, [](store::Tx& tx) { return tx.AuditGuardFaults(); });
    if (!guards) return tl::unexpected(guards.error());
    out.guard_faults = std::move(*guards);

    audit::Verifier verifier(chain);
    for (const auto& checkpoint : checkpoints) {
        verifier.Expect(checkpoint);
        if (!out.last_checkpoint || checkpoint.seq > out.last_checkpoint->seq ||
            (checkpoint.seq == out.last_checkpoint->seq && checkpoint.at > out.last_checkpoint->at)) {
            out.last_checkpoint = checkpoint;
        }
    }
    std::int64_t next = 1;
    // Pages are read by position (seq >= next) so that a removed or moved entry
    // still reaches the verifier, which judges the order it sees.
    for (;;) {
        auto rows = ReadOne<std::vector<store::AuditRow>>(store, [&](store::Tx& tx) { return tx.ListAudit(next, kPage); });
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& row : *rows) verifier.Feed(row);
        if (rows->size() < kPage) break;
        next = rows->back().seq + 1;
    }
    out.chain = verifier.Report();
    return out;
}

}  // namespace crisisline::records
