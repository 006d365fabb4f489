#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/detail/sqlite_migrations.hpp"
#include "store/detail/sqlite_tx.hpp"
#include "store/detail/store_test_support.hpp"
#include "store/store.hpp"

namespace crisisline::store {
namespace {

using testing::ScratchDir;
using testing::StoreFixture;

const std::string kGenesis(64, '0');

ContactRow Contact(const std::string& id, const std::string& line_id = "line-a") {
    ContactRow row;
    row.id = id;
    row.line_id = line_id;
    row.status = "open";
    row.arrived_at = 1000;
    row.facts_json = "{}";
    row.created_at = 1000;
    row.updated_at = 1000;
    return row;
}

Work PutLineA() {
    return [](Tx& tx) { return tx.PutLine({"line-a", "Line A", "{}", 1, 1}); };
}

Work InsertContact(const std::string& id) {
    return [id](Tx& tx) { return tx.InsertContact(Contact(id)); };
}

bool HasContact(Store& store, const std::string& id) {
    bool found = false;
    auto read = store.Read([&](Tx& tx) -> Result<void> {
        auto row = tx.GetContact("line-a", id);
        if (!row) return tl::unexpected(row.error());
        found = row->has_value();
        return {};
    });
    EXPECT_TRUE(read) << read.error().message;
    return found;
}

// Runs one statement on its own raw connection, as anyone with the file could.
// Returns SQLite's error message, or "" when the statement succeeded.
std::string RawExec(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return "cannot open";
    }
    char* error = nullptr;
    std::string message;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        message = error != nullptr ? error : "failed";
        if (message.empty()) message = "failed";
    }
    sqlite3_free(error);
    sqlite3_close(db);
    return message;
}

// The first column of the first row of `sql`, read on a raw connection.
std::string RawValue(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string value;
    if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(stmt, 0);
            if (text != nullptr) value = reinterpret_cast<const char*>(text);
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
}

std::string PragmaOn(Tx& tx, const std::string& pragma) {
    auto value = dynamic_cast<detail::SqliteTx&>(tx).Conn().Pragma(pragma);
    EXPECT_TRUE(value) << value.error().message;
    return value.value_or("");
}

class SqliteStoreTest : public StoreFixture {};

TEST_F(SqliteStoreTest, WriterRunsWithWalFullSyncForeignKeysAndSecureDelete) {
    ASSERT_TRUE(store_->Write([](Tx& tx) -> Result<void> {
        EXPECT_EQ(PragmaOn(tx, "journal_mode"), "wal");
        EXPECT_EQ(PragmaOn(tx, "synchronous"), "2");
        EXPECT_EQ(PragmaOn(tx, "foreign_keys"), "1");
        EXPECT_EQ(PragmaOn(tx, "secure_delete"), "1");
        EXPECT_EQ(PragmaOn(tx, "busy_timeout"), "5000");
        return {};
    }));
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        EXPECT_EQ(PragmaOn(tx, "journal_mode"), "wal");
        EXPECT_EQ(PragmaOn(tx, "query_only"), "1");
        return {};
    }));
}

TEST_F(SqliteStoreTest, DatabaseFileIsOwnerOnly) {
    struct stat st {};
    ASSERT_EQ(::stat(DatabasePath().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteStoreTest, AppliesEveryMigration) {
    const auto& migrations = detail::Migrations();
    ASSERT_FALSE(migrations.empty());
    for (size_t i = 0; i < migrations.size(); ++i) {
        EXPECT_EQ(migrations[i].version, static_cast<std::int64_t>(i + 1)) << migrations[i].description;
    }
    EXPECT_EQ(store_->SchemaVersion(), LatestSchemaVersion());
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        EXPECT_EQ(PragmaOn(tx, "user_version"), std::to_string(LatestSchemaVersion()));
        for (const char* table : {"lines", "staff", "sessions", "contacts", "follow_ups", "escalations",
                                  "directory_services", "audit_log", "retained_counts"}) {
            auto stmt = dynamic_cast<detail::SqliteTx&>(tx).Conn().Prepare(
                std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") + table + "'",
                table);
            EXPECT_TRUE(stmt && stmt->Step(table).value_or(false) && stmt->Int(0) == 1) << table;
        }
        return {};
    }));
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndVersion) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    ASSERT_TRUE(store_->Write(InsertContact("c1")));
    store_.reset();
    auto reopened = OpenSqlite({DatabasePath()});
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ((*reopened)->SchemaVersion(), LatestSchemaVersion());
    EXPECT_TRUE(HasContact(**reopened, "c1"));
}

