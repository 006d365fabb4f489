#include "telephony/queue_summary.hpp"

#include <gtest/gtest.h>

namespace crisisline::telephony {
namespace {

acd::WaitingCallView Waiting(const std::string& line, TimeMs wait_ms) {
    acd::WaitingCallView w;
    w.call = "call-" + line + std::to_string(wait_ms);
    w.line = line;
    w.wait_ms = wait_ms;
    return w;
}

TEST(QueueSummaryTest, CountsEachLinesCallersAndTheLongestWait) {
    acd::LiveState state;
    state.waiting = {Waiting("police", 4000), Waiting("fire", 100), Waiting("police", 9000)};
    const auto summary = SummariseQueues(state);
    ASSERT_EQ(summary.size(), 2U);
    EXPECT_EQ(summary.at("police").waiting, 2);
    EXPECT_EQ(summary.at("police").longest_wait_ms, 9000);
    EXPECT_EQ(summary.at("fire").waiting, 1);
}

TEST(QueueSummaryTest, OnlyAChangeInTheNumberWaitingIsAChange) {
    struct Case {
        const char* name;
        std::map<std::string, QueueSummary> before, now;
        std::vector<std::pair<std::string, std::int64_t>> want;  // line, waiting now
    };
    const std::vector<Case> cases = {
        {"nothing anywhere", {}, {}, {}},
        {"first caller", {}, {{"police", {1, 0}}}, {{"police", 1}}},
        {"wait grows only", {{"police", {1, 100}}}, {{"police", {1, 5000}}}, {}},
        {"second caller", {{"police", {1, 100}}}, {{"police", {2, 5000}}}, {{"police", 2}}},
        {"queue empties", {{"police", {1, 100}}, {"fire", {1, 1}}}, {{"fire", {1, 2}}}, {{"police", 0}}},
        {"two lines change", {{"police", {3, 0}}}, {{"fire", {1, 0}}, {"police", {2, 0}}}, {{"fire", 1}, {"police", 2}}},
    };
    for (const auto& c : cases) {
        std::vector<std::pair<std::string, std::int64_t>> got;
        for (const auto& [line, summary] : ChangedQueues(c.before, c.now)) got.emplace_back(line, summary.waiting);
        EXPECT_EQ(got, c.want) << c.name;
    }
}

}  // namespace
}  // namespace crisisline::telephony
