// The counting queries behind the supervisor's wallboard (TallyPhoneContacts, CountFollowUps), on real SQLite.
#include <gtest/gtest.h>

#include <string>

#include "store/detail/store_test_support.hpp"
#include "store/store.hpp"

namespace crisisline::store {
namespace {

constexpr TimeMs kDay = 1'000'000'000;  // the window starts here

// A phone contact as telephony writes it: channel and call facts in clear, content elsewhere.
ContactRow PhoneCall(const std::string& id,
                     TimeMs arrived_at,
                     std::optional<TimeMs> wait_ms,
                     const std::string& counsellor,
                     const std::string& end_reason,
                     const std::string& line_id = "line-a") {
    ContactRow row;
    row.id = id;
    row.line_id = line_id;
    row.status = "closed";
    row.arrived_at = arrived_at;
    if (wait_ms) row.answered_at = arrived_at + *wait_ms;
    row.counsellor_id = counsellor;
    row.facts_json = R"({"channel":"phone","call":{"end_reason":)";
    row.facts_json += end_reason.empty() ? std::string("null") : std::string(1, '"').append(end_reason).append("\"");
    row.facts_json += "}}";
    row.created_at = row.updated_at = arrived_at;
    return row;
}

class SqliteTallyTest : public testing::StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        auto written = store_->Write([](Tx& tx) -> Result<void> {
            if (auto a = tx.PutLine({"line-a", "Line A", "{}", 1, 2}); !a) return a;
            return tx.PutLine({"line-b", "Line B", "{}", 3, 4});
        });
        ASSERT_TRUE(written) << written.error().message;
    }

    void Insert(const std::vector<ContactRow>& rows) {
        auto written = store_->Write([&](Tx& tx) -> Result<void> {
            for (const auto& row : rows) {
                if (auto r = tx.InsertContact(row); !r) return r;
            }
            return {};
        });
        ASSERT_TRUE(written) << written.error().message;
    }

    PhoneTally Tally(const std::string& line_id, TimeMs since, TimeMs before) {
        PhoneTally out;
        auto read = store_->Read([&](Tx& tx) -> Result<void> {
            auto tally = tx.TallyPhoneContacts(line_id, since, before);
            if (!tally) return tl::unexpected(tally.error());
            out = *tally;
            return {};
        });
        EXPECT_TRUE(read) << read.error().message;
        return out;
    }
};

