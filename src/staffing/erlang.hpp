#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"

// staffing/erlang: how many counsellors a half hour needs, from queueing theory.
//
// Two models of one queue: calls arrive at random (Poisson) at `arrivals_per_s`, each takes an exponentially
// distributed handling time (talk + wrap-up) of mean `handling_s`, N counsellors answer in order of arrival.
//  - Erlang C (M/M/N): every caller waits as long as it takes.
//  - Erlang A (M/M/N+M): each caller hangs up after an exponentially distributed patience of mean `patience_s`.
// Pure arithmetic: no I/O, no clock, thread-safe. Both are computed without factorials (Erlang B's recursion
// and ratios of consecutive terms), so hundreds of counsellors and loads of hundreds of erlangs are exact to
// double precision.
namespace crisisline::staffing {

// One interval's demand.
struct Demand {
    double arrivals_per_s = 0;  // >= 0
    double handling_s = 0;      // > 0 when arrivals_per_s > 0: talk + wrap-up
    double Load() const { return arrivals_per_s * handling_s; }  // offered load in erlangs
};

// What the callers of an interval would see with a given number of counsellors.
struct Performance {
    int counsellors = 0;
    double service_level = 0;     // P(answered within the target time); abandoned calls count as not answered
    double p_wait = 0;            // P(a caller waits at all)
    double p_abandon = 0;         // P(a caller hangs up before being answered); 0 in Erlang C
    double asa_s = 0;             // average speed of answer: mean wait of answered calls, zero waits included
    double occupancy = 0;         // share of counsellors' time spent handling calls
    bool stable = true;           // Erlang C only: false when load >= counsellors (the queue grows without bound)
};

// Erlang B, the blocking probability of N servers under `load` erlangs, by the recursion
// B(0) = 1, B(k) = load * B(k-1) / (k + load * B(k-1)). REQUIRES: counsellors >= 0, load >= 0.
double ErlangB(int counsellors, double load);

// Erlang C figures for `counsellors` answering `demand`, service level within `target_s` seconds.
// With load >= counsellors the queue is unstable: p_wait = 1, service_level = 0, asa_s = +inf, stable = false.
// REQUIRES: counsellors >= 1, target_s >= 0.
Performance ErlangC(const Demand& demand, int counsellors, double target_s);

// Erlang A figures (exponential patience of mean `patience_s` > 0); always stable.
// REQUIRES: counsellors >= 1, target_s >= 0, patience_s > 0.
Performance ErlangA(const Demand& demand, int counsellors, double target_s, double patience_s);

// A line's target and the allowances that turn counsellors on the phones into counsellors on the rota.
struct Target {
    double service_level = 0.9;  // share answered within target_s, in (0, 1)
    double target_s = 20;        // >= 0
    double max_occupancy = 0.85; // in (0, 1]: nobody is kept busier than this on average
    double shrinkage = 0.3;      // in [0, 1): share of rostered time not on the phones (breaks, training, sickness)
    int min_counsellors = 1;     // >= 0: a 24/7 line keeps at least this many on the phones even when quiet
};

// Checks a Target's ranges; the error names the field (service_level, target_s, max_occupancy, shrinkage,
// min_counsellors).
[[nodiscard]] Result<void> CheckTarget(const Target& target);

// The staffing for one interval: the smallest number on the phones that meets the service level and the
// occupancy cap (and the minimum), its figures, and the number to roster once shrinkage is allowed for
// (ceil(on_phones / (1 - shrinkage))).
struct Requirement {
    int on_phones = 0;
    int rostered = 0;
    Performance performance;
};

// Erlang C staffing. REQUIRES: CheckTarget(target) succeeded; demand valid (see Demand).
Requirement RequiredErlangC(const Demand& demand, const Target& target);

// Erlang A staffing with callers' mean patience `patience_s` > 0.
Requirement RequiredErlangA(const Demand& demand, const Target& target, double patience_s);

// The callers' patience, estimated from the waits of the calls in a period: patience is taken as exponential,
// each abandoned call's wait is an observed patience, each answered call's wait a lower bound on one (a
// censored observation), so the maximum-likelihood rate is abandoned / (total seconds waited by all calls).
// Returns the mean patience in seconds, or nothing when no caller abandoned (patience beyond what was seen:
// use Erlang C) or nobody waited.
struct WaitObservation {
    double waited_s = 0;
    bool abandoned = false;
};
std::optional<double> EstimatePatience(const std::vector<WaitObservation>& waits);
std::optional<double> EstimatePatience(std::int64_t abandoned, double total_waited_s);

}  // namespace crisisline::staffing
