#include "staffing/erlang.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace crisisline::staffing {
namespace {

// The worked example of Call Centre Helper's "Erlang C Formula - Made Simple With an Easy Worked Example"
// (callcentrehelper.com): 100 calls in 30 minutes, average handling time 180 s, 80 % to be answered within
// 20 s, occupancy at most 85 %, shrinkage 30 %. The published figures used here are those printed by the
// README of the CRAN package ErlangC 0.1.0 (rdocumentation.org/packages/ErlangC/versions/0.1.0), which
// works the same example: traffic intensity 10, with 11 agents a wait probability of 0.6821182; with 14
// agents wait probability 0.1741319, service level 0.88835, average speed of answer 7.83593701177724 s,
// occupancy 0.7142857, and 14 agents the smallest number meeting the target. The article then divides by
// (1 - shrinkage): 14 / 0.7 = 20 to roster.
const Demand kWorkedExample{100.0 / 1800.0, 180};

TEST(ErlangCTest, MatchesThePublishedWorkedExample) {
    EXPECT_NEAR(kWorkedExample.Load(), 10, 1e-12);
    EXPECT_NEAR(ErlangC(kWorkedExample, 11, 20).p_wait, 0.6821182, 5e-8);
    const Performance p = ErlangC(kWorkedExample, 14, 20);
    EXPECT_NEAR(p.p_wait, 0.1741319, 5e-8);
    EXPECT_NEAR(p.service_level, 0.88835, 5e-6);
    EXPECT_NEAR(p.asa_s, 7.83593701177724, 1e-9);
    EXPECT_NEAR(p.occupancy, 0.7142857, 5e-8);
    EXPECT_TRUE(p.stable);
}

TEST(ErlangCTest, StaffsThePublishedWorkedExample) {
    const Target target{0.8, 20, 0.85, 0.3, 1};
    const Requirement r = RequiredErlangC(kWorkedExample, target);
    EXPECT_EQ(r.on_phones, 14);
    EXPECT_EQ(r.rostered, 20);
    EXPECT_NEAR(r.performance.service_level, 0.88835, 5e-6);
    // 13 would not do: its service level is below 80 %.
    EXPECT_LT(ErlangC(kWorkedExample, 13, 20).service_level, 0.8);
}

// Erlang B from its definition, sum of A^k/k!, in log space with lgamma: an independent check of the recursion.
double ErlangBByLogSums(int n, double load) {
    double max_log = -INFINITY;
    std::vector<double> logs;
    for (int k = 0; k <= n; ++k) {
        logs.push_back(k * std::log(load) - std::lgamma(k + 1.0));
        max_log = std::max(max_log, logs.back());
    }
    double sum = 0;
    for (double l : logs) sum += std::exp(l - max_log);
    return std::exp(logs.back() - max_log) / sum;
}

TEST(ErlangCTest, StaysExactForHundredsOfCounsellors) {
    struct Case {
        int n;
        double load;
    };
    for (const Case c : {Case{500, 480}, Case{800, 700}, Case{300, 150}, Case{1000, 990}}) {
        SCOPED_TRACE(testing::Message() << "n=" << c.n << " load=" << c.load);
        const double b = ErlangB(c.n, c.load);
        EXPECT_NEAR(b / ErlangBByLogSums(c.n, c.load), 1, 1e-9);
        const Performance p = ErlangC({c.load / 300, 300}, c.n, 20);
        EXPECT_TRUE(std::isfinite(p.asa_s));
        EXPECT_GE(p.p_wait, 0);
        EXPECT_LE(p.p_wait, 1);
        EXPECT_GE(p.service_level, 0);
        EXPECT_LE(p.service_level, 1);
    }
}

TEST(ErlangCTest, AnOverloadedQueueIsUnstable) {
    const Performance p = ErlangC(kWorkedExample, 10, 20);
    EXPECT_FALSE(p.stable);
    EXPECT_EQ(p.service_level, 0);
    EXPECT_EQ(p.p_wait, 1);
}

TEST(ErlangCTest, AQuietIntervalKeepsTheMinimum) {
    const Requirement r = RequiredErlangC({0, 600}, {0.9, 20, 0.85, 0.25, 2});
    EXPECT_EQ(r.on_phones, 2);
    EXPECT_EQ(r.rostered, 3);
    EXPECT_EQ(r.performance.service_level, 1);
}

TEST(ErlangCTest, TheOccupancyCapCanDecide) {
    // 40 erlangs at a 50 % target within 60 s needs few beyond 40; a 75 % cap needs at least 54.
    const Demand d{40.0 / 600, 600};
    const Requirement loose = RequiredErlangC(d, {0.5, 60, 1.0, 0, 1});
    const Requirement capped = RequiredErlangC(d, {0.5, 60, 0.75, 0, 1});
    EXPECT_LT(loose.on_phones, 54);
    EXPECT_EQ(capped.on_phones, 54);
    EXPECT_LE(capped.performance.occupancy, 0.75);
}

// The stationary distribution of the Erlang A chain summed directly (long double, truncated far out): an
// independent check of P(wait), and of P(abandon) through the balance theta * E[queue] = lambda * P(abandon).
struct Chain {
    double p_wait;
    double p_abandon;
};
Chain ErlangAByChain(const Demand& d, int n, double patience_s) {
    const long double lambda = d.arrivals_per_s, mu = 1 / d.handling_s, theta = 1 / patience_s;
    std::vector<long double> pi{1};
    for (int k = 1; k < n + 20000; ++k) {
        const long double death = std::min(k, n) * mu + std::max(0, k - n) * theta;
        pi.push_back(pi.back() * lambda / death);
    }
    long double total = 0, waiting = 0, queued = 0;
    for (size_t k = 0; k < pi.size(); ++k) {
        total += pi[k];
        if (static_cast<int>(k) >= n) {
            waiting += pi[k];
            queued += pi[k] * static_cast<long double>(k - n);
        }
    }
    return {static_cast<double>(waiting / total), static_cast<double>(theta * queued / total / lambda)};
}

TEST(ErlangATest, AgreesWithTheChainSummedDirectly) {
    struct Case {
        Demand d;
        int n;
        double patience_s;
    };
    for (const Case& c : {Case{kWorkedExample, 11, 120}, Case{kWorkedExample, 8, 60}, Case{{0.1, 600}, 55, 300},
                          Case{{0.5, 500}, 240, 180}, Case{{0.02, 900}, 20, 30}}) {
        SCOPED_TRACE(testing::Message() << "load=" << c.d.Load() << " n=" << c.n << " patience=" << c.patience_s);
        const Performance p = ErlangA(c.d, c.n, 20, c.patience_s);
        const Chain chain = ErlangAByChain(c.d, c.n, c.patience_s);
        EXPECT_NEAR(p.p_wait, chain.p_wait, 1e-9);
        EXPECT_NEAR(p.p_abandon, chain.p_abandon, 1e-9);
        EXPECT_NEAR(p.occupancy, c.d.Load() * (1 - chain.p_abandon) / c.n, 1e-9);
        EXPECT_LE(p.service_level, 1 - p.p_abandon + 1e-12);
    }
}

TEST(ErlangATest, BecomesErlangCAsPatienceGrows) {
    const Performance c = ErlangC(kWorkedExample, 14, 20);
    const Performance a = ErlangA(kWorkedExample, 14, 20, 1e9);
    EXPECT_NEAR(a.p_wait, c.p_wait, 1e-6);
    EXPECT_NEAR(a.service_level, c.service_level, 1e-6);
    EXPECT_NEAR(a.asa_s, c.asa_s, 1e-4);
    EXPECT_NEAR(a.p_abandon, 0, 1e-6);
}

TEST(ErlangATest, StaysFiniteWhenOverloaded) {
    // Twice the load the counsellors can carry: Erlang C has no answer, Erlang A does (callers give up).
    const Performance p = ErlangA({0.2, 300}, 30, 20, 120);
    EXPECT_TRUE(p.stable);
    EXPECT_GT(p.p_abandon, 0.4);
    EXPECT_LT(p.p_abandon, 0.6);
    EXPECT_NEAR(p.p_wait, ErlangAByChain({0.2, 300}, 30, 120).p_wait, 1e-9);
    EXPECT_NEAR(p.occupancy, 1, 0.01);
}

TEST(ErlangATest, StaffsTheSmallestNumberThatMeetsTheTarget) {
    const Target target{0.9, 20, 0.9, 0.3, 1};
    for (double patience : {15.0, 60.0, 180.0, 1200.0}) {
        SCOPED_TRACE(testing::Message() << "patience=" << patience);
        const Requirement r = RequiredErlangA({0.1, 420}, target, patience);
        EXPECT_GE(r.performance.service_level, 0.9);
        EXPECT_LT(ErlangA({0.1, 420}, r.on_phones - 1, 20, patience).service_level, 0.9);
        EXPECT_EQ(r.rostered, static_cast<int>(std::ceil(r.on_phones / 0.7 - 1e-9)));
    }
}

TEST(PatienceTest, IsAbandonsOverTotalWaitingTime) {
    // Two abandoned after 30 s and 90 s; three answered after 10, 20 and 50 s (censored): 200 s / 2 abandons.
    const std::vector<WaitObservation> waits{{30, true}, {90, true}, {10, false}, {20, false}, {50, false}};
    ASSERT_TRUE(EstimatePatience(waits).has_value());
    EXPECT_DOUBLE_EQ(*EstimatePatience(waits), 100);
    EXPECT_FALSE(EstimatePatience(std::vector<WaitObservation>{{10, false}}).has_value());
    EXPECT_FALSE(EstimatePatience(0, 500).has_value());
}

TEST(TargetTest, NamesTheFieldOutOfRange) {
    EXPECT_TRUE(CheckTarget({}).has_value());
    struct Case {
        Target t;
        const char* field;
    };
    for (const Case& c : {Case{{1.0, 20, 0.85, 0.3, 1}, "service_level"}, Case{{0.9, -1, 0.85, 0.3, 1}, "target_s"},
                          Case{{0.9, 20, 0, 0.3, 1}, "max_occupancy"}, Case{{0.9, 20, 0.85, 0.95, 1}, "shrinkage"},
                          Case{{0.9, 20, 0.85, 0.3, -1}, "min_counsellors"}}) {
        const Result<void> r = CheckTarget(c.t);
        ASSERT_FALSE(r.has_value()) << c.field;
        EXPECT_EQ(r.error().field, c.field);
    }
}

}  // namespace
}  // namespace crisisline::staffing
