// The console's call controls: hold and resume for the counsellor on a call (desk phone or browser phone
// alike); listen, coach and join for a supervisor of the call's line. Under the console's session (cookie, CSRF); the counsellor must serve the call's line and be the
// one connected to it. Every control is in the audit log: a control whose entry cannot be written is undone.
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::api {

using namespace detail;

Result<http::Response> Api::HoldOrResume(const http::Request& req, const staff::Authenticated& who, bool hold) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    // No body, or an empty object: the call is in the path.
    if (!req.body.empty()) {
        auto body = BodyOf(req);
        if (!body) return tl::unexpected(body.error());
        if (auto k = body->OnlyKnown({}); !k) return tl::unexpected(k.error());
    }
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    auto serves = [principal](const std::string& line) {
        return staff::Authorise(principal, staff::Permission::kWriteContact, line).has_value();
    };
    auto before = telephony_->HoldCall(principal.staff_id, call, hold, serves);
    if (!before) return tl::unexpected(before.error());
    const writer::AuditEvent event{principal.staff_id, hold ? "call.hold" : "call.resume", before->line, "contact",
                                   call, "call_control"};
    const TimeMs now = s_.clock.Now();
    if (auto written = s_.writer.Run([&](store::Tx& tx) { return writer::AppendAudit(tx, now, event); }); !written) {
        // No control without its audit entry: put the call back as it was.
        spdlog::warn("audit: call {} control could not be recorded ({}); undone", call, written.error().message);
        if (auto undone = telephony_->HoldCall(principal.staff_id, call, !hold, serves); !undone) {
            spdlog::error("call {}: a control could not be undone after its audit failed: {}", call,
                          undone.error().message);
        }
        return Fail(ErrorCode::kUnavailable, "the audit log could not record this; the call is as it was");
    }
    return Ok({{"call", call}, {"held", before->held}, {"held_ms", before->held_ms}});
}

Result<http::Response> Api::MonitorCall(const http::Request& req, const staff::Authenticated& who) {
    const auto& line = Param(req, "line");
    const auto principal = who.principal;
    if (!principal.Has(staff::Role::kSupervisor) || !principal.Serves(line)) {
        return Fail(ErrorCode::kForbidden, "only a supervisor of the line monitors its calls");
    }
    auto body = BodyOf(req);
    if (!body) return tl::unexpected(body.error());
    if (auto k = body->OnlyKnown({"mode"}); !k) return tl::unexpected(k.error());
    auto mode = body->Enum("mode", {"listen", "coach", "join"});
    if (!mode) return tl::unexpected(mode.error());
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    // The call must be on this line (not merely on a line they also serve).
    auto monitored = telephony_->Monitor(principal.staff_id, Param(req, "call"), *media::MonitorModeFromName(mode->c_str()),
                                         [line](const std::string& l) { return l == line; });
    if (!monitored) return tl::unexpected(monitored.error());
    return Ok({{"call", Param(req, "call")},
               {"supervisor", monitored->supervisor},
               {"mode", monitored->monitor_mode},
               {"state", monitored->monitor_state}});
}

void Api::AddCallControlRoutes(http::Router& r) {
    // Supervisor listen / coach / join: audited by telephony as it starts, changes and ends (CallLog::Monitoring).
    r.Add("POST", "/api/v1/lines/{line}/calls/{call}/monitor", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return MonitorCall(req, who);
          }));
    r.Add("DELETE", "/api/v1/lines/{line}/calls/{call}/monitor", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              const auto& line = Param(req, "line");
              if (!who.principal.Has(staff::Role::kSupervisor) || !who.principal.Serves(line)) {
                  return Fail(ErrorCode::kForbidden, "only a supervisor of the line monitors its calls");
              }
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              if (auto stopped = telephony_->StopMonitoring(who.principal.staff_id, Param(req, "call")); !stopped) {
                  return tl::unexpected(stopped.error());
              }
              return NoContent();
          }));
    r.Add("POST", "/api/v1/session/calls/{call}/hold", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return HoldOrResume(req, who, true);
          }));
    r.Add("POST", "/api/v1/session/calls/{call}/resume", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return HoldOrResume(req, who, false);
          }));
}

}  // namespace crisisline::api
