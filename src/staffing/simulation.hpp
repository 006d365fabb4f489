#pragma once

#include <cstdint>
#include <optional>
#include <vector>

// staffing/simulation: a discrete-event simulation of one line's queue, to check the Erlang formulas against
// (and to answer what they cannot: measured handling times instead of exponential ones).
//
// Calls arrive as a Poisson process, wait in one first-come-first-served queue for the first of N free
// counsellors, and are handled for an exponential (or measured) time; with a patience, each caller hangs up
// after an exponential time if still unanswered. Seeded: the same model, run and seed give the same figures.
// Pure computation, no clock; thread-safe (no shared state).
namespace crisisline::staffing {

struct QueueModel {
    double arrivals_per_s = 0;              // > 0
    double handling_s = 0;                  // mean of the exponential handling time; unused with samples
    std::vector<double> handling_samples_s; // if not empty: handling times drawn from these, with replacement
    std::optional<double> patience_s;       // mean exponential patience; none: callers wait as long as it takes
    int counsellors = 1;                    // >= 1
    double target_s = 20;                   // service level threshold
};

struct SimulationRun {
    double seconds = 0;    // simulated time in which arrivals are counted, after the warm-up
    double warm_up_s = 0;  // simulated first, not counted (the queue starts empty)
    std::uint64_t seed = 1;
};

// Counts over the calls that arrived in the counted time (each followed to its end).
struct SimulationResult {
    std::int64_t offered = 0;
    std::int64_t answered = 0;
    std::int64_t answered_in_time = 0;  // answered after waiting at most target_s
    std::int64_t waited = 0;            // found every counsellor busy
    std::int64_t abandoned = 0;
    double answered_wait_s = 0;         // total wait of answered calls
    double busy_s = 0;                  // counsellor-seconds spent handling, within the counted time
    double counted_s = 0;
    int counsellors = 0;

    double ServiceLevel() const { return offered ? double(answered_in_time) / double(offered) : 1; }
    double PWait() const { return offered ? double(waited) / double(offered) : 0; }
    double PAbandon() const { return offered ? double(abandoned) / double(offered) : 0; }
    double Asa() const { return answered ? answered_wait_s / double(answered) : 0; }
    double Occupancy() const { return counted_s > 0 ? busy_s / (counted_s * counsellors) : 0; }
};

// Runs the simulation. REQUIRES: model.arrivals_per_s > 0, model.counsellors >= 1, handling_s > 0 or samples
// given (all >= 0), patience_s > 0 when set, run.seconds > 0.
SimulationResult Simulate(const QueueModel& model, const SimulationRun& run);

}  // namespace crisisline::staffing
