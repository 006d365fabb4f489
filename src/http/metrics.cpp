#include "http/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace crisisline::http {
namespace {

bool IsMetricName(std::string_view name, bool allow_colon) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [allow_colon](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               (allow_colon && c == ':');
    });
}

// Shortest text that reads back as the same double; "+Inf", "-Inf" and "NaN" as Prometheus spells them.
std::string FormatNumber(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return std::string(buffer, result.ptr);
}

std::string Escape(std::string_view text, bool quote) {
    std::string out;
    for (const char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out;
}

// `{a="1",le="0.5"}`, or "" when there are no labels at all.
std::string FormatLabels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {}) {
    std::string out;
    auto add = [&out](std::string_view name, std::string_view value) {
        out += out.empty() ? "{" : ",";
        out += name;
        out += "=\"";
        out += Escape(value, true);
        out += '"';
    };
    for (const auto& [name, value] : labels) {
        add(name, value);
    }
    if (!extra_name.empty()) {
        add(extra_name, extra_value);
    }
    return out.empty() ? out : out + "}";
}

const char* TypeName(int type) {
    static const char* const kNames[] = {"counter", "gauge", "histogram"};
    return kNames[type];
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        buckets_[i].store(0, std::memory_order_relaxed);
    }
}

void Histogram::Observe(double value) {
    const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
    buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::BucketCounts() const {
    std::vector<std::uint64_t> counts(bounds_.size() + 1);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        counts[i] = buckets_[i].load(std::memory_order_relaxed);
    }
    return counts;
}

Counter& Metrics::AddCounter(std::string name, std::string help, Labels labels) {
    std::lock_guard lock(mutex_);
    bool created = false;
    Series& series = FindOrAdd(std::move(name), std::move(help), Type::kCounter, std::move(labels), &created);
    if (created) {
        series.counter = std::make_unique<Counter>();
    }
    return *series.counter;
}

Gauge& Metrics::AddGauge(std::string name, std::string help, Labels labels) {
    std::lock_guard lock(mutex_);
    bool created = false;
    Series& series = FindOrAdd(std::move(name), std::move(help), Type::kGauge, std::move(labels), &created);
    if (created) {
        series.gauge = std::make_unique<Gauge>();
    }
    return *series.gauge;
}

Histogram& Metrics::AddHistogram(std::string name, std::string help, std::vector<double> bounds, Labels labels) {
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
            throw std::invalid_argument("histogram '" + name + "' needs finite, strictly increasing bucket bounds");
        }
    }
    for (const auto& label : labels) {
        if (label.first == "le") {
            throw std::invalid_argument("histogram '" + name + "' may not have a label called 'le'");
        }
    }
    std::lock_guard lock(mutex_);
    bool created = false;
    Series& series = FindOrAdd(std::move(name), std::move(help), Type::kHistogram, std::move(labels), &created);
    if (created) {
        series.histogram = std::make_unique<Histogram>(std::move(bounds));
    }
    return *series.histogram;
}

Metrics::Series& Metrics::FindOrAdd(std::string name, std::string help, Type type, Labels labels, bool* created) {
    if (!IsMetricName(name, true)) {
        throw std::invalid_argument("metric name '" + name + "' must match [a-zA-Z_:][a-zA-Z0-9_:]*");
    }
    for (const auto& label : labels) {
        if (!IsMetricName(label.first, false) || label.first.starts_with("__")) {
            throw std::invalid_argument("label name '" + label.first + "' of metric '" + name +
                                        "' must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
        }
    }
    auto family = std::find_if(families_.begin(), families_.end(), [&](const auto& f) { return f->name == name; });
    if (family == families_.end()) {
        families_.push_back(std::make_unique<Family>(Family{std::move(name), std::move(help), type, {}}));
        family = families_.end() - 1;
    } else if ((*family)->type != type) {
        throw std::invalid_argument("metric '" + name + "' is already registered as a " +
                                    TypeName(static_cast<int>((*family)->type)));
    }
    auto& all = (*family)->series;
    auto series = std::find_if(all.begin(), all.end(), [&](const Series& s) { return s.labels == labels; });
    *created = series == all.end();
    if (*created) {
        all.push_back(Series{std::move(labels), nullptr, nullptr, nullptr});
        return all.back();
    }
    return *series;
}

std::string Metrics::Render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& family : families_) {
        const std::string& name = family->name;
        out += "# HELP " + name + " " + Escape(family->help, false) + "\n";
        out += "# TYPE " + name + " " + TypeName(static_cast<int>(family->type)) + "\n";
        for (const Series& series : family->series) {
            if (series.counter) {
                out += name + FormatLabels(series.labels) + " " + std::to_string(series.counter->Value()) + "\n";
            } else if (series.gauge) {
                out += name + FormatLabels(series.labels) + " " + FormatNumber(series.gauge->Value()) + "\n";
            } else {
                const Histogram& h = *series.histogram;
                const auto counts = h.BucketCounts();
                std::uint64_t cumulative = 0;
                for (std::size_t i = 0; i < counts.size(); ++i) {
                    cumulative += counts[i];
                    const double bound = i < h.Bounds().size() ? h.Bounds()[i] : INFINITY;
                    out += name + "_bucket" + FormatLabels(series.labels, "le", FormatNumber(bound)) + " " +
                           std::to_string(cumulative) + "\n";
                }
                out += name + "_sum" + FormatLabels(series.labels) + " " + FormatNumber(h.Sum()) + "\n";
                out += name + "_count" + FormatLabels(series.labels) + " " + std::to_string(cumulative) + "\n";
            }
        }
    }
    return out;
}

}  // namespace crisisline::http
