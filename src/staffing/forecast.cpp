#include "staffing/forecast.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "staffing/calendar.hpp"

namespace crisisline::staffing {
namespace {

constexpr int kInitIntervals = kMinHistoryWeeks * kSlotsPerWeek;

std::vector<std::int16_t> SlotsOf(TimeMs start, size_t n) {
    std::vector<std::int16_t> slots(n);
    for (size_t i = 0; i < n; ++i) slots[i] = static_cast<std::int16_t>(WeekSlot(start + static_cast<TimeMs>(i) * kHalfHourMs));
    return slots;
}

Result<void> CheckHistory(const HalfHourSeries& h, size_t min_intervals) {
    if (h.start % kHalfHourMs != 0) return Fail(ErrorCode::kInvalid, "history", "must start on a half hour");
    if (h.counts.size() < min_intervals) {
        return Fail(ErrorCode::kInvalid, "history",
                    "needs at least " + std::to_string(min_intervals / kSlotsPerWeek) + " weeks of half hours");
    }
    for (double c : h.counts) {
        if (!std::isfinite(c) || c < 0) return Fail(ErrorCode::kInvalid, "history", "counts must be >= 0");
    }
    return {};
}

// The starting state from the first two weeks: level and trend from the two weekly means, each slot's season
// from the mean of its departures from that line.
ForecastModel Start(const std::vector<double>& y, const std::vector<std::int16_t>& slots) {
    double week1 = 0, week2 = 0;
    for (int i = 0; i < kSlotsPerWeek; ++i) {
        week1 += y[i];
        week2 += y[i + kSlotsPerWeek];
    }
    week1 /= kSlotsPerWeek;
    week2 /= kSlotsPerWeek;
    ForecastModel m;
    m.trend = (week2 - week1) / kSlotsPerWeek;
    const double centre = (kSlotsPerWeek - 1) / 2.0;
    std::vector<double> sum(kSlotsPerWeek, 0), n(kSlotsPerWeek, 0);
    for (int i = 0; i < kInitIntervals; ++i) {
        sum[slots[i]] += y[i] - (week1 + (i - centre) * m.trend);
        n[slots[i]] += 1;
    }
    m.season.assign(kSlotsPerWeek, 0);
    double mean = 0, present = 0;
    for (int s = 0; s < kSlotsPerWeek; ++s) {
        if (n[s] > 0) {
            m.season[s] = sum[s] / n[s];
            mean += m.season[s];
            present += 1;
        }
    }
    if (present > 0) {
        for (int s = 0; s < kSlotsPerWeek; ++s) {
            if (n[s] > 0) m.season[s] -= mean / present;
        }
    }
    m.level = week1 + (kInitIntervals - 1 - centre) * m.trend;
    return m;
}

// Runs the recursion over the history after the starting weeks; returns the sum of squared one-step errors.
double Run(ForecastModel& m, const std::vector<double>& y, const std::vector<std::int16_t>& slots) {
    const double a = m.smoothing.level, b = m.smoothing.trend, g = m.smoothing.season;
    double level = m.level, trend = m.trend, sse = 0;
    double* season = m.season.data();
    for (size_t i = kInitIntervals; i < y.size(); ++i) {
        const int s = slots[i];
        const double predicted = level + trend + season[s];
        const double error = y[i] - predicted;
        sse += error * error;
        const double new_level = a * (y[i] - season[s]) + (1 - a) * (level + trend);
        trend = b * (new_level - level) + (1 - b) * trend;
        season[s] = g * (y[i] - new_level) + (1 - g) * season[s];
        level = new_level;
    }
    m.level = level;
    m.trend = trend;
    return sse;
}

ForecastModel Fitted(const HalfHourSeries& h, const std::vector<std::int16_t>& slots, const ForecastModel& start,
                     const Smoothing& smoothing) {
    ForecastModel m = start;
    m.smoothing = smoothing;
    const double sse = Run(m, h.counts, slots);
    const size_t steps = h.counts.size() - kInitIntervals;
    m.fit_rmse = steps ? std::sqrt(sse / static_cast<double>(steps)) : 0;
    m.next = h.End();
    return m;
}

}  // namespace

Result<ForecastModel> FitForecast(const HalfHourSeries& history, const Smoothing& smoothing) {
    if (auto ok = CheckHistory(history, kInitIntervals); !ok) return tl::unexpected(ok.error());
    const std::vector<std::int16_t> slots = SlotsOf(history.start, history.counts.size());
    return Fitted(history, slots, Start(history.counts, slots), smoothing);
}

Result<ForecastModel> FitForecast(const HalfHourSeries& history) {
    if (auto ok = CheckHistory(history, kInitIntervals); !ok) return tl::unexpected(ok.error());
    const std::vector<std::int16_t> slots = SlotsOf(history.start, history.counts.size());
    const ForecastModel start = Start(history.counts, slots);
    ForecastModel best;
    double best_rmse = std::numeric_limits<double>::infinity();
    for (double a : {0.01, 0.03, 0.1, 0.2, 0.4}) {
        for (double b : {0.0, 0.001, 0.01}) {
            for (double g : {0.02, 0.05, 0.1, 0.2, 0.4}) {
                ForecastModel m = Fitted(history, slots, start, {a, b, g});
                if (m.fit_rmse < best_rmse) {
                    best_rmse = m.fit_rmse;
                    best = std::move(m);
                }
            }
        }
    }
    return best;
}

std::vector<double> Forecast(const ForecastModel& model, TimeMs from, int intervals) {
    std::vector<double> out;
    out.reserve(static_cast<size_t>(std::max(0, intervals)));
    const TimeMs first_step = (from - model.next) / kHalfHourMs + 1;  // steps ahead of the last half hour seen
    for (int i = 0; i < intervals; ++i) {
        const TimeMs t = from + static_cast<TimeMs>(i) * kHalfHourMs;
        const double h = static_cast<double>(first_step + i);
        out.push_back(std::max(0.0, model.level + h * model.trend + model.season[WeekSlot(t)]));
    }
    return out;
}

Result<BacktestResult> Backtest(const HalfHourSeries& history, int weeks) {
    const size_t test = static_cast<size_t>(weeks) * kSlotsPerWeek;
    if (weeks < 1) return Fail(ErrorCode::kInvalid, "weeks", "must be at least 1");
    if (auto ok = CheckHistory(history, kInitIntervals + test); !ok) return tl::unexpected(ok.error());
    HalfHourSeries train{history.start, {history.counts.begin(), history.counts.end() - static_cast<long>(test)}};
    auto model = FitForecast(train);
    if (!model) return tl::unexpected(model.error());
    const std::vector<double> predicted = Forecast(*model, train.End(), static_cast<int>(test));
    BacktestResult r;
    r.weeks = weeks;
    r.intervals = static_cast<int>(test);
    double abs_error = 0, actual_total = 0, ape = 0;
    int with_calls = 0;
    for (size_t i = 0; i < test; ++i) {
        const double actual = history.counts[train.counts.size() + i];
        abs_error += std::abs(actual - predicted[i]);
        actual_total += actual;
        if (actual > 0) {
            ape += std::abs(actual - predicted[i]) / actual;
            ++with_calls;
        }
    }
    r.wape = actual_total > 0 ? abs_error / actual_total : (abs_error > 0 ? 1 : 0);
    if (with_calls) r.mape = ape / with_calls;
    return r;
}

Result<std::vector<double>> ForecastForNewRegion(const std::vector<ServedRegion>& served, double new_region_workforce) {
    if (served.empty()) return Fail(ErrorCode::kInvalid, "served", "needs at least one served region");
    if (!(new_region_workforce >= 0)) return Fail(ErrorCode::kInvalid, "workforce", "must be >= 0");
    double workforce = 0;
    const size_t n = served.front().forecast.size();
    for (const ServedRegion& r : served) {
        if (!(r.workforce >= 0)) return Fail(ErrorCode::kInvalid, "served.workforce", "must be >= 0");
        if (r.forecast.size() != n) {
            return Fail(ErrorCode::kInvalid, "served.forecast", "every served region's forecast must cover the same half hours");
        }
        workforce += r.workforce;
    }
    if (!(workforce > 0)) return Fail(ErrorCode::kInvalid, "served.workforce", "the served regions' workforce must be above 0");
    std::vector<double> out(n, 0);
    for (const ServedRegion& r : served) {
        for (size_t i = 0; i < n; ++i) out[i] += r.forecast[i];
    }
    for (double& v : out) v *= new_region_workforce / workforce;
    return out;
}

}  // namespace crisisline::staffing
