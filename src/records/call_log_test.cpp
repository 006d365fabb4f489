// Telephony's records: the call log's contacts over a real SQLite store, and the telephony book.
#include "records/call_log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "records/detail/services_test_support.hpp"
#include "records/contacts.hpp"
#include "staff/accounts.hpp"
#include "staff/sip_accounts.hpp"

namespace crisisline::records {
namespace {

constexpr const char* kCallerNumber = "07700 900461";

class CallLogTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (test)"}, {"numbers", {"0808 157 0001"}},
                                         {"routing", {{"strategy", "ring_all"}, {"overflow_after_s", nullptr}}}},
                                        ""),
                                 "system");
        ASSERT_TRUE(line) << line.error().message;
    }

    CallRecord Call(const std::string& number = kCallerNumber) {
        CallRecord call;
        call.contact_id = crypto::NewId("ct");
        call.line_id = "police";
        call.caller_number = number;
        call.language = "cy";
        call.arrived_at = clock_.Now();
        return call;
    }

    // Arrived, waiting (in the test only) for the repeat count.
    Result<std::int64_t> Arrive(CallLog& log, const CallRecord& call) {
        std::promise<Result<std::int64_t>> repeat;
        auto got = repeat.get_future();
        log.Arrived(call, [&repeat](Result<std::int64_t> n) { repeat.set_value(std::move(n)); });
        return got.get();
    }

    // Waits until every unit queued so far is committed (the writer runs units in order).
    void Settle() { ASSERT_TRUE(writer_->Run([](store::Tx&) -> Result<void> { return {}; })); }

    store::ContactRow Row(const std::string& id) {
        auto row = ReadOne<std::optional<store::ContactRow>>(*store_,
                                                             [&](store::Tx& tx) { return tx.GetContact("police", id); });
        EXPECT_TRUE(row && *row);
        return **row;
    }

    nlohmann::json Summary(const std::string& id) {
        Contacts contacts(Services());
        auto list = contacts.List("police", {});
        EXPECT_TRUE(list);
        for (const auto& c : (*list)["contacts"]) {
            if (c["id"] == id) return c;
        }
        ADD_FAILURE() << "contact " << id << " not in the list";
        return nullptr;
    }

    std::vector<std::string> AuditOf(const std::string& id) {
        std::vector<std::string> out;
        EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
            auto rows = tx.ListAudit(1, 1000);
            if (!rows) return tl::unexpected(rows.error());
            for (const auto& r : *rows) {
                if (r.record_id == id) out.push_back(r.actor + ":" + r.action);
            }
            return {};
        }));
        return out;
    }

};

TEST_F(CallLogTest, TheLanguageChosenAfterArrivalIsRecorded) {
    CallLog log(Services());
    CallRecord call = Call();
    call.language.clear();  // the caller has not pressed a key yet when the contact is created
    ASSERT_TRUE(Arrive(log, call));
    Settle();
    EXPECT_TRUE(Summary(call.contact_id)["language"].is_null());
    call.language = "cy";
    call.answered_at = call.arrived_at + 5'000;
    call.counsellor_id = "st_ceri";
    log.Answered(call);
    Settle();
    EXPECT_EQ(Summary(call.contact_id)["language"], "cy");
}

TEST_F(CallLogTest, ASupervisorsMonitoringIsAuditedAsTheirsWithItsMode) {
    CallLog log(Services());
    CallRecord call = Call();
    ASSERT_TRUE(Arrive(log, call));
    log.Monitoring("call.monitor_start", call.contact_id, "police", "st_jo", {{"mode", "listen"}, {"counsellor", "st_sam"}});
    log.Monitoring("call.monitor_end", call.contact_id, "police", "st_jo", {{"mode", "coach"}, {"why", "stopped"}});
    Settle();
    const auto audit = AuditOf(call.contact_id);
    ASSERT_GE(audit.size(), 3U);
    EXPECT_EQ(audit[audit.size() - 2], "st_jo:call.monitor_start");
    EXPECT_EQ(audit.back(), "st_jo:call.monitor_end");
    std::string detail;
    EXPECT_TRUE(store_->Read([&](store::Tx& tx) -> Result<void> {
        auto rows = tx.ListAudit(1, 1000);
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& r : *rows) {
            if (r.record_id == call.contact_id && r.action == "call.monitor_end") detail = r.detail;
        }
        return {};
    }));
    EXPECT_EQ(nlohmann::json::parse(detail), (nlohmann::json{{"mode", "coach"}, {"why", "stopped"}}));
}

