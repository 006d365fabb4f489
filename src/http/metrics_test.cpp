#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <vector>

namespace crisisline::http {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
    Metrics metrics;
    metrics.AddCounter("jobs_total", "Jobs done.", {{"class", "2xx"}}).Increment(3);
    metrics.AddCounter("jobs_total", "Jobs done.", {{"class", "5xx"}}).Increment();
    metrics.AddGauge("queue_depth", "Callers waiting.\nNow.").Set(2.5);
    Histogram& latency = metrics.AddHistogram("latency_seconds", "Latency.", {0.1, 1});
    latency.Observe(0.05);
    latency.Observe(0.1);
    latency.Observe(0.5);
    latency.Observe(7);
    EXPECT_EQ(metrics.Render(),
              "# HELP jobs_total Jobs done.\n"
              "# TYPE jobs_total counter\n"
              "jobs_total{class=\"2xx\"} 3\n"
              "jobs_total{class=\"5xx\"} 1\n"
              "# HELP queue_depth Callers waiting.\\nNow.\n"
              "# TYPE queue_depth gauge\n"
              "queue_depth 2.5\n"
              "# HELP latency_seconds Latency.\n"
              "# TYPE latency_seconds histogram\n"
              "latency_seconds_bucket{le=\"0.1\"} 2\n"
              "latency_seconds_bucket{le=\"1\"} 3\n"
              "latency_seconds_bucket{le=\"+Inf\"} 4\n"
              "latency_seconds_sum 7.65\n"
              "latency_seconds_count 4\n");
}

TEST(MetricsTest, EscapesLabelValues) {
    Metrics metrics;
    metrics.AddCounter("c_total", "h", {{"path", "a\"b\\c\nd"}});
    EXPECT_NE(metrics.Render().find("c_total{path=\"a\\\"b\\\\c\\nd\"} 0\n"), std::string::npos) << metrics.Render();
}

TEST(MetricsTest, AddingTheSameSeriesAgainReturnsIt) {
    Metrics metrics;
    Counter& first = metrics.AddCounter("c_total", "h");
    Counter& second = metrics.AddCounter("c_total", "h");
    EXPECT_EQ(&first, &second);
    EXPECT_NE(&metrics.AddCounter("c_total", "h", {{"k", "v"}}), &first);
}

TEST(MetricsTest, RefusesBadNamesAndTypeClashes) {
    Metrics metrics;
    metrics.AddCounter("c_total", "h");
    EXPECT_THROW(metrics.AddGauge("c_total", "h"), std::invalid_argument);
    EXPECT_THROW(metrics.AddCounter("9lives", "h"), std::invalid_argument);
    EXPECT_THROW(metrics.AddCounter("has-dash", "h"), std::invalid_argument);
    EXPECT_THROW(metrics.AddCounter("ok", "h", {{"bad-label", "v"}}), std::invalid_argument);
    EXPECT_THROW(metrics.AddHistogram("h1", "h", {1, 1}), std::invalid_argument);
    EXPECT_THROW(metrics.AddHistogram("h2", "h", {1}, {{"le", "x"}}), std::invalid_argument);
}

TEST(MetricsTest, CountersAreThreadSafe) {
    Metrics metrics;
    Counter& counter = metrics.AddCounter("c_total", "h");
    Gauge& gauge = metrics.AddGauge("g", "h");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                counter.Increment();
                gauge.Add(1);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(counter.Value(), 40000U);
    EXPECT_EQ(gauge.Value(), 40000.0);
}

}  // namespace
}  // namespace crisisline::http
