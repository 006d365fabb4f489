#include "api/detail/live_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace crisisline::api::detail {
namespace {

using staff::Role;

// A WebSocketPeer that keeps what it was sent.
class RecordingPeer : public http::WebSocketPeer {
public:
    bool Send(std::string text) override {
        std::lock_guard lock(mu_);
        if (closed_code_ != 0) return false;
        sent_.push_back(nlohmann::json::parse(text));
        return true;
    }
    void Close(std::uint16_t code, std::string) override {
        std::lock_guard lock(mu_);
        closed_code_ = code;
    }
    bool IsOpen() const override {
        std::lock_guard lock(mu_);
        return closed_code_ == 0;
    }
    std::vector<nlohmann::json> Sent() const {
        std::lock_guard lock(mu_);
        return sent_;
    }
    std::uint16_t ClosedCode() const {
        std::lock_guard lock(mu_);
        return closed_code_;
    }

private:
    mutable std::mutex mu_;
    std::vector<nlohmann::json> sent_;
    std::uint16_t closed_code_ = 0;
};

std::int64_t Publish(events::Bus& bus, const std::string& type, const std::string& line,
                     const std::string& counsellor = "") {
    events::Event e;
    e.type = type;
    e.line = line;
    e.counsellor = counsellor;
    return bus.Publish(std::move(e));
}

const staff::Principal kSupervisor{"st_s", "S", {Role::kSupervisor}, {"police"}};
const staff::Principal kCounsellor{"st_c", "C", {Role::kCounsellor}, {"police"}};

TEST(LiveFeedTest, HelloFirstThenWhatHappenedSinceThenLiveEachOnce) {
    events::Bus bus;
    LiveFeed feed(bus, nullptr);
    Publish(bus, "call.arrived", "police");
    const std::int64_t hello_seq = bus.LastSeq();
    const std::int64_t between = Publish(bus, "call.queued", "police");  // after the hello was built
    auto peer = std::make_shared<RecordingPeer>();
    const auto id = feed.Add(kSupervisor, "token", peer, R"({"type":"hello"})", hello_seq);
    const std::int64_t live = Publish(bus, "call.ringing", "police", "st_c");
    Publish(bus, "call.arrived", "fire");  // not this supervisor's line
    const auto sent = peer->Sent();
    ASSERT_EQ(sent.size(), 3U);
    EXPECT_EQ(sent[0]["type"], "hello");
    EXPECT_EQ(sent[1]["seq"], between);
    EXPECT_EQ(sent[2]["seq"], live);
    EXPECT_EQ(sent[2]["counsellor"], "st_c");
    feed.Remove(id);
    Publish(bus, "call.ended", "police");
    EXPECT_EQ(peer->Sent().size(), 3U) << "nothing after Remove";
}

TEST(LiveFeedTest, EachWatcherGetsWhatTheyMaySeeInPublicationOrder) {
    events::Bus bus;
    LiveFeed feed(bus, nullptr);
    auto supervisor = std::make_shared<RecordingPeer>();
    auto counsellor = std::make_shared<RecordingPeer>();
    feed.Add(kSupervisor, "t1", supervisor, "{}", bus.LastSeq());
    feed.Add(kCounsellor, "t2", counsellor, "{}", bus.LastSeq());
    std::vector<std::thread> publishers;
    for (int t = 0; t < 4; ++t) {
        publishers.emplace_back([&bus] {
            for (int i = 0; i < 250; ++i) Publish(bus, i % 2 ? "queue.summary" : "call.arrived", "police");
        });
    }
    for (auto& p : publishers) p.join();
    const auto seen = supervisor->Sent();
    ASSERT_EQ(seen.size(), 1001U);
    for (std::size_t i = 2; i < seen.size(); ++i) EXPECT_LT(seen[i - 1]["seq"], seen[i]["seq"]);
    const auto mine = counsellor->Sent();
    ASSERT_EQ(mine.size(), 501U) << "a counsellor sees the queue summary, not the calls";
    for (std::size_t i = 1; i < mine.size(); ++i) EXPECT_EQ(mine[i]["type"], "queue.summary");
}

TEST(LiveFeedTest, LineLessEventsFollowTheCounsellorsLinesAndUnknownOnesAskForThem) {
    events::Bus bus;
    std::atomic<int> wanted{0};
    LiveFeed feed(bus, [&wanted] { ++wanted; });
    auto peer = std::make_shared<RecordingPeer>();
    feed.Add(kSupervisor, "t", peer, "{}", bus.LastSeq());
    Publish(bus, "counsellor.state", "", "st_new");
    EXPECT_EQ(wanted.load(), 1);
    EXPECT_EQ(peer->Sent().size(), 1U);
    feed.SetCounsellorLines({{"st_new", {"police"}}});
    Publish(bus, "counsellor.state", "", "st_new");
    EXPECT_EQ(wanted.load(), 1);
    EXPECT_EQ(peer->Sent().size(), 2U);
    Publish(bus, "phone.registered", "", "st_new");
    EXPECT_EQ(wanted.load(), 2) << "a registration may be a new counsellor or new lines";
}

TEST(LiveFeedTest, ReCheckUpdatesOrClosesAWatcher) {
    events::Bus bus;
    LiveFeed feed(bus, nullptr);
    auto peer = std::make_shared<RecordingPeer>();
    const auto id = feed.Add(kSupervisor, "the-token", peer, "{}", bus.LastSeq());
    auto watchers = feed.Watchers();
    ASSERT_EQ(watchers.size(), 1U);
    EXPECT_EQ(watchers[0].session_token, "the-token");
    staff::Principal moved = kSupervisor;
    moved.lines = {"fire"};
    feed.Update(id, moved);
    Publish(bus, "call.arrived", "police");
    Publish(bus, "call.arrived", "fire");
    ASSERT_EQ(peer->Sent().size(), 2U);
    EXPECT_EQ(peer->Sent()[1]["line"], "fire");
    feed.Close(id, 4401, "session ended");
    EXPECT_EQ(peer->ClosedCode(), 4401);
    EXPECT_EQ(feed.Size(), 0U);
    feed.Detach();
    Publish(bus, "call.arrived", "fire");  // harmless after Detach
}

}  // namespace
}  // namespace crisisline::api::detail
