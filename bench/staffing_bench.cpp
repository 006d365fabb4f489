// build/bench/staffing_bench: the staffing maths at the sizes the issue names (docs/benchmarks.md, "Staffing").
//  - a year of half hours (17,520) staffed by Erlang C, and by Erlang A, from a synthetic weekly demand
//    of 0 to about 60 erlangs;
//  - the forecast fitted (75-point grid search) on three years of half-hour history;
//  - a month of calls simulated (0.5 calls/s, 600 s handling, 320 counsellors, 180 s patience: ~1.3 million).
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "staffing/calendar.hpp"
#include "staffing/forecast.hpp"
#include "staffing/plan.hpp"
#include "staffing/simulation.hpp"

namespace {

using namespace crisisline;
using namespace crisisline::staffing;

constexpr TimeMs kStart = 1704067200000;  // 2024-01-01T00:00:00Z, a Monday

// Calls per half hour with a daily and weekly shape, 0 to ~200 (up to ~60 erlangs at 540 s handling).
std::vector<double> Demand(size_t n, double trend, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::poisson_distribution<int> noise_free(1);
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) {
        const int slot = WeekSlot(kStart + static_cast<TimeMs>(i) * kHalfHourMs);
        const double mean = 100 + 95 * std::sin(2 * M_PI * ((slot % 48) - 14) / 48.0) + (slot / 48 >= 5 ? 10 : 0) +
                            trend * static_cast<double>(i);
        std::poisson_distribution<int> calls(std::max(0.1, mean));
        out[i] = calls(rng);
    }
    return out;
}

const Target kTarget{0.9, 20, 0.85, 0.3, 1};

void BM_StaffYearErlangC(benchmark::State& state) {
    const std::vector<double> year = Demand(17520, 0, 1);
    for (auto _ : state) {
        auto plan = PlanHalfHours(kStart, year, 540, std::nullopt, kTarget);
        benchmark::DoNotOptimize(plan.data());
    }
    state.SetItemsProcessed(state.iterations() * 17520);
}
BENCHMARK(BM_StaffYearErlangC)->Unit(benchmark::kMillisecond);

void BM_StaffYearErlangCAndA(benchmark::State& state) {
    const std::vector<double> year = Demand(17520, 0, 1);
    for (auto _ : state) {
        auto plan = PlanHalfHours(kStart, year, 540, 150.0, kTarget);
        benchmark::DoNotOptimize(plan.data());
    }
    state.SetItemsProcessed(state.iterations() * 17520);
}
BENCHMARK(BM_StaffYearErlangCAndA)->Unit(benchmark::kMillisecond);

void BM_ForecastThreeYears(benchmark::State& state) {
    const HalfHourSeries history{kStart, Demand(3 * 17520, 0.0005, 2)};
    for (auto _ : state) {
        auto model = FitForecast(history);
        benchmark::DoNotOptimize(model->level);
    }
}
BENCHMARK(BM_ForecastThreeYears)->Unit(benchmark::kMillisecond);

void BM_SimulateMonth(benchmark::State& state) {
    const QueueModel model{0.5, 600, {}, 180.0, 320, 20};
    std::int64_t calls = 0;
    for (auto _ : state) {
        SimulationResult r = Simulate(model, {30 * 86400.0, 3600, 7});
        calls = r.offered;
        benchmark::DoNotOptimize(r.answered);
    }
    state.counters["calls"] = static_cast<double>(calls);
}
BENCHMARK(BM_SimulateMonth)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
