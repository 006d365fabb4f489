// The records services over a real SQLite store, with a fake clock.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "records/detail/services_test_support.hpp"
#include "records/audit_log.hpp"
#include "records/contacts.hpp"
#include "records/follow_ups.hpp"
#include "records/lines.hpp"
#include "records/retention.hpp"

namespace crisisline::records {
namespace {

class RecordsTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (test)"}, {"retention_days", 30},
                                         {"follow_up_max_days", 2}},
                                        ""),
                                 "system");
        ASSERT_TRUE(line) << line.error().message;
    }

    nlohmann::json NewContact(nlohmann::json body = nlohmann::json::object()) {
        Contacts contacts(Services());
        auto c = contacts.Create(counsellor_, "police", Fields(body, ""));
        EXPECT_TRUE(c) << c.error().field << ": " << c.error().message;
        return *c;
    }

    std::vector<std::string> AuditActions() {
        auto entries = ListAudit(*store_, 1, 1000);
        std::vector<std::string> out;
        for (const auto& e : (*entries)["entries"]) out.push_back(e["action"].get<std::string>() + ":" + e["record_id"].get<std::string>());
        return out;
    }

    staff::Principal counsellor_{"st_counsellor", "Sam", {staff::Role::kCounsellor}, {"police"}};
    staff::Principal supervisor_{"st_supervisor", "Ash", {staff::Role::kSupervisor}, {"police"}};
};

TEST_F(RecordsTest, ContentIsSealedAndEveryReadIsAudited) {
    auto created = NewContact({{"notes", "said on the call"}, {"caller_role", "police_staff"}});
    Contacts contacts(Services());
    auto read = contacts.Read(counsellor_, "police", created["id"], "on_call", {});
    ASSERT_TRUE(read);
    EXPECT_EQ((*read)["notes"], "said on the call");
    auto row = ReadOne<std::optional<store::ContactRow>>(
        *store_, [&](store::Tx& tx) { return tx.GetContact("police", created["id"].get<std::string>()); });
    ASSERT_TRUE(row && *row);
    EXPECT_EQ((*row)->facts_json.find("said on the call"), std::string::npos);
    std::string sealed((*row)->sealed.ciphertext.begin(), (*row)->sealed.ciphertext.end());
    EXPECT_EQ(sealed.find("said on the call"), std::string::npos);
    auto actions = AuditActions();
    const std::string id = created["id"];
    EXPECT_NE(std::find(actions.begin(), actions.end(), "contact.create:" + id), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "contact.read:" + id), actions.end());
    EXPECT_FALSE(contacts.Read(counsellor_, "police", id, "curiosity", {})) << "a purpose outside the list is refused";
}

TEST_F(RecordsTest, AReadOfAnotherLinesContactFindsNothing) {
    auto created = NewContact();
    Lines lines(Services());
    ASSERT_TRUE(lines.Create(Fields({{"id", "fire"}, {"name", "Fire (test)"}}, ""), "system"));
    Contacts contacts(Services());
    auto other = contacts.Read(counsellor_, "fire", created["id"], "on_call", {});
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
}

