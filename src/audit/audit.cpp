#include "audit/audit.hpp"

#include <algorithm>
#include <cassert>

#include "crypto/crypto.hpp"

namespace crisisline::audit {

const char* const kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

// Versioned, so an entry hashed one way can never pass for one hashed the other.
constexpr std::string_view kUnkeyedDomain = "crisisline.audit.v1";
constexpr std::string_view kKeyedDomain = "crisisline.audit.v2";
// An entry with a detail (schema version 5 on) is hashed under its own domain with the detail as one more
// field; one without is hashed exactly as before, so entries written before the detail existed verify as
// they always did, and blanking a detail (or adding one) changes the domain and so breaks the hash.
constexpr std::string_view kDetailSuffix = "+detail";

void AppendUint64(std::string& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

// Each field is its 8-byte big-endian length and its bytes, so field boundaries
// are never ambiguous ("ab" + "c" differs from "a" + "bc").
void AppendField(std::string& out, std::string_view field) {
    AppendUint64(out, field.size());
    out.append(field);
}

std::string Canonical(std::string_view domain, const store::AuditRow& row) {
    std::string canonical;
    AppendField(canonical, row.detail.empty() ? std::string(domain) : std::string(domain) + std::string(kDetailSuffix));
    AppendUint64(canonical, static_cast<std::uint64_t>(row.seq));
    AppendUint64(canonical, static_cast<std::uint64_t>(row.at));
    for (const std::string* field :
         {&row.actor, &row.action, &row.line_id, &row.record_type, &row.record_id, &row.purpose, &row.prev_hash}) {
        AppendField(canonical, *field);
    }
    if (!row.detail.empty()) AppendField(canonical, row.detail);
    return canonical;
}

}  // namespace

std::string UnkeyedHash(const store::AuditRow& row) { return crypto::Sha256Hex(Canonical(kUnkeyedDomain, row)); }

std::string KeyedHash(const crypto::SecretKey& key, const store::AuditRow& row) {
    return crypto::HmacSha256Hex(key, Canonical(kKeyedDomain, row));
}

std::string ComputeHash(const ChainKey& chain, const store::AuditRow& row) {
    if (row.seq <= chain.unkeyed_until) return UnkeyedHash(row);
    assert(chain.key != nullptr && "a keyed chain needs the audit key");
    return KeyedHash(*chain.key, row);
}

void Chain(const ChainKey& chain, store::AuditRow& row, const std::optional<store::AuditRow>& last) {
    row.seq = last ? last->seq + 1 : 1;
    row.prev_hash = last ? last->hash : kGenesisHash;
    row.hash = ComputeHash(chain, row);
}

Verifier::Verifier(ChainKey chain) : chain_(chain) {}

void Verifier::Expect(const Checkpoint& checkpoint) {
    if (checkpoint.seq <= 0) return;  // an empty log: nothing before it to lose
    auto at = std::upper_bound(expected_.begin(), expected_.end(), checkpoint.seq,
                               [](std::int64_t seq, const Checkpoint& c) { return seq < c.seq; });
    expected_.insert(at, checkpoint);
}

void Verifier::Feed(const store::AuditRow& row) {
    ++report_.entries;
    if (!report_.ok) return;
    if (row.seq != expected_seq_) {
        const std::string found =
            "expected seq " + std::to_string(expected_seq_) + " but found seq " + std::to_string(row.seq);
        if (expected_seq_ == 1) return Break("the chain does not start at seq 1: " + found);
        if (row.seq > expected_seq_) return Break(found + " (entries removed or reordered)");
        return Break(found + " (entries reordered or duplicated)");
    }
    if (row.prev_hash != report_.head_hash) {
        return Break(expected_seq_ == 1
                         ? "the first entry does not start from the genesis hash"
                         : "entry does not link to the one before it (an entry was removed or reordered)");
    }
    if (row.seq > chain_.unkeyed_until && chain_.key == nullptr) {
        return Break("the entry is keyed, and the audit key was not given");
    }
    if (!crypto::ConstantTimeEquals(ComputeHash(chain_, row), row.hash)) {
        return Break(row.seq > chain_.unkeyed_until
                         ? "entry content does not match its keyed hash (altered, or the chain was recomputed "
                           "without the audit key)"
                         : "entry content does not match its hash (altered)");
    }
    for (; next_checkpoint_ < expected_.size() && expected_[next_checkpoint_].seq == row.seq; ++next_checkpoint_) {
        const Checkpoint& checkpoint = expected_[next_checkpoint_];
        if (checkpoint.head_hash != row.hash) {
            return Break("the entry differs from the checkpoint of " + FormatTime(checkpoint.at) +
                         " (the log up to here was rewritten since)");
        }
        ++report_.checkpoints;
    }
    report_.head_hash = row.hash;
    ++expected_seq_;
}

VerifyReport Verifier::Report() const {
    VerifyReport report = report_;
    if (report.ok && next_checkpoint_ < expected_.size()) {
        const Checkpoint& last = expected_.back();
        Break(report, expected_seq_,
              "the log ends at seq " + std::to_string(expected_seq_ - 1) + " but the checkpoint of " +
                  FormatTime(last.at) + " recorded " + std::to_string(last.seq) + " entries: entries " +
                  std::to_string(expected_seq_) + " to " + std::to_string(last.seq) + " were removed");
    }
    return report;
}

void Verifier::Break(std::string reason) { Break(report_, expected_seq_, std::move(reason)); }

void Verifier::Break(VerifyReport& report, std::int64_t seq, std::string reason) const {
    report.ok = false;
    report.first_bad_seq = seq;
    report.reason = std::move(reason);
}

}  // namespace crisisline::audit
