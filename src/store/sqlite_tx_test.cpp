#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "store/detail/store_test_support.hpp"
#include "store/store.hpp"

namespace crisisline::store {
namespace {

const std::string kGenesis(64, '0');
// Sealed content as it really looks: arbitrary bytes, zeros included.
const Bytes kKey = {0x00, 0x01, 0x00, 0xff, 0x00};
const Bytes kCipher = {0xde, 0x00, 0x00, 0xad, 0xbe, 0xef, 0x00};

auto Tie(const LineRow& r) { return std::tie(r.id, r.name, r.config_json, r.created_at, r.updated_at); }
auto Tie(const StaffRow& r) {
    return std::tie(r.id, r.username, r.display_name, r.profile_json, r.password_hash, r.totp_secret_sealed,
                    r.totp_enrolled, r.totp_last_step, r.disabled, r.failed_sign_ins, r.locked_until, r.created_at,
                    r.updated_at);
}
auto Tie(const SipAccountRow& r) {
    return std::tie(r.username, r.staff_id, r.secret_sealed, r.created_at, r.updated_at, r.encryption);
}
auto Tie(const TrunkRow& r) {
    return std::tie(r.name, r.allow_json, r.username, r.secret_sealed, r.outbound, r.created_at, r.updated_at,
                    r.encryption);
}
auto Tie(const SessionRow& r) {
    return std::tie(r.token_hash, r.staff_id, r.csrf_hash, r.mfa_complete, r.created_at, r.last_seen_at);
}
auto Tie(const ContactRow& r) {
    return std::tie(r.id, r.line_id, r.status, r.arrived_at, r.answered_at, r.ended_at, r.counsellor_id, r.caller_hash,
                    r.facts_json, r.sealed.wrapped_key, r.sealed.ciphertext, r.version, r.created_at, r.updated_at,
                    r.force_sealed);
}
auto Tie(const FollowUpRow& r) {
    return std::tie(r.id, r.line_id, r.contact_id, r.status, r.earliest, r.latest, r.assigned_to, r.attempts_json,
                    r.max_attempts, r.sealed.wrapped_key, r.sealed.ciphertext, r.version, r.created_at, r.updated_at);
}
auto Tie(const EscalationRow& r) {
    return std::tie(r.id, r.line_id, r.contact_id, r.raised_by, r.raised_at, r.emergency_service, r.supervisor_id,
                    r.sealed.wrapped_key, r.sealed.ciphertext);
}
auto Tie(const DirectoryServiceRow& r) { return std::tie(r.id, r.line_id, r.service_json, r.updated_at); }
auto Tie(const AuditRow& r) {
    return std::tie(r.seq, r.at, r.actor, r.action, r.line_id, r.record_type, r.record_id, r.purpose, r.prev_hash,
                    r.hash, r.detail);
}
auto Tie(const StaffChangeRow& r) {
    return std::tie(r.id, r.kind, r.staff_id, r.requested_by, r.requested_at, r.expires_at, r.before_json,
                    r.after_json, r.password_hash, r.status, r.decided_by, r.decided_at);
}
auto Tie(const AnnouncementRow& r) {
    return std::tie(r.id, r.line_id, r.kind, r.staff_id, r.role, r.at, r.expires_at, r.acknowledged_by,
                    r.acknowledged_at);
}
auto Tie(const RetainedCountRow& r) { return std::tie(r.line_id, r.month, r.key, r.count); }
auto Tie(const ShiftRow& r) {
    return std::tie(r.line_id, r.id, r.counsellor_id, r.start_at, r.end_at, r.updated_by, r.updated_at);
}

ContactRow Contact(const std::string& id, const std::string& line_id = "line-a", TimeMs arrived_at = 1000) {
    ContactRow row;
    row.id = id;
    row.line_id = line_id;
    row.status = "open";
    row.arrived_at = arrived_at;
    row.facts_json = "{}";
    row.created_at = arrived_at;
    row.updated_at = arrived_at;
    return row;
}

FollowUpRow FollowUp(const std::string& id,
                     const std::string& contact_id,
                     const std::string& status,
                     TimeMs earliest,
                     const std::string& line_id = "line-a") {
    FollowUpRow row;
    row.id = id;
    row.line_id = line_id;
    row.contact_id = contact_id;
    row.status = status;
    row.earliest = earliest;
    row.latest = earliest + 1000;
    row.assigned_to = "pool";
    row.attempts_json = "[]";
    return row;
}

StaffRow Staff(const std::string& id, const std::string& username) {
    StaffRow row;
    row.id = id;
    row.username = username;
    row.display_name = "Sam";
    row.profile_json = "{}";
    row.password_hash = "$argon2id$v=19$...";
    return row;
}

AuditRow Audit(std::int64_t seq, const std::string& prev_hash, const std::string& hash) {
    return {seq, 10 * seq, "staff-1", "contact.read", "line-a", "contact", "c1", "on_call", prev_hash, hash};
}

// Each test gets a store with two lines.
class SqliteTxTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
            if (auto a = tx.PutLine({"line-a", "Line A", "{\"a\":1}", 1, 2}); !a) return a;
            return tx.PutLine({"line-b", "Line B", "{}", 3, 4});
        }));
    }

    // Write, reporting the error message on failure.
    ::testing::AssertionResult Write(const Work& work) {
        auto r = store_->Write(work);
        if (r) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << ErrorCodeName(r.error().code) << ": " << r.error().message;
    }

    // The value `query` returns inside a read transaction.
    template <class T>
    T Read(const std::function<Result<T>(Tx&)>& query) {
        T out{};
        auto r = store_->Read([&](Tx& tx) -> Result<void> {
            auto value = query(tx);
            if (!value) return tl::unexpected(value.error());
            out = std::move(*value);
            return {};
        });
        EXPECT_TRUE(r) << r.error().message;
        return out;
    }

    // The error code `work` fails with inside a write transaction.
    ErrorCode WriteError(const Work& work) {
        auto r = store_->Write(work);
        EXPECT_FALSE(r) << "expected a failure";
        return r ? ErrorCode::kInternal : r.error().code;
    }
};

