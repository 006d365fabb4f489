#include "records/force_backfill.hpp"

#include "records/contacts.hpp"
#include "records/sealed_force.hpp"

namespace crisisline::records {

namespace {

constexpr size_t kLongestForceCode = 48;  // what SealForce takes

struct Sealing {
    std::string id;
    std::int64_t version = 0;
    store::Bytes force_sealed;
};

// The force named in `row`'s content, sealed as a fresh write seals it; nullopt when the content names none.
Result<std::optional<store::Bytes>> SealedForceOf(const crypto::SecretKey& line_key, const store::ContactRow& row) {
    auto plain = crypto::Open(line_key, row.sealed, SealingContext("contact", row.line_id, row.id));
    if (!plain) return tl::unexpected(plain.error());
    const auto content = nlohmann::json::parse(*plain, nullptr, false);
    if (!content.is_object()) return Fail(ErrorCode::kInternal, "stored contact is unreadable");
    const auto force = content.find("force");
    if (force == content.end() || !force->is_string()) return std::nullopt;
    const auto& code = force->get_ref<const std::string&>();
    if (code.empty() || code.size() > kLongestForceCode) return std::nullopt;
    return SealForce(line_key, row.line_id, row.id, code);
}

}  // namespace

Result<bool> ForceBackfill::Step() {
    if (!listed_) {
        auto done = ReadOne<bool>(s_.store, [](store::Tx& tx) { return tx.UpgradeDone(kForceUpgrade); });
        if (!done) return tl::unexpected(done.error());
        if (*done) {
            done_before_ = listed_ = true;
            return false;
        }
        auto lines = ReadOne<std::vector<store::LineRow>>(s_.store, [](store::Tx& tx) { return tx.ListLines(); });
        if (!lines) return tl::unexpected(lines.error());
        for (const auto& line : *lines) lines_.push_back(line.id);
        listed_ = true;
    }
    if (done_before_) return false;
    while (line_ < lines_.size()) {
        const std::string& line_id = lines_[line_];
        auto rows = ReadOne<std::vector<store::ContactRow>>(
            s_.store, [&](store::Tx& tx) { return tx.ListContactsWithoutSealedForce(line_id, after_id_, batch_); });
        if (!rows) return tl::unexpected(rows.error());
        if (rows->empty()) {
            ++line_;
            after_id_.clear();
            continue;
        }
        auto key = s_.keys.Line(line_id);
        if (!key) return tl::unexpected(key.error());
        // Opened here, off the writer thread: the writer unit below only writes.
        std::vector<Sealing> sealings;
        ForceBackfillCounts seen;
        for (const auto& row : *rows) {
            auto sealed = SealedForceOf(**key, row);
            if (!sealed) {
                ++seen.unreadable;
            } else if (!*sealed) {
                ++seen.without_force;
            } else {
                sealings.push_back({row.id, row.version, std::move(**sealed)});
            }
        }
        std::int64_t written = 0;
        if (!sealings.empty()) {
            const TimeMs now = s_.clock.Now();
            auto unit = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
                written = 0;  // a unit may be retried
                for (const auto& sealing : sealings) {
                    auto set = tx.SealContactForce(line_id, sealing.id, sealing.version, sealing.force_sealed);
                    if (!set) return tl::unexpected(set.error());
                    // Sealed by a change meanwhile, or changed: that change sealed what it had.
                    if (!*set) continue;
                    if (auto a = writer::AppendAudit(
                            tx, now, {"system", "contact.seal_force", line_id, "contact", sealing.id, "upgrade"});
                        !a) {
                        return a;
                    }
                    ++written;
                }
                return {};
            });
            if (!unit) return tl::unexpected(unit.error());
        }
        counts_.sealed += written;
        counts_.without_force += seen.without_force;
        counts_.unreadable += seen.unreadable;
        after_id_ = rows->back().id;
        return true;
    }
    if (!recorded_) {
        // Every line gone through: no later start reads these contacts again.
        const TimeMs now = s_.clock.Now();
        auto unit = s_.writer.Run([&](store::Tx& tx) { return tx.RecordUpgradeDone(kForceUpgrade, now); });
        if (!unit) return tl::unexpected(unit.error());
        recorded_ = true;
    }
    return false;
}

Result<ForceBackfillCounts> BackfillSealedForce(Services s, size_t batch) {
    ForceBackfill backfill(s, batch);
    for (;;) {
        auto more = backfill.Step();
        if (!more) return tl::unexpected(more.error());
        if (!*more) return backfill.Counts();
    }
}

}  // namespace crisisline::records
