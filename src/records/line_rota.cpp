#include "records/line_rota.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "crypto/crypto.hpp"
#include "records/lines.hpp"
#include "staff/accounts.hpp"
#include "staffing/plan.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {
namespace {

constexpr const char* kPurpose = "rota";

bool SpeaksWelsh(const store::StaffRow& staff) {
    const auto languages = staff::ProfileOf(staff).languages;
    return std::find(languages.begin(), languages.end(), "cy") != languages.end();
}

using StaffById = std::map<std::string, store::StaffRow>;

Result<StaffById> AllStaff(store::Tx& tx) {
    auto rows = tx.ListStaff();
    if (!rows) return tl::unexpected(rows.error());
    StaffById out;
    for (auto& row : *rows) out.emplace(row.id, std::move(row));
    return out;
}

nlohmann::json ShiftJson(const store::ShiftRow& row, const StaffById& staff) {
    auto who = staff.find(row.counsellor_id);
    return {{"id", row.id},
            {"line", row.line_id},
            {"counsellor", row.counsellor_id},
            {"display_name", who == staff.end() ? "" : who->second.display_name},
            {"welsh", who != staff.end() && SpeaksWelsh(who->second)},
            {"start", FormatTime(row.start_at)},
            {"end", FormatTime(row.end_at)},
            {"start_uk", staffing::UkLocalText(row.start_at)},
            {"end_uk", staffing::UkLocalText(row.end_at)}};
}

nlohmann::json AuditDetail(const store::ShiftRow& row) {
    return {{"counsellor", row.counsellor_id}, {"start", FormatTime(row.start_at)}, {"end", FormatTime(row.end_at)}};
}

Result<rota::Shift> ShiftFromBody(const Fields& body) {
    if (auto known = body.OnlyKnown({"counsellor", "start", "end"}); !known) return tl::unexpected(known.error());
    rota::Shift shift;
    auto counsellor = body.String("counsellor", 64);
    if (!counsellor) return tl::unexpected(counsellor.error());
    shift.counsellor = *counsellor;
    auto start = body.OptionalTime("start");
    if (!start) return tl::unexpected(start.error());
    if (!*start) return Fail(ErrorCode::kInvalid, "start", "is required (RFC 3339, e.g. 2026-12-07T08:00:00Z)");
    auto end = body.OptionalTime("end");
    if (!end) return tl::unexpected(end.error());
    if (!*end) return Fail(ErrorCode::kInvalid, "end", "is required (RFC 3339, e.g. 2026-12-07T16:00:00Z)");
    shift.start = **start;
    shift.end = **end;
    if (auto ok = rota::CheckShift(shift); !ok) return tl::unexpected(ok.error());
    return shift;
}

Result<void> LineExists(store::Tx& tx, const std::string& line_id) {
    auto line = tx.GetLine(line_id);
    if (!line) return tl::unexpected(line.error());
    if (!*line) return Fail(ErrorCode::kNotFound, "no such line");
    return {};
}

// The error of one calendar event, as the import reports it.
tl::unexpected<Error> EventError(size_t n, const Error& e) {
    if (e.code != ErrorCode::kInvalid) return tl::unexpected(e);
    return Fail(ErrorCode::kInvalid, "calendar", "event " + std::to_string(n) + ": " + e.field + " " + e.message);
}

}  // namespace

Result<RotaWeek> RotaWeekOf(const std::optional<std::string>& name, TimeMs now) {
    RotaWeek out;
    out.name = name && !name->empty() ? *name : staffing::IsoWeekOf(now);
    auto span = staffing::ParseIsoWeek(out.name, "week");
    if (!span) return tl::unexpected(span.error());
    out.span = *span;
    return out;
}

