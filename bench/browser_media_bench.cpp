// browser_media_bench: what a browser phone's encryption costs the server, in process (Google Benchmark).
//
// The browser leg of a call is DTLS-SRTP (src/telephony/dtls_srtp.*): one DTLS handshake when the call is
// answered, then per 20 ms packet one SRTP unprotect (browser -> caller) and one protect (caller -> browser)
// in the relay. This measures those pieces on the real classes, with the peer played by a second DtlsSrtp in
// the active role (as the unit tests do), so each figure includes the peer's half of the work where noted:
//
//   BM_DtlsHandshake/<profile>   both ends of a full handshake (ECDSA P-256 certificates, fingerprint check,
//                                SRTP keys exported): the server's cost per set-up is about half of it
//   BM_SrtpProtectUnprotect/...  one 172-byte RTP packet protected by one end and unprotected by the other
//   BM_PlainCopy                 the same packet copied, the relay's work for a plain RTP leg, for scale
//   BM_MemoryPerLeg              heap bytes held per ready server-side association (malloc statistics)
//
//   build/bench/browser_media_bench [--benchmark_filter=...]
// docs/benchmarks.md, "Browser phone media", has the method and the figures.
#include <malloc.h>
#include <openssl/ssl.h>

#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include "libre/re.hpp"
#include "telephony/dtls_srtp.hpp"

namespace crisisline::telephony {
namespace {

constexpr const char* kProfiles[] = {"SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM"};

struct Identities {
    std::shared_ptr<DtlsCertificate> server = *DtlsCertificate::Generate();
    std::shared_ptr<DtlsCertificate> browser = *DtlsCertificate::Generate();
};

Identities& Shared() {
    static Identities ids;
    return ids;
}

// Passes datagrams between the two ends until neither has more to say; false if the handshake did not finish.
bool Handshake(DtlsSrtp& server, DtlsSrtp& browser) {
    auto to_server = browser.Start();
    for (int round = 0; round < 20 && !to_server.empty(); ++round) {
        DtlsSrtp::Datagrams to_browser;
        for (const auto& d : to_server) {
            for (auto& r : server.Receive(d.data(), d.size())) to_browser.push_back(std::move(r));
        }
        to_server.clear();
        for (const auto& d : to_browser) {
            for (auto& r : browser.Receive(d.data(), d.size())) to_server.push_back(std::move(r));
        }
    }
    return server.Ready() && browser.Ready();
}

// Writes a PCMU RTP packet (12-byte header, 160 bytes of payload) into `mb`, from position 0.
void WriteRtp(mbuf* mb, std::uint16_t seq) {
    mbuf_rewind(mb);
    rtp_header hdr{};
    hdr.ver = RTP_VERSION;
    hdr.pt = 0;
    hdr.seq = seq;
    hdr.ts = static_cast<std::uint32_t>(seq) * 160u;
    hdr.ssrc = 0x5eed0001;
    rtp_hdr_encode(mb, &hdr);
    std::uint8_t payload[160];
    std::memset(payload, 0xd5, sizeof payload);
    mbuf_write_mem(mb, payload, sizeof payload);
    mb->pos = 0;
}

void BM_DtlsHandshake(benchmark::State& state) {
    auto& ids = Shared();
    const char* profile = kProfiles[state.range(0)];
    SSL_CTX_set_tlsext_use_srtp(ids.browser->Context(), profile);
    for (auto _ : state) {
        DtlsSrtp server(ids.server, ids.browser->Fingerprint());
        DtlsSrtp browser(ids.browser, ids.server->Fingerprint(), DtlsRole::kActive);
        if (!Handshake(server, browser)) {
            state.SkipWithError(DtlsFaultName(server.fault()));
            break;
        }
    }
    state.SetLabel(profile);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DtlsHandshake)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_SrtpProtectUnprotect(benchmark::State& state) {
    auto& ids = Shared();
    const char* profile = kProfiles[state.range(0)];
    SSL_CTX_set_tlsext_use_srtp(ids.browser->Context(), profile);
    DtlsSrtp server(ids.server, ids.browser->Fingerprint());
    DtlsSrtp browser(ids.browser, ids.server->Fingerprint(), DtlsRole::kActive);
    if (!Handshake(server, browser)) {
        state.SkipWithError("handshake failed");
        return;
    }
    mbuf* mb = mbuf_alloc(512);
    std::uint16_t seq = 1;
    for (auto _ : state) {
        WriteRtp(mb, seq++);
        if (!browser.Protect(mb)) {
            state.SkipWithError("protect failed");
            break;
        }
        mb->pos = 0;
        if (!server.Unprotect(mb)) {
            state.SkipWithError("unprotect failed");
            break;
        }
        benchmark::DoNotOptimize(mb->buf);
    }
    mem_deref(mb);
    state.SetLabel(profile);
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * 172);
}
BENCHMARK(BM_SrtpProtectUnprotect)->Arg(0)->Arg(1);

void BM_PlainCopy(benchmark::State& state) {
    mbuf* mb = mbuf_alloc(512);
    std::vector<std::uint8_t> out(512);
    std::uint16_t seq = 1;
    for (auto _ : state) {
        WriteRtp(mb, seq++);
        std::memcpy(out.data(), mb->buf, mb->end);
        benchmark::DoNotOptimize(out.data());
    }
    mem_deref(mb);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PlainCopy);

void BM_MemoryPerLeg(benchmark::State& state) {
    auto& ids = Shared();
    SSL_CTX_set_tlsext_use_srtp(ids.browser->Context(), kProfiles[0]);
    constexpr int kLegs = 200;
    double per_leg = 0;
    for (auto _ : state) {
        std::vector<std::unique_ptr<DtlsSrtp>> servers;
        servers.reserve(kLegs);
        const size_t before = mallinfo2().uordblks;
        for (int i = 0; i < kLegs; ++i) {
            auto server = std::make_unique<DtlsSrtp>(ids.server, ids.browser->Fingerprint());
            DtlsSrtp browser(ids.browser, ids.server->Fingerprint(), DtlsRole::kActive);
            if (!Handshake(*server, browser)) {
                state.SkipWithError("handshake failed");
                return;
            }
            servers.push_back(std::move(server));  // the peer goes; the server's association stays
        }
        const size_t after = mallinfo2().uordblks;
        per_leg = static_cast<double>(after - before) / kLegs;
    }
    state.counters["heap_bytes_per_leg"] = per_leg;
}
BENCHMARK(BM_MemoryPerLeg)->Iterations(3)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crisisline::telephony

BENCHMARK_MAIN();