TEST_F(CallLogTest, ArrivalAnswerAndEndAreStoredWithTheirTimings) {
    CallLog log(Services());
    CallRecord call = Call();
    ASSERT_EQ(*Arrive(log, call), 0);
    call.answered_at = call.arrived_at + 42'000;
    call.counsellor_id = "st_sam";
    log.Answered(call);
    call.ended_at = *call.answered_at + 600'000;
    call.end_reason = "completed";
    log.Ended(call);
    Settle();

    store::ContactRow row = Row(call.contact_id);
    EXPECT_EQ(row.status, "open") << "a completed call waits for the counsellor's wrap-up";
    EXPECT_EQ(row.arrived_at, call.arrived_at);
    EXPECT_EQ(row.answered_at, call.answered_at);
    EXPECT_EQ(row.ended_at, call.ended_at);
    EXPECT_EQ(row.counsellor_id, "st_sam");
    EXPECT_EQ(row.version, 3);
    nlohmann::json summary = Summary(call.contact_id);
    EXPECT_EQ(summary["channel"], "phone");
    EXPECT_EQ(summary["language"], "cy");
    EXPECT_EQ(summary["call"], nlohmann::json({{"end_reason", "completed"}, {"queue_wait_s", 42}, {"talk_s", 600}}));
    EXPECT_EQ(summary["queue_wait_seconds"], 42);
    EXPECT_EQ(summary["talk_seconds"], 600);
    EXPECT_EQ(summary["counsellor_id"], "st_sam");
    EXPECT_EQ(AuditOf(call.contact_id), (std::vector<std::string>{"telephony:contact.create", "telephony:contact.answer",
                                                                  "telephony:contact.end"}));
}

TEST_F(CallLogTest, UnansweredCallsCloseAtOnce) {
    CallLog log(Services());
    for (const char* reason : {"abandoned", "overflowed", "failed"}) {
        CallRecord call = Call();
        ASSERT_TRUE(Arrive(log, call));
        call.ended_at = call.arrived_at + 95'000;
        call.end_reason = reason;
        log.Ended(call);
        Settle();
        store::ContactRow row = Row(call.contact_id);
        EXPECT_EQ(row.status, "closed") << reason;
        EXPECT_FALSE(row.answered_at) << reason;
        EXPECT_EQ(row.counsellor_id, "") << reason;
        nlohmann::json summary = Summary(call.contact_id);
        EXPECT_EQ(summary["call"], nlohmann::json({{"end_reason", reason}, {"queue_wait_s", 95}, {"talk_s", nullptr}}))
            << reason;
        EXPECT_EQ(AuditOf(call.contact_id).back(), "telephony:contact.close") << reason;
    }
}

