#include "rota/rota.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <libical/ical.h>

#include "staffing/calendar.hpp"

namespace crisisline::rota {
namespace {

constexpr const char* kCounsellorProperty = "X-CRISISLINE-COUNSELLOR";

struct CalendarFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Calendar = std::unique_ptr<icalcomponent, CalendarFree>;

void QuietLibical() {
    static std::once_flag once;
    std::call_once(once, [] { icalerror_set_errors_are_fatal(0); });
}

icaltimetype UtcTime(TimeMs t) {
    return icaltime_from_timet_with_zone(static_cast<time_t>(t / 1000), 0, icaltimezone_get_utc_timezone());
}

// An event's time as UTC ms: its own zone, or UK time for a floating time.
Result<TimeMs> Instant(icaltimetype t, const std::string& which, int event) {
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
        return Fail(ErrorCode::kInvalid, "calendar", "event " + std::to_string(event) + " has no " + which);
    }
    if (t.is_date) {
        return Fail(ErrorCode::kInvalid, "calendar", "event " + std::to_string(event) + ": " + which +
                                                           " is a date without a time; a shift needs times");
    }
    const icaltimezone* zone = t.zone ? t.zone : icaltimezone_get_builtin_timezone("Europe/London");
    return static_cast<TimeMs>(icaltime_as_timet_with_zone(t, zone)) * 1000;
}

std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string CounsellorOf(icalcomponent* event) {
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_X_PROPERTY); p;
         p = icalcomponent_get_next_property(event, ICAL_X_PROPERTY)) {
        const char* name = icalproperty_get_x_name(p);
        const char* value = icalproperty_get_x(p);
        if (name && value && Upper(name) == kCounsellorProperty) return value;
    }
    if (icalproperty* a = icalcomponent_get_first_property(event, ICAL_ATTENDEE_PROPERTY)) {
        std::string who = icalproperty_get_attendee(a) ? icalproperty_get_attendee(a) : "";
        if (Upper(who.substr(0, 7)) == "MAILTO:") who = who.substr(7);
        return who;
    }
    return "";
}

bool IsWelsh(icalcomponent* event) {
    for (icalproperty* p = icalcomponent_get_first_property(event, ICAL_CATEGORIES_PROPERTY); p;
         p = icalcomponent_get_next_property(event, ICAL_CATEGORIES_PROPERTY)) {
        const char* v = icalproperty_get_categories(p);
        if (v && Upper(v).find("WELSH") != std::string::npos) return true;
    }
    return false;
}

}  // namespace

Result<void> CheckShift(const Shift& shift) {
    if (shift.counsellor.empty() || shift.counsellor.size() > 64) {
        return Fail(ErrorCode::kInvalid, "counsellor", "must be a staff id");
    }
    if (shift.end <= shift.start) return Fail(ErrorCode::kInvalid, "end", "must be after the start");
    if (shift.end - shift.start > kMaxShiftMs) return Fail(ErrorCode::kInvalid, "end", "a shift lasts at most 24 hours");
    return {};
}

std::vector<Cover> Coverage(const std::vector<staffing::PlanInterval>& plan,
                            const std::vector<staffing::PlanInterval>& welsh_plan, const std::vector<Shift>& shifts) {
    std::vector<Cover> out;
    out.reserve(plan.size());
    for (size_t i = 0; i < plan.size(); ++i) {
        const staffing::PlanInterval& p = plan[i];
        Cover c;
        c.start = p.start;
        c.required = p.erlang_c.rostered;
        if (i < welsh_plan.size()) c.required_welsh = welsh_plan[i].erlang_c.rostered;
        const TimeMs end = p.start + staffing::kHalfHourMs;
        for (const Shift& s : shifts) {
            if (s.start <= p.start && s.end >= end) {
                ++c.rostered;
                if (s.welsh) ++c.rostered_welsh;
            }
        }
        c.gap = std::max(0, c.required - c.rostered);
        c.welsh_gap = std::max(0, c.required_welsh - c.rostered_welsh);
        out.push_back(c);
    }
    return out;
}

std::string ShiftsToICalendar(const std::string& line_id, const std::vector<Shift>& shifts) {
    QuietLibical();
    Calendar cal(icalcomponent_new_vcalendar());
    icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//crisisline//rota//EN"));
    for (const Shift& s : shifts) {
        icalcomponent* event = icalcomponent_new_vevent();
        const std::string uid = line_id + "-" + s.counsellor + "-" + std::to_string(s.start) + "@crisisline";
        icalcomponent_add_property(event, icalproperty_new_uid(uid.c_str()));
        icalcomponent_add_property(event, icalproperty_new_dtstamp(UtcTime(s.start)));
        icalcomponent_set_dtstart(event, UtcTime(s.start));
        icalcomponent_set_dtend(event, UtcTime(s.end));
        const std::string summary = "Shift on " + line_id;
        icalcomponent_add_property(event, icalproperty_new_summary(summary.c_str()));
        icalproperty* who = icalproperty_new_x(s.counsellor.c_str());
        icalproperty_set_x_name(who, kCounsellorProperty);
        icalcomponent_add_property(event, who);
        if (s.welsh) icalcomponent_add_property(event, icalproperty_new_categories("WELSH"));
        icalcomponent_add_component(cal.get(), event);
    }
    char* text = icalcomponent_as_ical_string_r(cal.get());
    std::string out = text ? text : "";
    std::free(text);
    return out;
}

Result<std::vector<Shift>> ShiftsFromICalendar(std::string_view text) {
    QuietLibical();
    const std::string owned(text);
    Calendar cal(icalparser_parse_string(owned.c_str()));
    if (!cal || icalcomponent_isa(cal.get()) != ICAL_VCALENDAR_COMPONENT) {
        return Fail(ErrorCode::kInvalid, "calendar", "is not an iCalendar VCALENDAR");
    }
    std::vector<Shift> shifts;
    int n = 0;
    for (icalcomponent* event = icalcomponent_get_first_component(cal.get(), ICAL_VEVENT_COMPONENT); event;
         event = icalcomponent_get_next_component(cal.get(), ICAL_VEVENT_COMPONENT)) {
        ++n;
        Shift s;
        auto start = Instant(icalcomponent_get_dtstart(event), "start (DTSTART)", n);
        if (!start) return tl::unexpected(start.error());
        auto end = Instant(icalcomponent_get_dtend(event), "end (DTEND or DURATION)", n);
        if (!end) return tl::unexpected(end.error());
        s.start = *start;
        s.end = *end;
        s.counsellor = CounsellorOf(event);
        s.welsh = IsWelsh(event);
        if (auto ok = CheckShift(s); !ok) {
            return Fail(ErrorCode::kInvalid, "calendar",
                        "event " + std::to_string(n) + ": " + ok.error().field + " " + ok.error().message);
        }
        shifts.push_back(std::move(s));
    }
    return shifts;
}

}  // namespace crisisline::rota
