#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "records/staffing_plan.hpp"
#include "records/today.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

// The monthly funder pack (GET .../reports/pack?period=YYYY-MM): every report of the month in one answer, for the
// console's printable pack. JSON only (each report has its own CSV).
Result<http::Response> Api::FunderPack(const http::Request& req, const staff::Authenticated& who) {
    for (const auto& [name, value] : req.query) {
        if (name != "period") return Fail(ErrorCode::kInvalid, name, "is not a funder pack parameter (only period)");
    }
    auto period = Query(req, "period", 64);
    if (!period) return tl::unexpected(period.error());
    if (!*period) return Fail(ErrorCode::kInvalid, "period", "is required, a calendar month such as 2026-05");
    TimeMs retry_after = 0;
    auto pack = reports_->RunPack(who.principal, Param(req, "line"), **period, retry_after);
    if (!pack) return Refused(pack.error(), retry_after);
    return Ok(*pack);
}

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
    // The fixed reports under disclosure control (records/reports.hpp); there is no free time window.
    // What the console's Reports page offers: the lines this person may report on, and the reports.
    r.Add("GET", "/api/v1/reports",
          Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              auto lines = lines_.List();
              if (!lines) return tl::unexpected(lines.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& line : *lines) {
                  if (staff::Authorise(who.principal, Permission::kReadReports, line.id)) {
                      out.push_back({{"id", line.id}, {"name", line.name}});
                  }
              }
              if (out.empty()) return Fail(ErrorCode::kForbidden, "", "reports are for service managers and supervisors");
              return Ok({{"lines", out}, {"reports", records::ReportNames()}});
          }));
    r.Add("GET", "/api/v1/lines/{line}/reports",
          Signed([](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadReports, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              return Ok({{"reports", records::ReportNames()}});
          }));
    r.Add("GET", "/api/v1/lines/{line}/reports/{report}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kReadReports, Param(req, "line")); !a) {
                  return tl::unexpected(a.error());
              }
              if (Param(req, "report") == "pack") return FunderPack(req, who);
              auto format = Query(req, "format", 8);
              if (!format) return tl::unexpected(format.error());
              bool csv = req.Header("accept").find("text/csv") != std::string::npos;
              if (*format) {
                  if (**format != "csv" && **format != "json") {
                      return Fail(ErrorCode::kInvalid, "format", "must be csv or json");
                  }
                  csv = **format == "csv";
              }
              for (const auto& [name, value] : req.query) {
                  if (name != "period" && name != "format") {
                      return Fail(ErrorCode::kInvalid, name, "is not a report parameter (only period and format)");
                  }
              }
              auto period = Query(req, "period", 64);
              if (!period) return tl::unexpected(period.error());
              if (!*period) return Fail(ErrorCode::kInvalid, "period", "is required, e.g. 2026-05, 2026-Q2 or 2026");
              TimeMs retry_after = 0;
              auto report = reports_->Run(who.principal, Param(req, "line"), Param(req, "report"), **period,
                                          retry_after);
              if (!report) return Refused(report.error(), retry_after);
              if (!csv) return Ok(*report);
              http::Response r;
              r.content_type = "text/csv; charset=utf-8";
              r.body = records::ReportCsv(*report);
              r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + Param(req, "line") + "-" +
                                                                 Param(req, "report") + "-" + **period + ".csv\"");
              return r;
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
              TimeMs retry_after = 0;
              // A what-if: the figures with this many on the phones (1..1000) beside the model's choice.
              auto on_phones = QueryInt(req, "on_phones", 0, 1, 1000);
              if (!on_phones) return tl::unexpected(on_phones.error());
              auto plan = staffing_plans_->Run(who.principal, Param(req, "line"), *week, retry_after,
                                               *on_phones ? std::optional<int>(static_cast<int>(*on_phones))
                                                          : std::nullopt);
              if (!plan) return Refused(plan.error(), retry_after);
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
