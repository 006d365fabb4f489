#include "audit/audit.hpp"

#include "crypto/crypto.hpp"

namespace crisisline::audit {

const char* const kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

// Versioned, so a future change of the encoding can never collide with this one.
constexpr std::string_view kDomain = "crisisline.audit.v1";

void AppendUint64(std::string& out, std::uint64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

// Each field is its 8-byte big-endian length and its bytes, so field boundaries
// are never ambiguous ("ab" + "c" differs from "a" + "bc").
void AppendField(std::string& out, std::string_view field) {
    AppendUint64(out, field.size());
    out.append(field);
}

}  // namespace

std::string ComputeHash(const store::AuditRow& row) {
    std::string canonical;
    AppendField(canonical, kDomain);
    AppendUint64(canonical, static_cast<std::uint64_t>(row.seq));
    AppendUint64(canonical, static_cast<std::uint64_t>(row.at));
    for (const std::string* field :
         {&row.actor, &row.action, &row.line_id, &row.record_type, &row.record_id, &row.purpose, &row.prev_hash}) {
        AppendField(canonical, *field);
    }
    return crypto::Sha256Hex(canonical);
}

void Chain(store::AuditRow& row, const std::optional<store::AuditRow>& last) {
    row.seq = last ? last->seq + 1 : 1;
    row.prev_hash = last ? last->hash : kGenesisHash;
    row.hash = ComputeHash(row);
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
    if (ComputeHash(row) != row.hash) return Break("entry content does not match its hash (altered)");
    report_.head_hash = row.hash;
    ++expected_seq_;
}

void Verifier::Break(std::string reason) {
    report_.ok = false;
    report_.first_bad_seq = expected_seq_;
    report_.reason = std::move(reason);
}

}  // namespace crisisline::audit