TEST_F(SqliteTxTest, LineRoundTripsAndPutReplaces) {
    auto line = Read<std::optional<LineRow>>([](Tx& tx) { return tx.GetLine("line-a"); });
    ASSERT_TRUE(line);
    EXPECT_EQ(Tie(*line), Tie(LineRow{"line-a", "Line A", "{\"a\":1}", 1, 2}));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertContact(Contact("c1")); }));
    // Replacing a line that has contacts keeps them (an upsert, not delete + insert).
    ASSERT_TRUE(Write([](Tx& tx) { return tx.PutLine({"line-a", "Renamed", "{}", 1, 9}); }));
    auto lines = Read<std::vector<LineRow>>([](Tx& tx) { return tx.ListLines(); });
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].name, "Renamed");
    EXPECT_EQ(lines[0].updated_at, 9);
    EXPECT_TRUE(Read<std::optional<ContactRow>>([](Tx& tx) { return tx.GetContact("line-a", "c1"); }));
}

TEST_F(SqliteTxTest, StaffRoundTripsEveryField) {
    StaffRow full{"s1",  "sam.k", "Sam", "{\"roles\":[\"counsellor\"]}", "$argon2id$x", kCipher, true, 57, true, 3,
                  99999, 5,       6};
    StaffRow bare = Staff("s2", "ali");  // empty sealed secret, every flag false
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertStaff(full); !r) return r;
        return tx.InsertStaff(bare);
    }));
    auto got = Read<std::optional<StaffRow>>([](Tx& tx) { return tx.GetStaff("s1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(full));
    auto by_name = Read<std::optional<StaffRow>>([](Tx& tx) { return tx.GetStaffByUsername("ali"); });
    ASSERT_TRUE(by_name);
    EXPECT_EQ(Tie(*by_name), Tie(bare));
    auto all = Read<std::vector<StaffRow>>([](Tx& tx) { return tx.ListStaff(); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].username, "ali");
}

TEST_F(SqliteTxTest, StaffUsernameIsUniqueAndUpdatesNeedTheRow) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertStaff(Staff("s1", "sam")); }));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertStaff(Staff("s2", "ali")); }));
    auto taken = store_->Write([](Tx& tx) { return tx.InsertStaff(Staff("s3", "sam")); });
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
    EXPECT_EQ(taken.error().message.find("sam"), std::string::npos);  // no personal data in messages
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.UpdateStaff(Staff("s2", "sam")); }), ErrorCode::kConflict);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.UpdateStaff(Staff("nobody", "x")); }), ErrorCode::kNotFound);
    StaffRow changed = Staff("s1", "sam");
    changed.failed_sign_ins = 2;
    changed.totp_secret_sealed = kKey;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateStaff(changed); }));
    auto got = Read<std::optional<StaffRow>>([](Tx& tx) { return tx.GetStaff("s1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(changed));
}

TEST_F(SqliteTxTest, TrunksAreKeptByNameReplacedAndDeleted) {
    const TrunkRow carrier{"carrier-b", R"(["192.0.2.7"])", "carrier", kCipher, "192.0.2.7:5060", 10, 10, "required"};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.PutTrunk(carrier); }));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.PutTrunk({"carrier-a", "[]", "a", kKey, "", 11, 11}); }));
    auto got = Read<std::optional<TrunkRow>>([](Tx& tx) { return tx.GetTrunk("carrier-b"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(carrier));

    // Put on an existing name replaces everything but the creation time.
    ASSERT_TRUE(Write([](Tx& tx) { return tx.PutTrunk({"carrier-b", "[]", "", {}, "", 99, 12}); }));
    auto all = Read<std::vector<TrunkRow>>([](Tx& tx) { return tx.ListTrunks(); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "carrier-a");
    EXPECT_EQ(all[1].name, "carrier-b");
    EXPECT_EQ(all[1].username, "");
    EXPECT_TRUE(all[1].secret_sealed.empty());
    EXPECT_EQ(all[1].created_at, 10);
    EXPECT_EQ(all[1].updated_at, 12);

    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteTrunk("carrier-b"); }));
    EXPECT_FALSE(Read<std::optional<TrunkRow>>([](Tx& tx) { return tx.GetTrunk("carrier-b"); }));
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteTrunk("carrier-b"); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, SipAccountsAreOnePerStaffMemberAndUsernamesAreTheirs) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertStaff(Staff("s1", "sam")); !r) return r;
        return tx.InsertStaff(Staff("s2", "ali"));
    }));
    const SipAccountRow sam{"sam.phone", "s1", kCipher, 5, 6};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.PutSipAccount(sam); }));
    auto got = Read<std::optional<SipAccountRow>>([](Tx& tx) { return tx.GetSipAccountOfStaff("s1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(sam));
    EXPECT_FALSE(Read<std::optional<SipAccountRow>>([](Tx& tx) { return tx.GetSipAccountOfStaff("s2"); }));

    // Another member of staff cannot take the username; a new account for s1 replaces the old one.
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.PutSipAccount({"sam.phone", "s2", kKey, 7, 7}); }),
              ErrorCode::kConflict);
    const SipAccountRow renamed{"sam.desk", "s1", kKey, 5, 8};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.PutSipAccount(renamed); }));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.PutSipAccount({"sam.phone", "s2", kKey, 9, 9}); }))
        << "the old username is free again";
    auto all = Read<std::vector<SipAccountRow>>([](Tx& tx) { return tx.ListSipAccounts(); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(Tie(all[0]), Tie(renamed));
    EXPECT_EQ(all[1].staff_id, "s2");
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.PutSipAccount({"ghost", "nobody", kKey, 1, 1}); }),
              ErrorCode::kNotFound);

    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteSipAccountOfStaff("s1"); }));
    EXPECT_FALSE(Read<std::optional<SipAccountRow>>([](Tx& tx) { return tx.GetSipAccountOfStaff("s1"); }));
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteSipAccountOfStaff("s1"); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, SessionsRoundTripAndExpire) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertStaff(Staff("s1", "sam")); }));
    SessionRow a{"hash-a", "s1", "csrf-a", true, 100, 200};
    SessionRow b{"hash-b", "s1", "csrf-b", false, 100, 900};
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertSession(a); !r) return r;
        return tx.InsertSession(b);
    }));
    auto got = Read<std::optional<SessionRow>>([](Tx& tx) { return tx.GetSession("hash-a"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(a));
    EXPECT_EQ(WriteError([](Tx& tx) {
                  return tx.InsertSession({"x", "no-such-staff", "c", false, 1, 1});
              }),
              ErrorCode::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) {
                  return tx.UpdateSession({"gone", "s1", "c", false, 1, 1});
              }),
              ErrorCode::kNotFound);
    b.last_seen_at = 950;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateSession(b); }));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteSessionsSeenBefore(500); }));
    EXPECT_FALSE(Read<std::optional<SessionRow>>([](Tx& tx) { return tx.GetSession("hash-a"); }));
    auto kept = Read<std::optional<SessionRow>>([](Tx& tx) { return tx.GetSession("hash-b"); });
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->last_seen_at, 950);
    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteSessionsOf("s1"); }));
    EXPECT_FALSE(Read<std::optional<SessionRow>>([](Tx& tx) { return tx.GetSession("hash-b"); }));
    EXPECT_TRUE(Write([](Tx& tx) { return tx.DeleteSession("hash-b"); }));  // signing out twice is fine
}

