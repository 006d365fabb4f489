// The upgrade that seals the force of contacts written before schema version 8, over a real SQLite store.
#include "records/force_backfill.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>

#include "records/audit_log.hpp"
#include "records/contacts.hpp"
#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"
#include "records/reports.hpp"
#include "records/sealed_force.hpp"

namespace crisisline::records {
namespace {

class ForceBackfillTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        auto line = Lines(Services()).Create(Fields({{"id", "police"}, {"name", "Police (test)"}}, ""), "system");
        ASSERT_TRUE(line) << line.error().message;
        line_ = *line;
        // As a database upgraded from schema version 8 holding contacts: the upgrade not done yet.
        ASSERT_EQ(RawExec("DELETE FROM upgrades_done"), "");
        ASSERT_FALSE(UpgradeDone());
    }

    // Runs `sql` on a connection of its own to the test's database; SQLite's error message, or "".
    std::string RawExec(const std::string& sql) {
        sqlite3* db = nullptr;
        std::string message;
        char* error = nullptr;
        if (sqlite3_open((dir_ + "/test.db").c_str(), &db) != SQLITE_OK) {
            message = "cannot open";
        } else if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            message = error ? error : "failed";
        }
        sqlite3_free(error);
        sqlite3_close(db);
        return message;
    }

    bool UpgradeDone() {
        auto done = ReadOne<bool>(*store_, [](store::Tx& tx) { return tx.UpgradeDone(kForceUpgrade); });
        EXPECT_TRUE(done) << done.error().message;
        return done && *done;
    }

    // `n` contacts written the way crisisline wrote them before version 8: the force in the sealed content only,
    // force_sealed empty. Their ids.
    std::vector<std::string> AddOldContacts(int n, const nlohmann::json& body) {
        std::vector<std::string> ids;
        Contacts contacts(Services());
        for (int i = 0; i < n; ++i) {
            auto c = contacts.Create(counsellor_, "police", Fields(body, ""));
            EXPECT_TRUE(c) << c.error().field << ": " << c.error().message;
            if (!c) return ids;
            ids.push_back((*c)["id"]);
            EXPECT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
                auto row = tx.GetContact("police", ids.back());
                if (!row) return tl::unexpected(row.error());
                (*row)->force_sealed.clear();
                (*row)->version += 1;
                return tx.UpdateContact(**row);
            }));
        }
        return ids;
    }

    store::ContactRow Row(const std::string& id) {
        auto row = ReadOne<std::optional<store::ContactRow>>(
            *store_, [&](store::Tx& tx) { return tx.GetContact("police", id); });
        EXPECT_TRUE(row && *row) << id;
        return row && *row ? **row : store::ContactRow{};
    }

    nlohmann::json Demand() {
        auto key = keys_->Line("police");
        EXPECT_TRUE(key);
        auto period = reports::ParsePeriod("2026-11");
        EXPECT_TRUE(period);
        auto report = BuildReport(*store_, line_, "demand", *period, **key);
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : nlohmann::json::object();
    }

    // The demand report's contacts_by_force for the North East, by force code (empty when it has none).
    std::map<std::string, nlohmann::json> NorthEast() {
        const auto report = Demand();
        std::map<std::string, nlohmann::json> out;
        for (const auto& s : report["sections"]) {
            if (s["name"] != "contacts_by_force") continue;
            for (const auto& g : s["groups"]) {
                if (g["key"] != "North East") continue;
                for (const auto& f : g["items"]) out[f["key"]] = f["value"];
            }
        }
        return out;
    }

    std::vector<std::string> AuditActions() {
        auto entries = ListAudit(*store_, 1, 1000);
        EXPECT_TRUE(entries);
        std::vector<std::string> out;
        for (const auto& e : (*entries)["entries"]) out.push_back(e["action"]);
        return out;
    }

    LineConfig line_;
    staff::Principal counsellor_{"st_counsellor", "Sam", {staff::Role::kCounsellor}, {"police"}};
};

