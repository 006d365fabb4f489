#include "telephony/dtls_srtp.hpp"

#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <cstring>

namespace crisisline::telephony {
namespace {

// Passes datagrams between two sides until neither has anything more to say.
void Pump(DtlsSrtp& server, DtlsSrtp& client) {
    auto to_server = client.Start();
    for (int round = 0; round < 20 && !to_server.empty(); ++round) {
        DtlsSrtp::Datagrams to_client;
        for (const auto& d : to_server) {
            EXPECT_LE(d.size(), 1200u);
            for (auto& r : server.Receive(d.data(), d.size())) to_client.push_back(std::move(r));
        }
        to_server.clear();
        for (const auto& d : to_client) {
            EXPECT_LE(d.size(), 1200u);
            for (auto& r : client.Receive(d.data(), d.size())) to_server.push_back(std::move(r));
        }
    }
}

// An RTP packet (PCMU, payload type 0) with a recognisable payload, in a libre mbuf.
mbuf* RtpPacket(std::uint16_t seq, std::uint8_t fill) {
    mbuf* mb = mbuf_alloc(512);
    rtp_header hdr{};
    hdr.ver = RTP_VERSION;
    hdr.pt = 0;
    hdr.seq = seq;
    hdr.ts = seq * 160u;
    hdr.ssrc = 0x12345678;
    EXPECT_EQ(rtp_hdr_encode(mb, &hdr), 0);
    std::uint8_t payload[160];
    std::memset(payload, fill, sizeof payload);
    mbuf_write_mem(mb, payload, sizeof payload);
    mb->pos = 0;
    return mb;
}

struct Pair {
    std::shared_ptr<DtlsCertificate> server_cert = *DtlsCertificate::Generate();
    std::shared_ptr<DtlsCertificate> client_cert = *DtlsCertificate::Generate();
};

TEST(DtlsSrtpTest, HandshakeKeysSrtpBothWays) {
    Pair p;
    for (const char* profile : {"SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM"}) {
        ASSERT_EQ(SSL_CTX_set_tlsext_use_srtp(p.client_cert->Context(), profile), 0);
        DtlsSrtp server(p.server_cert, p.client_cert->Fingerprint());
        DtlsSrtp client(p.client_cert, p.server_cert->Fingerprint(), DtlsRole::kActive);
        Pump(server, client);
        ASSERT_TRUE(server.Ready()) << profile << ": " << DtlsFaultName(server.fault());
        ASSERT_TRUE(client.Ready()) << profile;
        EXPECT_STREQ(server.ProfileName(), std::string(profile).find("GCM") != std::string::npos
                                               ? "AEAD_AES_128_GCM"
                                               : "AES_CM_128_HMAC_SHA1_80");

        mbuf* mb = RtpPacket(65530, 0x5A);
        size_t clear_len = mb->end;
        ASSERT_TRUE(client.Protect(mb));
        EXPECT_GT(mb->end, clear_len);  // the tag
        bool clear_seen = false;
        for (size_t i = 12; i + 4 <= mb->end; ++i) {
            if (std::memcmp(mb->buf + i, "\x5A\x5A\x5A\x5A", 4) == 0) clear_seen = true;
        }
        EXPECT_FALSE(clear_seen) << "the payload went out in clear";
        ASSERT_TRUE(server.Unprotect(mb));
        EXPECT_EQ(mb->end, clear_len);
        EXPECT_EQ(mb->buf[12], 0x5A);
        mem_deref(mb);

        // Across the sequence number's wrap: the rollover counter keeps both sides in step.
        for (std::uint32_t s = 65531; s < 65536 + 10; ++s) {
            mbuf* next = RtpPacket(static_cast<std::uint16_t>(s), 0x33);
            ASSERT_TRUE(server.Protect(next));
            ASSERT_TRUE(client.Unprotect(next)) << "sequence " << s;
            EXPECT_EQ(next->buf[12], 0x33);
            mem_deref(next);
        }
    }
}

TEST(DtlsSrtpTest, TamperedOrReplayedSrtpIsRefused) {
    Pair p;
    DtlsSrtp server(p.server_cert, p.client_cert->Fingerprint());
    DtlsSrtp client(p.client_cert, p.server_cert->Fingerprint(), DtlsRole::kActive);
    Pump(server, client);
    ASSERT_TRUE(server.Ready());
    mbuf* mb = RtpPacket(100, 0x11);
    ASSERT_TRUE(client.Protect(mb));
    std::vector<std::uint8_t> copy(mb->buf, mb->buf + mb->end);
    mb->buf[20] ^= 0x01;
    EXPECT_FALSE(server.Unprotect(mb)) << "a flipped payload bit authenticated";
    mem_deref(mb);

    mbuf* good = mbuf_alloc(512);
    mbuf_write_mem(good, copy.data(), copy.size());
    good->pos = 0;
    EXPECT_TRUE(server.Unprotect(good));
    mem_deref(good);
    mbuf* again = mbuf_alloc(512);
    mbuf_write_mem(again, copy.data(), copy.size());
    again->pos = 0;
    EXPECT_FALSE(server.Unprotect(again)) << "a replayed packet was taken";
    mem_deref(again);
}

TEST(DtlsSrtpTest, FingerprintMismatchGivesNoKeys) {
    Pair p;
    auto stranger = *DtlsCertificate::Generate();
    DtlsSrtp server(p.server_cert, stranger->Fingerprint());  // the SDP named another certificate
    DtlsSrtp client(p.client_cert, p.server_cert->Fingerprint(), DtlsRole::kActive);
    Pump(server, client);
    EXPECT_FALSE(server.Ready());
    EXPECT_EQ(server.fault(), DtlsFault::kFingerprintMismatch);
    mbuf* mb = RtpPacket(1, 0x22);
    EXPECT_FALSE(server.Protect(mb));
    EXPECT_FALSE(server.Unprotect(mb));
    mem_deref(mb);
}

TEST(DtlsSrtpTest, GarbageEndsTheHandshake) {
    Pair p;
    DtlsSrtp server(p.server_cert, p.client_cert->Fingerprint());
    std::uint8_t junk[64];
    std::memset(junk, 22, sizeof junk);  // looks like a handshake record by its first byte only
    server.Receive(junk, sizeof junk);
    EXPECT_FALSE(server.Ready());
}

TEST(DtlsSrtpTest, CertificatesDiffer) {
    auto a = DtlsCertificate::Generate();
    auto b = DtlsCertificate::Generate();
    ASSERT_TRUE(a && b);
    EXPECT_EQ((*a)->Fingerprint().size(), 95u);
    EXPECT_NE((*a)->Fingerprint(), (*b)->Fingerprint());
}

}  // namespace
}  // namespace crisisline::telephony
