#include "records/audit_log.hpp"

namespace crisisline::records {

nlohmann::json AuditJson(const store::AuditRow& row) {
    return {{"seq", row.seq},
            {"at", FormatTime(row.at)},
            {"actor", row.actor},
            {"action", row.action},
            {"line_id", row.line_id},
            {"record_type", row.record_type},
            {"record_id", row.record_id},
            {"purpose", row.purpose},
            {"prev_hash", row.prev_hash},
            {"hash", row.hash}};
}

Result<nlohmann::json> ListAudit(store::Store& store, std::int64_t from_seq, size_t limit) {
    auto rows = ReadOne<std::vector<store::AuditRow>>(store, [&](store::Tx& tx) { return tx.ListAudit(from_seq, limit); });
    if (!rows) return tl::unexpected(rows.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : *rows) out.push_back(AuditJson(row));
    return nlohmann::json{{"entries", out}};
}

Result<audit::VerifyReport> VerifyAudit(store::Store& store) {
    constexpr size_t kPage = 5000;
    audit::Verifier verifier;
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
    return verifier.Report();
}

}  // namespace crisisline::records