TEST_F(SqliteTxTest, ContactRoundTripsWithNullsAndBlobs) {
    ContactRow bare = Contact("c-bare");  // no answer, no end, empty sealed
    ContactRow full = Contact("c-full", "line-a", 5000);
    full.status = "closed";
    full.answered_at = 5100;
    full.ended_at = 0;  // zero is a time, not "absent"
    full.counsellor_id = "s1";
    full.caller_hash = "ab12";
    full.facts_json = "{\"role\":\"police_officer\"}";
    full.sealed = {kKey, kCipher};
    full.force_sealed = kCipher;
    full.version = 7;
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertContact(bare); !r) return r;
        return tx.InsertContact(full);
    }));
    // The reports' read gives the force sealed on its own, and nothing else sealed.
    const auto counted =
        Read<std::vector<ContactRow>>([](Tx& tx) { return tx.ListContactFacts("line-a", 0, 10'000); });
    ASSERT_EQ(counted.size(), 2u);
    for (const auto& row : counted) {
        EXPECT_EQ(row.force_sealed, row.id == "c-full" ? kCipher : store::Bytes{}) << row.id;
        EXPECT_EQ(row.updated_at, row.id == "c-full" ? full.updated_at : bare.updated_at) << "for the wrap-up time";
        EXPECT_TRUE(row.sealed.Empty()) << row.id;
        EXPECT_TRUE(row.caller_hash.empty()) << row.id;
    }
    for (const ContactRow& want : {bare, full}) {
        auto got = Read<std::optional<ContactRow>>([&](Tx& tx) { return tx.GetContact("line-a", want.id); });
        ASSERT_TRUE(got) << want.id;
        EXPECT_EQ(Tie(*got), Tie(want)) << want.id;
    }
    auto bare_got = Read<std::optional<ContactRow>>([](Tx& tx) { return tx.GetContact("line-a", "c-bare"); });
    ASSERT_TRUE(bare_got);
    EXPECT_FALSE(bare_got->answered_at.has_value());
    EXPECT_TRUE(bare_got->sealed.Empty());
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.InsertContact(bare); }), ErrorCode::kConflict);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.InsertContact(Contact("c9", "no-such-line")); }), ErrorCode::kNotFound);
}

