// Trunks added in the console: checks naming the field, sealed passwords, the audit trail, and what
// telephony's book receives.
#include "records/trunks.hpp"

#include <gtest/gtest.h>
#include <fstream>
#include <iterator>

#include "records/call_log.hpp"
#include "records/detail/services_test_support.hpp"

namespace crisisline::records {
namespace {

constexpr const char* kPassword = "marker-trunk-secret-5e1f";

Trunk Make(std::vector<std::string> allow, std::string username = "", std::string password = "",
           std::string outbound = "") {
    return {"carrier", std::move(allow), std::move(username), std::move(password), std::move(outbound)};
}

TEST(CheckTrunkTest, WritesAddressesCanonicallyAndAcceptsAValidTrunk) {
    Trunk t = Make({"127.0.0.1", "::0001", "2001:DB8::10"}, "carrier", "long enough", "192.0.2.1:5060");
    ASSERT_TRUE(CheckTrunk(t, ""));
    EXPECT_EQ(t.allow, (std::vector<std::string>{"127.0.0.1", "::1", "2001:db8::10"}));
}

TEST(CheckTrunkTest, EachBadValueNamesItsField) {
    struct Case {
        const char* why;
        Trunk trunk;
        const char* field;
    };
    const Case cases[] = {
        {"host name", Make({"127.0.0.1", "carrier.example"}), "allow[1]"},
        {"address with port", Make({"127.0.0.1:5060"}), "allow[0]"},
        {"same address twice", Make({"127.0.0.1", "127.0.0.1"}), "allow[1]"},
        {"nothing to admit by", Make({}), "allow"},
        {"short password", Make({}, "carrier", "short"), "password"},
        {"password without a user name", Make({"127.0.0.1"}, "", "long enough"), "password"},
        {"quote in the user name", Make({}, "car\"rier", "long enough"), "username"},
        {"outbound without port", Make({"127.0.0.1"}, "", "", "192.0.2.1"), "outbound"},
        {"outbound with a space", Make({"127.0.0.1"}, "", "", "carrier example:5060"), "outbound"},
    };
    for (auto c : cases) {
        auto r = CheckTrunk(c.trunk, "");
        ASSERT_FALSE(r) << c.why;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalid) << c.why;
        EXPECT_EQ(r.error().field, c.field) << c.why << ": " << r.error().message;
    }
    Trunk from_file = Make({});
    auto r = CheckTrunk(from_file, "telephony.trunk[2].");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "telephony.trunk[2]");
}

TEST(CheckTrunkTest, TheJsonNeverCarriesThePassword) {
    const auto j = TrunkJson(Make({"127.0.0.1"}, "carrier", kPassword, "192.0.2.1:5060"), "console");
    EXPECT_EQ(j.dump().find(kPassword), std::string::npos);
    EXPECT_EQ(j["digest"], true);
    EXPECT_EQ(j["username"], "carrier");
    EXPECT_EQ(j["outbound"], "192.0.2.1:5060");
    EXPECT_EQ(j["source"], "console");
}

class TrunksTest : public testing::ServicesTest {
protected:
    std::vector<std::string> AuditActions() {
        auto rows = ReadOne<std::vector<store::AuditRow>>(*store_, [](store::Tx& tx) { return tx.ListAudit(1, 100); });
        EXPECT_TRUE(rows);
        std::vector<std::string> out;
        for (const auto& r : *rows) out.push_back(r.action + " " + r.record_id + " by " + r.actor);
        return out;
    }

    std::string RawDatabase() {
        std::string all;
        for (const char* suffix : {"/test.db", "/test.db-wal"}) {
            std::ifstream in(dir_ + suffix, std::ios::binary);
            all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return all;
    }
};

TEST_F(TrunksTest, ACreatedTrunkReachesTelephonysBookWithItsPasswordSealedAtRest) {
    Trunks trunks(Services());
    auto made = trunks.Create(Fields({{"name", "carrier-b"},
                                      {"allow", {"192.0.2.7"}},
                                      {"username", "carrier"},
                                      {"password", kPassword},
                                      {"outbound", "192.0.2.7:5060"}},
                                     ""),
                              "st-admin");
    ASSERT_TRUE(made) << made.error().field << " " << made.error().message;
    records::Services services = Services();
    auto book = LoadTelephonyBook(services);
    ASSERT_TRUE(book) << book.error().message;
    ASSERT_EQ(book->trunks.size(), 1u);
    EXPECT_EQ(book->trunks[0].name, "carrier-b");
    EXPECT_EQ(book->trunks[0].password, kPassword);
    EXPECT_EQ(book->trunks[0].outbound, "192.0.2.7:5060");
    EXPECT_EQ(RawDatabase().find(kPassword), std::string::npos) << "the password must be sealed at rest";
    EXPECT_EQ(AuditActions(), std::vector<std::string>{"trunk.create carrier-b by st-admin"});
}

TEST_F(TrunksTest, EncryptionPolicyIsStoredChangedAndReachesTelephony) {
    Trunks trunks(Services());
    auto made = trunks.Create(Fields({{"name", "carrier-tls"}, {"allow", {"192.0.2.7"}}}, ""), "st-admin");
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_EQ(made->encryption, Encryption::kPreferred) << "the default keeps existing trunks working";
    EXPECT_EQ(TrunkJson(*made, "console")["encryption"], "preferred");
    auto changed = trunks.Update("carrier-tls", Fields({{"encryption", "required"}}, ""), "st-admin");
    ASSERT_TRUE(changed) << changed.error().message;
    EXPECT_EQ(changed->encryption, Encryption::kRequired);
    EXPECT_EQ(changed->allow, std::vector<std::string>{"192.0.2.7"}) << "the other fields are kept";
    auto refused = trunks.Update("carrier-tls", Fields({{"encryption", "REQUIRED"}}, ""), "st-admin");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().field, "encryption");
    records::Services services = Services();
    auto book = LoadTelephonyBook(services);
    ASSERT_TRUE(book) << book.error().message;
    ASSERT_EQ(book->trunks.size(), 1u);
    EXPECT_EQ(book->trunks[0].encryption, Encryption::kRequired) << "a refused change writes nothing";
}

