#include "staffing/erlang.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace crisisline::staffing {
namespace {

constexpr double kNegligible = 1e-18;  // terms below this share of the largest are dropped
constexpr double kLogFloor = -650;     // below e^-650 a double loses precision (denormals); step in logs there

// Erlang B for every n in [0, up_to]: b[n].
std::vector<double> ErlangBTable(int up_to, double load) {
    std::vector<double> b(static_cast<size_t>(up_to) + 1);
    b[0] = 1;
    for (int k = 1; k <= up_to; ++k) b[k] = load * b[k - 1] / (k + load * b[k - 1]);
    return b;
}

Performance QuietInterval(int counsellors) {
    Performance p;
    p.counsellors = counsellors;
    p.service_level = 1;
    return p;
}

Performance ErlangCWithB(const Demand& demand, int n, double b, double target_s) {
    const double load = demand.Load();
    if (load <= 0) return QuietInterval(n);
    Performance p;
    p.counsellors = n;
    p.occupancy = std::min(1.0, load / n);
    if (load >= n) {
        p.stable = false;
        p.p_wait = 1;
        p.asa_s = std::numeric_limits<double>::infinity();
        return p;
    }
    const double c = n * b / (n - load * (1 - b));
    p.p_wait = c;
    p.service_level = 1 - c * std::exp(-(n - load) * target_s / demand.handling_s);
    p.asa_s = c * demand.handling_s / (n - load);
    return p;
}

// Erlang A as a birth-death chain. With x = N*mu/theta and y = lambda/theta, the chain's states beyond N (k
// callers queued) carry weight c_k = prod_{j=1..k} y / (x + j) relative to the state N. An arriving caller
// who finds k queued ahead is answered with probability x / (x + k + 1), after a wait whose scaled value
// theta*V is the (k+1)-th smallest of x + k exponential lifetimes; answered within T therefore has
// probability x / (x + k + 1) * P(X > k) with X negative binomial (r = x + 1, p = 1 - e^(-theta*T)).
Performance ErlangAWithB(const Demand& demand, int n, double b, double target_s, double patience_s) {
    const double lambda = demand.arrivals_per_s;
    if (lambda <= 0 || demand.Load() <= 0) return QuietInterval(n);
    const double theta = 1 / patience_s;
    const double x = n / demand.handling_s * patience_s;
    const double y = lambda * patience_s;

    // Queue weights relative to the largest one, from its index outwards.
    const long peak = std::max(0L, static_cast<long>(std::floor(y - x)));
    double log_peak = 0;
    for (long j = 1; j <= peak; ++j) log_peak += std::log(y / (x + j));
    long k_lo = peak;
    for (double e = 1; k_lo > 0;) {
        e *= (x + k_lo) / y;
        if (e < kNegligible) break;
        --k_lo;
    }
    thread_local std::vector<double> w;
    w.clear();
    {
        double e = 1;
        for (long k = peak; k > k_lo; --k) e *= (x + k) / y;
        for (long k = k_lo;; ++k) {
            w.push_back(e);
            e *= y / (x + k + 1);
            if (k >= peak && e < kNegligible) break;
        }
    }
    const long k_hi = k_lo + static_cast<long>(w.size()) - 1;
    double w_sum = 0;
    for (double v : w) w_sum += v;
    const double log_queue_sum = log_peak + std::log(w_sum);  // log of sum_k c_k

    // P(wait) = S B / (1 + (S - 1) B) with S the sum of the queue weights.
    double p_wait = 0;
    if (b > 0) {
        const double log_r = std::log1p(-b) - std::log(b) - log_queue_sum;
        p_wait = 1 / (1 + std::exp(log_r));
    }

    // Tail of the negative binomial, P(X > k) for k in [k_lo, k_hi]: its terms from k_lo + 1 upwards, summed
    // from the far end so that no small tail is a difference of large numbers.
    const double theta_t = theta * target_s;
    thread_local std::vector<double> tail;
    tail.assign(w.size(), 0);
    if (theta_t > 0) {
        const double r = x + 1;
        const double log_u = std::log(-std::expm1(-theta_t));
        const double mean = r * std::expm1(theta_t);
        const long i0 = k_lo + 1;
        double log_t = i0 * log_u - r * theta_t;  // log t_i0 = log C(i0 + r - 1, i0) + i0 log u + r log(1 - u)
        if (i0 < 64) {
            for (long j = 0; j < i0; ++j) log_t += std::log((j + r) / (j + 1));
        } else {
            log_t += std::lgamma(i0 + r) - std::lgamma(i0 + 1.0) - std::lgamma(r);
        }
        thread_local std::vector<double> t;
        thread_local std::vector<double> tails;
        t.clear();
        const double u = -std::expm1(-theta_t);
        bool in_logs = log_t <= kLogFloor;
        double v = in_logs ? 0 : std::exp(log_t);
        for (long i = i0;; ++i) {
            t.push_back(v);
            const double ratio = u * (i + r) / (i + 1);
            if (in_logs) {
                log_t += std::log(ratio);
                if (log_t > kLogFloor) {
                    in_logs = false;
                    v = std::exp(log_t);
                }
            } else {
                v *= ratio;
            }
            // Past the mean the terms only fall; stop once they are far below double precision.
            if (i > k_hi && i > mean && (in_logs || v < kNegligible * 1e-2)) break;
            if (i > k_hi + 1000000) break;  // a guard; unreachable for loads below millions of erlangs
        }
        tails.assign(t.size() + 1, 0);
        double suffix = 0;
        for (long i = static_cast<long>(t.size()) - 1; i >= 0; --i) {
            suffix += t[i];
            tails[i] = suffix;
        }
        // P(X > k) = sum of t_i for i >= k + 1, and t[0] is t_{k_lo + 1}.
        for (size_t idx = 0; idx < w.size(); ++idx) tail[idx] = std::min(1.0, tails[idx]);
    }

    double answered_in_time = 0, abandon = 0, answered_wait = 0;
    double h = 0;  // sum_{j=0..k} 1 / ((x + j + 1) theta): expected wait of a caller answered from position k
    for (long j = 0; j < k_lo; ++j) h += 1 / ((x + j + 1) * theta);
    for (size_t idx = 0; idx < w.size(); ++idx) {
        const double k = static_cast<double>(k_lo) + static_cast<double>(idx);
        h += 1 / ((x + k + 1) * theta);
        const double share = w[idx] / w_sum;
        const double answered = x / (x + k + 1);
        answered_in_time += share * answered * tail[idx];
        abandon += share * (k + 1) / (x + k + 1);
        answered_wait += share * answered * h;
    }
    Performance p;
    p.counsellors = n;
    p.p_wait = p_wait;
    p.p_abandon = p_wait * abandon;
    p.service_level = (1 - p_wait) + p_wait * answered_in_time;
    const double p_answered = 1 - p.p_abandon;
    p.asa_s = p_answered > 0 ? p_wait * answered_wait / p_answered : 0;
    p.occupancy = std::min(1.0, demand.Load() * p_answered / n);
    return p;
}

bool Meets(const Performance& p, const Target& target) {
    constexpr double kSlack = 1e-12;  // rounding in the last digits never costs a counsellor
    return p.stable && p.service_level + kSlack >= target.service_level &&
           p.occupancy <= target.max_occupancy + kSlack && p.counsellors >= target.min_counsellors;
}

int Rostered(int on_phones, double shrinkage) {
    return static_cast<int>(std::ceil(on_phones / (1 - shrinkage) - 1e-9));
}

Requirement Quiet(const Target& target) {
    Requirement r;
    r.on_phones = target.min_counsellors;
    r.rostered = Rostered(r.on_phones, target.shrinkage);
    r.performance = QuietInterval(r.on_phones);
    return r;
}

}  // namespace

