#include "staffing/plan.hpp"

#include <chrono>
#include <cstdio>

#include "staffing/calendar.hpp"

namespace crisisline::staffing {
namespace {

std::string Format(TimeMs t, const char* pattern) {
    using namespace std::chrono;
    const sys_days d = floor<days>(sys_time<milliseconds>(milliseconds(t)));
    const year_month_day ymd{d};
    const TimeMs in_day = t - duration_cast<milliseconds>(d.time_since_epoch()).count();
    char buf[40];
    std::snprintf(buf, sizeof buf, pattern, static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(in_day / kHourMs),
                  static_cast<int>(in_day % kHourMs / kMinuteMs));
    return buf;
}

std::string Number(double v, int decimals) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

std::string UtcIso(TimeMs t) { return Format(t, "%04d-%02u-%02uT%02d:%02d:00Z"); }

std::string UkLocalText(TimeMs t) { return Format(t + UkOffsetMs(t), "%04d-%02u-%02u %02d:%02d"); }

std::vector<PlanInterval> PlanHalfHours(TimeMs from, const std::vector<double>& calls_per_half_hour, double handling_s,
                                        std::optional<double> patience_s, const Target& target) {
    std::vector<PlanInterval> plan;
    plan.reserve(calls_per_half_hour.size());
    for (size_t i = 0; i < calls_per_half_hour.size(); ++i) {
        PlanInterval p;
        p.start = from + static_cast<TimeMs>(i) * kHalfHourMs;
        p.forecast_calls = calls_per_half_hour[i];
        const Demand demand{p.forecast_calls / 1800.0, handling_s};
        p.erlang_c = RequiredErlangC(demand, target);
        if (patience_s) p.erlang_a = RequiredErlangA(demand, target, *patience_s);
        plan.push_back(std::move(p));
    }
    return plan;
}

std::string PlanCsv(const std::vector<PlanInterval>& plan) {
    std::string out =
        "start_utc,start_uk,forecast_calls,erlang_c_on_phones,erlang_c_rostered,erlang_c_service_level,"
        "erlang_c_p_wait,erlang_c_asa_s,erlang_c_occupancy,erlang_a_on_phones,erlang_a_rostered,"
        "erlang_a_service_level,erlang_a_p_wait,erlang_a_p_abandon,erlang_a_asa_s,erlang_a_occupancy\r\n";
    for (const PlanInterval& p : plan) {
        const Performance& c = p.erlang_c.performance;
        out += UtcIso(p.start) + "," + UkLocalText(p.start) + "," + Number(p.forecast_calls, 2) + "," +
               std::to_string(p.erlang_c.on_phones) + "," + std::to_string(p.erlang_c.rostered) + "," +
               Number(c.service_level, 4) + "," + Number(c.p_wait, 4) + "," + Number(c.asa_s, 1) + "," +
               Number(c.occupancy, 4);
        if (p.erlang_a) {
            const Performance& a = p.erlang_a->performance;
            out += "," + std::to_string(p.erlang_a->on_phones) + "," + std::to_string(p.erlang_a->rostered) + "," +
                   Number(a.service_level, 4) + "," + Number(a.p_wait, 4) + "," + Number(a.p_abandon, 4) + "," +
                   Number(a.asa_s, 1) + "," + Number(a.occupancy, 4);
        } else {
            out += ",,,,,,,";
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace crisisline::staffing