TEST_F(ForceBackfillTest, OldContactsGetTheirForceSealedAndCountByForceAfterwards) {
    const auto cleveland = AddOldContacts(12, {{"force", "cleveland_police"}, {"caller_role", "police_officer"}});
    AddOldContacts(10, {{"force", "durham_constabulary"}, {"caller_role", "police_staff"}});
    AddOldContacts(8, {{"force", "northumbria_police"}, {"caller_role", "police_staff"}});
    // Until the upgrade is done the report would count them as not_recorded: it leaves the section out, saying why.
    const auto before = Demand();
    EXPECT_TRUE(NorthEast().empty()) << before.dump();
    ASSERT_EQ(before["not_available"].size(), 1u) << before.dump();
    EXPECT_EQ(before["not_available"][0]["figure"], "contacts_by_force");
    EXPECT_NE(before["not_available"][0]["reason"].get<std::string>().find("still running"), std::string::npos);

    auto counts = BackfillSealedForce(Services());
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->sealed, 30);
    EXPECT_EQ(counts->without_force, 0);
    EXPECT_EQ(counts->unreadable, 0);

    EXPECT_TRUE(UpgradeDone());
    EXPECT_TRUE(Demand()["not_available"].empty());
    auto after = NorthEast();
    EXPECT_EQ(after["cleveland_police"], 10) << "12 rounded to 5";
    EXPECT_EQ(after["durham_constabulary"], 10);
    EXPECT_EQ(after["northumbria_police"], 10) << "8 rounded to 5";
    EXPECT_EQ(after["not_recorded"], nullptr) << "none left unknown: a zero is suppressed";
    // Sealed as a fresh write seals it: opens with the line's key for this contact; the version did not move.
    const auto row = Row(cleveland.front());
    auto key = keys_->Line("police");
    ASSERT_TRUE(key);
    EXPECT_EQ(OpenForce(**key, row, nlohmann::json::object()), "cleveland_police");
    EXPECT_EQ(row.version, 2) << "created (1), made old (2); the backfill keeps the version";
    // Each is audited, as the system's upgrade, and the chain still verifies.
    auto actions = AuditActions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "contact.seal_force"), 30);
    auto verified = VerifyAudit(*store_, writer_->Chain());
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->Ok()) << verified->chain.reason;
}

TEST_F(ForceBackfillTest, ASecondRunChangesNothing) {
    const auto ids = AddOldContacts(3, {{"force", "northumbria_police"}});
    ASSERT_TRUE(BackfillSealedForce(Services()));
    std::vector<store::Bytes> sealed;
    for (const auto& id : ids) sealed.push_back(Row(id).force_sealed);
    const auto audited = AuditActions().size();

    auto again = BackfillSealedForce(Services());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->sealed, 0);
    EXPECT_EQ(again->without_force, 0) << "a sealed contact is not even read";
    // Even a pass that finds the upgrade not recorded (stopped before recording it) seals nothing twice.
    ASSERT_EQ(RawExec("DELETE FROM upgrades_done"), "");
    auto unrecorded = BackfillSealedForce(Services());
    ASSERT_TRUE(unrecorded) << unrecorded.error().message;
    EXPECT_EQ(unrecorded->sealed, 0);
    for (size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(Row(ids[i]).force_sealed, sealed[i]) << "a fresh seal would have a fresh nonce: " << ids[i];
    }
    EXPECT_EQ(AuditActions().size(), audited);
}

