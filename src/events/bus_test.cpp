#include "events/bus.hpp"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace crisisline::events {
namespace {

Event Named(const std::string& type) {
    Event e;
    e.type = type;
    return e;
}

TEST(Bus, DeliversInOrderWithIncreasingSequence) {
    Bus bus;
    std::vector<std::pair<std::int64_t, std::string>> seen;
    bus.Subscribe([&](const Event& e) { seen.emplace_back(e.seq, e.type); });
    bus.Publish(Named("call.arrived"));
    bus.Publish(Named("call.bridged"));
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], std::make_pair(std::int64_t{1}, std::string("call.arrived")));
    EXPECT_EQ(seen[1], std::make_pair(std::int64_t{2}, std::string("call.bridged")));
    EXPECT_EQ(bus.LastSeq(), 2);
}

TEST(Bus, EachBusHasItsOwnEpochSinceItsNumbersStartAgain) {
    Bus first, second;
    EXPECT_EQ(first.Epoch().size(), 16u);
    EXPECT_NE(first.Epoch(), second.Epoch());
    first.Publish({});
    EXPECT_EQ(second.Publish({}), 1) << "a new bus numbers from 1 again: the epoch tells the two apart";
}

TEST(Bus, UnsubscribedHandlerIsNotCalled) {
    Bus bus;
    int calls = 0;
    auto token = bus.Subscribe([&](const Event&) { ++calls; });
    bus.Publish(Named("a"));
    bus.Unsubscribe(token);
    bus.Publish(Named("b"));
    EXPECT_EQ(calls, 1);
}

TEST(Bus, KeepsOnlyTheMostRecentForResync) {
    Bus bus(3);
    for (int i = 0; i < 5; ++i) bus.Publish(Named("e" + std::to_string(i)));
    auto all = bus.Since(0);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all.front().type, "e2");
    EXPECT_EQ(all.front().seq, 3);
    auto tail = bus.Since(4);
    ASSERT_EQ(tail.size(), 1u);
    EXPECT_EQ(tail[0].type, "e4");
}

TEST(Bus, ConcurrentPublishersEachEventOnceInSequenceOrder) {
    Bus bus;
    std::vector<std::int64_t> seqs;
    bus.Subscribe([&](const Event& e) { seqs.push_back(e.seq); });  // delivery is serialised by the Bus
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 250; ++i) bus.Publish(Named("x"));
        });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(seqs.size(), 1000u);
    for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<std::int64_t>(i + 1));
}

TEST(Bus, JsonLeavesOutEmptyLineAndCounsellor) {
    Event e = Named("counsellor.state");
    e.counsellor = "c1";
    auto j = ToJson(e);
    EXPECT_EQ(j["counsellor"], "c1");
    EXPECT_FALSE(j.contains("line"));
    EXPECT_EQ(j["type"], "counsellor.state");
}

}  // namespace
}  // namespace crisisline::events
