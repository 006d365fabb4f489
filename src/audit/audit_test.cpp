#include "audit/audit.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace crisisline::audit {
namespace {

const crypto::SecretKey& TestKey() {
    static const crypto::SecretKey key =
        *crypto::SecretKey::FromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    return key;
}

const ChainKey kKeyed{&TestKey(), 0};

std::vector<store::AuditRow> BuildChain(int n, ChainKey chain = kKeyed) {
    std::vector<store::AuditRow> rows;
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
        Chain(chain, row, last);
        rows.push_back(row);
        last = row;
    }
    return rows;
}

// What a forger without the audit key can do: rechain `rows` from the start with
// plain SHA-256 or with a key of their own, so every link and hash is consistent.
std::vector<store::AuditRow> Recompute(std::vector<store::AuditRow> rows, ChainKey chain) {
    std::optional<store::AuditRow> last;
    for (auto& row : rows) {
        Chain(chain, row, last);
        last = row;
    }
    return rows;
}

VerifyReport Verify(const std::vector<store::AuditRow>& rows,
                    ChainKey chain = kKeyed,
                    const std::vector<Checkpoint>& checkpoints = {}) {
    Verifier verifier(chain);
    for (const auto& c : checkpoints) verifier.Expect(c);
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
    EXPECT_EQ(ComputeHash(kKeyed, chain[2]), chain[2].hash);
    EXPECT_NE(UnkeyedHash(chain[2]), chain[2].hash);
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
    EXPECT_NE(ComputeHash(kKeyed, a), ComputeHash(kKeyed, b));
    EXPECT_NE(UnkeyedHash(a), UnkeyedHash(b));
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

// What changed in a staff change is part of the keyed hash: editing it, blanking it or giving an entry
// without one a detail is detected at that entry, keyed or not.
TEST(AuditTest, AlteringBlankingOrAddingADetailIsDetected) {
    for (const ChainKey chain : {kKeyed, ChainKey{&TestKey(), 10}}) {
        auto rows = BuildChain(4, chain);
        rows[1].detail = R"({"before":{"roles":["admin"]},"after":{"roles":["admin","counsellor"]}})";
        rows = Recompute(rows, chain);
        ASSERT_TRUE(Verify(rows, chain).ok);
        using Alter = std::function<void(store::AuditRow&)>;
        const std::pair<int, Alter> alterations[] = {
            {1, [](store::AuditRow& r) { r.detail = R"({"before":{"roles":["admin"]},"after":{"roles":["admin"]}})"; }},
            {1, [](store::AuditRow& r) { r.detail.clear(); }},
            {2, [](store::AuditRow& r) { r.detail = R"({"note":"added later"})"; }},
        };
        for (const auto& [index, alter] : alterations) {
            auto altered = rows;
            alter(altered[index]);
            const VerifyReport report = Verify(altered, chain);
            EXPECT_FALSE(report.ok) << "entry " << index + 1 << " unkeyed_until " << chain.unkeyed_until;
            EXPECT_EQ(report.first_bad_seq, index + 1);
        }
    }
}

// Entries written before the detail existed (none has one) keep the hash they were written with.
TEST(AuditTest, AnEntryWithoutADetailHashesAsBeforeTheDetailExisted) {
    store::AuditRow row;
    row.seq = 1;
    row.at = 1'800'000'000'000;
    row.actor = "st_alex";
    row.action = "staff.update";
    row.record_type = "staff";
    row.record_id = "st_sam";
    row.purpose = "administration";
    row.prev_hash = kGenesisHash;
    // Computed by tests/integration/test_audit.py's independent encoding (sha256_chain_hash) of this row.
    EXPECT_EQ(UnkeyedHash(row), "66f1d2b93fb3079ac506c0c268e14ba6bed0dc39d37ee3b41e8bbb9ecc157845");
    row.detail = "{}";
    EXPECT_NE(UnkeyedHash(row), "66f1d2b93fb3079ac506c0c268e14ba6bed0dc39d37ee3b41e8bbb9ecc157845");
}

TEST(AuditTest, AlteringAndRehashingOneEntryBreaksTheNextLink) {
    auto rows = BuildChain(5);
    rows[2].actor = "st_mallory";
    rows[2].hash = ComputeHash(kKeyed, rows[2]);  // the forger recomputes this entry's hash, but not the rest
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
    rows[0].hash = ComputeHash(kKeyed, rows[0]);
    const VerifyReport report = Verify(rows);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 1);
}

// The forgeries of issue 17: whoever can write the database file, but has not the
// audit key, deletes or re-attributes entries and recomputes the whole chain.
TEST(AuditTest, ForgeriesRecomputedWithoutTheKeyAreDetected) {
    const crypto::SecretKey other_key =
        *crypto::SecretKey::FromHex("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");
    struct Forgery {
        const char* name;
        std::function<void(std::vector<store::AuditRow>&)> edit;
    };
    const Forgery forgeries[] = {
        {"one person's entries deleted",
         [](auto& rows) { std::erase_if(rows, [](const store::AuditRow& r) { return r.actor == "st_alex"; }); }},
        {"entries re-attributed to someone else",
         [](auto& rows) {
             for (auto& r : rows) {
                 if (r.actor == "st_alex") r.actor = "st_sam";
             }
         }},
        {"nothing changed but rechained", [](auto&) {}},
    };
    for (const auto& forgery : forgeries) {
        for (const ChainKey& forger : {ChainKey{nullptr, INT64_MAX}, ChainKey{&other_key, 0}}) {
            auto rows = BuildChain(8);
            forgery.edit(rows);
            rows = Recompute(rows, forger);
            const VerifyReport report = Verify(rows);
            EXPECT_FALSE(report.ok) << forgery.name << (forger.key ? " (own key)" : " (plain SHA-256)");
            EXPECT_EQ(report.first_bad_seq, 1) << forgery.name << ": " << report.reason;
            EXPECT_NE(report.reason.find("audit key"), std::string::npos) << report.reason;
        }
    }
}