// The upgrade's read (records/force_backfill.hpp): contacts with content and no sealed force, by id after a cursor.
TEST_F(SqliteTxTest, ContactsWithoutASealedForceAreListedByIdAfterTheCursor) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        for (const char* id : {"c3", "c1", "c2", "c4"}) {
            ContactRow row = Contact(id);
            row.sealed = {kKey, kCipher};
            if (std::string(id) == "c2") row.force_sealed = kCipher;  // sealed already
            if (std::string(id) == "c4") row.sealed = {};              // shredded
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        ContactRow other = Contact("c0", "line-b");
        other.sealed = {kKey, kCipher};
        return tx.InsertContact(other);
    }));
    auto ids = [&](const std::string& after, size_t limit) {
        auto rows = Read<std::vector<ContactRow>>(
            [&](Tx& tx) { return tx.ListContactsWithoutSealedForce("line-a", after, limit); });
        std::vector<std::string> out;
        for (const auto& row : rows) {
            EXPECT_EQ(row.sealed.ciphertext, kCipher) << row.id << ": every column is read";
            out.push_back(row.id);
        }
        return out;
    };
    EXPECT_EQ(ids("", 10), (std::vector<std::string>{"c1", "c3"}));
    EXPECT_EQ(ids("", 1), (std::vector<std::string>{"c1"}));
    EXPECT_EQ(ids("c1", 10), (std::vector<std::string>{"c3"}));
    EXPECT_EQ(ids("c3", 10), (std::vector<std::string>{}));
    // Written only while still empty and at the version read; nothing else of the row moves.
    auto seal = [&](const char* id, std::int64_t version) {
        bool written = false;
        EXPECT_TRUE(Write([&](Tx& tx) -> Result<void> {
            auto r = tx.SealContactForce("line-a", id, version, kKey);
            if (!r) return tl::unexpected(r.error());
            written = *r;
            return {};
        }));
        return written;
    };
    EXPECT_FALSE(seal("c1", 2)) << "another version";
    EXPECT_FALSE(seal("c2", 1)) << "sealed already";
    EXPECT_FALSE(seal("gone", 1)) << "no such contact";
    EXPECT_TRUE(seal("c1", 1));
    auto c1 = Read<std::optional<ContactRow>>([](Tx& tx) { return tx.GetContact("line-a", "c1"); });
    ASSERT_TRUE(c1);
    ContactRow want = Contact("c1");
    want.sealed = {kKey, kCipher};
    want.force_sealed = kKey;
    EXPECT_EQ(Tie(*c1), Tie(want));
    EXPECT_EQ(ids("", 10), (std::vector<std::string>{"c3"}));
}

TEST_F(SqliteTxTest, ContactUpdateIsVersioned) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertContact(Contact("c1")); }));
    ContactRow first = Contact("c1");
    first.version = 2;
    first.status = "closed";
    first.ended_at = 2000;
    first.force_sealed = kCipher;  // the force given in the update
    ContactRow rival = Contact("c1");
    rival.version = 2;  // also read version 1, but commits second
    rival.counsellor_id = "s9";
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateContact(first); }));
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateContact(rival); }), ErrorCode::kConflict);
    ContactRow absent = Contact("c-none");
    absent.version = 2;
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateContact(absent); }), ErrorCode::kNotFound);
    auto got = Read<std::optional<ContactRow>>([](Tx& tx) { return tx.GetContact("line-a", "c1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(first));
}

TEST_F(SqliteTxTest, ListContactsAppliesEachFilter) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        ContactRow rows[] = {Contact("c1", "line-a", 100), Contact("c2", "line-a", 200), Contact("c3", "line-a", 300),
                             Contact("c4", "line-a", 400)};
        rows[1].status = "closed";
        rows[1].ended_at = 250;
        rows[2].counsellor_id = "s1";
        rows[3].status = "closed";
        rows[3].ended_at = 450;
        for (const auto& row : rows) {
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return {};
    }));
    struct Case {
        const char* name;
        ContactFilter filter;
        std::vector<std::string> want;  // newest first
    };
    auto filter = [](auto set) {
        ContactFilter f;
        set(f);
        return f;
    };
    const std::vector<Case> cases = {
        {"no filter", {}, {"c4", "c3", "c2", "c1"}},
        {"status", filter([](auto& f) { f.status = "closed"; }), {"c4", "c2"}},
        {"counsellor", filter([](auto& f) { f.counsellor_id = "s1"; }), {"c3"}},
        {"arrived_since", filter([](auto& f) { f.arrived_since = 300; }), {"c4", "c3"}},
        {"arrived_before", filter([](auto& f) { f.arrived_before = 300; }), {"c2", "c1"}},
        {"ended_before", filter([](auto& f) { f.ended_before = 400; }), {"c2"}},
        {"window", filter([](auto& f) { f.arrived_since = 150, f.arrived_before = 350; }), {"c3", "c2"}},
        {"limit", filter([](auto& f) { f.limit = 1; }), {"c4"}},
    };
    for (const auto& c : cases) {
        auto rows = Read<std::vector<ContactRow>>([&](Tx& tx) { return tx.ListContacts("line-a", c.filter); });
        std::vector<std::string> ids;
        for (const auto& row : rows) ids.push_back(row.id);
        EXPECT_EQ(ids, c.want) << c.name;
    }
}

