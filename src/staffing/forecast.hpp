#pragma once

#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

// staffing/forecast: calls arriving per half hour, from a line's own history.
//
// Additive Holt-Winters: a level, a trend per half hour and a season of 336 half hours (the hour of the week
// on the UK's clock, calendar.hpp WeekSlot). Bank holidays of England and Wales are treated as Sundays: they
// take Sunday's slot, both when the model learns from the history and when it forecasts. The smoothing
// parameters are chosen by a grid search minimising the one-step-ahead squared error over the history (after
// the first two weeks, which set the starting state). Pure computation; thread-safe.
namespace crisisline::staffing {

// Calls that arrived in consecutive half hours: counts[i] in [start + i*30 min, start + (i+1)*30 min), UTC.
struct HalfHourSeries {
    TimeMs start = 0;  // a multiple of 30 minutes
    std::vector<double> counts;
    TimeMs End() const { return start + static_cast<TimeMs>(counts.size()) * 30 * kMinuteMs; }
};

struct Smoothing {
    double level = 0;   // alpha
    double trend = 0;   // beta
    double season = 0;  // gamma
};

// A fitted model: its state after the last half hour of the history.
struct ForecastModel {
    Smoothing smoothing;
    double level = 0;
    double trend = 0;
    std::vector<double> season;  // kSlotsPerWeek values
    TimeMs next = 0;             // the first half hour after the history
    double fit_rmse = 0;         // one-step-ahead error over the history, calls per half hour
};

constexpr int kMinHistoryWeeks = 2;

// Fits the model. Fails with kInvalid (field "history") when the history is shorter than two weeks or its
// start is not on a half hour, or a count is negative or not finite.
[[nodiscard]] Result<ForecastModel> FitForecast(const HalfHourSeries& history);

// The same with the smoothing given (no search).
[[nodiscard]] Result<ForecastModel> FitForecast(const HalfHourSeries& history, const Smoothing& smoothing);

// Expected calls in each of `intervals` half hours from `from` (>= model.next, on a half hour), never negative.
std::vector<double> Forecast(const ForecastModel& model, TimeMs from, int intervals);

// How well the method forecasts this history: fitted on all but the last `weeks` weeks, it forecasts those
// weeks, which are compared with what arrived. WAPE = sum |error| / sum actual; MAPE over the half hours with
// at least one call. Fails (kInvalid, "history") when the history is shorter than kMinHistoryWeeks + weeks.
struct BacktestResult {
    int weeks = 0;
    int intervals = 0;
    double wape = 0;
    std::optional<double> mape;  // none when no half hour in the test had a call
};
[[nodiscard]] Result<BacktestResult> Backtest(const HalfHourSeries& history, int weeks = 8);

// A forecast for a region the line does not serve yet (national roll-out), scaled from the regions it serves
// by workforce: calls per member of the workforce in the served regions, half hour by half hour, times the new
// region's workforce. Fails (kInvalid) when the served workforce is not positive, the new one is negative, or
// the forecasts differ in length.
struct ServedRegion {
    std::vector<double> forecast;  // calls per half hour
    double workforce = 0;          // officers and staff the region's calls come from
};
[[nodiscard]] Result<std::vector<double>> ForecastForNewRegion(const std::vector<ServedRegion>& served,
                                                               double new_region_workforce);

}  // namespace crisisline::staffing
