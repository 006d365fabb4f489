#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crisisline::http {

// Label name and value pairs of one series, e.g. {{"class", "2xx"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A count that only goes up. Thread-safe and lock-free.
class Counter {
public:
    void Increment(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
    std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe and lock-free.
class Gauge {
public:
    void Set(double value) { value_.store(value, std::memory_order_relaxed); }
    void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
    double Value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

// Observations counted into buckets by upper bound, Prometheus style. Thread-safe and lock-free; a Render
// that runs during Observe may see the count and the sum of slightly different moments.
class Histogram {
public:
    // REQUIRES: `bounds` strictly increasing and finite (Metrics::AddHistogram checks).
    explicit Histogram(std::vector<double> bounds);
    void Observe(double value);

    const std::vector<double>& Bounds() const { return bounds_; }
    // Observations <= Bounds()[i], not cumulative; the last element counts those above every bound.
    std::vector<std::uint64_t> BucketCounts() const;
    std::uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
    double Sum() const { return sum_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
    std::atomic<std::uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

// A registry of metrics rendered in the Prometheus text exposition format (version 0.0.4).
// Series that share a name form one family with one HELP and TYPE line; each series may carry one label set.
// Thread-safe. The references returned stay valid as long as the Metrics.
class Metrics {
public:
    // The Content-Type of Render()'s output.
    static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Each Add returns the series already registered under the same name and labels, so a component may be
    // set up twice. Throws std::invalid_argument (a start-up error) when a name or label name is not a valid
    // Prometheus name, the name is already used by another type, or histogram bounds are not strictly
    // increasing and finite.
    Counter& AddCounter(std::string name, std::string help, Labels labels = {});
    Gauge& AddGauge(std::string name, std::string help, Labels labels = {});
    Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds, Labels labels = {});

    // Every family in the order first added, each series in the order added.
    std::string Render() const;

private:
    enum class Type { kCounter, kGauge, kHistogram };
    struct Series {
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
    };
    struct Family {
        std::string name;
        std::string help;
        Type type = Type::kCounter;
        std::vector<Series> series;
    };

    // Finds or creates the series; `created` tells which. REQUIRES: mutex_ held.
    Series& FindOrAdd(std::string name, std::string help, Type type, Labels labels, bool* created);

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Family>> families_;
};

}  // namespace crisisline::http
