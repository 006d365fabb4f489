#include "staff/sip_accounts.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "staff/accounts.hpp"

namespace crisisline::staff {
namespace {

class SipAccountsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialise());
        char tmpl[] = "/tmp/crisisline-sip-XXXXXX";
        dir_ = mkdtemp(tmpl);
        auto opened = store::OpenSqlite({dir_ + "/test.db"});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        keys_ = std::make_unique<crypto::Keyring>(dir_);
        ASSERT_TRUE(keys_->LoadService(true));
        ASSERT_TRUE(keys_->LoadAudit(true));
        writer_ = std::make_unique<writer::StorageWriter>(*store_, audit::ChainKey{&keys_->Audit(), 0});
        Accounts accounts(*store_, *writer_, clock_);
        for (const char* name : {"sam", "ali"}) {
            auto created = accounts.Create({name, name, "correct horse battery", {{"counsellor"}, {}, {"en"}, {}}},
                                           "system");
            ASSERT_TRUE(created) << created.error().message;
            ids_.push_back(created->id);
        }
        sip_ = std::make_unique<SipAccounts>(*store_, *writer_, *keys_, clock_);
    }
    void TearDown() override {
        sip_.reset();
        writer_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    std::optional<store::SipAccountRow> Row(const std::string& staff_id) {
        std::optional<store::SipAccountRow> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            auto row = tx.GetSipAccountOfStaff(staff_id);
            if (!row) return tl::unexpected(row.error());
            out = *row;
            return {};
        }));
        return out;
    }

    std::vector<std::string> AuditActions() {
        std::vector<std::string> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            auto rows = tx.ListAudit(1, 1000);
            if (!rows) return tl::unexpected(rows.error());
            for (const auto& r : *rows) out.push_back(r.action + ":" + r.record_id);
            return {};
        }));
        return out;
    }

    FakeClock clock_{1795806254000};
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<writer::StorageWriter> writer_;
    std::unique_ptr<crypto::Keyring> keys_;
    std::unique_ptr<SipAccounts> sip_;
    std::vector<std::string> ids_;
};

TEST_F(SipAccountsTest, IssueReturnsThePasswordOnceAndStoresItSealed) {
    auto password = sip_->Issue(ids_[0], "sam.phone", "st_admin");
    ASSERT_TRUE(password) << password.error().message;
    EXPECT_EQ(password->size(), kSipPasswordLength);
    EXPECT_TRUE(std::all_of(password->begin(), password->end(), [](char c) { return std::isalnum(c) != 0; }));
    auto row = Row(ids_[0]);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->username, "sam.phone");
    std::string sealed(row->secret_sealed.begin(), row->secret_sealed.end());
    EXPECT_EQ(sealed.find(*password), std::string::npos);
    auto opened = OpenSipSecret(keys_->Service(), *row);
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, *password);
    auto actions = AuditActions();
    EXPECT_EQ(actions.back(), "sip_account.issue:" + ids_[0]);
    EXPECT_EQ(*sip_->UsernameOf(ids_[0]), std::optional<std::string>("sam.phone"));
    EXPECT_EQ(*sip_->UsernameOf(ids_[1]), std::nullopt);

    // The password never reaches the database file in clear.
    writer_->Stop();
    std::ifstream db(dir_ + "/test.db", std::ios::binary), wal(dir_ + "/test.db-wal", std::ios::binary);
    std::stringstream bytes;
    bytes << db.rdbuf() << wal.rdbuf();
    EXPECT_EQ(bytes.str().find(*password), std::string::npos);
}

TEST_F(SipAccountsTest, ReissuingReplacesThePasswordAndRevokeRemovesTheAccount) {
    auto first = sip_->Issue(ids_[0], "sam.phone", "st_admin");
    auto second = sip_->Issue(ids_[0], "sam.desk", "st_admin");
    ASSERT_TRUE(first && second);
    EXPECT_NE(*first, *second);
    auto row = Row(ids_[0]);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->username, "sam.desk");
    EXPECT_EQ(*OpenSipSecret(keys_->Service(), *row), *second);
    ASSERT_TRUE(sip_->Revoke(ids_[0], "st_admin"));
    EXPECT_FALSE(Row(ids_[0]));
    EXPECT_EQ(AuditActions().back(), "sip_account.revoke:" + ids_[0]);
    auto again = sip_->Revoke(ids_[0], "st_admin");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(SipAccountsTest, RefusesBadNamesTakenNamesAndUnknownStaff) {
    ASSERT_TRUE(sip_->Issue(ids_[0], "sam.phone", "st_admin"));
    struct Case {
        const char* why;
        std::string staff_id;
        std::string name;
        ErrorCode code;
    };
    const Case cases[] = {
        {"too short", ids_[1], "ab", ErrorCode::kInvalid},
        {"too long", ids_[1], std::string(33, 'a'), ErrorCode::kInvalid},
        {"upper case", ids_[1], "Ali", ErrorCode::kInvalid},
        {"a space", ids_[1], "ali phone", ErrorCode::kInvalid},
        {"a SIP URI", ids_[1], "sip:ali@example.org", ErrorCode::kInvalid},
        {"another's name", ids_[1], "sam.phone", ErrorCode::kConflict},
        {"nobody", "st_nobody", "ghost", ErrorCode::kNotFound},
    };
    for (const auto& c : cases) {
        auto r = sip_->Issue(c.staff_id, c.name, "st_admin");
        ASSERT_FALSE(r) << c.why;
        EXPECT_EQ(r.error().code, c.code) << c.why;
        if (c.code != ErrorCode::kNotFound) {
            EXPECT_EQ(r.error().field, "sip_username") << c.why;
        }
    }
    EXPECT_FALSE(Row(ids_[1]));
}

}  // namespace
}  // namespace crisisline::staff
