#include "writer/writer.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "crypto/crypto.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::writer {
namespace {

crypto::SecretKey FreshKey() {
    if (!crypto::Initialise()) ADD_FAILURE() << "libsodium did not initialise";
    return crypto::SecretKey::Generate();
}

class WriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/crisisline-writer-XXXXXX";
        dir_ = mkdtemp(tmpl);
        auto opened = store::OpenSqlite({dir_ + "/test.db"});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->Write([](store::Tx& tx) { return tx.PutLine({"line-a", "Line A", "{}", 1, 1}); }));
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    static store::Work InsertContact(std::string id) {
        return [id](store::Tx& tx) {
            store::ContactRow row;
            row.id = id;
            row.line_id = "line-a";
            row.status = "open";
            row.arrived_at = 1000;
            row.facts_json = "{}";
            return tx.InsertContact(row);
        };
    }

    size_t CountContacts() {
        size_t n = 0;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            store::ContactFilter filter;
            filter.limit = 100000;
            auto rows = tx.ListContacts("line-a", filter);
            if (!rows) return tl::unexpected(rows.error());
            n = rows->size();
            return {};
        }));
        return n;
    }

    std::string dir_;
    std::unique_ptr<store::Store> store_;
    const crypto::SecretKey key_ = FreshKey();
    const audit::ChainKey chain_{&key_, 0};
};

TEST_F(WriterTest, CommitsConcurrentUnitsTogether) {
    StorageWriter writer(*store_, chain_);
    std::vector<std::future<Result<void>>> futures;
    for (int i = 0; i < 400; ++i) futures.push_back(writer.Submit(InsertContact("c" + std::to_string(i))));
    for (auto& f : futures) EXPECT_TRUE(f.get());
    EXPECT_EQ(writer.Units(), 400u);
    EXPECT_LT(writer.Commits(), 400u) << "units queued together should share a commit";
    EXPECT_EQ(CountContacts(), 400u);
}

TEST_F(WriterTest, AFailingUnitIsRolledBackAloneAndReported) {
    StorageWriter writer(*store_, chain_);
    auto ok1 = writer.Submit(InsertContact("first"));
    auto bad = writer.Submit([](store::Tx& tx) -> Result<void> {
        auto inserted = InsertContact("half-written")(tx);
        if (!inserted) return inserted;
        return Fail(ErrorCode::kInvalid, "outcome", "a later step failed");
    });
    auto ok2 = writer.Submit(InsertContact("second"));
    EXPECT_TRUE(ok1.get());
    auto bad_result = bad.get();
    ASSERT_FALSE(bad_result);
    EXPECT_EQ(bad_result.error().field, "outcome");
    EXPECT_TRUE(ok2.get());
    EXPECT_EQ(CountContacts(), 2u);
}

TEST_F(WriterTest, StopDrainsQueuedWorkThenRefuses) {
    StorageWriter writer(*store_, chain_);
    std::vector<std::future<Result<void>>> futures;
    for (int i = 0; i < 50; ++i) futures.push_back(writer.Submit(InsertContact("d" + std::to_string(i))));
    writer.Stop();
    for (auto& f : futures) EXPECT_TRUE(f.get());
    auto late = writer.Run(InsertContact("late"));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(CountContacts(), 50u);
}

TEST_F(WriterTest, AuditEntriesAreChainedWithTheWritersKey) {
    StorageWriter writer(*store_, chain_);
    const AuditEvent event{"st_alex", "contact.read", "line-a", "contact", "ct_1", "on_call"};
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(writer.Run([&](store::Tx& tx) { return AppendAudit(tx, 1000 + i, event); }));
    }
    std::vector<store::AuditRow> rows;
    ASSERT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        auto listed = tx.ListAudit(1, 10);
        if (!listed) return tl::unexpected(listed.error());
        rows = *listed;
        return {};
    }));
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2].hash, audit::KeyedHash(key_, rows[2]));
    audit::Verifier verifier(writer.Chain());
    for (const auto& row : rows) verifier.Feed(row);
    EXPECT_TRUE(verifier.Report().ok) << verifier.Report().reason;
    const crypto::SecretKey other = crypto::SecretKey::Generate();
    audit::Verifier with_other_key(audit::ChainKey{&other, 0});
    for (const auto& row : rows) with_other_key.Feed(row);
    EXPECT_FALSE(with_other_key.Report().ok);
}

TEST_F(WriterTest, AuditEntriesCannotBeAppendedOutsideTheWriter) {
    auto appended = store_->Write([](store::Tx& tx) {
        return AppendAudit(tx, 1000, AuditEvent{"system", "line.create", "line-a", "line", "line-a", "x"});
    });
    ASSERT_FALSE(appended);
    EXPECT_EQ(appended.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace crisisline::writer