TEST_F(CallLogTest, CallsLeftUnfinishedByACrashAreEndedAtStartForTheirCounsellorsWrapUp) {
    CallLog log(Services());
    CallRecord answered = Call();  // a counsellor was talking to this caller when the server died
    ASSERT_TRUE(Arrive(log, answered));
    clock_.Advance(12'000);
    answered.answered_at = clock_.Now();
    answered.counsellor_id = "st_sam";
    log.Answered(answered);
    Settle();
    const TimeMs last_known = clock_.Now();
    clock_.Advance(4 * 60'000);
    CallRecord waiting = Call();  // this one was queued
    ASSERT_TRUE(Arrive(log, waiting));
    CallRecord finished = Call();  // and this one had ended normally
    ASSERT_TRUE(Arrive(log, finished));
    finished.ended_at = finished.arrived_at + 1'000;
    finished.end_reason = "abandoned";
    log.Ended(finished);
    Settle();
    const std::int64_t finished_version = Row(finished.contact_id).version;
    clock_.Advance(kHourMs);  // the server was down for an hour

    auto ended = log.EndUnfinished();
    ASSERT_TRUE(ended) << ended.error().message;
    ASSERT_EQ(ended->size(), 2u);
    EXPECT_EQ((*ended)[0].contact_id, answered.contact_id);
    EXPECT_EQ((*ended)[0].counsellor_id, "st_sam");
    EXPECT_EQ((*ended)[1].contact_id, waiting.contact_id);
    EXPECT_EQ((*ended)[1].counsellor_id, "");

    store::ContactRow a = Row(answered.contact_id);
    EXPECT_EQ(a.status, "open") << "the counsellor wraps it up";
    EXPECT_EQ(a.counsellor_id, "st_sam");
    EXPECT_EQ(a.ended_at, last_known) << "ended when it was last known in progress, not at the restart";
    EXPECT_EQ(Summary(answered.contact_id)["call"]["end_reason"], "server_restart");
    EXPECT_EQ(AuditOf(answered.contact_id).back(), "telephony:contact.end");

    store::ContactRow w = Row(waiting.contact_id);
    EXPECT_EQ(w.status, "closed") << "nobody answered it: nobody will wrap it up";
    EXPECT_EQ(w.ended_at, waiting.arrived_at);
    EXPECT_EQ(Summary(waiting.contact_id)["call"]["end_reason"], "server_restart");
    EXPECT_EQ(AuditOf(waiting.contact_id).back(), "telephony:contact.close");

    EXPECT_EQ(Row(finished.contact_id).version, finished_version) << "a call that had ended is left alone";
    auto again = log.EndUnfinished();
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty()) << "a second start finds nothing left to end";
}

// Telephony ending an answered call on its own ("no audio for 30 s") must not take the record from the
// counsellor writing it: it stays open with everything saved so far, and the counsellor closes it.
TEST_F(CallLogTest, AnAnsweredCallThatTelephonyEndsStaysOpenForTheCounsellor) {
    CallLog log(Services());
    staff::Principal sam{"st_sam", "Sam", {staff::Role::kCounsellor}, {"police"}};
    Contacts contacts(Services());
    for (const char* reason : {"failed", "completed", "abandoned"}) {
        CallRecord call = Call();
        ASSERT_TRUE(Arrive(log, call));
        call.answered_at = call.arrived_at + 5'000;
        call.counsellor_id = "st_sam";
        log.Answered(call);
        Settle();
        auto typed = contacts.Update(sam, "police", call.contact_id,
                                     Fields({{"version", 2}, {"caller_role", "police_officer"}, {"notes", "mid-call"}}, ""));
        ASSERT_TRUE(typed) << reason << ": " << typed.error().message;
        call.ended_at = *call.answered_at + 20'000;
        call.end_reason = reason;
        log.Ended(call);
        Settle();

        store::ContactRow row = Row(call.contact_id);
        EXPECT_EQ(row.status, "open") << reason << ": the counsellor's wrap-up is still to come";
        EXPECT_EQ(AuditOf(call.contact_id).back(), "telephony:contact.end") << reason;
        EXPECT_EQ(Summary(call.contact_id)["call"]["end_reason"], reason);
        // The counsellor's next save (on the version they had) is refused as stale, never as closed...
        auto stale = contacts.Update(sam, "police", call.contact_id, Fields({{"version", 3}, {"notes", "x"}}, ""));
        ASSERT_FALSE(stale);
        EXPECT_EQ(stale.error().field, "version") << reason;
        // ...and on the current version their notes are kept and the contact closes.
        auto closed = contacts.Close(sam, "police", call.contact_id,
                                     Fields({{"version", 4}, {"notes", "mid-call, then wrap-up"}, {"outcome", "signposted"}}, ""));
        ASSERT_TRUE(closed) << reason << ": " << closed.error().field << ": " << closed.error().message;
        EXPECT_EQ((*closed)["status"], "closed");
        EXPECT_EQ((*closed)["caller_role"], "police_officer");
        EXPECT_EQ((*closed)["notes"], "mid-call, then wrap-up");
        EXPECT_EQ((*closed)["talk_seconds"], 20);
        EXPECT_EQ(AuditOf(call.contact_id).back(), "st_sam:contact.close") << reason;
    }
}

TEST_F(CallLogTest, OnlyTheCallsCounsellorOrASupervisorClosesItsContact) {
    CallLog log(Services());
    CallRecord call = Call();
    ASSERT_TRUE(Arrive(log, call));
    call.answered_at = call.arrived_at + 5'000;
    call.counsellor_id = "st_sam";
    log.Answered(call);
    call.ended_at = *call.answered_at + 60'000;
    call.end_reason = "failed";
    log.Ended(call);
    Settle();
    Contacts contacts(Services());
    const Fields ready({{"version", 3}, {"caller_role", "police_officer"}, {"outcome", "signposted"}}, "");
    staff::Principal kim{"st_kim", "Kim", {staff::Role::kCounsellor}, {"police"}};
    auto refused = contacts.Close(kim, "police", call.contact_id, ready);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
    EXPECT_EQ(Row(call.contact_id).status, "open");
    staff::Principal jo{"st_jo", "Jo", {staff::Role::kSupervisor}, {"police"}};
    auto closed = contacts.Close(jo, "police", call.contact_id, ready);
    ASSERT_TRUE(closed) << closed.error().message;
    EXPECT_EQ(AuditOf(call.contact_id).back(), "st_jo:contact.close") << "the supervisor's close is theirs in the audit";
}

TEST_F(CallLogTest, RepeatCallsAreCountedWithoutTheNumberReachingTheDisk) {
    CallLog log(Services());
    ASSERT_EQ(*Arrive(log, Call()), 0);
    clock_.Advance(kHourMs);
    CallRecord second = Call("+44 7700 900461");  // the same number, written another way
    auto repeats = Arrive(log, second);
    ASSERT_TRUE(repeats) << repeats.error().message;
    EXPECT_EQ(*repeats, 1);
    Settle();  // `done` runs before the commit is durable
    EXPECT_EQ(Summary(second.contact_id)["repeat_calls_30d"], 1);
    EXPECT_EQ(*Arrive(log, Call("")), 0) << "a withheld number links nothing";
    clock_.Advance(31 * kDayMs);
    EXPECT_EQ(*Arrive(log, Call()), 0) << "calls older than 30 days are not counted";

    writer_->Stop();
    std::ifstream db(dir_ + "/test.db", std::ios::binary);
    std::ifstream wal(dir_ + "/test.db-wal", std::ios::binary);
    std::stringstream bytes;
    bytes << db.rdbuf() << wal.rdbuf();
    for (const char* form : {"7700900461", "7700 900461", "447700900461"}) {
        EXPECT_EQ(bytes.str().find(form), std::string::npos) << form;
    }
}

// The counsellor's connection failed mid-call: their contact ends "interrupted" and stays theirs to wrap up,
// and the caller carries on in a new contact that keeps their arrival and is linked both ways (ids only).
TEST_F(CallLogTest, AnInterruptedCallStaysOpenForItsCounsellorAndCarriesOnInALinkedContact) {
    CallLog log(Services());
    ASSERT_EQ(*Arrive(log, Call()), 0);  // an earlier call from the same number
    clock_.Advance(kHourMs);
    CallRecord first = Call();
    ASSERT_EQ(*Arrive(log, first), 1);
    first.answered_at = first.arrived_at + 5'000;
    first.counsellor_id = "st_sam";
    log.Answered(first);
    CallRecord next;
    next.contact_id = crypto::NewId("ct");
    next.line_id = "police";
    next.language = "cy";
    next.arrived_at = first.arrived_at;  // the caller's wait counts from when they first called
    next.continues = first.contact_id;   // no number: telephony forgot it at arrival
    first.ended_at = *first.answered_at + 30'000;
    first.end_reason = "interrupted";
    first.continued_in = next.contact_id;
    log.Ended(first);
    auto repeats = Arrive(log, next);
    ASSERT_TRUE(repeats) << repeats.error().message;
    EXPECT_EQ(*repeats, 1) << "the interrupted part of the same call is not a repeat";
    Settle();

    store::ContactRow interrupted = Row(first.contact_id);
    EXPECT_EQ(interrupted.status, "open") << "the counsellor wraps it up";
    EXPECT_EQ(interrupted.counsellor_id, "st_sam");
    nlohmann::json summary = Summary(first.contact_id);
    EXPECT_EQ(summary["call"]["end_reason"], "interrupted");
    EXPECT_EQ(summary["call"]["continued_in"], next.contact_id);
    EXPECT_EQ(summary["call"]["talk_s"], 30);
    store::ContactRow carried = Row(next.contact_id);
    EXPECT_EQ(carried.status, "open");
    EXPECT_EQ(carried.arrived_at, first.arrived_at);
    EXPECT_FALSE(carried.caller_hash.empty());
    EXPECT_EQ(carried.caller_hash, interrupted.caller_hash) << "the same caller, still linked to their history";
    EXPECT_EQ(Summary(next.contact_id)["call"]["continues"], first.contact_id);
}

// A transfer to another line's queue: the caller's new contact there is linked to their history on that line
// (the number's hash under its key, made at arrival and held in memory only while the call lasts).
TEST_F(CallLogTest, ACallTransferredToAnotherLineIsLinkedToTheCallersHistoryThere) {
    Lines lines(Services());
    ASSERT_TRUE(lines.Create(Fields({{"id", "fire"}, {"name", "Fire (test)"}}, ""), "system"));
    CallLog log(Services());
    CallRecord earlier = Call();
    earlier.line_id = "fire";
    ASSERT_EQ(*Arrive(log, earlier), 0);  // the same number called the fire line before
    clock_.Advance(kHourMs);
    CallRecord first = Call();
    ASSERT_EQ(*Arrive(log, first), 0) << "no earlier call on the police line";
    first.answered_at = first.arrived_at + 5'000;
    first.counsellor_id = "st_sam";
    log.Answered(first);
    CallRecord next;
    next.contact_id = crypto::NewId("ct");
    next.line_id = "fire";
    next.language = "en";
    next.arrived_at = first.arrived_at;
    next.continues = first.contact_id;  // no number: telephony forgot it at arrival
    first.ended_at = *first.answered_at + 30'000;
    first.end_reason = "transferred";
    first.continued_in = next.contact_id;
    log.Ended(first);
    auto repeats = Arrive(log, next);
    ASSERT_TRUE(repeats) << repeats.error().message;
    EXPECT_EQ(*repeats, 1) << "the fire line's earlier call from this number";
    Settle();
    auto on_fire = [&](const std::string& id) {
        auto row = ReadOne<std::optional<store::ContactRow>>(*store_,
                                                             [&](store::Tx& tx) { return tx.GetContact("fire", id); });
        EXPECT_TRUE(row && *row);
        return row && *row ? **row : store::ContactRow{};
    };
    const auto carried = on_fire(next.contact_id);
    EXPECT_FALSE(carried.caller_hash.empty());
    EXPECT_EQ(carried.caller_hash, on_fire(earlier.contact_id).caller_hash);
    EXPECT_NE(carried.caller_hash, Row(first.contact_id).caller_hash) << "each line hashes with its own key";

    // The call ends there without carrying on: the hashes held for it are let go.
    next.ended_at = next.arrived_at + 60'000;
    next.end_reason = "completed";
    log.Ended(next);
    CallRecord after;
    after.contact_id = crypto::NewId("ct");
    after.line_id = "police";
    after.arrived_at = next.arrived_at;
    after.continues = next.contact_id;
    ASSERT_TRUE(Arrive(log, after));
    Settle();
    EXPECT_TRUE(Row(after.contact_id).caller_hash.empty()) << "nothing is held once the call has ended";
}

TEST_F(CallLogTest, ArrivalOnAnUnknownLineReportsTheError) {
    CallLog log(Services());
    CallRecord call = Call();
    call.line_id = "nowhere";
    auto r = Arrive(log, call);
    ASSERT_FALSE(r);
    writer_->Stop();
    auto stopped = Arrive(log, Call());
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().code, ErrorCode::kUnavailable);
}