// The upgrades of stored data that run after start (records/force_backfill.hpp) are recorded once done.
bool UpgradeDoneIn(Store& store, const std::string& name) {
    bool done = false;
    auto read = store.Read([&](Tx& tx) -> Result<void> {
        auto d = tx.UpgradeDone(name);
        if (!d) return tl::unexpected(d.error());
        done = *d;
        return {};
    });
    EXPECT_TRUE(read) << read.error().message;
    return done;
}

TEST_F(SqliteStoreTest, AnEmptyDatabaseHasNoForceToSealAndADoneUpgradeKeepsItsFirstTime) {
    EXPECT_TRUE(UpgradeDoneIn(*store_, "force_sealed")) << "made with no contact: nothing to seal";
    EXPECT_FALSE(UpgradeDoneIn(*store_, "some_other_upgrade"));
    ASSERT_TRUE(store_->Write([](Tx& tx) { return tx.RecordUpgradeDone("some_other_upgrade", 1000); }));
    ASSERT_TRUE(store_->Write([](Tx& tx) { return tx.RecordUpgradeDone("some_other_upgrade", 2000); }));
    EXPECT_TRUE(UpgradeDoneIn(*store_, "some_other_upgrade"));
    EXPECT_EQ(RawValue(DatabasePath(), "SELECT done_at FROM upgrades_done WHERE name = 'some_other_upgrade'"), "1000");
}

TEST_F(SqliteStoreTest, ADatabaseWithContactsFromBeforeVersion9HasItsForceUpgradeToDo) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    ASSERT_TRUE(store_->Write(InsertContact("c1")));
    store_.reset();
    // As crisisline before schema version 9 left it.
    ASSERT_EQ(RawExec(DatabasePath(), "DROP TABLE upgrades_done; PRAGMA user_version = 8"), "");
    auto reopened = OpenSqlite({DatabasePath()});
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ((*reopened)->SchemaVersion(), LatestSchemaVersion());
    EXPECT_FALSE(UpgradeDoneIn(**reopened, "force_sealed"));
}

TEST(SqliteOpenTest, RefusesDatabaseFromNewerCrisisline) {
    ScratchDir dir;
    const std::string path = dir.File("newer.db");
    const std::string newer = std::to_string(LatestSchemaVersion() + 1);
    ASSERT_EQ(RawExec(path, "PRAGMA user_version = " + newer), "");
    auto opened = OpenSqlite({path});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(opened.error().message, "database schema version " + newer + " is newer than this crisisline (knows up to " +
                                          std::to_string(LatestSchemaVersion()) +
                                          "); upgrade crisisline or restore a matching backup");
    // Untouched: no tables were created in it and it is still in rollback-journal mode.
    EXPECT_NE(RawExec(path, "SELECT 1 FROM contacts"), "");
    EXPECT_EQ(RawValue(path, "PRAGMA journal_mode"), "delete");
}

TEST(SqliteOpenTest, UnopenablePathFailsNamingIt) {
    auto opened = OpenSqlite({"/nonexistent-crisisline-dir/x.db"});
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(opened.error().message.find("/nonexistent-crisisline-dir/x.db"), std::string::npos);
}

TEST_F(SqliteStoreTest, FailedWriteLeavesNothing) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    auto written = store_->Write([](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertContact(Contact("half")); !r) return r;
        return Fail(ErrorCode::kInvalid, "changed my mind");
    });
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().message, "changed my mind");
    EXPECT_FALSE(HasContact(*store_, "half"));
}

