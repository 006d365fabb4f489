// The console as the counsellor's phone: holding the phone in a tab, answering a ring with a WebRTC
// offer, re-offering (an ICE restart), declining and hanging up. All under the console's own session (cookie, CSRF, idle timeout):
// no SIP password ever reaches the browser. Rings and call ends reach the tab over /api/v1/events.
#include <cctype>

#include "api/detail/call_quality_input.hpp"
#include "api/detail/requests.hpp"
#include "staff/access.hpp"
#include "telephony/telephony.hpp"

namespace crisisline::api {

using namespace detail;

namespace {

// How long a tab holds the phone without renewing it: the console renews every 15 s, so a tab that
// sleeps, crashes or loses its network leaves routing within this time, like a phone that stops registering.
constexpr std::int64_t kBrowserPhoneExpiresS = 45;

Result<std::string> TabOf(const Fields& body) {
    auto tab = body.String("tab", 64);
    if (!tab) return tl::unexpected(tab.error());
    if (tab->size() < 8) return Fail(ErrorCode::kInvalid, "tab", "must be 8-64 letters, digits or '-'");
    for (unsigned char c : *tab) {
        if (!std::isalnum(c) && c != '-') return Fail(ErrorCode::kInvalid, "tab", "must be 8-64 letters, digits or '-'");
    }
    return tab;
}

Result<void> Counsellor(const staff::Authenticated& who) {
    if (!who.principal.Has(staff::Role::kCounsellor)) return Fail(ErrorCode::kForbidden, "only counsellors take calls");
    return {};
}

}  // namespace

void Api::AddBrowserPhoneRoutes(http::Router& r) {
    r.Add("PUT", "/api/v1/session/phone", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto c = Counsellor(who); !c) return tl::unexpected(c.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              if (auto k = body->OnlyKnown({"mode", "tab", "take_over"}); !k) return tl::unexpected(k.error());
              auto mode = body->Enum("mode", {"browser", "desk"});
              if (!mode) return tl::unexpected(mode.error());
              auto tab = TabOf(*body);
              if (!tab) return tl::unexpected(tab.error());
              auto take_over = body->OptionalBool("take_over");
              if (!take_over) return tl::unexpected(take_over.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              const auto& me = who.principal.staff_id;
              if (*mode == "desk") {
                  if (auto released = telephony_->ReleaseBrowserPhone(me, *tab); !released) {
                      return tl::unexpected(released.error());
                  }
                  return Ok({{"mode", "desk"}});
              }
              auto held = telephony_->HoldBrowserPhone(me, *tab, take_over->value_or(false), kBrowserPhoneExpiresS);
              if (!held) return tl::unexpected(held.error());
              nlohmann::json out = {{"mode", "browser"}, {"tab", held->tab}, {"expires_s", kBrowserPhoneExpiresS}};
              if (!held->previous_tab.empty()) out["taken_over_from"] = held->previous_tab;
              return Ok(std::move(out));
          }));
    r.Add("POST", "/api/v1/session/phone/calls/{call}/answer", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto c = Counsellor(who); !c) return tl::unexpected(c.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              if (auto k = body->OnlyKnown({"sdp"}); !k) return tl::unexpected(k.error());
              auto sdp = body->String("sdp", 16 * 1024);
              if (!sdp) return tl::unexpected(sdp.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto principal = who.principal;
              auto answer = telephony_->AnswerInBrowser(
                  principal.staff_id, Param(req, "call"), std::move(*sdp), [principal](const std::string& line) {
                      return staff::Authorise(principal, staff::Permission::kWriteContact, line).has_value();
                  });
              if (!answer) return tl::unexpected(answer.error());
              return Ok({{"type", "answer"}, {"sdp", *answer}});
          }));
    r.Add("POST", "/api/v1/session/phone/calls/{call}/offer", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto c = Counsellor(who); !c) return tl::unexpected(c.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              if (auto k = body->OnlyKnown({"sdp"}); !k) return tl::unexpected(k.error());
              auto sdp = body->String("sdp", 16 * 1024);
              if (!sdp) return tl::unexpected(sdp.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              auto principal = who.principal;
              auto answer = telephony_->ReofferFromBrowser(
                  principal.staff_id, Param(req, "call"), std::move(*sdp), [principal](const std::string& line) {
                      return staff::Authorise(principal, staff::Permission::kWriteContact, line).has_value();
                  });
              if (!answer) return tl::unexpected(answer.error());
              return Ok({{"type", "answer"}, {"sdp", *answer}});
          }));
    r.Add("POST", "/api/v1/session/phone/calls/{call}/hangup", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto c = Counsellor(who); !c) return tl::unexpected(c.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              if (auto done = telephony_->HangUpInBrowser(who.principal.staff_id, Param(req, "call")); !done) {
                  return tl::unexpected(done.error());
              }
              return NoContent();
          }));
    // What the tab measures on the call (getStats(), every 5 s while connected): kept as the counsellor's
    // latest for the wallboard; numbers and a grade only.
    r.Add("POST", "/api/v1/session/phone/calls/{call}/quality", Signed([this](const http::Request& req, const staff::Authenticated& who) -> Result<http::Response> {
              if (auto c = Counsellor(who); !c) return tl::unexpected(c.error());
              auto body = BodyOf(req);
              if (!body) return tl::unexpected(body.error());
              auto quality = ReadCallQuality(*body);
              if (!quality) return tl::unexpected(quality.error());
              if (!telephony_) return Fail(ErrorCode::kUnavailable, "telephony is not running on this server");
              const auto grade = quality->grade;
              if (auto kept = telephony_->ReportBrowserQuality(who.principal.staff_id, Param(req, "call"), *quality); !kept) {
                  return tl::unexpected(kept.error());
              }
              const char* name = telephony::kCallGradeNames[static_cast<size_t>(grade)];
              metrics_.AddCounter("crisisline_browser_call_quality_reports_total",
                                  "Call-quality reports from browser phones (getStats over 5 s), by the console's grade",
                                  {{"grade", name}})
                  .Increment();
              return NoContent();
          }));
}

}  // namespace crisisline::api
