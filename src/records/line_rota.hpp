#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/fields.hpp"
#include "records/services.hpp"
#include "rota/rota.hpp"
#include "staffing/calendar.hpp"

// records/line_rota: a line's stored rota. Shifts are who (a counsellor's staff id) and when (UTC instants);
// a counsellor's Welsh comes from their account's languages ("cy"). Every change is audited with the shift's
// id, counsellor and times (no caller data exists here to leak). The caller authorises (Permission::kManageRota)
// before any of these. Blocking (storage); thread-safe.
namespace crisisline::records {

constexpr size_t kMaxShiftsPerCalendar = 5000;  // one import, all or none

// A week of a line's rota, by name ("YYYY-Www"; this week's on the UK clock when empty): kInvalid (field "week").
struct RotaWeek {
    std::string name;
    staffing::Week span;
};
[[nodiscard]] Result<RotaWeek> RotaWeekOf(const std::optional<std::string>& name, TimeMs now);

// Who is rostered now on a line, and whether they are signed in (a session completed with its second factor,
// used within the idle timeout and younger than the absolute one).
struct RosteredPerson {
    std::string staff_id;
    std::string display_name;
    TimeMs start = 0;
    TimeMs end = 0;
    bool signed_in = false;
};

class LineRota {
public:
    // `idle_timeout` and `absolute_timeout` are the sessions' (staff::SessionPolicy), for "signed in".
    LineRota(Services services, TimeMs idle_timeout, TimeMs absolute_timeout)
        : s_(services), idle_timeout_(idle_timeout), absolute_timeout_(absolute_timeout) {}

    // {"line", "week", "from", "to", "shifts": [ShiftJson...]}: the shifts overlapping the week, by start.
    // kNotFound for an unknown line.
    Result<nlohmann::json> Week(const std::string& line_id, const RotaWeek& week);
    // The same shifts as an iCalendar (rota::ShiftsToICalendar: staff ids and UTC times only).
    Result<std::string> WeekCalendar(const std::string& line_id, const RotaWeek& week);

    // Body {"counsellor", "start", "end"} (RFC 3339). kInvalid naming the field: "counsellor" unknown, not a
    // counsellor, or not serving the line; "end" not after "start" or over 24 hours later; "start" when the
    // counsellor already has a shift on the line overlapping it (named in the message). Audited
    // "rota.shift.create". Returns ShiftJson.
    Result<nlohmann::json> Create(const std::string& actor, const std::string& line_id, const Fields& body);
    // The same body and checks, replacing shift `id` (kNotFound if the line has none). Audited "rota.shift.update"
    // with the times before and after.
    Result<nlohmann::json> Update(const std::string& actor, const std::string& line_id, const std::string& id,
                                  const Fields& body);
    // Audited "rota.shift.delete". kNotFound if absent.
    Result<void> Remove(const std::string& actor, const std::string& line_id, const std::string& id);

    // The VCALENDAR's shifts added to the line (all or none, each checked as Create, and against each other);
    // with `replace`, the shifts starting in that week are removed first and every event must start in it
    // (kInvalid, field "calendar", otherwise). One audit entry "rota.import" with the counts.
    // Returns {"added", "removed", "shifts": [ids]}.
    Result<nlohmann::json> Import(const std::string& actor, const std::string& line_id, std::string_view calendar,
                                  const std::optional<RotaWeek>& replace);

    // {"line", "week", "intervals": [{"start", "required", "rostered", "required_welsh", "rostered_welsh", "gap",
    //  "welsh_gap"}], "gaps", "short_by", "welsh_gaps", "welsh_offered"}: the staffing plan's Erlang C rostered
    // figure per half hour against the shifts covering the whole half hour; welsh_gap when the line offers Welsh
    // ("cy") and fewer Welsh speakers are rostered than its Welsh plan needs (at least one). `plan` and
    // `welsh_plan` are the line's staffing plans for the week (StaffingAnswer).
    Result<nlohmann::json> Coverage(const std::string& line_id, const RotaWeek& week,
                                    const std::vector<staffing::PlanInterval>& plan,
                                    const std::vector<staffing::PlanInterval>& welsh_plan);

    // The counsellors a shift on the line may be given (enabled accounts with the counsellor role serving it),
    // by display name: {"counsellors": [{"id", "display_name", "welsh"}]}. kNotFound for an unknown line.
    Result<nlohmann::json> Counsellors(const std::string& line_id);

    // The line's shifts covering `now`, their counsellors' display names and whether each is signed in.
    Result<std::vector<RosteredPerson>> RosteredNow(const std::string& line_id, TimeMs now);

private:
    Result<store::ShiftRow> Checked(store::Tx& tx, const std::string& line_id, const std::string& id,
                                    const rota::Shift& shift, const std::string& actor);

    Services s_;
    TimeMs idle_timeout_;
    TimeMs absolute_timeout_;
};

}  // namespace crisisline::records
