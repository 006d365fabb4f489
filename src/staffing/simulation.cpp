#include "staffing/simulation.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <random>

namespace crisisline::staffing {
namespace {

// Uniform and exponential draws from a 64-bit Mersenne Twister, written out so that a seed gives the same
// figures with any standard library (std::exponential_distribution's algorithm is not specified).
class Draws {
public:
    explicit Draws(std::uint64_t seed) : engine_(seed) {}
    double Uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }  // in (0, 1)
    double Exponential(double mean) { return -mean * std::log(Uniform()); }
    size_t Index(size_t n) { return static_cast<size_t>(Uniform() * static_cast<double>(n)) % n; }

private:
    std::mt19937_64 engine_;
};

struct Waiting {
    double arrived = 0;
    double gives_up = 0;  // arrival + patience (infinity without patience)
    bool counted = false;
};

}  // namespace

SimulationResult Simulate(const QueueModel& model, const SimulationRun& run) {
    assert(model.arrivals_per_s > 0 && model.counsellors >= 1 && run.seconds > 0);  // REQUIRES of the header
    Draws draws(run.seed);
    SimulationResult out;
    out.counsellors = model.counsellors;
    out.counted_s = run.seconds;
    const double count_from = run.warm_up_s;
    const double count_to = run.warm_up_s + run.seconds;
    const double inf = std::numeric_limits<double>::infinity();

    auto handling = [&] {
        if (!model.handling_samples_s.empty()) return model.handling_samples_s[draws.Index(model.handling_samples_s.size())];
        return draws.Exponential(model.handling_s);
    };
    auto busy_within = [&](double from, double to) {
        return std::max(0.0, std::min(to, count_to) - std::max(from, count_from));
    };
    // Starts handling a call at `now`; returns when the counsellor is free again.
    auto answer = [&](const Waiting& call, double now) {
        const double wait = now - call.arrived;
        const double ends = now + handling();
        if (call.counted) {
            ++out.answered;
            out.answered_wait_s += wait;
            if (wait <= model.target_s) ++out.answered_in_time;
        }
        out.busy_s += busy_within(now, ends);
        return ends;
    };

    std::priority_queue<double, std::vector<double>, std::greater<>> free_at;  // counsellors busy until
    int idle = model.counsellors;
    std::deque<Waiting> queue;
    double next_arrival = draws.Exponential(1 / model.arrivals_per_s);

    // Callers who gave up are removed when a counsellor next looks at the head of the queue: FCFS means a
    // caller still there then is the one answered, and one whose patience ran out before then had hung up.
    auto take_next = [&](double now) -> bool {
        while (!queue.empty()) {
            Waiting head = queue.front();
            queue.pop_front();
            if (head.gives_up < now) {
                if (head.counted) ++out.abandoned;
                continue;
            }
            free_at.push(answer(head, now));
            return true;
        }
        return false;
    };

    while (true) {
        const double next_free = free_at.empty() ? inf : free_at.top();
        if (next_arrival >= count_to && queue.empty() && free_at.empty()) break;
        if (next_arrival < count_to && next_arrival <= next_free) {
            const double now = next_arrival;
            next_arrival = now + draws.Exponential(1 / model.arrivals_per_s);
            Waiting call{now, model.patience_s ? now + draws.Exponential(*model.patience_s) : inf,
                         now >= count_from};
            if (call.counted) ++out.offered;
            if (idle > 0) {
                --idle;
                free_at.push(answer(call, now));
            } else {
                if (call.counted) ++out.waited;
                queue.push_back(call);
            }
        } else if (next_free < inf) {
            const double now = next_free;
            free_at.pop();
            if (!take_next(now)) ++idle;
        } else {
            break;  // unreachable: a caller waits only while every counsellor is busy, so free_at is not empty
        }
    }
    return out;
}

}  // namespace crisisline::staffing
