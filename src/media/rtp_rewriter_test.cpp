#include "media/rtp_rewriter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace crisisline::media {
namespace {

constexpr uint32_t kSsrc = 0x5EED1234;
constexpr uint32_t kPrompt = 0xFFFFFFFF;  // the key the telephony uses for its own frames
constexpr uint32_t kCaller = 0xCA11E7;
constexpr uint32_t kCounsellor = 0xC0C0A;

// One source sending 20 ms packets: seq and ts advance like a real sender's.
struct Source {
    uint32_t key;
    uint16_t seq;
    uint32_t ts;
    uint8_t pt = 0;
    RtpIn Packet(bool marker = false) {
        RtpIn in{key, seq, ts, marker, pt};
        ++seq;
        ts += 160;
        return in;
    }
};

RtpOut Must(std::optional<RtpOut> out) {
    EXPECT_TRUE(out.has_value());
    return out.value_or(RtpOut{});
}

TEST(RtpRewriterTest, FirstPacketUsesTheChosenStartAndMarks) {
    RtpRewriter rw(kSsrc, 1000, 50000);
    Source prompt{kPrompt, 7, 123456};
    const RtpOut first = Must(rw.Next(prompt.Packet(), 0));
    EXPECT_EQ(first.ssrc, kSsrc);
    EXPECT_EQ(first.seq, 1000);
    EXPECT_EQ(first.ts, 50000u);
    EXPECT_TRUE(first.marker);
    const RtpOut second = Must(rw.Next(prompt.Packet(), 20));
    EXPECT_EQ(second.seq, 1001);
    EXPECT_EQ(second.ts, 50160u);
    EXPECT_FALSE(second.marker);
}

// prompt -> caller -> hold (prompt key) -> counsellor: one SSRC, seq +1 per packet, ts never backwards, and the
// marker exactly on the first packet of each source.
TEST(RtpRewriterTest, StaysContinuousAcrossThreeSwitches) {
    RtpRewriter rw(kSsrc, 65530, 4294967000u);  // both about to wrap
    Source sources[] = {{kPrompt, 0, 0}, {kCaller, 40000, 900000}, {kPrompt, 100, 160000}, {kCounsellor, 9, 7}};
    uint64_t now = 0;
    std::vector<RtpOut> sent;
    std::vector<bool> switch_at;
    for (auto& source : sources) {
        for (int i = 0; i < 5; ++i) {
            sent.push_back(Must(rw.Next(source.Packet(), now)));
            switch_at.push_back(i == 0);
            now += 20;
        }
    }
    for (size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(sent[i].ssrc, kSsrc) << i;
        EXPECT_EQ(sent[i].marker, switch_at[i]) << i;
        if (i == 0) continue;
        EXPECT_EQ(uint16_t(sent[i].seq - sent[i - 1].seq), 1) << i;
        // Packets 20 ms apart on the wall clock: exactly 160 samples apart, switch or not, through the wrap.
        EXPECT_EQ(uint32_t(sent[i].ts - sent[i - 1].ts), 160u) << i;
    }
    EXPECT_EQ(sent[6].seq, 0);  // wrapped from 65535
    EXPECT_EQ(rw.packets_out(), 20u);
    EXPECT_EQ(rw.packets_dropped(), 0u);
}

TEST(RtpRewriterTest, RebasesOnElapsedWallClockTimeAtASwitch) {
    RtpRewriter rw(kSsrc, 1, 1000);
    Source prompt{kPrompt, 0, 0};
    Source caller{kCaller, 500, 77777};
    Must(rw.Next(prompt.Packet(), 0));
    Must(rw.Next(prompt.Packet(), 20));  // ts 1160
    // 1.5 s of nothing (the caller's media took a while to start): ts moves on by 12000 samples.
    const RtpOut after_gap = Must(rw.Next(caller.Packet(), 1520));
    EXPECT_EQ(after_gap.ts, 1160u + 12000u);
    EXPECT_TRUE(after_gap.marker);
    EXPECT_EQ(after_gap.seq, 3);
    // Within the source, its own timestamps rule (even if the wall clock says otherwise).
    const RtpOut next = Must(rw.Next(caller.Packet(), 1521));
    EXPECT_EQ(next.ts, 1160u + 12000u + 160u);
    // A switch only 5 ms after the last packet still moves on by one full frame.
    const RtpOut back = Must(rw.Next(prompt.Packet(), 1526));
    EXPECT_EQ(back.ts, next.ts + 160u);
    // A clock that went backwards is treated as no time elapsed.
    const RtpOut again = Must(rw.Next(caller.Packet(), 100));
    EXPECT_EQ(again.ts, back.ts + 160u);
}

TEST(RtpRewriterTest, KeepsLossVisibleAsASequenceGap) {
    RtpRewriter rw(kSsrc, 10, 0);
    Source caller{kCaller, 200, 3200};
    Must(rw.Next(caller.Packet(), 0));  // seq 10
    caller.Packet();                    // lost
    caller.Packet();                    // lost
    const RtpOut after = Must(rw.Next(caller.Packet(), 60));
    EXPECT_EQ(after.seq, 13);  // jumps by 3 as the input did
    EXPECT_EQ(after.ts, 480u);
    EXPECT_FALSE(after.marker);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 80)).seq, 14);
}