TEST_F(ForceBackfillTest, AShreddedContactAndOneWithoutAForceAreLeftAsTheyAre) {
    const auto plain = AddOldContacts(1, {{"caller_role", "police_officer"}});
    const auto shredded = AddOldContacts(1, {{"force", "cleveland_police"}});
    ASSERT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetContact("police", shredded.front());
        if (!row) return tl::unexpected(row.error());
        (*row)->sealed = {};  // its data key gone for good
        (*row)->version += 1;
        return tx.UpdateContact(**row);
    }));
    const auto plain_before = Row(plain.front());
    const auto audited = AuditActions().size();

    auto counts = BackfillSealedForce(Services());
    ASSERT_TRUE(counts) << counts.error().message;
    EXPECT_EQ(counts->sealed, 0);
    EXPECT_EQ(counts->without_force, 1);
    EXPECT_EQ(counts->unreadable, 0) << "the shredded contact is never opened";
    EXPECT_TRUE(Row(plain.front()).force_sealed.empty());
    EXPECT_EQ(Row(plain.front()).version, plain_before.version);
    EXPECT_TRUE(Row(shredded.front()).force_sealed.empty());
    EXPECT_TRUE(Row(shredded.front()).sealed.Empty());
    EXPECT_EQ(AuditActions().size(), audited);
}

TEST_F(ForceBackfillTest, OnceDoneNoLaterPassReadsAContactAgain) {
    AddOldContacts(2, {{"caller_role", "police_officer"}});  // name no force: never sealed
    AddOldContacts(1, {{"force", "durham_constabulary"}});
    auto first = BackfillSealedForce(Services());
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->without_force, 2);
    EXPECT_EQ(first->sealed, 1);
    ASSERT_TRUE(UpgradeDone());

    ForceBackfill later(Services());
    auto more = later.Step();
    ASSERT_TRUE(more) << more.error().message;
    EXPECT_FALSE(*more);
    EXPECT_TRUE(later.DoneBefore());
    EXPECT_EQ(later.Counts().without_force, 0) << "the force-less contacts are not opened at every start";
    EXPECT_TRUE(Demand()["not_available"].empty()) << "the report no longer waits";
}

TEST_F(ForceBackfillTest, EachStepDoesAtMostOneBatch) {
    const auto ids = AddOldContacts(7, {{"force", "durham_constabulary"}});
    ForceBackfill backfill(Services(), 3);
    std::vector<std::int64_t> sealed_after_each;
    for (int guard = 0; guard < 10; ++guard) {
        auto more = backfill.Step();
        ASSERT_TRUE(more) << more.error().message;
        if (!*more) break;
        sealed_after_each.push_back(backfill.Counts().sealed);
    }
    EXPECT_EQ(sealed_after_each, (std::vector<std::int64_t>{3, 6, 7}));
    EXPECT_TRUE(UpgradeDone()) << "recorded by the Step that found nothing left";
    for (const auto& id : ids) EXPECT_FALSE(Row(id).force_sealed.empty()) << id;
}

TEST_F(ForceBackfillTest, AContactSealedByAChangeMeanwhileKeepsThatSeal) {
    const auto ids = AddOldContacts(1, {{"force", "cleveland_police"}});
    const auto row = Row(ids.front());
    auto key = keys_->Line("police");
    ASSERT_TRUE(key);
    const auto theirs = SealForce(**key, "police", row.id, "durham_constabulary");
    const auto ours = SealForce(**key, "police", row.id, "cleveland_police");
    auto set = [&](std::int64_t version, const store::Bytes& sealed) {
        bool written = false;
        EXPECT_TRUE(writer_->Run([&](store::Tx& tx) -> Result<void> {
            auto r = tx.SealContactForce("police", row.id, version, sealed);
            if (!r) return tl::unexpected(r.error());
            written = *r;
            return {};
        }));
        return written;
    };
    EXPECT_FALSE(set(row.version - 1, ours)) << "read before the contact changed: not written";
    EXPECT_TRUE(set(row.version, theirs));
    EXPECT_FALSE(set(row.version, ours)) << "already sealed: not written again";
    EXPECT_EQ(Row(row.id).force_sealed, theirs);
}

}  // namespace
}  // namespace crisisline::records