TEST_F(SqliteTallyTest, CountsTodaysPhoneCallsByWhatHappened) {
    ContactRow typed = PhoneCall("c-typed", kDay + 50, 0, "s1", "");
    typed.facts_json = "{}";  // entered by hand, not a phone call: not offered
    Insert({
        PhoneCall("c-fast", kDay + 10, 5'000, "s1", "completed"),
        PhoneCall("c-20s", kDay + 20, 20'000, "s2", "completed"),
        PhoneCall("c-45s", kDay + 30, 45'000, "s1", ""),  // still on the call
        PhoneCall("c-slow", kDay + 40, 90'000, "s2", "completed"),
        PhoneCall("c-gone", kDay + 60, std::nullopt, "", "abandoned"),
        PhoneCall("c-partner", kDay + 70, 121'000, "", "overflowed"),  // answered by the partner, not by us
        PhoneCall("c-yesterday", kDay - 10, 1'000, "s1", "completed"),
        PhoneCall("c-other-line", kDay + 80, 1'000, "s1", "completed", "line-b"),
        typed,
    });
    const PhoneTally t = Tally("line-a", kDay, kDay + 86'400'000);
    EXPECT_EQ(t.offered, 6);
    EXPECT_EQ(t.answered, 4);
    EXPECT_EQ(t.abandoned, 1);
    EXPECT_EQ(t.overflowed, 1);
    EXPECT_EQ(t.answered_within_20s, 2);  // 20 s exactly counts as within
    EXPECT_EQ(t.answered_within_60s, 3);
    EXPECT_EQ(t.answer_wait_ms_total, 5'000 + 20'000 + 45'000 + 90'000);

    const PhoneTally empty = Tally("line-a", kDay + 86'400'000, kDay + 2 * 86'400'000);
    EXPECT_EQ(empty.offered, 0);
    EXPECT_EQ(empty.answered, 0);
    EXPECT_EQ(empty.answer_wait_ms_total, 0);
}

TEST_F(SqliteTallyTest, CountsFollowUpsOfOneStatusOnOneLine) {
    Insert({PhoneCall("c1", kDay, 1'000, "s1", "completed"), PhoneCall("c2", kDay, 1'000, "s1", "completed", "line-b")});
    auto written = store_->Write([](Tx& tx) -> Result<void> {
        int n = 0;
        for (const auto& [line, contact, status] : {std::tuple{"line-a", "c1", "overdue"}, {"line-a", "c1", "overdue"},
                                                    {"line-a", "c1", "due"}, {"line-b", "c2", "overdue"}}) {
            FollowUpRow row;
            row.id = "fu" + std::to_string(++n);
            row.line_id = line;
            row.contact_id = contact;
            row.status = status;
            row.earliest = kDay;
            row.latest = kDay + 1000;
            row.assigned_to = "pool";
            row.attempts_json = "[]";
            if (auto r = tx.InsertFollowUp(row); !r) return r;
        }
        return {};
    });
    ASSERT_TRUE(written) << written.error().message;
    std::int64_t overdue = -1;
    auto read = store_->Read([&](Tx& tx) -> Result<void> {
        auto n = tx.CountFollowUps("line-a", "overdue");
        if (!n) return tl::unexpected(n.error());
        overdue = *n;
        return {};
    });
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(overdue, 2);
}

// Staffing's history: arrivals per half hour and the sums of waits, talk and wrap-up.
TEST_F(SqliteTallyTest, CountsArrivalsPerHalfHourAndSumsCallTimings) {
    constexpr TimeMs kHalf = 1'800'000;
    const TimeMs base = 600 * kHalf;  // a half hour's start
    auto ended = [](ContactRow row, TimeMs talk_ms, std::optional<TimeMs> closed_after_ms) {
        row.ended_at = (row.answered_at ? *row.answered_at : row.arrived_at) + talk_ms;
        row.status = closed_after_ms ? "closed" : "open";
        row.updated_at = *row.ended_at + closed_after_ms.value_or(0);
        return row;
    };
    ContactRow typed = PhoneCall("c-typed", base + 5, 0, "s1", "");
    typed.facts_json = "{}";  // entered by hand: not a call
    Insert({
        ended(PhoneCall("c1", base + 10, 10'000, "s1", "completed"), 600'000, 120'000),  // 10 s wait, 600 s, 120 s
        ended(PhoneCall("c2", base + 20, 30'000, "s2", "completed"), 300'000, std::nullopt),  // not closed yet
        ended(PhoneCall("c3", base + kHalf + 5, std::nullopt, "", "abandoned"), 40'000, 0),  // gave up after 40 s
        ended(PhoneCall("c4", base + kHalf + 6, 100'000, "s1", "completed"), 60'000, 9 * 3'600'000),  // capped
        ended(PhoneCall("c5", base + 3 * kHalf, std::nullopt, "", "failed"), 1'000, 0),  // never reached the queue
        PhoneCall("c6", base + 3 * kHalf + 1, 5'000, "s2", ""),  // on the call now: an arrival, not yet timed
        typed,
    });
    std::vector<HalfHourCount> counts;
    CallTimings sums;
    auto read = store_->Read([&](Tx& tx) -> Result<void> {
        auto c = tx.CountPhoneArrivalsByHalfHour("line-a", base, base + 4 * kHalf);
        if (!c) return tl::unexpected(c.error());
        counts = *c;
        auto t = tx.SumCallTimings("line-a", base, base + 4 * kHalf);
        if (!t) return tl::unexpected(t.error());
        sums = *t;
        return {};
    });
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts[0].half_hour, 600);
    EXPECT_EQ(counts[0].calls, 2);
    EXPECT_EQ(counts[1].half_hour, 601);
    EXPECT_EQ(counts[1].calls, 2);
    EXPECT_EQ(counts[2].half_hour, 603);
    EXPECT_EQ(counts[2].calls, 1);  // the failed call is not demand
    EXPECT_EQ(sums.answered, 3);
    EXPECT_EQ(sums.talk_ms_total, 600'000 + 300'000 + 60'000);
    EXPECT_EQ(sums.closed, 2);
    EXPECT_EQ(sums.wrap_up_ms_total, 120'000 + 7'200'000);
    EXPECT_EQ(sums.abandoned, 1);
    EXPECT_EQ(sums.waited_ms_total, 10'000 + 30'000 + 40'000 + 100'000);
}

}  // namespace
}  // namespace crisisline::store