TEST(RtpRewriterTest, DropsDuplicatesAndLatePackets) {
    RtpRewriter rw(kSsrc, 10, 0);
    Source caller{kCaller, 65534, 0};
    const RtpIn a = caller.Packet();
    const RtpIn b = caller.Packet();
    const RtpIn c = caller.Packet();  // seq 0 after the wrap
    Must(rw.Next(a, 0));
    Must(rw.Next(c, 40));
    EXPECT_FALSE(rw.Next(c, 41).has_value());  // duplicate
    EXPECT_FALSE(rw.Next(b, 42).has_value());  // late: its slot has gone
    EXPECT_FALSE(rw.Next(a, 43).has_value());
    const RtpOut d = Must(rw.Next(caller.Packet(), 60));
    EXPECT_EQ(d.seq, 13);
    EXPECT_EQ(rw.packets_out(), 3u);
    EXPECT_EQ(rw.packets_dropped(), 3u);
}

TEST(RtpRewriterTest, OutputSequenceWrapsAt65535) {
    RtpRewriter rw(kSsrc, 65534, 0);
    Source caller{kCaller, 1, 0};
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 0)).seq, 65534);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 20)).seq, 65535);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 40)).seq, 0);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 60)).seq, 1);
}

TEST(RtpRewriterTest, FollowsTheInputTimestampThroughItsWrap) {
    RtpRewriter rw(kSsrc, 0, 1000);
    Source caller{kCaller, 1, 4294967136u};  // wraps after one packet
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 0)).ts, 1000u);
    EXPECT_EQ(caller.ts, 0u);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 20)).ts, 1160u);
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 40)).ts, 1320u);
}

TEST(RtpRewriterTest, PassesTelephoneEventsWithTheSameRule) {
    RtpRewriter rw(kSsrc, 0, 0);
    Source caller{kCaller, 10, 8000};
    Must(rw.Next(caller.Packet(), 0));
    // An RFC 4733 event: three packets sharing the event's timestamp, the first marked by the sender.
    const uint32_t event_ts = caller.ts;
    std::vector<RtpOut> out;
    for (int i = 0; i < 3; ++i) {
        out.push_back(Must(rw.Next(RtpIn{kCaller, caller.seq++, event_ts, i == 0, 101}, 20 + 20 * i)));
    }
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].pt, 101);
        EXPECT_EQ(out[i].ts, 160u);
        EXPECT_EQ(out[i].seq, 1 + i);
        EXPECT_EQ(out[i].marker, i == 0);
    }
}

TEST(RtpRewriterTest, TakesARestartedSourceOnlyWhenTwoPacketsAgree) {
    RtpRewriter rw(kSsrc, 0, 0);
    Source caller{kCaller, 100, 0};
    Must(rw.Next(caller.Packet(), 0));
    Must(rw.Next(caller.Packet(), 20));
    // One stray packet far ahead is dropped; the stream carries on.
    EXPECT_FALSE(rw.Next(RtpIn{kCaller, 40000, 5, false, 0}, 30).has_value());
    EXPECT_EQ(Must(rw.Next(caller.Packet(), 40)).seq, 2);
    // The sender restarts its sequence: the first packet is dropped, the second rebases with a marker.
    Source restarted{kCaller, 30000, 999999};
    EXPECT_FALSE(rw.Next(restarted.Packet(), 60).has_value());
    const RtpOut resumed = Must(rw.Next(restarted.Packet(), 80));
    EXPECT_EQ(resumed.seq, 3);
    EXPECT_TRUE(resumed.marker);
    EXPECT_EQ(resumed.ts, 320u + 320u);  // 40 ms on the wall clock since the last packet sent
    EXPECT_EQ(Must(rw.Next(restarted.Packet(), 100)).seq, 4);
}

}  // namespace
}  // namespace crisisline::media
