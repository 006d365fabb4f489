#include "records/audit_chain.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "records/audit_log.hpp"
#include "records/detail/services_test_support.hpp"

namespace crisisline::records {
namespace {

// A scratch database and keys directory of its own, so each test opens the chain itself.
class AuditChainTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        ::unsetenv("CRISISLINE_AUDIT_KEY");
        keys_dir_ = dir_ + "/keys";
        std::filesystem::create_directories(keys_dir_);
    }

    // Appends entries the way a crisisline before the keyed chain did: plain SHA-256.
    void AppendUnkeyed(int n) {
        ASSERT_TRUE(store_->Write([&](store::Tx& tx) -> Result<void> {
            for (int i = 0; i < n; ++i) {
                auto last = tx.LastAudit();
                if (!last) return tl::unexpected(last.error());
                store::AuditRow row{0, 1000 + i, "st_alex", "contact.read", "police", "contact", "ct_1", "on_call", "", ""};
                audit::Chain(audit::ChainKey{nullptr, INT64_MAX}, row, *last);
                if (auto appended = tx.AppendAudit(row); !appended) return tl::unexpected(appended.error());
            }
            return {};
        }));
    }

    void AppendWith(const audit::ChainKey& chain, int n) {
        writer::StorageWriter writer(*store_, chain);
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(writer.Run([&](store::Tx& tx) {
                return writer::AppendAudit(tx, 5000 + i, {"st_sam", "contact.update", "police", "contact", "ct_2", "wrap_up"});
            }));
        }
    }

    std::string keys_dir_;
};

TEST_F(AuditChainTest, AnOldDatabaseKeepsItsEntriesAndIsKeyedFromThenOn) {
    AppendUnkeyed(3);
    crypto::Keyring keys(keys_dir_);
    auto chain = OpenAuditChain(*store_, keys, keys_dir_);
    ASSERT_TRUE(chain) << chain.error().message;
    EXPECT_EQ(chain->unkeyed_until, 3);
    struct stat st {};
    ASSERT_EQ(::stat((keys_dir_ + "/audit.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    AppendWith(*chain, 2);

    auto verified = VerifyAudit(*store_, *chain);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_TRUE(verified->Ok()) << verified->chain.reason;
    EXPECT_EQ(verified->chain.entries, 5);

    // Reopened later, the boundary stays where it was.
    crypto::Keyring again(keys_dir_);
    auto reopened = OpenAuditChain(*store_, again, keys_dir_);
    ASSERT_TRUE(reopened);
    EXPECT_EQ(reopened->unkeyed_until, 3);
    EXPECT_TRUE(VerifyAudit(*store_, *reopened)->Ok());
}

TEST_F(AuditChainTest, AFreshDataDirectoryIsKeyedFromTheFirstEntry) {
    crypto::Keyring keys(keys_dir_);
    auto chain = OpenAuditChain(*store_, keys, keys_dir_);
    ASSERT_TRUE(chain);
    EXPECT_EQ(chain->unkeyed_until, 0);
    // An entry written unkeyed afterwards (a forger without the key) does not verify.
    AppendUnkeyed(1);
    auto verified = VerifyAudit(*store_, *chain);
    ASSERT_TRUE(verified);
    EXPECT_FALSE(verified->Ok());
    EXPECT_EQ(verified->chain.first_bad_seq, 1);
}

TEST_F(AuditChainTest, AKeyedLogWhoseKeyIsGoneRefusesToOpen) {
    crypto::Keyring keys(keys_dir_);
    ASSERT_TRUE(OpenAuditChain(*store_, keys, keys_dir_));
    std::filesystem::remove(keys_dir_ + "/audit.key");
    crypto::Keyring without(keys_dir_);
    auto refused = OpenAuditChain(*store_, without, keys_dir_);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(refused.error().message.find("restore audit.key"), std::string::npos) << refused.error().message;
    EXPECT_FALSE(std::filesystem::exists(keys_dir_ + "/audit.key"));  // never silently replaced
}

TEST_F(AuditChainTest, CheckpointsGoToTheFileAndComeBackOnlyWhenSigned) {
    crypto::Keyring keys(keys_dir_);
    auto chain = OpenAuditChain(*store_, keys, keys_dir_);
    ASSERT_TRUE(chain);
    const std::string file = dir_ + "/audit-checkpoints";
    EXPECT_EQ(ReadCheckpoints(file, *chain->key).error().code, ErrorCode::kNotFound);
    AppendWith(*chain, 2);
    auto first = TakeCheckpoint(*store_, *chain->key, 10'000);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->seq, 2);
    ASSERT_TRUE(AppendCheckpoint(file, *first));
    AppendWith(*chain, 1);
    auto second = TakeCheckpoint(*store_, *chain->key, 20'000);
    ASSERT_TRUE(second);
    ASSERT_TRUE(AppendCheckpoint(file, *second));
    auto read = ReadCheckpoints(file, *chain->key);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->size(), 2u);
    EXPECT_EQ((*read)[1].seq, 3);
    auto verified = VerifyAudit(*store_, *chain, *read);
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->Ok()) << verified->chain.reason;
    EXPECT_EQ(verified->chain.checkpoints, 2);
    ASSERT_TRUE(verified->last_checkpoint);
    EXPECT_EQ(verified->last_checkpoint->seq, 3);

    // A checkpoint edited to claim fewer entries is refused, naming its line.
    std::string text;
    {
        std::ifstream in(file);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    text.replace(text.rfind("seq=3"), 5, "seq=1");
    std::ofstream(file) << text;
    auto refused = ReadCheckpoints(file, *chain->key);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalid);
    EXPECT_NE(refused.error().message.find("line 2"), std::string::npos) << refused.error().message;
}

}  // namespace
}  // namespace crisisline::records
