#include "media/monitor_mix.hpp"

#include <gtest/gtest.h>

namespace crisisline::media {
namespace {

Frame Filled(std::uint8_t byte) {
    Frame f;
    f.fill(byte);
    return f;
}

std::uint8_t Sum(std::uint8_t a, std::uint8_t b) {
    return EncodeSample(Codec::kPcmu, static_cast<std::int16_t>(DecodeSample(Codec::kPcmu, a) +
                                                                DecodeSample(Codec::kPcmu, b)));
}

TEST(MonitorMixTest, WhoHearsWhomInEachMode) {
    struct Case {
        MonitorMode mode;
        Party listener, speaker;
        bool hears;
    };
    const Case cases[] = {
        {MonitorMode::kListen, Party::kSupervisor, Party::kCaller, true},
        {MonitorMode::kListen, Party::kSupervisor, Party::kCounsellor, true},
        {MonitorMode::kListen, Party::kCaller, Party::kSupervisor, false},
        {MonitorMode::kListen, Party::kCounsellor, Party::kSupervisor, false},
        {MonitorMode::kListen, Party::kCaller, Party::kCounsellor, true},
        {MonitorMode::kCoach, Party::kCounsellor, Party::kSupervisor, true},
        {MonitorMode::kCoach, Party::kCaller, Party::kSupervisor, false},
        {MonitorMode::kJoin, Party::kCaller, Party::kSupervisor, true},
        {MonitorMode::kJoin, Party::kCounsellor, Party::kSupervisor, true},
        {MonitorMode::kJoin, Party::kSupervisor, Party::kSupervisor, false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(Hears(c.mode, c.listener, c.speaker), c.hears)
            << MonitorModeName(c.mode) << " listener " << static_cast<int>(c.listener) << " speaker "
            << static_cast<int>(c.speaker);
    }
}

TEST(MonitorMixTest, ListenMixesBothSidesForTheSupervisorOnly) {
    MonitorMix mix;
    const auto caller = Filled(0x2A), counsellor = Filled(0x55), supervisor = Filled(0x33);
    ASSERT_TRUE(mix.Put(Party::kCaller, Codec::kPcmu, caller.data(), caller.size()));
    ASSERT_TRUE(mix.Put(Party::kCounsellor, Codec::kPcmu, counsellor.data(), counsellor.size()));
    ASSERT_TRUE(mix.Put(Party::kSupervisor, Codec::kPcmu, supervisor.data(), supervisor.size()));
    mix.Tick();
    Frame out{};
    ASSERT_TRUE(mix.Mix(MonitorMode::kListen, Party::kSupervisor, Codec::kPcmu, out));
    EXPECT_EQ(out, Filled(Sum(0x2A, 0x55)));
    ASSERT_TRUE(mix.Mix(MonitorMode::kListen, Party::kCaller, Codec::kPcmu, out));
    EXPECT_EQ(out, counsellor);  // one source: the same bytes, nothing of the supervisor
    ASSERT_TRUE(mix.Mix(MonitorMode::kCoach, Party::kCounsellor, Codec::kPcmu, out));
    EXPECT_EQ(out, Filled(Sum(0x2A, 0x33)));
    // A PCMA listener gets the same sum in its own law.
    ASSERT_TRUE(mix.Mix(MonitorMode::kJoin, Party::kCaller, Codec::kPcma, out));
    EXPECT_EQ(out[0], EncodeSample(Codec::kPcma, static_cast<std::int16_t>(DecodeSample(Codec::kPcmu, 0x55) +
                                                                          DecodeSample(Codec::kPcmu, 0x33))));
}

TEST(MonitorMixTest, NothingIsSentWhenNobodyHeardSpokeAndOddSizesAreRefused) {
    MonitorMix mix;
    const auto supervisor = Filled(0x33);
    ASSERT_TRUE(mix.Put(Party::kSupervisor, Codec::kPcmu, supervisor.data(), supervisor.size()));
    EXPECT_FALSE(mix.Put(Party::kCaller, Codec::kPcmu, supervisor.data(), 80));
    mix.Tick();
    Frame out{};
    EXPECT_FALSE(mix.Mix(MonitorMode::kListen, Party::kCaller, Codec::kPcmu, out));
    EXPECT_FALSE(mix.Mix(MonitorMode::kListen, Party::kCounsellor, Codec::kPcmu, out));
    mix.Tick();  // the supervisor's one frame was taken last tick
    EXPECT_FALSE(mix.Mix(MonitorMode::kJoin, Party::kCaller, Codec::kPcmu, out));
}

TEST(MonitorMixTest, AQueueKeepsAtMostAFewFramesDroppingTheOldest) {
    MonitorMix mix;
    for (std::uint8_t b = 1; b <= MonitorMix::kMaxQueued + 2; ++b) {
        const auto f = Filled(static_cast<std::uint8_t>(0x10 + b));
        ASSERT_TRUE(mix.Put(Party::kCaller, Codec::kPcmu, f.data(), f.size()));
    }
    Frame out{};
    mix.Tick();
    ASSERT_TRUE(mix.Mix(MonitorMode::kListen, Party::kCounsellor, Codec::kPcmu, out));
    EXPECT_EQ(out[0], 0x13);  // 0x11 and 0x12 were dropped
}

}  // namespace
}  // namespace crisisline::media