TEST_F(TrunksTest, BadRequestsNameTheFieldAndWriteNothing) {
    Trunks trunks(Services());
    struct Case {
        const char* why;
        nlohmann::json body;
        ErrorCode code;
        const char* field;
    };
    ASSERT_TRUE(trunks.Create(Fields({{"name", "taken"}, {"allow", {"127.0.0.1"}}}, ""), "st-admin"));
    const Case cases[] = {
        {"no name", {{"allow", {"127.0.0.1"}}}, ErrorCode::kInvalid, "name"},
        {"name with a space", {{"name", "a b"}, {"allow", {"127.0.0.1"}}}, ErrorCode::kInvalid, "name"},
        {"taken name", {{"name", "taken"}, {"allow", {"127.0.0.2"}}}, ErrorCode::kConflict, "name"},
        {"unknown field", {{"name", "x"}, {"allow", {"127.0.0.1"}}, {"secret", "y"}}, ErrorCode::kInvalid, "secret"},
        {"allow not a list", {{"name", "x"}, {"allow", "127.0.0.1"}}, ErrorCode::kInvalid, "allow"},
        {"host name", {{"name", "x"}, {"allow", {"carrier.example"}}}, ErrorCode::kInvalid, "allow[0]"},
        {"short password", {{"name", "x"}, {"username", "u"}, {"password", "short"}}, ErrorCode::kInvalid, "password"},
        {"unknown encryption", {{"name", "x"}, {"allow", {"127.0.0.1"}}, {"encryption", "sometimes"}},
         ErrorCode::kInvalid, "encryption"},
        {"encryption not text", {{"name", "x"}, {"allow", {"127.0.0.1"}}, {"encryption", true}}, ErrorCode::kInvalid,
         "encryption"},
    };
    for (const auto& c : cases) {
        auto r = trunks.Create(Fields(c.body, ""), "st-admin");
        ASSERT_FALSE(r) << c.why;
        EXPECT_EQ(r.error().code, c.code) << c.why;
        EXPECT_EQ(r.error().field, c.field) << c.why << ": " << r.error().message;
    }
    auto all = trunks.List();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ(AuditActions().size(), 1u) << "a refused change leaves no audit entry";
}

TEST_F(TrunksTest, UpdatesKeepWhatTheyDoNotNameAndANewUsernameNeedsANewPassword) {
    Trunks trunks(Services());
    ASSERT_TRUE(trunks.Create(
        Fields({{"name", "c"}, {"allow", {"127.0.0.1"}}, {"username", "carrier"}, {"password", kPassword}}, ""), "a1"));

    auto moved = trunks.Update("c", Fields({{"allow", {"192.0.2.1", "192.0.2.2"}}}, ""), "a2");
    ASSERT_TRUE(moved) << moved.error().message;
    EXPECT_EQ(moved->allow.size(), 2u);
    EXPECT_EQ(moved->username, "carrier");
    EXPECT_EQ(moved->password, kPassword) << "the password is kept when not sent";

    auto renamed = trunks.Update("c", Fields({{"username", "carrier2"}}, ""), "a2");
    ASSERT_FALSE(renamed);
    EXPECT_EQ(renamed.error().field, "password");
    EXPECT_FALSE(trunks.Update("c", Fields({{"name", "d"}}, ""), "a2"));
    auto missing = trunks.Update("nope", Fields({{"allow", {"127.0.0.1"}}}, ""), "a2");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

    auto dropped = trunks.Update("c", Fields({{"username", ""}}, ""), "a2");
    ASSERT_TRUE(dropped) << dropped.error().message;
    EXPECT_EQ(dropped->password, "") << "no user name, no credentials";
    auto listed = trunks.List();
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_TRUE((*listed)[0].username.empty());
    EXPECT_EQ((*listed)[0].allow, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));

    // Without addresses the trunk would admit nobody: refused, nothing written.
    auto empty = trunks.Update("c", Fields({{"allow", nlohmann::json::array()}}, ""), "a2");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().field, "allow");

    ASSERT_TRUE(trunks.Remove("c", "a3"));
    auto gone = trunks.Remove("c", "a3");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(AuditActions(), (std::vector<std::string>{"trunk.create c by a1", "trunk.update c by a2",
                                                         "trunk.update c by a2", "trunk.delete c by a3"}));
}

}  // namespace
}  // namespace crisisline::records
