#include "audit/audit.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace crisisline::audit {
namespace {

std::vector<store::AuditRow> BuildChain(int n) {
    std::vector<store::AuditRow> chain;
    std::optional<store::AuditRow> last;
    for (int i = 0; i < n; ++i) {
        store::AuditRow row;
        row.at = 1'800'000'000'000 + i * 1000;
        row.actor = i % 2 == 0 ? "st_alex" : "system";
        row.action = "contact.read";
        row.line_id = "north-east";
        row.record_type = "contact";
        row.record_id = "ct_" + std::to_string(i);
        row.purpose = "on_call";
        Chain(row, last);
        chain.push_back(row);
        last = row;
    }
    return chain;
}

VerifyReport Verify(const std::vector<store::AuditRow>& rows) {
    Verifier verifier;
    for (const auto& row : rows) verifier.Feed(row);
    return verifier.Report();
}

TEST(AuditTest, ChainNumbersAndLinksEntries) {
    const auto chain = BuildChain(3);
    EXPECT_EQ(std::string(kGenesisHash), std::string(64, '0'));
    EXPECT_EQ(chain[0].seq, 1);
    EXPECT_EQ(chain[0].prev_hash, kGenesisHash);
    EXPECT_EQ(chain[1].seq, 2);
    EXPECT_EQ(chain[1].prev_hash, chain[0].hash);
    EXPECT_EQ(chain[2].prev_hash, chain[1].hash);
    EXPECT_EQ(chain[0].hash.size(), 64u);
    EXPECT_EQ(chain[0].hash.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(ComputeHash(chain[2]), chain[2].hash);
}

TEST(AuditTest, BuiltChainVerifies) {
    const auto chain = BuildChain(10);
    const VerifyReport report = Verify(chain);
    EXPECT_TRUE(report.ok) << report.reason;
    EXPECT_EQ(report.entries, 10);
    EXPECT_EQ(report.first_bad_seq, 0);
    EXPECT_EQ(report.head_hash, chain.back().hash);
}

TEST(AuditTest, EmptyChainVerifiesWithGenesisHead) {
    const VerifyReport report = Verify({});
    EXPECT_TRUE(report.ok);
    EXPECT_EQ(report.entries, 0);
    EXPECT_EQ(report.head_hash, kGenesisHash);
}

TEST(AuditTest, FieldBoundariesAreUnambiguous) {
    store::AuditRow a = BuildChain(1)[0];
    store::AuditRow b = a;
    a.record_type = "contactc";
    a.record_id = "t_0";
    b.record_type = "contact";
    b.record_id = "ct_0";
    EXPECT_NE(ComputeHash(a), ComputeHash(b));
}

TEST(AuditTest, AlteringAnyFieldOfAnyEntryIsDetectedAtThatEntry) {
    using Alter = std::function<void(store::AuditRow&)>;
    const std::pair<const char*, Alter> alterations[] = {
        {"seq", [](store::AuditRow& r) { r.seq += 100; }},
        {"at", [](store::AuditRow& r) { r.at += 1; }},
        {"actor", [](store::AuditRow& r) { r.actor = "st_mallory"; }},
        {"action", [](store::AuditRow& r) { r.action = "contact.update"; }},
        {"line_id", [](store::AuditRow& r) { r.line_id = "south-west"; }},
        {"record_type", [](store::AuditRow& r) { r.record_type = "escalation"; }},
        {"record_id", [](store::AuditRow& r) { r.record_id = "ct_other"; }},
        {"purpose", [](store::AuditRow& r) { r.purpose = "audit"; }},
        {"prev_hash", [](store::AuditRow& r) { r.prev_hash[0] = r.prev_hash[0] == 'a' ? 'b' : 'a'; }},
        {"hash", [](store::AuditRow& r) { r.hash[5] = r.hash[5] == 'a' ? 'b' : 'a'; }},
    };
    const auto chain = BuildChain(5);
    for (const auto& [field, alter] : alterations) {
        for (size_t i = 0; i < chain.size(); ++i) {
            auto rows = chain;
            alter(rows[i]);
            const VerifyReport report = Verify(rows);
            EXPECT_FALSE(report.ok) << field << " of entry " << i + 1;
            EXPECT_EQ(report.first_bad_seq, static_cast<std::int64_t>(i + 1)) << field << " of entry " << i + 1;
            EXPECT_FALSE(report.reason.empty());
            EXPECT_EQ(report.entries, 5);
            EXPECT_EQ(report.head_hash, i == 0 ? std::string(kGenesisHash) : chain[i - 1].hash);
        }
    }
}

TEST(AuditTest, AlteringAndRehashingOneEntryBreaksTheNextLink) {
    auto rows = BuildChain(5);
    rows[2].actor = "st_mallory";
    rows[2].hash = ComputeHash(rows[2]);  // the forger recomputes this entry's hash, but not the rest
    const VerifyReport report = Verify(rows);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 4);
}

TEST(AuditTest, RemovingAnEntryIsDetected) {
    struct Case {
        const char* name;
        size_t removed;  // index into the chain
        std::int64_t first_bad_seq;
    };
    for (const Case& c :
         {Case{"first", 0, 1}, Case{"second", 1, 2}, Case{"middle", 4, 5}, Case{"last but one", 8, 9}}) {
        auto rows = BuildChain(10);
        rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(c.removed));
        const VerifyReport report = Verify(rows);
        EXPECT_FALSE(report.ok) << c.name;
        EXPECT_EQ(report.first_bad_seq, c.first_bad_seq) << c.name << ": " << report.reason;
    }
}

TEST(AuditTest, RemovingAnEntryAndRenumberingIsDetected) {
    auto rows = BuildChain(6);
    rows.erase(rows.begin() + 2);
    for (size_t i = 2; i < rows.size(); ++i) rows[i].seq -= 1;  // close the gap in seq
    const VerifyReport report = Verify(rows);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 3) << report.reason;
}

TEST(AuditTest, SwappingTwoEntriesIsDetected) {
    for (size_t i = 0; i + 1 < 6; ++i) {
        auto rows = BuildChain(6);
        std::swap(rows[i], rows[i + 1]);
        const VerifyReport report = Verify(rows);
        EXPECT_FALSE(report.ok) << "swapped entries " << i + 1 << " and " << i + 2;
        EXPECT_EQ(report.first_bad_seq, static_cast<std::int64_t>(i + 1)) << report.reason;
    }
    auto rows = BuildChain(6);
    std::swap(rows[1], rows[4]);
    std::swap(rows[1].seq, rows[4].seq);  // keep seq in order, so only the links can tell
    const VerifyReport report = Verify(rows);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 2) << report.reason;
}

TEST(AuditTest, AChainNotStartingAtGenesisIsRefused) {
    auto rows = BuildChain(3);
    rows[0].prev_hash = rows[0].hash;
    rows[0].hash = ComputeHash(rows[0]);
    const VerifyReport report = Verify(rows);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 1);
}

}  // namespace
}  // namespace crisisline::audit