TEST_F(SqliteTxTest, CountsContactsFromOneCallerSinceATime) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        for (TimeMs at : {100, 200, 300}) {
            ContactRow row = Contact("c" + std::to_string(at), "line-a", at);
            row.caller_hash = "caller-x";
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return tx.InsertContact(Contact("withheld", "line-a", 300));
    }));
    EXPECT_EQ(Read<std::int64_t>([](Tx& tx) { return tx.CountContactsFromCaller("line-a", "caller-x", 200); }), 2);
    EXPECT_EQ(Read<std::int64_t>([](Tx& tx) { return tx.CountContactsFromCaller("line-a", "caller-y", 0); }), 0);
    EXPECT_EQ(Read<std::int64_t>([](Tx& tx) { return tx.CountContactsFromCaller("line-a", "", 0); }), 0);
}

TEST_F(SqliteTxTest, ListsOneCallersEarlierContactsNewestFirst) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        std::vector<ContactRow> rows;
        for (TimeMs at : {100, 200, 300, 400, 500}) rows.push_back(Contact("x" + std::to_string(at), "line-a", at));
        rows.push_back(Contact("x300b", "line-a", 300));  // the same millisecond: ordered by id
        for (auto& row : rows) row.caller_hash = "caller-x";
        ContactRow other_caller = Contact("y250", "line-a", 250);
        other_caller.caller_hash = "caller-y";
        ContactRow other_line = Contact("b250", "line-b", 250);
        other_line.caller_hash = "caller-x";
        rows.push_back(other_caller);
        rows.push_back(other_line);
        rows.push_back(Contact("withheld", "line-a", 250));
        for (const auto& row : rows) {
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return {};
    }));
    struct Case {
        const char* name;
        std::string line;
        std::string hash;
        TimeMs before;
        size_t limit;
        std::vector<std::string> want;
    };
    const std::vector<Case> cases = {
        {"before excludes the contact itself", "line-a", "caller-x", 500, 10, {"x400", "x300b", "x300", "x200", "x100"}},
        {"limit keeps the newest", "line-a", "caller-x", 500, 2, {"x400", "x300b"}},
        {"nothing earlier", "line-a", "caller-x", 100, 10, {}},
        {"another caller", "line-a", "caller-y", 1000, 10, {"y250"}},
        {"another line", "line-b", "caller-x", 1000, 10, {"b250"}},
        {"withheld links nothing", "line-a", "", 1000, 10, {}},
        {"unknown caller", "line-a", "caller-z", 1000, 10, {}},
    };
    for (const auto& c : cases) {
        auto rows = Read<std::vector<ContactRow>>(
            [&](Tx& tx) { return tx.ListContactsFromCaller(c.line, c.hash, c.before, c.limit); });
        std::vector<std::string> ids;
        for (const auto& row : rows) ids.push_back(row.id);
        EXPECT_EQ(ids, c.want) << c.name;
    }
}

