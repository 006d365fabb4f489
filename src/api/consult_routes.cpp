// Warm transfer (consult) from the console: the counsellor on a call puts the caller on hold and talks to a
// colleague of the line, then joins the caller to them or returns to the caller. The same rules as a blind
// transfer (call_control_routes.cpp): only the counsellor on the call, only staff of the line as colleagues, and
// each request audited before it is carried out (a refused one too), so the record never lacks an action taken.
#include <spdlog/spdlog.h>

#include "api/api.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

constexpr const char kColleaguePrefix[] = "counsellor:";

std::function<bool(const std::string&)> ServesOf(const staff::Principal& principal) {
    return [principal](const std::string& line) {
        return staff::Authorise(principal, staff::Permission::kWriteContact, line).has_value();
    };
}

// No body, or an empty object: the call is in the path.
Result<void> NoFields(const http::Request& req) {
    if (req.body.empty()) return {};
    auto body = BodyOf(req);
    if (!body) return tl::unexpected(body.error());
    return body->OnlyKnown({});
}

}  // namespace

Result<void> Api::AuditCallControl(const std::string& staff_id, const char* action, const std::string& line,
                                   const std::string& call, const nlohmann::json& detail) {
    const writer::AuditEvent event{staff_id, action, line, "contact", call, "call_control", detail.dump()};
    const TimeMs now = s_.clock.Now();
    if (auto written = s_.writer.Run([&](store::Tx& tx) { return writer::AppendAudit(tx, now, event); }); !written) {
        spdlog::warn("audit: call {} {} could not be recorded ({}); not carried out", call, action,
                     written.error().message);
        return Fail(ErrorCode::kUnavailable, "the audit log could not record this; the call is as it was");
    }
    return {};
}

Result<http::Response> Api::ConsultCall(const http::Request& req, const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    auto body = BodyOf(req);
    if (!body) return tl::unexpected(body.error());
    if (auto k = body->OnlyKnown({"to"}); !k) return tl::unexpected(k.error());
    auto to = body->String("to", 200);
    if (!to) return tl::unexpected(to.error());
    const std::string prefix = kColleaguePrefix;
    if (to->rfind(prefix, 0) != 0 || to->size() == prefix.size()) {
        return Fail(ErrorCode::kInvalid, "to", "a consult is with a colleague: name them as \"counsellor:<staff id>\"");
    }
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    // The call must be theirs before anything is recorded; its line names the audit entry.
    auto targets = telephony_->TransferTargetsOf(principal.staff_id, call, ServesOf(principal));
    if (!targets) return tl::unexpected(targets.error());
    if (auto audited = AuditCallControl(principal.staff_id, "call.consult_start", targets->line, call, {{"to", *to}});
        !audited) {
        return tl::unexpected(audited.error());
    }
    auto started = telephony_->ConsultCall(principal.staff_id, call, to->substr(prefix.size()), ServesOf(principal));
    if (!started) return tl::unexpected(started.error());
    return Ok({{"call", call}, {"to", *to}, {"state", started->consult_state}, {"held", started->held}}, 202);
}

Result<http::Response> Api::CompleteConsult(const http::Request& req, const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    if (auto k = NoFields(req); !k) return tl::unexpected(k.error());
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    auto targets = telephony_->TransferTargetsOf(principal.staff_id, call, ServesOf(principal));
    if (!targets) return tl::unexpected(targets.error());
    if (auto audited = AuditCallControl(principal.staff_id, "call.consult_complete", targets->line, call, {});
        !audited) {
        return tl::unexpected(audited.error());
    }
    auto done = telephony_->CompleteConsult(principal.staff_id, call, ServesOf(principal));
    if (!done) return tl::unexpected(done.error());
    return Ok({{"call", call}, {"state", done->state}, {"continued_in", done->continued_in}});
}

Result<http::Response> Api::CancelConsult(const http::Request& req, const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    if (auto k = NoFields(req); !k) return tl::unexpected(k.error());
    if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
    const auto principal = who.principal;
    const auto& call = Param(req, "call");
    auto targets = telephony_->TransferTargetsOf(principal.staff_id, call, ServesOf(principal));
    if (!targets) return tl::unexpected(targets.error());
    if (auto audited = AuditCallControl(principal.staff_id, "call.consult_cancel", targets->line, call, {});
        !audited) {
        return tl::unexpected(audited.error());
    }
    auto back = telephony_->CancelConsult(principal.staff_id, call, ServesOf(principal));
    if (!back) return tl::unexpected(back.error());
    return Ok({{"call", call}, {"state", "cancelled"}, {"held", back->held}, {"held_ms", back->held_ms}});
}

}  // namespace crisisline::api