TEST_F(RecordsTest, ARepeatCallersEarlierContactsShowOnlyWhatContinuesCareAndAreAudited) {
    const std::string number = "07700 900123";
    const std::string when = FormatTime(clock_.Now() - 2 * kDayMs);
    auto first = NewContact({{"caller_number", number},
                             {"arrived_at", FormatTime(clock_.Now() - 3 * kDayMs)},
                             {"addressed_as", "Chris"},
                             {"notes", "private notes"},
                             {"themes", {"work_trauma"}},
                             {"assessment",
                              {{"formulation", "private formulation"},
                               {"safety_plan", {{"reasons_for_living", "my dog"}}},
                               {"cause_for_concern", true},
                               {"concern_reasons", "r"}}},
                             {"follow_up_plan", "call back Friday"},
                             {"signposting", {{{"name", "Samaritans"}, {"note", "private note"}}}}});
    auto second = NewContact({{"caller_number", "+44 7700 900123"}, {"arrived_at", when}, {"addressed_as", "C"}});
    auto other_caller = NewContact({{"caller_number", "07700 900999"}, {"arrived_at", when}});
    auto withheld = NewContact({{"arrived_at", when}});
    Lines lines(Services());
    ASSERT_TRUE(lines.Create(Fields({{"id", "fire"}, {"name", "Fire (test)"}}, ""), "system"));
    Contacts contacts(Services());
    ASSERT_TRUE(contacts.Create(counsellor_, "fire", Fields({{"caller_number", number},
                                                             {"arrived_at", when}}, "")));
    auto now = NewContact({{"caller_number", number}});

    auto got = contacts.Previous(counsellor_, "police", now["id"]);
    ASSERT_TRUE(got) << got.error().message;
    const auto& previous = (*got)["previous"];
    ASSERT_EQ(previous.size(), 2u) << previous.dump() << ": only this line's contacts from this number";
    EXPECT_EQ(previous[0]["id"], second["id"]) << "newest first";
    EXPECT_EQ(previous[0]["addressed_as"], "C");
    const auto& p = previous[1];
    EXPECT_EQ(p["id"], first["id"]);
    EXPECT_EQ(p["addressed_as"], "Chris");
    EXPECT_EQ(p["safety_plan"], (nlohmann::json{{"reasons_for_living", "my dog"}}));
    EXPECT_EQ(p["follow_up_plan"], "call back Friday");
    EXPECT_EQ(p["signposting"], nlohmann::json::array({"Samaritans"}));
    EXPECT_EQ(p["themes"], nlohmann::json::array({"work_trauma"}));
    EXPECT_EQ(p["cause_for_concern"], true);
    EXPECT_EQ(p["imminent_risk"], false);
    EXPECT_EQ(p["counsellor_display_name"], nullptr) << "the test's counsellor is not a stored member of staff";
    const std::string text = got->dump();
    for (const char* secret : {"private notes", "private formulation", "private note", "07700"}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    }

    auto actions = AuditActions();
    for (const auto& id : {first["id"], second["id"]}) {
        EXPECT_EQ(std::count(actions.begin(), actions.end(), "contact.read:" + id.get<std::string>()), 1) << id;
    }
    for (const auto& id : {other_caller["id"], withheld["id"]}) {
        EXPECT_EQ(std::count(actions.begin(), actions.end(), "contact.read:" + id.get<std::string>()), 0) << id;
    }
    auto entries = ListAudit(*store_, 1, 1000);
    ASSERT_TRUE(entries);
    EXPECT_EQ(entries->at("entries").back()["purpose"], "repeat_caller");

    auto from_second = contacts.Previous(counsellor_, "police", second["id"]);
    ASSERT_TRUE(from_second);
    ASSERT_EQ((*from_second)["previous"].size(), 1u) << "only contacts that arrived before it";
    auto none = contacts.Previous(counsellor_, "police", withheld["id"]);
    ASSERT_TRUE(none);
    EXPECT_EQ((*none)["previous"], nlohmann::json::array()) << "no number, no earlier contacts";
    auto missing = contacts.Previous(counsellor_, "fire", now["id"]);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(RecordsTest, ARepeatCallersEarlierContactsAreAtMostTen) {
    for (int i = 12; i >= 1; --i) {
        NewContact({{"caller_number", "07700 900123"}, {"arrived_at", FormatTime(clock_.Now() - i * kHourMs)}});
    }
    auto now = NewContact({{"caller_number", "07700 900123"}});
    Contacts contacts(Services());
    auto got = contacts.Previous(counsellor_, "police", now["id"]);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ((*got)["previous"].size(), 10u);
    EXPECT_EQ((*got)["previous"][0]["arrived_at"], FormatTime(clock_.Now() - kHourMs));
}

TEST_F(RecordsTest, FollowUpsMoveWithTheClockAndShredWhenUnreachable) {
    auto contact = NewContact();
    FollowUps follow_ups(Services());
    nlohmann::json body = {{"earliest", FormatTime(clock_.Now() + kHourMs)},
                           {"latest", FormatTime(clock_.Now() + 2 * kHourMs)},
                           {"method", "phone"},
                           {"number", "07700 900123"},
                           {"consent", true}};
    auto fu = follow_ups.Schedule(counsellor_, "police", contact["id"], Fields(body, ""));
    ASSERT_TRUE(fu) << fu.error().message;
    EXPECT_EQ((*fu)["status"], "scheduled");

    struct Step {
        TimeMs advance;
        const char* expected;
    };
    const Step steps[] = {{kHourMs, "due"}, {2 * kHourMs, "overdue"}, {2 * kDayMs, "unreachable"}};
    for (const auto& step : steps) {
        clock_.Advance(step.advance);
        ASSERT_TRUE(follow_ups.Tick());
        auto listed = follow_ups.List("police", {});
        ASSERT_TRUE(listed);
        EXPECT_EQ((*listed)["follow_ups"][0]["status"], step.expected);
    }
    auto row = ReadOne<std::optional<store::FollowUpRow>>(
        *store_, [&](store::Tx& tx) { return tx.GetFollowUp("police", (*fu)["id"].get<std::string>()); });
    ASSERT_TRUE(row && *row);
    EXPECT_TRUE((*row)->sealed.Empty()) << "the number's data key is erased when the follow-up closes";
}

TEST_F(RecordsTest, PurgeKeepsOnlyAnonymousCountsAndTheChainStaysIntact) {
    auto old = NewContact({{"arrived_at", FormatTime(clock_.Now() - 31 * kDayMs)}, {"caller_role", "police_officer"}});
    auto recent = NewContact({{"caller_role", "police_staff"}});
    auto s = Services();
    auto report = Purge(s);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->contacts, 1);
    Contacts contacts(Services());
    EXPECT_FALSE(contacts.Read(supervisor_, "police", old["id"], "supervision", {}));
    EXPECT_TRUE(contacts.Read(supervisor_, "police", recent["id"], "supervision", {}));
    auto counts = ReadOne<std::vector<store::RetainedCountRow>>(*store_,
                                                                [](store::Tx& tx) { return tx.ListRetainedCounts("police"); });
    ASSERT_TRUE(counts);
    bool found_role = false;
    for (const auto& c : *counts) found_role |= c.key == "caller_role:police_officer" && c.count == 1;
    EXPECT_TRUE(found_role);
    auto verified = VerifyAudit(*store_, writer_->Chain());
    ASSERT_TRUE(verified);
    EXPECT_TRUE(verified->Ok()) << verified->chain.reason;
}