TEST_F(CallLogTest, TheCounsellorWrapsUpACompletedCall) {
    CallLog log(Services());
    CallRecord call = Call();
    ASSERT_TRUE(Arrive(log, call));
    call.answered_at = call.arrived_at + 5'000;
    call.counsellor_id = "st_sam";
    log.Answered(call);
    call.ended_at = *call.answered_at + 60'000;
    call.end_reason = "completed";
    log.Ended(call);
    Settle();

    staff::Principal sam{"st_sam", "Sam", {staff::Role::kCounsellor}, {"police"}};
    Contacts contacts(Services());
    auto updated = contacts.Update(sam, "police", call.contact_id,
                                   Fields({{"version", 3}, {"caller_role", "police_officer"}, {"notes", "talked"}}, ""));
    ASSERT_TRUE(updated) << updated.error().field << ": " << updated.error().message;
    auto closed = contacts.Close(sam, "police", call.contact_id, Fields({{"version", 4}, {"outcome", "signposted"}}, ""));
    ASSERT_TRUE(closed) << closed.error().field << ": " << closed.error().message;
    EXPECT_EQ((*closed)["status"], "closed");
    EXPECT_EQ((*closed)["notes"], "talked");
    EXPECT_EQ((*closed)["call"]["end_reason"], "completed");
    EXPECT_EQ((*closed)["talk_seconds"], 60);
    EXPECT_EQ(Row(call.contact_id).ended_at, call.ended_at) << "closing keeps the call's real end";
}

