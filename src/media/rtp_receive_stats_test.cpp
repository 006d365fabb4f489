#include <gtest/gtest.h>

#include "media/rtp_rewriter.hpp"

namespace crisisline::media {
namespace {

TEST(RtpReceiveStatsTest, CountsNothingBeforeTheFirstPacket) {
    RtpReceiveStats stats;
    EXPECT_EQ(stats.received(), 0u);
    EXPECT_EQ(stats.expected(), 0u);
    EXPECT_EQ(stats.lost(), 0u);
}

TEST(RtpReceiveStatsTest, CountsGapsAsLost) {
    RtpReceiveStats stats;
    for (uint16_t seq : {10, 11, 12, 15, 16, 20}) stats.Seen(seq);
    EXPECT_EQ(stats.received(), 6u);
    EXPECT_EQ(stats.expected(), 11u);
    EXPECT_EQ(stats.lost(), 5u);
}

TEST(RtpReceiveStatsTest, ExtendsTheSequenceAcrossWraps) {
    RtpReceiveStats stats;
    uint16_t seq = 65000;
    for (int i = 0; i < 200000; ++i) {
        if (i % 1000 != 999) stats.Seen(seq);  // one in a thousand lost
        ++seq;
    }
    EXPECT_EQ(stats.expected(), 200000u - 1u);  // the last packet was a lost one
    EXPECT_EQ(stats.lost(), 199u);
}

TEST(RtpReceiveStatsTest, LateAndDuplicatePacketsAreReceivedButDoNotMoveTheHighest) {
    RtpReceiveStats stats;
    for (uint16_t seq : {1, 2, 4, 3, 4}) stats.Seen(seq);
    EXPECT_EQ(stats.expected(), 4u);
    EXPECT_EQ(stats.received(), 5u);
    EXPECT_EQ(stats.lost(), 0u);  // duplicates outnumber losses: never negative
    // Reordered across the wrap.
    RtpReceiveStats wrap;
    for (uint16_t seq : {65534, 0, 65535, 1}) wrap.Seen(seq);
    EXPECT_EQ(wrap.expected(), 4u);
    EXPECT_EQ(wrap.lost(), 0u);
}

TEST(RtpReceiveStatsTest, RestartsOnlyWhenTwoPacketsAgreeOnAJump) {
    RtpReceiveStats stats;
    for (uint16_t seq : {100, 101, 102}) stats.Seen(seq);
    stats.Seen(30000);  // a stray: ignored
    stats.Seen(103);
    EXPECT_EQ(stats.expected(), 4u);
    EXPECT_EQ(stats.received(), 4u);
    stats.Seen(20000);  // the sender restarted: taken once the next packet follows on
    stats.Seen(20001);
    stats.Seen(20003);
    EXPECT_EQ(stats.expected(), 3u);  // counted afresh from 20001
    EXPECT_EQ(stats.received(), 2u);
    EXPECT_EQ(stats.lost(), 1u);
}

}  // namespace
}  // namespace crisisline::media