double ErlangB(int counsellors, double load) {
    double b = 1;
    for (int k = 1; k <= counsellors; ++k) b = load * b / (k + load * b);
    return b;
}

Performance ErlangC(const Demand& demand, int counsellors, double target_s) {
    return ErlangCWithB(demand, counsellors, ErlangB(counsellors, demand.Load()), target_s);
}

Performance ErlangA(const Demand& demand, int counsellors, double target_s, double patience_s) {
    return ErlangAWithB(demand, counsellors, ErlangB(counsellors, demand.Load()), target_s, patience_s);
}

Result<void> CheckTarget(const Target& target) {
    if (!(target.service_level > 0 && target.service_level < 1))
        return Fail(ErrorCode::kInvalid, "service_level", "must be a share between 0 and 1, e.g. 0.9");
    if (!(target.target_s >= 0 && target.target_s <= 3600))
        return Fail(ErrorCode::kInvalid, "target_s", "must be from 0 to 3600 seconds");
    if (!(target.max_occupancy > 0 && target.max_occupancy <= 1))
        return Fail(ErrorCode::kInvalid, "max_occupancy", "must be a share above 0 and at most 1");
    if (!(target.shrinkage >= 0 && target.shrinkage < 0.9))
        return Fail(ErrorCode::kInvalid, "shrinkage", "must be a share from 0 to below 0.9");
    if (target.min_counsellors < 0 || target.min_counsellors > 1000)
        return Fail(ErrorCode::kInvalid, "min_counsellors", "must be from 0 to 1000");
    return {};
}

