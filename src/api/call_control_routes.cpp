// The console's call controls: hold and resume for the counsellor on a call (desk phone or browser phone
// alike); listen, coach and join for a supervisor of the call's line. Under the console's session (cookie, CSRF); the counsellor must serve the call's line and be the
// one connected to it. Every control is in the audit log: a control whose entry cannot be written is undone.
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string_view>
#include <utility>

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
               {"state", monitored->monitor_state},
               {"browser", monitored->monitor_browser}});
}

namespace {

// A call-control target named "<prefix><id>" (e.g. "counsellor:st_1"), one of `kinds`' prefixes with an id after
// it, else kInvalid naming "to" with `usage`.
template <class Target>
Result<Target> ReadTarget(const std::string& to,
                          std::initializer_list<std::pair<std::string_view, typename Target::Kind>> kinds,
                          const char* usage) {
    for (const auto& [prefix, kind] : kinds) {
        if (to.starts_with(prefix) && to.size() > prefix.size()) return Target{kind, to.substr(prefix.size())};
    }
    return Fail(ErrorCode::kInvalid, "to", usage);
}

// "counsellor:<staff id>" or "line:<line id>", else kInvalid naming "to".
Result<telephony::TransferTarget> ReadTransferTarget(const std::string& to) {
    using Kind = telephony::TransferTarget::Kind;
    return ReadTarget<telephony::TransferTarget>(
        to, {{"counsellor:", Kind::kCounsellor}, {"line:", Kind::kLine}},
        "name a colleague as \"counsellor:<staff id>\" or a queue as \"line:<line id>\"");
}

std::function<bool(const std::string&)> ServesFor(const staff::Principal& principal) {
    return [principal](const std::string& line) {
        return staff::Authorise(principal, staff::Permission::kWriteContact, line).has_value();
    };
}

}  // namespace

Result<http::Response> Api::TransferCall(const http::Request& req, const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    auto body = BodyOf(req);
    if (!body) return tl::unexpected(body.error());
    if (auto k = body->OnlyKnown({"to"}); !k) return tl::unexpected(k.error());
    auto to_text = body->String("to", 200);
    if (!to_text) return tl::unexpected(to_text.error());
    auto to = ReadTransferTarget(*to_text);
    if (!to) return tl::unexpected(to.error());
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    // The call must be theirs before anything is recorded; its line names the audit entry.
    auto targets = telephony_->TransferTargetsOf(principal.staff_id, call, ServesFor(principal));
    if (!targets) return tl::unexpected(targets.error());
    // The request is audited before it is carried out (a transfer cannot be undone once the caller has moved),
    // so a refused one is on the record too.
    const writer::AuditEvent event{principal.staff_id, "call.transfer", targets->line, "contact", call, "call_control",
                                   nlohmann::json{{"to", *to_text}}.dump()};
    const TimeMs now = s_.clock.Now();
    if (auto written = s_.writer.Run([&](store::Tx& tx) { return writer::AppendAudit(tx, now, event); }); !written) {
        spdlog::warn("audit: call {} transfer could not be recorded ({}); not carried out", call,
                     written.error().message);
        return Fail(ErrorCode::kUnavailable, "the audit log could not record this; the call is as it was");
    }
    auto started = telephony_->TransferCall(principal.staff_id, call, *to, ServesFor(principal));
    if (!started) return tl::unexpected(started.error());
    nlohmann::json out = {{"call", call}, {"to", *to_text}, {"state", started->state}};
    if (!started->continued_in.empty()) out["continued_in"] = started->continued_in;
    return Ok(out, started->state == "ringing" ? 202 : 200);
}

Result<http::Response> Api::TransferTargets(const http::Request& req, const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    auto targets = telephony_->TransferTargetsOf(who.principal.staff_id, Param(req, "call"), ServesFor(who.principal));
    if (!targets) return tl::unexpected(targets.error());
    nlohmann::json counsellors = nlohmann::json::array();
    for (const auto& c : targets->counsellors) {
        counsellors.push_back({{"to", "counsellor:" + c.staff_id}, {"staff_id", c.staff_id}, {"name", c.display_name}});
    }
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& l : targets->lines) lines.push_back({{"to", "line:" + l.id}, {"line", l.id}, {"name", l.name}});
    // The line's external services, for a conference: ids, names and kinds (never their addresses).
    nlohmann::json external = nlohmann::json::array();
    for (const auto& e : targets->external) {
        external.push_back({{"to", "external:" + e.id}, {"id", e.id}, {"name", e.name}, {"kind", e.kind},
                            {"allowed", e.allowed}});
    }
    return Ok({{"call", Param(req, "call")},
               {"line", targets->line},
               {"counsellors", counsellors},
               {"lines", lines},
               {"external", external}});
}

