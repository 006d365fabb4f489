// srtp_bench: what one SRTP leg costs the relay per packet, libre's SRTP (telephony::SrtpSession, as every SDES
// and DTLS-SRTP leg uses it) against SRTP written straight on OpenSSL's EVP (bench/evp_srtp.*, bench code only).
//
// Each iteration writes a 172-byte PCMU RTP packet (12-byte header, 160 bytes of payload; the same copy of a
// template in every benchmark), protects it with one end's context and unprotects it with the other's: what
// the relay does for each packet it carries between two SRTP legs (unprotect from one, protect to the other).
//
//   BM_LibreSrtp/<suite>   0 AES_CM_128_HMAC_SHA1_80, 1 AES_CM_128_HMAC_SHA1_32, 2 AEAD_AES_128_GCM
//   BM_EvpSrtp/<suite>     0 AES-128-CTR + HMAC-SHA1-80 (EVP_MAC), 2 AES-128-GCM (EVP)
//   BM_PacketWrite         the packet written alone, for scale (subtract it from the others)
//
// Before measuring, the EVP variant is checked against libre: for the same master keys the first 300 packets
// (sequence numbers crossing 65535, so the rollover counter counts) must come out byte for byte as libre's, and
// each side must accept the other's. A mismatch stops the run. That is a check against libre, not against the
// RFCs' test vectors.
//
//   build/bench/srtp_bench [--benchmark_filter=...]
// docs/benchmarks.md, "SRTP (SDES) on both legs", has the method and the figures.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "evp_srtp.hpp"
#include "libre/re.hpp"
#include "telephony/srtp_session.hpp"

