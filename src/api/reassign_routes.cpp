// Reassign a waiting caller: a supervisor of the line offers them to a counsellor they choose, ahead of the
// routing order, while the caller keeps their place (telephony::Switchboard::OfferCall). Under the console's
// session (cookie, CSRF); the call must be on the line in the path. Every offer is audited before it is carried
// out (call.offer), so a refused one is on the record too; no audit entry, no offer.
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

Result<void> SupervisesLine(const staff::Principal& principal, const std::string& line) {
    if (!principal.Has(staff::Role::kSupervisor) || !principal.Serves(line)) {
        return Fail(ErrorCode::kForbidden, "only a supervisor of the line offers its waiting callers");
    }
    return {};
}

}  // namespace

void Api::AddReassignRoutes(http::Router& r) {
    r.Add("POST", "/api/v1/lines/{line}/calls/{call}/offer",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              const auto& call = Param(req, "call");
              if (auto ok = SupervisesLine(who.principal, line); !ok) return tl::unexpected(ok.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              if (auto k = body->OnlyKnown({"counsellor"}); !k) return tl::unexpected(k.error());
              auto counsellor = body->String("counsellor", 200);
              if (!counsellor) return tl::unexpected(counsellor.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              const writer::AuditEvent event{who.principal.staff_id, "call.offer", line, "contact", call,
                                             "call_control", nlohmann::json{{"counsellor", *counsellor}}.dump()};
              const TimeMs now = s_.clock.Now();
              if (auto written = s_.writer.Run([&](store::Tx& tx) { return writer::AppendAudit(tx, now, event); });
                  !written) {
                  spdlog::warn("audit: the offer of call {} could not be recorded ({}); not carried out", call,
                               written.error().message);
                  return Fail(ErrorCode::kUnavailable, "the audit log could not record this; the call is as it was");
              }
              // The call must be on this line (not merely on another line they also serve).
              auto offered = telephony_->OfferCall(who.principal.staff_id, call, *counsellor,
                                                   [line](const std::string& l) { return l == line; });
              if (!offered) return tl::unexpected(offered.error());
              return Ok({{"call", call}, {"line", *offered}, {"counsellor", *counsellor}, {"state", "ringing"}}, 202);
          }));
    r.Add("GET", "/api/v1/lines/{line}/calls/{call}/offer-targets",
          Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (auto ok = SupervisesLine(who.principal, line); !ok) return tl::unexpected(ok.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto targets = telephony_->OfferTargetsOf(Param(req, "call"),
                                                        [line](const std::string& l) { return l == line; });
              if (!targets) return tl::unexpected(targets.error());
              nlohmann::json counsellors = nlohmann::json::array();
              for (const auto& c : targets->counsellors) {
                  counsellors.push_back({{"counsellor", c.staff_id}, {"name", c.display_name}, {"state", c.state}});
              }
              return Ok({{"call", Param(req, "call")}, {"line", targets->line}, {"counsellors", counsellors}});
          }));
}

}  // namespace crisisline::api
