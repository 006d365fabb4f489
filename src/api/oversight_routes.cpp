#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "records/staffing_plan.hpp"
#include "records/today.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

void Api::AddOversightRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/lines/{line}/escalations",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadEscalations, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto list = escalations_.List(Param(req, "line"));
              if (!list) return tl::unexpected(list.error());
              return Ok(*list);
          }));
    r.Add("GET", "/api/v1/lines/{line}/escalations/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadEscalations, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto e = escalations_.Read(who.principal, Param(req, "line"), Param(req, "id"));
              if (!e) return tl::unexpected(e.error());
              return Ok(*e);
          }));
    r.Add("GET", "/api/v1/lines/{line}/statistics",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAggregates, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              const TimeMs now = s_.clock.Now();
              auto from = QueryTime(req, "from");
              if (!from) return tl::unexpected(from.error());
              auto to = QueryTime(req, "to");
              if (!to) return tl::unexpected(to.error());
              auto stats = records::LineStatistics(s_, Param(req, "line"), from->value_or(now - 365 * kDayMs),
                                                   to->value_or(now + 1));
              if (!stats) return tl::unexpected(stats.error());
              return Ok(*stats);
          }));
    // The supervisor's wallboard: today's phone calls and the overdue follow-ups, as counts.
    r.Add("GET", "/api/v1/lines/{line}/today",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadAggregates, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto today = records::LineToday(s_.store, Param(req, "line"), s_.clock.Now());
              if (!today) return tl::unexpected(today.error());
              return Ok(*today);
          }));
    // The staffing plan of a week: forecast calls and counsellors needed per half hour (aggregates only).
    r.Add("GET", "/api/v1/lines/{line}/staffing",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadStaffing, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              auto week = Query(req, "week", 16);
              if (!week) return tl::unexpected(week.error());
              auto format = Query(req, "format", 8);
              if (!format) return tl::unexpected(format.error());
              const std::string as = format->value_or("json");
              if (as != "json" && as != "csv") return Fail(ErrorCode::kInvalid, "format", "must be json or csv");
              auto plan = records::LineStaffing(s_, Param(req, "line"), *week, s_.clock.Now());
              if (!plan) return tl::unexpected(plan.error());
              if (as == "json") return Ok(plan->json);
              http::Response csv;
              csv.content_type = "text/csv; charset=utf-8";
              csv.body = staffing::PlanCsv(plan->plan);
              csv.headers.emplace_back("Content-Disposition", "attachment; filename=\"staffing-" +
                                                                  Param(req, "line") + "-" +
                                                                  plan->json["week"].get<std::string>() + ".csv\"");
              return csv;
          }));
}

}  // namespace crisisline::api