TEST_F(CallLogTest, TheBookHasEveryLineAndEnabledCounsellorsWithSipAccounts) {
    staff::Accounts accounts(*store_, *writer_, clock_);
    staff::SipAccounts sip(*store_, *writer_, *keys_, clock_);
    struct Person {
        const char* name;
        std::vector<std::string> roles;
        bool with_sip;
        bool disabled;
    };
    const Person people[] = {{"sam", {"counsellor"}, true, false},
                             {"jo", {"supervisor", "counsellor"}, true, false},
                             {"nosip", {"counsellor"}, false, false},
                             {"gone", {"counsellor"}, true, true},
                             {"pat", {"admin"}, true, false}};
    std::map<std::string, std::string> passwords;
    for (const auto& p : people) {
        auto row = accounts.Create({p.name, p.name, "correct horse battery", {p.roles, {"police"}, {"en", "cy"}, {"x"}}},
                                   "system");
        ASSERT_TRUE(row) << row.error().message;
        if (p.with_sip) {
            auto password = sip.Issue(row->id, std::string(p.name) + ".phone", "system");
            ASSERT_TRUE(password) << password.error().message;
            passwords[row->id] = *password;
        }
        if (p.disabled) {
            ASSERT_TRUE(accounts.Update(row->id, Fields({{"disabled", true}}, ""), "system"));
        }
    }
    auto s = Services();
    auto book = LoadTelephonyBook(s);
    ASSERT_TRUE(book) << book.error().message;
    ASSERT_EQ(book->lines.size(), 1u);
    EXPECT_EQ(book->lines[0].id, "police");
    EXPECT_EQ(book->lines[0].numbers, std::vector<std::string>{"+448081570001"});
    EXPECT_EQ(book->lines[0].routing.strategy, "ring_all");
    EXPECT_EQ(book->lines[0].routing.overflow_after_s, std::nullopt);
    std::vector<std::string> names;
    for (const auto& c : book->counsellors) {
        names.push_back(c.sip_username);
        EXPECT_EQ(c.sip_password, passwords[c.staff_id]) << c.sip_username;
        EXPECT_EQ(c.lines, std::vector<std::string>{"police"});
        EXPECT_EQ(c.languages, (std::vector<std::string>{"en", "cy"}));
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"jo.phone", "sam.phone"}));
}

}  // namespace
}  // namespace crisisline::records