TEST_F(SqliteTxTest, FollowUpsRoundTripVersionAndOrder) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertContact(Contact("c1")); }));
    FollowUpRow full = FollowUp("f1", "c1", "scheduled", 3000);
    full.assigned_to = "s1";
    full.attempts_json = "[{\"at\":1,\"outcome\":\"no_answer\",\"by\":\"s1\"}]";
    full.max_attempts = 5;
    full.sealed = {kKey, kCipher};
    full.version = 1;
    full.created_at = 11;
    full.updated_at = 12;
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertFollowUp(full); !r) return r;
        if (auto r = tx.InsertFollowUp(FollowUp("f2", "c1", "due", 1000)); !r) return r;
        return tx.InsertFollowUp(FollowUp("f3", "c1", "completed", 2000));
    }));
    auto got = Read<std::optional<FollowUpRow>>([](Tx& tx) { return tx.GetFollowUp("line-a", "f1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(full));

    auto ids = [&](const std::vector<std::string>& statuses) {
        std::vector<std::string> out;
        for (const auto& f :
             Read<std::vector<FollowUpRow>>([&](Tx& tx) { return tx.ListFollowUps("line-a", statuses); }))
            out.push_back(f.id);
        return out;
    };
    EXPECT_EQ(ids({}), (std::vector<std::string>{"f2", "f3", "f1"}));
    EXPECT_EQ(ids({"scheduled", "due"}), (std::vector<std::string>{"f2", "f1"}));
    EXPECT_EQ(Read<std::vector<FollowUpRow>>([](Tx& tx) { return tx.ListFollowUpsOfContact("line-a", "c1"); }).size(),
              3u);

    FollowUpRow shredded = full;
    shredded.version = 2;
    shredded.status = "completed";
    shredded.sealed = {};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateFollowUp(shredded); }));
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateFollowUp(shredded); }), ErrorCode::kConflict);
    got = Read<std::optional<FollowUpRow>>([](Tx& tx) { return tx.GetFollowUp("line-a", "f1"); });
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->sealed.Empty());
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.InsertFollowUp(FollowUp("f9", "no-contact", "due", 1)); }),
              ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, EscalationsRoundTripAndBlockContactDeletion) {
    ASSERT_TRUE(Write([](Tx& tx) { return tx.InsertContact(Contact("c1")); }));
    EscalationRow row{"e1", "line-a", "c1", "s1", 4000, "ambulance", "s2", {kKey, kCipher}};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.InsertEscalation(row); }));
    auto got = Read<std::optional<EscalationRow>>([](Tx& tx) { return tx.GetEscalation("line-a", "e1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(row));
    EXPECT_EQ(Read<std::vector<EscalationRow>>([](Tx& tx) { return tx.ListEscalations("line-a"); }).size(), 1u);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteContact("line-a", "c1"); }), ErrorCode::kConflict);
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        auto of = tx.ListEscalationsOfContact("line-a", "c1");
        if (!of) return tl::unexpected(of.error());
        for (const auto& e : *of) {
            if (auto r = tx.DeleteEscalation("line-a", e.id); !r) return r;
        }
        return tx.DeleteContact("line-a", "c1");
    }));
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteContact("line-a", "c1"); }), ErrorCode::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteEscalation("line-a", "e1"); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, ShiftsListedByOverlapAndKeptToTheirLine) {
    const ShiftRow early{"line-a", "sh1", "st-1", 1000, 2000, "st-m", 5};
    const ShiftRow late{"line-a", "sh2", "st-2", 2000, 3000, "st-m", 5};
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertShift(late); !r) return r;
        return tx.InsertShift(early);
    }));
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.InsertShift(early); }), ErrorCode::kConflict);
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.InsertShift({"line-z", "sh9", "st-1", 1, 2, "st-m", 5}); }),
              ErrorCode::kNotFound);
    auto all = Read<std::vector<ShiftRow>>([](Tx& tx) { return tx.ListShifts("line-a", 0, 10000); });
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(Tie(all[0]), Tie(early));
    EXPECT_EQ(Tie(all[1]), Tie(late));
    // Overlap, not containment: [1999, 2001) touches both; [2000, 2001) only the later (the first ends at 2000).
    EXPECT_EQ(Read<std::vector<ShiftRow>>([](Tx& tx) { return tx.ListShifts("line-a", 1999, 2001); }).size(), 2u);
    auto second = Read<std::vector<ShiftRow>>([](Tx& tx) { return tx.ListShifts("line-a", 2000, 2001); });
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].id, "sh2");
    EXPECT_TRUE(Read<std::vector<ShiftRow>>([](Tx& tx) { return tx.ListShifts("line-b", 0, 10000); }).empty());
    EXPECT_FALSE(Read<std::optional<ShiftRow>>([](Tx& tx) { return tx.GetShift("line-b", "sh1"); }));

    ShiftRow moved = early;
    moved.start_at = 500;
    moved.updated_at = 9;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.UpdateShift(moved); }));
    EXPECT_EQ(Tie(*Read<std::optional<ShiftRow>>([](Tx& tx) { return tx.GetShift("line-a", "sh1"); })), Tie(moved));
    ShiftRow backwards = moved;
    backwards.end_at = backwards.start_at;  // the schema refuses a shift that does not end after it starts
    EXPECT_FALSE(Write([&](Tx& tx) { return tx.UpdateShift(backwards); }));
    ShiftRow elsewhere = moved;
    elsewhere.line_id = "line-b";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateShift(elsewhere); }), ErrorCode::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteShift("line-b", "sh1"); }), ErrorCode::kNotFound);
    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteShift("line-a", "sh1"); }));
    EXPECT_EQ(Read<std::vector<ShiftRow>>([](Tx& tx) { return tx.ListShifts("line-a", 0, 10000); }).size(), 1u);
}