TEST_F(SqliteStoreTest, WorkThatThrowsIsRolledBackAndReported) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    auto written = store_->Write([](Tx& tx) -> Result<void> {
        if (auto r = tx.InsertContact(Contact("thrown")); !r) return r;
        throw std::runtime_error("secret caller detail");
    });
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kInternal);
    EXPECT_EQ(written.error().message.find("secret"), std::string::npos);
    EXPECT_FALSE(HasContact(*store_, "thrown"));
    EXPECT_TRUE(store_->Write(InsertContact("after")));  // the writer is usable again
}

TEST_F(SqliteStoreTest, WriteBatchRollsBackOnlyTheFailingUnit) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    std::vector<Work> works = {
        InsertContact("first"),
        [](Tx& tx) -> Result<void> {
            if (auto r = tx.InsertContact(Contact("middle")); !r) return r;
            return Fail(ErrorCode::kConflict, "middle fails");
        },
        InsertContact("first"),  // a duplicate of the first: refused alone
        InsertContact("last"),
    };
    auto results = store_->WriteBatch(works);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_TRUE(results[0]);
    ASSERT_FALSE(results[1]);
    EXPECT_EQ(results[1].error().message, "middle fails");
    ASSERT_FALSE(results[2]);
    EXPECT_EQ(results[2].error().code, ErrorCode::kConflict);
    EXPECT_TRUE(results[3]);
    EXPECT_TRUE(HasContact(*store_, "first"));
    EXPECT_FALSE(HasContact(*store_, "middle"));
    EXPECT_TRUE(HasContact(*store_, "last"));
}

TEST_F(SqliteStoreTest, EmptyBatchReturnsNoResults) { EXPECT_TRUE(store_->WriteBatch({}).empty()); }

TEST_F(SqliteStoreTest, ReadCannotWrite) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    auto attempted = store_->Read([](Tx& tx) { return tx.PutLine({"line-b", "Line B", "{}", 1, 1}); });
    ASSERT_FALSE(attempted);
    EXPECT_EQ(attempted.error().code, ErrorCode::kInternal);
    auto contact = store_->Read([](Tx& tx) { return tx.InsertContact(Contact("sneaky")); });
    EXPECT_FALSE(contact);
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        auto line = tx.GetLine("line-b");
        EXPECT_TRUE(line && !line->has_value());
        return {};
    }));
    EXPECT_FALSE(HasContact(*store_, "sneaky"));
}