Result<store::ShiftRow> LineRota::Checked(store::Tx& tx, const std::string& line_id, const std::string& id,
                                          const rota::Shift& shift, const std::string& actor) {
    auto staff = tx.GetStaff(shift.counsellor);
    if (!staff) return tl::unexpected(staff.error());
    if (!*staff) return Fail(ErrorCode::kInvalid, "counsellor", "is not a member of staff");
    const auto profile = staff::ProfileOf(**staff);
    if (std::find(profile.roles.begin(), profile.roles.end(), "counsellor") == profile.roles.end()) {
        return Fail(ErrorCode::kInvalid, "counsellor", "is not a counsellor");
    }
    if (std::find(profile.lines.begin(), profile.lines.end(), line_id) == profile.lines.end()) {
        return Fail(ErrorCode::kInvalid, "counsellor", "does not serve line " + line_id);
    }
    if ((*staff)->disabled) return Fail(ErrorCode::kInvalid, "counsellor", "has a disabled account");
    // One person cannot be on two shifts at once, on this line or on another line they serve.
    for (const auto& serving : profile.lines) {
        auto near = tx.ListShifts(serving, shift.start, shift.end);
        if (!near) return tl::unexpected(near.error());
        for (const auto& other : *near) {
            if (other.counsellor_id != shift.counsellor || (serving == line_id && other.id == id)) continue;
            const std::string where = serving == line_id ? "" : " on line " + serving;
            return Fail(ErrorCode::kInvalid, "start",
                        "overlaps this counsellor's shift " + other.id + where + " (" +
                            staffing::UkLocalText(other.start_at) + " to " + staffing::UkLocalText(other.end_at) +
                            " UK time)");
        }
    }
    return store::ShiftRow{line_id, id, shift.counsellor, shift.start, shift.end, actor, s_.clock.Now()};
}

Result<nlohmann::json> LineRota::Week(const std::string& line_id, const RotaWeek& week) {
    nlohmann::json shifts = nlohmann::json::array();
    auto read = s_.store.Read([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        auto rows = tx.ListShifts(line_id, week.span.from, week.span.to);
        if (!rows) return tl::unexpected(rows.error());
        auto staff = AllStaff(tx);
        if (!staff) return tl::unexpected(staff.error());
        for (const auto& row : *rows) shifts.push_back(ShiftJson(row, *staff));
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    return nlohmann::json{{"line", line_id},
                          {"week", week.name},
                          {"from", FormatTime(week.span.from)},
                          {"to", FormatTime(week.span.to)},
                          {"shifts", shifts}};
}

Result<std::string> LineRota::WeekCalendar(const std::string& line_id, const RotaWeek& week) {
    std::vector<rota::Shift> shifts;
    auto read = s_.store.Read([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        auto rows = tx.ListShifts(line_id, week.span.from, week.span.to);
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& row : *rows) shifts.push_back({row.counsellor_id, row.start_at, row.end_at, false});
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    return rota::ShiftsToICalendar(line_id, shifts);
}

Result<nlohmann::json> LineRota::Create(const std::string& actor, const std::string& line_id, const Fields& body) {
    auto shift = ShiftFromBody(body);
    if (!shift) return tl::unexpected(shift.error());
    nlohmann::json out;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        auto row = Checked(tx, line_id, crypto::NewId("sh"), *shift, actor);
        if (!row) return tl::unexpected(row.error());
        if (auto put = tx.InsertShift(*row); !put) return put;
        auto staff = AllStaff(tx);
        if (!staff) return tl::unexpected(staff.error());
        out = ShiftJson(*row, *staff);
        return writer::AppendAudit(tx, row->updated_at,
                                   {actor, "rota.shift.create", line_id, "shift", row->id, kPurpose,
                                    AuditDetail(*row).dump()});
    });
    if (!written) return tl::unexpected(written.error());
    return out;
}

Result<nlohmann::json> LineRota::Update(const std::string& actor, const std::string& line_id, const std::string& id,
                                        const Fields& body) {
    auto shift = ShiftFromBody(body);
    if (!shift) return tl::unexpected(shift.error());
    nlohmann::json out;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto before = tx.GetShift(line_id, id);
        if (!before) return tl::unexpected(before.error());
        if (!*before) return Fail(ErrorCode::kNotFound, "no such shift on this line");
        auto row = Checked(tx, line_id, id, *shift, actor);
        if (!row) return tl::unexpected(row.error());
        if (auto put = tx.UpdateShift(*row); !put) return put;
        auto staff = AllStaff(tx);
        if (!staff) return tl::unexpected(staff.error());
        out = ShiftJson(*row, *staff);
        const nlohmann::json detail = {{"before", AuditDetail(**before)}, {"after", AuditDetail(*row)}};
        return writer::AppendAudit(tx, row->updated_at,
                                   {actor, "rota.shift.update", line_id, "shift", id, kPurpose, detail.dump()});
    });
    if (!written) return tl::unexpected(written.error());
    return out;
}

