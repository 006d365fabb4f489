#include "telephony/srtp_session.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace crisisline::telephony {
namespace {

constexpr std::uint8_t kPattern = 0x5A;  // every payload byte of the test audio

mbuf* RtpPacket(std::uint16_t seq, std::uint32_t ssrc = 0x0BADCAFE, std::uint8_t fill = kPattern) {
    mbuf* mb = mbuf_alloc(512);
    rtp_header hdr{};
    hdr.ver = RTP_VERSION;
    hdr.pt = 0;
    hdr.seq = seq;
    hdr.ts = seq * 160u;
    hdr.ssrc = ssrc;
    EXPECT_EQ(rtp_hdr_encode(mb, &hdr), 0);
    std::uint8_t payload[160];
    std::memset(payload, fill, sizeof payload);
    mbuf_write_mem(mb, payload, sizeof payload);
    mb->pos = 0;
    return mb;
}

mbuf* Copy(const std::vector<std::uint8_t>& bytes) {
    mbuf* mb = mbuf_alloc(512);
    mbuf_write_mem(mb, bytes.data(), bytes.size());
    mb->pos = 0;
    return mb;
}

bool PatternInClear(const mbuf* mb) {
    for (size_t i = 12; i + 4 <= mb->end; ++i) {
        if (std::memcmp(mb->buf + i, "\x5A\x5A\x5A\x5A", 4) == 0) return true;
    }
    return false;
}

// The two ends of one SDES-keyed leg: ours and the peer's, each sending with its own key.
struct Ends {
    std::unique_ptr<SrtpSession> ours, theirs;
    explicit Ends(SrtpSuite suite) {
        auto our_key = SrtpKey::Random(suite);
        auto their_key = SrtpKey::Random(suite);
        ours = std::move(*SrtpSession::Make(suite, *our_key, *their_key));
        theirs = std::move(*SrtpSession::Make(suite, *their_key, *our_key));
    }
};

const SrtpSuite kSuites[] = {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                             SrtpSuite::kAeadAes128Gcm};

TEST(SrtpSessionTest, ProtectsBothWaysAndHidesThePayload) {
    for (auto suite : kSuites) {
        Ends e(suite);
        mbuf* mb = RtpPacket(1000);
        size_t clear_len = mb->end;
        ASSERT_TRUE(e.theirs->Protect(mb)) << SrtpSuiteName(suite);
        EXPECT_GT(mb->end, clear_len) << SrtpSuiteName(suite);
        EXPECT_FALSE(PatternInClear(mb)) << SrtpSuiteName(suite);
        mb->pos = 0;
        ASSERT_EQ(e.ours->Unprotect(mb), SrtpRefusal::kNone) << SrtpSuiteName(suite);
        EXPECT_EQ(mb->end, clear_len);
        EXPECT_EQ(mb->buf[12], kPattern);
        mem_deref(mb);

        mbuf* back = RtpPacket(7, 0x1234);
        ASSERT_TRUE(e.ours->Protect(back));
        back->pos = 0;
        EXPECT_EQ(e.theirs->Unprotect(back), SrtpRefusal::kNone) << SrtpSuiteName(suite);
        mem_deref(back);
    }
}

TEST(SrtpSessionTest, KeepsAudioAcrossTheSequenceWrap) {
    // A stream that starts near 65535: the rollover counter must step to 1 at the wrap, else every packet
    // after it fails to authenticate (or decrypts to noise).
    for (auto suite : kSuites) {
        Ends e(suite);
        int delivered = 0;
        for (std::uint32_t s = 65500; s < 65536 + 200; ++s) {
            mbuf* mb = RtpPacket(static_cast<std::uint16_t>(s));
            ASSERT_TRUE(e.theirs->Protect(mb));
            mb->pos = 0;
            if (e.ours->Unprotect(mb) == SrtpRefusal::kNone && mb->buf[12] == kPattern) ++delivered;
            mem_deref(mb);
        }
        EXPECT_EQ(delivered, 236) << SrtpSuiteName(suite);
    }
}

TEST(SrtpSessionTest, RefusesTamperedAndReplayedPackets) {
    for (auto suite : kSuites) {
        Ends e(suite);
        mbuf* mb = RtpPacket(40000);
        ASSERT_TRUE(e.theirs->Protect(mb));
        std::vector<std::uint8_t> sent(mb->buf, mb->buf + mb->end);
        mem_deref(mb);

        auto tampered = sent;
        tampered[20] ^= 0x01;
        mbuf* t = Copy(tampered);
        EXPECT_EQ(e.ours->Unprotect(t), SrtpRefusal::kAuth) << SrtpSuiteName(suite);
        mem_deref(t);
        auto cut_tag = sent;
        cut_tag.back() ^= 0x80;
        mbuf* c = Copy(cut_tag);
        EXPECT_EQ(e.ours->Unprotect(c), SrtpRefusal::kAuth) << SrtpSuiteName(suite);
        mem_deref(c);

        mbuf* good = Copy(sent);
        EXPECT_EQ(e.ours->Unprotect(good), SrtpRefusal::kNone) << "a refused packet moved the window";
        mem_deref(good);
        mbuf* again = Copy(sent);
        EXPECT_EQ(e.ours->Unprotect(again), SrtpRefusal::kReplay) << SrtpSuiteName(suite);
        mem_deref(again);

        // Keys of another session do not authenticate.
        Ends stranger(suite);
        mbuf* other = RtpPacket(40001);
        ASSERT_TRUE(stranger.theirs->Protect(other));
        other->pos = 0;
        EXPECT_EQ(e.ours->Unprotect(other), SrtpRefusal::kAuth);
        mem_deref(other);
    }
}

TEST(SrtpSessionTest, RelayDecryptsOneLegAndReencryptsForTheOther) {
    // The caller's leg and the counsellor's leg, each with keys of its own: what the relay sends on is the
    // caller's audio, never in clear on either wire, and the counsellor's phone reads it.
    Ends caller(SrtpSuite::kAesCm128HmacSha1_80);
    Ends counsellor(SrtpSuite::kAeadAes128Gcm);
    for (std::uint16_t s = 10; s < 20; ++s) {
        mbuf* mb = RtpPacket(s);
        ASSERT_TRUE(caller.theirs->Protect(mb));
        EXPECT_FALSE(PatternInClear(mb));
        mb->pos = 0;
        ASSERT_EQ(caller.ours->Unprotect(mb), SrtpRefusal::kNone);
        mb->pos = 0;
        ASSERT_TRUE(counsellor.ours->Protect(mb));
        EXPECT_FALSE(PatternInClear(mb));
        mb->pos = 0;
        ASSERT_EQ(counsellor.theirs->Unprotect(mb), SrtpRefusal::kNone);
        EXPECT_EQ(mb->buf[12], kPattern);
        mem_deref(mb);
    }
}

TEST(SrtpSessionTest, RefusesKeysOfTheWrongLength) {
    auto short_key = SrtpKey::Random(SrtpSuite::kAeadAes128Gcm);  // 28 bytes
    auto key = SrtpKey::Random(SrtpSuite::kAesCm128HmacSha1_80);
    EXPECT_FALSE(SrtpSession::Make(SrtpSuite::kAesCm128HmacSha1_80, *short_key, *key));
    EXPECT_FALSE(SrtpSession::Make(SrtpSuite::kAeadAes128Gcm, *short_key, *key));
    EXPECT_TRUE(SrtpSession::Make(SrtpSuite::kAesCm128HmacSha1_80, *key, *key));
}

TEST(SrtpSessionTest, KeysAreRandomAndCompareInConstantTime) {
    auto a = SrtpKey::Random(SrtpSuite::kAesCm128HmacSha1_80);
    auto b = SrtpKey::Random(SrtpSuite::kAesCm128HmacSha1_80);
    EXPECT_FALSE(*a == *b);
    auto c = SrtpKey::From(a->data(), a->size());
    ASSERT_TRUE(c);
    EXPECT_TRUE(*a == *c);
    EXPECT_FALSE(SrtpKey::From(a->data(), kSrtpMaxKeyLength + 1));
}

}  // namespace
}  // namespace crisisline::telephony
