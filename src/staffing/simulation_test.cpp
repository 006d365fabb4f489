#include "staffing/simulation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "staffing/erlang.hpp"

namespace crisisline::staffing {
namespace {

// Mean and standard error of a figure over independent replications (different seeds, each with its own
// warm-up). The formulas are checked to lie within 4 standard errors of the simulated mean: for a correct
// formula that fails about once in 16,000 seeds, and the seeds here are fixed, so the test is deterministic.
struct Estimate {
    double mean = 0;
    double standard_error = 0;
};

Estimate Over(const std::vector<SimulationResult>& runs, const std::function<double(const SimulationResult&)>& f) {
    double sum = 0, sum_sq = 0;
    for (const SimulationResult& r : runs) sum += f(r);
    const double n = static_cast<double>(runs.size());
    const double mean = sum / n;
    for (const SimulationResult& r : runs) sum_sq += (f(r) - mean) * (f(r) - mean);
    return {mean, std::sqrt(sum_sq / (n - 1) / n)};
}

std::vector<SimulationResult> Replicate(const QueueModel& model, int replications, double seconds) {
    std::vector<SimulationResult> runs;
    for (int i = 0; i < replications; ++i) {
        runs.push_back(Simulate(model, {seconds, 20 * model.handling_s, 1000 + static_cast<std::uint64_t>(i)}));
    }
    return runs;
}

void ExpectWithin4Se(const char* what, double formula, const Estimate& e) {
    EXPECT_GT(e.standard_error, 0) << what;  // a spread of zero would mean the replications are not independent
    EXPECT_LT(std::abs(formula - e.mean), 4 * e.standard_error)
        << what << ": formula " << formula << ", simulated " << e.mean << " +- " << e.standard_error;
}

void ExpectAgrees(const QueueModel& model, const Performance& p, int replications, double seconds) {
    const std::vector<SimulationResult> runs = Replicate(model, replications, seconds);
    ExpectWithin4Se("service level", p.service_level, Over(runs, &SimulationResult::ServiceLevel));
    ExpectWithin4Se("P(wait)", p.p_wait, Over(runs, &SimulationResult::PWait));
    ExpectWithin4Se("ASA", p.asa_s, Over(runs, &SimulationResult::Asa));
    ExpectWithin4Se("occupancy", p.occupancy, Over(runs, &SimulationResult::Occupancy));
    if (model.patience_s) ExpectWithin4Se("P(abandon)", p.p_abandon, Over(runs, &SimulationResult::PAbandon));
}

TEST(SimulationTest, AgreesWithErlangC) {
    // The worked example's queue (10 erlangs) with 14 and with 11 counsellors (a busy floor).
    for (int n : {14, 11}) {
        SCOPED_TRACE(testing::Message() << "counsellors=" << n);
        const QueueModel model{100.0 / 1800, 180, {}, std::nullopt, n, 20};
        ExpectAgrees(model, ErlangC({100.0 / 1800, 180}, n, 20), 20, 400000);
    }
}

TEST(SimulationTest, AgreesWithErlangA) {
    struct Case {
        Demand d;
        int n;
        double patience_s;
    };
    for (const Case& c : {Case{{100.0 / 1800, 180}, 10, 120}, Case{{0.05, 420}, 20, 60}, Case{{0.4, 500}, 195, 240}}) {
        SCOPED_TRACE(testing::Message() << "load=" << c.d.Load() << " n=" << c.n << " patience=" << c.patience_s);
        const QueueModel model{c.d.arrivals_per_s, c.d.handling_s, {}, c.patience_s, c.n, 20};
        ExpectAgrees(model, ErlangA(c.d, c.n, 20, c.patience_s), 20, 150000);
    }
}

TEST(SimulationTest, DrawsMeasuredHandlingTimes) {
    // Handling times of 60 s or 300 s (mean 180 s): the counsellors' occupancy is still load / N, and the
    // waits differ from the exponential model's (more variable handling, more waiting).
    const QueueModel measured{100.0 / 1800, 0, {60, 300}, std::nullopt, 12, 20};
    const std::vector<SimulationResult> runs = Replicate({100.0 / 1800, 180, {60, 300}, std::nullopt, 12, 20}, 20,
                                                         300000);
    ExpectWithin4Se("occupancy", 10.0 / 12, Over(runs, &SimulationResult::Occupancy));
    const SimulationResult one = Simulate(measured, {100000, 3600, 7});
    EXPECT_GT(one.answered, 0);
}

TEST(SimulationTest, IsDeterministicGivenTheSeed) {
    const QueueModel model{0.05, 300, {}, 90.0, 12, 20};
    const SimulationResult a = Simulate(model, {50000, 3000, 42});
    const SimulationResult b = Simulate(model, {50000, 3000, 42});
    const SimulationResult c = Simulate(model, {50000, 3000, 43});
    EXPECT_EQ(a.offered, b.offered);
    EXPECT_EQ(a.answered_in_time, b.answered_in_time);
    EXPECT_EQ(a.abandoned, b.abandoned);
    EXPECT_DOUBLE_EQ(a.answered_wait_s, b.answered_wait_s);
    EXPECT_NE(a.offered, c.offered);
    EXPECT_EQ(a.offered, a.answered + a.abandoned);  // every counted caller is followed to an end
}

}  // namespace
}  // namespace crisisline::staffing