Result<void> LineRota::Remove(const std::string& actor, const std::string& line_id, const std::string& id) {
    return s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto before = tx.GetShift(line_id, id);
        if (!before) return tl::unexpected(before.error());
        if (!*before) return Fail(ErrorCode::kNotFound, "no such shift on this line");
        if (auto gone = tx.DeleteShift(line_id, id); !gone) return gone;
        return writer::AppendAudit(tx, s_.clock.Now(),
                                   {actor, "rota.shift.delete", line_id, "shift", id, kPurpose,
                                    AuditDetail(**before).dump()});
    });
}

Result<nlohmann::json> LineRota::Import(const std::string& actor, const std::string& line_id,
                                        std::string_view calendar, const std::optional<RotaWeek>& replace) {
    auto shifts = rota::ShiftsFromICalendar(calendar);
    if (!shifts) return tl::unexpected(shifts.error());
    if (shifts->size() > kMaxShiftsPerCalendar) {
        return Fail(ErrorCode::kTooLarge, "calendar",
                    "has more than " + std::to_string(kMaxShiftsPerCalendar) + " shifts; import it in parts");
    }
    if (replace) {
        for (size_t i = 0; i < shifts->size(); ++i) {
            const TimeMs start = (*shifts)[i].start;
            if (start < replace->span.from || start >= replace->span.to) {
                return Fail(ErrorCode::kInvalid, "calendar",
                            "event " + std::to_string(i + 1) + " starts outside week " + replace->name);
            }
        }
    }
    nlohmann::json ids = nlohmann::json::array();
    size_t removed = 0;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        if (replace) {
            auto old = tx.ListShifts(line_id, replace->span.from, replace->span.to);
            if (!old) return tl::unexpected(old.error());
            for (const auto& row : *old) {
                if (row.start_at < replace->span.from) continue;  // began the week before: not this week's
                if (auto gone = tx.DeleteShift(line_id, row.id); !gone) return gone;
                ++removed;
            }
        }
        for (size_t i = 0; i < shifts->size(); ++i) {
            auto row = Checked(tx, line_id, crypto::NewId("sh"), (*shifts)[i], actor);
            if (!row) return EventError(i + 1, row.error());
            if (auto put = tx.InsertShift(*row); !put) return put;
            ids.push_back(row->id);
        }
        const nlohmann::json detail = {{"added", ids.size()}, {"removed", removed},
                                       {"week", replace ? replace->name : ""}};
        return writer::AppendAudit(tx, s_.clock.Now(),
                                   {actor, "rota.import", line_id, "rota", replace ? replace->name : "", kPurpose,
                                    detail.dump()});
    });
    if (!written) return tl::unexpected(written.error());
    return nlohmann::json{{"added", ids.size()}, {"removed", removed}, {"shifts", ids}};
}