namespace {

// "counsellor:<staff id>" or "external:<target id>", else kInvalid naming "to".
Result<telephony::ConferenceTarget> ReadConferenceTarget(const std::string& to) {
    using Kind = telephony::ConferenceTarget::Kind;
    return ReadTarget<telephony::ConferenceTarget>(
        to, {{"counsellor:", Kind::kCounsellor}, {"external:", Kind::kExternal}},
        "name a colleague as \"counsellor:<staff id>\" or one of the line's services as \"external:<id>\"");
}

nlohmann::json ConferenceJson(const std::string& call, const telephony::CallControl& c) {
    if (c.conference_to.empty()) return {{"call", call}, {"conference", nullptr}};
    return {{"call", call},
            {"conference", {{"to", c.conference_to}, {"kind", c.conference_kind}, {"state", c.conference_state}}}};
}

}  // namespace

// action: "add" (POST .../conference {"to"}), "drop" (DELETE .../conference), "leave" (POST .../conference/leave).
// Each request is audited (call.conference_add / _drop / _leave) before it is carried out, refused ones too;
// telephony audits the third party answering and the conference ending (call.conference_connected / _ended).
Result<http::Response> Api::Conference(const http::Request& req, const staff::Authenticated& who,
                                       const std::string& action) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    std::string to_text;
    std::optional<telephony::ConferenceTarget> to;
    if (action == "add") {
        auto body = BodyOf(req);
        if (!body) return tl::unexpected(body.error());
        if (auto k = body->OnlyKnown({"to"}); !k) return tl::unexpected(k.error());
        auto text = body->String("to", 200);
        if (!text) return tl::unexpected(text.error());
        auto target = ReadConferenceTarget(*text);
        if (!target) return tl::unexpected(target.error());
        to_text = *text;
        to = *target;
    } else if (!req.body.empty()) {
        auto body = BodyOf(req);
        if (!body) return tl::unexpected(body.error());
        if (auto k = body->OnlyKnown({}); !k) return tl::unexpected(k.error());
    }
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    // The call must be theirs before anything is recorded; its line names the audit entry.
    auto targets = telephony_->TransferTargetsOf(principal.staff_id, call, ServesFor(principal));
    if (!targets) return tl::unexpected(targets.error());
    nlohmann::json detail = nlohmann::json::object();
    if (to) detail["to"] = to_text;
    const std::string audit_action = "call.conference_" + action;
    if (auto audited = AuditCallControl(principal.staff_id, audit_action.c_str(), targets->line, call, detail);
        !audited) {
        return tl::unexpected(audited.error());
    }
    if (action == "add") {
        auto added = telephony_->AddToConference(principal.staff_id, call, *to, ServesFor(principal));
        if (!added) return tl::unexpected(added.error());
        return Ok(ConferenceJson(call, *added), 202);
    }
    if (action == "drop") {
        auto dropped = telephony_->DropFromConference(principal.staff_id, call, ServesFor(principal));
        if (!dropped) return tl::unexpected(dropped.error());
        return Ok(ConferenceJson(call, *dropped));
    }
    auto left = telephony_->LeaveConference(principal.staff_id, call, ServesFor(principal));
    if (!left) return tl::unexpected(left.error());
    return Ok({{"call", call}, {"state", left->state}, {"continued_in", left->continued_in}});
}

void Api::AddCallControlRoutes(http::Router& r) {
    // Blind transfer to a colleague of the line or to a line's queue; the request is audited (call.transfer).
    r.Add("POST", "/api/v1/session/calls/{call}/transfer", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return TransferCall(req, who);
          }));
    // Three-party conference: add a colleague or one of the line's external services, drop them, or leave.
    r.Add("POST", "/api/v1/session/calls/{call}/conference", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return Conference(req, who, "add");
          }));
    r.Add("DELETE", "/api/v1/session/calls/{call}/conference", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return Conference(req, who, "drop");
          }));
    r.Add("POST", "/api/v1/session/calls/{call}/conference/leave", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return Conference(req, who, "leave");
          }));
    r.Add("GET", "/api/v1/session/calls/{call}/transfer-targets", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return TransferTargets(req, who);
          }));
    // Warm transfer (consult_routes.cpp): start, complete, cancel (DELETE, or POST .../cancel); each audited.
    r.Add("POST", "/api/v1/session/calls/{call}/consult", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return ConsultCall(req, who);
          }));
    r.Add("POST", "/api/v1/session/calls/{call}/consult/complete", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return CompleteConsult(req, who);
          }));
    r.Add("DELETE", "/api/v1/session/calls/{call}/consult", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return CancelConsult(req, who);
          }));
    r.Add("POST", "/api/v1/session/calls/{call}/consult/cancel", Signed([this](const http::Request& req, const staff::Authenticated& who) {
              return CancelConsult(req, who);
          }));
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
