#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"

namespace crisisline::api {

using namespace detail;
using staff::Permission;

void Api::AddAdministrationRoutes(http::Router& r) {
    r.Add("GET", "/api/v1/lines", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              auto lines = lines_.List();
              if (!lines) return tl::unexpected(lines.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& line : *lines) {
                  if (SeesLine(who.principal, line.id)) out.push_back(records::LineJson(line));
              }
              return Ok({{"lines", out}});
          }));
    r.Add("POST", "/api/v1/lines", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto line = lines_.Create(*f, who.principal.staff_id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line), 201);
          }));
    r.Add("GET", "/api/v1/lines/{line}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& id = Param(req, "line");
              if (auto a = staff::Authorise(who.principal, Permission::kReadLine, id); !a) return tl::unexpected(a.error());
              auto line = lines_.Get(id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line));
          }));
    r.Add("PATCH", "/api/v1/lines/{line}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageLines, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto line = lines_.Update(Param(req, "line"), *f, who.principal.staff_id);
              if (!line) return tl::unexpected(line.error());
              return Ok(records::LineJson(*line));
          }));
    r.Add("GET", "/api/v1/staff", Signed([this](const http::Request&, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto rows = accounts_.List();
              if (!rows) return tl::unexpected(rows.error());
              nlohmann::json out = nlohmann::json::array();
              for (const auto& row : *rows) out.push_back(staff::StaffJson(row));
              return Ok({{"staff", out}});
          }));
    r.Add("POST", "/api/v1/staff", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto input = staff::NewStaffFromFields(*f);
              if (!input) return tl::unexpected(input.error());
              auto row = accounts_.Create(*input, who.principal.staff_id);
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row), 201);
          }));
    r.Add("GET", "/api/v1/staff/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& id = Param(req, "id");
              if (id != who.principal.staff_id) {
                  if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) {
                      return tl::unexpected(a.error());
                  }
              }
              auto row = accounts_.Get(id);
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row));
          }));
    r.Add("PATCH", "/api/v1/staff/{id}",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto f = BodyOf(req);
              if (!f) return tl::unexpected(f.error());
              auto row = accounts_.Update(Param(req, "id"), *f, who.principal.staff_id);
              sessions_.ForgetStaff(Param(req, "id"));
              if (!row) return tl::unexpected(row.error());
              return Ok(staff::StaffJson(*row));
          }));
    r.Add("POST", "/api/v1/staff/{id}/reset-mfa",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto a = staff::Authorise(who.principal, Permission::kManageStaff, ""); !a) return tl::unexpected(a.error());
              auto reset = accounts_.ResetMfa(Param(req, "id"), who.principal.staff_id);
              sessions_.ForgetStaff(Param(req, "id"));
              if (!reset) return tl::unexpected(reset.error());
              return NoContent();
          }));
}

}  // namespace crisisline::api