Result<nlohmann::json> LineRota::Coverage(const std::string& line_id, const RotaWeek& week,
                                          const std::vector<staffing::PlanInterval>& plan,
                                          const std::vector<staffing::PlanInterval>& welsh_plan) {
    std::vector<rota::Shift> shifts;
    bool welsh_offered = false;
    auto read = s_.store.Read([&](store::Tx& tx) -> Result<void> {
        auto line = tx.GetLine(line_id);
        if (!line) return tl::unexpected(line.error());
        if (!*line) return Fail(ErrorCode::kNotFound, "no such line");
        auto rows = tx.ListShifts(line_id, week.span.from, week.span.to);
        if (!rows) return tl::unexpected(rows.error());
        auto staff = AllStaff(tx);
        if (!staff) return tl::unexpected(staff.error());
        for (const auto& row : *rows) {
            auto who = staff->find(row.counsellor_id);
            shifts.push_back({row.counsellor_id, row.start_at, row.end_at,
                              who != staff->end() && SpeaksWelsh(who->second)});
        }
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    auto line = Lines(s_).Get(line_id);
    if (!line) return tl::unexpected(line.error());
    welsh_offered = std::find(line->languages.begin(), line->languages.end(), "cy") != line->languages.end();

    nlohmann::json intervals = nlohmann::json::array();
    int gaps = 0, short_by = 0, welsh_gaps = 0;
    for (const rota::Cover& c : rota::Coverage(plan, welsh_plan, shifts)) {
        const bool welsh_gap = welsh_offered && c.welsh_gap > 0;
        gaps += c.gap > 0;
        short_by += c.gap;
        welsh_gaps += welsh_gap;
        intervals.push_back({{"start", FormatTime(c.start)},
                             {"start_uk", staffing::UkLocalText(c.start)},
                             {"required", c.required},
                             {"rostered", c.rostered},
                             {"required_welsh", c.required_welsh},
                             {"rostered_welsh", c.rostered_welsh},
                             {"gap", c.gap},
                             {"welsh_gap", welsh_gap}});
    }
    return nlohmann::json{{"line", line_id},          {"week", week.name},      {"intervals", intervals},
                          {"gaps", gaps},              {"short_by", short_by},   {"welsh_gaps", welsh_gaps},
                          {"welsh_offered", welsh_offered}, {"shifts", shifts.size()}};
}

Result<nlohmann::json> LineRota::Counsellors(const std::string& line_id) {
    std::vector<store::StaffRow> rows;
    auto read = s_.store.Read([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        auto all = tx.ListStaff();
        if (!all) return tl::unexpected(all.error());
        for (auto& row : *all) {
            const auto p = staff::ProfileOf(row);
            const bool counsellor = std::find(p.roles.begin(), p.roles.end(), "counsellor") != p.roles.end();
            const bool serves = std::find(p.lines.begin(), p.lines.end(), line_id) != p.lines.end();
            if (counsellor && serves && !row.disabled) rows.push_back(std::move(row));
        }
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return std::tie(a.display_name, a.id) < std::tie(b.display_name, b.id);
    });
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : rows) {
        out.push_back({{"id", row.id}, {"display_name", row.display_name}, {"welsh", SpeaksWelsh(row)}});
    }
    return nlohmann::json{{"counsellors", out}};
}

Result<std::vector<RosteredPerson>> LineRota::RosteredNow(const std::string& line_id, TimeMs now) {
    std::vector<RosteredPerson> out;
    auto read = s_.store.Read([&](store::Tx& tx) -> Result<void> {
        if (auto line = LineExists(tx, line_id); !line) return line;
        auto rows = tx.ListShifts(line_id, now, now + 1);
        if (!rows) return tl::unexpected(rows.error());
        for (const auto& row : *rows) {
            RosteredPerson p{row.counsellor_id, "", row.start_at, row.end_at, false};
            auto staff = tx.GetStaff(row.counsellor_id);
            if (!staff) return tl::unexpected(staff.error());
            if (*staff) p.display_name = (*staff)->display_name;
            auto sessions = tx.ListSessionsOf(row.counsellor_id);
            if (!sessions) return tl::unexpected(sessions.error());
            for (const auto& session : *sessions) {
                if (session.mfa_complete && now - session.last_seen_at < idle_timeout_ &&
                    now - session.created_at < absolute_timeout_) {
                    p.signed_in = true;
                }
            }
            out.push_back(std::move(p));
        }
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    return out;
}

}  // namespace crisisline::records