TEST_F(SqliteTxTest, DirectoryServicesUpsertAndDelete) {
    DirectoryServiceRow row{"sv1", "line-a", "{\"name\":\"Samaritans\"}", 10};
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.PutDirectoryService(row); }));
    row.service_json = "{\"name\":\"Samaritans\",\"phone\":\"116 123\"}";
    row.updated_at = 20;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.PutDirectoryService(row); }));
    auto all = Read<std::vector<DirectoryServiceRow>>([](Tx& tx) { return tx.ListDirectoryServices("line-a"); });
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(Tie(all[0]), Tie(row));
    ASSERT_TRUE(Write([](Tx& tx) { return tx.DeleteDirectoryService("line-a", "sv1"); }));
    EXPECT_FALSE(
        Read<std::optional<DirectoryServiceRow>>([](Tx& tx) { return tx.GetDirectoryService("line-a", "sv1"); }));
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteDirectoryService("line-a", "sv1"); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, AuditAppendsInOrderAndRefusesAForkedChain) {
    const std::string h1(64, '1'), h2(64, '2');
    EXPECT_FALSE(Read<std::optional<AuditRow>>([](Tx& tx) { return tx.LastAudit(); }));
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.AppendAudit(Audit(1, h2, h1)).map([](auto) {}); }),
              ErrorCode::kConflict);  // the first entry must start from the genesis hash
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        auto one = tx.AppendAudit(Audit(1, kGenesis, h1));
        if (!one) return tl::unexpected(one.error());
        EXPECT_EQ(*one, 1);
        return tx.AppendAudit(Audit(2, h1, h2)).map([](auto) {});
    }));
    const std::vector<AuditRow> forks = {Audit(3, h1, "x"), Audit(2, h1, "x"), Audit(4, h2, "x"),
                                         Audit(1, kGenesis, "x")};
    for (const auto& fork : forks) {
        EXPECT_EQ(WriteError([&](Tx& tx) { return tx.AppendAudit(fork).map([](auto) {}); }), ErrorCode::kConflict)
            << "seq " << fork.seq << " prev " << fork.prev_hash;
    }
    auto last = Read<std::optional<AuditRow>>([](Tx& tx) { return tx.LastAudit(); });
    ASSERT_TRUE(last);
    EXPECT_EQ(Tie(*last), Tie(Audit(2, h1, h2)));
    auto from_two = Read<std::vector<AuditRow>>([](Tx& tx) { return tx.ListAudit(2, 10); });
    ASSERT_EQ(from_two.size(), 1u);
    EXPECT_EQ(from_two[0].seq, 2);
    EXPECT_EQ(Read<std::vector<AuditRow>>([](Tx& tx) { return tx.ListAudit(1, 1); }).size(), 1u);
}

TEST_F(SqliteTxTest, AnAuditEntrysDetailIsStoredWithIt) {
    AuditRow row = Audit(1, kGenesis, std::string(64, '1'));
    row.detail = R"({"before":{"roles":["admin"]},"after":{"roles":["admin","counsellor"]}})";
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.AppendAudit(row).map([](auto) {}); }));
    auto last = Read<std::optional<AuditRow>>([](Tx& tx) { return tx.LastAudit(); });
    ASSERT_TRUE(last);
    EXPECT_EQ(Tie(*last), Tie(row));
}

TEST_F(SqliteTxTest, StaffChangesRoundTripAndADecisionForgetsThePasswordHash) {
    StaffChangeRow change{"sc_1", "create", "st_new", "st_ann", 1000, 2000, "", R"({"roles":["counsellor"]})",
                          "$argon2id$fictional", "pending", "", 0};
    StaffChangeRow later{"sc_2", "update", "st_x", "st_ann", 3000, 4000, "{}", "{}", "", "pending", "", 0};
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertStaffChange(change); !r) return r;
        return tx.InsertStaffChange(later);
    }));
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.InsertStaffChange(change); }), ErrorCode::kConflict);
    auto got = Read<std::optional<StaffChangeRow>>([](Tx& tx) { return tx.GetStaffChange("sc_1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(change));
    auto listed = Read<std::vector<StaffChangeRow>>([](Tx& tx) { return tx.ListStaffChanges(0, 10); });
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].id, "sc_2") << "newest first";
    EXPECT_EQ(Read<std::vector<StaffChangeRow>>([](Tx& tx) { return tx.ListStaffChanges(2000, 10); }).size(), 1u);

    change.status = "approved";
    change.decided_by = "st_ben";
    change.decided_at = 1500;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.DecideStaffChange(change); }));
    got = Read<std::optional<StaffChangeRow>>([](Tx& tx) { return tx.GetStaffChange("sc_1"); });
    change.password_hash.clear();
    EXPECT_EQ(Tie(*got), Tie(change));
    StaffChangeRow missing = change;
    missing.id = "sc_none";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.DecideStaffChange(missing); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, AnnouncementsShowUntilAcknowledgedOrExpiredOnTheirLineOnly) {
    const AnnouncementRow first{"an_1", "line-a", "content_reader_added", "st_1", "counsellor", 100, 1000, "", 0};
    const AnnouncementRow second{"an_2", "line-a", "content_reader_added", "st_2", "supervisor", 200, 500, "", 0};
    const AnnouncementRow other{"an_3", "line-b", "content_reader_added", "st_3", "counsellor", 100, 1000, "", 0};
    ASSERT_TRUE(Write([&](Tx& tx) -> Result<void> {
        for (const auto& a : {first, second, other}) {
            if (auto r = tx.InsertAnnouncement(a); !r) return r;
        }
        return {};
    }));
    auto shown = [&](TimeMs now) {
        std::vector<std::string> ids;
        for (const auto& a : Read<std::vector<AnnouncementRow>>([&](Tx& tx) { return tx.ListAnnouncements("line-a", now); })) {
            ids.push_back(a.id);
        }
        return ids;
    };
    EXPECT_EQ(shown(300), (std::vector<std::string>{"an_1", "an_2"}));
    EXPECT_EQ(shown(500), (std::vector<std::string>{"an_1"})) << "an_2 expired";
    AnnouncementRow acknowledged = first;
    acknowledged.acknowledged_by = "st_sup";
    acknowledged.acknowledged_at = 400;
    ASSERT_TRUE(Write([&](Tx& tx) { return tx.AcknowledgeAnnouncement(acknowledged); }));
    EXPECT_EQ(shown(450), (std::vector<std::string>{"an_2"}));
    auto got = Read<std::optional<AnnouncementRow>>([](Tx& tx) { return tx.GetAnnouncement("line-a", "an_1"); });
    ASSERT_TRUE(got);
    EXPECT_EQ(Tie(*got), Tie(acknowledged));
    EXPECT_FALSE(Read<std::optional<AnnouncementRow>>([](Tx& tx) { return tx.GetAnnouncement("line-b", "an_1"); }));
    AnnouncementRow across = other;
    across.line_id = "line-a";
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.AcknowledgeAnnouncement(across); }), ErrorCode::kNotFound);
}