TEST_F(RecordsTest, ConcurrentEditsDoNotOverwriteEachOther) {
    auto c = NewContact();
    Contacts contacts(Services());
    const std::string id = c["id"];
    auto first = contacts.Update(counsellor_, "police", id, Fields({{"version", 1}, {"notes", "first"}}, ""));
    ASSERT_TRUE(first);
    auto second = contacts.Update(counsellor_, "police", id, Fields({{"version", 1}, {"notes", "second"}}, ""));
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kConflict);
    auto read = contacts.Read(counsellor_, "police", id, "on_call", {});
    EXPECT_EQ((*read)["notes"], "first");
}

TEST_F(RecordsTest, AnUpdateTellsTheFlagsItReplaced) {
    auto created = NewContact({{"assessment", {{"cause_for_concern", false}}}});
    Contacts contacts(Services());
    ContactFlags before{true, true};
    auto updated = contacts.Update(counsellor_, "police", created["id"],
                                   Fields({{"version", created["version"]},
                                           {"assessment", {{"cause_for_concern", true}, {"concern_reasons", "r"}}}},
                                          ""),
                                   &before);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(before, (ContactFlags{false, false}));
    EXPECT_EQ(FlagsOf(*updated), (ContactFlags{true, false}));
    auto again = contacts.Update(counsellor_, "police", created["id"],
                                 Fields({{"version", (*updated)["version"]}, {"notes", "n"}}, ""), &before);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(before, FlagsOf(*again)) << "a change that leaves the flags alone reports them unchanged";
}

}  // namespace
}  // namespace crisisline::records