namespace crisisline::telephony {
namespace {

using bench::EvpSrtp;
using bench::EvpSuite;

constexpr size_t kRtp = 172;
constexpr SrtpSuite kSuites[] = {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                                 SrtpSuite::kAeadAes128Gcm};

// A fixed master key and salt per direction (30 bytes; the GCM suite uses the first 28).
const std::uint8_t kMasterA[30] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
                                   0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
const std::uint8_t kMasterB[30] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87, 0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e,
                                   0x0f, 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed};

struct Template {
    std::uint8_t bytes[kRtp];
    Template() {
        std::memset(bytes, 0xd5, sizeof bytes);
        bytes[0] = 0x80;  // V=2, no padding, extension or CSRC
        bytes[1] = 0x00;  // PCMU
        const std::uint8_t ssrc[4] = {0x5e, 0xed, 0x00, 0x01};
        std::memcpy(bytes + 8, ssrc, 4);
    }
};
const Template kTemplate;

// The template with `seq` and its timestamp, into `out` (at least kRtp + 16 bytes).
inline void WritePacket(std::uint8_t* out, std::uint16_t seq) {
    std::memcpy(out, kTemplate.bytes, kRtp);
    const std::uint32_t ts = static_cast<std::uint32_t>(seq) * 160u;
    out[2] = static_cast<std::uint8_t>(seq >> 8);
    out[3] = static_cast<std::uint8_t>(seq);
    out[4] = static_cast<std::uint8_t>(ts >> 24);
    out[5] = static_cast<std::uint8_t>(ts >> 16);
    out[6] = static_cast<std::uint8_t>(ts >> 8);
    out[7] = static_cast<std::uint8_t>(ts);
}

// The sending end (A's key out, B's in) and the receiving end (the other way round), as two legs' peers are.
struct LibrePair {
    std::unique_ptr<SrtpSession> sender, receiver;
    explicit LibrePair(SrtpSuite suite) {
        const size_t n = SrtpKeyLength(suite);
        auto a = SrtpKey::From(kMasterA, n);
        auto b = SrtpKey::From(kMasterB, n);
        auto s = SrtpSession::Make(suite, *a, *b);
        auto r = SrtpSession::Make(suite, *b, *a);
        if (!s || !r) {
            std::fprintf(stderr, "srtp_bench: libre refused the keys for %s\n", SrtpSuiteName(suite));
            std::exit(1);
        }
        sender = std::move(*s);
        receiver = std::move(*r);
    }
};

EvpSuite EvpOf(SrtpSuite suite) { return suite == SrtpSuite::kAeadAes128Gcm ? EvpSuite::kGcm : EvpSuite::kAesCm80; }

// The EVP variant against libre, for the suites both have: same bytes out, each accepts the other's packets.
bool SameAsLibre(SrtpSuite suite) {
    LibrePair libre(suite);
    EvpSrtp evp_sender(EvpOf(suite), kMasterA);
    EvpSrtp evp_receiver(EvpOf(suite), kMasterA);
    EvpSrtp evp_for_libre(EvpOf(suite), kMasterA);
    mbuf* mb = mbuf_alloc(512);
    std::uint8_t evp[512];
    bool same = true;
    for (int i = 0; i < 300 && same; ++i) {
        const auto seq = static_cast<std::uint16_t>(65535 - 150 + i);  // crosses the wrap at i = 151
        mbuf_rewind(mb);
        WritePacket(evp, seq);
        mbuf_write_mem(mb, evp, kRtp);
        mb->pos = 0;
        const size_t n = evp_sender.Protect(evp, kRtp);
        if (!libre.sender->Protect(mb) || n == 0 || mb->end != n || std::memcmp(mb->buf, evp, n) != 0) {
            std::fprintf(stderr, "srtp_bench: %s packet %d: EVP output differs from libre's\n", SrtpSuiteName(suite), i);
            same = false;
            break;
        }
        // libre's receiver takes the EVP packet; the EVP receiver takes libre's (the same bytes).
        std::uint8_t copy[512];
        std::memcpy(copy, evp, n);
        mb->pos = 0;
        if (libre.receiver->Unprotect(mb) != SrtpRefusal::kNone) same = false;
        if (evp_receiver.Unprotect(copy, n) != kRtp) same = false;
        WritePacket(evp, seq);
        if (std::memcmp(copy, evp, kRtp) != 0) same = false;
        if (!same) std::fprintf(stderr, "srtp_bench: %s packet %d: not accepted across\n", SrtpSuiteName(suite), i);
    }
    // A replayed packet and a tampered one are refused by the EVP receiver too.
    if (same) {
        std::uint8_t p[512];
        WritePacket(p, 200);
        EvpSrtp tx(EvpOf(suite), kMasterA);
        const size_t n = tx.Protect(p, kRtp);
        std::uint8_t q[512];
        std::memcpy(q, p, n);
        if (evp_for_libre.Unprotect(p, n) != kRtp || evp_for_libre.Unprotect(q, n) != 0) same = false;
        WritePacket(p, 201);
        const size_t m = tx.Protect(p, kRtp);
        p[40] ^= 1;
        if (evp_for_libre.Unprotect(p, m) != 0) same = false;
        if (!same) std::fprintf(stderr, "srtp_bench: %s: EVP replay or tamper check failed\n", SrtpSuiteName(suite));
    }
    mem_deref(mb);
    return same;
}

void BM_LibreSrtp(benchmark::State& state) {
    const SrtpSuite suite = kSuites[state.range(0)];
    LibrePair pair(suite);
    mbuf* mb = mbuf_alloc(512);
    std::uint16_t seq = 1;
    for (auto _ : state) {
        WritePacket(mb->buf, seq++);
        mb->pos = 0;
        mb->end = kRtp;
        if (!pair.sender->Protect(mb)) {
            state.SkipWithError("protect failed");
            break;
        }
        mb->pos = 0;
        if (pair.receiver->Unprotect(mb) != SrtpRefusal::kNone) {
            state.SkipWithError("unprotect failed");
            break;
        }
        benchmark::DoNotOptimize(mb->buf);
    }
    mem_deref(mb);
    state.SetLabel(SrtpSuiteName(suite));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LibreSrtp)->Arg(0)->Arg(1)->Arg(2);

void BM_EvpSrtp(benchmark::State& state) {
    const SrtpSuite suite = kSuites[state.range(0)];
    EvpSrtp sender(EvpOf(suite), kMasterA);
    EvpSrtp receiver(EvpOf(suite), kMasterA);
    std::uint8_t packet[512];
    std::uint16_t seq = 1;
    for (auto _ : state) {
        WritePacket(packet, seq++);
        const size_t n = sender.Protect(packet, kRtp);
        if (n == 0 || receiver.Unprotect(packet, n) != kRtp) {
            state.SkipWithError("EVP protect/unprotect failed");
            break;
        }
        benchmark::DoNotOptimize(packet);
    }
    state.SetLabel(suite == SrtpSuite::kAeadAes128Gcm ? "EVP AES-128-GCM" : "EVP AES-128-CTR + HMAC-SHA1-80");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvpSrtp)->Arg(0)->Arg(2);

void BM_PacketWrite(benchmark::State& state) {
    std::uint8_t packet[512];
    std::uint16_t seq = 1;
    for (auto _ : state) {
        WritePacket(packet, seq++);
        benchmark::DoNotOptimize(packet);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PacketWrite);

}  // namespace
}  // namespace crisisline::telephony

int main(int argc, char** argv) {
    using crisisline::telephony::SameAsLibre;
    using crisisline::telephony::SrtpSuite;
    if (!SameAsLibre(SrtpSuite::kAesCm128HmacSha1_80) || !SameAsLibre(SrtpSuite::kAeadAes128Gcm)) return 1;
    std::fprintf(stderr, "srtp_bench: EVP variant matches libre byte for byte (AES-CM-80, GCM; 300 packets "
                         "across the sequence wrap)\n");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
