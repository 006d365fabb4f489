// The rota of a line: shifts (JSON or iCalendar), their coverage of the staffing plan, and who is rostered now
// but not signed in. Staff ids, display names and times only; nothing of a caller. For the line's own service
// managers and supervisors (Permission::kManageRota).
#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "records/line_rota.hpp"
#include "records/staffing_plan.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

namespace {

bool IsCalendar(const http::Request& req) { return req.Header("content-type").rfind("text/calendar", 0) == 0; }

Result<records::RotaWeek> WeekOf(const http::Request& req, TimeMs now) {
    auto week = Query(req, "week", 16);
    if (!week) return tl::unexpected(week.error());
    return records::RotaWeekOf(*week, now);
}

}  // namespace

void Api::AddRotaRoutes(http::Router& r) {
    auto rota = std::make_shared<records::LineRota>(s_, sessions_.Policy().idle_timeout,
                                                    sessions_.Policy().absolute_timeout);
    // A week's shifts, as JSON or (format=ics) an iCalendar to download.
    r.Add("GET", "/api/v1/lines/{line}/shifts",
          Signed([this, rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto week = WeekOf(req, s_.clock.Now());
              if (!week) return tl::unexpected(week.error());
              auto format = Query(req, "format", 8);
              if (!format) return tl::unexpected(format.error());
              const std::string as = format->value_or("json");
              if (as != "json" && as != "ics") return Fail(ErrorCode::kInvalid, "format", "must be json or ics");
              if (as == "json") {
                  auto shifts = rota->Week(line, *week);
                  if (!shifts) return tl::unexpected(shifts.error());
                  return Ok(*shifts);
              }
              auto calendar = rota->WeekCalendar(line, *week);
              if (!calendar) return tl::unexpected(calendar.error());
              http::Response ics;
              ics.content_type = "text/calendar; charset=utf-8";
              ics.body = std::move(*calendar);
              ics.headers.emplace_back("Content-Disposition",
                                       "attachment; filename=\"rota-" + line + "-" + week->name + ".ics\"");
              return ics;
          }));
    // One shift (JSON), or an iCalendar's shifts added (text/calendar).
    r.Add("POST", "/api/v1/lines/{line}/shifts",
          Signed([this, rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              if (IsCalendar(req)) {
                  auto imported = rota->Import(who.principal.staff_id, line, req.body, std::nullopt);
                  if (!imported) return tl::unexpected(imported.error());
                  return Ok(*imported, 201);
              }
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              auto shift = rota->Create(who.principal.staff_id, line, *body);
              if (!shift) return tl::unexpected(shift.error());
              return Ok(*shift, 201);
          }));
    // A week's shifts replaced by an iCalendar's (text/calendar; every event starts in the week).
    r.Add("PUT", "/api/v1/lines/{line}/shifts",
          Signed([this, rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              if (!IsCalendar(req)) {
                  return Fail(ErrorCode::kInvalid, "content-type", "must be text/calendar (an iCalendar of the week)");
              }
              auto week = Query(req, "week", 16);
              if (!week) return tl::unexpected(week.error());
              if (!*week) return Fail(ErrorCode::kInvalid, "week", "is required: the week replaced, e.g. 2026-W50");
              auto parsed = records::RotaWeekOf(*week, s_.clock.Now());
              if (!parsed) return tl::unexpected(parsed.error());
              auto imported = rota->Import(who.principal.staff_id, line, req.body, *parsed);
              if (!imported) return tl::unexpected(imported.error());
              return Ok(*imported);
          }));
    r.Add("PUT", "/api/v1/lines/{line}/shifts/{id}",
          Signed([rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              auto shift = rota->Update(who.principal.staff_id, line, Param(req, "id"), *body);
              if (!shift) return tl::unexpected(shift.error());
              return Ok(*shift);
          }));
    r.Add("DELETE", "/api/v1/lines/{line}/shifts/{id}",
          Signed([rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              if (auto gone = rota->Remove(who.principal.staff_id, line, Param(req, "id")); !gone) {
                  return tl::unexpected(gone.error());
              }
              return NoContent();
          }));
    // Coverage: the staffing plan's counsellors needed per half hour against the rota (next week's by default,
    // like the plan).
    r.Add("GET", "/api/v1/lines/{line}/coverage",
          Signed([this, rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto week = Query(req, "week", 16);
              if (!week) return tl::unexpected(week.error());
              TimeMs retry_after = 0;  // audited and limited as the plan is: it rests on the same forecast
              auto plan = staffing_plans_->Run(who.principal, line, *week, retry_after);
              if (!plan) return Refused(plan.error(), retry_after);
              auto parsed = records::RotaWeekOf(plan->json["week"].get<std::string>(), s_.clock.Now());
              if (!parsed) return tl::unexpected(parsed.error());
              auto coverage = rota->Coverage(line, *parsed, plan->plan, plan->welsh_plan);
              if (!coverage) return tl::unexpected(coverage.error());
              return Ok(*coverage);
          }));
    // Whom a shift may be given: the line's counsellors (ids, display names, Welsh).
    r.Add("GET", "/api/v1/lines/{line}/rota/counsellors",
          Signed([rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto counsellors = rota->Counsellors(line);
              if (!counsellors) return tl::unexpected(counsellors.error());
              return Ok(*counsellors);
          }));
    // The wallboard: who is rostered now and not signed in (ids and display names of staff only).
    r.Add("GET", "/api/v1/lines/{line}/rota/now",
          Signed([this, rota](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kManageRota, line); !a) {
                  return tl::unexpected(a.error());
              }
              auto people = rota->RosteredNow(line, s_.clock.Now());
              if (!people) return tl::unexpected(people.error());
              nlohmann::json absent = nlohmann::json::array();
              for (const auto& p : *people) {
                  if (p.signed_in) continue;
                  absent.push_back({{"staff_id", p.staff_id},
                                    {"display_name", p.display_name},
                                    {"start", FormatTime(p.start)},
                                    {"end", FormatTime(p.end)}});
              }
              return Ok({{"line", line}, {"rostered", people->size()}, {"not_signed_in", absent}});
          }));
}

}  // namespace crisisline::api
