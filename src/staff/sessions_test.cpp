#include "staff/sessions.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "staff/accounts.hpp"

namespace crisisline::staff {
namespace {

constexpr const char* kPassword = "correct horse battery";

class SessionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(crypto::Initialise());
        char tmpl[] = "/tmp/crisisline-sessions-XXXXXX";
        dir_ = mkdtemp(tmpl);
        auto opened = store::OpenSqlite({dir_ + "/test.db"});
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        keys_ = std::make_unique<crypto::Keyring>(dir_);
        ASSERT_TRUE(keys_->LoadService(true));
        ASSERT_TRUE(keys_->LoadAudit(true));
        writer_ = std::make_unique<writer::StorageWriter>(*store_, audit::ChainKey{&keys_->Audit(), 0});
        ASSERT_TRUE(writer_->Run([](store::Tx& tx) { return tx.PutLine({"police", "Police (test)", "{}", 1, 1}); }));
        accounts_ = std::make_unique<Accounts>(*store_, *writer_, clock_);
        sessions_ = std::make_unique<Sessions>(*store_, *writer_, *keys_, clock_);
        NewStaff who{"Alex.Demo", "Alex", kPassword, {{"counsellor"}, {"police"}, {"en"}, {}}};
        auto created = accounts_->Create(who, "system");
        ASSERT_TRUE(created) << created.error().message;
        staff_id_ = created->id;
    }
    void TearDown() override {
        sessions_.reset();
        accounts_.reset();
        writer_.reset();
        store_.reset();
        std::filesystem::remove_all(dir_);
    }

    // Signs in and enrols TOTP; returns the session token and the secret.
    std::pair<std::string, store::Bytes> Enrol() {
        auto first = sessions_->SignIn("alex.demo", kPassword, "");
        EXPECT_TRUE(first) << (first ? "" : first.error().message);
        EXPECT_FALSE(first->mfa_complete);
        EXPECT_TRUE(first->totp_secret.has_value());
        auto secret = *crypto::Base32Decode(*first->totp_secret);
        auto code = crypto::TotpCode(secret, clock_.Now() / 1000);
        auto confirmed = sessions_->ConfirmTotp(first->token, code);
        EXPECT_TRUE(confirmed) << (confirmed ? "" : confirmed.error().message);
        return {first->token, secret};
    }

    FakeClock clock_{1795806254000};
    std::string dir_;
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<writer::StorageWriter> writer_;
    std::unique_ptr<crypto::Keyring> keys_;
    std::unique_ptr<Accounts> accounts_;
    std::unique_ptr<Sessions> sessions_;
    std::string staff_id_;
};

TEST_F(SessionsTest, FirstSignInEnrolsTotpThenRequiresIt) {
    auto [token, secret] = Enrol();
    auto auth = sessions_->Authenticate(token);
    ASSERT_TRUE(auth);
    EXPECT_TRUE(auth->mfa_complete);
    EXPECT_EQ(auth->principal.staff_id, staff_id_);

    clock_.Advance(60 * kSecondMs);
    auto without_code = sessions_->SignIn("alex.demo", kPassword, "");
    ASSERT_FALSE(without_code);
    EXPECT_EQ(without_code.error().field, "totp_code");
    auto with_code = sessions_->SignIn("alex.demo", kPassword, crypto::TotpCode(secret, clock_.Now() / 1000));
    ASSERT_TRUE(with_code);
    EXPECT_TRUE(with_code->mfa_complete);
    EXPECT_FALSE(with_code->totp_secret.has_value()) << "the secret is shown only while enrolling";
}

TEST_F(SessionsTest, ATotpCodeCannotBeReplayed) {
    auto [token, secret] = Enrol();
    clock_.Advance(60 * kSecondMs);
    auto code = crypto::TotpCode(secret, clock_.Now() / 1000);
    ASSERT_TRUE(sessions_->SignIn("alex.demo", kPassword, code));
    auto again = sessions_->SignIn("alex.demo", kPassword, code);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(SessionsTest, UnknownUserAndWrongPasswordLookTheSame) {
    auto unknown = sessions_->SignIn("nobody", kPassword, "");
    auto wrong = sessions_->SignIn("alex.demo", "not the password", "");
    ASSERT_FALSE(unknown);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(unknown.error().code, wrong.error().code);
    EXPECT_EQ(unknown.error().message, wrong.error().message);
}

TEST_F(SessionsTest, RepeatedFailuresLockTheAccount) {
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(sessions_->SignIn("alex.demo", "wrong password!", ""));
    auto locked = sessions_->SignIn("alex.demo", kPassword, "");
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, ErrorCode::kThrottled);
    clock_.Advance(16 * kMinuteMs);
    EXPECT_TRUE(sessions_->SignIn("alex.demo", kPassword, ""));
}