TEST_F(SqliteTxTest, RetainedCountsAccumulate) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        if (auto r = tx.AddRetainedCount({"line-a", "2026-11", "contacts", 2}); !r) return r;
        if (auto r = tx.AddRetainedCount({"line-a", "2026-11", "contacts", 3}); !r) return r;
        return tx.AddRetainedCount({"line-a", "2026-10", "outcome:signposted", 1});
    }));
    auto counts = Read<std::vector<RetainedCountRow>>([](Tx& tx) { return tx.ListRetainedCounts("line-a"); });
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(Tie(counts[0]), Tie(RetainedCountRow{"line-a", "2026-10", "outcome:signposted", 1}));
    EXPECT_EQ(Tie(counts[1]), Tie(RetainedCountRow{"line-a", "2026-11", "contacts", 5}));
}

TEST_F(SqliteTxTest, OneLineCannotSeeOrChangeAnothersRecords) {
    ASSERT_TRUE(Write([](Tx& tx) -> Result<void> {
        ContactRow contact = Contact("c1");
        contact.caller_hash = "caller-x";
        if (auto r = tx.InsertContact(contact); !r) return r;
        if (auto r = tx.InsertFollowUp(FollowUp("f1", "c1", "due", 1)); !r) return r;
        if (auto r = tx.InsertEscalation({"e1", "line-a", "c1", "s1", 1, "police", "s2", {}}); !r) return r;
        if (auto r = tx.PutDirectoryService({"sv1", "line-a", "{}", 1}); !r) return r;
        return tx.AddRetainedCount({"line-a", "2026-11", "contacts", 1});
    }));
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        EXPECT_FALSE(tx.GetContact("line-b", "c1").value());
        EXPECT_TRUE(tx.ListContacts("line-b", {}).value().empty());
        EXPECT_EQ(tx.CountContactsFromCaller("line-b", "caller-x", 0).value(), 0);
        EXPECT_TRUE(tx.ListContactsFromCaller("line-b", "caller-x", 1'000'000, 10).value().empty());
        EXPECT_FALSE(tx.GetFollowUp("line-b", "f1").value());
        EXPECT_TRUE(tx.ListFollowUps("line-b", {}).value().empty());
        EXPECT_TRUE(tx.ListFollowUpsOfContact("line-b", "c1").value().empty());
        EXPECT_FALSE(tx.GetEscalation("line-b", "e1").value());
        EXPECT_TRUE(tx.ListEscalations("line-b").value().empty());
        EXPECT_TRUE(tx.ListEscalationsOfContact("line-b", "c1").value().empty());
        EXPECT_FALSE(tx.GetDirectoryService("line-b", "sv1").value());
        EXPECT_TRUE(tx.ListDirectoryServices("line-b").value().empty());
        EXPECT_TRUE(tx.ListRetainedCounts("line-b").value().empty());
        return {};
    }));
    ContactRow moved = Contact("c1", "line-b");
    moved.version = 2;
    EXPECT_EQ(WriteError([&](Tx& tx) { return tx.UpdateContact(moved); }), ErrorCode::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteContact("line-b", "c1"); }), ErrorCode::kNotFound);
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.DeleteFollowUp("line-b", "f1"); }), ErrorCode::kNotFound);
    // A child cannot point at a contact of another line.
    EXPECT_EQ(WriteError([](Tx& tx) { return tx.InsertFollowUp(FollowUp("f2", "c1", "due", 1, "line-b")); }),
              ErrorCode::kNotFound);
    EXPECT_TRUE(Read<std::optional<ContactRow>>([](Tx& tx) { return tx.GetContact("line-a", "c1"); }));
}

}  // namespace
}  // namespace crisisline::store