TEST_F(SqliteStoreTest, ReadsRunAlongsideTheWriter) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 12; ++t) {  // more threads than pooled connections
        readers.emplace_back([&] {
            while (!stop) {
                auto r = store_->Read([](Tx& tx) -> Result<void> {
                    auto rows = tx.ListContacts("line-a", {});
                    if (!rows) return tl::unexpected(rows.error());
                    return {};
                });
                if (!r) ++failures;
            }
        });
    }
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(store_->Write(InsertContact("c" + std::to_string(i))));
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST_F(SqliteStoreTest, BackupOpensAndHoldsTheRows) {
    ASSERT_TRUE(store_->Write(PutLineA()));
    ASSERT_TRUE(store_->Write(InsertContact("kept")));
    const std::string copy = dir_.File("backup.db");
    auto backed_up = store_->Backup(copy);
    ASSERT_TRUE(backed_up) << backed_up.error().message;
    ASSERT_TRUE(store_->Write(InsertContact("after-backup")));

    auto restored = OpenSqlite({copy});
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_TRUE(HasContact(**restored, "kept"));
    EXPECT_FALSE(HasContact(**restored, "after-backup"));
    struct stat st {};
    ASSERT_EQ(::stat(copy.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteStoreTest, BackupRefusesToOverwriteAFile) {
    auto again = store_->Backup(DatabasePath());  // its own database, say
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_TRUE(store_->Write(PutLineA()));  // the live database is unharmed
}

TEST_F(SqliteStoreTest, AuditLogRefusesUpdateAndDeleteFromAnyConnection) {
    ASSERT_TRUE(store_->Write([](Tx& tx) -> Result<void> {
        auto seq = tx.AppendAudit({1, 10, "system", "line.create", "line-a", "line", "line-a", "administration",
                                   kGenesis, std::string(64, 'a')});
        if (!seq) return tl::unexpected(seq.error());
        return {};
    }));
    const std::string path = DatabasePath();
    EXPECT_NE(RawExec(path, "UPDATE audit_log SET actor = 'mallory'").find("append-only"), std::string::npos);
    EXPECT_NE(RawExec(path, "DELETE FROM audit_log").find("append-only"), std::string::npos);
    EXPECT_NE(RawExec(path, "INSERT OR REPLACE INTO audit_log VALUES (1, 10, 'mallory', 'x', '', '', '', '', '" +
                                kGenesis + "', 'b')"),
              "");
    EXPECT_NE(RawExec(path, "INSERT INTO audit_log VALUES (5, 10, 'mallory', 'x', '', '', '', '', 'x', 'b')"), "");
    ASSERT_TRUE(store_->Read([](Tx& tx) -> Result<void> {
        auto all = tx.ListAudit(1, 100);
        EXPECT_TRUE(all);
        EXPECT_EQ(all->size(), 1u);
        EXPECT_EQ(all->at(0).actor, "system");
        return {};
    }));
}

std::vector<std::string> GuardFaults(Store& store) {
    std::vector<std::string> faults;
    EXPECT_TRUE(store.Read([&](Tx& tx) -> Result<void> {
        auto found = tx.AuditGuardFaults();
        if (!found) return tl::unexpected(found.error());
        faults = *found;
        return {};
    }));
    return faults;
}

TEST_F(SqliteStoreTest, AuditGuardsDroppedOrReplacedAreReported) {
    EXPECT_EQ(GuardFaults(*store_), std::vector<std::string>{});
    const std::string path = DatabasePath();
    EXPECT_EQ(RawExec(path, "DROP TRIGGER audit_log_no_delete"), "");
    // The same name, but a guard that guards nothing.
    EXPECT_EQ(RawExec(path, "DROP TRIGGER audit_log_no_update; CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON "
                            "audit_log WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"),
              "");
    EXPECT_EQ(GuardFaults(*store_),
              (std::vector<std::string>{"trigger audit_log_no_update is not as the schema made it (replaced)",
                                        "trigger audit_log_no_delete is missing (dropped)"}));
}

TEST_F(SqliteStoreTest, FindAuditMatchesEveryFieldGiven) {
    ASSERT_TRUE(store_->Write([](Tx& tx) -> Result<void> {
        std::string prev = kGenesis;
        const char* actors[] = {"st_a", "st_b", "st_a", "system"};
        for (int i = 0; i < 4; ++i) {
            const std::string hash(64, static_cast<char>('a' + i));
            auto seq = tx.AppendAudit({i + 1, 100 * (i + 1), actors[i], i == 2 ? "contact.update" : "contact.read",
                                       "line-a", "contact", "ct_" + std::to_string(i % 2), "on_call", prev, hash});
            if (!seq) return tl::unexpected(seq.error());
            prev = hash;
        }
        return {};
    }));
    auto seqs = [&](AuditFilter filter) {
        std::vector<std::int64_t> out;
        EXPECT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
            auto rows = tx.FindAudit(filter);
            if (!rows) return tl::unexpected(rows.error());
            for (const auto& r : *rows) out.push_back(r.seq);
            return {};
        }));
        return out;
    };
    EXPECT_EQ(seqs({}), (std::vector<std::int64_t>{1, 2, 3, 4}));
    AuditFilter by_actor;
    by_actor.actor = "st_a";
    EXPECT_EQ(seqs(by_actor), (std::vector<std::int64_t>{1, 3}));
    by_actor.action = "contact.read";
    EXPECT_EQ(seqs(by_actor), (std::vector<std::int64_t>{1}));
    AuditFilter by_record;
    by_record.record_id = "ct_1";
    by_record.from_seq = 3;
    EXPECT_EQ(seqs(by_record), (std::vector<std::int64_t>{4}));
    AuditFilter by_time;
    by_time.since = 200;
    by_time.before = 400;
    by_time.limit = 1;
    EXPECT_EQ(seqs(by_time), (std::vector<std::int64_t>{2}));
    AuditFilter other_line;
    other_line.line_id = "line-b";
    EXPECT_EQ(seqs(other_line), (std::vector<std::int64_t>{}));
}

}  // namespace
}  // namespace crisisline::store