TEST_F(SessionsTest, IdleAndAbsoluteTimeoutsEndSessions) {
    auto [token, secret] = Enrol();
    clock_.Advance(29 * kMinuteMs);
    ASSERT_TRUE(sessions_->Authenticate(token));
    writer_->Run([](store::Tx&) -> Result<void> { return {}; });  // let the touch land
    clock_.Advance(29 * kMinuteMs);
    ASSERT_TRUE(sessions_->Authenticate(token)) << "activity keeps the session alive";
    clock_.Advance(31 * kMinuteMs);
    EXPECT_FALSE(sessions_->Authenticate(token)) << "idle for 31 minutes";

    clock_.Advance(kMinuteMs);
    auto fresh = sessions_->SignIn("alex.demo", kPassword, crypto::TotpCode(secret, clock_.Now() / 1000));
    ASSERT_TRUE(fresh);
    for (int i = 0; i < 13 * 4; ++i) {
        clock_.Advance(15 * kMinuteMs);
        writer_->Run([](store::Tx&) -> Result<void> { return {}; });
        if (!sessions_->Authenticate(fresh->token)) {
            EXPECT_GE(i, 12 * 4 - 2) << "the absolute timeout is 12 hours";
            return;
        }
    }
    FAIL() << "session outlived the absolute timeout";
}

TEST_F(SessionsTest, VerifyingIsNotActivity) {
    auto [token, secret] = Enrol();
    for (int i = 0; i < 3; ++i) {
        clock_.Advance(10 * kMinuteMs);
        ASSERT_TRUE(sessions_->Verify(token)) << "still valid after " << (i + 1) * 10 << " minutes";
        writer_->Run([](store::Tx&) -> Result<void> { return {}; });
    }
    clock_.Advance(2 * kMinuteMs);
    EXPECT_FALSE(sessions_->Verify(token)) << "an open WebSocket must not keep an idle session alive";
    EXPECT_FALSE(sessions_->Authenticate(token));
}

TEST_F(SessionsTest, TokensAreStoredOnlyAsHashes) {
    auto [token, secret] = Enrol();
    auto found = store_->Read([&](store::Tx& tx) -> Result<void> {
        auto raw = tx.GetSession(token);
        EXPECT_TRUE(raw && !raw->has_value()) << "the raw token must not be a key";
        auto hashed = tx.GetSession(crypto::Sha256Hex(token));
        EXPECT_TRUE(hashed && hashed->has_value());
        return {};
    });
    EXPECT_TRUE(found);
}

TEST_F(SessionsTest, DisablingAndSignOutEverywhereEndSessions) {
    auto [token, secret] = Enrol();
    ASSERT_TRUE(sessions_->Authenticate(token)) << "remembered now";
    ASSERT_TRUE(sessions_->SignOutEverywhere(staff_id_));
    EXPECT_FALSE(sessions_->Authenticate(token));
}

TEST_F(SessionsTest, SignOutTakesEffectAtOnceDespiteTheCache) {
    auto [token, secret] = Enrol();
    ASSERT_TRUE(sessions_->Authenticate(token));
    ASSERT_TRUE(sessions_->SignOut(token));
    EXPECT_FALSE(sessions_->Authenticate(token));
}

TEST_F(SessionsTest, AChangeByAnotherProcessIsNoticedWithinTheCacheTime) {
    auto [token, secret] = Enrol();
    ASSERT_TRUE(sessions_->Authenticate(token));
    // As the command line would, in another process: storage changes, this process is not told.
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) { return tx.DeleteSessionsOf(staff_id_); }));
    clock_.Advance(sessions_->Policy().cache_for + 1);
    EXPECT_FALSE(sessions_->Authenticate(token));
}

TEST_F(SessionsTest, StaffCanOnlyServeLinesThatExist) {
    NewStaff who{"new.person", "New", kPassword, {{"counsellor"}, {"police", "atlantis"}, {"en"}, {}}};
    auto created = accounts_->Create(who, "system");
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().field, "lines[1]");
}

TEST_F(SessionsTest, CsrfIsBoundToTheSession) {
    EXPECT_EQ(sessions_->CsrfFor("a"), sessions_->CsrfFor("a"));
    EXPECT_NE(sessions_->CsrfFor("a"), sessions_->CsrfFor("b"));
}

TEST_F(SessionsTest, ResetMfaMakesTheNextSignInEnrolAgain) {
    auto [token, secret] = Enrol();
    ASSERT_TRUE(accounts_->ResetMfa(staff_id_, "st_admin"));
    EXPECT_FALSE(sessions_->Authenticate(token));
    auto again = sessions_->SignIn("alex.demo", kPassword, "");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->totp_secret.has_value());
}

}  // namespace
}  // namespace crisisline::staff
