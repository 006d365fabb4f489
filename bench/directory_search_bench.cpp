// Directory search without HTTP: directory::Index::Search over 500 services,
// the in-process cost under GET /api/v1/lines/{line}/directory.
// Run: build/bench/directory_search_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "directory/directory.hpp"

namespace crisisline::directory {
namespace {

const std::vector<std::string> kWords = {"support", "counselling", "phone", "group", "trauma", "critical",
                                         "incident", "family", "sleep", "money", "debt", "peer",
                                         "listening", "evening", "weekend", "officers", "staff", "confidential"};
const std::vector<std::string> kCategories = {"counselling", "therapy", "bereavement", "peer_support",
                                              "trauma", "financial", "addiction"};
const std::vector<std::string> kRegions = {"national", "North East", "North West", "London",
                                           "Wales", "South West", "Yorkshire and the Humber"};

// 500 services shaped like bench/http_load.py's: shared vocabulary, a region or national, one or two categories.
const Index& FiveHundred() {
    static const Index index = [] {
        std::vector<Service> services;
        for (std::size_t i = 0; i < 500; ++i) {
            Service s;
            s.id = "svc-" + std::to_string(i);
            s.organisation = "Bench Organisation " + std::to_string(i % 40);
            s.name = "Bench Service " + std::to_string(i);
            s.description = "Confidential";
            for (std::size_t k = 0; k < 6; ++k) s.description += " " + kWords[(i * 7 + k) % kWords.size()];
            s.description += " for police officers and staff.";
            s.eligibility = "Serving and retired officers, staff and volunteers";
            s.service_areas = {kRegions[i % kRegions.size()]};
            s.categories = {kCategories[i % kCategories.size()]};
            if (kCategories[(i / 3) % kCategories.size()] != s.categories[0]) {
                s.categories.push_back(kCategories[(i / 3) % kCategories.size()]);
            }
            s.languages = {"en"};
            s.phone = "01632 960100";
            s.assured_date = "2026-01-10";
            services.push_back(std::move(s));
        }
        return Index(std::move(services));
    }();
    return index;
}

void Run(benchmark::State& state, const Query& q) {
    const Index& index = FiveHundred();
    std::size_t found = 0;
    for (auto _ : state) {
        auto result = index.Search(q);
        found = result.size();
        benchmark::DoNotOptimize(result.data());
    }
    state.counters["results"] = static_cast<double>(found);
    state.SetItemsProcessed(state.iterations());
}

void BM_NeedOnly(benchmark::State& state) { Run(state, {.need = "counselling"}); }
void BM_NeedAndText(benchmark::State& state) { Run(state, {.need = "counselling", .text = "support"}); }
void BM_NeedRegionText(benchmark::State& state) {
    Run(state, {.need = "counselling", .region = "London", .text = "support"});
}
void BM_TwoWordsRareMatch(benchmark::State& state) { Run(state, {.text = "critical incident"}); }
void BM_NoMatch(benchmark::State& state) { Run(state, {.text = "astrology"}); }
void BM_EverythingLimit100(benchmark::State& state) { Run(state, {.limit = 100}); }

BENCHMARK(BM_NeedOnly);
BENCHMARK(BM_NeedAndText);
BENCHMARK(BM_NeedRegionText);
BENCHMARK(BM_TwoWordsRareMatch);
BENCHMARK(BM_NoMatch);
BENCHMARK(BM_EverythingLimit100);

}  // namespace
}  // namespace crisisline::directory

BENCHMARK_MAIN();
