// build/bench/monitor_mix_bench: the mixing a supervisor's monitoring (and a three-party conference) adds, per
// 20 ms tick of the media clock, for N monitored calls (docs/benchmarks.md, "Supervisor monitoring"). Each call, each tick: a frame in from
// caller, counsellor and supervisor (G.711 decoded), one taken per party, and one mix out per listener
// (summed, encoded in its law). The packets themselves (a third leg's RTP in and out) cost what a leg of a
// plain bridge costs, measured by bench/sip/run.
#include <benchmark/benchmark.h>

#include <vector>

#include "media/monitor_mix.hpp"

namespace {

using namespace crisisline::media;

void BM_MonitoredCallsTick(benchmark::State& state) {
    const auto calls = static_cast<size_t>(state.range(0));
    const auto mode = static_cast<MonitorMode>(state.range(1));
    std::vector<MonitorMix> mixes(calls);
    Frame caller{}, counsellor{}, supervisor{}, out{};
    for (size_t i = 0; i < kFrameSamples; ++i) {  // speech-like, varying bytes, not a constant
        caller[i] = static_cast<std::uint8_t>(0x20 + (i * 7) % 90);
        counsellor[i] = static_cast<std::uint8_t>(0xA0 + (i * 5) % 80);
        supervisor[i] = static_cast<std::uint8_t>(0x40 + (i * 3) % 60);
    }
    for (auto _ : state) {
        for (auto& mix : mixes) {
            mix.Put(Party::kCaller, Codec::kPcmu, caller.data(), caller.size());
            mix.Put(Party::kCounsellor, Codec::kPcma, counsellor.data(), counsellor.size());
            mix.Put(Party::kSupervisor, Codec::kPcmu, supervisor.data(), supervisor.size());
            mix.Tick();
            for (auto listener : {Party::kCaller, Party::kCounsellor, Party::kSupervisor}) {
                if (mix.Mix(mode, listener, Codec::kPcmu, out)) benchmark::DoNotOptimize(out);
            }
        }
        benchmark::ClobberMemory();
    }
    // A tick is 20 ms: the share of one core the mixing of `calls` monitored calls takes.
    state.counters["core_share_%"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * 20e-3 / 100, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The relay a plain bridge does instead, per call per tick: two payload copies (one each way).
void BM_PlainBridgesTick(benchmark::State& state) {
    const auto calls = static_cast<size_t>(state.range(0));
    std::vector<Frame> a(calls), b(calls);
    Frame out{};
    for (auto _ : state) {
        for (size_t i = 0; i < calls; ++i) {
            out = a[i];
            benchmark::DoNotOptimize(out);
            out = b[i];
            benchmark::DoNotOptimize(out);
        }
        benchmark::ClobberMemory();
    }
    state.counters["core_share_%"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * 20e-3 / 100, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Three-party conferences (conference.cpp) mix exactly as a joined monitoring does: MonitorMode::kJoin, the third
// party in the supervisor's place. One tick of `conferences` conferences next to `bridges` plain bridges in the
// same loop, as the media clock would run them on one core: the conferences' mixing plus the bridges' relay copies.
void BM_ConferencesNextToBridgesTick(benchmark::State& state) {
    const auto conferences = static_cast<size_t>(state.range(0));
    const auto bridges = static_cast<size_t>(state.range(1));
    std::vector<MonitorMix> mixes(conferences);
    std::vector<Frame> a(bridges), b(bridges);
    Frame caller{}, counsellor{}, third{}, out{};
    for (size_t i = 0; i < kFrameSamples; ++i) {
        caller[i] = static_cast<std::uint8_t>(0x20 + (i * 7) % 90);
        counsellor[i] = static_cast<std::uint8_t>(0xA0 + (i * 5) % 80);
        third[i] = static_cast<std::uint8_t>(0x40 + (i * 3) % 60);
    }
    std::uint64_t clipped_or_empty = 0;  // a mix that produced nothing would be a conference gone silent
    for (auto _ : state) {
        for (auto& mix : mixes) {
            mix.Put(Party::kCaller, Codec::kPcmu, caller.data(), caller.size());
            mix.Put(Party::kCounsellor, Codec::kPcma, counsellor.data(), counsellor.size());
            mix.Put(Party::kSupervisor, Codec::kPcmu, third.data(), third.size());
            mix.Tick();
            for (auto listener : {Party::kCaller, Party::kCounsellor, Party::kSupervisor}) {
                if (mix.Mix(MonitorMode::kJoin, listener, Codec::kPcmu, out)) {
                    benchmark::DoNotOptimize(out);
                } else {
                    ++clipped_or_empty;
                }
            }
        }
        for (size_t i = 0; i < bridges; ++i) {
            out = a[i];
            benchmark::DoNotOptimize(out);
            out = b[i];
            benchmark::DoNotOptimize(out);
        }
        benchmark::ClobberMemory();
    }
    if (clipped_or_empty != 0) state.SkipWithError("a conference listener got no mix");
    state.counters["core_share_%"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * 20e-3 / 100, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_ConferencesNextToBridgesTick)->Args({200, 0})->Args({200, 1000})->Args({400, 1000});
BENCHMARK(BM_MonitoredCallsTick)
    ->ArgsProduct({{1, 50, 200}, {static_cast<int>(MonitorMode::kListen), static_cast<int>(MonitorMode::kJoin)}});
BENCHMARK(BM_PlainBridgesTick)->Arg(50)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
