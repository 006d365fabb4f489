#include "records/staffing_plan.hpp"

#include <algorithm>
#include <cmath>

#include "records/reports.hpp"
#include "staffing/erlang.hpp"
#include "staffing/forecast.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {
namespace {

using staffing::kHalfHourMs;

staffing::Target TargetOf(const StaffingTarget& t) {
    return {t.service_level_percent / 100.0, static_cast<double>(t.target_s), t.max_occupancy_percent / 100.0,
            t.shrinkage_percent / 100.0, t.min_counsellors};
}

nlohmann::json NumberOrNull(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

double Rounded(double v, double unit) { return std::round(v / unit) * unit; }

nlohmann::json PerformanceJson(const staffing::Requirement& r, bool with_abandon) {
    const staffing::Performance& p = r.performance;
    nlohmann::json j = {{"on_phones", r.on_phones},
                        {"rostered", r.rostered},
                        {"service_level", Rounded(p.service_level, 1e-4)},
                        {"p_wait", Rounded(p.p_wait, 1e-4)},
                        {"asa_s", Rounded(p.asa_s, 0.1)},
                        {"occupancy", Rounded(p.occupancy, 1e-4)}};
    if (with_abandon) j["p_abandon"] = Rounded(p.p_abandon, 1e-4);
    return j;
}

struct Forecasted {
    std::vector<double> calls;
    std::string method;
    nlohmann::json smoothing;
    nlohmann::json backtest;
    TimeMs history_from = 0;
};

// The dense series of half hours from the first with a call up to `to`: every call, or (welsh) the calls in Welsh.
staffing::HalfHourSeries SeriesOf(const StaffingHistory& h, bool welsh) {
    staffing::HalfHourSeries s;
    if (h.arrivals.empty()) return s;
    s.start = h.arrivals.front().half_hour * kHalfHourMs;
    s.counts.assign(static_cast<size_t>(std::max<TimeMs>(0, (h.to - s.start) / kHalfHourMs)), 0);
    for (const store::HalfHourCount& c : h.arrivals) {
        const TimeMs i = c.half_hour - h.arrivals.front().half_hour;
        if (i >= 0 && i < static_cast<TimeMs>(s.counts.size())) {
            s.counts[i] += static_cast<double>(welsh ? c.welsh : c.calls);
        }
    }
    return s;
}

Forecasted ForecastWeek(const StaffingHistory& h, const staffing::Week& week, bool welsh) {
    Forecasted f;
    const int n = static_cast<int>((week.to - week.from) / kHalfHourMs);
    const staffing::HalfHourSeries series = SeriesOf(h, welsh);
    f.history_from = series.counts.empty() ? h.to : series.start;
    if (auto model = staffing::FitForecast(series); model) {
        f.calls = staffing::Forecast(*model, week.from, n);
        f.method = "holt_winters";
        f.smoothing = {{"level", model->smoothing.level},
                       {"trend", model->smoothing.trend},
                       {"season", model->smoothing.season},
                       {"fit_rmse", Rounded(model->fit_rmse, 1e-3)}};
        if (auto bt = staffing::Backtest(series, 8); bt) {
            f.backtest = {{"weeks", bt->weeks},
                          {"intervals", bt->intervals},
                          {"wape", Rounded(bt->wape, 1e-4)},
                          {"mape", bt->mape ? nlohmann::json(Rounded(*bt->mape, 1e-4)) : nlohmann::json()}};
        }
        return f;
    }
    // Under two weeks: no forecast. Each half hour's mean so far would be, from one week, that week's own calls.
    f.method = series.counts.empty() ? "none" : "too_little_history";
    f.calls.assign(static_cast<size_t>(std::max(0, n)), 0.0);
    return f;
}

// The roll-out's regions whose calls the history does not hold yet (began at or after its end), each with the
// line's forecast scaled by its workforce over the served regions' (staffing::ForecastForNewRegion). Scaled only
// when the new region and every served region have a workforce entered; otherwise `forecast_calls` is null and
// `reason` says what is missing.
nlohmann::json NewRegionsJson(const LineConfig& line,
                              const StaffingHistory& history,
                              const std::vector<double>& calls) {
    double served_workforce = 0;
    bool served_all_known = true;
    for (const RegionStart& r : line.region_starts) {
        if (r.began_at >= history.to) continue;
        if (r.workforce) {
            served_workforce += static_cast<double>(*r.workforce);
        } else {
            served_all_known = false;
        }
    }
    nlohmann::json out = nlohmann::json::array();
    for (const RegionStart& r : line.region_starts) {
        if (r.began_at < history.to) continue;
        nlohmann::json j = {
            {"region", r.region},
            {"began", r.began},
            {"workforce", r.workforce ? nlohmann::json(*r.workforce) : nlohmann::json()},
            {"served_workforce",
             served_all_known && served_workforce > 0 ? nlohmann::json(served_workforce) : nlohmann::json()},
            {"forecast_calls", nullptr},
            {"peak_forecast_calls", nullptr},
            {"intervals_forecast_calls", nullptr},
            {"reason", nullptr}};
        if (!r.workforce) {
            j["reason"] = "the region has no workforce entered";
        } else if (!served_all_known) {
            j["reason"] = "a region already served has no workforce entered";
        } else if (served_workforce <= 0) {
            j["reason"] = "no region is served yet";
        } else if (auto scaled =
                       staffing::ForecastForNewRegion({{calls, served_workforce}}, static_cast<double>(*r.workforce));
                   scaled) {
            double total = 0, peak = 0;
            nlohmann::json each = nlohmann::json::array();
            for (double c : *scaled) {
                total += c;
                peak = std::max(peak, c);
                each.push_back(Rounded(c, 0.01));
            }
            j["forecast_calls"] = Rounded(total, 0.01);
            j["peak_forecast_calls"] = Rounded(peak, 0.01);
            j["intervals_forecast_calls"] = std::move(each);
        }
        out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

StaffingAnswer PlanFromHistory(const LineConfig& line, const std::string& week_name, const staffing::Week& week,
                               const StaffingHistory& history) {
    const store::CallTimings& t = history.timings;
    double handling_s = kAssumedTalkS + line.routing.wrap_up_s;
    if (t.answered > 0) {
        const double open_wrap_ms = static_cast<double>(t.answered - t.closed) * line.routing.wrap_up_s * 1000.0;
        handling_s = (static_cast<double>(t.talk_ms_total + t.wrap_up_ms_total) + open_wrap_ms) /
                     static_cast<double>(t.answered) / 1000.0;
        handling_s = std::max(handling_s, 1.0);  // a floor: calls of no length would make any load zero
    }
    const std::optional<double> patience_s =
        staffing::EstimatePatience(t.abandoned, static_cast<double>(t.waited_ms_total) / 1000.0);
    const staffing::Target target = TargetOf(line.staffing);
    Forecasted f = ForecastWeek(history, week, false);

    StaffingAnswer out;
    out.handling_s = handling_s;
    out.patience_s = patience_s;
    out.plan = staffing::PlanHalfHours(week.from, f.calls, handling_s, patience_s, target);
    // Welsh cover: where the line answers in Welsh, the Welsh calls alone (same handling time and target) need
    // Welsh speakers of their own, and at least one in every half hour, so a Welsh caller is never without one.
    const bool welsh_offered =
        std::find(line.languages.begin(), line.languages.end(), "cy") != line.languages.end();
    if (welsh_offered) {
        staffing::Target welsh_target = target;
        welsh_target.min_counsellors = 1;
        out.welsh_plan = staffing::PlanHalfHours(week.from, ForecastWeek(history, week, true).calls, handling_s,
                                                 std::nullopt, welsh_target);
    }
    nlohmann::json intervals = nlohmann::json::array();
    double calls = 0, hours_c = 0, hours_a = 0;
    int peak_c = 0, peak_a = 0, peak_welsh = 0;
    for (size_t i = 0; i < out.plan.size(); ++i) {
        const staffing::PlanInterval& p = out.plan[i];
        calls += p.forecast_calls;
        hours_c += p.erlang_c.rostered * 0.5;
        peak_c = std::max(peak_c, p.erlang_c.rostered);
        nlohmann::json a;
        if (p.erlang_a) {
            a = PerformanceJson(*p.erlang_a, true);
            hours_a += p.erlang_a->rostered * 0.5;
            peak_a = std::max(peak_a, p.erlang_a->rostered);
        }
        nlohmann::json welsh;
        if (welsh_offered) {
            const staffing::PlanInterval& w = out.welsh_plan[i];
            welsh = {{"forecast_calls", Rounded(w.forecast_calls, 0.01)}, {"rostered", w.erlang_c.rostered}};
            peak_welsh = std::max(peak_welsh, w.erlang_c.rostered);
        }
        intervals.push_back({{"start", FormatTime(p.start)},
                             {"start_uk", staffing::UkLocalText(p.start)},
                             {"forecast_calls", Rounded(p.forecast_calls, 0.01)},
                             {"erlang_c", PerformanceJson(p.erlang_c, false)},
                             {"erlang_a", a},
                             {"welsh", welsh}});
    }
    const auto history_calls = [&] {
        std::int64_t n = 0;
        for (const auto& c : history.arrivals) n += c.calls;
        return n;
    }();
    // The counts behind the plan, as the reports publish a count: rounded, a small one (a zero too) null.
    const auto rules = RulesOf(line);
    const auto published = [&rules](std::int64_t n) {
        const auto figure = reports::PublishCount(n, rules);
        return figure.value ? nlohmann::json(*figure.value) : nlohmann::json();
    };
    out.json = {
        {"line", line.id},
        {"week", week_name},
        {"from", FormatTime(week.from)},
        {"to", FormatTime(week.to)},
        {"target", StaffingTargetJson(line.staffing)},
        {"history", {{"from", FormatTime(f.history_from)}, {"to", FormatTime(history.to)}, {"calls", published(history_calls)}}},
        {"forecast", {{"method", f.method}, {"smoothing", f.smoothing}, {"backtest", f.backtest}}},
        {"handling_s", Rounded(handling_s, 0.1)},
        {"handling_measured_calls", published(t.answered)},
        {"patience_s", NumberOrNull(patience_s ? std::optional<double>(Rounded(*patience_s, 0.1)) : std::nullopt)},
        {"patience_abandoned_calls", published(t.abandoned)},
        {"totals",
         {{"forecast_calls", Rounded(calls, 0.01)},
          {"erlang_c_rostered_hours", hours_c},
          {"erlang_c_peak_rostered", peak_c},
          {"erlang_a_rostered_hours", patience_s ? nlohmann::json(hours_a) : nlohmann::json()},
          {"erlang_a_peak_rostered", patience_s ? nlohmann::json(peak_a) : nlohmann::json()},
          {"welsh_peak_rostered", welsh_offered ? nlohmann::json(peak_welsh) : nlohmann::json()}}},
        {"new_regions", NewRegionsJson(line, history, f.calls)},
        {"intervals", std::move(intervals)},
    };
    return out;
}

void AddWhatIf(StaffingAnswer& answer, const LineConfig& line, int on_phones) {
    const double target_s = static_cast<double>(line.staffing.target_s);
    auto figures = [](const staffing::Performance& p, bool with_abandon) {
        nlohmann::json j = {{"service_level", Rounded(p.service_level, 1e-4)},
                            {"p_wait", Rounded(p.p_wait, 1e-4)},
                            {"asa_s", std::isfinite(p.asa_s) ? nlohmann::json(Rounded(p.asa_s, 0.1)) : nlohmann::json()},
                            {"occupancy", Rounded(std::min(p.occupancy, 1.0), 1e-4)}};
        if (with_abandon) {
            j["p_abandon"] = Rounded(p.p_abandon, 1e-4);
        } else {
            j["stable"] = p.stable;
        }
        return j;
    };
    auto& intervals = answer.json["intervals"];
    for (size_t i = 0; i < answer.plan.size() && i < intervals.size(); ++i) {
        const staffing::Demand demand{answer.plan[i].forecast_calls / 1800.0, answer.handling_s};
        nlohmann::json chosen = {{"erlang_c", figures(staffing::ErlangC(demand, on_phones, target_s), false)},
                                 {"erlang_a", nullptr}};
        if (answer.patience_s) {
            chosen["erlang_a"] = figures(staffing::ErlangA(demand, on_phones, target_s, *answer.patience_s), true);
        }
        intervals[i]["chosen"] = std::move(chosen);
    }
    answer.json["chosen_on_phones"] = on_phones;
}

Result<StaffingAnswer> LineStaffing(Services& s, const std::string& line_id, const std::optional<std::string>& week,
                                    TimeMs now, std::optional<int> on_phones) {
    std::string name;
    if (week && !week->empty()) {
        name = *week;
    } else {
        auto current = staffing::ParseIsoWeek(staffing::IsoWeekOf(now), "week");
        if (!current) return tl::unexpected(current.error());
        name = staffing::IsoWeekOf(current->to);
    }
    auto parsed = staffing::ParseIsoWeek(name, "week");
    if (!parsed) return tl::unexpected(parsed.error());
    auto this_week = staffing::ParseIsoWeek(staffing::IsoWeekOf(now), "week");
    if (!this_week) return tl::unexpected(this_week.error());
    auto line = Lines(s).Get(line_id);
    if (!line) return tl::unexpected(line.error());

    // Not up to the week asked for, nor up to now: two weeks' plans would then differ by exactly one week's calls.
    StaffingHistory history;
    history.to = this_week->from;
    auto read = s.store.Read([&](store::Tx& tx) -> Result<void> {
        auto arrivals = tx.CountPhoneArrivalsByHalfHour(line_id, history.to - kStaffingHistoryMs, history.to);
        if (!arrivals) return tl::unexpected(arrivals.error());
        history.arrivals = std::move(*arrivals);
        auto timings = tx.SumCallTimings(line_id, history.to - kStaffingTimingsMs, history.to);
        if (!timings) return tl::unexpected(timings.error());
        history.timings = *timings;
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    StaffingAnswer answer = PlanFromHistory(*line, name, *parsed, history);
    if (on_phones) AddWhatIf(answer, *line, *on_phones);
    return answer;
}

Result<StaffingAnswer> StaffingPlans::Run(const staff::Principal& who, const std::string& line_id,
                                          const std::optional<std::string>& week, TimeMs& retry_after,
                                          std::optional<int> on_phones) {
    retry_after = 0;
    const TimeMs now = s_.clock.Now();
    if (const TimeMs wait = allowance_.Take(who.staff_id, now); wait > 0) {
        retry_after = wait;
        return Fail(ErrorCode::kThrottled, "week",
                    "too many staffing plan requests in the last hour; try again in " +
                        std::to_string((wait + 999) / 1000) + " s");
    }
    const bool named = week && !week->empty();
    if (named) {
        if (auto parsed = staffing::ParseIsoWeek(*week, "week"); !parsed) return tl::unexpected(parsed.error());
    }
    const std::string record = "staffing/" + (named ? *week : std::string("next"));
    auto audited = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto line = tx.GetLine(line_id); !line || !*line) {
            return line ? Fail(ErrorCode::kNotFound, "line", "no line with this id") : tl::unexpected(line.error());
        }
        return writer::AppendAudit(tx, now, {who.staff_id, "staffing.read", line_id, "staffing", record, "planning"});
    });
    if (!audited) return tl::unexpected(audited.error());
    return LineStaffing(s_, line_id, week, now, on_phones);
}

}  // namespace crisisline::records
