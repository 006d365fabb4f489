#include "media/dtmf.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace crisisline::media {
namespace {

std::vector<uint8_t> Payload(uint8_t event, bool end, uint8_t volume, uint16_t duration) {
    return {event, uint8_t((end ? 0x80 : 0) | volume), uint8_t(duration >> 8), uint8_t(duration & 0xFF)};
}

TEST(TelephoneEventTest, ParsesTheFourByteEvent) {
    const auto bytes = Payload(11, true, 10, 1280);
    auto ev = ParseTelephoneEvent(bytes.data(), bytes.size());
    ASSERT_TRUE(ev.has_value());
    EXPECT_EQ(ev->event, 11);
    EXPECT_TRUE(ev->end);
    EXPECT_EQ(ev->volume, 10);
    EXPECT_EQ(ev->duration, 1280);
    // The reserved R bit is ignored, and the volume keeps its 6 bits.
    const uint8_t with_r[] = {1, 0x40 | 63, 0xFF, 0xFF};
    ev = ParseTelephoneEvent(with_r, sizeof with_r);
    ASSERT_TRUE(ev.has_value());
    EXPECT_FALSE(ev->end);
    EXPECT_EQ(ev->volume, 63);
    EXPECT_EQ(ev->duration, 65535);
}

TEST(TelephoneEventTest, RefusesShortPayloads) {
    const uint8_t three[] = {1, 0, 0};
    EXPECT_FALSE(ParseTelephoneEvent(three, 3).has_value());
    EXPECT_FALSE(ParseTelephoneEvent(nullptr, 4).has_value());
}

TEST(TelephoneEventTest, MapsEventsToDigits) {
    std::string all;
    for (int e = 0; e < 16; ++e) all += DtmfDigit(uint8_t(e)).value_or('?');
    EXPECT_EQ(all, "0123456789*#ABCD");
    EXPECT_FALSE(DtmfDigit(16).has_value());  // flash and other line events are not digits
    EXPECT_FALSE(DtmfDigit(255).has_value());
}

// Feeds packets (event, end, ts, duration) and collects the digits reported.
std::string Feed(DtmfDetector& detector, const std::vector<std::tuple<uint8_t, bool, uint32_t, uint16_t>>& packets) {
    std::string digits;
    for (const auto& [event, end, ts, duration] : packets) {
        const auto bytes = Payload(event, end, 10, duration);
        auto ev = ParseTelephoneEvent(bytes.data(), bytes.size());
        if (auto d = detector.OnPacket(*ev, ts)) digits += *d;
    }
    return digits;
}

TEST(DtmfDetectorTest, ReportsEachPressOnceDespiteTheRepeatedEndPackets) {
    DtmfDetector d;
    // "1": start, updates, then the end packet three times; then "1" again (a new press, new ts); then "#".
    EXPECT_EQ(Feed(d, {{1, false, 1000, 160},
                       {1, false, 1000, 320},
                       {1, false, 1000, 480},
                       {1, true, 1000, 640},
                       {1, true, 1000, 640},
                       {1, true, 1000, 640},
                       {1, false, 5000, 160},
                       {1, true, 5000, 800},
                       {1, true, 5000, 800},
                       {1, true, 5000, 800},
                       {11, true, 9000, 400}}),
              "11#");
}

TEST(DtmfDetectorTest, LosesNoDigitWhenTheStartOrEndPacketsAreLost) {
    DtmfDetector d;
    // Only the end packets of "2" arrived; only the start of "3" (its ends lost); then "4".
    EXPECT_EQ(Feed(d, {{2, true, 100, 800}, {2, true, 100, 800}, {3, false, 2000, 160}, {4, false, 4000, 160}}), "234");
}

TEST(DtmfDetectorTest, IgnoresLatePacketsOfRecentPresses) {
    DtmfDetector d;
    EXPECT_EQ(Feed(d, {{5, false, 100, 160}, {6, false, 2000, 160}, {5, true, 100, 800}, {6, true, 2000, 800}}), "56");
}

TEST(DtmfDetectorTest, KeepsALongSegmentedPressAsOne) {
    DtmfDetector d;
    // A press longer than 65535 samples: the first segment ends unended at 0xFFFF, the next starts where it ends.
    const uint32_t ts = 4294960000u;  // and the second segment's timestamp wraps
    EXPECT_EQ(Feed(d, {{7, false, ts, 160},
                       {7, false, ts, 65535},
                       {7, false, ts + 65535u, 160},
                       {7, true, ts + 65535u, 8000},
                       {7, false, ts + 100000u, 160}}),
              "77");
}

TEST(DtmfDetectorTest, NonDigitEventsYieldNothing) {
    DtmfDetector d;
    EXPECT_EQ(Feed(d, {{16, false, 100, 160}, {16, true, 100, 800}, {9, false, 900, 160}}), "9");
}

}  // namespace
}  // namespace crisisline::media