Requirement RequiredErlangC(const Demand& demand, const Target& target) {
    const double load = demand.Load();
    if (load <= 0) return Quiet(target);
    double b = 1;
    for (int n = 1;; ++n) {
        b = load * b / (n + load * b);
        if (n < load) continue;
        Performance p = ErlangCWithB(demand, n, b, target.target_s);
        if (Meets(p, target)) return {n, Rostered(n, target.shrinkage), p};
    }
}

Requirement RequiredErlangA(const Demand& demand, const Target& target, double patience_s) {
    const double load = demand.Load();
    if (load <= 0) return Quiet(target);
    // Meeting the target is monotone in N (more counsellors: higher service level, lower occupancy), so a
    // search bracketed from Erlang C's answer finds the smallest N in a few evaluations.
    int hi = std::max(RequiredErlangC(demand, target).on_phones, 1);
    std::vector<double> b = ErlangBTable(hi, load);
    auto at = [&](int n) {
        while (static_cast<int>(b.size()) <= n) {
            const double prev = b.back();
            const int k = static_cast<int>(b.size());
            b.push_back(load * prev / (k + load * prev));
        }
        return ErlangAWithB(demand, n, b[n], target.target_s, patience_s);
    };
    Performance best = at(hi);
    while (!Meets(best, target)) {
        hi *= 2;
        best = at(hi);
    }
    int lo = 0;  // invariant: lo fails (or is 0), hi meets
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        Performance p = at(mid);
        if (Meets(p, target)) {
            hi = mid;
            best = p;
        } else {
            lo = mid;
        }
    }
    return {hi, Rostered(hi, target.shrinkage), best};
}

std::optional<double> EstimatePatience(std::int64_t abandoned, double total_waited_s) {
    if (abandoned <= 0 || !(total_waited_s > 0)) return std::nullopt;
    return total_waited_s / static_cast<double>(abandoned);
}

std::optional<double> EstimatePatience(const std::vector<WaitObservation>& waits) {
    std::int64_t abandoned = 0;
    double total = 0;
    for (const WaitObservation& w : waits) {
        abandoned += w.abandoned ? 1 : 0;
        total += std::max(0.0, w.waited_s);
    }
    return EstimatePatience(abandoned, total);
}

}  // namespace crisisline::staffing