TEST(AuditTest, UnkeyedEntriesBeforeTheUpgradeVerifyAndAreSealedByTheKeyedOnes) {
    // A database begun before the chain was keyed: 4 unkeyed entries, then keyed ones.
    const ChainKey upgraded{&TestKey(), 4};
    const auto rows = BuildChain(7, upgraded);
    EXPECT_EQ(rows[3].hash, UnkeyedHash(rows[3]));
    EXPECT_EQ(rows[4].hash, KeyedHash(TestKey(), rows[4]));
    const VerifyReport report = Verify(rows, upgraded);
    EXPECT_TRUE(report.ok) << report.reason;
    EXPECT_EQ(report.entries, 7);

    // Rewriting an old entry and recomputing the unkeyed part breaks the first keyed link.
    auto forged = rows;
    forged[1].actor = "st_sam";
    std::optional<store::AuditRow> last = forged[0];
    for (size_t i = 1; i < 4; ++i) {
        Chain(upgraded, forged[i], last);
        last = forged[i];
    }
    const VerifyReport broken = Verify(forged, upgraded);
    EXPECT_FALSE(broken.ok);
    EXPECT_EQ(broken.first_bad_seq, 5) << broken.reason;

    // Recomputing everything unkeyed does not move the boundary: it is not in the database.
    const VerifyReport all_unkeyed = Verify(Recompute(rows, ChainKey{nullptr, INT64_MAX}), upgraded);
    EXPECT_FALSE(all_unkeyed.ok);
    EXPECT_EQ(all_unkeyed.first_bad_seq, 5) << all_unkeyed.reason;
}

TEST(AuditTest, KeyedEntriesWithoutTheKeyAreNotTakenOnTrust) {
    const VerifyReport report = Verify(BuildChain(2), ChainKey{nullptr, 0});
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 1);
}

Checkpoint CheckpointOf(const std::vector<store::AuditRow>& rows, size_t entries, TimeMs at = 1'800'000'100'000) {
    return SignCheckpoint(TestKey(), static_cast<std::int64_t>(entries),
                          entries == 0 ? std::string(kGenesisHash) : rows[entries - 1].hash, at);
}

TEST(AuditTest, ACheckpointCatchesTheLastEntriesRemoved) {
    const auto rows = BuildChain(10);
    const std::vector<Checkpoint> at_eight = {CheckpointOf(rows, 3), CheckpointOf(rows, 8)};
    EXPECT_TRUE(Verify(rows, kKeyed, at_eight).ok);
    EXPECT_EQ(Verify(rows, kKeyed, at_eight).checkpoints, 2);
    // Entries after the last checkpoint may be lost without proof: the promise ends there.
    EXPECT_TRUE(Verify({rows.begin(), rows.begin() + 8}, kKeyed, at_eight).ok);
    for (size_t kept : {7u, 5u, 1u, 0u}) {
        const VerifyReport report = Verify({rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(kept)}, kKeyed,
                                           at_eight);
        EXPECT_FALSE(report.ok) << kept << " entries kept";
        EXPECT_EQ(report.first_bad_seq, static_cast<std::int64_t>(kept + 1)) << report.reason;
        EXPECT_NE(report.reason.find("were removed"), std::string::npos) << report.reason;
        EXPECT_NE(report.reason.find("recorded 8 entries"), std::string::npos) << report.reason;
    }
}

TEST(AuditTest, ACheckpointCatchesARewriteBeforeItEvenWithTheKey) {
    const auto rows = BuildChain(6);
    const std::vector<Checkpoint> checkpoints = {CheckpointOf(rows, 4)};
    // Someone holding the key deletes entry 2 and rechains: the chain is consistent,
    // but entry 4 no longer carries the head hash the checkpoint recorded.
    auto forged = rows;
    forged.erase(forged.begin() + 1);
    forged = Recompute(forged, kKeyed);
    forged.push_back(forged.back());
    forged = Recompute(forged, kKeyed);
    EXPECT_TRUE(Verify(forged).ok);
    const VerifyReport report = Verify(forged, kKeyed, checkpoints);
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.first_bad_seq, 4) << report.reason;
    EXPECT_NE(report.reason.find("checkpoint"), std::string::npos) << report.reason;
}

TEST(AuditTest, AnEmptyLogCheckpointHoldsForAnyLog) {
    EXPECT_TRUE(Verify({}, kKeyed, {CheckpointOf({}, 0)}).ok);
    EXPECT_TRUE(Verify(BuildChain(2), kKeyed, {CheckpointOf({}, 0)}).ok);
}

}  // namespace
}  // namespace crisisline::audit
