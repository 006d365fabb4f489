#include "audit/checkpoint.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crypto/crypto.hpp"

namespace crisisline::audit {
namespace {

const std::string kHead = "7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069";

crypto::SecretKey Key(const char* hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f") {
    return *crypto::SecretKey::FromHex(hex);
}

TEST(CheckpointTest, FormatsOneLineThatParsesBack) {
    const Checkpoint c = SignCheckpoint(Key(), 12, kHead, 1'796'281'200'000);
    const std::string line = FormatCheckpoint(c);
    EXPECT_EQ(line, "crisisline-audit-checkpoint v1 seq=12 head=" + kHead + " at=2026-12-03T07:00:00.000Z mac=" + c.mac);
    EXPECT_EQ(line.find('"'), std::string::npos);
    auto parsed = ParseCheckpoint(line);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->seq, 12);
    EXPECT_EQ(parsed->head_hash, kHead);
    EXPECT_EQ(parsed->at, 1'796'281'200'000);
    EXPECT_EQ(parsed->mac, c.mac);
    EXPECT_TRUE(CheckpointAuthentic(Key(), *parsed));
}

TEST(CheckpointTest, FoundInsideALogLine) {
    const Checkpoint c = SignCheckpoint(Key(), 3, kHead, 1'796'281'200'000);
    const std::string log = R"({"time":"2026-12-03T07:00:00.001Z","level":"info","msg":")" + FormatCheckpoint(c) + R"("})";
    auto parsed = ParseCheckpoint(log);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->mac, c.mac);
    EXPECT_TRUE(CheckpointAuthentic(Key(), *parsed));
}

TEST(CheckpointTest, AnyChangeOrAnotherKeyIsNotAuthentic) {
    const Checkpoint c = SignCheckpoint(Key(), 12, kHead, 1'796'281'200'000);
    Checkpoint fewer = c;
    fewer.seq = 11;
    Checkpoint later = c;
    later.at += 1;
    Checkpoint other_head = c;
    other_head.head_hash[0] = '0';
    for (const Checkpoint& forged : {fewer, later, other_head}) EXPECT_FALSE(CheckpointAuthentic(Key(), forged));
    EXPECT_FALSE(CheckpointAuthentic(Key("ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"), c));
}

TEST(CheckpointTest, RefusesMalformedLines) {
    const std::string mac(64, 'a');
    EXPECT_EQ(ParseCheckpoint("just a log line").error().code, ErrorCode::kNotFound);
    for (const std::string& bad : {
             "crisisline-audit-checkpoint v1 seq=x head=" + kHead + " at=2026-12-03T07:00:00.000Z mac=" + mac,
             "crisisline-audit-checkpoint v1 seq=-1 head=" + kHead + " at=2026-12-03T07:00:00.000Z mac=" + mac,
             "crisisline-audit-checkpoint v1 seq=1 head=abc at=2026-12-03T07:00:00.000Z mac=" + mac,
             "crisisline-audit-checkpoint v1 seq=1 head=" + kHead + " at=yesterday mac=" + mac,
             "crisisline-audit-checkpoint v1 seq=1 head=" + kHead + " at=2026-12-03T07:00:00.000Z mac=12",
             "crisisline-audit-checkpoint v1 seq=1 head=" + kHead + " at=2026-12-03T07:00:00.000Z",
         }) {
        auto parsed = ParseCheckpoint(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, ErrorCode::kInvalid) << bad;
    }
}

}  // namespace
}  // namespace crisisline::audit
